//! The checks a synced record passes before anything is stored, shared by new records
//! (`service.rs`) and edits (`edit.rs`), which depend on this module and not on each
//! other's checks: the record's identity agrees with its consent, and the device signed
//! its envelope.

use std::collections::{BTreeMap, HashSet};

use shared::{
    api::{
        error::{ApiError, ErrorCode},
        sync::{DeviceInfo, RejectionCode, SyncRecord, SyncStatus},
    },
    consent::public_key,
    sync::{statement_hash, SyncEnvelope},
};

use crate::error::AppError;

/// A refusal with `code` and no per-field problems.
pub(super) fn rejected(code: RejectionCode, message: impl Into<String>) -> SyncStatus {
    SyncStatus::Rejected {
        code,
        message: message.into(),
        fields: BTreeMap::new(),
    }
}

/// The refusal for a record whose preparation failed: a client error as it is; a
/// server failure is logged and answered as retryable.
pub(super) fn rejected_by(error: AppError) -> SyncStatus {
    match error {
        AppError::Client(ApiError {
            code,
            message,
            details,
            ..
        }) => SyncStatus::Rejected {
            code: code.into(),
            message,
            fields: details.map(|d| d.fields).unwrap_or_default(),
        },
        other => {
            tracing::error!(error = %other, "a synced record could not be prepared");
            rejected(
                RejectionCode::Api(ErrorCode::Internal),
                "The server could not process this record; it will be retried",
            )
        }
    }
}

/// The record's UUID and form agree with its consent statement (new records and edits).
pub(super) fn check_identity(record: &SyncRecord) -> Result<(), SyncStatus> {
    if uuid::Uuid::parse_str(&record.uuid).is_err() || record.statement.receipt_id != record.uuid {
        return Err(rejected(
            RejectionCode::UuidInvalid,
            "The record id must be a UUID, and the consent's receipt id must equal it",
        ));
    }
    if record.statement.form_id != record.form_id
        || record.statement.form_version != record.form_version
    {
        return Err(rejected(
            RejectionCode::FormMismatch,
            "The record and its consent name different forms",
        ));
    }
    Ok(())
}

/// The envelope the device must have signed for `record`, whose answers hash to
/// `payload_hash` (for a new record, the statement's `record_hash`).
pub(super) fn envelope_of(
    device: &DeviceInfo,
    record: &SyncRecord,
    payload_hash: String,
) -> SyncEnvelope {
    envelope_with(
        device,
        record,
        payload_hash,
        statement_hash(&record.statement),
    )
}

/// [`envelope_of`] with the statement's hash already computed.
pub(super) fn envelope_with(
    device: &DeviceInfo,
    record: &SyncRecord,
    payload_hash: String,
    statement_hash: String,
) -> SyncEnvelope {
    SyncEnvelope {
        uuid: record.uuid.clone(),
        device_id: device.id.clone(),
        seq: record.seq,
        form_id: record.form_id.clone(),
        form_version: record.form_version,
        form_version_hash: record.statement.form_version_hash.clone(),
        payload_hash,
        statement_hash,
        base_version: record.base_version,
    }
}

/// A record's envelope signature to check (one per record: it binds the statement by
/// its hash, and is the consent's client signature in the receipt).
pub(super) struct ToVerify<'a> {
    pub index: usize,
    pub record: &'a SyncRecord,
    pub envelope: &'a SyncEnvelope,
}

/// The request indexes whose signatures do not verify. One batch verification covers
/// them all (ed25519-zebra's, which folds the terms of the one device key together);
/// only when it fails are the signatures checked one by one to find the bad ones.
pub(super) fn verify_signatures(device: &DeviceInfo, items: &[ToVerify<'_>]) -> HashSet<usize> {
    use ed25519_dalek::Verifier as _;
    let mut bad = HashSet::new();
    let Ok(key) = public_key(&device.public_key, "device key") else {
        return items.iter().map(|v| v.index).collect();
    };
    let envelopes: Vec<Vec<u8>> = items.iter().map(|v| v.envelope.signing_bytes()).collect();
    let mut messages: Vec<&[u8]> = Vec::with_capacity(items.len());
    let mut signatures = Vec::with_capacity(items.len());
    let mut owners = Vec::with_capacity(items.len());
    for (v, envelope) in items.iter().zip(&envelopes) {
        match shared::consent::signature(&v.record.signature, "signature") {
            Ok(sig) => {
                messages.push(&envelope[..]);
                signatures.push(sig);
                owners.push(v.index);
            }
            Err(_) => {
                bad.insert(v.index);
            }
        }
    }
    let key_bytes = ed25519_zebra::VerificationKeyBytes::from(key.to_bytes());
    let mut batch = ed25519_zebra::batch::Verifier::new();
    for (message, signature) in messages.iter().zip(&signatures) {
        batch.queue((key_bytes, *signature, *message));
    }
    if batch.verify(rand::thread_rng()).is_err() {
        for ((message, signature), owner) in messages.iter().zip(&signatures).zip(&owners) {
            if key.verify(message, signature).is_err() {
                bad.insert(*owner);
            }
        }
    }
    bad
}
