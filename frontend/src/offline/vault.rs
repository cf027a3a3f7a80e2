//! The outbox sealed at rest. Records collected on a phone hold personal and sensitive
//! answers; a lost or shared phone must not give them away. Every outbox and synced
//! entry is stored sealed (XChaCha20-Poly1305) under a random key made on this browser
//! for its user, the *vault key*. The vault key itself is stored only wrapped, twice:
//!
//! - under the server's share for the device ([`shared::api::sync::OutboxKey`]), which
//!   only the device's owner gets, signed in and online, and never once the device is
//!   revoked: opening the console online needs nothing typed;
//! - under a key derived with Argon2id from the password the user last signed in with
//!   here: opening it offline needs that password.
//!
//! The vault key lives in memory only while the console is open. Only what a locked
//! console needs to count and keep forms stays in the clear beside each sealed entry:
//! the user's id and the record's form and version.

use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use shared::consent::{b64, b64_decode};
use zeroize::Zeroizing;

use super::idb::{self, Change, StoreError, KV};

/// Argon2id cost for the password key (OWASP's first recommendation: 19 MiB, 2 passes).
const PASSWORD_COST: Cost = Cost {
    m_kib: 19 * 1024,
    t: 2,
    p: 1,
};

const NONCE: usize = 24;

/// Held while a vault is looked up, opened or made: reloads race, and two vaults made
/// for one user would leave records sealed under a key no lock holds.
pub static OPENING: futures_util::lock::Mutex<()> = futures_util::lock::Mutex::new(());

/// The Argon2id parameters a password wrap was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cost {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

/// The vault key wrapped under a key derived from a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordWrap {
    pub salt: String,
    pub cost: Cost,
    pub sealed: String,
}

/// How this browser keeps one user's vault key: wrapped under the server's share for
/// `device_id`, and under their password once they have signed in with it here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    pub user_id: String,
    pub device_id: String,
    pub by_server: String,
    pub by_password: Option<PasswordWrap>,
}

/// The open vault: the user's vault key, in memory.
#[derive(Clone)]
pub struct Vault {
    user_id: String,
    key: Arc<Zeroizing<[u8; 32]>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Vault {
    fn eq(&self, other: &Self) -> bool {
        self.user_id == other.user_id && self.key == other.key
    }
}

/// An outbox or synced entry as stored: who it belongs to and, for the outbox, the form
/// version it waits on, in the clear; the entry itself sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedRow {
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<(String, i64)>,
    pub sealed: String,
}

/// A stored entry: sealed, or in the clear as versions before the vault wrote it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Stored<T> {
    Sealed(SealedRow),
    Plain(T),
}

fn seal(key: &[u8; 32], aad: &str, plaintext: &[u8]) -> Result<String, StoreError> {
    let nonce = crate::embed::submission::random::<NONCE>().ok_or(StoreError::Unavailable)?;
    let cipher = XChaCha20Poly1305::new(key.into());
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| StoreError::Corrupt)?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(b64(&out))
}

fn open(key: &[u8; 32], aad: &str, text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let bytes = b64_decode(text)?;
    if bytes.len() < NONCE {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(NONCE);
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: aad.as_bytes(),
            },
        )
        .ok()
        .map(Zeroizing::new)
}

fn key_of(bytes: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
    <[u8; 32]>::try_from(bytes).ok().map(Zeroizing::new)
}

fn password_key(password: &str, salt: &[u8], cost: Cost) -> Option<Zeroizing<[u8; 32]>> {
    let params = Params::new(cost.m_kib, cost.t, cost.p, Some(32)).ok()?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, out.as_mut())
        .ok()?;
    Some(out)
}

impl Lock {
    fn aad(user_id: &str, device_id: &str, by: &str) -> String {
        format!("consentry-vault-key/v1|{user_id}|{device_id}|{by}")
    }

    /// A new vault for `user_id`, its key wrapped under the server's `share` for
    /// `device_id`.
    pub fn create(
        user_id: &str,
        device_id: &str,
        share: &str,
    ) -> Result<(Self, Vault), StoreError> {
        let key = crate::embed::submission::random::<32>().ok_or(StoreError::Unavailable)?;
        let vault = Vault {
            user_id: user_id.to_owned(),
            key: Arc::new(Zeroizing::new(key)),
        };
        let mut lock = Self {
            user_id: user_id.to_owned(),
            device_id: device_id.to_owned(),
            by_server: String::new(),
            by_password: None,
        };
        lock.wrap_for_device(&vault, device_id, share)?;
        Ok((lock, vault))
    }

    /// Opens the vault with the server's share; `None` when it is not the share this
    /// lock was made with (another device, another server).
    #[must_use]
    pub fn open_with_share(&self, share: &str) -> Option<Vault> {
        let wrapping = key_of(&b64_decode(share)?)?;
        let aad = Self::aad(&self.user_id, &self.device_id, "server");
        self.vault(&open(&wrapping, &aad, &self.by_server)?)
    }

    /// Opens the vault with the user's password; `None` when it is not the password the
    /// lock was last wrapped under (or none was).
    #[must_use]
    pub fn open_with_password(&self, password: &str) -> Option<Vault> {
        let wrap = self.by_password.as_ref()?;
        let wrapping = password_key(password, &b64_decode(&wrap.salt)?, wrap.cost)?;
        let aad = Self::aad(&self.user_id, "", "password");
        self.vault(&open(&wrapping, &aad, &wrap.sealed)?)
    }

    fn vault(&self, key: &[u8]) -> Option<Vault> {
        Some(Vault {
            user_id: self.user_id.clone(),
            key: Arc::new(key_of(key)?),
        })
    }

    /// Wraps the open `vault`'s key under `password` (with a fresh salt), replacing the
    /// previous password's wrap.
    pub fn wrap_for_password(&mut self, vault: &Vault, password: &str) -> Result<(), StoreError> {
        self.wrap_for_password_at(vault, password, PASSWORD_COST)
    }

    fn wrap_for_password_at(
        &mut self,
        vault: &Vault,
        password: &str,
        cost: Cost,
    ) -> Result<(), StoreError> {
        let salt = crate::embed::submission::random::<16>().ok_or(StoreError::Unavailable)?;
        let wrapping = password_key(password, &salt, cost).ok_or(StoreError::Corrupt)?;
        let aad = Self::aad(&self.user_id, "", "password");
        self.by_password = Some(PasswordWrap {
            salt: b64(&salt),
            cost,
            sealed: seal(&wrapping, &aad, vault.key.as_slice())?,
        });
        Ok(())
    }

    /// Wraps the open `vault`'s key under the server's `share` for `device_id` (a device
    /// registered anew after its key was renewed).
    pub fn wrap_for_device(
        &mut self,
        vault: &Vault,
        device_id: &str,
        share: &str,
    ) -> Result<(), StoreError> {
        let wrapping = b64_decode(share)
            .and_then(|b| key_of(&b))
            .ok_or(StoreError::Corrupt)?;
        self.device_id = device_id.to_owned();
        let aad = Self::aad(&self.user_id, device_id, "server");
        self.by_server = seal(&wrapping, &aad, vault.key.as_slice())?;
        Ok(())
    }
}

impl Vault {
    /// Whose vault this is.
    #[must_use]
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    fn aad(&self, store: &str, id: &str) -> String {
        format!("consentry-vault/v1|{}|{store}|{id}", self.user_id)
    }

    /// A secret (such as the device's signing key) sealed as `what`.
    pub fn seal_secret(&self, what: &str, secret: &[u8]) -> Result<String, StoreError> {
        seal(&self.key, &self.aad("secret", what), secret)
    }

    /// A secret [`Vault::seal_secret`] sealed as `what`.
    #[must_use]
    pub fn open_secret(&self, what: &str, sealed: &str) -> Option<Zeroizing<Vec<u8>>> {
        open(&self.key, &self.aad("secret", what), sealed)
    }

    /// `value` sealed for `store` under `id`, with the form it waits on, if any.
    pub fn seal_row<T: Serialize>(
        &self,
        store: &str,
        id: &str,
        value: &T,
        form: Option<(String, i64)>,
    ) -> Result<SealedRow, StoreError> {
        let json = Zeroizing::new(serde_json::to_vec(value).map_err(|_| StoreError::Corrupt)?);
        Ok(SealedRow {
            user_id: self.user_id.clone(),
            form,
            sealed: seal(&self.key, &self.aad(store, id), &json)?,
        })
    }

    /// Opens a row of `store` stored under `id`; `None` for another user's row.
    pub fn open_row<T: DeserializeOwned>(
        &self,
        store: &str,
        id: &str,
        row: &SealedRow,
    ) -> Result<Option<T>, StoreError> {
        if row.user_id != self.user_id {
            return Ok(None);
        }
        let json = open(&self.key, &self.aad(store, id), &row.sealed).ok_or(StoreError::Corrupt)?;
        serde_json::from_slice(&json)
            .map(Some)
            .map_err(|_| StoreError::Corrupt)
    }

    /// A change that puts `value` sealed under `id`.
    pub fn put<T: Serialize>(
        &self,
        store: &'static str,
        id: &str,
        value: &T,
        form: Option<(String, i64)>,
    ) -> Result<Change, StoreError> {
        Change::put(store, id, &self.seal_row(store, id, value, form)?)
    }

    /// The entry of `store` under `id`, opened (an entry in the clear is taken as it is).
    pub async fn get<T: DeserializeOwned>(
        &self,
        store: &'static str,
        id: &str,
    ) -> Result<Option<T>, StoreError> {
        match idb::get::<Stored<T>>(store, id).await? {
            None => Ok(None),
            Some(Stored::Plain(value)) => Ok(Some(value)),
            Some(Stored::Sealed(row)) => self.open_row(store, id, &row),
        }
    }

    /// This user's entries of `store`, opened; `in_clear` marks those stored before the
    /// vault (to be sealed when it first opens).
    pub async fn entries<T: DeserializeOwned>(
        &self,
        store: &'static str,
        owner: fn(&T) -> &str,
    ) -> Result<Vec<Opened<T>>, StoreError> {
        let mut out = Vec::new();
        for (id, stored) in idb::all_with_keys::<Stored<T>>(store).await? {
            let (value, in_clear) = match stored {
                Stored::Sealed(row) => match self.open_row(store, &id, &row)? {
                    Some(value) => (value, false),
                    None => continue,
                },
                Stored::Plain(value) if owner(&value) == self.user_id => (value, true),
                Stored::Plain(_) => continue,
            };
            out.push(Opened { value, in_clear });
        }
        Ok(out)
    }
}

/// An entry [`Vault::entries`] opened.
#[derive(Debug, Clone)]
pub struct Opened<T> {
    pub value: T,
    pub in_clear: bool,
}

fn lock_key(user_id: &str) -> String {
    format!("vault:{user_id}")
}

/// The lock of `user_id`'s vault on this browser, if there is one.
pub async fn load_lock(user_id: &str) -> Result<Option<Lock>, StoreError> {
    idb::get(KV, &lock_key(user_id)).await
}

/// A change that saves `lock`.
pub fn save_lock(lock: &Lock) -> Result<Change, StoreError> {
    Change::put(KV, &lock_key(&lock.user_id), lock)
}

/// Counts `user_id`'s entries in `store` without opening them (for a locked console).
pub async fn count(store: &'static str, user_id: &str) -> Result<usize, StoreError> {
    Ok(idb::all::<Stored<UserOnly>>(store)
        .await?
        .iter()
        .filter(|s| match s {
            Stored::Sealed(row) => row.user_id == user_id,
            Stored::Plain(p) => p.user_id == user_id,
        })
        .count())
}

/// Any stored entry's owner.
#[derive(Debug, Clone, Deserialize)]
pub struct UserOnly {
    pub user_id: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CHEAP: Cost = Cost {
        m_kib: 64,
        t: 1,
        p: 1,
    };

    fn share(byte: u8) -> String {
        b64(&[byte; 32])
    }

    #[test]
    fn the_vault_opens_with_the_devices_share_or_the_password_and_nothing_else() {
        let (mut lock, vault) = Lock::create("u1", "d1", &share(7)).unwrap();
        assert_eq!(lock.open_with_share(&share(7)), Some(vault.clone()));
        assert_eq!(lock.open_with_share(&share(8)), None);
        assert_eq!(lock.open_with_password("secret"), None, "no password yet");

        lock.wrap_for_password_at(&vault, "secret", CHEAP).unwrap();
        assert_eq!(lock.open_with_password("secret"), Some(vault.clone()));
        assert_eq!(lock.open_with_password("Secret"), None);

        // Another user's lock with the same share does not open with it.
        let mut other = lock.clone();
        other.user_id = "u2".into();
        assert_eq!(other.open_with_share(&share(7)), None);
        assert_eq!(other.open_with_password("secret"), None);

        // A new password replaces the old one; a renewed device gets its own share.
        lock.wrap_for_password_at(&vault, "new secret", CHEAP)
            .unwrap();
        assert_eq!(lock.open_with_password("secret"), None);
        assert_eq!(lock.open_with_password("new secret"), Some(vault.clone()));
        lock.wrap_for_device(&vault, "d2", &share(9)).unwrap();
        assert_eq!(lock.open_with_share(&share(7)), None);
        assert_eq!(lock.open_with_share(&share(9)), Some(vault));
    }

    #[test]
    fn a_sealed_row_holds_no_plaintext_and_opens_only_where_it_was_stored() {
        let (_, vault) = Lock::create("u1", "d1", &share(7)).unwrap();
        let value = serde_json::json!({"user_id": "u1", "answers": {"full_name": "张三"}});
        let row = vault
            .seal_row("outbox", "r1", &value, Some(("f".into(), 2)))
            .unwrap();
        let stored = serde_json::to_string(&row).unwrap();
        assert!(!stored.contains("张三") && !stored.contains("full_name"));
        assert_eq!(
            vault
                .open_row::<serde_json::Value>("outbox", "r1", &row)
                .unwrap(),
            Some(value)
        );
        // Moved to another id or store, it does not open.
        assert!(vault
            .open_row::<serde_json::Value>("outbox", "r2", &row)
            .is_err());
        assert!(vault
            .open_row::<serde_json::Value>("synced", "r1", &row)
            .is_err());
        // Another user's row is not theirs to open.
        let (_, other) = Lock::create("u2", "d2", &share(7)).unwrap();
        assert_eq!(
            other
                .open_row::<serde_json::Value>("outbox", "r1", &row)
                .unwrap(),
            None
        );
    }

    #[test]
    fn entries_stored_before_the_vault_still_read() {
        let sealed: Stored<UserOnly> = serde_json::from_value(serde_json::json!({
            "user_id": "u1", "form": ["f", 2], "sealed": "abc"
        }))
        .unwrap();
        assert!(matches!(sealed, Stored::Sealed(row) if row.form == Some(("f".into(), 2))));
        let plain: Stored<UserOnly> =
            serde_json::from_value(serde_json::json!({"user_id": "u1", "record": {}})).unwrap();
        assert!(matches!(plain, Stored::Plain(p) if p.user_id == "u1"));
    }
}
