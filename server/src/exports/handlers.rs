//! `/api/v1/exports`: thin wrappers over [`super::service`] and [`super::file`].

use axum::{
    extract::State,
    http::{header, Method, StatusCode},
    response::IntoResponse,
    Json,
};
use serde::Deserialize;
use shared::{
    api::exports::{
        ExportDecision, ExportEntry, ExportList, ExportSettings, NewExport, TraceReport,
    },
    ids::ExportId,
};

use super::{file, service};
use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::AppResult,
    extract::{AppJson, AppPath, AppQuery, Origin},
    state::AppState,
};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(Method::GET, "/exports", Permission::ViewRecords, list)
        .route(Method::POST, "/exports", Permission::ViewRecords, create)
        .route(
            Method::GET,
            "/exports/settings",
            Permission::ManageUsers,
            get_settings,
        )
        .route(
            Method::PUT,
            "/exports/settings",
            Permission::ManageUsers,
            put_settings,
        )
        .route(
            Method::POST,
            "/exports/{id}/decision",
            Permission::DecideExports,
            decide,
        )
        .route(
            Method::POST,
            "/exports/{id}/cancel",
            Permission::ViewRecords,
            cancel,
        )
        .route(
            Method::GET,
            "/exports/{id}/file",
            Permission::ViewRecords,
            download,
        )
        .route_with_body_limit(
            Method::POST,
            "/exports/trace",
            Permission::ViewAudit,
            trace,
            MAX_TRACE_BYTES,
        )
}

/// The largest file a trace reads.
pub const MAX_TRACE_BYTES: usize = shared::api::exports::MAX_TRACE_MB as usize * 1024 * 1024;

#[derive(Debug, Deserialize)]
struct ListParams {
    all: Option<bool>,
}

#[utoipa::path(get, path = "/exports", tag = "exports", summary = "The export ledger",
    params(("all" = Option<bool>, Query, description = "Everyone's exports (admins, auditors and privacy officers); the caller's own otherwise")),
    responses((status = 200, description = "Newest first", body = ExportList)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    AppQuery(p): AppQuery<ListParams>,
) -> AppResult<Json<ExportList>> {
    Ok(Json(
        service::list(&state, &caller, p.all.unwrap_or(false)).await?,
    ))
}

#[utoipa::path(post, path = "/exports", tag = "exports", summary = "Ask for an export of a form's records",
    description = "The file holds what the caller sees on screen. Unmasked: roles that may reveal values only, with a reason; above the settings' threshold it waits for a second person's approval.",
    request_body = NewExport,
    responses(
        (status = 201, description = "The ledger entry: ready, or awaiting approval", body = ExportEntry),
        (status = 403, description = "`forbidden`: the role may not export, or not unmasked", body = shared::api::error::ApiError),
        (status = 404, description = "`not_found`: no records of the form in the caller's reach", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: `reason`, `from`, `to`", body = shared::api::error::ApiError),
    ))]
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(req): AppJson<NewExport>,
) -> AppResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state, &caller, &origin, req).await?),
    ))
}

#[utoipa::path(get, path = "/exports/settings", tag = "exports", summary = "Who may export, and when approval is needed",
    responses((status = 200, description = "The settings", body = ExportSettings)))]
async fn get_settings(State(state): State<AppState>) -> AppResult<Json<ExportSettings>> {
    Ok(Json(service::settings(&state).await?))
}

#[utoipa::path(put, path = "/exports/settings", tag = "exports", summary = "Change the export settings",
    request_body = ExportSettings,
    responses(
        (status = 200, description = "The settings saved", body = ExportSettings),
        (status = 422, description = "`validation_failed`: `valid_hours`", body = shared::api::error::ApiError),
    ))]
async fn put_settings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(settings): AppJson<ExportSettings>,
) -> AppResult<Json<ExportSettings>> {
    Ok(Json(
        service::save_settings(&state, &caller, &origin, settings).await?,
    ))
}

#[utoipa::path(post, path = "/exports/{id}/decision", tag = "exports", summary = "Approve or refuse an export",
    params(("id" = ExportId, Path, description = "The export")), request_body = ExportDecision,
    responses(
        (status = 200, description = "The ledger entry", body = ExportEntry),
        (status = 403, description = "`forbidden`: the caller asked for it", body = shared::api::error::ApiError),
        (status = 404, description = "`not_found`", body = shared::api::error::ApiError),
        (status = 409, description = "`already_resolved`: it does not wait for a decision", body = shared::api::error::ApiError),
    ))]
async fn decide(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<ExportId>,
    AppJson(decision): AppJson<ExportDecision>,
) -> AppResult<Json<ExportEntry>> {
    Ok(Json(
        service::decide(&state, &caller, &origin, id, decision).await?,
    ))
}

#[utoipa::path(post, path = "/exports/{id}/cancel", tag = "exports", summary = "Cancel one's own export",
    params(("id" = ExportId, Path, description = "The export")),
    responses(
        (status = 200, description = "The ledger entry", body = ExportEntry),
        (status = 403, description = "`forbidden`: someone else's", body = shared::api::error::ApiError),
        (status = 409, description = "`conflict`: already downloaded, refused or expired", body = shared::api::error::ApiError),
    ))]
async fn cancel(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<ExportId>,
) -> AppResult<Json<ExportEntry>> {
    Ok(Json(service::cancel(&state, &caller, &origin, id).await?))
}

#[utoipa::path(get, path = "/exports/{id}/file", tag = "exports", summary = "Download one's export, once",
    params(("id" = ExportId, Path, description = "The export")),
    responses(
        (status = 200, description = "The file, streamed: CSV, or an XLSX workbook", content_type = "text/csv", body = String),
        (status = 403, description = "`forbidden`: someone else's", body = shared::api::error::ApiError),
        (status = 409, description = "`conflict`: waits for approval", body = shared::api::error::ApiError),
        (status = 410, description = "`gone`: already downloaded, refused, cancelled or expired", body = shared::api::error::ApiError),
    ))]
async fn download(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<ExportId>,
) -> AppResult<axum::response::Response> {
    let row = service::take_download(&state, &caller, &origin, id).await?;
    let name = file::file_name(&row);
    let content_type = file::content_type(&row);
    let body = file::stream(state, caller, row);
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

#[utoipa::path(post, path = "/exports/trace", tag = "exports", summary = "Trace a leaked file to its export",
    description = "The body is the file (CSV or XLSX, up to 50 MB) or rows of it pasted as text. Names the exports whose invisible marks it carries, with the confidence; audited.",
    request_body(content = String, description = "The file's bytes", content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "The exports found, best first", body = TraceReport),
        (status = 422, description = "`validation_failed`: empty or unreadable (`file`)", body = shared::api::error::ApiError),
    ))]
async fn trace(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    body: axum::body::Bytes,
) -> AppResult<Json<TraceReport>> {
    Ok(Json(service::trace(&state, &caller, &origin, &body).await?))
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    create,
    get_settings,
    put_settings,
    decide,
    cancel,
    download,
    trace
))]
pub struct ApiDoc;
