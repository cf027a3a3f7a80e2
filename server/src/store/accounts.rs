//! Accounts and teams as admins manage them. Writes take the caller's transaction, so
//! the audit entry describing a change commits with it.

use shared::{
    api::{auth::Role, system::DatabaseKind},
    ids::{TeamId, UserId},
};
use sqlx::{any::AnyRow, AnyConnection, Row as _};

use super::{users::NewUser, Db, IdColumn as _};

/// An account with its team and second-factor state; never its password hash.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub team_name: Option<String>,
    pub disabled: bool,
    /// While some address must wait after failed sign-ins to this account: until when
    /// (the latest such wait). The account itself is never locked.
    pub locked_until_ms: Option<i64>,
    pub must_change_password: bool,
    pub totp_enabled: bool,
    pub created_at_ms: i64,
}

/// A team with how many accounts belong to it.
#[derive(Debug, Clone)]
pub struct TeamRow {
    pub id: TeamId,
    pub name: String,
    pub members: i64,
    pub created_at_ms: i64,
}

/// `locked_until_ms` is the end of the latest wait of any address for this account
/// (`sign_in_backoff`), not a lock of the account itself.
const ACCOUNT_SELECT: &str = "SELECT u.id, u.username, u.display_name, u.role, u.team_id, \
     t.name AS team_name, u.disabled, u.must_change_password, \
     (SELECT MAX(b.blocked_until_ms) FROM sign_in_backoff b WHERE b.user_id = u.id) \
     AS locked_until_ms, u.created_at_ms, COALESCE(z.enabled, 0) AS totp_enabled \
     FROM users u LEFT JOIN teams t ON t.id = u.team_id \
     LEFT JOIN user_totp z ON z.user_id = u.id";

const TEAM_SELECT: &str = "SELECT t.id, t.name, t.created_at_ms, \
     (SELECT COUNT(*) FROM users u WHERE u.team_id = t.id) AS members FROM teams t";

fn account_from(row: &AnyRow) -> Result<AccountRow, sqlx::Error> {
    Ok(AccountRow {
        id: row.id("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: super::role_column(row)?,
        team_id: row.id_opt("team_id")?,
        team_name: row.try_get("team_name")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        locked_until_ms: row
            .try_get::<Option<i64>, _>("locked_until_ms")?
            .filter(|until| *until > super::now_ms()),
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        totp_enabled: row.try_get::<i64, _>("totp_enabled")? != 0,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn team_from(row: &AnyRow) -> Result<TeamRow, sqlx::Error> {
    Ok(TeamRow {
        id: row.id("id")?,
        name: row.try_get("name")?,
        members: row.try_get("members")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

/// True for a unique-constraint violation (a name taken by a concurrent writer).
#[must_use]
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// One account, read on `conn`.
pub async fn account_on(
    conn: &mut AnyConnection,
    id: UserId,
) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query(&format!("{ACCOUNT_SELECT} WHERE u.id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(account_from)
        .transpose()
}

/// Inserts an account in `team_id`; `Ok(false)` when the user name is taken.
pub async fn insert_account(
    conn: &mut AnyConnection,
    user: &NewUser<'_>,
    team_id: Option<TeamId>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO users (id, username, display_name, role, password_hash, \
         must_change_password, disabled, failed_logins, created_at_ms, updated_at_ms, team_id) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7, $7, $8) ON CONFLICT (username) DO NOTHING",
    )
    .bind(user.id.to_string())
    .bind(user.username)
    .bind(user.display_name)
    .bind(user.role.as_str())
    .bind(user.password_hash)
    .bind(i64::from(user.must_change_password))
    .bind(now)
    .bind(team_id.map(|id| id.to_string()))
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Sets an account's display name, role and team.
pub async fn update_account(
    conn: &mut AnyConnection,
    id: UserId,
    display_name: &str,
    role: Role,
    team_id: Option<TeamId>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET display_name = $2, role = $3, team_id = $4, updated_at_ms = $5 \
         WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(display_name)
    .bind(role.as_str())
    .bind(team_id.map(|id| id.to_string()))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes every session of a user; returns how many there were.
pub async fn end_sessions(conn: &mut AnyConnection, user_id: UserId) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id.to_string())
        .execute(&mut *conn)
        .await?
        .rows_affected())
}

/// Disables or enables an account.
pub async fn set_disabled(
    conn: &mut AnyConnection,
    id: UserId,
    disabled: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET disabled = $2, updated_at_ms = $3 WHERE id = $1")
        .bind(id.to_string())
        .bind(i64::from(disabled))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Gives an account a new one-time password hash and forgets its failed sign-ins, so
/// that no address waits any more (see `auth::backoff`).
pub async fn reset_password(
    conn: &mut AnyConnection,
    id: UserId,
    password_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET password_hash = $2, must_change_password = 1, updated_at_ms = $3 \
         WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(password_hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM sign_in_backoff WHERE user_id = $1")
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The ids of every enabled admin. On PostgreSQL their rows stay locked until the
/// transaction ends, so two admins demoting or disabling each other at the same moment
/// cannot both succeed; SQLite's write transactions (`BEGIN IMMEDIATE`) already run one
/// at a time.
pub async fn enabled_admins(
    conn: &mut AnyConnection,
    kind: DatabaseKind,
) -> Result<Vec<UserId>, sqlx::Error> {
    let lock = match kind {
        DatabaseKind::Postgres => " FOR UPDATE",
        DatabaseKind::Sqlite => "",
    };
    let ids: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT id FROM users WHERE role = 'admin' AND disabled = 0 ORDER BY id{lock}"
    ))
    .fetch_all(&mut *conn)
    .await?;
    ids.iter().map(|raw| super::decode_id("id", raw)).collect()
}

/// One team, read on `conn`.
pub async fn team_on(conn: &mut AnyConnection, id: TeamId) -> Result<Option<TeamRow>, sqlx::Error> {
    sqlx::query(&format!("{TEAM_SELECT} WHERE t.id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(team_from)
        .transpose()
}

/// Inserts a team; `Ok(false)` when the name is taken.
pub async fn insert_team(
    conn: &mut AnyConnection,
    id: TeamId,
    name: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO teams (id, name, created_at_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(name)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// True when another team than `except_id` has `name`.
pub async fn team_name_taken(
    conn: &mut AnyConnection,
    name: &str,
    except_id: TeamId,
) -> Result<bool, sqlx::Error> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM teams WHERE name = $1 AND id <> $2")
            .bind(name)
            .bind(except_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(found.is_some())
}

/// Renames a team (a concurrent rename to the same name fails as a unique violation).
pub async fn rename_team(
    conn: &mut AnyConnection,
    id: TeamId,
    name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE teams SET name = $2 WHERE id = $1")
        .bind(id.to_string())
        .bind(name)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Db {
    /// Every account, by user name.
    pub async fn accounts(&self) -> Result<Vec<AccountRow>, sqlx::Error> {
        sqlx::query(&format!("{ACCOUNT_SELECT} ORDER BY u.username"))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(account_from)
            .collect()
    }

    /// Every team, by name.
    pub async fn teams(&self) -> Result<Vec<TeamRow>, sqlx::Error> {
        sqlx::query(&format!("{TEAM_SELECT} ORDER BY t.name"))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(team_from)
            .collect()
    }
}
