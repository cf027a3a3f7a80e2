//! Each replica's compliance task: every few seconds, under the database lease
//! `compliance` (so one replica acts), it takes the day's snapshots once, makes the
//! weekly and monthly reports whose period has ended since the server started, and
//! sends report deliveries that are due (each claimed by an update, as alerts are).

use std::time::Duration;

use shared::{
    api::compliance::{ComplianceReport, ReportKind, ReportNotice},
    compliance::{month_start, percent_text, previous_month_start, week_start, DAY_MS},
};

use super::{reports, service, settings};
use crate::{
    alerts::delivery::{after_failure, post, send_mail, ATTEMPT_TIMEOUT, LEASE_MS},
    error::AppResult,
    state::AppState,
    store::{compliance_reports::ReportDeliveryRow, retention::take_lease},
};

const LEASE: &str = "compliance";

/// Starts the task; it runs until aborted.
#[must_use]
pub fn spawn(state: AppState, tick: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "the compliance task cannot start");
                return;
            }
        };
        loop {
            if let Err(e) = turn(&state).await {
                tracing::warn!(error = %e, "compliance turn failed; tried again");
            }
            if let Err(e) = send_due(&state, &client).await {
                tracing::warn!(error = %e, "sending compliance reports failed; tried again");
            }
            tokio::time::sleep(tick).await;
        }
    })
}

/// One turn: snapshots and scheduled reports, when this replica holds the lease.
pub async fn turn(state: &AppState) -> AppResult<()> {
    let now = state.clock.now_ms();
    let holder = state.retention.holder.clone();
    {
        let mut conn = state.db.pool().acquire().await?;
        if !take_lease(&mut conn, LEASE, &holder, now, now + 10 * 60_000).await? {
            return Ok(());
        }
    }
    service::snapshot_today(state).await?;
    let settings = settings::settings(state).await?;
    let started = state.retention.started_at_ms;
    let mut due = Vec::new();
    if settings.weekly {
        let end = week_start(now);
        due.push((ReportKind::Weekly, end - 7 * DAY_MS, end));
    }
    if settings.monthly {
        let end = month_start(now);
        due.push((ReportKind::Monthly, previous_month_start(end), end));
    }
    for (kind, from, to) in due {
        // A fresh server does not make reports for periods that ended before it started.
        if to > started && !state.db.has_report(kind.as_str(), from).await? {
            if let Some(report) = reports::make(state, kind, (from, to), None).await? {
                tracing::info!(kind = kind.as_str(), id = %report.id, "made a compliance report");
            }
        }
    }
    Ok(())
}

/// Sends every report delivery due now.
pub async fn send_due(state: &AppState, client: &reqwest::Client) -> AppResult<()> {
    let now = state.clock.now_ms();
    for d in state.db.due_report_deliveries(now, 20).await? {
        if !state
            .db
            .claim_report_delivery(&d, now, now + LEASE_MS)
            .await?
        {
            continue;
        }
        let outcome = attempt(state, client, &d).await;
        let attempts = usize::try_from(d.attempts).unwrap_or(usize::MAX);
        match outcome {
            Ok(()) => {
                state
                    .db
                    .report_delivery_attempted(&d, "sent", None, None)
                    .await?;
            }
            Err(why) => {
                tracing::warn!(report_id = %d.report_id, channel = %d.channel, error = %why, "compliance report not delivered");
                let (status, next, why) = after_failure(state.clock.now_ms(), attempts, &why);
                state
                    .db
                    .report_delivery_attempted(&d, status, next, Some(&why))
                    .await?;
            }
        }
    }
    Ok(())
}

async fn attempt(
    state: &AppState,
    client: &reqwest::Client,
    d: &ReportDeliveryRow,
) -> Result<(), String> {
    let report = reports::get(state, &d.report_id)
        .await
        .map_err(|e| e.to_string())?;
    let alerts = crate::alerts::settings::settings(state)
        .await
        .map_err(|e| e.to_string())?;
    match d.channel.as_str() {
        "webhook" => {
            let url = alerts.webhook_url.ok_or("no webhook is configured now")?;
            let secret = crate::alerts::settings::webhook_secret(state)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("no webhook secret is set")?;
            let notice = ReportNotice {
                event: "compliance_report".to_owned(),
                report,
                console_path: "/compliance/reports".to_owned(),
            };
            post(client, &url, &secret, &notice, state.clock.now_ms()).await
        }
        "email" => {
            let (subject, text) = email_text(state, &report);
            send_mail(state, &alerts.email_to, subject, text).await
        }
        other => Err(format!("unknown channel {other}")),
    }
}

fn day(at_ms: i64) -> String {
    let (y, m, d) = shared::compliance::civil_from_days(at_ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// A report's e-mail: the rate and every check (figures only, no personal data).
fn email_text(state: &AppState, r: &ComplianceReport) -> (String, String) {
    let subject = format!(
        "[Consentry] compliance report {} {} – {}: {}",
        r.kind.as_str(),
        day(r.period_from_ms),
        day(r.period_to_ms - 1),
        percent_text(r.rate)
    );
    let mut text = format!(
        "Compliance rate: {} ({} of {})\nAudit head: #{} {}\n\n",
        percent_text(r.rate),
        r.rate.passed,
        r.rate.total,
        r.audit_head.seq,
        r.audit_head.hash
    );
    for c in &r.checks {
        text.push_str(&format!(
            "- {}: {} / {}\n",
            c.check.title().en,
            c.figure.passed,
            c.figure.total
        ));
    }
    text.push_str(&format!(
        "\nOpen alerts: {}\nOverdue requests: {}\n\nOpen the console: {}/compliance/reports\n",
        r.open_alerts,
        r.overdue_requests.len(),
        state.config.public_url.trim_end_matches('/')
    ));
    (subject, text)
}
