//! Records in the caller's scope: the list, one record, lookups by identifier,
//! revealing single values and assigning; their views are built in `view.rs`.

use std::collections::{BTreeMap, BTreeSet};

use shared::i18n::Locale;
use shared::ids::{FormId, RecordId, UserId};
use shared::{
    access::may_reveal,
    api::{
        auth::Role,
        error::ErrorCode,
        records::{
            RecordForm, RecordPage, RecordView, RevealResponse, MAX_REVEAL_REASON_CHARS,
            MIN_REVEAL_REASON_CHARS,
        },
        retention::ProcessedValue,
        users::AssignRecordResponse,
    },
    schema::{Field, FieldValue},
};

use crate::{
    audit::{self, Event},
    auth::Principal,
    crypto::DataKey,
    error::{AppError, AppResult},
    extract::Origin,
    records::sealed::{self, Entries, Place, RecordKey},
    state::AppState,
    store::{
        now_ms,
        records::{self as record_store, RecordRow, Scope},
    },
};

pub use super::view::Viewer;
pub(crate) use super::view::{values_view, views};

/// The records a caller may see: everything for admins and auditors; what their team
/// owns for a manager (and the unassigned ones when their team is the intake); what
/// they own for staff. Unassigned records (customers' web submissions) otherwise reach
/// only admins, who give them to someone.
pub async fn scope_of(state: &AppState, caller: &Principal) -> AppResult<Scope> {
    Ok(match caller.role() {
        Role::Admin | Role::Auditor | Role::PrivacyOfficer => Scope::All,
        Role::Manager => {
            let team_id = state.db.team_of(caller.user.id).await?;
            let intake = match (&state.config.intake_team, team_id) {
                (Some(intake), Some(team)) => {
                    let mut conn = state.db.pool().acquire().await?;
                    crate::store::accounts::team_on(&mut conn, team)
                        .await?
                        .is_some_and(|t| t.name == *intake)
                }
                _ => false,
            };
            Scope::Team {
                manager_id: caller.user.id,
                team_id,
                intake,
            }
        }
        Role::Staff => Scope::Own {
            user_id: caller.user.id,
        },
    })
}

/// The value of one stored entry: as stored when ordinary, else opened with the
/// record's data key (`dek`, which the caller unwraps only when a value is sealed).
pub(super) fn open_entry(
    row: &RecordRow,
    dek: Option<&DataKey>,
    place: Place<'_>,
    field_key: &str,
    entry: &serde_json::Value,
) -> AppResult<FieldValue> {
    if let Some(plain) = sealed::plain_value(row.id, entry) {
        return plain;
    }
    let dek = dek.ok_or_else(|| AppError::invariant("a sealed value without its data key"))?;
    let key = RecordKey::new(row.id, row.key_version, dek);
    key.open_value(place, field_key, entry)
}

pub(super) fn data_key(state: &AppState, row: &RecordRow) -> AppResult<DataKey> {
    sealed::data_key(state, row.id, &row.wrapped_key)
}

/// Logs why a record's data key could not be unwrapped.
pub(super) fn log_unreadable(row: &RecordRow) -> impl FnOnce(AppError) + '_ {
    move |e| tracing::error!(record_id = %row.id, error = %e, "data key unreadable")
}

/// A stored value that cannot be opened (altered, or moved from another record): a
/// clear refusal naming the record and field, rather than an opaque 500; the cause is
/// logged.
fn unreadable<'a>(
    row: &'a RecordRow,
    field_key: &'a str,
) -> impl FnOnce(AppError) -> AppError + 'a {
    move |e| {
        tracing::error!(record_id = %row.id, field = %field_key, error = %e, "stored value unreadable");
        AppError::client(
            ErrorCode::Conflict,
            format!(
                "The stored value of field {field_key} of record {} cannot be read: it was \
                 altered or damaged",
                row.id
            ),
        )
    }
}

/// True when consent to every purpose of `field` was withdrawn.
pub(crate) fn withdrawn(field: &Field, withdrawn: &BTreeSet<String>) -> bool {
    shared::retention::serves_only(field, |p| withdrawn.contains(p.as_str()))
}

pub(super) fn withdrawn_set(row: &RecordRow) -> BTreeSet<String> {
    withdrawn_purposes(row.withdrawn_json.as_deref())
}

/// The purposes withdrawn, from a receipt's `purposes_withdrawn`.
pub(crate) fn withdrawn_purposes(json: Option<&str>) -> BTreeSet<String> {
    withdrawn_times(json).into_keys().collect()
}

/// Purpose → when it was withdrawn, from a receipt's `purposes_withdrawn` (nothing when
/// absent or unreadable).
pub(crate) fn withdrawn_times(json: Option<&str>) -> BTreeMap<String, i64> {
    json.and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// One record in the caller's scope, with its version and open conflicts; reading
/// personal data in clear is audited.
pub async fn detail(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    record_id: RecordId,
) -> AppResult<RecordView> {
    let scope = scope_of(state, caller).await?;
    let row = state
        .db
        .record_in_scope(&scope, record_id)
        .await?
        .ok_or_else(|| AppError::not_found("No such record"))?;
    let (records, unmasked) = views(
        state,
        Viewer::screen(caller.role(), locale),
        std::slice::from_ref(&row),
    )
    .await?;
    if unmasked > 0 {
        let event = Event::new("records.read", Some(&caller.user))
            .details(serde_json::json!({"records": [row.id], "unmasked_values": unmasked}));
        audit::record_alone(&state.db, origin, event, None).await?;
    }
    records
        .into_iter()
        .next()
        .ok_or_else(|| AppError::invariant("a record's view is missing"))
}

/// A page of records for the caller; reading personal data in clear is audited.
pub async fn list(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    form_id: Option<FormId>,
    before: Option<i64>,
    limit: i64,
) -> AppResult<RecordPage> {
    let scope = scope_of(state, caller).await?;
    let rows = state
        .db
        .records_page(&scope, form_id, before, limit)
        .await?;
    let (records, unmasked) = views(state, Viewer::screen(caller.role(), locale), &rows).await?;
    if unmasked > 0 {
        let ids: Vec<RecordId> = records.iter().map(|r| r.id).collect();
        let event = Event::new("records.read", Some(&caller.user))
            .details(serde_json::json!({"records": ids, "unmasked_values": unmasked}));
        audit::record_alone(&state.db, origin, event, None).await?;
    }
    let next_before = (i64::try_from(rows.len()).unwrap_or(0) == limit)
        .then(|| rows.last().map(|r| r.created_at_ms))
        .flatten();
    Ok(RecordPage {
        records,
        next_before,
    })
}

/// The forms the caller's records were collected with, by title (for the list's filter).
pub async fn forms(state: &AppState, caller: &Principal) -> AppResult<Vec<RecordForm>> {
    let scope = scope_of(state, caller).await?;
    let mut forms = Vec::new();
    for (id, number) in state.db.record_forms(&scope).await? {
        let version = state.versions.get_any(&state.db, id, number).await?;
        forms.push(RecordForm {
            id,
            title: version.definition.title.clone(),
        });
    }
    forms.sort_by(|a, b| a.title.en.cmp(&b.title.en).then_with(|| a.id.cmp(&b.id)));
    Ok(forms)
}

/// Shows one masked value in full, for a stated reason; audited.
pub async fn reveal(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    record_id: RecordId,
    field_key: &str,
    reason: &str,
) -> AppResult<RevealResponse> {
    if !may_reveal(caller.role()) {
        return Err(AppError::forbidden());
    }
    let reason_chars = reason.trim().chars().count();
    if reason_chars < MIN_REVEAL_REASON_CHARS {
        return Err(AppError::invalid_field(
            "reason",
            "reason_required",
            "Say why you need to see this value",
        ));
    }
    if reason_chars > MAX_REVEAL_REASON_CHARS {
        return Err(AppError::invalid_field(
            "reason",
            "reason_too_long",
            format!(
                "Keep the reason to {MAX_REVEAL_REASON_CHARS} characters: it stays in the audit \
                 log, so write why, not details about the person"
            ),
        ));
    }
    let scope = scope_of(state, caller).await?;
    let not_found = || AppError::not_found("No such record");
    let row = state
        .db
        .record_in_scope(&scope, record_id)
        .await?
        .ok_or_else(not_found)?;
    let version = state
        .versions
        .get_any(&state.db, row.form_id, row.form_version)
        .await?;
    let field = version.definition.field(field_key).ok_or_else(|| {
        AppError::invalid_field("field", "unknown_field", "The form has no such field")
    })?;
    if withdrawn(field, &withdrawn_set(&row)) {
        return Err(AppError::client(
            ErrorCode::Forbidden,
            "Consent to this field's purposes was withdrawn; it can no longer be shown",
        ));
    }
    let entries = Entries::of(row.id, &row.values)?;
    let processed = row.retention_json.as_deref().is_some_and(|j| {
        serde_json::from_str::<BTreeMap<String, ProcessedValue>>(j)
            .is_ok_and(|m| m.contains_key(field_key))
    });
    let entry = entries.get(field_key).ok_or_else(|| {
        if processed {
            AppError::conflict(
                "This value was deleted or anonymised under the retention policy; it can \
                 never be revealed",
            )
        } else {
            AppError::not_found("The record has no value for this field")
        }
    })?;
    let dek = data_key(state, &row).map_err(unreadable(&row, field_key))?;
    let opened = open_entry(&row, Some(&dek), Place::Record, field.key.as_str(), entry)
        .map_err(unreadable(&row, field_key))?;
    // The reason may name the person: it is sealed under the record's data key, so the
    // immutable log holds nothing readable once the record is erased.
    let reason_id = uuid::Uuid::new_v4().to_string();
    let sealed_reason = RecordKey::new(row.id, row.key_version, &dek)
        .seal_text(&audit::reasons::place(&reason_id), reason.trim().as_bytes());
    let event = Event::new(audit::reasons::REVEAL, Some(&caller.user))
        .target("record", row.id)
        .details(serde_json::json!({
            "field": field_key,
            "reason_id": reason_id,
            "reason_sealed": sealed_reason.as_str(),
        }));
    audit::record_alone(&state.db, origin, event, None).await?;
    Ok(RevealResponse {
        field: field_key.to_owned(),
        value: opened.display_text(),
    })
}

/// Gives a record in the caller's scope to a staff member or manager to follow up.
/// Managers may give it only to members of their own team. Audited with both owners.
pub async fn assign(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    record_id: RecordId,
    owner_id: UserId,
) -> AppResult<AssignRecordResponse> {
    let not_found = || AppError::not_found("No such record");
    let scope = scope_of(state, caller).await?;
    state
        .db
        .record_in_scope(&scope, record_id)
        .await?
        .ok_or_else(not_found)?;
    let owner = state.db.user_by_id(owner_id).await?.ok_or_else(|| {
        AppError::invalid_field("owner_id", "unknown_user", "There is no such user")
    })?;
    if owner.disabled {
        return Err(AppError::invalid_field(
            "owner_id",
            "user_disabled",
            "This account is disabled",
        ));
    }
    if !matches!(owner.role, Role::Staff | Role::Manager) {
        return Err(AppError::invalid_field(
            "owner_id",
            "owner_role",
            "Records can be assigned to staff and managers only",
        ));
    }
    if caller.role() == Role::Manager {
        let own_team = state.db.team_of(caller.user.id).await?;
        if own_team.is_none() || own_team != state.db.team_of(owner.id).await? {
            return Err(AppError::client(
                ErrorCode::Forbidden,
                "Managers may assign records only to members of their own team",
            ));
        }
    }
    let mut tx = state.db.begin_write().await?;
    let previous = record_store::set_owner(&mut tx, record_id, owner.id, now_ms())
        .await?
        .ok_or_else(not_found)?;
    let event = Event::new("records.assign", Some(&caller.user))
        .target("record", record_id)
        .details(serde_json::json!({"from": previous, "to": owner.id}));
    audit::record(&mut tx, origin, event).await?;
    tx.commit().await?;
    tracing::info!(record_id = %record_id, "record assigned");
    Ok(AssignRecordResponse {
        record_id,
        previous_owner_id: previous,
        owner_id: owner.id,
    })
}

/// The records in the caller's scope whose identifier of `kind` equals `value`, found
/// through blind indexes; audited without the value.
pub async fn lookup(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    kind: shared::api::records::IdentifierKind,
    value: &str,
) -> AppResult<RecordPage> {
    let index = super::identifier::index_of(state, kind, value, "value")?;
    let kind_name = kind.as_str();
    let scope = scope_of(state, caller).await?;
    let mut rows = Vec::new();
    for id in state.db.records_by_lookup(&index).await? {
        if let Some(row) = state.db.record_in_scope(&scope, id).await? {
            rows.push(row);
        }
    }
    let (records, unmasked) = views(state, Viewer::screen(caller.role(), locale), &rows).await?;
    let ids: Vec<RecordId> = records.iter().map(|r| r.id).collect();
    let event = Event::new("records.lookup", Some(&caller.user)).details(serde_json::json!({
        "kind": kind_name, "records": ids, "unmasked_values": unmasked,
    }));
    audit::record_alone(&state.db, origin, event, None).await?;
    Ok(RecordPage {
        records,
        next_before: None,
    })
}
