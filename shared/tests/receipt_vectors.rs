//! Pins the canonical bytes of a consent statement and receipt, with keys and
//! signatures (a receipt countersigned in a batch, with its Merkle proof, and one whose
//! consent a staff device signed through its sync envelope), in
//! `tests/vectors/receipt-v1.json`, and checks that file with an
//! ed25519 implementation other than ours (Node's `crypto`, via `verify-receipt.mjs`).
//!
//! `UPDATE_VECTORS=1 cargo test -p consentry-shared --test receipt_vectors` rewrites the
//! file after a deliberate change of the encoding.
#![allow(clippy::unwrap_used)]

mod common;

use ed25519_dalek::SigningKey;
use shared::{
    consent::{
        b64, countersign_batch, sha256_tagged, subject_hash, CollectingDevice, ConsentStatement,
        ReceiptBody, SeparateConsents, SALTED_FORMAT,
    },
    i18n::Locale,
    sync::SyncEnvelope,
};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/receipt-v1.json");

fn vector() -> serde_json::Value {
    let statement = ConsentStatement {
        format: SALTED_FORMAT,
        receipt_id: "6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b".into(),
        form_id: "0b6e1f0a-8a55-4b8e-9c1e-2d3c4b5a6978".into(),
        form_version: 3,
        form_version_hash: format!("sha256:{}", "ab".repeat(32)),
        notice_hash: format!("sha256:{}", "cd".repeat(32)),
        purposes_granted: vec!["identity".into(), "service".into()],
        purposes_declined: vec!["marketing".into()],
        separate_consents: SeparateConsents {
            sensitive: true,
            cross_border: false,
            guardian: false,
        },
        subject_hash: subject_hash(b"0123456789abcdef", "+8613800138000"),
        subject_salt: Some(b64(b"0123456789abcdef")),
        signature_hash: format!("sha256:{}", "ef".repeat(32)),
        record_hash: format!("sha256:{}", "01".repeat(32)),
        signed_at_ms: 1_795_000_000_000,
        locale: Locale::ZhCn,
    };
    let client = SigningKey::from_bytes(&[7u8; 32]);
    let server = SigningKey::from_bytes(&[9u8; 32]);
    let statement_bytes = statement.signing_bytes();
    let (client_public_key, client_signature) = statement.sign(&client);
    let body = ReceiptBody {
        statement,
        client_public_key: client_public_key.clone(),
        client_signature: client_signature.clone(),
        device: None,
        received_at_ms: 1_795_000_000_500,
        server_key_id: "2026-11-k1".into(),
    };
    let receipt_bytes = body.signing_bytes();
    // Three receipts countersigned together; the vector keeps the middle one.
    let together: Vec<_> = (0..3)
        .map(|i| {
            let mut b = body.clone();
            b.received_at_ms += i;
            let bytes = b.signing_bytes();
            (b, bytes)
        })
        .collect();
    let batch_receipt_bytes = together[1].1.clone();
    let batch_receipt = countersign_batch(&server, together).swap_remove(1);
    batch_receipt.verify_with(&server.verifying_key()).unwrap();
    let receipt = body.clone().countersign(&server);
    receipt.verify_with(&server.verifying_key()).unwrap();
    // A record a staff device collected: the device signs the record's sync envelope.
    let device_key = SigningKey::from_bytes(&[5u8; 32]);
    let device = CollectingDevice {
        id: "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a".into(),
        seq: 42,
    };
    let envelope =
        SyncEnvelope::of_new_record(&body.statement, &device, sha256_tagged(&statement_bytes));
    let mut device_body = body;
    device_body.client_public_key = b64(device_key.verifying_key().as_bytes());
    device_body.client_signature = envelope.sign(&device_key);
    device_body.device = Some(device);
    let device_receipt_bytes = device_body.signing_bytes();
    let device_receipt = device_body.countersign(&server);
    device_receipt.verify_with(&server.verifying_key()).unwrap();
    serde_json::json!({
        "comment": "Consentry consent receipt test vector, format 1. Bytes are UTF-8; keys and signatures unpadded base64url; ed25519 per RFC 8032.",
        "statement_bytes": String::from_utf8(statement_bytes).unwrap(),
        "client_public_key": client_public_key,
        "client_signature": client_signature,
        "receipt_bytes": String::from_utf8(receipt_bytes).unwrap(),
        "server_public_key": b64(server.verifying_key().as_bytes()),
        "server_signature": receipt.server_signature,
        "receipt": receipt,
        "batch_receipt_bytes": String::from_utf8(batch_receipt_bytes).unwrap(),
        "batch_receipt": batch_receipt,
        "envelope_bytes": String::from_utf8(envelope.signing_bytes()).unwrap(),
        "device_receipt_bytes": String::from_utf8(device_receipt_bytes).unwrap(),
        "device_receipt": device_receipt,
    })
}

#[test]
fn committed_vectors_match_the_encoding() {
    let expected = serde_json::to_string_pretty(&vector()).unwrap() + "\n";
    if std::env::var_os("UPDATE_VECTORS").is_some() {
        std::fs::write(VECTORS, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(VECTORS).unwrap();
    assert_eq!(
        committed, expected,
        "the receipt encoding changed; see the module docs"
    );
}

#[test]
fn another_ed25519_implementation_agrees() {
    let stdout = common::node("verify-receipt.mjs", "receipt-v1.json");
    assert_eq!(
        stdout,
        "statement: valid\nreceipt: valid\ntampered statement: invalid\ntampered receipt: invalid\n\
         batch receipt: valid\ntampered batch receipt: invalid\n\
         device receipt: valid\ntampered device receipt: invalid\nother device sequence: invalid"
    );
}
