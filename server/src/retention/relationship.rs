//! The end of a customer relationship, recorded on a record by staff or an admin: it
//! starts the retention clocks a form counts from it.

use shared::{
    api::{records::RecordView, retention::RelationshipEnd},
    ids::RecordId,
    schema::parse_iso_date,
};

use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    records::service::{detail, scope_of},
    state::AppState,
    store::retention::set_relationship_end,
};

/// Records that the relationship behind `record_id` ended on `req.ended_on`.
pub async fn end(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: shared::i18n::Locale,
    record_id: RecordId,
    req: &RelationshipEnd,
) -> AppResult<RecordView> {
    let scope = scope_of(state, caller).await?;
    let row = state
        .db
        .record_in_scope(&scope, record_id)
        .await?
        .ok_or_else(|| AppError::not_found("No such record"))?;
    let invalid = |code: &str, message: &str| AppError::invalid_field("ended_on", code, message);
    let day = parse_iso_date(req.ended_on.trim())
        .ok_or_else(|| invalid("invalid", "A date as yyyy-mm-dd"))?;
    let at_ms = day.midnight().assume_utc().unix_timestamp() * 1000;
    let day_of = |ms: i64| ms.div_euclid(shared::retention::DAY_MS);
    if day_of(at_ms) > day_of(state.clock.now_ms()) {
        return Err(invalid("in_future", "The end date cannot be in the future"));
    }
    if day_of(at_ms) < day_of(row.created_at_ms) {
        return Err(invalid(
            "before_collection",
            "The relationship cannot end before the record was collected",
        ));
    }
    let mut tx = state.db.begin_write().await?;
    set_relationship_end(&mut tx, record_id, at_ms).await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("record.relationship_ended", Some(&caller.user))
            .target("record", record_id)
            .details(serde_json::json!({ "ended_at_ms": at_ms })),
    )
    .await?;
    tx.commit().await?;
    detail(state, caller, origin, locale, record_id).await
}
