//! Forgery (issue #18), end to end. `device_keys.rs` covers keys of mixed order at
//! registration and in the database, and `R` carrying torsion; `shared`'s unit tests
//! and the `verify_agree` fuzz target cover the signature rule itself. Here `POST
//! /sync` and customer submissions get every other forgery: one bit flipped in the
//! signature's `R` or `S`, in the signed payload, the statement or the envelope's
//! fields; `S + L` (a non-canonical scalar); a signature moved to another record or
//! made by another device's key; keys of small order and non-canonical encodings at
//! registration; the identity key with the signature that "verifies" under it for any
//! message. Each is refused, stores nothing, and the server's verdict is the offline
//! receipt verifier's (`shared::consent::verify_signature`).

use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    story,
    sync::{post_sync, register_device, resigned, signed_record},
    Expect, TestApp,
};
use curve25519_dalek::constants::EIGHT_TORSION;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use serde_json::json;
use shared::{
    api::{
        auth::Role,
        consent::SubmitRequest,
        error::{ApiError, ErrorCode},
        forms::VersionDetail,
        sync::{SyncBatch, SyncRecord, SyncStatus},
    },
    consent::{b64, verify_signature, CollectingDevice},
    ids::DeviceId,
    sync::{statement_hash, SyncEnvelope},
};

/// The order of the group, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

fn decode64(text: &str) -> [u8; 64] {
    decode(text).try_into().unwrap()
}

/// The signature with bit `bit` flipped.
fn flipped(signature: &str, bit: usize) -> String {
    let mut bytes = decode64(signature);
    bytes[bit / 8] ^= 1 << (bit % 8);
    b64(&bytes)
}

/// The same signature with `S + L` in place of `S`: the same scalar, not canonically
/// written.
fn s_plus_l(signature: &str) -> String {
    let mut bytes = decode64(signature);
    let mut carry = 0u16;
    for (byte, l) in bytes[32..].iter_mut().zip(L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    b64(&bytes)
}

/// What the offline receipt verifier says of a new record's device signature.
fn offline_accepts(record: &SyncRecord, device: DeviceId, key: &VerifyingKey) -> bool {
    let envelope = SyncEnvelope::of_new_record(
        &record.statement,
        &CollectingDevice {
            id: device.to_string(),
            seq: record.seq,
        },
        statement_hash(&record.statement),
    );
    let Ok(bytes) = <[u8; 64]>::try_from(
        base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            &record.signature,
        )
        .unwrap_or_default(),
    ) else {
        return false;
    };
    verify_signature(
        key,
        &envelope.signing_bytes(),
        &Signature::from_bytes(&bytes),
    )
    .is_ok()
}

fn record(version: &VersionDetail, device: DeviceId, key: &SigningKey, seq: i64) -> SyncRecord {
    signed_record(
        version,
        &demo_answers(),
        &Choices::all_demo(),
        &device,
        key,
        seq,
    )
}

story!(forged_sync_records_are_refused_and_store_nothing, |app| {
    let version = app.demo_version().await;
    let staff = app.collector(Role::Staff).await;
    let (device, key) = register_device(&staff, "phone").await;
    let (_, other_key) = register_device(&staff, "tablet").await;
    let mut seq = 0;
    let mut next = || {
        seq += 1;
        seq
    };
    let honest = |seq| record(&version, device.id, &key, seq);

    let mut forgeries: Vec<(String, SyncRecord)> = Vec::new();
    for bit in [0, 9, 130, 255, 256, 301, 400, 511] {
        let mut r = honest(next());
        r.signature = flipped(&r.signature, bit);
        forgeries.push((format!("signature bit {bit} flipped"), r));
    }
    let mut r = honest(next());
    r.signature = s_plus_l(&r.signature);
    forgeries.push(("S + L".into(), r));
    let mut r = honest(next());
    r.signature = b64(&[0; 64]);
    forgeries.push(("an all-zero signature".into(), r));
    // The identity as `R` and `S = 0`: valid under a key of small order for any message.
    let mut r = honest(next());
    let mut identity = [0u8; 64];
    identity[0] = 1;
    r.signature = b64(&identity);
    forgeries.push(("the small-order forgery".into(), r));
    // The signed content changed after signing.
    let mut r = honest(next());
    r.statement.signed_at_ms ^= 1;
    forgeries.push(("the statement's time, one bit".into(), r));
    let mut r = honest(next());
    r.statement.purposes_granted.pop();
    forgeries.push(("a purpose taken out of the statement".into(), r));
    let mut r = honest(next());
    r.seq = next();
    forgeries.push(("another sequence number".into(), r));
    let mut r = honest(next());
    r.form_version += 1;
    forgeries.push(("another form version".into(), r));
    let mut r = honest(next());
    let mut answers = r.answers.clone();
    answers.insert("full_name".into(), json!("Someone Else"));
    r.answers = answers;
    forgeries.push(("the answers changed".into(), r));
    // A signature moved from another record, and one made by another device's key.
    let (a, mut b) = (honest(next()), honest(next()));
    b.signature = a.signature.clone();
    forgeries.push(("a signature moved from another record".into(), b));
    let other = resigned(honest(next()), &device.id, &other_key);
    forgeries.push(("signed by another device".into(), other));
    let mut r = honest(next());
    r.signature = r.signature[..40].to_owned();
    forgeries.push(("a truncated signature".into(), r));
    let mut r = honest(next());
    r.signature = "!!!! not base64 !!!!".into();
    forgeries.push(("not base64".into(), r));

    for (what, forged) in forgeries {
        // The device's signature covers the statement, not the answers or the record's
        // own form version (the statement's must match them): those two the server
        // refuses by its checks of the statement, any other by the signature, as an
        // offline verifier does.
        let content_only =
            forged.answers != demo_answers() || forged.form_version != version.summary.number;
        assert!(
            content_only || !offline_accepts(&forged, device.id, &key.verifying_key()),
            "{what}: the offline verifier accepts it"
        );
        let fresh = honest(next());
        let batch = SyncBatch {
            device_id: device.id,
            records: vec![forged.clone(), fresh],
        };
        let answer = post_sync(&staff, &batch).await;
        match &answer.results[0].status {
            SyncStatus::Rejected { code, .. } => {
                assert!(!code.is_retryable(), "{what}: {code:?} is final");
            }
            other => panic!("{what}: answered {other:?}"),
        }
        assert!(
            matches!(answer.results[1].status, SyncStatus::Stored { .. }),
            "{what}: the honest record beside it: {:?}",
            answer.results[1].status
        );
        let stored = app
            .count(&format!(
                "SELECT COUNT(*) FROM records WHERE id = '{}'",
                forged.uuid
            ))
            .await;
        assert_eq!(stored, 0, "{what}: stored");
    }
});

story!(
    keys_of_small_order_or_written_non_canonically_are_refused,
    |app| {
        let staff = app.collector(Role::Staff).await;
        let mut keys: Vec<(String, String)> = EIGHT_TORSION
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("torsion point {i}"), b64(&t.compress().to_bytes())))
            .collect();
        let mut y_plus_p = [0xff; 32];
        y_plus_p[0] = 0xee;
        y_plus_p[31] = 0x7f;
        let mut negative_zero = [0; 32];
        negative_zero[0] = 1;
        negative_zero[31] = 0x80;
        keys.push(("the identity as y = 1 + p".into(), b64(&y_plus_p)));
        keys.push(("the identity with the sign bit".into(), b64(&negative_zero)));
        keys.push(("all ones".into(), b64(&[0xff; 32])));
        keys.push(("31 bytes".into(), b64(&[7; 31])));
        keys.push(("33 bytes".into(), b64(&[7; 33])));
        keys.push(("not base64".into(), "*&^%".into()));
        let good = new_key().verifying_key();
        let mut flipped_key = good.to_bytes();
        flipped_key[31] ^= 0x80;
        keys.push((
            "a good key with its sign bit flipped".into(),
            b64(&flipped_key),
        ));
        for (what, key) in keys {
            let r = staff
                .post("/devices")
                .json(&json!({"name": "phone", "public_key": key}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            if what.starts_with("a good key") {
                // Another valid point (the negation of the key), unless it is not on the
                // curve: never a 5xx.
                assert!(status == 201 || status == 422, "{what}: {status}");
                continue;
            }
            let e: ApiError = consentry_tests::expect_json(r, 422).await;
            assert_eq!(e.code, ErrorCode::ValidationFailed, "{what}");
        }
        assert!(app.count("SELECT COUNT(*) FROM devices").await <= 1);
    }
);

/// Posts a submission to the demo form: the status and the error, if any.
async fn submit(app: &TestApp, req: &SubmitRequest) -> (u16, Option<ApiError>) {
    let r = app.submit(req).await;
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).ok())
}

story!(forged_customer_submissions_are_refused, |app| {
    let version = app.demo_version().await;
    let honest = || {
        signed_submission(
            &version,
            &demo_answers(),
            &Choices::all_demo(),
            &new_key(),
            &uuid::Uuid::now_v7().to_string(),
        )
    };
    let mut forgeries: Vec<(String, SubmitRequest)> = Vec::new();
    for bit in [0, 77, 255, 256, 390, 511] {
        let mut r = honest();
        r.client_signature = flipped(&r.client_signature, bit);
        forgeries.push((format!("signature bit {bit} flipped"), r));
    }
    let mut r = honest();
    r.client_signature = s_plus_l(&r.client_signature);
    forgeries.push(("S + L".into(), r));
    let (a, mut b) = (honest(), honest());
    b.client_signature = a.client_signature.clone();
    forgeries.push(("a signature moved from another submission".into(), b));
    let (a, mut b) = (honest(), honest());
    b.client_public_key = a.client_public_key.clone();
    forgeries.push(("another submission's key".into(), b));
    let mut r = honest();
    r.statement.signed_at_ms ^= 1;
    forgeries.push(("the statement's time, one bit".into(), r));
    let mut r = honest();
    let mut key = decode(&r.client_public_key);
    key[5] ^= 0x10;
    r.client_public_key = b64(&key);
    forgeries.push(("a key bit flipped".into(), r));
    // Keys of small order, with the signature that verifies under them for any message
    // (`R` the identity, `S = 0`) or with the statement signed honestly by some key.
    for (i, t) in EIGHT_TORSION.iter().enumerate() {
        let mut r = honest();
        r.client_public_key = b64(&t.compress().to_bytes());
        let mut identity = [0u8; 64];
        identity[0] = 1;
        r.client_signature = b64(&identity);
        forgeries.push((format!("the torsion key {i} with the universal forgery"), r));
    }
    for (what, forged) in forgeries {
        let (status, error) = submit(&app, &forged).await;
        assert!(
            (400..500).contains(&status),
            "{what}: answered {status} {error:?}"
        );
        assert!(error.is_some(), "{what}: {status} without an ApiError");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 0);
    // The honest one is stored.
    Expect::expect_status(
        app.anonymous()
            .post(&format!("/public/forms/{}/submissions", app.demo_form_id))
            .json(&honest()),
        201,
    )
    .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 1);
    let _ = Expect::expect_status(app.fetch("/healthz"), 200).await;
});
