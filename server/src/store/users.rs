//! Accounts and sessions in the database.

use shared::{api::auth::Role, ids::UserId};
use sqlx::Row;

use super::{now_ms, Db, IdColumn as _};

/// A user account as stored.
#[derive(Clone)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub must_change_password: bool,
    pub disabled: bool,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// A new account to insert.
pub struct NewUser<'a> {
    pub id: UserId,
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

const USER_COLUMNS: &str = "id, username, display_name, role, password_hash, \
     must_change_password, disabled";

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        id: row.id("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: super::role_column(row)?,
        password_hash: row.try_get("password_hash")?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

/// A stored session joined with its user.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: UserRow,
    pub csrf_token: String,
    pub created_at_ms: i64,
    pub last_seen_ms: i64,
    pub expires_at_ms: i64,
}

impl Db {
    pub async fn count_users(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.pool())
            .await
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, sqlx::Error> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        sqlx::query(&sql)
            .bind(username)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(user_from_row)
            .transpose()
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(user_from_row)
            .transpose()
    }

    /// The user names of the accounts among `ids` (id → name); unknown ids are left out.
    pub async fn user_names(
        &self,
        ids: &[UserId],
    ) -> Result<std::collections::BTreeMap<UserId, String>, sqlx::Error> {
        let mut names = std::collections::BTreeMap::new();
        for chunk in ids.chunks(100) {
            let sql = format!(
                "SELECT id, username FROM users WHERE id IN {}",
                super::records::placeholders_for(self.kind(), 1, chunk.len())
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.to_string());
            }
            for row in query.fetch_all(self.pool()).await? {
                names.insert(row.id("id")?, row.try_get("username")?);
            }
        }
        Ok(names)
    }

    /// Inserts an account; `Ok(false)` when the user name is taken.
    pub async fn insert_user(&self, user: &NewUser<'_>) -> Result<bool, sqlx::Error> {
        let now = now_ms();
        let result = sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, \
             must_change_password, disabled, failed_logins, created_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7, $7) \
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(user.id.to_string())
        .bind(user.username)
        .bind(user.display_name)
        .bind(user.role.as_str())
        .bind(user.password_hash)
        .bind(i64::from(user.must_change_password))
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Replaces a password and ends every other session of the user.
    /// Replaces the password and every session of the account with `session`, in one
    /// transaction: whoever held a session before the change, the caller included, holds
    /// none after it (a session token seen by someone else is worth nothing).
    pub async fn set_password(
        &self,
        user_id: UserId,
        password_hash: &str,
        session: &NewSession<'_>,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $2, must_change_password = 0, updated_at_ms = $3 \
             WHERE id = $1",
        )
        .bind(user_id.to_string())
        .bind(password_hash)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await?;
        insert_session_on(&mut tx, user_id, session).await?;
        tx.commit().await
    }

    pub async fn insert_session(
        &self,
        user_id: UserId,
        session: &NewSession<'_>,
    ) -> Result<(), sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        insert_session_on(&mut conn, user_id, session).await
    }

    /// The live session with this token hash, with its user.
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<SessionRow>, sqlx::Error> {
        let sql = format!(
            "SELECT s.csrf_token, s.created_at_ms, s.last_seen_ms, s.expires_at_ms, {} \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at_ms > $2",
            USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{}", c.trim()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let Some(row) = sqlx::query(&sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(SessionRow {
            user: user_from_row(&row)?,
            csrf_token: row.try_get("csrf_token")?,
            created_at_ms: row.try_get("created_at_ms")?,
            last_seen_ms: row.try_get("last_seen_ms")?,
            expires_at_ms: row.try_get("expires_at_ms")?,
        }))
    }

    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: i64,
        expires_at_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE sessions SET last_seen_ms = $2, expires_at_ms = $3 WHERE token_hash = $1",
        )
        .bind(token_hash)
        .bind(now)
        .bind(expires_at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_expired_sessions(&self, now: i64) -> Result<u64, sqlx::Error> {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE expires_at_ms <= $1")
                .bind(now)
                .execute(self.pool())
                .await?
                .rows_affected(),
        )
    }
}

/// A session to store: the hash of its token (the token itself is only in the cookie).
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub csrf_token: &'a str,
    pub now: i64,
    pub expires_at_ms: i64,
}

async fn insert_session_on(
    conn: &mut sqlx::AnyConnection,
    user_id: UserId,
    s: &NewSession<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at_ms, last_seen_ms, \
         expires_at_ms) VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(s.token_hash)
    .bind(user_id.to_string())
    .bind(s.csrf_token)
    .bind(s.now)
    .bind(s.expires_at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
