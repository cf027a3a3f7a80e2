//! The receipt the server countersigns over a customer's statement, and its
//! verification; the encodings and keys both share.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use serde_json::Value;

use super::batch::{leaf_hash, root_signing_bytes, tree, BatchProof, BATCH_RECEIPTS};
use super::signatures::{verify_signature, DeviceKey};
use super::statement::{ConsentStatement, STATEMENT_DOMAIN};
use crate::schema::{write_canonical_bytes, write_scalar};

/// The domain line in front of a receipt's canonical JSON.
pub const RECEIPT_DOMAIN: &[u8] = b"consentry-consent-receipt-v1\n";
/// The format of the statements made now: hashes keyed by a [`super::HashKey`].
pub const RECEIPT_FORMAT: u32 = 2;
/// The first format, whose subject hash is salted with the salt beside it: still
/// verified, and still accepted from staff devices that collected offline before an
/// update.
pub const SALTED_FORMAT: u32 = 1;

/// Whether statements of `format` are known (verified and accepted).
#[must_use]
pub fn is_known_format(format: u32) -> bool {
    format == RECEIPT_FORMAT || format == SALTED_FORMAT
}

/// The staff device that collected a consent offline, and its sequence number for the
/// record. The device signs the record's sync envelope ([`crate::sync::SyncEnvelope`]),
/// which binds the statement by its hash, rather than the statement alone: one signature
/// per record serves both the consent and the sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectingDevice {
    pub id: String,
    pub seq: i64,
}

/// What the server countersigns: the statement, the browser's signature over it, and
/// the server's own facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptBody {
    pub statement: ConsentStatement,
    /// The browser's (or staff device's) ed25519 public key, base64url.
    pub client_public_key: String,
    /// The browser's signature over the statement bytes, base64url; with `device`, the
    /// device's signature over the record's sync envelope.
    pub client_signature: String,
    /// Set when a staff device collected the consent (see [`CollectingDevice`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<CollectingDevice>,
    /// When the server received the submission, Unix milliseconds.
    pub received_at_ms: i64,
    /// The id of the server key that countersigns (see the published key set).
    pub server_key_id: String,
}

/// A receipt as the customer keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedReceipt {
    pub body: ReceiptBody,
    /// The server's signature over the receipt bytes, base64url; with `batch`, over the
    /// root of the receipts countersigned together (see [`super::batch`]).
    pub server_signature: String,
    /// Where the receipt sits among receipts countersigned with one signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchProof>,
}

/// One server public key, as published at the well-known URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedKey {
    pub key_id: String,
    /// ed25519 public key, base64url.
    pub public_key: String,
    pub created_at_ms: i64,
    /// Set once the key no longer signs; receipts it signed stay valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at_ms: Option<i64>,
}

/// The server's signing keys, current and retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedKeySet {
    pub keys: Vec<PublishedKey>,
}

impl PublishedKeySet {
    #[must_use]
    pub fn find(&self, key_id: &str) -> Option<&PublishedKey> {
        self.keys.iter().find(|k| k.key_id == key_id)
    }
}

/// Why a receipt does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("unsupported receipt format {0}")]
    Format(u32),
    #[error("the {0} is not valid base64url")]
    Encoding(&'static str),
    #[error("the {0} is not a valid ed25519 key")]
    Key(&'static str),
    #[error("the browser's or device's signature does not match the consent statement")]
    ClientSignature,
    #[error("the server's signature does not match the receipt")]
    ServerSignature,
    #[error("the receipt names server key {0}, which is not in the key set")]
    UnknownServerKey(String),
    #[error("the receipt's batch proof is malformed")]
    BatchProof,
}

pub(super) fn to_value<T: Serialize>(value: &T) -> serde_json::Value {
    // Plain structs of strings, integers and booleans always serialise.
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

pub(super) fn domain_bytes(domain: &[u8], value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(domain.len() + 1024);
    out.extend_from_slice(domain);
    write_canonical_bytes(value, &mut out);
    out
}

/// `sha256:` + lower-case hex of `bytes`.
#[must_use]
pub fn sha256_tagged(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The salted hash of a subject identifier in a format-1 statement: `sha256:` of
/// `salt || identifier`.
#[must_use]
pub fn subject_hash(salt: &[u8], identifier: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(identifier.as_bytes());
    format!("sha256:{}", hex::encode(h.finalize()))
}

/// Encodes bytes as unpadded base64url.
#[must_use]
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url; `None` when it is not.
#[must_use]
pub fn b64_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

pub(super) fn decode_fixed<const N: usize>(
    text: &str,
    what: &'static str,
) -> Result<[u8; N], ReceiptError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|v| <[u8; N]>::try_from(v).ok())
        .ok_or(ReceiptError::Encoding(what))
}

/// Parses a base64url ed25519 signature; `what` names it in the error.
pub fn signature(text: &str, what: &'static str) -> Result<Signature, ReceiptError> {
    decode_fixed::<64>(text, what).map(|bytes| Signature::from_bytes(&bytes))
}

/// Parses a base64url ed25519 public key.
pub fn public_key(text: &str, what: &'static str) -> Result<VerifyingKey, ReceiptError> {
    let bytes = decode_fixed::<32>(text, what)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| ReceiptError::Key(what))
}

impl ReceiptBody {
    /// The exact bytes the server signs.
    #[must_use]
    pub fn signing_bytes(&self) -> Vec<u8> {
        domain_bytes(RECEIPT_DOMAIN, &to_value(self))
    }

    /// Checks the browser's signature over the statement (or the device's over the
    /// record's sync envelope).
    pub fn verify_client_signature(&self) -> Result<(), ReceiptError> {
        self.verify_client_signature_over(&self.statement.signing_bytes())
    }

    /// [`Self::verify_client_signature`] when the caller already holds the statement's
    /// signing bytes (the server hashes them too, and need not encode them twice).
    pub fn verify_client_signature_over(&self, statement_bytes: &[u8]) -> Result<(), ReceiptError> {
        if !is_known_format(self.statement.format) {
            return Err(ReceiptError::Format(self.statement.format));
        }
        // A browser's key must be as sound as a device's (canonical, of prime order):
        // with a key of small or mixed order, verifiers that follow other rules could
        // disagree about the signature.
        let key = DeviceKey::parse(&self.client_public_key)
            .map_err(|_| ReceiptError::Key("browser's or device's public key"))?;
        let sig = signature(&self.client_signature, "browser's signature")?;
        let envelope;
        let signed = match &self.device {
            None => statement_bytes,
            Some(device) => {
                envelope = crate::sync::SyncEnvelope::of_new_record(
                    &self.statement,
                    device,
                    sha256_tagged(statement_bytes),
                )
                .signing_bytes();
                &envelope
            }
        };
        key.verify(signed, &sig)
    }

    /// [`Self::signing_bytes`] from the statement's signing bytes, which the server
    /// already holds: the statement is the last member of the body in key order, so its
    /// canonical JSON is copied in rather than encoded again. Equal to `signing_bytes`
    /// (tested); `None` when `statement_bytes` do not start with the statement domain.
    #[must_use]
    pub fn signing_bytes_with(&self, statement_bytes: &[u8]) -> Option<Vec<u8>> {
        let statement_json = statement_bytes.strip_prefix(STATEMENT_DOMAIN)?;
        let mut out = Vec::with_capacity(RECEIPT_DOMAIN.len() + 256 + statement_json.len());
        out.extend_from_slice(RECEIPT_DOMAIN);
        out.extend_from_slice(b"{\"client_public_key\":");
        write_scalar(&self.client_public_key, &mut out);
        out.extend_from_slice(b",\"client_signature\":");
        write_scalar(&self.client_signature, &mut out);
        if let Some(device) = &self.device {
            out.extend_from_slice(b",\"device\":{\"id\":");
            write_scalar(&device.id, &mut out);
            out.extend_from_slice(b",\"seq\":");
            write_scalar(&device.seq, &mut out);
            out.push(b'}');
        }
        out.extend_from_slice(b",\"received_at_ms\":");
        write_scalar(&self.received_at_ms, &mut out);
        out.extend_from_slice(b",\"server_key_id\":");
        write_scalar(&self.server_key_id, &mut out);
        out.extend_from_slice(b",\"statement\":");
        out.extend_from_slice(statement_json);
        out.push(b'}');
        Some(out)
    }

    /// Countersigns with the server's key.
    #[must_use]
    pub fn countersign(self, key: &SigningKey) -> SignedReceipt {
        let signature = key.sign(&self.signing_bytes());
        SignedReceipt {
            body: self,
            server_signature: b64(&signature.to_bytes()),
            batch: None,
        }
    }
}

/// Countersigns receipts [`BATCH_RECEIPTS`] at a time, one signature over the root of
/// each group's Merkle tree (see [`super::batch`]); a group of one is signed alone.
/// Each body comes with its signing bytes; receipts come back in the same order.
#[must_use]
pub fn countersign_batch(
    key: &SigningKey,
    bodies: Vec<(ReceiptBody, Vec<u8>)>,
) -> Vec<SignedReceipt> {
    let mut out = Vec::with_capacity(bodies.len());
    let mut bodies = bodies.into_iter().peekable();
    while bodies.peek().is_some() {
        let group: Vec<(ReceiptBody, Vec<u8>)> = bodies.by_ref().take(BATCH_RECEIPTS).collect();
        if group.len() == 1 {
            out.extend(group.into_iter().map(|(body, bytes)| SignedReceipt {
                body,
                server_signature: b64(&key.sign(&bytes).to_bytes()),
                batch: None,
            }));
            continue;
        }
        let leaves: Vec<[u8; 32]> = group.iter().map(|(_, bytes)| leaf_hash(bytes)).collect();
        let (root, proofs) = tree(&leaves);
        let size = u32::try_from(leaves.len()).unwrap_or(u32::MAX);
        let signature = b64(&key.sign(&root_signing_bytes(size, &root)).to_bytes());
        out.extend(
            group
                .into_iter()
                .zip(proofs)
                .map(|((body, _), proof)| SignedReceipt {
                    body,
                    server_signature: signature.clone(),
                    batch: Some(proof),
                }),
        );
    }
    out
}

impl SignedReceipt {
    /// Verifies both signatures against the server's published keys.
    pub fn verify(&self, keys: &PublishedKeySet) -> Result<(), ReceiptError> {
        let published = keys
            .find(&self.body.server_key_id)
            .ok_or_else(|| ReceiptError::UnknownServerKey(self.body.server_key_id.clone()))?;
        self.verify_with(&public_key(&published.public_key, "server's public key")?)
    }

    /// Verifies both signatures with a given server key.
    pub fn verify_with(&self, server_key: &VerifyingKey) -> Result<(), ReceiptError> {
        self.body.verify_client_signature()?;
        let sig = signature(&self.server_signature, "server's signature")?;
        let bytes = self.body.signing_bytes();
        let signed = match &self.batch {
            None => bytes,
            Some(proof) => root_signing_bytes(proof.size, &proof.root(leaf_hash(&bytes))?),
        };
        verify_signature(server_key, &signed, &sig).map_err(|_| ReceiptError::ServerSignature)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn signed() -> (SignedReceipt, VerifyingKey) {
        let statement = super::super::statement::sample();
        let client = SigningKey::from_bytes(&[1u8; 32]);
        let server = SigningKey::from_bytes(&[2u8; 32]);
        let (client_public_key, client_signature) = statement.sign(&client);
        let body = ReceiptBody {
            statement,
            client_public_key,
            client_signature,
            device: None,
            received_at_ms: 2,
            server_key_id: "k1".into(),
        };
        (body.countersign(&server), server.verifying_key())
    }

    /// A receipt of a record a staff device collected: the device signed the envelope.
    fn device_signed() -> (SignedReceipt, VerifyingKey) {
        let (receipt, _) = signed();
        let mut body = receipt.body;
        let device_key = SigningKey::from_bytes(&[3u8; 32]);
        let device = CollectingDevice {
            id: "d1".into(),
            seq: 41,
        };
        let envelope = crate::sync::SyncEnvelope::of_new_record(
            &body.statement,
            &device,
            sha256_tagged(&body.statement.signing_bytes()),
        );
        body.client_public_key = b64(device_key.verifying_key().as_bytes());
        body.client_signature = envelope.sign(&device_key);
        body.device = Some(device);
        let server = SigningKey::from_bytes(&[2u8; 32]);
        (body.countersign(&server), server.verifying_key())
    }

    #[test]
    fn a_device_signed_receipt_binds_the_statement_device_and_sequence() {
        let (receipt, server) = device_signed();
        receipt.verify_with(&server).unwrap();
        // The same signature does not pass for the statement alone, nor for another
        // sequence number or device, nor with the statement changed.
        let mut r = receipt.clone();
        r.body.device = None;
        r = r.body.countersign(&SigningKey::from_bytes(&[2u8; 32]));
        assert_eq!(r.verify_with(&server), Err(ReceiptError::ClientSignature));
        for change in [
            |b: &mut ReceiptBody| b.device.as_mut().unwrap().seq += 1,
            |b: &mut ReceiptBody| b.device.as_mut().unwrap().id.push('x'),
            |b: &mut ReceiptBody| b.statement.purposes_granted.clear(),
            |b: &mut ReceiptBody| b.statement.record_hash = sha256_tagged(b"other"),
        ] {
            let mut body = receipt.body.clone();
            change(&mut body);
            let r = body.countersign(&SigningKey::from_bytes(&[2u8; 32]));
            assert_eq!(r.verify_with(&server), Err(ReceiptError::ClientSignature));
        }
        // The device is part of what the server signed.
        let mut r = receipt;
        r.body.device.as_mut().unwrap().seq += 1;
        assert!(r.verify_with(&server).is_err());
    }

    #[test]
    fn a_signed_receipt_verifies_with_a_retired_key_too() {
        let (receipt, server) = signed();
        receipt.verify_with(&server).unwrap();
        let keys = PublishedKeySet {
            keys: vec![PublishedKey {
                key_id: "k1".into(),
                public_key: b64(server.as_bytes()),
                created_at_ms: 0,
                retired_at_ms: Some(1),
            }],
        };
        receipt.verify(&keys).unwrap();
    }

    #[test]
    fn any_change_breaks_a_signature() {
        let (receipt, server) = signed();
        let mut r = receipt.clone();
        r.body.statement.purposes_declined.clear();
        assert_eq!(r.verify_with(&server), Err(ReceiptError::ClientSignature));
        let mut r = receipt.clone();
        r.body.received_at_ms += 1;
        assert_eq!(r.verify_with(&server), Err(ReceiptError::ServerSignature));
        let mut r = receipt.clone();
        r.body.server_key_id = "k2".into();
        assert_eq!(
            r.verify(&PublishedKeySet::default()),
            Err(ReceiptError::UnknownServerKey("k2".into()))
        );
        let mut r = receipt;
        r.server_signature.pop();
        assert!(matches!(
            r.verify_with(&server),
            Err(ReceiptError::Encoding(_))
        ));
    }

    #[test]
    fn receipts_countersigned_together_each_verify_alone_and_resist_tampering() {
        let (receipt, _) = signed();
        let server = SigningKey::from_bytes(&[2u8; 32]);
        for n in [1usize, 2, 5, BATCH_RECEIPTS, BATCH_RECEIPTS + 3] {
            let bodies: Vec<_> = (0..n)
                .map(|i| {
                    let mut body = receipt.body.clone();
                    body.received_at_ms = i64::try_from(i).unwrap();
                    let bytes = body.signing_bytes();
                    (body, bytes)
                })
                .collect();
            let receipts = countersign_batch(&server, bodies.clone());
            assert_eq!(receipts.len(), n);
            for (r, (body, _)) in receipts.iter().zip(&bodies) {
                assert_eq!(&r.body, body);
                r.verify_with(&server.verifying_key()).unwrap();
                let json = serde_json::to_string(r).unwrap();
                let back: SignedReceipt = serde_json::from_str(&json).unwrap();
                back.verify_with(&server.verifying_key()).unwrap();
                assert_eq!(r.batch.is_some(), n > 1);
            }
        }
        let bodies: Vec<_> = (0..3)
            .map(|i| {
                let mut body = receipt.body.clone();
                body.received_at_ms = i;
                let bytes = body.signing_bytes();
                (body, bytes)
            })
            .collect();
        let receipts = countersign_batch(&server, bodies);
        let key = server.verifying_key();
        // Another receipt's body under this one's proof, or a proof moved: refused.
        let mut r = receipts[0].clone();
        r.body.received_at_ms = 1;
        assert_eq!(r.verify_with(&key), Err(ReceiptError::ServerSignature));
        let mut r = receipts[0].clone();
        r.batch = receipts[1].batch.clone();
        assert_eq!(r.verify_with(&key), Err(ReceiptError::ServerSignature));
        let mut r = receipts[0].clone();
        r.batch = None;
        assert_eq!(r.verify_with(&key), Err(ReceiptError::ServerSignature));
        let mut r = receipts[2].clone();
        r.batch.as_mut().unwrap().size = 9;
        assert!(r.verify_with(&key).is_err());
    }

    proptest::proptest! {
        /// The composed bytes the server signs equal the generic encoding, whatever the
        /// strings hold (quotes, escapes, control characters, Chinese) and whatever the
        /// time; statement bytes of another domain are refused.
        #[test]
        fn composed_receipt_bytes_equal_the_generic_encoding(
            key_id in "\\PC{0,12}",
            public_key in "[\"\\\\\\u{0}-\\u{1f}a-z一-三]{0,10}",
            received in proptest::num::i64::ANY,
            receipt_id in "\\PC{0,8}",
            device in proptest::option::of(("\\PC{0,8}", proptest::num::i64::ANY)),
        ) {
            let (receipt, _) = signed();
            let mut body = receipt.body;
            body.server_key_id = key_id;
            body.client_public_key = public_key;
            body.received_at_ms = received;
            body.statement.receipt_id = receipt_id;
            body.device = device.map(|(id, seq)| CollectingDevice { id, seq });
            let statement = body.statement.signing_bytes();
            proptest::prop_assert_eq!(body.signing_bytes_with(&statement), Some(body.signing_bytes()));
            proptest::prop_assert_eq!(body.signing_bytes_with(&statement[1..]), None);
        }
    }
}
