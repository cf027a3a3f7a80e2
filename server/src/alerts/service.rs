//! Raising alerts (on exports, reveals and views), listing and handling them, export
//! suspensions (the settings are in `settings.rs`).

use shared::{
    alerts::{burst_firing, export_firings, Firing, PastExport},
    api::{
        alerts::{
            AlertChannel, AlertDelivery, AlertEntry, AlertEvent, AlertList, AlertRule,
            AlertSettings, AlertStatus, DeliveryStatus, HandleAlert, MAX_ALERT_NOTE_CHARS,
        },
        auth::CurrentUser,
        error::ErrorCode,
    },
    ids::{AlertId, ExportId, UserId},
};
use sqlx::AnyConnection;

use super::{settings::settings, Sealer};
use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    requests::service::Issues,
    state::AppState,
    store::alerts::{self as store, AlertRow, NewAlert},
};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
/// The most earlier exports listed as an alert's events.
const MAX_EVENTS: usize = 20;

/// The alert holding `user`'s export permission suspended, if one does.
pub async fn suspension(state: &AppState, user: UserId) -> AppResult<Option<AlertId>> {
    Ok(state.db.export_suspension(user).await?)
}

/// Alerts an export is about to raise, decided before it is written.
pub struct Planned {
    firings: Vec<(AlertId, Firing, bool)>,
    events: Vec<AlertEvent>,
    channels: Vec<AlertChannel>,
}

impl Planned {
    /// The alert that holds the export for an admin's approval (a rule that suspends).
    #[must_use]
    pub fn holds(&self) -> Option<AlertId> {
        self.firings
            .iter()
            .find(|(_, _, suspends)| *suspends)
            .map(|(id, _, _)| *id)
    }

    /// Writes the alerts (and the suspension) in the export's transaction.
    pub async fn record(
        self,
        conn: &mut AnyConnection,
        origin: &Origin,
        user: &CurrentUser,
        now_ms: i64,
    ) -> AppResult<bool> {
        let raised = !self.firings.is_empty();
        for (id, firing, suspends) in &self.firings {
            raise(
                conn,
                origin,
                user,
                (*id, *firing, *suspends),
                &self.events,
                &self.channels,
                now_ms,
            )
            .await?;
        }
        Ok(raised)
    }
}

/// Evaluates the export rules for `user` asking for `rows` now (export `export_id`).
pub async fn plan_export(
    state: &AppState,
    user: UserId,
    export_id: ExportId,
    rows: u64,
    now_ms: i64,
) -> AppResult<Planned> {
    let settings = settings(state).await?;
    let since = now_ms - i64::from(settings.history_days.max(1)) * DAY_MS;
    let past = state.db.export_rows_since(user, since).await?;
    let history: Vec<PastExport> = past
        .iter()
        .map(|(_, at_ms, rows)| PastExport {
            at_ms: *at_ms,
            rows: u64::try_from(*rows).unwrap_or(0),
        })
        .collect();
    let firings = export_firings(&settings, &history, rows, now_ms);
    let mut events = vec![AlertEvent {
        at_ms: now_ms,
        action: "exports.requested".to_owned(),
        count: rows,
        subject_id: Some(export_id.to_string()),
    }];
    events.extend(
        past.iter()
            .rev()
            .take(MAX_EVENTS)
            .map(|(id, at, n)| AlertEvent {
                at_ms: *at,
                action: "exports.requested".to_owned(),
                count: u64::try_from(*n).unwrap_or(0),
                subject_id: Some(id.to_string()),
            }),
    );
    let channels = channels(state, &settings).await?;
    Ok(Planned {
        firings: firings
            .into_iter()
            .map(|f| {
                (
                    AlertId::from_uuid(uuid::Uuid::now_v7()),
                    f,
                    settings.suspend_on.contains(&f.rule),
                )
            })
            .collect(),
        events,
        channels,
    })
}

/// Where alerts go under `settings`.
async fn channels(state: &AppState, settings: &AlertSettings) -> AppResult<Vec<AlertChannel>> {
    let mut out = Vec::new();
    if settings.webhook_url.is_some() && state.db.alert_settings_json().await?.1.is_some() {
        out.push(AlertChannel::Webhook);
    }
    if !settings.email_to.is_empty() && state.config.smtp.is_some() {
        out.push(AlertChannel::Email);
    }
    Ok(out)
}

fn channel_name(c: AlertChannel) -> &'static str {
    match c {
        AlertChannel::Webhook => "webhook",
        AlertChannel::Email => "email",
    }
}

/// Stores one alert, its suspension and deliveries; audited.
async fn raise(
    conn: &mut AnyConnection,
    origin: &Origin,
    user: &CurrentUser,
    (id, firing, suspends): (AlertId, Firing, bool),
    events: &[AlertEvent],
    channels: &[AlertChannel],
    now_ms: i64,
) -> AppResult<()> {
    let events_json =
        serde_json::to_string(events).map_err(|e| AppError::internal("alert events", e))?;
    store::insert_alert(
        conn,
        &NewAlert {
            id,
            rule: firing.rule.as_str(),
            user_id: user.id,
            at_ms: now_ms,
            observed: i64::try_from(firing.observed).unwrap_or(i64::MAX),
            limit: i64::try_from(firing.limit).unwrap_or(i64::MAX),
            events_json: &events_json,
            suspended: suspends,
        },
    )
    .await?;
    if suspends {
        store::suspend(conn, user.id, id, now_ms).await?;
    }
    for channel in channels {
        store::queue_delivery(conn, id, channel_name(*channel), now_ms).await?;
    }
    // The rule fired on the user's behaviour: the entry names them as its target, with
    // the system as the actor.
    audit::record(
        conn,
        origin,
        Event::new("alerts.raised", None)
            .target("alert", id)
            .details(serde_json::json!({
                "rule": firing.rule.as_str(),
                "user_id": user.id,
                "observed": firing.observed,
                "limit": firing.limit,
                "suspended": suspends,
            })),
    )
    .await?;
    Ok(())
}

/// What a burst rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Masked values revealed.
    Reveal,
    /// Records shown.
    View,
}

impl Activity {
    const fn kind(self) -> &'static str {
        match self {
            Self::Reveal => "reveal",
            Self::View => "view",
        }
    }

    const fn rule(self) -> AlertRule {
        match self {
            Self::Reveal => AlertRule::RevealBurst,
            Self::View => AlertRule::ViewBurst,
        }
    }

    const fn action(self) -> &'static str {
        match self {
            Self::Reveal => "records.reveal",
            Self::View => "records.read",
        }
    }
}

/// Counts `n` reveals or records viewed by `user` and raises the burst rule's alert
/// when the window's total passes its limit (once per window).
pub async fn note_activity(
    state: &AppState,
    origin: &Origin,
    user: &CurrentUser,
    activity: Activity,
    n: u64,
    subject: Option<&str>,
) -> AppResult<()> {
    if n == 0 {
        return Ok(());
    }
    let now = state.clock.now_ms();
    let settings = settings(state).await?;
    let mut tx = state.db.begin_write().await?;
    store::note_activity(
        &mut tx,
        user.id,
        activity.kind(),
        now,
        i64::try_from(n).unwrap_or(i64::MAX),
        subject,
    )
    .await?;
    tx.commit().await?;
    let since = now - i64::from(settings.burst_minutes) * MINUTE_MS;
    let window = state
        .db
        .activity_since(user.id, activity.kind(), since)
        .await?;
    let total: u64 = window
        .iter()
        .map(|(_, n, _)| u64::try_from(*n).unwrap_or(0))
        .sum();
    let Some(firing) = burst_firing(&settings, activity.rule(), total) else {
        return Ok(());
    };
    if state
        .db
        .alerted_since(user.id, activity.rule().as_str(), since)
        .await?
    {
        return Ok(());
    }
    let events: Vec<AlertEvent> = window
        .iter()
        .rev()
        .take(MAX_EVENTS * 5)
        .map(|(at, n, subject)| AlertEvent {
            at_ms: *at,
            action: activity.action().to_owned(),
            count: u64::try_from(*n).unwrap_or(0),
            subject_id: subject.clone(),
        })
        .collect();
    let channels = channels(state, &settings).await?;
    let id = AlertId::from_uuid(uuid::Uuid::now_v7());
    let suspends = settings.suspend_on.contains(&firing.rule);
    let mut tx = state.db.begin_write().await?;
    raise(
        &mut tx,
        origin,
        user,
        (id, firing, suspends),
        &events,
        &channels,
        now,
    )
    .await?;
    tx.commit().await?;
    state.alert_wake.notify_one();
    Ok(())
}

/// Alerts, newest first (open ones, or all).
pub async fn list(state: &AppState, all: bool) -> AppResult<AlertList> {
    let rows = state.db.alerts(!all, 500).await?;
    let open = u64::try_from(state.db.open_alerts().await?).unwrap_or(0);
    let sealer = Sealer::new(state)?;
    let ids: Vec<AlertId> = rows.iter().map(|r| r.id).collect();
    let deliveries = state.db.deliveries(&ids).await?;
    let alerts = rows
        .into_iter()
        .map(|row| {
            let mine: Vec<_> = deliveries.iter().filter(|d| d.alert_id == row.id).collect();
            entry(&sealer, row, &mine)
        })
        .collect();
    Ok(AlertList { alerts, open })
}

/// One alert as it stands now, with its deliveries.
async fn entry_of(state: &AppState, id: AlertId) -> AppResult<AlertEntry> {
    let row = state
        .db
        .alert(id)
        .await?
        .ok_or_else(|| AppError::invariant("an alert just changed is missing"))?;
    let deliveries = state.db.deliveries(&[id]).await?;
    let mine: Vec<_> = deliveries.iter().collect();
    Ok(entry(&Sealer::new(state)?, row, &mine))
}

fn entry(sealer: &Sealer, row: AlertRow, deliveries: &[&store::DeliveryRow]) -> AlertEntry {
    AlertEntry {
        id: row.id,
        rule: AlertRule::parse(&row.rule).unwrap_or(AlertRule::ExportAboveHistory),
        at_ms: row.at_ms,
        user_id: row.user_id,
        user_name: row.user_name,
        observed: u64::try_from(row.observed).unwrap_or(0),
        limit: u64::try_from(row.limit).unwrap_or(0),
        events: serde_json::from_str(&row.events_json).unwrap_or_default(),
        suspended: row.suspended,
        suspension_active: row.suspension_active,
        status: AlertStatus::parse(&row.status).unwrap_or(AlertStatus::Open),
        handled_by_name: row.handled_by_name,
        handled_at_ms: row.handled_at_ms,
        note: row.note_sealed.as_deref().map(|n| {
            sealer
                .open(&row.id.to_string(), "#note", n)
                .unwrap_or_else(|| "(unreadable)".to_owned())
        }),
        deliveries: deliveries
            .iter()
            .map(|d| AlertDelivery {
                channel: if d.channel == "email" {
                    AlertChannel::Email
                } else {
                    AlertChannel::Webhook
                },
                status: match d.status.as_str() {
                    "sent" => DeliveryStatus::Sent,
                    "failed" => DeliveryStatus::Failed,
                    _ => DeliveryStatus::Pending,
                },
                attempts: u32::try_from(d.attempts).unwrap_or(u32::MAX),
                next_attempt_ms: (d.status == "pending")
                    .then_some(d.next_attempt_ms)
                    .flatten(),
                last_error: d.last_error.clone(),
            })
            .collect(),
    }
}

/// An admin acknowledges or dismisses an open alert, and may lift the suspension it
/// placed; audited.
pub async fn handle(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    id: AlertId,
    req: HandleAlert,
) -> AppResult<AlertEntry> {
    let row = state
        .db
        .alert(id)
        .await?
        .ok_or_else(|| AppError::not_found("No such alert"))?;
    let mut issues = Issues::default();
    if req.status == AlertStatus::Open {
        issues.add("status", "invalid", "Acknowledge or dismiss the alert");
    }
    let note = issues.text(
        "note",
        req.note.as_deref().unwrap_or_default(),
        0,
        MAX_ALERT_NOTE_CHARS,
    );
    issues.done()?;
    let sealer = Sealer::new(state)?;
    let sealed = (!note.is_empty()).then(|| sealer.seal_note(id, &note));
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    if !store::handle(
        &mut tx,
        id,
        req.status.as_str(),
        caller.user.id,
        now,
        sealed.as_deref(),
    )
    .await?
    {
        return Err(AppError::client(
            ErrorCode::AlreadyResolved,
            "This alert was already handled",
        ));
    }
    let lifted = req.lift_suspension && store::lift(&mut tx, row.user_id).await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("alerts.handled", Some(&caller.user))
            .target("alert", id)
            .details(serde_json::json!({
                "status": req.status.as_str(),
                "user_id": row.user_id,
                "suspension_lifted": lifted,
            })),
    )
    .await?;
    tx.commit().await?;
    entry_of(state, id).await
}

/// Lifts the export suspension `id` placed, when it is still in force (an admin who
/// handled the alert first, or decides later); audited.
pub async fn lift(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    id: AlertId,
) -> AppResult<AlertEntry> {
    let row = state
        .db
        .alert(id)
        .await?
        .ok_or_else(|| AppError::not_found("No such alert"))?;
    if !row.suspension_active {
        return Err(AppError::client(
            ErrorCode::AlreadyResolved,
            "This alert holds no suspension in force",
        ));
    }
    let mut tx = state.db.begin_write().await?;
    store::lift(&mut tx, row.user_id).await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("alerts.suspension_lifted", Some(&caller.user))
            .target("alert", id)
            .details(serde_json::json!({ "user_id": row.user_id })),
    )
    .await?;
    tx.commit().await?;
    entry_of(state, id).await
}

/// Forgets burst activity older than a day.
pub async fn prune(state: &AppState) -> AppResult<()> {
    state
        .db
        .prune_activity(state.clock.now_ms() - DAY_MS)
        .await?;
    Ok(())
}
