//! `/api/v1/records`: thin wrappers over [`super::service`].

use axum::{extract::State, http::Method, Json};
use serde::Deserialize;
use shared::api::{
    conflicts::{ConflictList, ConflictResolved, ResolveConflict},
    records::{LookupRequest, RecordForm, RecordPage, RecordView, RevealRequest, RevealResponse},
    users::{AssignRecordRequest, AssignRecordResponse},
};
use shared::ids::{ConflictId, FormId, RecordId};

use super::{conflicts, service};
use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::AppResult,
    extract::AppQuery,
    extract::Origin,
    extract::{AppJson, AppPath, RequestLocale},
    state::AppState,
};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(Method::GET, "/records", Permission::ViewRecords, list)
        .route(
            Method::GET,
            "/records/forms",
            Permission::ViewRecords,
            forms,
        )
        .route(
            Method::GET,
            "/records/{id}",
            Permission::ViewRecords,
            detail,
        )
        .route(
            Method::GET,
            "/conflicts",
            Permission::ResolveConflicts,
            list_conflicts,
        )
        .route(
            Method::POST,
            "/conflicts/{id}/resolve",
            Permission::ResolveConflicts,
            resolve_conflict,
        )
        .route(
            Method::POST,
            "/records/lookup",
            Permission::ViewRecords,
            lookup,
        )
        .route(
            Method::POST,
            "/records/{id}/reveal",
            Permission::RevealValues,
            reveal,
        )
        .route(
            Method::POST,
            "/records/{id}/assign",
            Permission::AssignRecords,
            assign,
        )
}

#[derive(Debug, Deserialize)]
struct ListParams {
    form: Option<String>,
    before: Option<i64>,
    limit: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppQuery(p): AppQuery<ListParams>,
) -> AppResult<Json<RecordPage>> {
    let limit = p.limit.unwrap_or(50).clamp(1, 200);
    // `?form=` (the filter's "all forms") is no filter.
    let form = match p.form.as_deref().filter(|f| !f.is_empty()) {
        None => None,
        Some(raw) => Some(FormId::parse(raw).map_err(|_| {
            crate::error::AppError::invalid_field(
                "form",
                "form_invalid",
                "The form filter is not a form id",
            )
        })?),
    };
    Ok(Json(
        service::list(&state, &caller, &origin, form, p.before, limit).await?,
    ))
}

async fn forms(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> AppResult<Json<Vec<RecordForm>>> {
    Ok(Json(service::forms(&state, &caller).await?))
}

async fn reveal(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<RecordId>,
    AppJson(req): AppJson<RevealRequest>,
) -> AppResult<Json<RevealResponse>> {
    Ok(Json(
        service::reveal(&state, &caller, &origin, id, &req.field, &req.reason).await?,
    ))
}

async fn assign(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<RecordId>,
    AppJson(req): AppJson<AssignRecordRequest>,
) -> AppResult<Json<AssignRecordResponse>> {
    Ok(Json(
        service::assign(&state, &caller, &origin, id, req.owner_id).await?,
    ))
}

async fn lookup(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(req): AppJson<LookupRequest>,
) -> AppResult<Json<RecordPage>> {
    Ok(Json(
        service::lookup(&state, &caller, &origin, req.kind, &req.value).await?,
    ))
}

async fn detail(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<RecordId>,
) -> AppResult<Json<RecordView>> {
    Ok(Json(service::detail(&state, &caller, &origin, id).await?))
}

async fn list_conflicts(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
) -> AppResult<Json<ConflictList>> {
    Ok(Json(conflicts::list(&state, &caller, &origin).await?))
}

async fn resolve_conflict(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<ConflictId>,
    AppJson(req): AppJson<ResolveConflict>,
) -> AppResult<Json<ConflictResolved>> {
    Ok(Json(
        conflicts::resolve(&state, &caller, &origin, locale, id, req.take).await?,
    ))
}
