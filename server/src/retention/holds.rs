//! Legal holds: a record, a person (found through the blind index by phone, email or
//! ID number, which is never stored) or a form whose data runs leave alone until the
//! hold is lifted or ends. Reasons are sealed under a server subkey. Placing and
//! lifting are audited (ids only).

use shared::{
    api::{
        auth::CurrentUser,
        records::IdentifierKind,
        retention::{HoldScope, HoldTarget, LegalHold, NewHold, MAX_HOLD_REASON_CHARS},
    },
    i18n::LocalizedText,
    ids::LegalHoldId,
    schema::parse_iso_date,
};

use crate::{
    audit::{self, Event},
    crypto::TextSealer,
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::{
        holds::{self as store, HoldRow, NewHoldRow},
        records::Scope,
    },
};
use shared::retention::DAY_MS;

/// Where a hold's reason is sealed.
const REASON_PLACE: &str = "#hold-reason";

fn reasons(state: &AppState) -> AppResult<TextSealer> {
    TextSealer::new(&state.subkeys, "legal-hold-reason")
        .map_err(|e| AppError::internal("the hold reason key", e))
}

/// The blind index of a person's identifier and its kind, or a 422 naming
/// `target.value`.
fn person_index(
    state: &AppState,
    kind: IdentifierKind,
    value: &str,
) -> AppResult<(String, &'static str)> {
    let index = crate::records::identifier::index_of(state, kind, value, "target.value")?;
    Ok((index, kind.as_str()))
}

/// Places a hold.
pub async fn place(
    state: &AppState,
    caller: &CurrentUser,
    origin: &Origin,
    req: NewHold,
) -> AppResult<LegalHold> {
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid_field(
            "reason",
            "required",
            "Say why the data must be kept (a case or matter reference)",
        ));
    }
    if reason.chars().count() > MAX_HOLD_REASON_CHARS {
        return Err(AppError::invalid_field(
            "reason",
            "too_long",
            format!("At most {MAX_HOLD_REASON_CHARS} characters"),
        ));
    }
    let now = state.clock.now_ms();
    let ends_at_ms = match req
        .ends_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(text) => {
            let day = parse_iso_date(text).ok_or_else(|| {
                AppError::invalid_field("ends_on", "invalid", "A date as yyyy-mm-dd")
            })?;
            // The hold lasts to the end of that day (UTC).
            let end = day.midnight().assume_utc().unix_timestamp() * 1000 + DAY_MS;
            if end <= now {
                return Err(AppError::invalid_field(
                    "ends_on",
                    "in_past",
                    "The end date must be today or later",
                ));
            }
            Some(end)
        }
    };
    let id = LegalHoldId::from_uuid(uuid::Uuid::now_v7());
    let (scope, record_id, form_id, index) = match &req.target {
        HoldTarget::Record { record_id } => {
            state
                .db
                .record_in_scope(&Scope::All, *record_id)
                .await?
                .ok_or_else(|| AppError::not_found("No such record"))?;
            ("record", Some(*record_id), None, None)
        }
        HoldTarget::Person { kind, value } => (
            "person",
            None,
            None,
            Some(person_index(state, *kind, value)?),
        ),
        HoldTarget::Form { form_id } => {
            if state.db.form(*form_id).await?.is_none() {
                return Err(AppError::not_found("No such form"));
            }
            ("form", None, Some(*form_id), None)
        }
    };
    let sealed = reasons(state)?.seal(&id.to_string(), REASON_PLACE, reason);
    let mut tx = state.db.begin_write().await?;
    store::insert_hold(
        &mut tx,
        &NewHoldRow {
            id,
            scope,
            record_id,
            form_id,
            blind_index: index.as_ref().map(|(i, _)| i.as_str()),
            lookup_kind: index.as_ref().map(|(_, k)| *k),
            reason_sealed: sealed.as_str(),
            created_by: caller.id,
            created_at_ms: now,
            ends_at_ms,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("retention.hold_placed", Some(caller))
            .target("legal_hold", id)
            .details(serde_json::json!({
                "scope": scope,
                "record_id": record_id,
                "form_id": form_id,
                "ends_at_ms": ends_at_ms,
            })),
    )
    .await?;
    tx.commit().await?;
    let row = state
        .db
        .hold(id)
        .await?
        .ok_or_else(|| AppError::invariant("a hold just placed is missing"))?;
    view(state, row).await
}

/// Lifts a hold in force.
pub async fn lift(
    state: &AppState,
    caller: &CurrentUser,
    origin: &Origin,
    id: LegalHoldId,
) -> AppResult<LegalHold> {
    let mut tx = state.db.begin_write().await?;
    if !store::lift_hold(&mut tx, id, caller.id, state.clock.now_ms()).await? {
        return Err(match state.db.hold(id).await? {
            Some(_) => AppError::conflict("This hold was already lifted"),
            None => AppError::not_found("No such hold"),
        });
    }
    audit::record(
        &mut tx,
        origin,
        Event::new("retention.hold_lifted", Some(caller)).target("legal_hold", id),
    )
    .await?;
    tx.commit().await?;
    let row = state
        .db
        .hold(id)
        .await?
        .ok_or_else(|| AppError::not_found("No such hold"))?;
    view(state, row).await
}

/// Every hold, newest first.
pub async fn list(state: &AppState) -> AppResult<Vec<LegalHold>> {
    let mut out = Vec::new();
    for row in state.db.holds().await? {
        out.push(view(state, row).await?);
    }
    Ok(out)
}

/// A hold's reason, opened; a mark when it does not open.
pub(crate) fn reason_of(state: &AppState, id: LegalHoldId, sealed: &str) -> String {
    reasons(state)
        .ok()
        .and_then(|r| r.open(&id.to_string(), REASON_PLACE, sealed))
        .unwrap_or_else(|| "(unreadable)".to_owned())
}

async fn view(state: &AppState, row: HoldRow) -> AppResult<LegalHold> {
    let now = state.clock.now_ms();
    let reason = reason_of(state, row.id, &row.reason_sealed);
    let scope = match row.scope.as_str() {
        "record" => HoldScope::Record {
            record_id: row
                .record_id
                .ok_or_else(|| AppError::invariant("a record hold without its record"))?,
        },
        "form" => {
            let form_id = row
                .form_id
                .ok_or_else(|| AppError::invariant("a form hold without its form"))?;
            let title = form_title(state, form_id).await?;
            HoldScope::Form {
                form_id,
                form_title: title,
            }
        }
        _ => HoldScope::Person {
            kind: row
                .lookup_kind
                .as_deref()
                .and_then(IdentifierKind::parse)
                .ok_or_else(|| AppError::invariant("a person hold without its kind"))?,
            records: match &row.blind_index {
                Some(index) => {
                    u64::try_from(state.db.records_with_lookup(index).await?).unwrap_or(0)
                }
                None => 0,
            },
        },
    };
    Ok(LegalHold {
        active: row.lifted_at_ms.is_none() && row.ends_at_ms.is_none_or(|end| end > now),
        id: row.id,
        scope,
        reason,
        created_by_name: row.created_by_name,
        created_at_ms: row.created_at_ms,
        ends_at_ms: row.ends_at_ms,
        lifted_at_ms: row.lifted_at_ms,
        lifted_by_name: row.lifted_by_name,
    })
}

/// The title of a form's newest published version (blank when it has none).
pub(crate) async fn form_title(
    state: &AppState,
    form_id: shared::ids::FormId,
) -> AppResult<LocalizedText> {
    let Some(latest) = state.db.form(form_id).await?.and_then(|f| f.latest) else {
        return Ok(LocalizedText::default());
    };
    Ok(state
        .versions
        .get_any(&state.db, form_id, latest.number)
        .await
        .map(|v| v.definition.title.clone())
        .unwrap_or_default())
}
