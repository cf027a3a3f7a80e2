//! Encryption at rest: a master key wraps per-record data keys, data keys seal field
//! values with XChaCha20-Poly1305, and keyed hashes (blind indexes) allow exact-match
//! lookups without decrypting.
//!
//! Plaintext and ciphertext are different types ([`SealedValue`] can only be opened
//! with the [`FieldContext`] it was sealed under): the additional authenticated data
//! binds the record id, the field key and the key version, so a ciphertext copied to
//! another row or field fails to open.

mod at_rest;
mod envelope;
mod master_key;
mod subkeys;
mod texts;

pub use at_rest::{SealedText, SealedValues};
pub use envelope::{blind_index, DataKey, FieldContext, SealedValue, WrappedKey};
pub use master_key::{
    load_existing_master_key, load_master_key, KeyWrapper, LocalMasterKey, MasterKeyring,
    MASTER_KEY_ENV,
};
pub use subkeys::SubkeyRoot;
pub use texts::TextSealer;

/// Why a cryptographic operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the master key file {path} is readable by other users (mode {mode:o}); run chmod 600 on it")]
    KeyFilePermissions { path: String, mode: u32 },
    #[error("cannot read or create the master key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("the master key must be 32 bytes, base64 encoded")]
    KeyFormat,
    #[error("decryption failed: wrong key, or the data was altered or moved")]
    Decrypt,
    #[error("the sealed value is malformed")]
    Malformed,
}
