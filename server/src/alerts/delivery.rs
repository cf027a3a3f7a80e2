//! Sending alerts: a task on each replica wakes every few seconds (or when an alert is
//! raised), takes the turn of each due delivery by an update (so one replica sends it),
//! and POSTs it to the webhook, signed, or e-mails it. A failed attempt is tried again
//! after 1, 5, 30, 120 and 720 minutes, then given up (`failed`, shown in the console).

use std::time::Duration;

use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use shared::api::alerts::{AlertNotice, AlertRule};

use super::{service, settings};
use crate::{error::AppResult, state::AppState, store::alerts::DeliveryRow};

/// Minutes before each retry; after the last one the delivery has failed.
const BACKOFF_MINUTES: [i64; 5] = [1, 5, 30, 120, 720];
/// How long a replica holds a delivery's turn while it sends.
pub(crate) const LEASE_MS: i64 = 120_000;
/// How long one attempt may take.
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

/// After a failed attempt (the `attempts`th before it): the delivery's status, when to
/// try again (none once given up) and the reason as kept (at most 300 characters).
pub(crate) fn after_failure(
    now_ms: i64,
    attempts: usize,
    why: &str,
) -> (&'static str, Option<i64>, String) {
    let next = BACKOFF_MINUTES.get(attempts).map(|m| now_ms + m * 60_000);
    let status = if next.is_some() { "pending" } else { "failed" };
    (status, next, why.chars().take(300).collect())
}

/// Starts the sender; it runs until aborted.
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
                tracing::error!(error = %e, "the alert sender cannot start");
                return;
            }
        };
        let mut turns: u64 = 0;
        loop {
            tokio::select! {
                () = tokio::time::sleep(tick) => {}
                () = state.alert_wake.notified() => {}
            }
            if let Err(e) = send_due(&state, &client).await {
                tracing::warn!(error = %e, "sending alerts failed; tried again");
            }
            turns += 1;
            if turns.is_multiple_of(500) {
                if let Err(e) = service::prune(&state).await {
                    tracing::warn!(error = %e, "pruning activity failed");
                }
            }
        }
    })
}

/// Sends every delivery due now.
pub async fn send_due(state: &AppState, client: &reqwest::Client) -> AppResult<()> {
    let now = state.clock.now_ms();
    for d in state.db.due_deliveries(now, 50).await? {
        if !state.db.claim_delivery(&d, now, now + LEASE_MS).await? {
            continue;
        }
        let outcome = attempt(state, client, &d).await;
        let attempts = usize::try_from(d.attempts).unwrap_or(usize::MAX);
        match outcome {
            Ok(()) => {
                state.db.delivery_attempted(&d, "sent", None, None).await?;
            }
            Err(why) => {
                tracing::warn!(alert_id = %d.alert_id, channel = %d.channel, error = %why, "alert not delivered");
                let (status, next, why) = after_failure(state.clock.now_ms(), attempts, &why);
                state
                    .db
                    .delivery_attempted(&d, status, next, Some(&why))
                    .await?;
            }
        }
    }
    Ok(())
}

/// One attempt; the reason it failed, for the console.
async fn attempt(
    state: &AppState,
    client: &reqwest::Client,
    d: &DeliveryRow,
) -> Result<(), String> {
    let alert = state
        .db
        .alert(d.alert_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the alert is gone")?;
    let notice = AlertNotice {
        alert_id: alert.id,
        rule: AlertRule::parse(&alert.rule).unwrap_or(AlertRule::ExportAboveHistory),
        at_ms: alert.at_ms,
        user_id: alert.user_id,
        observed: u64::try_from(alert.observed).unwrap_or(0),
        limit: u64::try_from(alert.limit).unwrap_or(0),
        suspended: alert.suspended,
        console_path: "/exports?tab=alerts".to_owned(),
    };
    let settings = settings::settings(state).await.map_err(|e| e.to_string())?;
    match d.channel.as_str() {
        "webhook" => {
            let url = settings.webhook_url.ok_or("no webhook is configured now")?;
            let secret = settings::webhook_secret(state)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("no webhook secret is set")?;
            post(client, &url, &secret, &notice, state.clock.now_ms()).await
        }
        "email" => {
            email(
                state,
                &settings.email_to,
                &notice,
                alert.user_name.as_deref(),
            )
            .await
        }
        other => Err(format!("unknown channel {other}")),
    }
}

/// The signature of a webhook body sent at `timestamp_ms`: HMAC-SHA-256 under the
/// secret of `<timestamp_ms>.<body>`, as `sha256=<hex>`.
#[must_use]
pub fn signature(secret: &str, timestamp_ms: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp_ms.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// POSTs `notice` as JSON to `url`, signed with `secret` (alerts and compliance
/// reports).
pub(crate) async fn post(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    notice: &impl serde::Serialize,
    now_ms: i64,
) -> Result<(), String> {
    let body = serde_json::to_vec(notice).map_err(|e| e.to_string())?;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-consentry-timestamp", now_ms.to_string())
        .header("x-consentry-signature", signature(secret, now_ms, &body))
        .body(body)
        .send()
        .await
        .map_err(|e| format!("cannot reach the webhook: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the webhook answered {}", response.status()))
    }
}

/// The alert's e-mail: what happened and where to look (no personal data beyond the
/// user name of the account concerned).
async fn email(
    state: &AppState,
    to: &[String],
    notice: &AlertNotice,
    user_name: Option<&str>,
) -> Result<(), String> {
    let subject = format!(
        "[Consentry] alert {}: {}",
        notice.rule.as_str(),
        user_name.unwrap_or("?")
    );
    let text = format!(
        "Rule: {}\nUser: {} ({})\nObserved: {} (limit {})\nExport permission suspended: {}\n\
         At: {} ms since the epoch\n\nOpen the console: {}{}\n",
        notice.rule.as_str(),
        user_name.unwrap_or("?"),
        notice.user_id,
        notice.observed,
        notice.limit,
        if notice.suspended { "yes" } else { "no" },
        notice.at_ms,
        state.config.public_url.trim_end_matches('/'),
        notice.console_path,
    );
    send_mail(state, to, subject, text).await
}

/// Sends a plain-text e-mail through the configured SMTP server (alerts and compliance
/// reports).
pub(crate) async fn send_mail(
    state: &AppState,
    to: &[String],
    subject: String,
    text: String,
) -> Result<(), String> {
    use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
    let smtp = state
        .config
        .smtp
        .as_ref()
        .ok_or("the server has no SMTP settings")?;
    if to.is_empty() {
        return Err("no recipients are configured".to_owned());
    }
    let mut builder = Message::builder()
        .from(smtp.from.parse().map_err(|e| format!("sender: {e}"))?)
        .subject(subject);
    for address in to {
        builder = builder.to(address.parse().map_err(|e| format!("{address}: {e}"))?);
    }
    let message = builder.body(text).map_err(|e| e.to_string())?;
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
        .map_err(|e| format!("SMTP settings: {e}"))?
        .timeout(Some(ATTEMPT_TIMEOUT))
        .build();
    mailer
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("SMTP: {e}"))
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn the_signature_covers_the_time_and_the_body() {
        let a = signature("a-long-enough-secret", 1, b"{}");
        assert!(a.starts_with("sha256=") && a.len() == 7 + 64);
        assert_ne!(a, signature("a-long-enough-secret", 2, b"{}"));
        assert_ne!(a, signature("a-long-enough-secret", 1, b"{ }"));
        assert_ne!(a, signature("another-long-secret!", 1, b"{}"));
    }
}
