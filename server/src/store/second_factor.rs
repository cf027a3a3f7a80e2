//! Second factors (TOTP secrets, sealed) and the records of failed sign-ins: per client
//! address, and per account and address (the back-off). Addresses appear here only as
//! keyed hashes (`auth::throttle::AddressKey`), never in clear.

use shared::ids::UserId;
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
    user_id: UserId,
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
    .bind(user_id.to_string())
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
    user_id: UserId,
    step: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE user_totp SET enabled = 1, last_used_step = $2, enabled_at_ms = $3 \
         WHERE user_id = $1 AND enabled = 0",
    )
    .bind(user_id.to_string())
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
    user_id: UserId,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "DELETE FROM user_totp WHERE user_id = $1 AND enabled = 1 \
         AND (last_used_step IS NULL OR last_used_step < $2)",
    )
    .bind(user_id.to_string())
    .bind(step)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Removes any second factor of `user_id` (an admin's password reset); `true` if one
/// was confirmed.
pub async fn delete_totp(conn: &mut AnyConnection, user_id: UserId) -> Result<bool, sqlx::Error> {
    let enabled: Option<i64> =
        sqlx::query_scalar("DELETE FROM user_totp WHERE user_id = $1 RETURNING enabled")
            .bind(user_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(enabled == Some(1))
}

impl Db {
    /// The user's TOTP secret, confirmed or not.
    pub async fn totp(&self, user_id: UserId) -> Result<Option<TotpRow>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT secret_wrapped, enabled, last_used_step FROM user_totp WHERE user_id = $1",
        )
        .bind(user_id.to_string())
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
    pub async fn accept_totp_step(&self, user_id: UserId, step: i64) -> Result<bool, sqlx::Error> {
        let result = sqlx::query(
            "UPDATE user_totp SET last_used_step = $2 WHERE user_id = $1 AND enabled = 1 \
             AND (last_used_step IS NULL OR last_used_step < $2)",
        )
        .bind(user_id.to_string())
        .bind(step)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// How many sign-ins from the address `address_key` failed since `since_ms`, and when
    /// the oldest of them was.
    pub async fn sign_in_failures_since(
        &self,
        address_key: &str,
        since_ms: i64,
    ) -> Result<(i64, Option<i64>), sqlx::Error> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS failures, MIN(at_ms) AS oldest FROM sign_in_address_failures \
             WHERE address_key = $1 AND at_ms > $2",
        )
        .bind(address_key)
        .bind(since_ms)
        .fetch_one(self.pool())
        .await?;
        Ok((row.try_get("failures")?, row.try_get("oldest")?))
    }

    /// Notes a failed sign-in from the address `address_key` and forgets every failure
    /// before `forget_before_ms`.
    pub async fn record_sign_in_failure(
        &self,
        address_key: &str,
        now: i64,
        forget_before_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sign_in_address_failures WHERE at_ms <= $1")
            .bind(forget_before_ms)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sign_in_address_failures (id, address_key, at_ms) VALUES ($1, $2, $3)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(address_key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// The run of failed sign-ins to `user_id` from the address `address_key`, if any.
    pub async fn backoff(
        &self,
        user_id: UserId,
        address_key: &str,
    ) -> Result<Option<BackoffRow>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT failures, blocked_until_ms FROM sign_in_backoff \
             WHERE user_id = $1 AND address_key = $2",
        )
        .bind(user_id.to_string())
        .bind(address_key)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(BackoffRow {
                failures: row.try_get("failures")?,
                blocked_until_ms: row.try_get("blocked_until_ms")?,
            })
        })
        .transpose()
    }

    /// Counts a failed sign-in to `user_id` from `address_key` and, when `wait_ms` asks
    /// for one after this many failures, makes the pair wait until `now` plus it. First
    /// forgets every pair whose last failure and wait both ended by `forget_before_ms`,
    /// so a pair that has been quiet that long starts a new run. Returns the run as it
    /// now stands.
    pub async fn record_backoff_failure(
        &self,
        user_id: UserId,
        address_key: &str,
        now: i64,
        forget_before_ms: i64,
        wait_ms: fn(i64) -> Option<i64>,
    ) -> Result<BackoffRow, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM sign_in_backoff WHERE last_failure_at_ms <= $1 \
             AND (blocked_until_ms IS NULL OR blocked_until_ms <= $1)",
        )
        .bind(forget_before_ms)
        .execute(&mut *tx)
        .await?;
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO sign_in_backoff (user_id, address_key, failures, last_failure_at_ms, \
             blocked_until_ms) VALUES ($1, $2, 1, $3, NULL) \
             ON CONFLICT (user_id, address_key) DO UPDATE SET \
             failures = sign_in_backoff.failures + 1, \
             last_failure_at_ms = excluded.last_failure_at_ms \
             RETURNING failures",
        )
        .bind(user_id.to_string())
        .bind(address_key)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let blocked_until_ms = wait_ms(failures).map(|wait| now + wait);
        if let Some(until) = blocked_until_ms {
            sqlx::query(
                "UPDATE sign_in_backoff SET blocked_until_ms = $3 \
                 WHERE user_id = $1 AND address_key = $2",
            )
            .bind(user_id.to_string())
            .bind(address_key)
            .bind(until)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(BackoffRow {
            failures,
            blocked_until_ms,
        })
    }

    /// Forgets the failures of `user_id` from `address_key` (a sign-in from there worked).
    pub async fn forget_backoff(
        &self,
        user_id: UserId,
        address_key: &str,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sign_in_backoff WHERE user_id = $1 AND address_key = $2")
            .bind(user_id.to_string())
            .bind(address_key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }
}

/// A run of failed sign-ins to one account from one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffRow {
    /// Failures since the run began.
    pub failures: i64,
    /// Until when the pair's next try is not checked, if it must wait.
    pub blocked_until_ms: Option<i64>,
}
