//! A sync request body (JSON) from the registered fuzz device, taken through the steps
//! of `POST /sync` that need no database: the strict parse, then the lenient one
//! record by record (`server/src/sync/handlers.rs`); each record's identity and the
//! envelope it claims, each signature checked as `server/src/sync/verify.rs` does
//! (`SyncEnvelope::verify_with`); answers validated against the demo form and the
//! statement checked (`check_and_seal`); an edit merged (`merge_plan`); receipts
//! countersigned together. Nothing may panic, and:
//!
//! * a body (of UTF-8) that parses strictly reads the same leniently;
//! * a new record's signature checked as a sync envelope and as its receipt's client
//!   signature agree (anyone rebuilds the envelope from the receipt);
//! * every receipt countersigned together verifies.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use shared::{
    api::sync::{Received, SyncBatch, SyncRecord, MAX_SYNC_BATCH},
    consent::{
        check_statement, countersign_batch, record_hash, signature, CollectingDevice, DeviceKey,
        HashKey, ReceiptBody, StatementContext,
    },
    schema::ValidatedAnswers,
    sync::merge_plan,
};

fuzz_target!(|data: &[u8]| {
    let batch: SyncBatch<Received> = match serde_json::from_slice::<SyncBatch>(data) {
        Ok(strict) => {
            let strict = SyncBatch::<Received>::from(strict);
            // Only for UTF-8: the strict read skips unknown members without checking their
            // bytes, where the lenient read (a raw value per record) refuses the body.
            if std::str::from_utf8(data).is_ok() {
                match serde_json::from_slice::<SyncBatch<Received>>(data) {
                    Ok(lenient) => assert_eq!(lenient, strict, "lenient and strict reads differ"),
                    Err(e) => panic!("a body that parses strictly does not parse leniently: {e}"),
                }
            }
            strict
        }
        Err(_) => match serde_json::from_slice(data) {
            Ok(lenient) => lenient,
            Err(_) => return,
        },
    };
    assert!(
        batch.records.len() <= MAX_SYNC_BATCH + 1,
        "at_most_a_batch kept too many"
    );
    if batch.records.len() > MAX_SYNC_BATCH {
        return;
    }
    let records: Vec<SyncRecord> = batch
        .records
        .into_iter()
        .filter_map(|received| match received {
            Received::Record(record) => Some(*record),
            Received::Malformed { .. } => None,
        })
        .filter(identity_holds)
        .collect();
    let (version, notice_hash) = fuzz_support::demo();
    let definition = &version.definition;
    let today = fuzz_support::today();
    // Each record with its validated answers (edits need them for their envelope).
    let checked: Vec<(SyncRecord, Option<ValidatedAnswers>)> = records
        .into_iter()
        .map(|r| {
            let answers = definition.validate(&r.answers, today).ok();
            (r, answers)
        })
        .collect();
    let accepted = verify_signatures(&checked);

    let device = fuzz_support::device();
    let device_id = device.id.to_string();
    let mut bodies = Vec::new();
    for ((record, answers), signed) in checked.into_iter().zip(accepted) {
        let Some(answers) = answers.filter(|_| signed) else {
            continue;
        };
        if record.base_version.is_some() {
            merge(&answers);
            continue;
        }
        let hash_key = record.hash_key.as_deref().and_then(HashKey::parse);
        let ctx = StatementContext {
            form_id: fuzz_support::id(fuzz_support::FORM_ID),
            form_version: version.summary.number,
            version_hash: &version.summary.hash,
            notice_hash,
            definition,
            answers: &answers,
            today,
            hash_key: hash_key.as_ref(),
        };
        let problems = check_statement(&ctx, &record.statement);
        let statement_bytes = record.statement.signing_bytes();
        let body = ReceiptBody {
            statement: record.statement,
            client_public_key: device.public_key.clone(),
            client_signature: record.signature,
            device: Some(CollectingDevice {
                id: device_id.clone(),
                seq: record.seq,
            }),
            received_at_ms: 1_780_000_060_000,
            server_key_id: fuzz_support::SERVER_KEY_ID.to_owned(),
        };
        assert_eq!(
            body.verify_client_signature(),
            Ok(()),
            "the envelope signature passed for the sync, not for the receipt"
        );
        if problems.is_empty() {
            let bytes = body
                .signing_bytes_with(&statement_bytes)
                .unwrap_or_else(|| body.signing_bytes());
            bodies.push((body, bytes));
        }
    }
    let keys = fuzz_support::key_set();
    for receipt in countersign_batch(fuzz_support::server_key(), bodies) {
        assert_eq!(
            receipt.verify(keys),
            Ok(()),
            "a fresh receipt does not verify"
        );
    }
});

/// The record's UUID and form agree with its consent (`check_identity`).
fn identity_holds(record: &SyncRecord) -> bool {
    shared::ids::RecordId::parse(&record.uuid).is_ok()
        && record.statement.receipt_id == record.uuid
        && record.statement.form_id == record.form_id
        && record.statement.form_version == record.form_version
}

/// Which records' signatures the server accepts: each checked on its own with the
/// device's key parsed once (`verify_signatures` in `server/src/sync/verify.rs`).
fn verify_signatures(checked: &[(SyncRecord, Option<ValidatedAnswers>)]) -> Vec<bool> {
    let device = fuzz_support::device();
    let device_id = device.id.to_string();
    let Ok(key) = DeviceKey::parse(&device.public_key) else {
        panic!("the fixture's device key does not parse");
    };
    checked
        .iter()
        .map(|(record, answers)| {
            // A new record's payload is its statement's record hash; an edit's, the hash
            // of its validated answers (an edit whose answers fail is refused before).
            let payload_hash = match (record.base_version, answers) {
                (None, _) => record.statement.record_hash.clone(),
                (Some(_), Some(answers)) => record_hash(answers),
                (Some(_), None) => return false,
            };
            let envelope = fuzz_support::envelope_of(&device_id, record, payload_hash);
            signature(&record.signature, "signature")
                .and_then(|sig| envelope.verify_with(&key, &sig))
                .is_ok()
        })
        .collect()
}

/// An edit of a record stored with the same answers, merged with the server's copy
/// unchanged and then changed everywhere; the merged answers are validated again.
fn merge(device: &ValidatedAnswers) {
    let (version, _) = fuzz_support::demo();
    let today = fuzz_support::today();
    let Ok(base) = version
        .definition
        .validate(&shared::schema::FormDefinition::demo_answers(), today)
    else {
        panic!("the demo answers do not validate");
    };
    let everything: BTreeSet<String> = base.iter().map(|(k, _)| k.as_str().to_owned()).collect();
    for server_changed in [BTreeSet::new(), everything] {
        let plan = merge_plan(&base, &base, &server_changed, device);
        let _ = version
            .definition
            .validate(&plan.answers.to_answers(), today);
        let _ = plan.into_conflicts(&base, device);
    }
}
