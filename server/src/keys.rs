//! The server's ed25519 signing keys: sealed under the master key in the database, so
//! that every replica signs with the same key, published with their ids, and kept after
//! rotation so that old signatures stay verifiable.
//!
//! The first key is made under a lock (`Db::begin_key_change`), so replicas starting
//! together on an empty database make one between them. A server does not read the keys
//! once for good: its [`KeyRing`] reads them again every few seconds and whenever it
//! meets a key id it does not know, so a rotation or another replica's key reaches it
//! without a restart.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc, PoisonError, RwLock,
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use ed25519_dalek::{Signer as _, SigningKey};
use sha2::{Digest as _, Sha256};
use shared::consent::{b64, PublishedKey, PublishedKeySet};
use sqlx::AnyConnection;

use crate::{
    crypto::{DataKey, KeyWrapper},
    store::{
        keys::{active_server_key_ids, insert_server_key, NewServerKey, ServerKeyRow},
        now_ms, Db,
    },
};

/// Why the signing keys could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or store the signing keys")]
    Database(#[from] sqlx::Error),
    #[error("cannot open signing key {key_id}: {cause} (is this the right master key?)")]
    Unopenable { key_id: String, cause: String },
    #[error("signing key {0} does not match its public key")]
    Mismatch(String),
    #[error("no signing key is active after making one")]
    NoActiveKey,
}

impl From<KeyError> for crate::error::AppError {
    fn from(e: KeyError) -> Self {
        // A database that is gone or busy stays a 503: its error is in the chain.
        Self::internal("reading the signing keys", e)
    }
}

/// The key that signs now, and every key ever published: one reading of the database.
/// Take one [`KeyRing::snapshot`] per operation, so that a signature and the key id
/// written beside it come from the same reading.
pub struct SigningKeys {
    current_id: String,
    current: SigningKey,
    published: PublishedKeySet,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("current_id", &self.current_id)
            .finish_non_exhaustive()
    }
}

fn key_id_of(public: &[u8; 32]) -> String {
    format!("k-{}", &hex::encode(Sha256::digest(public))[..16])
}

fn seal_context(key_id: &str) -> String {
    format!("server-signing-key:{key_id}")
}

fn published_of(rows: &[ServerKeyRow]) -> PublishedKeySet {
    PublishedKeySet {
        keys: rows
            .iter()
            .map(|r| PublishedKey {
                key_id: r.key_id.clone(),
                public_key: r.public_key.clone(),
                created_at_ms: r.created_at_ms,
                retired_at_ms: r.retired_at_ms,
            })
            .collect(),
    }
}

impl SigningKeys {
    /// Opens the newest unretired key of `rows` (by creation time, then id, so every
    /// replica picks the same) and publishes them all.
    fn open(rows: &[ServerKeyRow], master: &dyn KeyWrapper) -> Result<Self, KeyError> {
        let current = rows
            .iter()
            .filter(|r| r.retired_at_ms.is_none())
            .max_by_key(|r| (r.created_at_ms, r.key_id.as_str()))
            .ok_or(KeyError::NoActiveKey)?;
        let unopenable = |cause: String| KeyError::Unopenable {
            key_id: current.key_id.clone(),
            cause,
        };
        let sealed = URL_SAFE_NO_PAD
            .decode(&current.secret_sealed)
            .map_err(|e| unopenable(e.to_string()))?;
        let secret = master
            .unwrap(&sealed, seal_context(&current.key_id).as_bytes())
            .map_err(|e| unopenable(e.to_string()))?;
        let signing = SigningKey::from_bytes(secret.as_bytes());
        if b64(signing.verifying_key().as_bytes()) != current.public_key {
            return Err(KeyError::Mismatch(current.key_id.clone()));
        }
        Ok(Self {
            current_id: current.key_id.clone(),
            current: signing,
            published: published_of(rows),
        })
    }

    #[must_use]
    pub fn current_id(&self) -> &str {
        &self.current_id
    }

    /// The key that signs now.
    #[must_use]
    pub fn current(&self) -> &SigningKey {
        &self.current
    }

    /// Signs bytes with the current key; returns the signature, base64url.
    #[must_use]
    pub fn sign(&self, bytes: &[u8]) -> String {
        b64(&self.current.sign(bytes).to_bytes())
    }

    /// Every key, current and retired, as published.
    #[must_use]
    pub fn published(&self) -> &PublishedKeySet {
        &self.published
    }
}

/// The stored keys, with one active: made now (under the key lock) if there is none.
async fn rows_with_an_active_key(
    db: &Db,
    master: &dyn KeyWrapper,
) -> Result<Vec<ServerKeyRow>, KeyError> {
    let rows = db.server_keys().await?;
    if rows.iter().any(|r| r.retired_at_ms.is_none()) {
        return Ok(rows);
    }
    let mut tx = db.begin_key_change().await?;
    // Another server may have made it while this one waited for the lock.
    if active_server_key_ids(&mut tx).await?.is_empty() {
        add_key(&mut tx, master, now_ms()).await?;
    }
    tx.commit().await?;
    Ok(db.server_keys().await?)
}

/// Makes a key, stores it sealed under the master key on `conn` (inside a transaction
/// from `Db::begin_key_change`), and returns its id.
pub(crate) async fn add_key(
    conn: &mut AnyConnection,
    master: &dyn KeyWrapper,
    created_at_ms: i64,
) -> Result<String, sqlx::Error> {
    let secret = DataKey::generate();
    let signing = SigningKey::from_bytes(secret.as_bytes());
    let public = signing.verifying_key().to_bytes();
    let key_id = key_id_of(&public);
    let wrapped = secret.wrap(master, &seal_context(&key_id));
    insert_server_key(
        conn,
        &NewServerKey {
            key_id: &key_id,
            public_key: &b64(&public),
            secret_sealed: &URL_SAFE_NO_PAD.encode(&wrapped.bytes),
            master_key_id: &wrapped.master_key_id,
            created_at_ms,
        },
    )
    .await?;
    tracing::info!(key_id = %key_id, "created a server signing key");
    Ok(key_id)
}

/// A server's signing keys, read from the database at start and again every few
/// seconds ([`KeyRing::spawn_refresher`]) and when a key id is not among them
/// ([`KeyRing::knowing`]).
pub struct KeyRing {
    db: Db,
    master: Arc<dyn KeyWrapper>,
    keys: RwLock<Arc<SigningKeys>>,
    /// One reading at a time, so that many requests meeting the same unknown key id
    /// read the database once.
    reading: tokio::sync::Mutex<()>,
    /// Readings begun (each under `reading`).
    readings: AtomicU64,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("keys", &self.snapshot())
            .finish_non_exhaustive()
    }
}

impl KeyRing {
    /// Reads the keys, making the first one if there is none.
    pub async fn load(db: Db, master: Arc<dyn KeyWrapper>) -> Result<Self, KeyError> {
        let rows = rows_with_an_active_key(&db, master.as_ref()).await?;
        let keys = SigningKeys::open(&rows, master.as_ref())?;
        Ok(Self {
            db,
            master,
            keys: RwLock::new(Arc::new(keys)),
            reading: tokio::sync::Mutex::new(()),
            readings: AtomicU64::new(0),
        })
    }

    /// The keys as last read.
    #[must_use]
    pub fn snapshot(&self) -> Arc<SigningKeys> {
        Arc::clone(&self.keys.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Reads the keys again; true when they changed (a key added or retired). Until
    /// they do, the current key is not opened again.
    pub async fn refresh(&self) -> Result<bool, KeyError> {
        let _one = self.reading.lock().await;
        self.read_again().await
    }

    /// The keys, read again first when `key_id` is not among them (a key another
    /// replica made since this server last read them). Requests that meet an unknown
    /// id together share one reading.
    pub async fn knowing(&self, key_id: &str) -> Result<Arc<SigningKeys>, KeyError> {
        let keys = self.snapshot();
        if keys.published().find(key_id).is_some() {
            return Ok(keys);
        }
        let asked_after = self.readings.load(Ordering::SeqCst);
        let _one = self.reading.lock().await;
        // A reading begun since this request asked has finished: it saw the key if
        // anything could.
        if self.readings.load(Ordering::SeqCst) == asked_after {
            self.read_again().await?;
        }
        Ok(self.snapshot())
    }

    /// Under `reading`: reads the rows, and replaces the snapshot if they changed.
    async fn read_again(&self) -> Result<bool, KeyError> {
        self.readings.fetch_add(1, Ordering::SeqCst);
        let rows = rows_with_an_active_key(&self.db, self.master.as_ref()).await?;
        if published_of(&rows) == *self.snapshot().published() {
            return Ok(false);
        }
        let keys = SigningKeys::open(&rows, self.master.as_ref())?;
        tracing::info!(
            key_id = %keys.current_id,
            published = keys.published.keys.len(),
            "read changed signing keys"
        );
        *self.keys.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(keys);
        Ok(true)
    }

    /// Reads the keys again every `period` until the server stops; a failed reading
    /// keeps the keys as they were.
    #[must_use]
    pub fn spawn_refresher(
        self: Arc<Self>,
        period: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = self.refresh().await {
                    tracing::warn!(error = %e, "could not read the signing keys again");
                }
            }
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::crypto::LocalMasterKey;

    async fn database() -> (tempfile::TempDir, Db, Arc<dyn KeyWrapper>) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/k.db", dir.path().display()))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let master = crate::crypto::load_master_key(&dir.path().join("master.key")).unwrap();
        let master: Arc<dyn KeyWrapper> = Arc::new(master);
        (dir, db, master)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn servers_loading_together_make_one_key() {
        let (_dir, db, master) = database().await;
        let loads: Vec<_> = (0..8)
            .map(|_| tokio::spawn(KeyRing::load(db.clone(), master.clone())))
            .collect();
        let mut ids = Vec::new();
        for load in loads {
            ids.push(
                load.await
                    .unwrap()
                    .unwrap()
                    .snapshot()
                    .current_id()
                    .to_owned(),
            );
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "{ids:?}");
        assert_eq!(db.server_keys().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_reading_changes_the_keys_only_when_the_rows_changed() {
        let (_dir, db, master) = database().await;
        let ring = KeyRing::load(db.clone(), master.clone()).await.unwrap();
        let first = ring.snapshot();
        assert!(!ring.refresh().await.unwrap());
        assert!(Arc::ptr_eq(&first, &ring.snapshot()));

        let mut tx = db.begin_key_change().await.unwrap();
        crate::store::keys::retire_active_server_keys(&mut tx, now_ms())
            .await
            .unwrap();
        let new_id = add_key(&mut tx, master.as_ref(), now_ms()).await.unwrap();
        tx.commit().await.unwrap();

        // A snapshot taken before stays whole: old key, old id.
        assert_eq!(first.current_id(), ring.snapshot().current_id());
        let known = ring.knowing(&new_id).await.unwrap();
        assert_eq!(known.current_id(), new_id);
        assert_eq!(known.published().keys.len(), 2);
        assert!(known
            .published()
            .find(first.current_id())
            .unwrap()
            .retired_at_ms
            .is_some());
        assert!(!ring.refresh().await.unwrap());
        // An id that exists nowhere is read for, and stays unknown.
        assert!(ring
            .knowing("k-0000000000000000")
            .await
            .unwrap()
            .published()
            .find("k-0000000000000000")
            .is_none());
    }

    #[test]
    fn the_newest_unretired_key_signs() {
        let master = LocalMasterKey::from_bytes([7; 32]);
        let row = |created_at_ms, retired_at_ms| {
            let secret = DataKey::generate();
            let public = SigningKey::from_bytes(secret.as_bytes())
                .verifying_key()
                .to_bytes();
            let key_id = key_id_of(&public);
            let wrapped = secret.wrap(&master, &seal_context(&key_id));
            ServerKeyRow {
                key_id,
                public_key: b64(&public),
                secret_sealed: URL_SAFE_NO_PAD.encode(&wrapped.bytes),
                created_at_ms,
                retired_at_ms,
            }
        };
        let rows = vec![row(1, None), row(3, Some(4)), row(2, None)];
        let keys = SigningKeys::open(&rows, &master).unwrap();
        assert_eq!(keys.current_id(), rows[2].key_id);
        assert_eq!(keys.published().keys.len(), 3);
        let retired = vec![row(1, Some(2))];
        assert!(matches!(
            SigningKeys::open(&retired, &master),
            Err(KeyError::NoActiveKey)
        ));
    }
}
