//! Records in the caller's scope: the list, one record, lookups by identifier,
//! revealing single values and assigning; their views are built in `view.rs`.

use std::collections::{BTreeMap, BTreeSet};

use shared::i18n::Locale;
use shared::ids::{RecordId, TeamId, UserId};
use shared::{
    access::may_reveal,
    api::{
        auth::Role,
        error::ErrorCode,
        records::{
            FilterProblem, RecordFilter, RecordForm, RecordOwner, RecordPage, RecordPeople,
            RecordSort, RecordTeam, RecordView, RevealResponse, MAX_REVEAL_REASON_CHARS,
            MIN_REVEAL_REASON_CHARS,
        },
        retention::ProcessedValue,
        users::AssignRecordResponse,
    },
    schema::{Field, FieldValue},
};

use crate::{
    alerts::service::{self as alerts, Activity},
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
    let subject = row.id.to_string();
    alerts::note_activity(
        state,
        origin,
        &caller.user,
        Activity::View,
        1,
        Some(&subject),
    )
    .await?;
    records
        .into_iter()
        .next()
        .ok_or_else(|| AppError::invariant("a record's view is missing"))
}

/// What the records list asks for: parsed, except the days of the filter, which
/// [`record_store::filter_condition`] reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequest {
    pub filter: RecordFilter,
    pub sort: RecordSort,
    /// Where the page starts: after this place in `sort` order.
    pub after: Option<PageCursor>,
    /// 1–200.
    pub limit: i64,
}

/// A place in the list: the last record of a page, as `(created_at_ms, id)` in one
/// order. On the wire an opaque base64url text, so that clients do not build one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCursor {
    pub sort: RecordSort,
    pub created_at_ms: i64,
    pub id: RecordId,
}

impl PageCursor {
    /// The text a page's `next` holds.
    #[must_use]
    pub fn encode(&self) -> String {
        use base64::Engine as _;
        let text = format!("{}:{}:{}", self.sort.as_str(), self.created_at_ms, self.id);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
    }

    /// Reads [`Self::encode`]'s text.
    #[must_use]
    pub fn decode(text: &str) -> Option<Self> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim())
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.splitn(3, ':');
        let sort = RecordSort::parse(parts.next()?)?;
        let created_at_ms = parts.next()?.parse().ok()?;
        let id = RecordId::parse(parts.next()?).ok()?;
        Some(Self {
            sort,
            created_at_ms,
            id,
        })
    }
}

/// A filter that cannot be applied, as a 422 naming its field.
pub(crate) fn invalid_filter(problem: FilterProblem) -> AppError {
    AppError::invalid_field(problem.field(), problem.code(), problem.message())
}

/// A page of the records in the caller's reach that the request's filter selects;
/// reading personal data in clear is audited. A team or owner outside the reach selects
/// nothing.
pub async fn list(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    req: &ListRequest,
) -> AppResult<RecordPage> {
    let scope = scope_of(state, caller).await?;
    let condition =
        record_store::filter_condition(&scope, &req.filter, 1).map_err(invalid_filter)?;
    if req.after.is_some_and(|c| c.sort != req.sort) {
        return Err(AppError::invalid_field(
            "cursor",
            "invalid",
            "The cursor belongs to the other order; start again from the first page",
        ));
    }
    let after = req.after.map(|c| (c.created_at_ms, c.id));
    let rows = state
        .db
        .records_page(condition, req.sort, after, req.limit)
        .await?;
    let (records, unmasked) = views(state, Viewer::screen(caller.role(), locale), &rows).await?;
    if unmasked > 0 {
        let ids: Vec<RecordId> = records.iter().map(|r| r.id).collect();
        let event = Event::new("records.read", Some(&caller.user))
            .details(serde_json::json!({"records": ids, "unmasked_values": unmasked}));
        audit::record_alone(&state.db, origin, event, None).await?;
    }
    let shown = u64::try_from(records.len()).unwrap_or(0);
    alerts::note_activity(state, origin, &caller.user, Activity::View, shown, None).await?;
    let full = i64::try_from(rows.len()).unwrap_or(0) == req.limit;
    let next = full
        .then(|| rows.last())
        .flatten()
        .map(|last| PageCursor {
            sort: req.sort,
            created_at_ms: last.created_at_ms,
            id: last.id,
        })
        .map(|c| c.encode());
    Ok(RecordPage { records, next })
}

/// The teams and accounts owning records in the caller's reach, by name, for the
/// list's filter: a manager's reach holds their team's members (and themselves), so no
/// other team is named; staff get themselves.
pub async fn people(state: &AppState, caller: &Principal) -> AppResult<RecordPeople> {
    let scope = scope_of(state, caller).await?;
    let owners = state.db.record_owners(&scope).await?;
    let mut teams: BTreeMap<TeamId, String> = BTreeMap::new();
    for o in &owners {
        if let (Some(id), Some(name)) = (o.team_id, &o.team_name) {
            teams.insert(id, name.clone());
        }
    }
    let mut teams: Vec<RecordTeam> = teams
        .into_iter()
        .map(|(id, name)| RecordTeam { id, name })
        .collect();
    teams.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    let mut owners: Vec<RecordOwner> = owners
        .into_iter()
        .map(|o| RecordOwner {
            id: o.id,
            username: o.username,
            display_name: o.display_name,
            team_id: o.team_id,
        })
        .collect();
    owners.sort_by(|a, b| {
        (&a.display_name, &a.username, a.id).cmp(&(&b.display_name, &b.username, b.id))
    });
    Ok(RecordPeople { teams, owners })
}

/// The forms the caller's records were collected with, by title (for the list's filter).
pub async fn forms(state: &AppState, caller: &Principal) -> AppResult<Vec<RecordForm>> {
    let scope = scope_of(state, caller).await?;
    let versions = state.db.record_form_versions(&scope).await?;
    let mut forms = Vec::new();
    for (id, number) in state.db.record_forms(&scope).await? {
        let version = state.versions.get_any(&state.db, id, number).await?;
        forms.push(RecordForm {
            id,
            title: version.definition.title.clone(),
            versions: versions
                .iter()
                .filter(|(f, _)| *f == id)
                .map(|(_, v)| *v)
                .collect(),
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
    let subject = row.id.to_string();
    alerts::note_activity(
        state,
        origin,
        &caller.user,
        Activity::Reveal,
        1,
        Some(&subject),
    )
    .await?;
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
        next: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_nothing_else_does() {
        let cursor = PageCursor {
            sort: RecordSort::Oldest,
            created_at_ms: 1_700_000_000_000,
            id: RecordId::from_random_bytes([9; 16]),
        };
        let text = cursor.encode();
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(PageCursor::decode(&text), Some(cursor));
        for bad in ["", "x", "bm90IGEgY3Vyc29y", "✓", &text[..text.len() - 2]] {
            assert_eq!(PageCursor::decode(bad), None, "{bad}");
        }
    }
}
