//! The seed corpus: a few small, real inputs per target, made with `shared`'s own
//! builders and the fixed keys of this crate, so that the fuzzer starts from inputs that
//! pass every check and mutates from there. `examples/seeds.rs` writes them to
//! `fuzz/corpus/<target>/`.

use ed25519_dalek::Signer as _;
use serde_json::json;
use shared::{
    api::sync::{SyncBatch, SyncRecord},
    consent::{
        b64, build_statement, countersign_batch, record_hash, sha256_tagged, CollectingDevice,
        ConsentChoices, ConsentStatement, HashKey, ReceiptBody, SignedReceipt, Signing,
    },
    i18n::Locale,
    schema::{Answers, FormDefinition},
    sync::SyncEnvelope,
};

use crate::agree::{AgreeCase, PointSpec, SChoice, Spelling};

/// One seed: a file name and its bytes.
pub type Seed = (&'static str, Vec<u8>);

const RECEIVED_AT_MS: i64 = 1_780_000_060_000;

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// The demo form's answers with `changes` applied (a `null` removes a key).
#[must_use]
pub fn demo_answers_with(changes: &serde_json::Value) -> Answers {
    let mut answers = FormDefinition::demo_answers();
    if let Some(changes) = changes.as_object() {
        for (key, value) in changes {
            if value.is_null() {
                answers.remove(key);
            } else {
                answers.insert(key.clone(), value.clone());
            }
        }
    }
    answers
}

/// `form_schema` seeds: a definition, [`crate::SCHEMA_END`], then answers.
#[must_use]
pub fn form_schema() -> Vec<Seed> {
    let demo = FormDefinition::demo_customer_registration()
        .to_json()
        .unwrap_or_default();
    let blank = FormDefinition::blank().to_json().unwrap_or_default();
    let with = |definition: &str, answers: &Answers| {
        let mut bytes = definition.as_bytes().to_vec();
        bytes.push(crate::SCHEMA_END);
        bytes.extend(to_json(answers));
        bytes
    };
    // `marketing_opt_in: false` hides the channel the answers still give.
    let wrong = demo_answers_with(&json!({
        "marketing_opt_in": false,
        "mobile": "12345", "email": "no at sign", "date_of_birth": "1990-02-30",
        "resident_id": "110101199003071234", "interests": ["travel", "travel", "nope"],
        "messages_per_month": "20.5", "unknown": 1, "signature": "data:image/png;base64,AAAA",
    }));
    vec![
        ("demo.json", with(&demo, &FormDefinition::demo_answers())),
        ("demo-invalid-answers.json", with(&demo, &wrong)),
        ("blank.json", with(&blank, &Answers::new())),
    ]
}

/// The key of the seeds' statements' hashes.
#[must_use]
pub fn hash_key() -> HashKey {
    HashKey::from_bytes([7; 32])
}

/// A statement for the demo answers (changed by `changes`), as a browser or a device
/// builds it.
#[must_use]
pub fn statement(receipt_id: &str, changes: &serde_json::Value) -> (ConsentStatement, Answers) {
    let version = crate::demo_version();
    let answers = demo_answers_with(changes);
    let validated = version
        .definition
        .validate(&answers, crate::today())
        .unwrap_or_default();
    let signing = Signing {
        receipt_id: receipt_id.to_owned(),
        hash_key: hash_key(),
        signed_at_ms: 1_780_000_000_000,
        locale: Locale::ZhCn,
    };
    let choices = ConsentChoices::all_demo();
    (
        build_statement(&version, &validated, &choices, signing),
        answers,
    )
}

fn body(statement: ConsentStatement, device: Option<CollectingDevice>) -> ReceiptBody {
    let (client_public_key, client_signature) = match &device {
        None => statement.sign(&crate::browser_key()),
        Some(device) => {
            let statement_hash = sha256_tagged(&statement.signing_bytes());
            let envelope = SyncEnvelope::of_new_record(&statement, device, statement_hash);
            let key = crate::device_key();
            (b64(key.verifying_key().as_bytes()), envelope.sign(&key))
        }
    };
    ReceiptBody {
        statement,
        client_public_key,
        client_signature,
        device,
        received_at_ms: RECEIVED_AT_MS,
        server_key_id: crate::SERVER_KEY_ID.to_owned(),
    }
}

/// `receipt` seeds: a customer's receipt signed alone, one of three countersigned
/// together (with a batch proof), and one a staff device collected.
#[must_use]
pub fn receipts() -> Vec<(&'static str, SignedReceipt)> {
    let key = crate::server_key();
    let (statement_1, _) = statement("4b0d7d2e-0c8a-4f57-9f43-6a1f0e2d3c4b", &json!({}));
    let alone = body(statement_1, None).countersign(key);
    let together: Vec<(ReceiptBody, Vec<u8>)> = (0..3)
        .map(|i| {
            let id = format!("9c2e4f6a-1b3d-4e5f-8a7b-0c1d2e3f4a5{i}");
            let body = body(statement(&id, &json!({})).0, None);
            let bytes = body.signing_bytes();
            (body, bytes)
        })
        .collect();
    let batched = countersign_batch(key, together).swap_remove(1);
    let device = CollectingDevice {
        id: crate::DEVICE_ID.to_owned(),
        seq: 7,
    };
    let (statement_3, _) = statement("2f3e4d5c-6b7a-4891-a0b1-c2d3e4f5a6b7", &json!({}));
    let collected = body(statement_3, Some(device)).countersign(key);
    vec![
        ("browser.json", alone),
        ("batch-member.json", batched),
        ("device.json", collected),
    ]
}

/// The seed receipts as bytes.
#[must_use]
pub fn receipt() -> Vec<Seed> {
    receipts()
        .into_iter()
        .map(|(name, receipt)| (name, to_json(&receipt)))
        .collect()
}

/// A record the device signs: new when `base_version` is `None`, else an edit whose
/// envelope binds the hash of its (edited) answers.
fn record(
    statement: &ConsentStatement,
    answers: Answers,
    seq: i64,
    base_version: Option<i64>,
) -> SyncRecord {
    let mut record = SyncRecord {
        uuid: statement.receipt_id.clone(),
        seq,
        form_id: statement.form_id.clone(),
        form_version: statement.form_version,
        answers,
        statement: statement.clone(),
        hash_key: base_version.is_none().then(|| hash_key().to_text()),
        base_version,
        signature: String::new(),
    };
    let payload_hash = match base_version {
        None => statement.record_hash.clone(),
        Some(_) => crate::demo_version()
            .definition
            .validate(&record.answers, crate::today())
            .map(|v| record_hash(&v))
            .unwrap_or_default(),
    };
    let envelope = crate::envelope_of(crate::DEVICE_ID, &record, payload_hash);
    record.signature = envelope.sign(&crate::device_key());
    record
}

/// `sync_batch` seeds: two new records, the same with an edit of the first, and a batch
/// with a record of the wrong shape beside a good one.
#[must_use]
pub fn sync_batch() -> Vec<Seed> {
    let (first, answers) = statement("6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b", &json!({}));
    let no_marketing = json!({"marketing_opt_in": false, "preferred_channel": null,
        "messages_per_month": null});
    let (second, second_answers) = statement("7a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d", &no_marketing);
    let new = vec![
        record(&first, answers.clone(), 1, None),
        record(&second, second_answers, 2, None),
    ];
    let edited = demo_answers_with(&json!({"preferred_channel": "sms", "messages_per_month": 2}));
    let mut with_edit = new.clone();
    with_edit.push(record(&first, edited, 3, Some(1)));
    let batch = |records: Vec<SyncRecord>| SyncBatch {
        device_id: crate::id(crate::DEVICE_ID),
        records,
    };
    let mut with_malformed = serde_json::to_value(batch(vec![new[0].clone()])).unwrap_or_default();
    if let Some(records) = with_malformed["records"].as_array_mut() {
        records.push(json!({"uuid": "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a", "seq": "four"}));
    }
    vec![
        ("two-new.json", to_json(&batch(new))),
        ("new-and-edit.json", to_json(&batch(with_edit))),
        ("one-malformed.json", to_json(&with_malformed)),
    ]
}

/// `verify_agree` seeds: an honest signature, raw and built, and a key of small order
/// with a signature whose `R` has small order too and `s` is zero.
#[must_use]
pub fn verify_agree() -> Vec<Seed> {
    let message = b"3c1a5e7f-9b2d-4c6e-8a0f-1d3b5c7e9f2a".to_vec();
    let key = crate::device_key();
    let signed = crate::agree::AgreeCase::Built {
        key: PointSpec {
            torsion: 0,
            small: false,
            spelling: Spelling::Canonical,
        },
        r: PointSpec {
            torsion: 0,
            small: false,
            spelling: Spelling::Canonical,
        },
        s: SChoice::Honest,
        secret: [0x11; 32],
        nonce: [0x22; 32],
        raw_s: [0; 32],
        message: message.clone(),
    };
    let raw_envelope = AgreeCase::Raw {
        key: [0; 32],
        signature: [0; 64],
        message: message.clone(),
    }
    .triple()
    .envelope;
    let raw = AgreeCase::Raw {
        key: key.verifying_key().to_bytes(),
        signature: key.sign(&raw_envelope.signing_bytes()).to_bytes(),
        message: message.clone(),
    };
    let small = AgreeCase::Built {
        key: PointSpec {
            torsion: 4,
            small: true,
            spelling: Spelling::Canonical,
        },
        r: PointSpec {
            torsion: 0,
            small: true,
            spelling: Spelling::Canonical,
        },
        s: SChoice::Zero,
        secret: [0; 32],
        nonce: [0; 32],
        raw_s: [0; 32],
        message,
    };
    vec![
        ("honest-built.bin", signed.to_bytes()),
        ("honest-raw.bin", raw.to_bytes()),
        ("small-order-key.bin", small.to_bytes()),
    ]
}
