//! What a staff member's device does: register a key, build and sign records to sync.

use ed25519_dalek::SigningKey;
use shared::ids::DeviceId;
use shared::{
    api::{forms::VersionDetail, sync::SyncRecord},
    consent::{b64, record_hash, CollectingDevice},
    schema::Answers,
    sync::{statement_hash, SyncEnvelope},
};

use crate::consent::{statement, Choices};

/// The public key a device registers, base64url.
#[must_use]
pub fn device_public_key(key: &SigningKey) -> String {
    b64(key.verifying_key().as_bytes())
}

/// A record collected offline on a device, with the customer's consent, signed by the
/// device key.
#[must_use]
pub fn signed_record(
    version: &VersionDetail,
    answers: &Answers,
    choices: &Choices,
    device_id: &DeviceId,
    key: &SigningKey,
    seq: i64,
) -> SyncRecord {
    signed_record_with_uuid(
        version,
        answers,
        choices,
        device_id,
        key,
        seq,
        &uuid::Uuid::now_v7().to_string(),
    )
}

/// The same with a given UUID (to replay or to collide on purpose).
#[must_use]
pub fn signed_record_with_uuid(
    version: &VersionDetail,
    answers: &Answers,
    choices: &Choices,
    device_id: &DeviceId,
    key: &SigningKey,
    seq: i64,
    uuid: &str,
) -> SyncRecord {
    // As on a device: the statement's receipt id is the record's UUID, and the one
    // signature is the device's over the envelope, which binds the statement's hash.
    let (statement, hash_key) = statement(version, answers, choices, uuid);
    let envelope = SyncEnvelope::of_new_record(
        &statement,
        &CollectingDevice {
            id: device_id.to_string(),
            seq,
        },
        statement_hash(&statement),
    );
    SyncRecord {
        uuid: uuid.to_owned(),
        seq,
        form_id: version.form_id.to_string(),
        form_version: version.summary.number,
        answers: answers.clone(),
        statement,
        hash_key: Some(hash_key.to_text()),
        base_version: None,
        signature: envelope.sign(key),
    }
}

/// Signs a record again after a test changed it (say, its consent's time).
#[must_use]
pub fn resigned(mut record: SyncRecord, device_id: &DeviceId, key: &SigningKey) -> SyncRecord {
    let envelope = SyncEnvelope {
        uuid: record.uuid.clone(),
        device_id: device_id.to_string(),
        seq: record.seq,
        form_id: record.form_id.clone(),
        form_version: record.form_version,
        form_version_hash: record.statement.form_version_hash.clone(),
        payload_hash: record.statement.record_hash.clone(),
        statement_hash: statement_hash(&record.statement),
        base_version: record.base_version,
    };
    record.signature = envelope.sign(key);
    record
}

/// An edit of a synced record, as a device makes it offline: the record's UUID, a new
/// sequence number, the server version its copy came from, the full edited answers and
/// the original consent statement; the envelope binds the edited answers' hash.
#[must_use]
pub fn signed_edit(
    version: &VersionDetail,
    original: &SyncRecord,
    answers: &Answers,
    device_id: &DeviceId,
    key: &SigningKey,
    seq: i64,
    base_version: i64,
) -> SyncRecord {
    let today = time::OffsetDateTime::now_utc().date();
    let validated = version
        .definition
        .validate(answers, today)
        .unwrap_or_else(|e| panic!("test answers are invalid: {e:?}"));
    let envelope = SyncEnvelope {
        uuid: original.uuid.clone(),
        device_id: device_id.to_string(),
        seq,
        form_id: original.form_id.clone(),
        form_version: original.form_version,
        form_version_hash: original.statement.form_version_hash.clone(),
        payload_hash: record_hash(&validated),
        statement_hash: statement_hash(&original.statement),
        base_version: Some(base_version),
    };
    SyncRecord {
        uuid: original.uuid.clone(),
        seq,
        form_id: original.form_id.clone(),
        form_version: original.form_version,
        answers: answers.clone(),
        statement: original.statement.clone(),
        hash_key: None,
        base_version: Some(base_version),
        signature: envelope.sign(key),
    }
}

/// Registers a new device key for `staff`; the device and its key.
pub async fn register_device(
    staff: &crate::Session,
    name: &str,
) -> (shared::api::sync::DeviceInfo, SigningKey) {
    register_device_with(staff.post("/devices"), name).await
}

/// Registers a new device key through `request`, a signed-in client's `POST
/// /api/v1/devices` (of any client: the bench and the crash test have their own).
pub async fn register_device_with(
    request: reqwest::RequestBuilder,
    name: &str,
) -> (shared::api::sync::DeviceInfo, SigningKey) {
    let key = crate::consent::new_key();
    let info = crate::expect_json(
        request
            .json(&serde_json::json!({"name": name, "public_key": device_public_key(&key)}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    (info, key)
}

/// `POST /sync` with `batch`; the answer (200 expected).
pub async fn post_sync(
    staff: &crate::Session,
    batch: &shared::api::sync::SyncBatch,
) -> shared::api::sync::SyncResponse {
    crate::expect_json(staff.post("/sync").json(batch).send().await.unwrap(), 200).await
}
