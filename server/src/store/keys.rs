//! Server signing keys in the database.

use shared::api::system::DatabaseKind;
use sqlx::{AnyConnection, Row as _};

use super::Db;

/// A stored signing key (its secret sealed under the master key).
pub struct ServerKeyRow {
    pub key_id: String,
    pub public_key: String,
    pub secret_sealed: String,
    pub created_at_ms: i64,
    pub retired_at_ms: Option<i64>,
}

impl Db {
    pub async fn server_keys(&self) -> Result<Vec<ServerKeyRow>, sqlx::Error> {
        sqlx::query(
            "SELECT key_id, public_key, secret_sealed, created_at_ms, retired_at_ms \
             FROM server_keys ORDER BY created_at_ms, key_id",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(ServerKeyRow {
                key_id: row.try_get("key_id")?,
                public_key: row.try_get("public_key")?,
                secret_sealed: row.try_get("secret_sealed")?,
                created_at_ms: row.try_get("created_at_ms")?,
                retired_at_ms: row.try_get("retired_at_ms")?,
            })
        })
        .collect()
    }
}

/// A new signing key to store (its secret sealed under the master key).
pub struct NewServerKey<'a> {
    pub key_id: &'a str,
    pub public_key: &'a str,
    pub secret_sealed: &'a str,
    pub master_key_id: &'a str,
    pub created_at_ms: i64,
}

/// The advisory lock a change to the set of signing keys takes on PostgreSQL (the
/// bytes of `"csnkeys1"`).
const SIGNING_KEYS_LOCK: i64 = 0x6373_6e6b_6579_7331;

impl Db {
    /// Starts a write transaction that changes the set of signing keys; such
    /// transactions run one at a time across every server: on PostgreSQL under an
    /// advisory lock held until it ends, on SQLite under the write lock `begin_write`
    /// takes (`BEGIN IMMEDIATE`, which also holds off other processes on the file).
    /// What it reads is therefore what it changes: two servers cannot both find no key
    /// and each make one.
    pub async fn begin_key_change(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        if self.kind() == DatabaseKind::Postgres {
            // From a function in FROM, so that no `void` column comes back (which the
            // `Any` driver cannot decode).
            sqlx::query("SELECT 1 AS locked FROM pg_advisory_xact_lock($1)")
                .bind(SIGNING_KEYS_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }
}

/// The ids of the keys not retired (one, but for a database changed by hand).
pub async fn active_server_key_ids(conn: &mut AnyConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT key_id FROM server_keys WHERE retired_at_ms IS NULL ORDER BY key_id")
        .fetch_all(conn)
        .await
}

/// Retires every key not retired yet, as of `at_ms`.
pub async fn retire_active_server_keys(
    conn: &mut AnyConnection,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE server_keys SET retired_at_ms = $1 WHERE retired_at_ms IS NULL")
        .bind(at_ms)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_server_key(
    conn: &mut AnyConnection,
    key: &NewServerKey<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO server_keys (key_id, public_key, secret_sealed, master_key_id, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key_id) DO NOTHING",
    )
    .bind(key.key_id)
    .bind(key.public_key)
    .bind(key.secret_sealed)
    .bind(key.master_key_id)
    .bind(key.created_at_ms)
    .execute(conn)
    .await?;
    Ok(())
}

impl Db {
    /// A wrapped secret by name.
    pub async fn wrapped_secret(&self, name: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT sealed FROM wrapped_secrets WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await
    }

    pub async fn insert_wrapped_secret(
        &self,
        name: &str,
        sealed: &str,
        master_key_id: &str,
        created_at_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO wrapped_secrets (name, sealed, master_key_id, created_at_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(sealed)
        .bind(master_key_id)
        .bind(created_at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
