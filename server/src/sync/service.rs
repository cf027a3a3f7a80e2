//! Storing a sync batch (devices are in `super::devices`).

use shared::ids::{FormId, ReceiptId, RecordId};
use std::collections::HashMap;

use shared::{
    api::{
        auth::CurrentUser,
        consent::SubmitRequest,
        error::ErrorCode,
        sync::{
            DeviceInfo, Received, RejectionCode, SyncBatch, SyncRecord, SyncStatus, MAX_SYNC_BATCH,
        },
    },
    consent::sha256_tagged,
    i18n::Locale,
    sync::SyncEnvelope,
};

use super::{
    answer::{Answer, SyncAnswer},
    slots::{cores, SLOTS},
    verify::{check_identity, envelope_with, rejected, rejected_by, verify_signatures, ToVerify},
};
use crate::{
    auth::Principal,
    consent::{
        service::{check_and_seal, countersign_together, stored_receipt_json, Source},
        writer::{Item, Outcome},
    },
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::records::ReceiptRow,
};

/// Stores a batch: checks each record on its own, writes all that pass in one
/// transaction, and answers with a status per record in request order.
pub async fn sync(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    batch: SyncBatch<Received>,
) -> AppResult<SyncAnswer> {
    if batch.records.len() > MAX_SYNC_BATCH {
        return Err(AppError::client(
            ErrorCode::PayloadTooLarge,
            format!("A sync batch holds at most {MAX_SYNC_BATCH} records; split it"),
        ));
    }
    let device = state
        .db
        .device(batch.device_id)
        .await?
        .filter(|d| d.user_id == caller.user.id)
        .ok_or_else(|| AppError::not_found("This device is not registered to you"))?;
    if device.revoked_at_ms.is_some() {
        return Err(super::devices::revoked());
    }
    // When it last reached us: the dashboard's check of devices that stop syncing.
    state
        .db
        .device_reached(device.id, state.clock.now_ms())
        .await?;

    // Records already stored with the same statement are acknowledged without redoing the work.
    let uuids: Vec<String> = batch.records.iter().map(|r| r.uuid().to_owned()).collect();
    let ids: Vec<ReceiptId> = uuids
        .iter()
        .filter_map(|uuid| ReceiptId::parse(uuid).ok())
        .collect();
    let mut stored = stored_receipts(state, &ids).await?;

    let count = batch.records.len();
    let mut statuses: Vec<Option<Answer>> = (0..count).map(|_| None).collect();

    // A malformed record is refused on its own. Edits of synced records take their own
    // path, after the new records are stored.
    let mut readable = Vec::with_capacity(count);
    for (index, received) in batch.records.into_iter().enumerate() {
        match received {
            Received::Record(record) => readable.push((index, *record)),
            Received::Malformed { reason, .. } => {
                statuses[index] = Some(
                    rejected(
                        RejectionCode::MalformedRecord,
                        format!("The record does not have the expected shape: {reason}"),
                    )
                    .into(),
                );
            }
        }
    }
    let (edits, records): (Vec<_>, Vec<_>) = readable
        .into_iter()
        .partition(|(_, r)| r.base_version.is_some());

    // 1. Cheap checks, the envelope each record claims, and what is to be done with it.
    let mut jobs = Vec::new();
    for (index, record) in records {
        let ids = match check_identity(&record) {
            Ok(ids) => ids,
            Err(status) => {
                statuses[index] = Some(status.into());
                continue;
            }
        };
        let kind = match stored.get(&ids.record) {
            Some(row) => JobKind::Stored(Box::new(row.clone())),
            None => JobKind::New(
                state
                    .versions
                    .get(&state.db, ids.form, record.form_version)
                    .await,
            ),
        };
        jobs.push(Job {
            index,
            id: ids.record,
            form: ids.form,
            record,
            kind,
        });
    }

    // Staff collect only with the forms given to them: a new record of a form that is
    // not (or no longer) assigned to the caller or their team waits on the device,
    // which sends it again, until the form is assigned again.
    for index in forms_not_assigned(state, caller, &jobs).await? {
        statuses[index] = Some(
            rejected(
                RejectionCode::FormNotAssigned,
                "This form is not assigned to you; the record stays on the device and is \
                 sent again once the form is assigned to you or your team",
            )
            .into(),
        );
    }
    jobs.retain(|j| statuses[j.index].is_none());

    // A device numbers its records once each: a new record under a number another
    // record of the device already has is refused (a copied or restored browser
    // storage would otherwise store two customers' records as one device's one).
    for index in seqs_reused(state, &device, &jobs).await? {
        statuses[index] = Some(
            rejected(
                RejectionCode::SeqReused,
                "This device already sent another record under this sequence number",
            )
            .into(),
        );
    }
    jobs.retain(|j| statuses[j.index].is_none());

    // 2. Signatures, validation, sealing and countersigning, on the prepare slots (see
    // `slots.rs`: every core while this request is alone), chunk by chunk; each chunk
    // goes to the writer as soon as it is ready, so that storing it overlaps preparing
    // the next. All are committed together.
    let mut write = None;
    let mut receipts = Vec::new();
    // Only requests that write count: replays leave the writer alone.
    let writes = jobs.iter().any(|j| matches!(j.kind, JobKind::New(Ok(_))));
    let active = writes.then(|| SLOTS.enter());
    for chunk in prepare_in_chunks(state, caller, origin, locale, &device, jobs) {
        let done = chunk.await.map_err(internal)?.map_err(internal)?;
        let mut items = Vec::new();
        for (i, done) in done {
            match done {
                Done::Answer(answer) => statuses[i] = Some(answer),
                Done::Prepared(p) => {
                    receipts.push((i, p.receipt_json));
                    items.push(Item {
                        submission: p.submission,
                        audit: p.audit,
                    });
                }
            }
        }
        match &write {
            _ if items.is_empty() => {}
            None => write = Some(state.writer.write_chunked(items).await.map_err(internal)?),
            Some(write) => write.push(items).map_err(internal)?,
        }
    }
    if let Some(write) = write {
        let outcomes = write.finish().await.map_err(internal)?;
        for ((i, json), outcome) in receipts.into_iter().zip(outcomes) {
            statuses[i] = Some(match outcome {
                Outcome::Stored => Answer::Receipt {
                    fresh: true,
                    json,
                    withdraw_token: None,
                },
                Outcome::Replayed(row) => match stored_receipt_json(state, &row) {
                    Ok(json) => Answer::stored_before(json),
                    Err(e) => return Err(e),
                },
                Outcome::Conflict => conflict().into(),
            });
        }
    }
    // Stored: this request no longer holds the writer.
    drop(active);
    // An edit may follow its record in the same request: look again for those.
    let stored_now: Vec<ReceiptId> = edits
        .iter()
        .filter_map(|(_, r)| ReceiptId::parse(&r.uuid).ok())
        .filter(|id| !stored.contains_key(&RecordId::from(*id)))
        .collect();
    if !stored_now.is_empty() {
        stored.extend(stored_receipts(state, &stored_now).await?);
    }
    for (i, status) in
        super::edit::apply(state, caller, origin, locale, &device, edits, &stored).await?
    {
        statuses[i] = Some(status.into());
    }
    Ok(SyncAnswer(
        uuids
            .into_iter()
            .zip(statuses)
            .map(|(uuid, status)| {
                let mut answer = status.unwrap_or_else(|| {
                    rejected(
                        RejectionCode::Api(ErrorCode::Internal),
                        "The record was not processed; send it again",
                    )
                    .into()
                });
                // The customer's withdrawal token, for the device to hand over with the
                // receipt (a record's id is its receipt's).
                if let Answer::Receipt { withdraw_token, .. } = &mut answer {
                    *withdraw_token = ReceiptId::parse(&uuid)
                        .ok()
                        .map(|id| crate::consent::service::withdraw_token(&state.subkeys, id));
                }
                (uuid, answer)
            })
            .collect(),
    ))
}

/// The request indexes of new records whose form is not assigned to `caller`, directly
/// or through their team.
async fn forms_not_assigned(
    state: &AppState,
    caller: &Principal,
    jobs: &[Job],
) -> AppResult<Vec<usize>> {
    let new: Vec<(usize, FormId)> = jobs
        .iter()
        .filter(|j| matches!(j.kind, JobKind::New(_)))
        .map(|j| (j.index, j.form))
        .collect();
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let assigned = state.db.form_ids_assigned_to(caller.user.id).await?;
    Ok(new
        .into_iter()
        .filter(|(_, form)| !assigned.contains(form))
        .map(|(index, _)| index)
        .collect())
}

/// The request indexes of new records whose sequence number the device already used
/// for another record: stored before, or earlier in this request.
async fn seqs_reused(state: &AppState, device: &DeviceInfo, jobs: &[Job]) -> AppResult<Vec<usize>> {
    let new: Vec<&Job> = jobs
        .iter()
        .filter(|j| matches!(j.kind, JobKind::New(_)))
        .collect();
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let seqs: Vec<i64> = new.iter().map(|j| j.record.seq).collect();
    let mut taken: HashMap<i64, RecordId> = state
        .db
        .records_by_device_seq(device.id, &seqs)
        .await?
        .into_iter()
        .collect();
    let mut reused = Vec::new();
    for job in new {
        match taken.get(&job.record.seq) {
            Some(other) if *other != job.id => reused.push(job.index),
            Some(_) => {}
            None => {
                taken.insert(job.record.seq, job.id);
            }
        }
    }
    Ok(reused)
}

/// Record id → stored receipt, of the stored ones among `ids`.
async fn stored_receipts(
    state: &AppState,
    ids: &[ReceiptId],
) -> AppResult<HashMap<RecordId, ReceiptRow>> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(crate::store::records::receipts_on(&mut conn, ids)
        .await?
        .into_iter()
        .map(|r| (r.record_id, r))
        .collect())
}

fn internal(error: impl std::error::Error + Send + Sync + 'static) -> AppError {
    AppError::internal("a sync batch", error)
}

fn conflict() -> SyncStatus {
    SyncStatus::Conflict {
        message: "A different record with this UUID is already stored; it was not changed"
            .to_owned(),
    }
}

/// A new record with its envelope, and its statement's signing bytes (encoded once,
/// for the statement's hash, its signature and the receipt).
struct Claimed {
    index: usize,
    id: RecordId,
    record: SyncRecord,
    envelope: SyncEnvelope,
    statement_bytes: Vec<u8>,
    kind: JobKind,
}

impl Claimed {
    fn of(device: &DeviceInfo, job: Job) -> Self {
        let statement_bytes = job.record.statement.signing_bytes();
        let envelope = envelope_with(
            device,
            &job.record,
            job.record.statement.record_hash.clone(),
            sha256_tagged(&statement_bytes),
        );
        Self {
            index: job.index,
            id: job.id,
            record: job.record,
            envelope,
            statement_bytes,
            kind: job.kind,
        }
    }
}

/// What to do with a new record that passed the cheap checks.
enum JobKind {
    /// A record with this UUID is stored: acknowledge it again if it is the same.
    Stored(Box<ReceiptRow>),
    /// Not stored yet: prepare it with its form version (or say why there is none).
    New(AppResult<std::sync::Arc<crate::consent::versions::CachedVersion>>),
}

/// A new record that passed the checks without cryptography.
struct Job {
    index: usize,
    id: RecordId,
    form: FormId,
    record: SyncRecord,
    kind: JobKind,
}

/// A processed record: its final status, or what to store.
enum Done {
    Answer(Answer),
    Prepared(Box<crate::consent::service::Prepared>),
}

/// The answer to a record stored before: its receipt again (opened here, on a
/// blocking thread) if it is the same record, else a conflict.
fn already_stored(state: &AppState, row: &ReceiptRow, envelope: &SyncEnvelope) -> Answer {
    if row.statement_hash != envelope.statement_hash {
        return conflict().into();
    }
    match stored_receipt_json(state, row) {
        Ok(json) => Answer::stored_before(json),
        Err(e) => rejected_by(e).into(),
    }
}

/// Verifies and prepares one chunk of the jobs (on a blocking thread).
fn process_share(
    state: &AppState,
    collector: &CurrentUser,
    origin: &Origin,
    locale: Locale,
    device: &DeviceInfo,
    jobs: Vec<Job>,
) -> Vec<(usize, Done)> {
    let jobs: Vec<Claimed> = jobs.into_iter().map(|j| Claimed::of(device, j)).collect();
    let to_verify: Vec<ToVerify<'_>> = jobs
        .iter()
        .map(|j| ToVerify {
            index: j.index,
            record: &j.record,
            envelope: &j.envelope,
        })
        .collect();
    let bad = verify_signatures(device, &to_verify);
    drop(to_verify);
    let mut unsigned = Vec::new();
    let mut done: Vec<(usize, Done)> = jobs
        .into_iter()
        .filter_map(|job| {
            let done = if bad.contains(&job.index) {
                Done::Answer(Answer::from(rejected(
                    RejectionCode::Api(ErrorCode::InvalidSignature),
                    "The device's signature over this record is not valid",
                )))
            } else {
                match job.kind {
                    JobKind::Stored(row) => {
                        Done::Answer(already_stored(state, &row, &job.envelope))
                    }
                    JobKind::New(Err(e)) => Done::Answer(rejected_by(e).into()),
                    JobKind::New(Ok(version)) => {
                        let record = job.record;
                        let request = SubmitRequest {
                            statement: record.statement,
                            hash_key: record.hash_key,
                            client_public_key: device.public_key.clone(),
                            client_signature: record.signature,
                            answers: record.answers,
                        };
                        let source = Source::Staff {
                            record_id: job.id,
                            collected_by: collector.id,
                            collector_role: collector.role,
                            device_id: device.id,
                            seq: record.seq,
                            statement_bytes: job.statement_bytes,
                            statement_hash: job.envelope.statement_hash,
                        };
                        match check_and_seal(state, &version, request, origin, locale, source) {
                            Ok(u) => {
                                unsigned.push((job.index, u));
                                return None;
                            }
                            Err(e) => Done::Answer(rejected_by(e).into()),
                        }
                    }
                }
            };
            Some((job.index, done))
        })
        .collect();
    // The receipts of the share are countersigned together, a signature per group.
    let (indexes, unsigned): (Vec<usize>, Vec<_>) = unsigned.into_iter().unzip();
    done.extend(
        indexes
            .into_iter()
            .zip(countersign_together(state, unsigned))
            .map(|(i, p)| (i, Done::Prepared(Box::new(p)))),
    );
    done
}

/// How many records are prepared (and then written) as one chunk: two of the writer's
/// multi-row statements. Smaller chunks overlap preparing and writing better; larger
/// ones hand off less (docs/performance.md).
const CHUNK: usize = 2 * crate::store::records::ROWS_PER_STATEMENT;

/// A chunk being prepared: its records' request indexes with what became of them.
type PreparedChunk = tokio::task::JoinHandle<Result<Vec<(usize, Done)>, tokio::task::JoinError>>;

/// Starts [`process_share`] over the jobs, a chunk of new records (or a share of the
/// replays) at a time on the blocking pool as slots free up; the results, in order.
fn prepare_in_chunks(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    device: &DeviceInfo,
    jobs: Vec<Job>,
) -> Vec<PreparedChunk> {
    // Replays write nothing, so there is no writing to overlap: they go in one share per
    // core.
    let (replays, new): (Vec<Job>, Vec<Job>) = jobs
        .into_iter()
        .partition(|j| matches!(j.kind, JobKind::Stored { .. }));
    let cores = cores();
    let per_share = replays.len().div_ceil(cores).max(1);
    let mut chunks: Vec<Vec<Job>> = Vec::new();
    for (jobs, size) in [(new, CHUNK), (replays, per_share)] {
        let mut jobs = jobs.into_iter().peekable();
        while jobs.peek().is_some() {
            chunks.push(jobs.by_ref().take(size).collect());
        }
    }
    chunks
        .into_iter()
        .map(|chunk| {
            let (state, origin, device) = (state.clone(), origin.clone(), device.clone());
            let collector = caller.user.clone();
            tokio::spawn(async move {
                let _slot = SLOTS.acquire().await;
                tokio::task::spawn_blocking(move || {
                    process_share(&state, &collector, &origin, locale, &device, chunk)
                })
                .await
            })
        })
        .collect()
}
