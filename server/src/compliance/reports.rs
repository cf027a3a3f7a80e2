//! Compliance reports: made on schedule (weekly, monthly) or on demand for a period,
//! kept sealed, listed, downloaded (JSON, printable HTML) and, when scheduled, sent to
//! the alerts' webhook and e-mail recipients.

use std::collections::BTreeMap;

use shared::{
    api::{
        auth::CurrentUser,
        compliance::{
            ComplianceReport, Figure, OverdueRequest, PeriodActivity, ReportCheck, ReportDelivery,
            ReportEntry, ReportKind, ReportList,
        },
        error::ErrorCode,
        requests::RequestKind,
    },
    compliance::{check_period, overall, CheckId, PeriodError},
};

use super::{checks, service::stamp, settings, View};
use crate::{
    audit::{self, Event},
    crypto::TextSealer,
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::compliance_reports::ReportRow,
};

/// Where a report's JSON is sealed, beside its id as the owner.
const PLACE: &str = "#report";
/// How many kept reports the list shows.
const LIST_LIMIT: i64 = 100;

fn sealer(state: &AppState) -> AppResult<TextSealer> {
    TextSealer::new(&state.subkeys, "compliance")
        .map_err(|e| AppError::internal("the compliance key", e))
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A kept report, opened.
fn open(sealer: &TextSealer, row: &ReportRow) -> Option<ComplianceReport> {
    sealer
        .open(&row.id, PLACE, &row.report_sealed)
        .and_then(|json| serde_json::from_str(&json).ok())
}

/// What happened in `[from, to)`.
async fn activity(state: &AppState, from: i64, to: i64) -> AppResult<PeriodActivity> {
    let db = &state.db;
    Ok(PeriodActivity {
        records_collected: count(
            db.count_between("records", "created_at_ms", "", from, to)
                .await?,
        ),
        consents_received: count(
            db.count_between("consent_receipts", "received_at_ms", "", from, to)
                .await?,
        ),
        withdrawals: count(
            db.count_between("consent_withdrawals", "withdrawn_at_ms", "", from, to)
                .await?,
        ),
        requests_received: count(
            db.count_between("subject_requests", "received_at_ms", "", from, to)
                .await?,
        ),
        requests_closed: count(
            db.count_between("subject_requests", "closed_at_ms", "", from, to)
                .await?,
        ),
        exports: count(
            db.count_between("exports", "requested_at_ms", "", from, to)
                .await?,
        ),
        alerts: count(db.count_between("alerts", "at_ms", "", from, to).await?),
        retention_runs: count(
            db.count_between("retention_runs", "started_at_ms", "", from, to)
                .await?,
        ),
    })
}

/// Makes a report of `kind` for `[from, to)` and keeps it; `None` when a scheduled
/// report for that period exists already (another replica made it first).
pub async fn make(
    state: &AppState,
    kind: ReportKind,
    (from, to): (i64, i64),
    by: Option<(&CurrentUser, &Origin)>,
) -> AppResult<Option<ComplianceReport>> {
    let now = state.clock.now_ms();
    let out = checks::compute(state, &View::organisation()).await?;
    let sealer = sealer(state)?;
    let previous = match state.db.previous_report(kind.as_str(), from).await? {
        Some(row) => open(&sealer, &row),
        None => None,
    };
    let before: BTreeMap<CheckId, Figure> = previous
        .as_ref()
        .map(|p| p.checks.iter().map(|c| (c.check, c.figure)).collect())
        .unwrap_or_default();
    let checks: Vec<ReportCheck> = CheckId::ALL
        .into_iter()
        .map(|c| ReportCheck {
            check: c,
            figure: out.figure(c),
            previous: before.get(&c).copied(),
        })
        .collect();
    let figures: Vec<_> = checks
        .iter()
        .map(|c| shared::api::compliance::CheckFigure {
            check: c.check,
            figure: c.figure,
            previous: None,
        })
        .collect();
    let rate = overall(&figures);
    let overdue_requests = state
        .db
        .checked_requests()
        .await?
        .into_iter()
        .filter(|q| q.closed_at_ms.is_none() && q.due_at_ms < now)
        .filter_map(|q| {
            Some(OverdueRequest {
                request_id: q.id,
                kind: RequestKind::parse(&q.kind)?,
                received_at_ms: q.received_at_ms,
                due_at_ms: q.due_at_ms,
            })
        })
        .collect();
    let report = ComplianceReport {
        id: uuid::Uuid::now_v7().to_string(),
        kind,
        period_from_ms: from,
        period_to_ms: to,
        computed_at_ms: now,
        audit_head: stamp(state).await?,
        rate,
        previous_rate: previous.map(|p| p.rate),
        checks,
        activity: activity(state, from, to).await?,
        open_alerts: count(state.db.open_alerts().await?),
        overdue_requests,
    };
    let json = serde_json::to_string(&report).map_err(|e| AppError::internal("report", e))?;
    let row = ReportRow {
        id: report.id.clone(),
        kind: kind.as_str().to_owned(),
        period_from_ms: from,
        period_to_ms: to,
        computed_at_ms: now,
        passed: i64::try_from(rate.passed).unwrap_or(i64::MAX),
        total: i64::try_from(rate.total).unwrap_or(i64::MAX),
        report_sealed: sealer.seal(&report.id, PLACE, &json),
    };
    let channels = if kind == ReportKind::OnDemand {
        Vec::new()
    } else {
        channels(state).await?
    };
    if !state
        .db
        .insert_report(&row, by.map(|(u, _)| u.id), &channels)
        .await?
    {
        return Ok(None);
    }
    let event = Event::new("compliance.report_made", by.map(|(u, _)| u))
        .target("compliance_report", &report.id)
        .details(serde_json::json!({
            "kind": kind.as_str(),
            "from_ms": from,
            "to_ms": to,
            "passed": rate.passed,
            "total": rate.total,
            "channels": channels,
        }));
    let origin = by.map(|(_, o)| o.clone()).unwrap_or_default();
    audit::record_alone(&state.db, &origin, event, None).await?;
    Ok(Some(report))
}

/// Where scheduled reports go: the alerts' webhook and e-mail recipients, when set and
/// the compliance settings say so.
async fn channels(state: &AppState) -> AppResult<Vec<&'static str>> {
    if !settings::settings(state).await?.deliver {
        return Ok(Vec::new());
    }
    let alerts = crate::alerts::settings::settings(state).await?;
    let mut channels = Vec::new();
    if alerts.webhook_url.is_some() {
        channels.push("webhook");
    }
    if !alerts.email_to.is_empty() && state.config.smtp.is_some() {
        channels.push("email");
    }
    Ok(channels)
}

/// A report for a period asked for in the console.
///
/// # Errors
/// 422 under `period` for a reversed, future or too long period.
pub async fn make_on_demand(
    state: &AppState,
    caller: &CurrentUser,
    origin: &Origin,
    from: i64,
    to: i64,
) -> AppResult<ReportEntry> {
    let period = check_period(from, to, state.clock.now_ms()).map_err(|e| {
        let (code, message) = match e {
            PeriodError::Reversed => ("reversed", "The period must end after it starts"),
            PeriodError::InFuture => ("in_future", "The period cannot start in the future"),
            PeriodError::TooLong => ("too_long", "A report covers at most 400 days"),
        };
        AppError::invalid_field("period", code, message)
    })?;
    let report = make(state, ReportKind::OnDemand, period, Some((caller, origin)))
        .await?
        .ok_or_else(|| AppError::invariant("an on-demand report was not kept"))?;
    Ok(entry_of(&report, Vec::new()))
}

fn entry_of(report: &ComplianceReport, deliveries: Vec<ReportDelivery>) -> ReportEntry {
    ReportEntry {
        id: report.id.clone(),
        kind: report.kind,
        period_from_ms: report.period_from_ms,
        period_to_ms: report.period_to_ms,
        computed_at_ms: report.computed_at_ms,
        rate: report.rate,
        deliveries,
    }
}

/// The kept reports, newest first, with their deliveries, and the settings.
pub async fn list(state: &AppState) -> AppResult<ReportList> {
    let rows = state.db.reports(LIST_LIMIT).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut deliveries: BTreeMap<String, Vec<ReportDelivery>> = BTreeMap::new();
    for d in state.db.report_deliveries(&ids).await? {
        deliveries
            .entry(d.report_id.clone())
            .or_default()
            .push(ReportDelivery {
                channel: d.channel,
                status: d.status,
                attempts: u32::try_from(d.attempts).unwrap_or(u32::MAX),
                last_error: d.last_error,
            });
    }
    let reports = rows
        .iter()
        .map(|r| ReportEntry {
            id: r.id.clone(),
            kind: ReportKind::parse(&r.kind).unwrap_or(ReportKind::OnDemand),
            period_from_ms: r.period_from_ms,
            period_to_ms: r.period_to_ms,
            computed_at_ms: r.computed_at_ms,
            rate: Figure::new(count(r.passed), count(r.total)),
            deliveries: deliveries.remove(&r.id).unwrap_or_default(),
        })
        .collect();
    Ok(ReportList {
        reports,
        settings: settings::settings(state).await?,
    })
}

/// A kept report.
///
/// # Errors
/// 404 for an unknown id; 500 when it cannot be opened.
pub async fn get(state: &AppState, id: &str) -> AppResult<ComplianceReport> {
    let row = state
        .db
        .report(id)
        .await?
        .ok_or_else(|| AppError::not_found("No such report"))?;
    open(&sealer(state)?, &row).ok_or_else(|| {
        AppError::client(
            ErrorCode::Conflict,
            "This report cannot be opened with the server's current keys",
        )
    })
}
