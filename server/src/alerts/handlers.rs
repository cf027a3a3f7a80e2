//! `/api/v1/alerts`: thin wrappers over [`super::service`].

use axum::{extract::State, http::Method, Json};
use serde::Deserialize;
use shared::{
    api::alerts::{AlertEntry, AlertList, AlertSettings, HandleAlert},
    ids::AlertId,
};

use super::{service, settings};
use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::AppResult,
    extract::{AppJson, AppPath, AppQuery, Origin},
    state::AppState,
};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(Method::GET, "/alerts", Permission::ViewAudit, list)
        .route(
            Method::GET,
            "/alerts/settings",
            Permission::ManageUsers,
            get_settings,
        )
        .route(
            Method::PUT,
            "/alerts/settings",
            Permission::ManageUsers,
            put_settings,
        )
        .route(
            Method::POST,
            "/alerts/{id}/handle",
            Permission::ManageUsers,
            handle,
        )
        .route(
            Method::POST,
            "/alerts/{id}/lift",
            Permission::ManageUsers,
            lift,
        )
}

#[derive(Debug, Deserialize)]
struct ListParams {
    status: Option<String>,
}

#[utoipa::path(get, path = "/alerts", tag = "alerts", summary = "Alerts on unusual behaviour",
    description = "Admins, auditors and privacy officers. Each alert with the events that caused it, whether it suspended the user's export permission, and how its sending went.",
    params(("status" = Option<String>, Query, description = "`open` (the default) or `all`")),
    responses((status = 200, description = "Newest first", body = AlertList)))]
async fn list(
    State(state): State<AppState>,
    AppQuery(p): AppQuery<ListParams>,
) -> AppResult<Json<AlertList>> {
    let all = p.status.as_deref() == Some("all");
    Ok(Json(service::list(&state, all).await?))
}

#[utoipa::path(get, path = "/alerts/settings", tag = "alerts", summary = "The alert rules' limits and where alerts go",
    responses((status = 200, description = "The settings (never the webhook secret)", body = AlertSettings)))]
async fn get_settings(State(state): State<AppState>) -> AppResult<Json<AlertSettings>> {
    Ok(Json(settings::settings(&state).await?))
}

#[utoipa::path(put, path = "/alerts/settings", tag = "alerts", summary = "Change the alert settings",
    request_body = AlertSettings,
    responses(
        (status = 200, description = "The settings saved", body = AlertSettings),
        (status = 422, description = "`validation_failed`: `webhook_url`, `webhook_secret`, `email_to`, hours, days", body = shared::api::error::ApiError),
    ))]
async fn put_settings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(settings): AppJson<AlertSettings>,
) -> AppResult<Json<AlertSettings>> {
    Ok(Json(
        settings::save_settings(&state, &caller, &origin, settings).await?,
    ))
}

#[utoipa::path(post, path = "/alerts/{id}/handle", tag = "alerts", summary = "Acknowledge or dismiss an alert",
    description = "Admins. May lift the export suspension the alert placed; audited.",
    params(("id" = AlertId, Path, description = "The alert")), request_body = HandleAlert,
    responses(
        (status = 200, description = "The alert", body = AlertEntry),
        (status = 404, description = "`not_found`", body = shared::api::error::ApiError),
        (status = 409, description = "`already_resolved`: handled before", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: `status`, `note`", body = shared::api::error::ApiError),
    ))]
async fn handle(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<AlertId>,
    AppJson(req): AppJson<HandleAlert>,
) -> AppResult<Json<AlertEntry>> {
    Ok(Json(
        service::handle(&state, &caller, &origin, id, req).await?,
    ))
}

#[utoipa::path(post, path = "/alerts/{id}/lift", tag = "alerts", summary = "Lift the export suspension an alert placed",
    description = "Admins, whether or not the alert was handled; audited.",
    params(("id" = AlertId, Path, description = "The alert")),
    responses(
        (status = 200, description = "The alert", body = AlertEntry),
        (status = 404, description = "`not_found`", body = shared::api::error::ApiError),
        (status = 409, description = "`already_resolved`: no suspension of this alert is in force", body = shared::api::error::ApiError),
    ))]
async fn lift(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<AlertId>,
) -> AppResult<Json<AlertEntry>> {
    Ok(Json(service::lift(&state, &caller, &origin, id).await?))
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, get_settings, put_settings, handle, lift))]
pub struct ApiDoc;
