//! `consentry rotate-master-key`: re-wraps every data key, signing key and stored secret
//! (server secrets and users' TOTP secrets) under a new master key.
//!
//! It works in small transactions and marks each row with the id of the key that wraps
//! it, so it can be interrupted at any moment and run again to finish: rows already under
//! the new key are skipped. While it runs (and until every server uses the new key),
//! start servers with `--master-key-file NEW --previous-master-key-file OLD` so that both
//! old and new rows stay readable.

use std::path::Path;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use sqlx::Row as _;

use crate::{
    audit::{self, Event},
    crypto::{load_master_key, KeyWrapper, LocalMasterKey},
    extract::Origin,
    store::{
        keys::{active_server_key_ids, retire_active_server_keys},
        now_ms, Db,
    },
};

/// How far a rotation has come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub records_done: i64,
    pub records_total: i64,
    pub keys_done: i64,
    pub secrets_done: i64,
}

/// Why a rotation stopped.
#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error("the new key is the key in use; give a different key file")]
    SameKey,
    #[error(transparent)]
    Crypto(#[from] crate::crypto::CryptoError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{what} {id} does not open with the current or previous master key")]
    Unopenable { what: &'static str, id: String },
}

fn rewrap(
    old: &dyn KeyWrapper,
    new: &LocalMasterKey,
    sealed_b64: &str,
    context: &str,
    what: &'static str,
    id: &str,
) -> Result<String, RotationError> {
    let unopenable = || RotationError::Unopenable {
        what,
        id: id.to_owned(),
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(sealed_b64)
        .map_err(|_| unopenable())?;
    let key = old
        .unwrap(&bytes, context.as_bytes())
        .map_err(|_| unopenable())?;
    Ok(URL_SAFE_NO_PAD.encode(new.wrap(&key, context.as_bytes())))
}

/// Re-wraps everything not yet under the key in `new_key_file` (created, mode 0600,
/// when missing). `old` must open what is there now. Calls `report` after each chunk;
/// when it answers `Break`, stops there (everything committed so far stays done).
pub async fn rotate(
    db: &Db,
    old: &dyn KeyWrapper,
    new_key_file: &Path,
    chunk: i64,
    mut report: impl FnMut(Progress) -> std::ops::ControlFlow<()>,
) -> Result<Progress, RotationError> {
    let new = load_master_key(new_key_file)?;
    if new.key_id() == old.key_id() {
        return Err(RotationError::SameKey);
    }
    let new_id = new.key_id().to_owned();
    let mut progress = Progress::default();

    for row in sqlx::query("SELECT name, sealed FROM wrapped_secrets WHERE master_key_id <> $1")
        .bind(&new_id)
        .fetch_all(db.pool())
        .await?
    {
        let name: String = row.try_get("name")?;
        let sealed: String = row.try_get("sealed")?;
        let rewrapped = rewrap(
            old,
            &new,
            &sealed,
            &format!("wrapped-secret:{name}"),
            "secret",
            &name,
        )?;
        sqlx::query("UPDATE wrapped_secrets SET sealed = $1, master_key_id = $2 WHERE name = $3")
            .bind(rewrapped)
            .bind(&new_id)
            .bind(&name)
            .execute(db.pool())
            .await?;
        progress.secrets_done += 1;
    }
    for row in
        sqlx::query("SELECT user_id, secret_wrapped FROM user_totp WHERE master_key_id <> $1")
            .bind(&new_id)
            .fetch_all(db.pool())
            .await?
    {
        let user_id: String = row.try_get("user_id")?;
        let sealed: String = row.try_get("secret_wrapped")?;
        let context = crate::auth::totp::context(&user_id);
        let rewrapped = rewrap(old, &new, &sealed, &context, "TOTP secret of", &user_id)?;
        sqlx::query(
            "UPDATE user_totp SET secret_wrapped = $1, master_key_id = $2 WHERE user_id = $3",
        )
        .bind(rewrapped)
        .bind(&new_id)
        .bind(&user_id)
        .execute(db.pool())
        .await?;
        progress.secrets_done += 1;
    }
    for row in
        sqlx::query("SELECT key_id, secret_sealed FROM server_keys WHERE master_key_id <> $1")
            .bind(&new_id)
            .fetch_all(db.pool())
            .await?
    {
        let id: String = row.try_get("key_id")?;
        let sealed: String = row.try_get("secret_sealed")?;
        let rewrapped = rewrap(
            old,
            &new,
            &sealed,
            &format!("server-signing-key:{id}"),
            "signing key",
            &id,
        )?;
        sqlx::query(
            "UPDATE server_keys SET secret_sealed = $1, master_key_id = $2 WHERE key_id = $3",
        )
        .bind(rewrapped)
        .bind(&new_id)
        .bind(&id)
        .execute(db.pool())
        .await?;
        progress.keys_done += 1;
    }

    progress.records_total =
        sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE master_key_id <> $1")
            .bind(&new_id)
            .fetch_one(db.pool())
            .await?;
    loop {
        let rows = sqlx::query(
            "SELECT id, wrapped_key FROM records WHERE master_key_id <> $1 ORDER BY id LIMIT $2",
        )
        .bind(&new_id)
        .bind(chunk)
        .fetch_all(db.pool())
        .await?;
        if rows.is_empty() {
            break;
        }
        let mut tx = db.begin_write().await?;
        for row in &rows {
            let id: String = row.try_get("id")?;
            let wrapped: String = row.try_get("wrapped_key")?;
            let rewrapped = rewrap(old, &new, &wrapped, &id, "record", &id)?;
            sqlx::query("UPDATE records SET wrapped_key = $1, master_key_id = $2 WHERE id = $3")
                .bind(rewrapped)
                .bind(&new_id)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        progress.records_done += i64::try_from(rows.len()).unwrap_or(0);
        if report(progress).is_break() {
            return Ok(progress);
        }
    }
    let event = Event::new("keys.rotate_master", None).details(serde_json::json!({
        "new_master_key_id": new_id,
        "records": progress.records_done,
        "signing_keys": progress.keys_done,
        "secrets": progress.secrets_done,
    }));
    audit::record_alone(db, &Origin::default(), event, None).await?;
    Ok(progress)
}

/// `consentry rotate-signing-key`: retires the signing key in use and creates a new one,
/// in one transaction under the key lock (`Db::begin_key_change`), audited there. The
/// retired key stays published, so everything it signed stays verifiable; running
/// servers sign with the new key from their next reading of the keys (every
/// `key_refresh`). Returns (retired id, new id).
pub async fn rotate_signing_key(
    db: &Db,
    master: &dyn KeyWrapper,
) -> anyhow::Result<(Option<String>, String)> {
    let now = now_ms();
    let mut tx = db.begin_key_change().await?;
    let retired = active_server_key_ids(&mut tx).await?;
    retire_active_server_keys(&mut tx, now).await?;
    let new_id = crate::keys::add_key(&mut tx, master, now).await?;
    let event = Event::new("keys.rotate_signing", None)
        .details(serde_json::json!({"retired": retired, "new_key_id": new_id}));
    audit::record(&mut tx, &Origin::default(), event).await?;
    tx.commit().await?;
    Ok((retired.into_iter().next(), new_id))
}
