//! `/api/v1/audit`: search the log, verify the chain, sign the head now.

use axum::{
    extract::{Query, State},
    http::Method,
    Json,
};
use serde::Deserialize;
use shared::{
    api::audit::{AuditPage, AuditVerification},
    audit::AuditHead,
};

use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::AppResult,
    state::AppState,
    store::audit::AuditQuery,
};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(Method::GET, "/audit", Permission::ViewAudit, search)
        .route(Method::GET, "/audit/verify", Permission::ViewAudit, verify)
        .route(
            Method::POST,
            "/audit/heads",
            Permission::ViewAudit,
            sign_head,
        )
}

#[derive(Debug, Deserialize)]
struct SearchParams {
    action: Option<String>,
    actor: Option<String>,
    target: Option<String>,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    before_seq: Option<i64>,
    limit: Option<i64>,
}

async fn search(
    State(state): State<AppState>,
    _caller: Caller,
    Query(p): Query<SearchParams>,
) -> AppResult<Json<AuditPage>> {
    let limit = p.limit.unwrap_or(100).clamp(1, 1000);
    let entries = state
        .db
        .audit_entries(&AuditQuery {
            action_prefix: p.action.filter(|s| !s.is_empty()),
            actor_id: p.actor.filter(|s| !s.is_empty()),
            target_id: p.target.filter(|s| !s.is_empty()),
            from_ms: p.from_ms,
            to_ms: p.to_ms,
            before_seq: p.before_seq,
            limit,
        })
        .await?;
    let next_before_seq = (i64::try_from(entries.len()).unwrap_or(0) == limit)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(Json(AuditPage {
        entries,
        next_before_seq,
    }))
}

async fn verify(
    State(state): State<AppState>,
    _caller: Caller,
) -> AppResult<Json<AuditVerification>> {
    let report = super::verify(&state.db, state.keys.published()).await?;
    let message = report.first_break.as_ref().map(ToString::to_string);
    Ok(Json(AuditVerification { report, message }))
}

async fn sign_head(
    State(state): State<AppState>,
    _caller: Caller,
) -> AppResult<Json<Option<AuditHead>>> {
    Ok(Json(super::sign_head(&state.db, &state.keys).await?))
}
