//! The records a request concerns: found by the person's identifiers across all forms
//! through the blind indexes (never by decrypting), or the record of the customer's own
//! receipt; shown with their consent, erasure and the holds that keep them.

use shared::{
    api::{auth::Role, records::IdentifierKind, requests::LinkedRecord},
    i18n::Locale,
    ids::{RecordId, SubjectRequestId},
    schema::RetentionAction,
};
use sqlx::AnyConnection;

use crate::{
    error::AppResult,
    records::service::views,
    state::AppState,
    store::{records::Scope, requests as store},
};

/// Links every record holding the identifier behind `index` to the request; how many
/// were not linked before.
pub async fn link_by_index(
    conn: &mut AnyConnection,
    _state: &AppState,
    request: SubjectRequestId,
    kind: IdentifierKind,
    index: &str,
    at_ms: i64,
) -> AppResult<u32> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT record_id FROM record_lookup WHERE blind_index = $1 ORDER BY record_id",
    )
    .bind(index)
    .fetch_all(&mut *conn)
    .await?;
    let mut linked = 0;
    for raw in ids {
        let id: RecordId = crate::store::decode_id("record_id", &raw)?;
        if store::link_record(conn, request, id, kind.as_str(), at_ms).await? {
            linked += 1;
        }
    }
    Ok(linked)
}

/// True when every value of the record was deleted (by erasure or retention).
fn erased(values: &std::collections::BTreeMap<String, shared::api::records::ViewValue>) -> bool {
    !values.is_empty()
        && values.values().all(|v| {
            v.retention
                .as_ref()
                .is_some_and(|p| p.action == RetentionAction::Delete)
        })
}

/// The records linked to a request as `role` sees them, with their consent and the
/// holds in force on them; how many values show in clear.
pub async fn linked(
    state: &AppState,
    role: Role,
    locale: Locale,
    request: SubjectRequestId,
) -> AppResult<(Vec<LinkedRecord>, usize)> {
    let links = state.db.request_records(request).await?;
    let mut rows = Vec::with_capacity(links.len());
    for (id, _) in &links {
        if let Some(row) = state.db.record_in_scope(&Scope::All, *id).await? {
            rows.push(row);
        }
    }
    let (views, unmasked) = views(
        state,
        crate::records::service::Viewer::screen(role, locale),
        &rows,
    )
    .await?;
    let now = state.clock.now_ms();
    let mut out = Vec::with_capacity(views.len());
    for view in views {
        let found_by = links
            .iter()
            .find(|(id, _)| *id == view.id)
            .map(|(_, how)| how.clone())
            .unwrap_or_default();
        let receipt = state.db.receipt_of_record(view.id).await?;
        let purposes = match &receipt {
            Some(row) => {
                crate::consent::withdrawal::status_of(state, row)
                    .await?
                    .purposes
            }
            None => Vec::new(),
        };
        let holds = state
            .db
            .holds_covering(view.id, now)
            .await?
            .into_iter()
            .map(|(id, sealed)| crate::retention::holds::reason_of(state, id, &sealed))
            .collect();
        out.push(LinkedRecord {
            erased: erased(&view.values),
            receipt_id: receipt.map(|r| r.receipt_id),
            purposes,
            found_by,
            holds,
            record: view,
        });
    }
    Ok((out, unmasked))
}
