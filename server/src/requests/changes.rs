//! What a request changes in the records: a correction becomes a new version of the
//! record with the request as its reason; erasure deletes every value the way retention
//! does (`retention::engine::remove_values`), except where a legal hold keeps a record.

use shared::{
    api::{
        records::VersionCause,
        requests::{Correction, ErasureOrder, RequestDetail, RequestStatus},
    },
    i18n::Locale,
    ids::{RecordId, SubjectRequestId},
    schema::{FieldKey, ValidatedAnswers},
};

use super::{
    service::{self, note_event},
    Sealer,
};
use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    records::{
        sealed::{data_key, Place, RecordKey},
        service::{withdrawn, withdrawn_purposes},
        versions::{keep_first_version, write_next, Author},
    },
    retention::engine::{erase_whole, Erased},
    state::AppState,
    store::{edits, retention as retained},
};

/// The request, which must be open, and its linked records.
async fn open_request(state: &AppState, id: SubjectRequestId) -> AppResult<Vec<RecordId>> {
    let row = state
        .db
        .request(id)
        .await?
        .ok_or_else(|| AppError::not_found("No such request"))?;
    if RequestStatus::parse(&row.status).is_none_or(RequestStatus::is_closed) {
        return Err(AppError::conflict("This request is closed"));
    }
    Ok(state
        .db
        .request_records(id)
        .await?
        .into_iter()
        .map(|(r, _)| r)
        .collect())
}

/// Corrects one value of a linked record.
pub async fn correct(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    id: SubjectRequestId,
    correction: Correction,
) -> AppResult<RequestDetail> {
    let linked = open_request(state, id).await?;
    if !linked.contains(&correction.record_id) {
        return Err(AppError::invalid_field(
            "record_id",
            "not_linked",
            "This record is not linked to the request",
        ));
    }
    for _ in 0..5 {
        if let Some(version) = try_correct(state, caller, origin, locale, id, &correction).await? {
            tracing::info!(request_id = %id, record_id = %correction.record_id, version, "corrected for a request");
            return service::detail(state, caller, origin, locale, id).await;
        }
    }
    Err(AppError::conflict("The record kept changing; try again"))
}

/// One attempt; `None` when the record moved on (rolled back).
async fn try_correct(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    id: SubjectRequestId,
    c: &Correction,
) -> AppResult<Option<i64>> {
    let mut tx = state.db.begin_write().await?;
    let rec = edits::editable_record(&mut tx, c.record_id)
        .await?
        .ok_or_else(|| AppError::not_found("No such record"))?;
    let cached = state
        .versions
        .get_any(&state.db, rec.form_id, rec.form_version)
        .await?;
    let def = &cached.definition;
    let unknown =
        || AppError::invalid_field("field", "unknown_field", "The form has no such field");
    let field = def
        .field(&c.field)
        .filter(|f| f.holds_value())
        .ok_or_else(unknown)?;
    if withdrawn(field, &withdrawn_purposes(rec.withdrawn_json.as_deref())) {
        return Err(AppError::conflict(
            "Consent to this field's purposes was withdrawn; it is no longer kept",
        ));
    }
    let processed = state
        .db
        .record_in_scope(&crate::store::records::Scope::All, rec.id)
        .await?
        .and_then(|r| r.retention_json)
        .is_some_and(|j| {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&j)
                .is_ok_and(|m| m.contains_key(field.key.as_str()))
        });
    if processed {
        return Err(AppError::conflict(
            "Retention or erasure already removed this value; it cannot be set again",
        ));
    }
    let dek = data_key(state, rec.id, &rec.wrapped_key)?;
    let key = RecordKey::new(rec.id, rec.key_version, &dek);
    let current = key.open_all(def, Place::Record, &rec.values)?;
    let mut answers = current.to_answers();
    answers.insert(field.key.as_str().to_owned(), c.value.clone());
    let today = time::OffsetDateTime::from_unix_timestamp(state.clock.now_ms() / 1000)
        .map(time::OffsetDateTime::date)
        .map_err(|e| AppError::internal("today", e))?;
    let wanted: ValidatedAnswers = def
        .validate(&answers, today)
        .map_err(|e| AppError::Client(e.to_api_error(locale)))?;
    let key_of = FieldKey::parse(c.field.clone()).map_err(|_| unknown())?;
    if wanted.get(key_of.as_str()) == current.get(key_of.as_str()) {
        return Err(AppError::invalid_field(
            &c.field,
            "unchanged",
            "The new value is the same as the stored one",
        ));
    }
    let now = state.clock.now_ms();
    if edits::versions_from(&mut tx, rec.id, 1).await?.is_empty() {
        keep_first_version(&mut tx, &key, def, rec.version, &current, now).await?;
    }
    let changed: Vec<String> = def
        .fields()
        .map(|f| f.key.as_str())
        .filter(|k| wanted.get(k) != current.get(k))
        .map(str::to_owned)
        .collect();
    let author = Author {
        user_id: caller.user.id,
        device: None,
        cause: VersionCause::RequestCorrection,
        request_id: Some(id),
        change_id: None,
    };
    let Some(version) = write_next(
        &mut tx,
        state,
        &key,
        def,
        rec.version,
        &wanted,
        &changed,
        &author,
        now,
    )
    .await?
    else {
        return Ok(None);
    };
    // A correction moves retention clocks no more than any edit: computed again.
    retained::clear_due(&mut tx, rec.id).await?;
    let sealer = Sealer::new(state)?;
    let label = field.label.get(locale).to_owned();
    note_event(
        &mut tx,
        &sealer,
        id,
        Some(caller.user.id),
        "corrected",
        &format!("{label} (v{version})"),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("requests.corrected", Some(&caller.user))
            .target("record", rec.id)
            .details(serde_json::json!({
                "request_id": id,
                "fields": changed,
                "version": version,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(version))
}

/// Erases every value of the linked records (or of those named), each record in its own
/// transaction; records a legal hold keeps are left, and the request says why.
pub async fn erase(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    id: SubjectRequestId,
    order: ErasureOrder,
) -> AppResult<RequestDetail> {
    let linked = open_request(state, id).await?;
    let targets: Vec<RecordId> = match order.record_ids {
        None => linked,
        Some(named) => {
            if let Some(stray) = named.iter().find(|r| !linked.contains(r)) {
                return Err(AppError::invalid_field(
                    "record_ids",
                    "not_linked",
                    format!("Record {stray} is not linked to the request"),
                ));
            }
            named
        }
    };
    if targets.is_empty() {
        return Err(AppError::conflict(
            "No record is linked to this request: find the person's records first",
        ));
    }
    let sealer = Sealer::new(state)?;
    let (mut erased, mut held) = (Vec::new(), Vec::new());
    for record in targets {
        let now = state.clock.now_ms();
        if !state.db.holds_covering(record, now).await?.is_empty() {
            held.push(record);
            continue;
        }
        if erase_one(state, caller, origin, id, record).await? {
            erased.push(record);
        }
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let by = Some(caller.user.id);
    note_event(
        &mut tx,
        &sealer,
        id,
        by,
        "erased",
        &erased.len().to_string(),
        now,
    )
    .await?;
    if !held.is_empty() {
        note_event(
            &mut tx,
            &sealer,
            id,
            by,
            "erasure_blocked",
            &held.len().to_string(),
            now,
        )
        .await?;
    }
    audit::record(
        &mut tx,
        origin,
        Event::new("requests.erasure", Some(&caller.user))
            .target("subject_request", id)
            .details(serde_json::json!({ "erased": erased, "held": held })),
    )
    .await?;
    tx.commit().await?;
    // What was erased does not stay behind in the write-ahead log (SQLite).
    if let Err(e) = state.db.checkpoint_truncate().await {
        tracing::warn!(error = %e, "erasure: WAL not emptied");
    }
    service::detail(state, caller, origin, locale, id).await
}

/// Erases one record whole; `false` when it was already erased.
async fn erase_one(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    request: SubjectRequestId,
    record: RecordId,
) -> AppResult<bool> {
    let mut tx = state.db.begin_write().await?;
    let Some(Erased { fields, shredded }) = erase_whole(&mut tx, state, record).await? else {
        return Ok(false);
    };
    audit::record(
        &mut tx,
        origin,
        Event::new("requests.erased", Some(&caller.user))
            .target("record", record)
            .details(serde_json::json!({
                "request_id": request,
                "fields": fields,
                "key_shredded": shredded,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
