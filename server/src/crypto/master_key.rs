//! The master key: from the `CONSENTRY_MASTER_KEY` environment variable or a file,
//! generated on first start for the demo, refused when other users can read it.
//!
//! [`KeyWrapper`] is the seam where a KMS can replace the local key.

use std::path::Path;

use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine as _,
};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use super::{envelope::DataKey, CryptoError};

/// The environment variable that may hold the master key (base64, 32 bytes).
pub const MASTER_KEY_ENV: &str = "CONSENTRY_MASTER_KEY";

/// Wraps and unwraps data keys, and derives purpose-bound subkeys.
pub trait KeyWrapper: Send + Sync {
    /// A stable id of this key (stored next to what it wrapped, for rotation).
    fn key_id(&self) -> &str;
    /// Encrypts a data key; `context` is bound as additional data.
    fn wrap(&self, key: &DataKey, context: &[u8]) -> Vec<u8>;
    /// Decrypts a data key wrapped with the same `context`.
    fn unwrap(&self, wrapped: &[u8], context: &[u8]) -> Result<DataKey, CryptoError>;
}

/// The current master key, and earlier ones that can still unwrap (during a rotation).
pub struct MasterKeyring {
    current: LocalMasterKey,
    previous: Vec<LocalMasterKey>,
}

impl MasterKeyring {
    #[must_use]
    pub fn new(current: LocalMasterKey, previous: Vec<LocalMasterKey>) -> Self {
        Self { current, previous }
    }
}

impl KeyWrapper for MasterKeyring {
    fn key_id(&self) -> &str {
        self.current.key_id()
    }

    fn wrap(&self, key: &DataKey, context: &[u8]) -> Vec<u8> {
        self.current.wrap(key, context)
    }

    fn unwrap(&self, wrapped: &[u8], context: &[u8]) -> Result<DataKey, CryptoError> {
        self.current.unwrap(wrapped, context).or_else(|first| {
            self.previous
                .iter()
                .find_map(|k| k.unwrap(wrapped, context).ok())
                .ok_or(first)
        })
    }
}

/// A master key held in this process's memory.
pub struct LocalMasterKey {
    id: String,
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for LocalMasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalMasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl LocalMasterKey {
    /// A key from its 32 bytes; its id is derived from (not equal to) the key.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let fingerprint =
            Sha256::digest([b"consentry-master-key-id\n".as_slice(), &bytes].concat());
        Self {
            id: format!("local-{}", &hex::encode(fingerprint)[..16]),
            key: Zeroizing::new(bytes),
        }
    }

    /// Parses base64 (standard or url-safe) text of 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        let text = text.trim();
        let bytes = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(text.trim_end_matches('='))
                .or_else(|_| STANDARD.decode(text))
                .map_err(|_| CryptoError::KeyFormat)?,
        );
        let array: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::KeyFormat)?;
        Ok(Self::from_bytes(array))
    }

    /// A new random key.
    #[must_use]
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self::from_bytes(bytes)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.key.as_ref().into())
    }
}

impl KeyWrapper for LocalMasterKey {
    fn key_id(&self) -> &str {
        &self.id
    }

    fn wrap(&self, key: &DataKey, context: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let aad = [b"consentry-wrap-v1\n".as_slice(), context].concat();
        // Encryption with a valid key and nonce only fails for inputs over 256 GiB.
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: key.as_bytes(),
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        [nonce.as_slice(), &sealed].concat()
    }

    fn unwrap(&self, wrapped: &[u8], context: &[u8]) -> Result<DataKey, CryptoError> {
        if wrapped.len() < 24 + 16 {
            return Err(CryptoError::Malformed);
        }
        let (nonce, sealed) = wrapped.split_at(24);
        let aad = [b"consentry-wrap-v1\n".as_slice(), context].concat();
        let plain = Zeroizing::new(
            self.cipher()
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: sealed,
                        aad: &aad,
                    },
                )
                .map_err(|_| CryptoError::Decrypt)?,
        );
        DataKey::from_slice(&plain)
    }
}

/// Loads the master key: from [`MASTER_KEY_ENV`] when set, else from `file`, which is
/// created (mode 0600) with a random key when it does not exist.
pub fn load_master_key(file: &Path) -> Result<LocalMasterKey, CryptoError> {
    if let Ok(text) = std::env::var(MASTER_KEY_ENV) {
        return LocalMasterKey::from_base64(&text);
    }
    let path = file.display().to_string();
    let io = |source| CryptoError::KeyFile {
        path: path.clone(),
        source,
    };
    match std::fs::metadata(file) {
        Ok(meta) => {
            check_permissions(&meta, &path)?;
            let text = Zeroizing::new(std::fs::read_to_string(file).map_err(io)?);
            LocalMasterKey::from_base64(&text)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            let mut bytes = Zeroizing::new([0u8; 32]);
            rand::rngs::OsRng.fill_bytes(bytes.as_mut());
            write_new_secret(file, &URL_SAFE_NO_PAD.encode(bytes.as_ref())).map_err(io)?;
            tracing::warn!(path = %path, "generated a new master key; back it up: without it the encrypted data cannot be read");
            Ok(LocalMasterKey::from_bytes(*bytes))
        }
        Err(e) => Err(io(e)),
    }
}

/// Loads a master key file that must already exist (never generates one).
pub fn load_existing_master_key(file: &Path) -> Result<LocalMasterKey, CryptoError> {
    let path = file.display().to_string();
    let meta = std::fs::metadata(file).map_err(|source| CryptoError::KeyFile {
        path: path.clone(),
        source,
    })?;
    check_permissions(&meta, &path)?;
    let text =
        Zeroizing::new(
            std::fs::read_to_string(file).map_err(|source| CryptoError::KeyFile {
                path: path.clone(),
                source,
            })?,
        );
    LocalMasterKey::from_base64(&text)
}

#[cfg(unix)]
fn check_permissions(meta: &std::fs::Metadata, path: &str) -> Result<(), CryptoError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(CryptoError::KeyFilePermissions {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_meta: &std::fs::Metadata, _path: &str) -> Result<(), CryptoError> {
    Ok(())
}

fn write_new_secret(file: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options.open(file)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_file_is_private_and_reloads_to_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/master.key");
        let first = load_master_key(&path).unwrap();
        let again = load_master_key(&path).unwrap();
        assert_eq!(first.key_id(), again.key_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(
                load_master_key(&path),
                Err(CryptoError::KeyFilePermissions { .. })
            ));
        }
    }

    #[test]
    fn wrapped_keys_open_only_with_their_context() {
        let master = LocalMasterKey::generate();
        let dek = DataKey::generate();
        let wrapped = master.wrap(&dek, b"record-1");
        assert_eq!(
            master.unwrap(&wrapped, b"record-1").unwrap().as_bytes(),
            dek.as_bytes()
        );
        assert!(master.unwrap(&wrapped, b"record-2").is_err());
        assert!(LocalMasterKey::generate()
            .unwrap(&wrapped, b"record-1")
            .is_err());
    }

    #[test]
    fn debug_hides_the_key_and_bad_keys_are_refused() {
        let master = LocalMasterKey::from_bytes([5; 32]);
        assert!(!format!("{master:?}").contains("5, 5"));
        assert!(LocalMasterKey::from_base64("too short").is_err());
    }

    #[test]
    fn a_keyring_opens_what_earlier_keys_wrapped() {
        let old = LocalMasterKey::from_bytes([1; 32]);
        let new = LocalMasterKey::from_bytes([2; 32]);
        let dek = DataKey::generate();
        let by_old = old.wrap(&dek, b"r");
        let ring = MasterKeyring::new(new, vec![LocalMasterKey::from_bytes([1; 32])]);
        assert_eq!(
            ring.unwrap(&by_old, b"r").unwrap().as_bytes(),
            dek.as_bytes()
        );
        let by_ring = ring.wrap(&dek, b"r");
        assert!(old.unwrap(&by_ring, b"r").is_err());
    }
}
