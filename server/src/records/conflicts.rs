//! Edit conflicts: listing them with both values as the caller may see them, and
//! resolving one (keep the server's value, or apply the device's as a new version).

use shared::api::records::VersionCause;
use shared::ids::{ConflictId, RecordId};
use std::collections::HashMap;

use shared::{
    access::{may_resolve_conflicts, visibility, Visibility},
    api::{
        conflicts::{
            ConflictKind, ConflictList, ConflictResolved, ConflictView, ResolveConflict, Take,
            MAX_DECISION_COMMENT_CHARS,
        },
        error::ErrorCode,
    },
    i18n::Locale,
    mask::mask,
    schema::{Field, FieldKey, FieldValue, Sensitivity, ValidatedAnswers},
};

use super::{
    sealed::{data_key, Place, RecordKey},
    service::{scope_of, withdrawn, withdrawn_purposes},
    versions::{keep_first_version, write_next, Author},
};
use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::{
        edits::{self, ConflictRow},
        now_ms,
    },
};

/// The most open conflicts one list shows.
const LIST_LIMIT: i64 = 500;
/// How often a resolution is redone when the record moves on under it.
const ATTEMPTS: usize = 5;

/// A value as `vis` shows it; counts values shown in full.
fn shown(
    field: &Field,
    vis: Visibility,
    value: Option<&FieldValue>,
    unmasked: &mut usize,
) -> Option<String> {
    let text = value?.display_text();
    match vis {
        Visibility::Hidden => None,
        Visibility::Masked => Some(mask(field.mask, &text)),
        Visibility::Full => {
            if field.sensitivity != Sensitivity::Ordinary {
                *unmasked += 1;
            }
            Some(text)
        }
    }
}

/// The open conflicts the caller may resolve; reading personal data in clear is audited.
pub async fn list(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
) -> AppResult<ConflictList> {
    if !may_resolve_conflicts(caller.role()) {
        return Err(AppError::forbidden());
    }
    let scope = scope_of(state, caller).await?;
    let rows = state.db.open_conflicts(&scope, LIST_LIMIT).await?;
    let ids: Vec<RecordId> = rows.iter().map(|r| r.record_id).collect();
    let versions = state.db.versions_and_open_conflicts(&ids).await?;
    let authors: Vec<shared::ids::UserId> = rows.iter().map(|r| r.author_id).collect();
    let names = state.db.user_names(&authors).await?;
    let mut records = HashMap::new();
    let mut conflicts = Vec::new();
    let mut unmasked = 0;
    for c in &rows {
        if let std::collections::hash_map::Entry::Vacant(e) = records.entry(c.record_id) {
            let row = state.db.record_in_scope(&scope, c.record_id).await?;
            e.insert(row);
        }
        let Some(Some(row)) = records.get(&c.record_id) else {
            continue;
        };
        let version = state
            .versions
            .get_any(&state.db, row.form_id, row.form_version)
            .await?;
        let Some(field) = version.definition.field(&c.field_key) else {
            continue;
        };
        let gone = withdrawn_purposes(row.withdrawn_json.as_deref());
        let vis = if withdrawn(field, &gone) {
            Visibility::Hidden
        } else {
            visibility(caller.role(), field.sensitivity)
        };
        let (server_value, device_value) = if vis == Visibility::Hidden {
            (None, None)
        } else {
            let dek = data_key(state, row.id, &row.wrapped_key)?;
            let key = RecordKey::new(row.id, row.key_version, &dek);
            let current = key.open_all(&version.definition, Place::Record, &row.values)?;
            let device = device_value(&key, c)?;
            (
                shown(field, vis, current.get(&c.field_key), &mut unmasked),
                shown(field, vis, device.as_ref(), &mut unmasked),
            )
        };
        // A change waiting for approval is contested when the field changed on the server
        // since its base, or another open change of the field waits beside it.
        let contested = c.kind == ConflictKind::Approval
            && (rows
                .iter()
                .any(|o| o.id != c.id && o.record_id == c.record_id && o.field_key == c.field_key)
                || {
                    let mut conn = state.db.pool().acquire().await?;
                    edits::versions_from(&mut conn, c.record_id, c.base_version + 1)
                        .await?
                        .iter()
                        .any(|v| {
                            serde_json::from_str::<Vec<String>>(&v.changed_fields)
                                .is_ok_and(|f| f.contains(&c.field_key))
                        })
                });
        conflicts.push(ConflictView {
            id: c.id,
            kind: c.kind,
            author_name: names.get(&c.author_id).cloned(),
            form_title: version.definition.title.clone(),
            contested,
            record_id: c.record_id,
            form_id: row.form_id,
            form_version: row.form_version,
            field_key: c.field_key.clone(),
            field_label: field.label.clone(),
            sensitivity: field.sensitivity,
            visibility: vis,
            base_version: c.base_version,
            server_version: c.server_version,
            current_version: versions.get(&c.record_id).map_or(1, |v| v.0),
            author_id: c.author_id,
            device_id: c.device_id,
            device_seq: c.device_seq,
            created_at_ms: c.created_at_ms,
            server_value,
            device_value,
            device_cleared: c.device_value.is_none(),
        });
    }
    if unmasked > 0 {
        let ids: Vec<ConflictId> = conflicts.iter().map(|c| c.id).collect();
        let event = Event::new("records.read", Some(&caller.user))
            .details(serde_json::json!({"conflicts": ids, "unmasked_values": unmasked}));
        audit::record_alone(&state.db, origin, event, None).await?;
    }
    Ok(ConflictList { conflicts })
}

/// The device's value of a conflict; `None` when the device cleared the field.
pub(crate) fn device_value(key: &RecordKey<'_>, c: &ConflictRow) -> AppResult<Option<FieldValue>> {
    c.device_value
        .as_deref()
        .map(|json| {
            let entry: serde_json::Value = serde_json::from_str(json)
                .map_err(|e| AppError::internal(format!("conflict {} value", c.id), e))?;
            key.open_value(Place::Conflict(&c.id.to_string()), &c.field_key, &entry)
        })
        .transpose()
}

fn already_resolved() -> AppError {
    AppError::client(
        ErrorCode::AlreadyResolved,
        "This conflict was already resolved",
    )
}

/// Resolves a conflict in the caller's scope; audited.
pub async fn resolve(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    id: ConflictId,
    decision: &ResolveConflict,
) -> AppResult<ConflictResolved> {
    if !may_resolve_conflicts(caller.role()) {
        return Err(AppError::forbidden());
    }
    let comment = decision
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_DECISION_COMMENT_CHARS) {
        return Err(AppError::invalid_field(
            "comment",
            "too_long",
            format!("At most {MAX_DECISION_COMMENT_CHARS} characters"),
        ));
    }
    let take = decision.take;
    let not_found = || AppError::not_found("No such conflict");
    let conflict = {
        let mut conn = state.db.pool().acquire().await?;
        edits::conflict_on(&mut conn, id).await?
    }
    .ok_or_else(not_found)?;
    let scope = scope_of(state, caller).await?;
    if state
        .db
        .record_in_scope(&scope, conflict.record_id)
        .await?
        .is_none()
    {
        return Err(not_found());
    }
    if conflict.resolved_at_ms.is_some() {
        return Err(already_resolved());
    }
    if conflict.kind == ConflictKind::Approval && conflict.author_id == caller.user.id {
        return Err(AppError::client(
            ErrorCode::Forbidden,
            "You cannot decide on your own change: another manager or an admin approves it",
        ));
    }
    for _ in 0..ATTEMPTS {
        if let Some(done) = try_resolve(state, caller, origin, locale, id, (take, comment)).await? {
            return Ok(done);
        }
    }
    Err(AppError::client(
        ErrorCode::Conflict,
        "The record kept changing; try again",
    ))
}

/// One attempt; `None` when the record moved on and the attempt was rolled back.
async fn try_resolve(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    id: ConflictId,
    (take, comment): (Take, Option<&str>),
) -> AppResult<Option<ConflictResolved>> {
    let mut tx = state.db.begin_write().await?;
    let conflict = edits::conflict_on(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("No such conflict"))?;
    if conflict.resolved_at_ms.is_some() {
        return Err(already_resolved());
    }
    let rec = edits::editable_record(&mut tx, conflict.record_id)
        .await?
        .ok_or_else(|| AppError::not_found("No such record"))?;
    let now = now_ms();
    let mut version = rec.version;
    let dek = data_key(state, rec.id, &rec.wrapped_key)?;
    let approval = conflict.kind == ConflictKind::Approval;
    if take == Take::Device {
        let cached = state
            .versions
            .get_any(&state.db, rec.form_id, rec.form_version)
            .await?;
        let def = &cached.definition;
        let field = def
            .field(&conflict.field_key)
            .ok_or_else(|| AppError::invariant("conflict on an unknown field"))?;
        if withdrawn(field, &withdrawn_purposes(rec.withdrawn_json.as_deref())) {
            return Err(AppError::client(
                ErrorCode::Forbidden,
                "Consent to this field's purposes was withdrawn; it can no longer be changed",
            ));
        }
        let key = RecordKey::new(rec.id, rec.key_version, &dek);
        let current = key.open_all(def, Place::Record, &rec.values)?;
        let mut values = current.clone().into_values();
        let field_key = FieldKey::parse(conflict.field_key.clone())
            .map_err(|e| AppError::invariant(format!("conflict field key: {e:?}")))?;
        match device_value(&key, &conflict)? {
            Some(v) => values.insert(field_key, v),
            None => values.remove(&field_key),
        };
        let wanted = ValidatedAnswers::from_values(values);
        let today = time::OffsetDateTime::now_utc().date();
        let valid = def
            .validate(&wanted.to_answers(), today)
            .map_err(|e| AppError::Client(e.to_api_error(locale)))?;
        if valid != wanted {
            return Err(AppError::invalid_field(
                &conflict.field_key,
                "no_longer_fits",
                "The device's value no longer fits the rest of the record",
            ));
        }
        if wanted != current {
            if edits::versions_from(&mut tx, rec.id, 1).await?.is_empty() {
                keep_first_version(&mut tx, &key, def, rec.version, &current, now).await?;
            }
            // An approved change is the author's, from their device; a resolved conflict
            // is the resolver's.
            let author = if approval {
                Author {
                    user_id: conflict.author_id,
                    device: Some((conflict.device_id, conflict.device_seq)),
                    cause: VersionCause::ApprovedChange,
                    request_id: None,
                    change_id: Some(conflict.id),
                }
            } else {
                Author {
                    user_id: caller.user.id,
                    device: None,
                    cause: VersionCause::ConflictResolved,
                    request_id: None,
                    change_id: None,
                }
            };
            let changed = [conflict.field_key.clone()];
            match write_next(
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
            {
                Some(v) => version = v,
                None => return Ok(None),
            }
        }
    }
    let comment_sealed = comment.map(|c| {
        RecordKey::new(rec.id, rec.key_version, &dek)
            .seal_text(&format!("#decision:{id}"), c.as_bytes())
            .as_str()
            .to_owned()
    });
    if !edits::resolve_conflict(
        &mut tx,
        id,
        caller.user.id,
        take.as_str(),
        now,
        comment_sealed.as_deref(),
    )
    .await?
    {
        return Err(already_resolved());
    }
    let action = match (approval, take) {
        (false, _) => "records.conflict.resolve",
        (true, Take::Device) => "records.change.approved",
        (true, Take::Server) => "records.change.rejected",
    };
    let event = Event::new(action, Some(&caller.user))
        .target("record", rec.id)
        .details(serde_json::json!({
            "conflict": id,
            "field": conflict.field_key,
            "take": take.as_str(),
            "version": version,
        }));
    audit::record(&mut tx, origin, event).await?;
    tx.commit().await?;
    Ok(Some(ConflictResolved {
        id,
        record_id: rec.id,
        take,
        version,
    }))
}
