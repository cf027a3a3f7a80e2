//! Building record views and revealing single values.

use std::collections::{BTreeMap, BTreeSet};

use shared::i18n::Locale;
use shared::ids::{FormId, RecordId, UserId};
use shared::{
    access::{may_reveal, visibility, Visibility},
    api::{
        auth::Role,
        error::ErrorCode,
        records::{
            RecordForm, RecordPage, RecordView, RevealResponse, ViewValue, MAX_REVEAL_REASON_CHARS,
            MIN_REVEAL_REASON_CHARS,
        },
        retention::ProcessedValue,
        users::AssignRecordResponse,
    },
    mask::mask,
    schema::{Field, FieldValue, FormDefinition, Sensitivity},
};

use crate::{
    audit::{self, Event},
    auth::Principal,
    crypto::{DataKey, SealedValues},
    error::{AppError, AppResult},
    extract::Origin,
    records::sealed::{self, Entries, Place, RecordKey},
    state::AppState,
    store::{
        now_ms,
        records::{self as record_store, RecordRow, Scope},
    },
};

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
fn open_entry(
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

fn data_key(state: &AppState, row: &RecordRow) -> AppResult<DataKey> {
    sealed::data_key(state, row.id, &row.wrapped_key)
}

/// Logs why a record's data key could not be unwrapped.
fn log_unreadable(row: &RecordRow) -> impl FnOnce(AppError) + '_ {
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

fn withdrawn_set(row: &RecordRow) -> BTreeSet<String> {
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

/// Who looks at records, in which language, and whether values the role sees masked
/// are shown in full (an unmasked export, which the role may reveal).
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub role: Role,
    pub locale: Locale,
    pub unmask: bool,
}

impl Viewer {
    /// The caller as the screen shows records to them.
    #[must_use]
    pub fn screen(role: Role, locale: Locale) -> Self {
        Self {
            role,
            locale,
            unmask: false,
        }
    }
}

/// A record as the viewer sees it; counts the values shown in full.
fn view(
    state: &AppState,
    viewer: Viewer,
    def: &FormDefinition,
    row: &RecordRow,
    unmasked: &mut usize,
) -> AppResult<RecordView> {
    let values = values_view(
        state,
        viewer,
        def,
        row,
        (&row.values, Place::Record),
        unmasked,
    )?;
    let labels = def
        .fields()
        .filter(|f| values.contains_key(f.key.as_str()))
        .map(|f| (f.key.as_str().to_owned(), f.label.clone()))
        .collect();
    let field_order = def
        .fields()
        .filter(|f| values.contains_key(f.key.as_str()))
        .map(|f| f.key.as_str().to_owned())
        .collect();
    Ok(RecordView {
        relationship_ended_at_ms: row.relationship_ended_at_ms,
        form_title: def.title.clone(),
        labels,
        id: row.id,
        form_id: row.form_id,
        form_version: row.form_version,
        source: row.source,
        owner_id: row.owner_id,
        owner_name: None,
        created_at_ms: row.created_at_ms,
        values,
        version: 1,
        open_conflicts: 0,
        pending_fields: Vec::new(),
        field_order,
    })
}

/// The values of `row` as `role` sees them: those in `stored` (the record's, or a kept
/// version's, opened at `place`), masked by sensitivity, withdrawn purposes hidden, and
/// what retention did shown in place of a value it removed. Counts the values shown in
/// clear.
pub(crate) fn values_view(
    state: &AppState,
    viewer: Viewer,
    def: &FormDefinition,
    row: &RecordRow,
    (stored, place): (&SealedValues, Place<'_>),
    unmasked: &mut usize,
) -> AppResult<BTreeMap<String, ViewValue>> {
    let Viewer {
        role,
        locale,
        unmask,
    } = viewer;
    let entries = Entries::of(row.id, stored)?;
    let gone = withdrawn_set(row);
    // The data key, unwrapped at the first sealed value shown: `Some(None)` when it
    // cannot be (a wrapped key altered or moved from another record), and then every
    // sealed value is unreadable while the rest of the record, and of the list, shows.
    let mut dek: Option<Option<DataKey>> = None;
    let mut values = BTreeMap::new();
    let processed: BTreeMap<String, ProcessedValue> = row
        .retention_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    for field in def.fields() {
        let Some(entry) = entries.get(field.key.as_str()) else {
            // Deleted or anonymised by retention: what is left, never revealed.
            if let Some(mark) = processed.get(field.key.as_str()) {
                values.insert(
                    field.key.as_str().to_owned(),
                    ViewValue {
                        sensitivity: field.sensitivity,
                        visibility: if mark.anonymised.is_some() {
                            Visibility::Full
                        } else {
                            Visibility::Hidden
                        },
                        display: mark
                            .anonymised
                            .as_ref()
                            .map(|kept| field.anonymised_text(kept, locale)),
                        withdrawn: false,
                        unreadable: false,
                        retention: Some(mark.clone()),
                    },
                );
            }
            continue;
        };
        let sensitivity = field.sensitivity;
        if withdrawn(field, &gone) {
            values.insert(
                field.key.as_str().to_owned(),
                ViewValue {
                    sensitivity,
                    visibility: Visibility::Hidden,
                    display: None,
                    withdrawn: true,
                    unreadable: false,
                    retention: None,
                },
            );
            continue;
        }
        let vis = match visibility(role, sensitivity) {
            Visibility::Masked if unmask && may_reveal(role) => Visibility::Full,
            vis => vis,
        };
        let display = match vis {
            Visibility::Hidden => None,
            Visibility::Full | Visibility::Masked => {
                if dek.is_none() && sealed::is_sealed(entry) {
                    dek = Some(data_key(state, row).map_err(log_unreadable(row)).ok());
                }
                let opened = match open_entry(
                    row,
                    dek.as_ref().and_then(Option::as_ref),
                    place,
                    field.key.as_str(),
                    entry,
                ) {
                    Ok(v) => v,
                    Err(e) => {
                        // Tampering or corruption: show nothing for this value, keep the rest.
                        tracing::error!(record_id = %row.id, field = %field.key.as_str(), error = %e, "stored value unreadable");
                        values.insert(
                            field.key.as_str().to_owned(),
                            ViewValue {
                                sensitivity,
                                visibility: Visibility::Hidden,
                                display: None,
                                withdrawn: false,
                                unreadable: true,
                                retention: None,
                            },
                        );
                        continue;
                    }
                };
                let text = field.value_text(&opened, locale);
                if vis == Visibility::Full {
                    if sensitivity != Sensitivity::Ordinary {
                        *unmasked += 1;
                    }
                    Some(text)
                } else {
                    Some(mask(field.mask, &text))
                }
            }
        };
        values.insert(
            field.key.as_str().to_owned(),
            ViewValue {
                sensitivity,
                visibility: vis,
                display,
                withdrawn: false,
                unreadable: false,
                retention: None,
            },
        );
    }
    Ok(values)
}

/// Fills in each record's version, its number of open edit conflicts and its owner's
/// user name.
async fn complete_views(state: &AppState, records: &mut [RecordView]) -> AppResult<()> {
    let ids: Vec<RecordId> = records.iter().map(|r| r.id).collect();
    let found = state.db.versions_and_open_conflicts(&ids).await?;
    let owners: Vec<UserId> = records.iter().filter_map(|r| r.owner_id).collect();
    let names = state.db.user_names(&owners).await?;
    let mut pending = state.db.pending_fields(&ids).await?;
    for r in records.iter_mut() {
        if let Some((version, open)) = found.get(&r.id) {
            r.version = *version;
            r.open_conflicts = *open;
        }
        r.owner_name = r.owner_id.as_ref().and_then(|id| names.get(id).cloned());
        r.pending_fields = pending.remove(&r.id).unwrap_or_default();
    }
    Ok(())
}

/// Records as `role` sees them, complete (version, open conflicts, owner's name), and
/// how many values they show in clear (what the caller audits).
pub(crate) async fn views(
    state: &AppState,
    viewer: Viewer,
    rows: &[RecordRow],
) -> AppResult<(Vec<RecordView>, usize)> {
    let mut records = Vec::with_capacity(rows.len());
    let mut unmasked = 0;
    for row in rows {
        let version = state
            .versions
            .get_any(&state.db, row.form_id, row.form_version)
            .await?;
        records.push(view(
            state,
            viewer,
            &version.definition,
            row,
            &mut unmasked,
        )?);
    }
    complete_views(state, &mut records).await?;
    Ok((records, unmasked))
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
