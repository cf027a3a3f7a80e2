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
    consent::{signature, DeviceKey},
    ids::{FormId, RecordId},
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

/// A synced record's ids, read from the text its device signed.
#[derive(Debug, Clone, Copy)]
pub(super) struct RecordIds {
    pub record: RecordId,
    pub form: FormId,
}

/// The record's UUID and form agree with its consent statement (new records and edits).
pub(super) fn check_identity(record: &SyncRecord) -> Result<RecordIds, SyncStatus> {
    let Some(id) = RecordId::parse(&record.uuid)
        .ok()
        .filter(|_| record.statement.receipt_id == record.uuid)
    else {
        return Err(rejected(
            RejectionCode::UuidInvalid,
            "The record id must be a UUID, and the consent's receipt id must equal it",
        ));
    };
    if record.statement.form_id != record.form_id
        || record.statement.form_version != record.form_version
    {
        return Err(rejected(
            RejectionCode::FormMismatch,
            "The record and its consent name different forms",
        ));
    }
    // A form id that is not a UUID names no form, as an unknown one does not.
    let form = FormId::parse(&record.form_id)
        .map_err(|_| rejected_by(AppError::not_found("No such form version")))?;
    Ok(RecordIds { record: id, form })
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
        device_id: device.id.to_string(),
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

/// The request indexes whose signatures do not verify. Each is checked on its own by
/// `shared`'s rule for device signatures (`SyncEnvelope::verify_with`), the one every
/// receipt verifier applies, so that no record is stored whose receipt does not verify;
/// the prepare slots spread the chunks over the cores. A key registration would refuse
/// now (of mixed order, stored before it was checked) signs nothing.
pub(super) fn verify_signatures(device: &DeviceInfo, items: &[ToVerify<'_>]) -> HashSet<usize> {
    let Ok(key) = DeviceKey::parse(&device.public_key) else {
        tracing::warn!(
            device = %device.id,
            "the device's key is not of prime order; its records are refused"
        );
        return items.iter().map(|v| v.index).collect();
    };
    items
        .iter()
        .filter(|v| {
            signature(&v.record.signature, "signature")
                .and_then(|sig| v.envelope.verify_with(&key, &sig))
                .is_err()
        })
        .map(|v| v.index)
        .collect()
}
