//! The compliance reports' schedule and the checks' thresholds, kept in `org_settings`
//! (no personal data).

use shared::api::compliance::ReportSettings;

use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::alerts::save_setting,
};

const SETTING: &str = "compliance";

/// The settings (the defaults until someone saves others).
pub async fn settings(state: &AppState) -> AppResult<ReportSettings> {
    Ok(state
        .db
        .org_setting(SETTING)
        .await?
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default())
}

/// Saves the settings. Audited.
///
/// # Errors
/// 422 under `device_idle_days` outside 1–90 or `head_signed_within_hours` outside
/// 1–720.
pub async fn save(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    new: ReportSettings,
) -> AppResult<ReportSettings> {
    if !(1..=90).contains(&new.device_idle_days) {
        return Err(AppError::invalid_field(
            "device_idle_days",
            "out_of_range",
            "Between 1 and 90 days",
        ));
    }
    if !(1..=720).contains(&new.head_signed_within_hours) {
        return Err(AppError::invalid_field(
            "head_signed_within_hours",
            "out_of_range",
            "Between 1 and 720 hours",
        ));
    }
    let json = serde_json::to_string(&new).unwrap_or_default();
    let mut tx = state.db.begin_write().await?;
    save_setting(&mut tx, SETTING, &json).await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("compliance.settings_changed", Some(&caller.user))
            .details(serde_json::to_value(new).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}
