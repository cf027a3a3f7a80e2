//! The root of purpose-bound subkeys (blind indexes, withdrawal tokens).
//!
//! It is a random secret made at first start and stored wrapped under the master key,
//! so that rotating the master key only re-wraps it: blind indexes and customers'
//! withdrawal links stay valid.

use std::{collections::HashMap, sync::RwLock};

use hkdf::Hkdf;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{DataKey, KeyWrapper};
use crate::store::{now_ms, Db};

/// The name of the stored secret.
const NAME: &str = "subkey-root";

/// The secret subkeys are derived from.
pub struct SubkeyRoot {
    root: Zeroizing<[u8; 32]>,
    /// HMAC keyed with each purpose's subkey, made on first use, so that blind indexes
    /// and withdrawal tokens do not derive a subkey and key an HMAC on every call.
    macs: RwLock<HashMap<String, Hmac<Sha256>>>,
}

impl std::fmt::Debug for SubkeyRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SubkeyRoot(..)")
    }
}

impl SubkeyRoot {
    /// A root from known bytes (tests).
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            root: Zeroizing::new(bytes),
            macs: RwLock::default(),
        }
    }

    /// Loads the stored root, creating it on first start.
    pub async fn load_or_create(db: &Db, master: &dyn KeyWrapper) -> anyhow::Result<Self> {
        use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
        let context = format!("wrapped-secret:{NAME}");
        if db.wrapped_secret(NAME).await?.is_none() {
            let secret = DataKey::generate();
            let wrapped = secret.wrap(master, &context);
            db.insert_wrapped_secret(
                NAME,
                &URL_SAFE_NO_PAD.encode(&wrapped.bytes),
                &wrapped.master_key_id,
                now_ms(),
            )
            .await?;
        }
        let stored = db
            .wrapped_secret(NAME)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the subkey root vanished after it was created"))?;
        let secret = master
            .unwrap(&URL_SAFE_NO_PAD.decode(stored)?, context.as_bytes())
            .map_err(|e| {
                anyhow::anyhow!("cannot open the subkey root: {e} (is this the right master key?)")
            })?;
        Ok(Self::from_bytes(*secret.as_bytes()))
    }

    /// HMAC-SHA-256 keyed with the subkey for `purpose`, ready for its message.
    #[must_use]
    pub fn mac(&self, purpose: &str) -> Hmac<Sha256> {
        if let Some(mac) = self
            .macs
            .read()
            .ok()
            .and_then(|macs| macs.get(purpose).cloned())
        {
            return mac;
        }
        let key = self.derive(purpose);
        let mac = <Hmac<Sha256>>::new_from_slice(key.as_ref())
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        if let Ok(mut macs) = self.macs.write() {
            macs.insert(purpose.to_owned(), mac.clone());
        }
        mac
    }

    /// A 32-byte subkey for one purpose.
    #[must_use]
    pub fn derive(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        let hk = Hkdf::<Sha256>::new(Some(b"consentry-subkey-v1"), self.root.as_ref());
        let mut out = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's 8160-byte limit.
        let _ = hk.expand(purpose.as_bytes(), out.as_mut());
        out
    }
}
