//! Device registration and revocation, and storing a sync batch.

use std::collections::HashMap;

use shared::{
    api::{
        auth::Role,
        consent::SubmitRequest,
        error::{ApiError, ErrorCode},
        sync::{
            DeviceInfo, RegisterDevice, SyncBatch, SyncRecord, SyncResponse, SyncResult,
            SyncStatus, MAX_SYNC_BATCH,
        },
    },
    consent::{public_key, SignedReceipt},
    i18n::Locale,
    sync::{statement_hash, SyncEnvelope},
};

use crate::{
    audit::{self, Event, Origin},
    auth::Principal,
    consent::{
        service::{prepare_from, Source},
        writer::{Item, Outcome},
    },
    error::{AppError, AppResult},
    state::AppState,
    store::now_ms,
};

/// Registers the caller's device key.
pub async fn register(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    req: RegisterDevice,
) -> AppResult<DeviceInfo> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid_field(
            "name",
            "name_invalid",
            "Give the device a name of 1 to 80 characters",
        ));
    }
    if public_key(&req.public_key, "device key").is_err() {
        return Err(AppError::invalid_field(
            "public_key",
            "public_key_invalid",
            "The public key must be a base64url ed25519 key",
        ));
    }
    let device = DeviceInfo {
        id: uuid::Uuid::new_v4().to_string(),
        name: name.to_owned(),
        user_id: caller.user.id.clone(),
        public_key: req.public_key,
        created_at_ms: now_ms(),
        revoked_at_ms: None,
        last_seq: 0,
    };
    if !state.db.insert_device(&device).await? {
        return Err(AppError::conflict("This device key is already registered"));
    }
    let event = Event::new("devices.register", Some(caller)).target("device", &device.id);
    audit::record_alone(&state.db, origin, event, None).await?;
    Ok(device)
}

/// The caller's devices (every device, for an admin).
pub async fn list(state: &AppState, caller: &Principal) -> AppResult<Vec<DeviceInfo>> {
    let own = (caller.role() != Role::Admin).then_some(caller.user.id.as_str());
    Ok(state.db.devices(own).await?)
}

/// Revokes a device (its owner or an admin); its records are refused from then on.
pub async fn revoke(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    id: &str,
) -> AppResult<DeviceInfo> {
    let not_found = || AppError::not_found("No such device");
    let device = state.db.device(id).await?.ok_or_else(not_found)?;
    if device.user_id != caller.user.id && caller.role() != Role::Admin {
        return Err(not_found());
    }
    state.db.revoke_device(id, now_ms()).await?;
    let event = Event::new("devices.revoke", Some(caller)).target("device", id);
    audit::record_alone(&state.db, origin, event, None).await?;
    state.db.device(id).await?.ok_or_else(not_found)
}

pub(super) fn rejected(code: &str, message: impl Into<String>) -> SyncStatus {
    SyncStatus::Rejected {
        code: code.to_owned(),
        message: message.into(),
        fields: std::collections::BTreeMap::new(),
    }
}

pub(super) fn rejected_by(error: AppError) -> SyncStatus {
    match error {
        AppError::Client(ApiError {
            code,
            message,
            details,
        }) => SyncStatus::Rejected {
            code: code.as_str().to_owned(),
            message,
            fields: details.map(|d| d.fields).unwrap_or_default(),
        },
        other => {
            tracing::error!(error = %other, "a synced record could not be prepared");
            rejected(
                "internal",
                "The server could not process this record; it will be retried",
            )
        }
    }
}

/// Stores a batch: checks each record on its own, writes all that pass in one
/// transaction, and answers with a status per record in request order.
pub async fn sync(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    batch: SyncBatch,
) -> AppResult<SyncResponse> {
    if batch.records.len() > MAX_SYNC_BATCH {
        return Err(AppError::client(
            ErrorCode::PayloadTooLarge,
            format!("A sync batch holds at most {MAX_SYNC_BATCH} records; split it"),
        ));
    }
    let device = state
        .db
        .device(&batch.device_id)
        .await?
        .filter(|d| d.user_id == caller.user.id)
        .ok_or_else(|| AppError::not_found("This device is not registered to you"))?;
    if device.revoked_at_ms.is_some() {
        return Err(AppError::client(
            ErrorCode::Forbidden,
            "This device was revoked; its records are refused. Ask an admin, then register the device again",
        ));
    }

    // Records already stored with the same statement are acknowledged without redoing the work.
    let uuids: Vec<String> = batch.records.iter().map(|r| r.uuid.clone()).collect();
    let ids: Vec<&str> = uuids.iter().map(String::as_str).collect();
    let stored: HashMap<String, (String, String)> = {
        let mut conn = state.db.pool().acquire().await?;
        crate::store::records::receipts_on(&mut conn, &ids)
            .await?
            .into_iter()
            .map(|r| (r.receipt_id.clone(), (r.statement_hash, r.receipt_json)))
            .collect()
    };

    let count = batch.records.len();
    let mut statuses: Vec<Option<SyncStatus>> = (0..count).map(|_| None).collect();

    // Edits of synced records take their own path, after the new records are stored.
    let (edits, records): (Vec<_>, Vec<_>) = batch
        .records
        .into_iter()
        .enumerate()
        .partition(|(_, r)| r.base_version.is_some());

    // 1. Cheap checks and the envelope each record claims.
    let mut pending = Vec::new();
    for (i, record) in records {
        match precheck(&device, record) {
            Ok((record, envelope)) => pending.push((i, record, envelope)),
            Err(status) => statuses[i] = Some(status),
        }
    }

    // 2. Every signature of the request in one batch verification.
    let bad = verify_signatures(&device, &pending, &stored);
    let mut to_prepare = Vec::new();
    for (i, record, envelope) in pending {
        if bad.contains(&i) {
            statuses[i] = Some(rejected(
                "invalid_signature",
                "The device's signatures over this record are not valid",
            ));
        } else if let Some((hash, receipt_json)) = stored.get(&record.uuid) {
            statuses[i] = Some(if *hash == envelope.statement_hash {
                match serde_json::from_str::<SignedReceipt>(receipt_json) {
                    Ok(r) => SyncStatus::AlreadyStored {
                        receipt: Box::new(r),
                    },
                    Err(e) => rejected_by(AppError::Internal(anyhow::anyhow!(
                        "stored receipt unreadable: {e}"
                    ))),
                }
            } else {
                conflict()
            });
        } else {
            match state
                .versions
                .get(&state.db, &record.form_id, record.form_version)
                .await
            {
                Ok(version) => to_prepare.push((i, record, version)),
                Err(e) => statuses[i] = Some(rejected_by(e)),
            }
        }
    }

    // 3. Validate, seal and countersign on every core.
    let mut items = Vec::new();
    let mut item_index = Vec::new();
    let mut receipts = Vec::new();
    for (i, prepared) in
        prepare_in_parallel(state, caller, origin, locale, &device, to_prepare).await?
    {
        match prepared {
            Ok(p) => {
                item_index.push(i);
                receipts.push(p.receipt);
                items.push(Item {
                    submission: p.submission,
                    audit: p.audit,
                });
            }
            Err(e) => statuses[i] = Some(rejected_by(e)),
        }
    }
    let max_seq = items
        .iter()
        .filter_map(|item| item.submission.device.as_ref().map(|(_, seq, _)| *seq))
        .max();
    let outcomes = state
        .writer
        .write_all(items)
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    for ((i, outcome), receipt) in item_index.into_iter().zip(outcomes).zip(receipts) {
        statuses[i] = Some(match outcome {
            Outcome::Stored => SyncStatus::Stored {
                receipt: Box::new(receipt),
            },
            Outcome::Replayed(row) => {
                match serde_json::from_str::<SignedReceipt>(&row.receipt_json) {
                    Ok(r) => SyncStatus::AlreadyStored {
                        receipt: Box::new(r),
                    },
                    Err(e) => rejected_by(AppError::Internal(anyhow::anyhow!(
                        "stored receipt unreadable: {e}"
                    ))),
                }
            }
            Outcome::Conflict => SyncStatus::Conflict {
                message: "A different record with this UUID is already stored; it was not changed"
                    .to_owned(),
            },
        });
    }
    if let Some(seq) = max_seq {
        state.db.advance_device_seq(&device.id, seq).await?;
    }
    for (i, status) in
        super::edit::apply(state, caller, origin, locale, &device, edits, &stored).await?
    {
        statuses[i] = Some(status);
    }
    let results = uuids
        .into_iter()
        .zip(statuses)
        .map(|(uuid, status)| SyncResult {
            uuid,
            status: status.unwrap_or_else(|| {
                rejected("internal", "The record was not processed; send it again")
            }),
        })
        .collect();
    Ok(SyncResponse { results })
}

fn conflict() -> SyncStatus {
    SyncStatus::Conflict {
        message: "A different record with this UUID is already stored; it was not changed"
            .to_owned(),
    }
}

/// The record's UUID and form agree with its consent statement (new records and edits).
pub(super) fn check_identity(record: &SyncRecord) -> Result<(), SyncStatus> {
    if uuid::Uuid::parse_str(&record.uuid).is_err() || record.statement.receipt_id != record.uuid {
        return Err(rejected(
            "uuid_invalid",
            "The record id must be a UUID, and the consent's receipt id must equal it",
        ));
    }
    if record.statement.form_id != record.form_id
        || record.statement.form_version != record.form_version
    {
        return Err(rejected(
            "form_mismatch",
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
    SyncEnvelope {
        uuid: record.uuid.clone(),
        device_id: device.id.clone(),
        seq: record.seq,
        form_id: record.form_id.clone(),
        form_version: record.form_version,
        form_version_hash: record.statement.form_version_hash.clone(),
        payload_hash,
        statement_hash: statement_hash(&record.statement),
        base_version: record.base_version,
    }
}

/// The checks that need no cryptography, and the envelope the device must have signed.
fn precheck(
    device: &DeviceInfo,
    record: SyncRecord,
) -> Result<(SyncRecord, SyncEnvelope), SyncStatus> {
    check_identity(&record)?;
    let envelope = envelope_of(device, &record, record.statement.record_hash.clone());
    Ok((record, envelope))
}

/// The request indexes whose envelope (or, for new records, statement) signature does
/// not verify. One batch verification covers the whole request; only when it fails are
/// the signatures checked one by one to find the bad ones.
pub(super) fn verify_signatures(
    device: &DeviceInfo,
    pending: &[(usize, SyncRecord, SyncEnvelope)],
    stored: &HashMap<String, (String, String)>,
) -> std::collections::HashSet<usize> {
    use ed25519_dalek::Verifier as _;
    let mut bad = std::collections::HashSet::new();
    let Ok(key) = public_key(&device.public_key, "device key") else {
        return pending.iter().map(|(i, _, _)| *i).collect();
    };
    let mut messages: Vec<Vec<u8>> = Vec::new();
    let mut signatures = Vec::new();
    let mut owners = Vec::new();
    for (i, record, envelope) in pending {
        let mut add = |message: Vec<u8>, signature: &str| match shared::consent::signature(
            signature,
            "signature",
        )
        .ok()
        {
            Some(sig) => {
                messages.push(message);
                signatures.push(sig);
                owners.push(*i);
            }
            None => {
                bad.insert(*i);
            }
        };
        add(envelope.signing_bytes(), &record.signature);
        // A stored record's statement was checked when it was stored.
        if !stored.contains_key(&record.uuid) {
            add(
                record.statement.signing_bytes(),
                &record.statement_signature,
            );
        }
    }
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let keys = vec![key; refs.len()];
    if ed25519_dalek::verify_batch(&refs, &signatures, &keys).is_err() {
        for ((message, signature), owner) in refs.iter().zip(&signatures).zip(&owners) {
            if key.verify(message, signature).is_err() {
                bad.insert(*owner);
            }
        }
    }
    bad
}

type PrepareJob = (
    usize,
    SyncRecord,
    std::sync::Arc<crate::consent::versions::CachedVersion>,
);

/// Runs `prepare_from` for every record, spread over the machine's cores.
async fn prepare_in_parallel(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    device: &DeviceInfo,
    jobs: Vec<PrepareJob>,
) -> AppResult<Vec<(usize, AppResult<crate::consent::service::Prepared>)>> {
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let per_worker = jobs.len().div_ceil(workers).max(1);
    let mut chunks: Vec<Vec<PrepareJob>> = Vec::new();
    let mut jobs = jobs.into_iter().peekable();
    while jobs.peek().is_some() {
        chunks.push(jobs.by_ref().take(per_worker).collect());
    }
    let mut handles = Vec::new();
    for chunk in chunks {
        let (state, origin, device) = (state.clone(), origin.clone(), device.clone());
        let collector = caller.user.id.clone();
        handles.push(tokio::task::spawn_blocking(move || {
            chunk
                .into_iter()
                .map(|(i, record, version)| {
                    let request = SubmitRequest {
                        statement: record.statement,
                        client_public_key: device.public_key.clone(),
                        client_signature: record.statement_signature,
                        answers: record.answers,
                    };
                    let source = Source::Staff {
                        record_id: record.uuid,
                        collected_by: collector.clone(),
                        device_id: device.id.clone(),
                        seq: record.seq,
                        device_signature: record.signature,
                    };
                    (
                        i,
                        prepare_from(&state, &version, request, &origin, locale, source),
                    )
                })
                .collect::<Vec<_>>()
        }));
    }
    let mut out = Vec::new();
    for handle in handles {
        out.extend(
            handle
                .await
                .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?,
        );
    }
    Ok(out)
}
