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
            "/records/{id}/history",
            Permission::ViewRecords,
            history,
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

#[utoipa::path(get, path = "/records", tag = "records", summary = "List records in the caller's reach",
    description = "Staff see what they own, managers what their team owns (and unowned records when their team is the intake team), admins and auditors everything; values are masked by role.",
    params(
        ("form" = Option<shared::ids::FormId>, Query, description = "Only records of this form"),
        ("before" = Option<i64>, Query, description = "`next_before` of the previous page"),
        ("limit" = Option<i64>, Query, description = "At most this many (1–200, 50 by default)"),
    ),
    responses(
        (status = 200, description = "A page, newest first", body = shared::api::records::RecordPage),
        (status = 422, description = "`validation_failed`: the form filter is not a form id", body = shared::api::error::ApiError),
    ))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
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
        service::list(&state, &caller, &origin, locale, form, p.before, limit).await?,
    ))
}

#[utoipa::path(get, path = "/records/{id}/history", tag = "records", summary = "A record's history",
    description = "Every version, oldest first: who, when, from which device, why (an edit, a resolved conflict, a correction for a data-subject request) and which fields changed; values masked by role.",
    params(("id" = shared::ids::RecordId, Path, description = "The record")),
    responses(
        (status = 200, description = "The versions", body = shared::api::records::RecordHistory),
        (status = 404, description = "`not_found`: no such record in the caller's reach", body = shared::api::error::ApiError),
    ))]
async fn history(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<RecordId>,
) -> AppResult<Json<shared::api::records::RecordHistory>> {
    Ok(Json(
        super::history::history(&state, &caller, &origin, locale, id).await?,
    ))
}

#[utoipa::path(get, path = "/records/forms", tag = "records", summary = "The forms of the records in reach",
    responses((status = 200, description = "By title, for the list's filter", body = Vec<shared::api::records::RecordForm>)))]
async fn forms(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> AppResult<Json<Vec<RecordForm>>> {
    Ok(Json(service::forms(&state, &caller).await?))
}

#[utoipa::path(post, path = "/records/{id}/reveal", tag = "records", summary = "Reveal a masked value",
    description = "With a reason, kept in the audit log.",
    params(("id" = shared::ids::RecordId, Path, description = "The record")), request_body = shared::api::records::RevealRequest,
    responses(
        (status = 200, description = "The value in full", body = shared::api::records::RevealResponse),
        (status = 422, description = "`validation_failed`: the reason is too short or too long, or the field has no value to reveal", body = shared::api::error::ApiError),
    ))]
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

#[utoipa::path(post, path = "/records/{id}/assign", tag = "records", summary = "Give a record to an owner",
    params(("id" = shared::ids::RecordId, Path, description = "The record")), request_body = shared::api::users::AssignRecordRequest,
    responses(
        (status = 200, description = "Assigned", body = shared::api::users::AssignRecordResponse),
        (status = 422, description = "`validation_failed`: the owner cannot own records or is outside the manager's team", body = shared::api::error::ApiError),
    ))]
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

#[utoipa::path(post, path = "/records/lookup", tag = "records", summary = "Find records by an identifier",
    description = "By phone, email or resident ID number, through blind indexes: nothing is decrypted to search.",
    request_body = shared::api::records::LookupRequest,
    responses(
        (status = 200, description = "The matching records in reach", body = shared::api::records::RecordPage),
        (status = 422, description = "`validation_failed`: the value is not of its kind", body = shared::api::error::ApiError),
    ))]
async fn lookup(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppJson(req): AppJson<LookupRequest>,
) -> AppResult<Json<RecordPage>> {
    Ok(Json(
        service::lookup(&state, &caller, &origin, locale, req.kind, &req.value).await?,
    ))
}

#[utoipa::path(get, path = "/records/{id}", tag = "records", summary = "One record",
    params(("id" = shared::ids::RecordId, Path, description = "The record")),
    responses((status = 200, description = "The record, masked by role", body = shared::api::records::RecordView)))]
async fn detail(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<RecordId>,
) -> AppResult<Json<RecordView>> {
    Ok(Json(
        service::detail(&state, &caller, &origin, locale, id).await?,
    ))
}

#[utoipa::path(get, path = "/conflicts", tag = "conflicts", summary = "Open edit conflicts",
    responses((status = 200, description = "The conflicts in the caller's reach, both values masked by role", body = shared::api::conflicts::ConflictList)))]
async fn list_conflicts(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
) -> AppResult<Json<ConflictList>> {
    Ok(Json(conflicts::list(&state, &caller, &origin).await?))
}

#[utoipa::path(post, path = "/conflicts/{id}/resolve", tag = "conflicts", summary = "Resolve a conflict",
    params(("id" = shared::ids::ConflictId, Path, description = "The conflict")), request_body = shared::api::conflicts::ResolveConflict,
    responses(
        (status = 200, description = "Resolved", body = shared::api::conflicts::ConflictResolved),
        (status = 409, description = "`already_resolved`, or `conflict`: the value can no longer apply", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: the device's value no longer fits the record", body = shared::api::error::ApiError),
    ))]
async fn resolve_conflict(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<ConflictId>,
    AppJson(req): AppJson<ResolveConflict>,
) -> AppResult<Json<ConflictResolved>> {
    Ok(Json(
        conflicts::resolve(&state, &caller, &origin, locale, id, &req).await?,
    ))
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    forms,
    detail,
    history,
    list_conflicts,
    resolve_conflict,
    lookup,
    reveal,
    assign
))]
pub struct ApiDoc;
