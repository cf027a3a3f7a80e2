//! The alert settings: the rules' limits and where alerts go, checked and saved by
//! admins; the webhook's secret sealed apart and never returned.

use shared::{api::alerts::AlertSettings, schema::EmailAddress};

use super::Sealer;
use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    requests::service::Issues,
    state::AppState,
    store::alerts as store,
};

/// Where the sealed webhook secret is kept, and its owner and place when sealed.
const SECRET_SETTING: &str = "alerts.webhook_secret";
const SECRET_OWNER: &str = "settings";
const SECRET_PLACE: &str = "#webhook_secret";
/// The fewest characters of a webhook secret.
pub const MIN_SECRET_CHARS: usize = 16;
/// The most e-mail recipients.
const MAX_RECIPIENTS: usize = 20;

/// The organisation's alert settings (the defaults until an admin saves others), with
/// the read-only facts filled in; never the secret.
pub async fn settings(state: &AppState) -> AppResult<AlertSettings> {
    let (json, secret) = state.db.alert_settings_json().await?;
    let mut settings: AlertSettings = json
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default();
    settings.webhook_secret = None;
    settings.webhook_secret_set = secret.is_some();
    settings.email_available = state.config.smtp.is_some();
    Ok(settings)
}

/// The webhook's secret, opened.
pub(crate) async fn webhook_secret(state: &AppState) -> AppResult<Option<String>> {
    let (_, secret) = state.db.alert_settings_json().await?;
    let sealer = Sealer::new(state)?;
    Ok(secret.and_then(|s| sealer.open(SECRET_OWNER, SECRET_PLACE, &s)))
}

/// Whether a webhook URL is acceptable: HTTPS, or HTTP to this machine.
#[must_use]
pub fn webhook_url_ok(raw: &str) -> bool {
    let Ok(url) = url::Url::parse(raw) else {
        return false;
    };
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => {
            matches!(url.host(), Some(url::Host::Domain("localhost")))
                || matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
                || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
        }
        _ => false,
    }
}

/// Saves the settings (admins); a new webhook secret is sealed apart. Audited (without
/// the secret or the recipients' addresses).
pub async fn save_settings(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    mut new: AlertSettings,
) -> AppResult<AlertSettings> {
    let mut issues = Issues::default();
    if new.work_start_hour > 23 {
        issues.add("work_start_hour", "out_of_range", "An hour from 0 to 23");
    }
    if new.work_end_hour > 24 {
        issues.add(
            "work_end_hour",
            "out_of_range",
            "An hour from 0 to 24 (midnight)",
        );
    }
    if !(-12 * 60..=14 * 60).contains(&new.utc_offset_minutes) {
        issues.add(
            "utc_offset_minutes",
            "out_of_range",
            "An offset from UTC between -12:00 and +14:00",
        );
    }
    if new.history_days == 0 || new.history_days > 365 {
        issues.add("history_days", "out_of_range", "Between 1 and 365 days");
    }
    if new.burst_minutes > 24 * 60 {
        issues.add(
            "burst_minutes",
            "out_of_range",
            "At most a day (1440 minutes)",
        );
    }
    new.webhook_url = new
        .webhook_url
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty());
    if let Some(url) = &new.webhook_url {
        if !webhook_url_ok(url) {
            issues.add(
                "webhook_url",
                "invalid",
                "An https:// address (or http:// to this machine)",
            );
        }
    }
    let secret = new
        .webhook_secret
        .take()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if secret
        .as_ref()
        .is_some_and(|s| s.chars().count() < MIN_SECRET_CHARS)
    {
        issues.add(
            "webhook_secret",
            "too_short",
            format!("At least {MIN_SECRET_CHARS} characters"),
        );
    }
    let had_secret = state.db.alert_settings_json().await?.1.is_some();
    if new.webhook_url.is_some() && secret.is_none() && !had_secret {
        issues.add(
            "webhook_secret",
            "required",
            "A secret signs what the webhook receives: set one",
        );
    }
    let mut recipients = Vec::new();
    for raw in new
        .email_to
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
    {
        match EmailAddress::parse(raw) {
            Ok(e) => recipients.push(e.as_str().to_owned()),
            Err(_) => issues.add(
                "email_to",
                "invalid",
                format!("Not an e-mail address: {raw}"),
            ),
        }
    }
    if recipients.len() > MAX_RECIPIENTS {
        issues.add(
            "email_to",
            "too_many",
            format!("At most {MAX_RECIPIENTS} addresses"),
        );
    }
    issues.done()?;
    recipients.sort();
    recipients.dedup();
    new.email_to = recipients;
    new.suspend_on.sort();
    new.suspend_on.dedup();
    new.webhook_secret_set = false;
    new.email_available = false;
    let json = serde_json::to_string(&new).map_err(|e| AppError::internal("settings", e))?;
    let sealer = Sealer::new(state)?;
    let mut tx = state.db.begin_write().await?;
    store::save_setting(&mut tx, "alerts", &json).await?;
    if let Some(secret) = &secret {
        let sealed = sealer.seal(SECRET_OWNER, SECRET_PLACE, secret);
        store::save_setting(&mut tx, SECRET_SETTING, &sealed).await?;
    }
    audit::record(
        &mut tx,
        origin,
        Event::new("alerts.settings", Some(&caller.user)).details(serde_json::json!({
            "history_multiplier": new.history_multiplier,
            "history_days": new.history_days,
            "history_min_rows": new.history_min_rows,
            "daily_row_limit": new.daily_row_limit,
            "work_hours": [new.work_start_hour, new.work_end_hour],
            "utc_offset_minutes": new.utc_offset_minutes,
            "weekends_off": new.weekends_off,
            "reveal_burst": new.reveal_burst,
            "view_burst": new.view_burst,
            "burst_minutes": new.burst_minutes,
            "suspend_on": new.suspend_on.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "webhook": new.webhook_url.is_some(),
            "webhook_secret_changed": secret.is_some(),
            "email_recipients": new.email_to.len(),
        })),
    )
    .await?;
    tx.commit().await?;
    settings(state).await
}

#[cfg(test)]
mod tests {
    use super::webhook_url_ok;

    #[test]
    fn webhooks_go_over_https_or_to_this_machine() {
        assert!(webhook_url_ok("https://hooks.example.com/consentry"));
        assert!(webhook_url_ok("http://127.0.0.1:9000/hook"));
        assert!(webhook_url_ok("http://localhost/hook"));
        assert!(webhook_url_ok("http://[::1]:8080/"));
        assert!(!webhook_url_ok("http://hooks.example.com/"));
        assert!(!webhook_url_ok("ftp://example.com/"));
        assert!(!webhook_url_ok("not a url"));
    }
}
