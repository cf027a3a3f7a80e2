//! The server's ed25519 signing keys: created on first start, sealed under the master
//! key in the database (so every replica signs with the same key), published with
//! their ids, and kept after rotation so old signatures stay verifiable.

use std::sync::Arc;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use ed25519_dalek::{Signer as _, SigningKey};
use sha2::{Digest as _, Sha256};
use shared::consent::{b64, PublishedKey, PublishedKeySet};

use crate::{
    crypto::{DataKey, KeyWrapper},
    store::{now_ms, Db},
};

/// The key that signs now, and every key ever published.
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

impl SigningKeys {
    /// Loads the newest unretired key, creating one when there is none.
    pub async fn load_or_create(db: &Db, master: &dyn KeyWrapper) -> anyhow::Result<Arc<Self>> {
        let mut rows = db.server_keys().await?;
        if !rows.iter().any(|r| r.retired_at_ms.is_none()) {
            create_key(db, master).await?;
            rows = db.server_keys().await?;
        }
        let current = rows
            .iter()
            .filter(|r| r.retired_at_ms.is_none())
            .max_by_key(|r| (r.created_at_ms, r.key_id.clone()))
            .ok_or_else(|| anyhow::anyhow!("no active signing key after creating one"))?;
        let sealed = URL_SAFE_NO_PAD.decode(&current.secret_sealed)?;
        let secret = master
            .unwrap(&sealed, seal_context(&current.key_id).as_bytes())
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot open signing key {}: {e} (is this the right master key?)",
                    current.key_id
                )
            })?;
        let signing = SigningKey::from_bytes(secret.as_bytes());
        if b64(signing.verifying_key().as_bytes()) != current.public_key {
            anyhow::bail!(
                "signing key {} does not match its public key",
                current.key_id
            );
        }
        Ok(Arc::new(Self {
            current_id: current.key_id.clone(),
            current: signing,
            published: PublishedKeySet {
                keys: rows
                    .into_iter()
                    .map(|r| PublishedKey {
                        key_id: r.key_id,
                        public_key: r.public_key,
                        created_at_ms: r.created_at_ms,
                        retired_at_ms: r.retired_at_ms,
                    })
                    .collect(),
            },
        }))
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

pub(crate) async fn create_key(db: &Db, master: &dyn KeyWrapper) -> anyhow::Result<String> {
    let secret = DataKey::generate();
    let signing = SigningKey::from_bytes(secret.as_bytes());
    let public = signing.verifying_key().to_bytes();
    let key_id = key_id_of(&public);
    let wrapped = secret.wrap(master, &seal_context(&key_id));
    db.insert_server_key(
        &key_id,
        &b64(&public),
        &URL_SAFE_NO_PAD.encode(&wrapped.bytes),
        &wrapped.master_key_id,
        now_ms(),
    )
    .await?;
    tracing::info!(key_id = %key_id, "created a server signing key");
    Ok(key_id)
}
