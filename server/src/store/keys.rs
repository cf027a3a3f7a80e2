//! Server signing keys in the database.

use sqlx::Row as _;

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

    pub async fn retire_server_key(&self, key_id: &str, at_ms: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE server_keys SET retired_at_ms = $2 WHERE key_id = $1 AND retired_at_ms IS NULL",
        )
        .bind(key_id)
        .bind(at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn insert_server_key(
        &self,
        key_id: &str,
        public_key: &str,
        secret_sealed: &str,
        master_key_id: &str,
        created_at_ms: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO server_keys (key_id, public_key, secret_sealed, master_key_id, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key_id) DO NOTHING",
        )
        .bind(key_id)
        .bind(public_key)
        .bind(secret_sealed)
        .bind(master_key_id)
        .bind(created_at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }
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
