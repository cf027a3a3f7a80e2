//! Data keys, sealed field values and blind indexes.

use chacha20poly1305::{
    aead::{Aead, AeadInPlace, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use hmac::Mac;
use rand::RngCore as _;
use zeroize::Zeroizing;

use super::{CryptoError, KeyWrapper};

/// A per-record 256-bit data key. Never stored in clear: see [`WrappedKey`].
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    #[must_use]
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        // ThreadRng: ChaCha12 seeded (and reseeded) from the OS, without a system call
        // for every key and nonce.
        rand::thread_rng().fill_bytes(bytes.as_mut());
        Self(bytes)
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let array: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::Malformed)?;
        Ok(Self(Zeroizing::new(array)))
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_ref().into())
    }

    /// Wraps this key under the master key for `record_id`.
    #[must_use]
    pub fn wrap(&self, master: &dyn KeyWrapper, record_id: &str) -> WrappedKey {
        WrappedKey {
            master_key_id: master.key_id().to_owned(),
            bytes: master.wrap(self, record_id.as_bytes()),
        }
    }

    /// Seals a field value under this key.
    #[must_use]
    pub fn seal(&self, context: &FieldContext<'_>, plaintext: &[u8]) -> SealedValue {
        let mut out = Vec::with_capacity(SEALED_OVERHEAD + plaintext.len());
        self.seal_into(context, plaintext, &mut out);
        SealedValue(out)
    }

    /// Appends `plaintext` sealed for `context` to `out`, in the layout of
    /// [`SealedValue`], encrypting in place: no allocation when `out` has room.
    pub fn seal_into(&self, context: &FieldContext<'_>, plaintext: &[u8], out: &mut Vec<u8>) {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let start = out.len();
        out.reserve(SEALED_OVERHEAD + plaintext.len());
        out.push(1);
        out.extend_from_slice(&nonce);
        let body = out.len();
        out.extend_from_slice(plaintext);
        // Encryption only fails for inputs over 256 GiB; a request is at most 32 MiB.
        match self.cipher().encrypt_in_place_detached(
            XNonce::from_slice(&nonce),
            &context.aad(),
            &mut out[body..],
        ) {
            Ok(tag) => out.extend_from_slice(&tag),
            Err(_) => out.truncate(start),
        }
    }

    /// Opens a value sealed under this key with the same context.
    pub fn open(
        &self,
        context: &FieldContext<'_>,
        sealed: &SealedValue,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let bytes = &sealed.0;
        if bytes.len() < SEALED_OVERHEAD || bytes[0] != 1 {
            return Err(CryptoError::Malformed);
        }
        let (nonce, ciphertext) = bytes[1..].split_at(24);
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &context.aad(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Decrypt)
    }
}

/// A data key encrypted under a master key, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub master_key_id: String,
    pub bytes: Vec<u8>,
}

impl WrappedKey {
    /// Recovers the data key of `record_id`.
    pub fn unwrap(&self, master: &dyn KeyWrapper, record_id: &str) -> Result<DataKey, CryptoError> {
        master.unwrap(&self.bytes, record_id.as_bytes())
    }
}

/// Where a sealed value belongs; bound into the ciphertext as additional data.
#[derive(Debug, Clone, Copy)]
pub struct FieldContext<'a> {
    pub record_id: &'a str,
    pub field_key: &'a str,
    /// The version of the record's data key.
    pub key_version: i64,
}

impl FieldContext<'_> {
    fn aad(&self) -> Vec<u8> {
        const TAG: &[u8] = b"consentry-field-v1\n";
        // Length-prefixed, so no two contexts share an encoding.
        let mut out =
            Vec::with_capacity(TAG.len() + 16 + self.record_id.len() + self.field_key.len());
        out.extend_from_slice(TAG);
        for part in [self.record_id.as_bytes(), self.field_key.as_bytes()] {
            out.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
            out.extend_from_slice(part);
        }
        out.extend_from_slice(&self.key_version.to_be_bytes());
        out
    }
}

/// Bytes a sealed value adds to its plaintext: version, nonce and tag.
pub const SEALED_OVERHEAD: usize = 1 + 24 + 16;

/// A field value encrypted at rest: `0x01 || nonce(24) || ciphertext+tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedValue(pub Vec<u8>);

/// A keyed hash of a normalised value (a phone in E.164, a lower-case email, an
/// upper-case ID number) for exact-match lookups: equal values give equal indexes,
/// and without the key nobody can test guesses against them.
#[must_use]
pub fn blind_index(subkeys: &super::SubkeyRoot, kind: &str, normalised: &str) -> String {
    let mut mac = subkeys.mac(&format!("blind-index:{kind}"));
    // Email local parts are case-insensitive in practice: index them lower-cased.
    if kind == "email" {
        mac.update(normalised.to_lowercase().as_bytes());
    } else {
        mac.update(normalised.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::crypto::{LocalMasterKey, SubkeyRoot};

    fn ctx<'a>(record: &'a str, field: &'a str) -> FieldContext<'a> {
        FieldContext {
            record_id: record,
            field_key: field,
            key_version: 1,
        }
    }

    #[test]
    fn sealing_into_a_buffer_appends_one_sealed_value() {
        let dek = DataKey::generate();
        let mut out = b"before".to_vec();
        dek.seal_into(&ctx("r1", "name"), "张三".as_bytes(), &mut out);
        assert_eq!(&out[..6], b"before");
        assert_eq!(out.len(), 6 + SEALED_OVERHEAD + "张三".len());
        let sealed = SealedValue(out[6..].to_vec());
        assert_eq!(
            &*dek.open(&ctx("r1", "name"), &sealed).unwrap(),
            "张三".as_bytes()
        );
        assert!(dek.open(&ctx("r1", "other"), &sealed).is_err());
    }

    #[test]
    fn sealed_values_open_only_where_they_were_sealed() {
        let master = LocalMasterKey::generate();
        let dek = DataKey::generate();
        let sealed = dek.seal(&ctx("r1", "phone"), b"+8613800138000");
        assert!(!sealed.0.windows(5).any(|w| w == b"13800"));
        assert_eq!(
            &*dek.open(&ctx("r1", "phone"), &sealed).unwrap(),
            b"+8613800138000"
        );
        // Moved to another row or field, or opened under another key version: refused.
        assert!(dek.open(&ctx("r2", "phone"), &sealed).is_err());
        assert!(dek.open(&ctx("r1", "email"), &sealed).is_err());
        let other_version = FieldContext {
            key_version: 2,
            ..ctx("r1", "phone")
        };
        assert!(dek.open(&other_version, &sealed).is_err());
        // Through the master key and back.
        let wrapped = dek.wrap(&master, "r1");
        let again = wrapped.unwrap(&master, "r1").unwrap();
        assert_eq!(
            &*again.open(&ctx("r1", "phone"), &sealed).unwrap(),
            b"+8613800138000"
        );
        assert!(wrapped.unwrap(&master, "r2").is_err());
    }

    #[test]
    fn tampering_is_detected() {
        let dek = DataKey::generate();
        let mut sealed = dek.seal(&ctx("r1", "name"), "张三".as_bytes());
        let last = sealed.0.len() - 1;
        sealed.0[last] ^= 1;
        assert!(matches!(
            dek.open(&ctx("r1", "name"), &sealed),
            Err(CryptoError::Decrypt)
        ));
        assert!(matches!(
            dek.open(&ctx("r1", "name"), &SealedValue(vec![1, 2])),
            Err(CryptoError::Malformed)
        ));
    }

    #[test]
    fn blind_indexes_match_equal_values_only() {
        let root = SubkeyRoot::from_bytes([1; 32]);
        let a = blind_index(&root, "phone", "+8613800138000");
        assert_eq!(a, blind_index(&root, "phone", "+8613800138000"));
        assert_ne!(a, blind_index(&root, "phone", "+8613800138001"));
        assert_ne!(a, blind_index(&root, "email", "+8613800138000"));
        let other = SubkeyRoot::from_bytes([2; 32]);
        assert_ne!(a, blind_index(&other, "phone", "+8613800138000"));
        // Emails are matched whatever the case of the local part.
        assert_eq!(
            blind_index(&root, "email", "Zhang.San@example.com"),
            blind_index(&root, "email", "zhang.san@example.com")
        );
    }
}
