//! `/api/v1/audit`: search the log, verify the chain, sign the head now.

use axum::{extract::State, http::Method, Json};
use serde::Deserialize;
use shared::{
    api::audit::{AuditPage, AuditVerification},
    audit::AuditHead,
};

use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::AppResult,
    extract::AppQuery,
    state::AppState,
    store::audit::AuditQuery,
};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(Method::GET, "/audit", Permission::ViewAudit, search)
        .route(Method::GET, "/audit/verify", Permission::ViewAudit, verify)
        .route(Method::GET, "/audit/actors", Permission::ViewAudit, actors)
        .route(
            Method::POST,
            "/audit/heads",
            Permission::ViewAudit,
            sign_head,
        )
        .route(Method::GET, "/audit/export", Permission::ViewAudit, export)
}

/// The most entries one export holds; narrow the filters for more.
const MAX_EXPORT: i64 = 100_000;

/// `GET /audit/export?…` (same filters as the search): the matching entries, oldest
/// first, as CSV with every hash so the chain can be checked outside the product, and
/// the acting account's user name beside its id.
/// The export itself is audited.
#[utoipa::path(get, path = "/audit/export", tag = "audit", summary = "Export the audit log as CSV",
    params(SearchParams),
    responses((status = 200, description = "The entries, oldest first", content_type = "text/csv", body = String)))]
async fn export(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: crate::extract::Origin,
    AppQuery(p): AppQuery<SearchParams>,
) -> AppResult<axum::response::Response> {
    use axum::response::IntoResponse as _;
    let mut entries = state
        .db
        .audit_entries(&AuditQuery {
            action_prefix: p.action.filter(|s| !s.is_empty()),
            actor_id: p.actor.filter(|s| !s.is_empty()),
            target_id: p.target.filter(|s| !s.is_empty()),
            from_ms: p.from_ms,
            to_ms: p.to_ms,
            before_seq: p.before_seq,
            limit: MAX_EXPORT,
        })
        .await?;
    entries.reverse();
    let names = actor_names(&state, &entries).await?;
    let reasons = super::reasons::open(&state.db, state.master.as_ref(), &entries).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| crate::error::AppError::internal("writing the audit CSV", e);
    out.write_record([
        "seq",
        "at_ms",
        "actor_id",
        "actor_name",
        "actor_role",
        "action",
        "target_kind",
        "target_id",
        "ip",
        "user_agent",
        "details",
        "reveal_reason",
        "prev_hash",
        "hash",
    ])
    .map_err(csv_error)?;
    for e in &entries {
        out.write_record(
            [
                e.seq.to_string(),
                e.at_ms.to_string(),
                e.actor_id.clone().unwrap_or_default(),
                e.actor_id
                    .as_ref()
                    .and_then(|id| names.get(id).cloned())
                    .unwrap_or_default(),
                e.actor_role.clone().unwrap_or_default(),
                e.action.clone(),
                e.target_kind.clone().unwrap_or_default(),
                e.target_id.clone().unwrap_or_default(),
                e.ip.clone().unwrap_or_default(),
                e.user_agent.clone().unwrap_or_default(),
                e.details.to_string(),
                reasons.get(&e.seq).cloned().unwrap_or_default(),
                e.prev_hash.clone(),
                e.hash.clone(),
            ]
            .iter()
            // A user agent or reason is what a client sent: written inert.
            .map(|cell| crate::spreadsheet::inert(cell).into_owned()),
        )
        .map_err(csv_error)?;
    }
    let body = out
        .into_inner()
        .map_err(|e| crate::error::AppError::internal("the audit CSV buffer", e.into_error()))?;
    let event =
        crate::audit::Event::new("audit.export", Some(&caller.user)).details(serde_json::json!({
            "entries": entries.len(),
            "first_seq": entries.first().map(|e| e.seq),
            "last_seq": entries.last().map(|e| e.seq),
        }));
    crate::audit::record_alone(&state.db, &origin, event, None).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"consentry-audit.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// The filters of the search and the export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// Actions starting with this, such as `auth.`
    action: Option<String>,
    /// The acting account's id
    actor: Option<String>,
    /// The target's id
    target: Option<String>,
    /// From this time, Unix milliseconds
    from_ms: Option<i64>,
    /// Until this time, Unix milliseconds
    to_ms: Option<i64>,
    /// `next_before_seq` of the previous page
    before_seq: Option<i64>,
    /// At most this many (1–1000, 100 by default; an export holds up to 100,000)
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/audit", tag = "audit", summary = "Search the audit log",
    params(SearchParams),
    responses((status = 200, description = "Entries, newest first", body = shared::api::audit::AuditPage)))]
async fn search(
    State(state): State<AppState>,
    _caller: Caller,
    AppQuery(p): AppQuery<SearchParams>,
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
    let actor_names = actor_names(&state, &entries).await?;
    let reveal_reasons = super::reasons::open(&state.db, state.master.as_ref(), &entries).await?;
    Ok(Json(AuditPage {
        entries,
        actor_names,
        reveal_reasons,
        next_before_seq,
    }))
}

#[utoipa::path(get, path = "/audit/actors", tag = "audit", summary = "The accounts acting in the log",
    description = "Every account that is the actor of an entry, with its names, for the search's `actor` filter.",
    responses((status = 200, description = "By display name", body = Vec<shared::api::audit::AuditActor>)))]
async fn actors(
    State(state): State<AppState>,
    _caller: Caller,
) -> AppResult<Json<Vec<shared::api::audit::AuditActor>>> {
    Ok(Json(super::actors::actors(&state.db).await?))
}

#[utoipa::path(get, path = "/audit/verify", tag = "audit", summary = "Verify the whole chain",
    responses((status = 200, description = "The report, with the first break in words if any", body = shared::api::audit::AuditVerification)))]
async fn verify(
    State(state): State<AppState>,
    _caller: Caller,
) -> AppResult<Json<AuditVerification>> {
    let report = super::verify_with(&state.db, &state.keys).await?;
    let message = report.first_break.as_ref().map(ToString::to_string);
    Ok(Json(AuditVerification { report, message }))
}

#[utoipa::path(post, path = "/audit/heads", tag = "audit", summary = "Sign the chain's head now",
    responses((status = 200, description = "The signed head, or null when the log is empty", body = Option<shared::audit::AuditHead>)))]
async fn sign_head(
    State(state): State<AppState>,
    _caller: Caller,
) -> AppResult<Json<Option<AuditHead>>> {
    let keys = state.keys.snapshot();
    Ok(Json(super::sign_head(&state.db, &keys).await?))
}

/// The user names of the entries' actors, by actor id as the entries write it.
async fn actor_names(
    state: &AppState,
    entries: &[shared::audit::AuditEntry],
) -> AppResult<std::collections::BTreeMap<String, String>> {
    let actors: std::collections::BTreeSet<shared::ids::UserId> = entries
        .iter()
        .filter_map(|e| e.actor_id.as_deref()?.parse().ok())
        .collect();
    let actors: Vec<_> = actors.into_iter().collect();
    Ok(state
        .db
        .user_names(&actors)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect())
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(search, verify, actors, sign_head, export))]
pub struct ApiDoc;
