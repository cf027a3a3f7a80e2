//! Who may import and for how long an import can be undone: admins always; managers
//! when an admin allows it. Kept in `org_settings` (no personal data).

use shared::api::{
    auth::Role,
    error::ErrorCode,
    imports::{ImportSettings, MAX_UNDO_DAYS},
};

use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::alerts::save_setting,
};

const SETTING: &str = "imports";

/// The settings (the defaults until an admin saves others).
pub async fn settings(state: &AppState) -> AppResult<ImportSettings> {
    Ok(state
        .db
        .org_setting(SETTING)
        .await?
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default())
}

/// The settings, when `caller` may import now.
///
/// # Errors
/// 403 for a manager while admins have not allowed managers to import, and for every
/// other role but admins.
pub async fn may_import(state: &AppState, caller: &Principal) -> AppResult<ImportSettings> {
    let settings = settings(state).await?;
    match caller.user.role {
        Role::Admin => Ok(settings),
        Role::Manager if settings.managers_may_import => Ok(settings),
        Role::Manager => Err(AppError::client(
            ErrorCode::Forbidden,
            "Admins have not allowed managers to import: ask an admin",
        )),
        _ => Err(AppError::forbidden()),
    }
}

/// Saves the settings (admins). Audited.
///
/// # Errors
/// 422 under `undo_days` outside 1 to [`MAX_UNDO_DAYS`].
pub async fn save(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    new: ImportSettings,
) -> AppResult<ImportSettings> {
    if new.undo_days == 0 || new.undo_days > MAX_UNDO_DAYS {
        return Err(AppError::invalid_field(
            "undo_days",
            "out_of_range",
            format!("Between 1 and {MAX_UNDO_DAYS} days"),
        ));
    }
    let json = serde_json::to_string(&new).unwrap_or_default();
    let mut tx = state.db.begin_write().await?;
    save_setting(&mut tx, SETTING, &json).await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("imports.settings_changed", Some(&caller.user))
            .details(serde_json::to_value(&new).unwrap_or_default()),
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}
