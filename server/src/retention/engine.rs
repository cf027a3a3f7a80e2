//! One record through retention, on the run's transaction: its due values deleted or
//! anonymised in the record, in every kept version and in edit conflicts; its lookups
//! rebuilt from what remains; its data key shredded once no sealed value remains; one
//! audit entry (field keys and actions, never values).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};
use shared::{
    api::retention::ProcessedValue,
    ids::RecordId,
    retention::{field_due, next_due, serves_only_withdrawn, Anonymised, Due, RecordClocks},
    schema::{Field, FieldKind, FormDefinition, PurposeKey, RetentionAction},
};
use sqlx::AnyConnection;

use super::report::Report;
use crate::{
    audit::{self, Event},
    crypto::{DataKey, SealedValues},
    error::{AppError, AppResult},
    extract::Origin,
    records::sealed::{self, Place, RecordKey},
    state::AppState,
    store::{
        edits::replace_lookups,
        holds::Held,
        retention::{self as store, ClockRow, Retained, RetainedRow, NEVER},
    },
};

/// A record's clocks from its row.
#[must_use]
pub fn clocks_of(row: &ClockRow, grace_ms: i64) -> RecordClocks {
    let withdrawn = crate::records::service::withdrawn_times(row.withdrawn_json.as_deref());
    RecordClocks {
        collected_at_ms: row.created_at_ms,
        relationship_ended_at_ms: row.relationship_ended_at_ms,
        withdrawn: withdrawn
            .into_iter()
            .filter_map(|(k, at)| PurposeKey::parse(&k).ok().map(|k| (k, at)))
            .collect(),
        grace_ms,
    }
}

/// The field keys a stored values object holds.
pub(crate) fn keys_of(values: &str) -> BTreeSet<String> {
    serde_json::from_str::<Map<String, Value>>(values)
        .map(|m| m.into_iter().map(|(k, _)| k).collect())
        .unwrap_or_default()
}

/// The fields of `def` that hold a value among `present`.
fn held_fields<'a>(
    def: &'a FormDefinition,
    present: &'a BTreeSet<String>,
) -> impl Iterator<Item = &'a Field> + 'a {
    def.fields()
        .filter(|f| f.holds_value() && present.contains(f.key.as_str()))
}

/// The next due moment of a record read without its history: every value field counts
/// when it has kept versions (a field may live on there only), else those it holds.
#[must_use]
pub fn next_due_of(def: &FormDefinition, row: &ClockRow, grace_ms: i64) -> i64 {
    let clocks = clocks_of(row, grace_ms);
    let due = if row.version > 1 {
        next_due(def, def.fields().filter(|f| f.holds_value()), &clocks)
    } else {
        let present = keys_of(row.values.as_str());
        next_due(def, held_fields(def, &present), &clocks)
    };
    due.unwrap_or(NEVER)
}

/// The due values of a record at `as_of_ms` among `present`, in form order.
#[must_use]
pub fn due_values<'a>(
    def: &'a FormDefinition,
    present: &'a BTreeSet<String>,
    clocks: &RecordClocks,
    as_of_ms: i64,
) -> Vec<(&'a Field, Due)> {
    held_fields(def, present)
        .filter_map(|f| match field_due(def, f, clocks) {
            Ok(due) if due.at_ms <= as_of_ms => Some((f, due)),
            _ => None,
        })
        .collect()
}

/// The blind-index kind of an identifier field.
fn lookup_kind(kind: &FieldKind) -> Option<&'static str> {
    match kind {
        FieldKind::Phone { .. } => Some("phone"),
        FieldKind::Email => Some("email"),
        FieldKind::ResidentId => Some("resident_id"),
        _ => None,
    }
}

/// What the run passes to each record.
pub struct Pass<'a> {
    pub state: &'a AppState,
    pub run_id: shared::ids::RetentionRunId,
    pub as_of_ms: i64,
    pub now_ms: i64,
    pub grace_ms: i64,
    pub held: &'a Held,
}

/// Processes record `id` on `conn`, counting into `report`. A record that cannot be
/// processed (form version unreadable, a value that does not open) is reported and left
/// alone; a database error ends the page.
pub async fn apply(
    conn: &mut AnyConnection,
    pass: &Pass<'_>,
    id: RecordId,
    report: &mut Report,
) -> AppResult<()> {
    let state = pass.state;
    let Some(row) = store::retained_row(conn, state.db.kind(), id).await? else {
        return Ok(());
    };
    if row.status == "erased" {
        return Ok(());
    }
    let version = match state
        .versions
        .get_any(&state.db, row.clock.form_id, row.clock.form_version)
        .await
    {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(record_id = %id, error = %e, "retention: form version unreadable");
            report.error(id, "The record's form version is missing or unreadable");
            return Ok(());
        }
    };
    match process(conn, pass, &row, &version.definition, report).await {
        Err(Failure::Db(e)) => Err(e.into()),
        Err(Failure::Record(e)) => {
            tracing::warn!(record_id = %id, error = %e, "retention: record not processed");
            report.error(id, "A stored value of the record cannot be read");
            Ok(())
        }
        Ok(()) => Ok(()),
    }
}

/// Why a record was not processed: the database (which ends the page), or the record
/// itself (reported; the run goes on).
pub(crate) enum Failure {
    Db(sqlx::Error),
    Record(AppError),
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure::Db(e)
    }
}

async fn process(
    conn: &mut AnyConnection,
    pass: &Pass<'_>,
    row: &RetainedRow,
    def: &FormDefinition,
    report: &mut Report,
) -> Result<(), Failure> {
    let id = row.clock.id;
    let form = row.clock.form_id;
    let clocks = clocks_of(&row.clock, pass.grace_ms);
    let (entries, versions) = stored_of(conn, row).await?;
    let present: BTreeSet<String> = entries
        .keys()
        .chain(versions.iter().flat_map(|(_, m)| m.keys()))
        .cloned()
        .collect();
    let due = due_values(def, &present, &clocks, pass.as_of_ms);
    if due.is_empty() {
        let next = next_due(def, held_fields(def, &present), &clocks).unwrap_or(NEVER);
        store::set_due(conn, &[(id, next)]).await?;
        return Ok(());
    }
    if pass.held.covers(id, form) {
        report.held(form);
        return Ok(());
    }

    let actions: Vec<(&Field, RetentionAction)> = due.iter().map(|(f, d)| (*f, d.action)).collect();
    let shredded = remove_values(
        conn,
        pass.state,
        row,
        def,
        &clocks,
        &actions,
        pass.now_ms,
        (entries, versions),
    )
    .await?;
    for (field, action) in &actions {
        report.count(form, field.key.as_str(), *action);
    }
    let fields: BTreeMap<&str, RetentionAction> =
        actions.iter().map(|(f, a)| (f.key.as_str(), *a)).collect();
    audit::record(
        conn,
        &Origin::default(),
        Event::new("retention.applied", None)
            .target("record", id)
            .details(serde_json::json!({
                "run_id": pass.run_id,
                "fields": fields,
                "key_shredded": shredded,
            })),
    )
    .await?;
    report.records += 1;
    Ok(())
}

/// A record's stored values and those of its kept versions, as JSON objects by field.
pub type Stored = (Map<String, Value>, Vec<(i64, Map<String, Value>)>);

/// Reads what `row` stores, for [`remove_values`].
pub(crate) async fn stored_of(
    conn: &mut AnyConnection,
    row: &RetainedRow,
) -> Result<Stored, Failure> {
    let id = row.clock.id;
    let entries: Map<String, Value> =
        serde_json::from_str(row.clock.values.as_str()).map_err(|e| {
            Failure::Record(AppError::internal(format!("the values of record {id}"), e))
        })?;
    let versions = if row.clock.version > 1 {
        store::versions_of(conn, id)
            .await?
            .into_iter()
            .map(|(v, json)| (v, serde_json::from_str(&json).unwrap_or_default()))
            .collect()
    } else {
        Vec::new()
    };
    Ok((entries, versions))
}

/// Deletes or anonymises `actions`' fields of a record on `conn`: from the record, every
/// kept version and edit conflicts; lookups rebuilt from what remains; the data key
/// replaced by a fresh one when no sealed value remains (crypto-shredding; returns
/// true then). Retention runs and erasure for a data-subject request both come here;
/// each audits in its own words. Everything that can fail for the record alone comes
/// before any write, so that a record is processed whole or not at all.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn remove_values(
    conn: &mut AnyConnection,
    state: &AppState,
    row: &RetainedRow,
    def: &FormDefinition,
    clocks: &RecordClocks,
    actions: &[(&Field, RetentionAction)],
    now_ms: i64,
    (mut entries, mut versions): Stored,
) -> Result<bool, Failure> {
    let id = row.clock.id;
    let dek = sealed::data_key(state, id, &row.wrapped_key).map_err(Failure::Record)?;
    let key = RecordKey::new(id, row.key_version, &dek);
    let mut marks: BTreeMap<String, ProcessedValue> = row
        .retention_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    let mut kinds_touched = false;
    for (field, action) in actions {
        let name = field.key.as_str();
        let anonymised = match (action, entries.get(name)) {
            (RetentionAction::Anonymise, Some(entry)) => Anonymised::of(
                &key.open_value(Place::Record, name, entry)
                    .map_err(Failure::Record)?,
            ),
            _ => None,
        };
        entries.remove(name);
        for (_, kept) in &mut versions {
            kept.remove(name);
        }
        kinds_touched |= lookup_kind(&field.kind).is_some();
        marks.insert(
            name.to_owned(),
            ProcessedValue {
                action: *action,
                at_ms: now_ms,
                anonymised,
            },
        );
    }
    let values = SealedValues::from_sealed_json(Value::Object(entries.clone()).to_string());
    let lookups = if kinds_touched {
        let remaining = key
            .open_all(def, Place::Record, &values)
            .map_err(Failure::Record)?;
        Some(sealed::lookups_kept(state, def, &remaining, |f| {
            serves_only_withdrawn(f, clocks)
        }))
    } else {
        None
    };

    for (field, _) in actions {
        store::delete_conflicts_of(conn, id, field.key.as_str()).await?;
    }
    for (version, kept) in &versions {
        store::set_version_values(conn, id, *version, &Value::Object(kept.clone()).to_string())
            .await?;
    }
    if let Some(lookups) = lookups {
        replace_lookups(conn, id, &lookups).await?;
    }
    // No sealed value left anywhere: the data key goes (crypto-shredding).
    let any_sealed = entries
        .values()
        .chain(versions.iter().flat_map(|(_, m)| m.values()))
        .any(|e| e.get("c").is_some());
    let shredded = !any_sealed;
    if shredded {
        let fresh = DataKey::generate().wrap(state.master.as_ref(), &id.to_string());
        store::shred_key(conn, id, &fresh, row.key_version + 1).await?;
    }
    let remaining: BTreeSet<String> = entries
        .keys()
        .chain(versions.iter().flat_map(|(_, m)| m.keys()))
        .cloned()
        .collect();
    let next = next_due(def, held_fields(def, &remaining), clocks).unwrap_or(NEVER);
    store::update_retained(
        conn,
        id,
        &Retained {
            values: values.as_str(),
            retention_json: &serde_json::to_string(&marks).unwrap_or_default(),
            due_at_ms: next,
            status: if shredded && entries.is_empty() {
                "erased"
            } else {
                "active"
            },
            at_ms: now_ms,
        },
    )
    .await?;
    Ok(shredded)
}

/// What [`erase_whole`] removed.
pub struct Erased {
    /// The fields that held a value.
    pub fields: Vec<String>,
    /// Whether the data key went (no sealed value remained).
    pub shredded: bool,
}

/// Deletes every value of a record, on `conn` (erasure for a data-subject request, an
/// import undone); `None` when there is no such record or it was erased already. Legal
/// holds are the caller's to check. The caller audits.
pub(crate) async fn erase_whole(
    conn: &mut AnyConnection,
    state: &AppState,
    record: RecordId,
) -> AppResult<Option<Erased>> {
    erase_where(conn, state, record, |_| true, true).await
}

/// Deletes the values of a record's fields that `which` names, as [`erase_whole`] does
/// for all; `None` also when none of them holds a value.
pub(crate) async fn erase_fields(
    conn: &mut AnyConnection,
    state: &AppState,
    record: RecordId,
    which: impl Fn(&Field) -> bool,
) -> AppResult<Option<Erased>> {
    erase_where(conn, state, record, which, false).await
}

/// [`erase_fields`]; with `whole`, the record is processed (and so marked erased) even
/// when no value is left.
async fn erase_where(
    conn: &mut AnyConnection,
    state: &AppState,
    record: RecordId,
    which: impl Fn(&Field) -> bool,
    whole: bool,
) -> AppResult<Option<Erased>> {
    let Some(row) = store::retained_row(conn, state.db.kind(), record).await? else {
        return Ok(None);
    };
    if row.status == "erased" {
        return Ok(None);
    }
    let def = &state
        .versions
        .get_any(&state.db, row.clock.form_id, row.clock.form_version)
        .await?
        .definition;
    let clocks = clocks_of(&row.clock, state.config.retention.grace_ms());
    let failed = |e: Failure| match e {
        Failure::Db(e) => AppError::from(e),
        Failure::Record(e) => e,
    };
    let stored = stored_of(conn, &row).await.map_err(failed)?;
    let present: BTreeSet<&str> = stored
        .0
        .keys()
        .chain(stored.1.iter().flat_map(|(_, m)| m.keys()))
        .map(String::as_str)
        .collect();
    let actions: Vec<_> = def
        .fields()
        .filter(|f| f.holds_value() && present.contains(f.key.as_str()) && which(f))
        .map(|f| (f, RetentionAction::Delete))
        .collect();
    if actions.is_empty() && !whole {
        return Ok(None);
    }
    let fields: Vec<String> = actions
        .iter()
        .map(|(f, _)| f.key.as_str().to_owned())
        .collect();
    let shredded = remove_values(
        conn,
        state,
        &row,
        def,
        &clocks,
        &actions,
        state.clock.now_ms(),
        stored.clone(),
    )
    .await
    .map_err(failed)?;
    Ok(Some(Erased { fields, shredded }))
}

/// After a withdrawal (on its transaction): the record's lookups are rebuilt without the
/// values that served only withdrawn purposes, and its next due moment is computed
/// again (those values now go after the grace period).
pub async fn drop_withdrawn_lookups(
    conn: &mut AnyConnection,
    state: &AppState,
    record_id: RecordId,
    withdrawn_json: &str,
) -> AppResult<()> {
    let Some(mut row) = store::retained_row(conn, state.db.kind(), record_id).await? else {
        return Ok(());
    };
    row.clock.withdrawn_json = Some(withdrawn_json.to_owned());
    store::clear_due(conn, record_id).await?;
    let version = state
        .versions
        .get_any(&state.db, row.clock.form_id, row.clock.form_version)
        .await?;
    let def = &version.definition;
    let clocks = clocks_of(&row.clock, state.config.retention.grace_ms());
    let present = keys_of(row.clock.values.as_str());
    let affected = held_fields(def, &present)
        .any(|f| lookup_kind(&f.kind).is_some() && serves_only_withdrawn(f, &clocks));
    if !affected {
        return Ok(());
    }
    let dek = sealed::data_key(state, record_id, &row.wrapped_key)?;
    let key = RecordKey::new(record_id, row.key_version, &dek);
    let answers = key.open_all(def, Place::Record, &row.clock.values)?;
    replace_lookups(
        conn,
        record_id,
        &sealed::lookups_kept(state, def, &answers, |f| serves_only_withdrawn(f, &clocks)),
    )
    .await?;
    Ok(())
}
