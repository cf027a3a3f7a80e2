//! Offline collection: what a staff member's device signs for each record it syncs.
//!
//! A device holds an ed25519 key whose public half the server registered against the
//! staff member. For every record it signs the envelope bytes
//! `b"consentry-sync-record-v1\n" || canonical_json(envelope)`, where the envelope holds
//! the record's client-generated UUID, the device id and its sequence number, the form
//! version and its hash, the hash of the payload (the answers, as `record_hash`) and the
//! hash of the customer's consent statement, and the server version an edit started from.
//! The customer's consent statement is signed by the same device key (it is the
//! "browser" of that consent) and countersigned by the server when the record arrives.

use ed25519_dalek::{Signer as _, SigningKey, Verifier as _};
use serde::{Deserialize, Serialize};

use crate::{
    consent::{b64, public_key, sha256_tagged, ConsentStatement, ReceiptError},
    schema::canonical_json,
};

const DOMAIN: &[u8] = b"consentry-sync-record-v1\n";

/// The signed facts of one synced record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncEnvelope {
    /// The record's UUID, chosen on the device; also its idempotency key.
    pub uuid: String,
    pub device_id: String,
    /// The device's sequence number, increasing with every record it creates or edits.
    pub seq: i64,
    pub form_id: String,
    pub form_version: i64,
    pub form_version_hash: String,
    /// `record_hash` of the validated answers.
    pub payload_hash: String,
    /// `sha256:` of the consent statement's signing bytes.
    pub statement_hash: String,
    /// For an edit of a synced record: the server version it started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<i64>,
}

impl SyncEnvelope {
    /// The exact bytes the device signs.
    #[must_use]
    pub fn signing_bytes(&self) -> Vec<u8> {
        let value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        let mut out = DOMAIN.to_vec();
        out.extend_from_slice(canonical_json(&value).as_bytes());
        out
    }

    /// Signs with the device key; base64url.
    #[must_use]
    pub fn sign(&self, key: &SigningKey) -> String {
        b64(&key.sign(&self.signing_bytes()).to_bytes())
    }

    /// Checks the device's signature with its registered public key (base64url).
    pub fn verify(&self, device_public_key: &str, signature: &str) -> Result<(), ReceiptError> {
        let key = public_key(device_public_key, "device key")?;
        let sig = crate::consent::signature(signature, "device signature")?;
        key.verify(&self.signing_bytes(), &sig)
            .map_err(|_| ReceiptError::ClientSignature)
    }
}

/// The hash of a statement as envelopes bind it.
#[must_use]
pub fn statement_hash(statement: &ConsentStatement) -> String {
    sha256_tagged(&statement.signing_bytes())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_verify_and_any_change_breaks_them() {
        let key = SigningKey::from_bytes(&[8; 32]);
        let public = b64(key.verifying_key().as_bytes());
        let env = SyncEnvelope {
            uuid: "u1".into(),
            device_id: "d1".into(),
            seq: 7,
            form_id: "f".into(),
            form_version: 1,
            form_version_hash: "sha256:aa".into(),
            payload_hash: "sha256:bb".into(),
            statement_hash: "sha256:cc".into(),
            base_version: None,
        };
        let sig = env.sign(&key);
        env.verify(&public, &sig).unwrap();
        let mut other = env.clone();
        other.seq = 8;
        assert!(other.verify(&public, &sig).is_err());
        assert!(env.verify(&public, "nope").is_err());
        let bytes = env.signing_bytes();
        assert!(bytes.starts_with(DOMAIN));
        assert!(!String::from_utf8(bytes).unwrap().contains("base_version"));
    }
}
