//! This browser as a staff member's collection device: an ed25519 key made here and kept
//! in IndexedDB (the private half is never sent anywhere, and is sealed under the user's
//! vault once there is one), the id the server gave it, and the next sequence number.
//! One device per user of the browser.

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use shared::consent::b64;

use super::idb::{self, Change, StoreError, KV};
use super::vault::Vault;
use crate::embed::submission::random;
use zeroize::Zeroizing;

/// What this browser keeps about its device for one user.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub user_id: String,
    /// The ed25519 secret key, until the vault seals it; it stays in this browser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<[u8; 32]>,
    /// The secret key sealed under the user's vault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed_seed: Option<String>,
    /// base64url of the public key, as registered.
    pub public_key: String,
    /// The name it was registered under.
    pub name: String,
    /// The server's id, once registered.
    pub device_id: Option<String>,
    /// True once the server said it was revoked.
    pub revoked: bool,
    /// The sequence number the next record (or edit) gets.
    pub next_seq: i64,
    /// When a sync last succeeded, in milliseconds since the epoch.
    pub last_sync_ms: Option<i64>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("user_id", &self.user_id)
            .field("sealed", &self.sealed_seed.is_some())
            .field("public_key", &self.public_key)
            .field("name", &self.name)
            .field("device_id", &self.device_id)
            .field("revoked", &self.revoked)
            .field("next_seq", &self.next_seq)
            .finish()
    }
}

impl Device {
    /// The signing key, opened with the user's vault once it is sealed.
    #[must_use]
    pub fn key(&self, vault: &Vault) -> Option<SigningKey> {
        if let Some(seed) = &self.seed {
            return Some(SigningKey::from_bytes(seed));
        }
        let seed = vault.open_secret(SEED, self.sealed_seed.as_deref()?)?;
        Some(SigningKey::from_bytes(
            &<[u8; 32]>::try_from(seed.as_slice()).ok()?,
        ))
    }

    /// True while the signing key is stored in the clear (until the vault seals it).
    #[must_use]
    pub fn has_key_in_clear(&self) -> bool {
        self.seed.is_some()
    }

    /// Seals the signing key under `vault`; `true` when there was one in the clear.
    pub fn seal_key(&mut self, vault: &Vault) -> Result<bool, StoreError> {
        let Some(seed) = self.seed.map(Zeroizing::new) else {
            return Ok(false);
        };
        self.sealed_seed = Some(vault.seal_secret(SEED, seed.as_slice())?);
        self.seed = None;
        Ok(true)
    }

    /// True when records can be signed for the server.
    #[must_use]
    pub fn is_usable(&self) -> bool {
        self.device_id.is_some() && !self.revoked
    }
}

/// What the sealed signing key is, to the vault.
const SEED: &str = "device-signing-key";

fn kv_key(user_id: &str) -> String {
    format!("device:{user_id}")
}

/// The device of `user_id`, if this browser has one.
pub async fn load(user_id: &str) -> Result<Option<Device>, StoreError> {
    idb::get(KV, &kv_key(user_id)).await
}

/// Saves the device.
pub async fn save(device: &Device) -> Result<(), StoreError> {
    idb::write(vec![save_change(device)?]).await
}

/// A change that saves the device (to write with others in one transaction).
pub fn save_change(device: &Device) -> Result<Change, StoreError> {
    Change::put(KV, &kv_key(&device.user_id), device)
}

/// The device of `user_id`, made (with a fresh key) and saved on first use.
pub async fn load_or_create(user_id: &str) -> Result<Device, StoreError> {
    if let Some(device) = load(user_id).await? {
        return Ok(device);
    }
    let seed = random::<32>().ok_or(StoreError::Unavailable)?;
    let key = SigningKey::from_bytes(&seed);
    let device = Device {
        user_id: user_id.to_owned(),
        seed: Some(seed),
        sealed_seed: None,
        public_key: b64(key.verifying_key().as_bytes()),
        name: default_name(),
        device_id: None,
        revoked: false,
        next_seq: 1,
        last_sync_ms: None,
    };
    save(&device).await?;
    Ok(device)
}

/// Takes the next sequence number (saved before it is used, so none is handed out twice).
pub async fn take_seq(user_id: &str) -> Result<(Device, i64), StoreError> {
    let mut device = load(user_id).await?.ok_or(StoreError::Corrupt)?;
    let seq = device.next_seq;
    device.next_seq += 1;
    save(&device).await?;
    Ok((device, seq))
}

/// A name the staff member recognises: the browser and platform.
#[must_use]
pub fn default_name() -> String {
    let agent = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map_or("Browser", |(_, name)| name);
    let platform = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map_or("", |(_, name)| name);
    if platform.is_empty() {
        browser.to_owned()
    } else {
        format!("{browser} · {platform}")
    }
}

/// Replaces a revoked device's key with a fresh one, to be registered anew; the
/// sequence numbers carry on. Records signed with the old key must be edited (signed
/// again) before the server accepts them.
pub async fn renew(user_id: &str) -> Result<Device, StoreError> {
    let old = load(user_id).await?;
    let seed = random::<32>().ok_or(StoreError::Unavailable)?;
    let key = SigningKey::from_bytes(&seed);
    let device = Device {
        user_id: user_id.to_owned(),
        seed: Some(seed),
        sealed_seed: None,
        public_key: b64(key.verifying_key().as_bytes()),
        name: old.as_ref().map_or_else(default_name, |d| d.name.clone()),
        device_id: None,
        revoked: false,
        next_seq: old.as_ref().map_or(1, |d| d.next_seq),
        last_sync_ms: old.and_then(|d| d.last_sync_ms),
    };
    save(&device).await?;
    Ok(device)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::offline::vault::Lock;

    #[test]
    fn the_signing_key_is_sealed_under_the_vault_and_opens_only_with_it() {
        let (_, vault) = Lock::create("u1", "d1", &b64(&[7; 32])).unwrap();
        let (_, other) = Lock::create("u1", "d1", &b64(&[7; 32])).unwrap();
        let mut device = Device {
            user_id: "u1".into(),
            seed: Some([3; 32]),
            sealed_seed: None,
            public_key: String::new(),
            name: "phone".into(),
            device_id: Some("d1".into()),
            revoked: false,
            next_seq: 1,
            last_sync_ms: None,
        };
        let key = device.key(&vault).unwrap();
        assert!(device.seal_key(&vault).unwrap());
        assert!(!device.has_key_in_clear());
        let stored = serde_json::to_string(&device).unwrap();
        assert!(!stored.contains("\"seed\""), "{stored}");
        assert_eq!(device.key(&vault).unwrap().to_bytes(), key.to_bytes());
        assert!(
            device.key(&other).is_none(),
            "another vault key does not open it"
        );
        assert!(
            !device.seal_key(&vault).unwrap(),
            "nothing left in the clear"
        );

        // Devices stored before the vault still load, with their key in the clear.
        let before: Device = serde_json::from_value(serde_json::json!({
            "user_id": "u1", "seed": vec![3u8; 32], "public_key": "", "name": "phone",
            "device_id": "d1", "revoked": false, "next_seq": 4, "last_sync_ms": null
        }))
        .unwrap();
        assert!(before.has_key_in_clear());
    }
}
