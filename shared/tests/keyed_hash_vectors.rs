//! Pins the keyed hashes of a format-2 statement (`shared::consent::keyed`) in
//! `tests/vectors/keyed-hashes-v2.json`, and checks them with Node's `crypto` HMAC
//! (`verify-keyed-hashes.mjs`), so that a verifier written elsewhere can tie a receipt
//! to an identifier with the customer's hash key.
//!
//! `UPDATE_VECTORS=1 cargo test -p consentry-shared --test keyed_hash_vectors` rewrites
//! the file after a deliberate change.
#![allow(clippy::unwrap_used)]

mod common;

use shared::{
    consent::{record_bytes, HashKey},
    schema::FormDefinition,
};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vectors/keyed-hashes-v2.json"
);

fn vector() -> serde_json::Value {
    let key = HashKey::from_bytes(*b"consentry keyed hash test vector");
    let def = FormDefinition::demo_customer_registration();
    let today = time::Date::from_calendar_date(2026, time::Month::June, 1).unwrap();
    let validated = def
        .validate(&FormDefinition::demo_answers(), today)
        .unwrap();
    let subject = shared::consent::subject_identifier(&def, &validated).unwrap();
    serde_json::json!({
        "comment": "Consentry format-2 statement hashes: HMAC-SHA-256 under the 32-byte hash key (unpadded base64url) of a domain line and the message, written hmac-sha256:<hex>.",
        "hash_key": key.to_text(),
        "subject": subject,
        "subject_hash": key.subject_hash(&subject),
        "typed_signature": "张三",
        "signature_hash": key.signature_hash(&validated),
        "record_bytes": String::from_utf8(record_bytes(&validated)).unwrap(),
        "record_hash": key.record_hash(&validated),
    })
}

#[test]
fn committed_vectors_match_the_hashes() {
    let expected = serde_json::to_string_pretty(&vector()).unwrap() + "\n";
    if std::env::var_os("UPDATE_VECTORS").is_some() {
        std::fs::write(VECTORS, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(VECTORS).unwrap();
    assert_eq!(committed, expected, "the keyed hashes changed");
}

#[test]
fn nodes_hmac_agrees() {
    assert_eq!(
        common::node("verify-keyed-hashes.mjs", "keyed-hashes-v2.json"),
        "subject: valid\nsignature: valid\nrecord: valid\nother subject: invalid"
    );
}
