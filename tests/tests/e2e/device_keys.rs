//! The server accepts no device key or signature that a receipt verifier would refuse
//! (issue #18): a key of mixed order is refused at registration, a signature whose `R`
//! carries a point of small order is refused by `/sync` and stores nothing, and a key of
//! mixed order stored before registration checked it signs nothing.

use consentry_tests::{
    consent::{demo_answers, new_key, Choices},
    story,
    sync::{post_sync, register_device, signed_record},
};
use curve25519_dalek::{constants::EIGHT_TORSION, EdwardsPoint, Scalar};
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha512};
use shared::{
    api::{
        auth::Role,
        error::{ApiError, ErrorCode},
        forms::VersionDetail,
        sync::{DeviceInfo, SyncBatch, SyncRecord, SyncResponse, SyncStatus},
    },
    consent::{b64, verify_signature, CollectingDevice},
    ids::DeviceId,
    sync::{statement_hash, SyncEnvelope},
};

/// `T[i]` of the eight points of small order: `T[1]` has order 8, `T[4]` order 2.
fn torsion(i: usize) -> EdwardsPoint {
    EIGHT_TORSION[i]
}

/// What an honest signer computes with secret scalar `a` and nonce `r` when points of
/// small order are added to the key and to `R`: `A = a·B + key_torsion`,
/// `R = r·B + r_torsion`, `s = r + k·a` with `k = SHA-512(R || A || message)`.
fn sign_with_torsion(
    a: Scalar,
    r: Scalar,
    key_torsion: EdwardsPoint,
    r_torsion: EdwardsPoint,
    message: &[u8],
) -> ([u8; 32], Signature) {
    let key = (EdwardsPoint::mul_base(&a) + key_torsion)
        .compress()
        .to_bytes();
    let big_r = (EdwardsPoint::mul_base(&r) + r_torsion)
        .compress()
        .to_bytes();
    let k = Scalar::from_hash(
        Sha512::new()
            .chain_update(big_r)
            .chain_update(key)
            .chain_update(message),
    );
    let mut signature = [0; 64];
    signature[..32].copy_from_slice(&big_r);
    signature[32..].copy_from_slice(&(r + k * a).to_bytes());
    (key, Signature::from_bytes(&signature))
}

/// A nonce from a seed (deterministic, so that a failure reproduces).
fn nonce(seed: &[u8]) -> Scalar {
    Scalar::from_hash(Sha512::new().chain_update(b"nonce").chain_update(seed))
}

/// The envelope a new record's signature covers, as anyone rebuilds it from the receipt.
fn envelope_of(record: &SyncRecord, device_id: DeviceId) -> SyncEnvelope {
    SyncEnvelope::of_new_record(
        &record.statement,
        &CollectingDevice {
            id: device_id.to_string(),
            seq: record.seq,
        },
        statement_hash(&record.statement),
    )
}

fn demo_record(
    version: &VersionDetail,
    device_id: DeviceId,
    key: &SigningKey,
    seq: i64,
) -> SyncRecord {
    signed_record(
        version,
        &demo_answers(),
        &Choices::all_demo(),
        &device_id,
        key,
        seq,
    )
}

/// The batch's one record was refused with `invalid_signature`.
fn assert_invalid_signature(response: &SyncResponse) {
    match &response.results[0].status {
        SyncStatus::Rejected { code, .. } => assert_eq!(code, "invalid_signature"),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

story!(a_device_key_of_mixed_order_is_refused, |app| {
    let staff = app.collector(Role::Staff).await;
    // `a·B + T`, `T` of order 8: not of small order, so `is_weak` lets it through.
    let a = new_key().to_scalar();
    let key = (EdwardsPoint::mul_base(&a) + torsion(1))
        .compress()
        .to_bytes();
    assert!(!VerifyingKey::from_bytes(&key).unwrap().is_weak());
    let e: ApiError = staff
        .post_json(
            "/devices",
            &serde_json::json!({"name": "phone", "public_key": b64(&key)}),
            422,
        )
        .await;
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert_eq!(
        e.details.unwrap().fields["public_key"][0].code,
        "public_key_invalid"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM devices").await, 0);
});

story!(
    a_signature_whose_r_carries_torsion_is_refused_and_nothing_stored,
    |app| {
        let version = app.demo_version().await;
        let staff = app.collector(Role::Staff).await;
        let (device, key) = register_device(&staff, "phone").await;
        // The record signed honestly by the device's key, but with `T` (order 8) added
        // to `R`: a batch check (cofactored) accepts it, the receipt verifier does not.
        let mut record = demo_record(&version, device.id, &key, 1);
        let message = envelope_of(&record, device.id).signing_bytes();
        let (public, signature) = sign_with_torsion(
            key.to_scalar(),
            nonce(&message),
            EdwardsPoint::default(),
            torsion(1),
            &message,
        );
        assert_eq!(&public, key.verifying_key().as_bytes());
        assert!(verify_signature(&key.verifying_key(), &message, &signature).is_err());
        record.signature = b64(&signature.to_bytes());
        let batch = SyncBatch {
            device_id: device.id,
            records: vec![record],
        };
        let response = post_sync(&staff, &batch).await;
        assert_invalid_signature(&response);
        assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 0);
        // The device itself is fine: its honest record is stored.
        let honest = SyncBatch {
            device_id: device.id,
            records: vec![demo_record(&version, device.id, &key, 2)],
        };
        let response = post_sync(&staff, &honest).await;
        assert!(
            matches!(response.results[0].status, SyncStatus::Stored { .. }),
            "{response:?}"
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 1);
    }
);

story!(
    a_mixed_order_key_stored_before_the_check_signs_nothing,
    |app| {
        let version = app.demo_version().await;
        let staff = app.collector(Role::Staff).await;
        // A key `a·B + T`, `T` of order 2, registered before registration checked
        // torsion: written straight to the database.
        let a = new_key().to_scalar();
        let key = (EdwardsPoint::mul_base(&a) + torsion(4))
            .compress()
            .to_bytes();
        let device = DeviceInfo {
            id: DeviceId::from_uuid(uuid::Uuid::new_v4()),
            name: "old phone".to_owned(),
            user_id: staff.user().id,
            public_key: b64(&key),
            created_at_ms: 1_700_000_000_000,
            revoked_at_ms: None,
            last_seq: 0,
        };
        let db = consentry_server::store::Db::connect(&app.database_url)
            .await
            .unwrap();
        assert!(db.insert_device(&device).await.unwrap());
        db.close().await;
        // A record whose signature even the receipt verifier accepts (with `T` of order
        // 2 that holds for every even `k`): the key is still not trusted.
        let template = demo_record(&version, device.id, &SigningKey::from_bytes(&[1; 32]), 1);
        let message = envelope_of(&template, device.id).signing_bytes();
        let signature = (0u8..64)
            .map(|i| {
                sign_with_torsion(
                    a,
                    nonce(&[i]),
                    torsion(4),
                    EdwardsPoint::default(),
                    &message,
                )
            })
            .find(|(public, signature)| {
                verify_signature(
                    &VerifyingKey::from_bytes(public).unwrap(),
                    &message,
                    signature,
                )
                .is_ok()
            })
            .map(|(_, signature)| signature)
            .unwrap();
        let record = SyncRecord {
            signature: b64(&signature.to_bytes()),
            ..template
        };
        let batch = SyncBatch {
            device_id: device.id,
            records: vec![record],
        };
        let response = post_sync(&staff, &batch).await;
        assert_invalid_signature(&response);
        assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 0);
    }
);
