//! The rules of account administration: who may be created, changed, disabled or
//! given a new one-time password, and the audit entry each change leaves.
//!
//! Each change and its audit entry commit in one transaction. Audit details name the
//! attributes that changed and carry ids and roles only: never passwords, never names.
//! An admin cannot demote or disable themself, and nobody can demote or disable the
//! last enabled admin (409).

use shared::api::{
    auth::Role,
    users::{name_problem, username_problem, CreateUserRequest, IssuedPassword, TeamRef},
    users::{UpdateUserRequest, UserSummary, MAX_NAME_CHARS, MAX_USERNAME_CHARS},
};
use shared::ids::{TeamId, UserId};
use sqlx::AnyConnection;

use crate::{
    audit::{self, Event},
    auth::{password, service::readable_password, Principal},
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::{
        accounts::{self, AccountRow},
        now_ms,
        users::NewUser,
    },
};

fn no_such_user() -> AppError {
    AppError::not_found("No such user")
}

/// The summary admins see.
#[must_use]
pub fn summary(row: AccountRow) -> UserSummary {
    UserSummary {
        team: match (row.team_id, row.team_name) {
            (Some(id), Some(name)) => Some(TeamRef { id, name }),
            _ => None,
        },
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        role: row.role,
        disabled: row.disabled,
        locked_until_ms: row.locked_until_ms,
        must_change_password: row.must_change_password,
        totp_enabled: row.totp_enabled,
        created_at_ms: row.created_at_ms,
    }
}

fn check_display_name(name: &str) -> AppResult<String> {
    match name_problem(name) {
        None => Ok(name.trim().to_owned()),
        Some(code) => Err(AppError::invalid_field(
            "display_name",
            code,
            if code == "required" {
                "Enter the name shown for this user".to_owned()
            } else {
                format!("Use at most {MAX_NAME_CHARS} characters")
            },
        )),
    }
}

/// The team named in a request, checked to exist (422 otherwise).
async fn check_team(
    conn: &mut AnyConnection,
    team_id: Option<TeamId>,
) -> AppResult<Option<TeamId>> {
    let Some(id) = team_id else {
        return Ok(None);
    };
    let unknown = || AppError::invalid_field("team_id", "unknown_team", "There is no such team");
    accounts::team_on(conn, id).await?.ok_or_else(unknown)?;
    Ok(Some(id))
}

/// Refuses to take the admin role or the account away from the last enabled admin.
async fn keep_an_admin(
    state: &AppState,
    conn: &mut AnyConnection,
    target: &AccountRow,
) -> AppResult<()> {
    if target.role != Role::Admin || target.disabled {
        return Ok(());
    }
    let admins = accounts::enabled_admins(conn, state.db.kind()).await?;
    if admins.iter().all(|id| *id == target.id) {
        return Err(AppError::conflict(
            "This is the last enabled admin; make another admin first",
        ));
    }
    Ok(())
}

async fn read_back(conn: &mut AnyConnection, id: UserId) -> AppResult<UserSummary> {
    let row = accounts::account_on(conn, id)
        .await?
        .ok_or_else(|| AppError::invariant(format!("account {id} vanished")))?;
    Ok(summary(row))
}

/// Every account.
pub async fn list(state: &AppState) -> AppResult<Vec<UserSummary>> {
    Ok(state
        .db
        .accounts()
        .await?
        .into_iter()
        .map(summary)
        .collect())
}

/// Creates an account with a generated one-time password, shown once in the answer.
pub async fn create(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    req: CreateUserRequest,
) -> AppResult<IssuedPassword> {
    if let Some(code) = username_problem(&req.username) {
        let message = match code {
            "username_too_short" => "Use at least 3 characters".to_owned(),
            "username_too_long" => format!("Use at most {MAX_USERNAME_CHARS} characters"),
            _ => "Use only lower-case letters a-z, digits, '.', '_' and '-'".to_owned(),
        };
        return Err(AppError::invalid_field("username", code, message));
    }
    let display_name = check_display_name(&req.display_name)?;
    let one_time_password = readable_password();
    let hash = password::hash_blocking(one_time_password.clone()).await?;
    let id = UserId::from_uuid(uuid::Uuid::new_v4());
    let mut tx = state.db.begin_write().await?;
    let team_id = check_team(&mut tx, req.team_id).await?;
    let new = NewUser {
        id,
        username: &req.username,
        display_name: &display_name,
        role: req.role,
        password_hash: &hash,
        must_change_password: true,
    };
    if !accounts::insert_account(&mut tx, &new, team_id, now_ms()).await? {
        return Err(AppError::conflict("That user name is taken"));
    }
    let event = Event::new("users.create", Some(&caller.user))
        .target("user", id)
        .details(serde_json::json!({
            "attributes": ["username", "display_name", "role", "team", "password"],
            "role": req.role.as_str(),
            "team_id": team_id,
        }));
    audit::record(&mut tx, origin, event).await?;
    let user = read_back(&mut tx, id).await?;
    tx.commit().await?;
    tracing::info!(user_id = %id, role = req.role.as_str(), "account created");
    Ok(IssuedPassword {
        user,
        one_time_password,
    })
}

/// Sets an account's display name, role and team.
pub async fn update(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    user_id: UserId,
    req: UpdateUserRequest,
) -> AppResult<UserSummary> {
    let id = user_id;
    let display_name = check_display_name(&req.display_name)?;
    let mut tx = state.db.begin_write().await?;
    let current = accounts::account_on(&mut tx, id)
        .await?
        .ok_or_else(no_such_user)?;
    let team_id = check_team(&mut tx, req.team_id).await?;
    let mut changed = Vec::new();
    if current.display_name != display_name {
        changed.push("display_name");
    }
    if current.role != req.role {
        changed.push("role");
    }
    if current.team_id != team_id {
        changed.push("team");
    }
    if changed.is_empty() {
        return Ok(summary(current));
    }
    if current.role == Role::Admin && req.role != Role::Admin {
        if id == caller.user.id {
            return Err(AppError::conflict(
                "You cannot remove your own admin role; ask another admin",
            ));
        }
        keep_an_admin(state, &mut tx, &current).await?;
    }
    accounts::update_account(&mut tx, id, &display_name, req.role, team_id, now_ms()).await?;
    let mut details = serde_json::json!({ "changed": changed });
    if current.role != req.role {
        details["role"] =
            serde_json::json!({"from": current.role.as_str(), "to": req.role.as_str()});
    }
    if current.team_id != team_id {
        details["team_id"] = serde_json::json!({"from": current.team_id, "to": team_id});
    }
    let event = Event::new("users.update", Some(&caller.user))
        .target("user", id)
        .details(details);
    audit::record(&mut tx, origin, event).await?;
    let user = read_back(&mut tx, id).await?;
    tx.commit().await?;
    Ok(user)
}

/// Disables (ending every session) or enables an account.
pub async fn set_disabled(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    user_id: UserId,
    disabled: bool,
) -> AppResult<UserSummary> {
    let id = user_id;
    let mut tx = state.db.begin_write().await?;
    let current = accounts::account_on(&mut tx, id)
        .await?
        .ok_or_else(no_such_user)?;
    if current.disabled == disabled {
        return Ok(summary(current));
    }
    let mut details = serde_json::json!({ "changed": ["disabled"] });
    if disabled {
        if id == caller.user.id {
            return Err(AppError::conflict("You cannot disable your own account"));
        }
        keep_an_admin(state, &mut tx, &current).await?;
        let ended = accounts::end_sessions(&mut tx, id).await?;
        details["sessions_ended"] = ended.into();
    }
    accounts::set_disabled(&mut tx, id, disabled, now_ms()).await?;
    let action = if disabled {
        "users.disable"
    } else {
        "users.enable"
    };
    let event = Event::new(action, Some(&caller.user))
        .target("user", id)
        .details(details);
    audit::record(&mut tx, origin, event).await?;
    let user = read_back(&mut tx, id).await?;
    tx.commit().await?;
    tracing::info!(user_id = %id, disabled, "account status changed");
    Ok(user)
}

/// Gives an account a new one-time password: ends its sessions, ends any sign-in back-off
/// and removes its second factor (this is how someone who lost their authenticator
/// gets back in; they set it up again after signing in).
pub async fn reset_password(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    user_id: UserId,
) -> AppResult<IssuedPassword> {
    let id = user_id;
    let one_time_password = readable_password();
    let hash = password::hash_blocking(one_time_password.clone()).await?;
    let mut tx = state.db.begin_write().await?;
    accounts::account_on(&mut tx, id)
        .await?
        .ok_or_else(no_such_user)?;
    accounts::reset_password(&mut tx, id, &hash, now_ms()).await?;
    let ended = accounts::end_sessions(&mut tx, id).await?;
    let totp_removed = crate::store::second_factor::delete_totp(&mut tx, id).await?;
    let event = Event::new("users.reset_password", Some(&caller.user))
        .target("user", id)
        .details(serde_json::json!({
            "changed": ["password", "must_change_password", "lock_out"],
            "sessions_ended": ended,
            "totp_removed": totp_removed,
        }));
    audit::record(&mut tx, origin, event).await?;
    let user = read_back(&mut tx, id).await?;
    tx.commit().await?;
    tracing::info!(user_id = %id, "one-time password issued");
    Ok(IssuedPassword {
        user,
        one_time_password,
    })
}
