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
async fn board(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> AppResult<Json<AssignmentBoard>> {
    Ok(Json(service::board(&state, &caller).await?))
}

#[tracing::instrument(skip_all)]
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
async fn my_forms(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> AppResult<Json<Vec<AssignedForm>>> {
    Ok(Json(service::my_forms(&state, &caller).await?))
}
