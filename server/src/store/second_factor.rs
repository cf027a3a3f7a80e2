//! Second factors (TOTP secrets, sealed) and the per-address record of failed sign-ins.

use sqlx::{AnyConnection, Row as _};

use super::Db;

/// A user's TOTP secret as stored: wrapped by the master key, never in clear.
#[derive(Clone)]
pub struct TotpRow {
    /// Base64url of the wrapped secret.
    pub secret_wrapped: String,
    /// False while set up but not yet confirmed with a code.
    pub enabled: bool,
    /// The newest step whose code was accepted.
    pub last_used_step: Option<i64>,
}

impl std::fmt::Debug for TotpRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpRow")
            .field("enabled", &self.enabled)
            .field("last_used_step", &self.last_used_step)
            .finish_non_exhaustive()
    }
}

/// Stores a new, unconfirmed secret for `user_id`, replacing an unconfirmed one.
/// `Ok(false)` when the user already has a confirmed second factor.
pub async fn put_pending_totp(
    conn: &mut AnyConnection,
    user_id: &str,
    secret_wrapped: &str,
    master_key_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO user_totp (user_id, secret_wrapped, master_key_id, enabled, \
         last_used_step, created_at_ms) VALUES ($1, $2, $3, 0, NULL, $4) \
         ON CONFLICT (user_id) DO UPDATE SET secret_wrapped = excluded.secret_wrapped, \
         master_key_id = excluded.master_key_id, last_used_step = NULL, \
         created_at_ms = excluded.created_at_ms WHERE user_totp.enabled = 0",
    )
    .bind(user_id)
    .bind(secret_wrapped)
    .bind(master_key_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Confirms the pending secret, remembering `step` as used; `false` if there was none.
pub async fn enable_totp(
    conn: &mut AnyConnection,
    user_id: &str,
    step: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE user_totp SET enabled = 1, last_used_step = $2, enabled_at_ms = $3 \
         WHERE user_id = $1 AND enabled = 0",
    )
    .bind(user_id)
    .bind(step)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Removes a confirmed second factor if `step` is newer than the last one used (so the
/// code that proves it was never used before); `false` otherwise.
pub async fn delete_totp_with_step(
    conn: &mut AnyConnection,
    user_id: &str,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "DELETE FROM user_totp WHERE user_id = $1 AND enabled = 1 \
         AND (last_used_step IS NULL OR last_used_step < $2)",
    )
    .bind(user_id)
    .bind(step)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Removes any second factor of `user_id` (an admin's password reset); `true` if one
/// was confirmed.
pub async fn delete_totp(conn: &mut AnyConnection, user_id: &str) -> Result<bool, sqlx::Error> {
    let enabled: Option<i64> =
        sqlx::query_scalar("DELETE FROM user_totp WHERE user_id = $1 RETURNING enabled")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(enabled == Some(1))
}

impl Db {
    /// The user's TOTP secret, confirmed or not.
    pub async fn totp(&self, user_id: &str) -> Result<Option<TotpRow>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT secret_wrapped, enabled, last_used_step FROM user_totp WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(TotpRow {
                secret_wrapped: row.try_get("secret_wrapped")?,
                enabled: row.try_get::<i64, _>("enabled")? != 0,
                last_used_step: row.try_get("last_used_step")?,
            })
        })
        .transpose()
    }

    /// Marks `step` used if it is newer than the last step used: `false` when the code
    /// was already used (or an older one was), so each code signs in at most once, even
    /// when two replicas check it at the same moment.
    pub async fn accept_totp_step(&self, user_id: &str, step: i64) -> Result<bool, sqlx::Error> {
        let result = sqlx::query(
            "UPDATE user_totp SET last_used_step = $2 WHERE user_id = $1 AND enabled = 1 \
             AND (last_used_step IS NULL OR last_used_step < $2)",
        )
        .bind(user_id)
        .bind(step)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// How many sign-ins from `ip` failed since `since_ms`, and when the oldest of them was.
    pub async fn sign_in_failures_since(
        &self,
        ip: &str,
        since_ms: i64,
    ) -> Result<(i64, Option<i64>), sqlx::Error> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS failures, MIN(at_ms) AS oldest FROM sign_in_failures \
             WHERE ip = $1 AND at_ms > $2",
        )
        .bind(ip)
        .bind(since_ms)
        .fetch_one(self.pool())
        .await?;
        Ok((row.try_get("failures")?, row.try_get("oldest")?))
    }

    /// Notes a failed sign-in from `ip` and forgets every failure before `forget_before_ms`.
    pub async fn record_sign_in_failure(
        &self,
        ip: &str,
        now: i64,
        forget_before_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE at_ms <= $1")
            .bind(forget_before_ms)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sign_in_failures (id, ip, at_ms) VALUES ($1, $2, $3)")
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(ip)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }
}
