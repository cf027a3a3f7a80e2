//! A record's history: every kept version with who made it, when, from which device,
//! why (an edit, a resolved conflict, a correction for a data-subject request) and what
//! changed, its values masked for the viewer as everywhere else.

use shared::{
    api::records::{RecordHistory, RecordVersionView, VersionCause},
    i18n::Locale,
    ids::RecordId,
};

use super::{sealed::Place, service};
use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
};

/// The history of a record in the caller's scope; values shown in clear are audited like
/// any other read.
pub async fn history(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    record_id: RecordId,
) -> AppResult<RecordHistory> {
    let scope = service::scope_of(state, caller).await?;
    let row = state
        .db
        .record_in_scope(&scope, record_id)
        .await?
        .ok_or_else(|| AppError::not_found("No such record"))?;
    let def = &state
        .versions
        .get_any(&state.db, row.form_id, row.form_version)
        .await?
        .definition;
    let mut unmasked = 0;
    let mut versions = Vec::new();
    let kept = state.db.record_history(record_id).await?;
    if kept.is_empty() {
        // Never changed: the record as collected is its only version.
        let (by_name, device_id) = state.db.collector_of(record_id).await?;
        versions.push(RecordVersionView {
            version: 1,
            at_ms: row.created_at_ms,
            by_name,
            device_id,
            cause: VersionCause::Collected,
            request_id: None,
            approved_by_name: None,
            changed: Vec::new(),
            values: service::values_view(
                state,
                service::Viewer::screen(caller.role(), locale),
                def,
                &row,
                (&row.values, Place::Record),
                &mut unmasked,
            )?,
        });
    }
    for v in kept {
        let (by_name, device_id, at_ms) = if v.version == 1 {
            let (name, device) = state.db.collector_of(record_id).await?;
            (name, device, row.created_at_ms)
        } else {
            (v.author_name, v.device_id, v.at_ms)
        };
        let cause = v
            .cause
            .as_deref()
            .and_then(VersionCause::parse)
            .unwrap_or(if v.version == 1 {
                VersionCause::Collected
            } else {
                VersionCause::DeviceEdit
            });
        versions.push(RecordVersionView {
            version: v.version,
            at_ms,
            by_name,
            device_id,
            cause,
            request_id: v.request_id,
            approved_by_name: v.approved_by_name,
            changed: serde_json::from_str(&v.changed_fields).unwrap_or_default(),
            values: service::values_view(
                state,
                service::Viewer::screen(caller.role(), locale),
                def,
                &row,
                (&v.values, Place::Version(v.version)),
                &mut unmasked,
            )?,
        });
    }
    if unmasked > 0 {
        let event = Event::new("records.history_read", Some(&caller.user))
            .target("record", record_id)
            .details(serde_json::json!({ "unmasked_values": unmasked }));
        audit::record_alone(&state.db, origin, event, None).await?;
    }
    Ok(RecordHistory {
        record_id,
        source: row.source,
        form_title: def.title.clone(),
        labels: def
            .fields()
            .filter(|f| f.holds_value())
            .map(|f| (f.key.as_str().to_owned(), f.label.clone()))
            .collect(),
        field_order: def
            .fields()
            .filter(|f| f.holds_value())
            .map(|f| f.key.as_str().to_owned())
            .collect(),
        versions,
    })
}
