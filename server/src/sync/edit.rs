//! Edits of records that were already synced (see `shared::sync` for the protocol).
//!
//! Each edit is applied in a write transaction of its own: the replay check, a lazily
//! kept version 1, the three-way merge (`shared::sync::merge_plan`), a compare-and-set
//! update of the record, the new version, the conflicts and the audit entry commit
//! together, and the device gets its answer only after the commit. When another replica
//! moved the record on in between, the compare-and-set fails and the edit is redone.

use shared::ids::{ConflictId, RecordId, UserId};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::AnyConnection;

use shared::{
    api::{
        auth::Role,
        conflicts::ConflictKind,
        error::{ErrorCode, FieldIssue},
        sync::{DeviceInfo, RejectionCode, SyncRecord, SyncStatus},
    },
    consent::{check_statement, record_hash, StatementProblem},
    i18n::Locale,
    schema::ValidatedAnswers,
    sync::{merge_plan, MergePlan, SyncEnvelope},
};

use super::verify::{
    check_identity, envelope_of, rejected, rejected_by, verify_signatures, RecordIds, ToVerify,
};
use crate::{
    audit::{self, Event},
    auth::Principal,
    consent::versions::CachedVersion,
    error::{AppError, AppResult},
    extract::Origin,
    records::{
        sealed::{self, Place, RecordKey},
        service::{scope_of, withdrawn, withdrawn_purposes},
        versions::{keep_first_version, write_next, Author},
    },
    state::AppState,
    store::{
        edits::{self, ConflictRow, EditableRecord},
        now_ms,
        records::{ReceiptRow, Scope},
    },
};

/// How often an edit is redone when the record moves on under it.
const ATTEMPTS: usize = 5;

/// One edit that passed the checks before its signature.
struct Checked {
    index: usize,
    ids: RecordIds,
    record: SyncRecord,
    envelope: SyncEnvelope,
    version: std::sync::Arc<CachedVersion>,
    answers: ValidatedAnswers,
    /// The envelope's payload hash as `record_edits` keeps it
    /// (`sealed::kept_payload_hash`).
    kept_hash: String,
}

/// Applies the edits of a sync request (`stored` maps the request's stored record ids
/// to their statement hash and receipt) and answers each, by request index.
pub async fn apply(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    device: &DeviceInfo,
    edits: Vec<(usize, SyncRecord)>,
    stored: &HashMap<RecordId, ReceiptRow>,
) -> AppResult<Vec<(usize, SyncStatus)>> {
    let mut out = Vec::new();
    if edits.is_empty() {
        return Ok(out);
    }
    let today = time::OffsetDateTime::now_utc().date();
    let mut checked = Vec::new();
    for (index, record) in edits {
        match check(state, locale, today, record, device, stored).await {
            Ok(c) => checked.push(Checked { index, ..c }),
            Err(status) => out.push((index, status)),
        }
    }
    // The envelopes' signatures; an edit's statement was checked when the record was
    // stored (its hash must equal the stored one, see `apply_one`).
    let pending: Vec<_> = checked
        .iter()
        .map(|c| ToVerify {
            index: c.index,
            record: &c.record,
            envelope: &c.envelope,
        })
        .collect();
    let bad = verify_signatures(device, &pending);
    drop(pending);
    let scope = scope_of(state, caller).await?;
    let mut max_seq = None;
    for c in checked {
        if bad.contains(&c.index) {
            out.push((
                c.index,
                rejected(
                    RejectionCode::Api(ErrorCode::InvalidSignature),
                    "The device's signature over this edit is not valid",
                ),
            ));
            continue;
        }
        let status = match apply_one(state, caller, origin, device, &scope, &c, today).await {
            Ok(status) => status,
            Err(e) => rejected_by(e),
        };
        if matches!(status, SyncStatus::Edited { .. }) {
            max_seq = max_seq.max(Some(c.record.seq));
        }
        out.push((c.index, status));
    }
    if let Some(seq) = max_seq {
        state.db.advance_device_seq(device.id, seq).await?;
    }
    Ok(out)
}

/// The checks before the signature: ids, form, base version, the answers themselves.
async fn check(
    state: &AppState,
    locale: Locale,
    today: time::Date,
    record: SyncRecord,
    device: &DeviceInfo,
    stored: &HashMap<RecordId, ReceiptRow>,
) -> Result<Checked, SyncStatus> {
    let ids = check_identity(&record)?;
    let base = record.base_version.unwrap_or(0);
    if base < 1 {
        return Err(base_version_invalid());
    }
    if !stored.contains_key(&ids.record) {
        return Err(not_found());
    }
    let version = state
        .versions
        .get_any(&state.db, ids.form, record.form_version)
        .await
        .map_err(rejected_by)?;
    let answers = version
        .definition
        .validate(&record.answers, today)
        .map_err(|e| rejected_by(AppError::Client(e.to_api_error(locale))))?;
    let envelope = envelope_of(device, &record, record_hash(&answers));
    Ok(Checked {
        index: 0,
        ids,
        kept_hash: sealed::kept_payload_hash(&state.subkeys, &envelope.payload_hash),
        record,
        envelope,
        version,
        answers,
    })
}

fn not_found() -> SyncStatus {
    rejected(
        RejectionCode::Api(ErrorCode::NotFound),
        "No such record, or it is not yours to edit; the edit is kept on the device",
    )
}

fn base_version_invalid() -> SyncStatus {
    rejected(
        RejectionCode::BaseVersionInvalid,
        "The edit starts from a version of the record the server does not have",
    )
}

fn fields_rejected(
    code: RejectionCode,
    message: &str,
    fields: BTreeMap<String, Vec<FieldIssue>>,
) -> SyncStatus {
    SyncStatus::Rejected {
        code,
        message: message.to_owned(),
        fields,
    }
}

/// The consent problems of the edited answers under the record's original statement.
/// The hashes of the answers, the signature and the subject belong to the original
/// answers and are not compared: an edit does not give consent again.
fn consent_problems(c: &Checked) -> BTreeMap<String, Vec<FieldIssue>> {
    let version = &c.version;
    let today = time::OffsetDateTime::now_utc().date();
    let problems = check_statement(
        &version.statement_context(&c.answers, today),
        &c.record.statement,
    );
    let mut fields: BTreeMap<String, Vec<FieldIssue>> = BTreeMap::new();
    for p in problems {
        if matches!(
            p,
            StatementProblem::WrongRecordHash
                | StatementProblem::WrongSignatureHash
                | StatementProblem::WrongSubjectHash
                | StatementProblem::HashKeyMissing
        ) {
            continue;
        }
        let key = match &p {
            StatementProblem::FieldWithoutConsent { field } => field.clone(),
            _ => "consent".to_owned(),
        };
        let code = serde_json::to_value(&p)
            .ok()
            .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
            .unwrap_or_else(|| "consent_invalid".to_owned());
        fields.entry(key).or_default().push(FieldIssue {
            code,
            params: BTreeMap::new(),
            message: p.message(),
        });
    }
    fields
}

/// Applies one edit, redoing it when the record moved on under it.
async fn apply_one(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    device: &DeviceInfo,
    scope: &Scope,
    c: &Checked,
    today: time::Date,
) -> AppResult<SyncStatus> {
    if state
        .db
        .record_in_scope(scope, c.ids.record)
        .await?
        .is_none()
    {
        return Ok(not_found());
    }
    let problems = consent_problems(c);
    if !problems.is_empty() {
        return Ok(fields_rejected(
            RejectionCode::ConsentInvalid,
            "The record's consent does not cover the edited answers",
            problems,
        ));
    }
    for _ in 0..ATTEMPTS {
        if let Some(status) = try_once(state, caller, origin, device, c, today).await? {
            return Ok(status);
        }
    }
    Ok(rejected(
        RejectionCode::Busy,
        "The record kept changing while the edit was applied; it will be sent again",
    ))
}

/// One attempt; `None` when the record moved on and the attempt was rolled back.
async fn try_once(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    device: &DeviceInfo,
    c: &Checked,
    today: time::Date,
) -> AppResult<Option<SyncStatus>> {
    let (record, def) = (&c.record, &c.version.definition);
    let record_id = c.ids.record;
    let mut tx = state.db.begin_write().await?;
    if let Some(status) = replayed(&mut tx, device, c).await? {
        return Ok(Some(status));
    }
    let rec = match stored_record(&mut tx, c).await? {
        Ok(rec) => rec,
        Err(status) => return Ok(Some(status)),
    };
    let base = record.base_version.unwrap_or(0);
    let dek = sealed::data_key(state, rec.id, &rec.wrapped_key)?;
    let key = RecordKey::new(record_id, rec.key_version, &dek);
    let now = now_ms();
    // Staff's and managers' changes of key fields wait for someone else's approval.
    let held = matches!(caller.role(), Role::Staff | Role::Manager);
    let plan = match plan(&mut tx, &key, &rec, c, (base, held), now, today).await? {
        Ok(plan) => plan,
        Err(status) => return Ok(Some(status)),
    };

    let mut version = rec.version;
    if !plan.applied.is_empty() {
        let author = Author {
            user_id: caller.user.id,
            device: Some((device.id, record.seq)),
            cause: shared::api::records::VersionCause::DeviceEdit,
            request_id: None,
            change_id: None,
        };
        let written = write_next(
            &mut tx,
            state,
            &key,
            def,
            rec.version,
            &plan.answers,
            &plan.applied,
            &author,
            now,
        )
        .await?;
        match written {
            Some(v) => version = v,
            None => return Ok(None),
        }
    }
    let filed = Filed {
        base,
        version,
        author_id: caller.user.id,
        now,
    };
    let conflict_ids = file_conflicts(&mut tx, &key, device, c, &plan, &filed).await?;
    let status = SyncStatus::Edited {
        version,
        merged_fields: plan.merged.clone(),
        conflicted_fields: plan.conflicted.clone(),
        pending_fields: plan.pending.clone(),
    };
    let answer = serde_json::to_string(&status).unwrap_or_default();
    if !edits::insert_edit(
        &mut tx,
        (record_id, device.id, record.seq),
        &c.kept_hash,
        &answer,
        now,
    )
    .await?
    {
        return Ok(None);
    }
    let event = Event::new("records.edit", Some(&caller.user))
        .target("record", record_id)
        .details(serde_json::json!({
            "device_id": device.id,
            "seq": record.seq,
            "base_version": base,
            "version": version,
            "changed": plan.applied,
            "merged": plan.merged,
            "conflicted": plan.conflicted,
            "conflicts": conflict_ids,
        }));
    audit::record(&mut tx, origin, event).await?;
    tx.commit().await?;
    tracing::info!(
        record_id = %record_id,
        version,
        conflicts = conflict_ids.len(),
        "record edited"
    );
    Ok(Some(status))
}

/// The answer an edit already got, when this one is its replay; another edit under the
/// same device sequence number is a conflict that changes nothing.
async fn replayed(
    tx: &mut AnyConnection,
    device: &DeviceInfo,
    c: &Checked,
) -> AppResult<Option<SyncStatus>> {
    let Some((hash, json)) = edits::edit_result(tx, c.ids.record, device.id, c.record.seq).await?
    else {
        return Ok(None);
    };
    // Rows from before hashes were kept keyed hold the plain hash until `upgrade.rs`
    // keys them.
    Ok(Some(
        if hash == c.kept_hash || hash == c.envelope.payload_hash {
            serde_json::from_str(&json)
                .map_err(|e| AppError::internal("a stored edit answer", e))?
        } else {
            SyncStatus::Conflict {
            message:
                "Another edit with this sequence number was already applied; nothing was changed"
                    .to_owned(),
        }
        },
    ))
}

/// The stored record, if the edit is about it: same consent, same form version, and a
/// base version the record has had.
async fn stored_record(
    tx: &mut AnyConnection,
    c: &Checked,
) -> AppResult<Result<EditableRecord, SyncStatus>> {
    let record = &c.record;
    let Some(rec) = edits::editable_record(tx, c.ids.record).await? else {
        return Ok(Err(not_found()));
    };
    if rec.statement_hash.as_deref() != Some(c.envelope.statement_hash.as_str()) {
        return Ok(Err(SyncStatus::Conflict {
            message: "The edit carries another consent than the stored record; nothing was changed"
                .to_owned(),
        }));
    }
    if rec.form_id != c.ids.form || rec.form_version != record.form_version {
        return Ok(Err(rejected(
            RejectionCode::FormMismatch,
            "The edit names another form or version than the stored record",
        )));
    }
    if record.base_version.unwrap_or(0) > rec.version {
        return Ok(Err(base_version_invalid()));
    }
    Ok(Ok(rec))
}

/// The three-way merge of the device's answers with what the server has now, from the
/// version the device started from (kept as version 1 on the first edit). Refused when
/// the device changed a field whose purposes were withdrawn; a merge that breaks the
/// form's rules as a whole turns the device's changes into conflicts.
async fn plan(
    tx: &mut AnyConnection,
    key: &RecordKey<'_>,
    rec: &EditableRecord,
    c: &Checked,
    (base, held): (i64, bool),
    now: i64,
    today: time::Date,
) -> AppResult<Result<MergePlan, SyncStatus>> {
    let def = &c.version.definition;
    let current = key.open_all(def, Place::Record, &rec.values)?;
    let versions = edits::versions_from(tx, rec.id, base).await?;
    if versions.is_empty() {
        keep_first_version(tx, key, def, rec.version, &current, now).await?;
    }
    let base_values = if base == rec.version {
        current.clone()
    } else {
        let Some(kept) = versions.iter().find(|v| v.version == base) else {
            tracing::error!(
                record_id = %rec.id,
                base,
                "a kept version of an edited record is missing"
            );
            return Ok(Err(base_version_invalid()));
        };
        key.open_all(def, Place::Version(base), &kept.values)?
    };
    let server_changed: BTreeSet<String> = versions
        .iter()
        .filter(|v| v.version > base)
        .flat_map(|v| serde_json::from_str::<Vec<String>>(&v.changed_fields).unwrap_or_default())
        .collect();

    let mut plan = merge_plan(&base_values, &current, &server_changed, &c.answers);
    if held {
        plan = plan.hold_for_approval(&current, |k| def.field(k).is_some_and(|f| f.needs_approval));
    }
    let gone = withdrawn_purposes(rec.withdrawn_json.as_deref());
    let blocked: BTreeMap<String, Vec<FieldIssue>> = plan
        .device_changed
        .iter()
        .filter(|k| def.field(k).is_some_and(|f| withdrawn(f, &gone)))
        .map(|k| {
            (
                k.clone(),
                vec![FieldIssue {
                    code: "purpose_withdrawn".to_owned(),
                    params: BTreeMap::new(),
                    message: "Consent to this field's purposes was withdrawn; it cannot be edited"
                        .to_owned(),
                }],
            )
        })
        .collect();
    if !blocked.is_empty() {
        return Ok(Err(fields_rejected(
            RejectionCode::PurposeWithdrawn,
            "The edit changes fields whose purposes the customer withdrew",
            blocked,
        )));
    }
    if !plan.applied.is_empty() {
        let whole = def.validate(&plan.answers.to_answers(), today);
        if whole.as_ref().ok() != Some(&plan.answers) {
            return Ok(Ok(plan.into_conflicts(&current, &c.answers)));
        }
    }
    Ok(Ok(plan))
}

/// Where the conflicts of an edit stand: between its base and the version it made.
struct Filed {
    base: i64,
    version: i64,
    author_id: UserId,
    now: i64,
}

/// Files a conflict for each field the device and the server both changed, and a change
/// waiting for approval for each key field held back, and returns their ids. A device
/// keeps its base version after a conflict, so each later edit of the record from it
/// meets the same conflict again: one that is still open with the same value is not
/// filed twice. A different value is a new one beside the first.
async fn file_conflicts(
    tx: &mut AnyConnection,
    key: &RecordKey<'_>,
    device: &DeviceInfo,
    c: &Checked,
    plan: &MergePlan,
    filed: &Filed,
) -> AppResult<Vec<ConflictId>> {
    let record_id = c.ids.record;
    let def = &c.version.definition;
    let mut conflict_ids = Vec::new();
    let open = if plan.conflicted.is_empty() && plan.pending.is_empty() {
        Vec::new()
    } else {
        edits::open_conflicts_from(tx, record_id, device.id).await?
    };
    let filing = plan
        .conflicted
        .iter()
        .map(|k| (k, ConflictKind::Conflict))
        .chain(plan.pending.iter().map(|k| (k, ConflictKind::Approval)));
    for (field_key, kind) in filing {
        let wanted = c.answers.get(field_key);
        let mut already = None;
        for o in open
            .iter()
            .filter(|o| &o.field_key == field_key && o.kind == kind)
        {
            if crate::records::conflicts::device_value(key, o)?.as_ref() == wanted {
                already = Some(o.id);
                break;
            }
        }
        if let Some(id) = already {
            conflict_ids.push(id);
            continue;
        }
        let id = ConflictId::from_uuid(uuid::Uuid::now_v7());
        let id_text = id.to_string();
        let sensitivity = def
            .field(field_key)
            .map(|f| f.sensitivity)
            .unwrap_or_default();
        let device_value = wanted.map(|v| {
            key.seal_value(Place::Conflict(&id_text), field_key, sensitivity, v)
                .to_string()
        });
        edits::insert_conflict(
            tx,
            &ConflictRow {
                id,
                record_id,
                field_key: field_key.clone(),
                base_version: filed.base,
                server_version: filed.version,
                device_value,
                author_id: filed.author_id,
                device_id: device.id,
                device_seq: c.record.seq,
                created_at_ms: filed.now,
                resolved_at_ms: None,
                kind,
            },
        )
        .await?;
        conflict_ids.push(id);
    }
    Ok(conflict_ids)
}
