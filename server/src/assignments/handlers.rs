//! HTTP handlers of `/api/v1/form-assignments` and `/api/v1/my-forms`: thin wrappers
//! over [`super::service`].

use axum::{extract::State, http::Method, Json};
use shared::api::assignments::{AssignableForm, AssignedForm, AssignmentBoard, FormAssignments};
use shared::ids::FormId;

use super::service;
use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::AppResult,
    extract::Origin,
    extract::{AppJson, AppPath},
    state::AppState,
};

/// The routes of this feature.
pub fn routes() -> ApiRoutes {
    use Permission::{AssignForms, CollectRecords};
    ApiRoutes::new()
        .route(Method::GET, "/form-assignments", AssignForms, board)
        .route(Method::PUT, "/form-assignments/{id}", AssignForms, replace)
        .route(Method::GET, "/my-forms", CollectRecords, my_forms)
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/form-assignments", tag = "assignments", summary = "Forms and who collects with them",
    responses((status = 200, description = "Active published forms, their assignments in reach, and who may be given forms", body = shared::api::assignments::AssignmentBoard)))]
async fn board(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> AppResult<Json<AssignmentBoard>> {
    Ok(Json(service::board(&state, &caller).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(put, path = "/form-assignments/{id}", tag = "assignments", summary = "Replace a form's assignments",
    description = "Only the assignments within the caller's reach change; naming a team or account outside it is 403 with the ids in `details.fields`.",
    params(("id" = shared::ids::FormId, Path, description = "The form")), request_body = shared::api::assignments::FormAssignments,
    responses(
        (status = 200, description = "The form with its assignments", body = shared::api::assignments::AssignableForm),
        (status = 409, description = "`conflict`: the form is archived or has no published version", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: unknown teams or accounts, or accounts that do not collect", body = shared::api::error::ApiError),
    ))]
async fn replace(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<FormId>,
    AppJson(req): AppJson<FormAssignments>,
) -> AppResult<Json<AssignableForm>> {
    Ok(Json(
        service::replace(&state, &caller, &origin, id, req).await?,
    ))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/my-forms", tag = "assignments", summary = "The forms the caller collects with",
    responses((status = 200, description = "The latest version of each form assigned to the caller or their team", body = Vec<shared::api::assignments::AssignedForm>)))]
async fn my_forms(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> AppResult<Json<Vec<AssignedForm>>> {
    Ok(Json(service::my_forms(&state, &caller).await?))
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(board, replace, my_forms))]
pub struct ApiDoc;
