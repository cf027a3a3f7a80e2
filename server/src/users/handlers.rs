//! HTTP handlers of `/api/v1/users` and `/api/v1/teams`: thin wrappers over
//! [`super::service`] and [`super::teams`].

use axum::{
    extract::State,
    http::{Method, StatusCode},
    Json,
};
use shared::api::users::{
    CreateUserRequest, IssuedPassword, TeamRequest, TeamSummary, UpdateUserRequest, UserSummary,
};
use shared::ids::{TeamId, UserId};

use super::{service, teams};
use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::AppResult,
    extract::Origin,
    extract::{AppJson, AppPath},
    state::AppState,
};

/// The routes of this feature: every one needs [`Permission::ManageUsers`].
pub fn routes() -> ApiRoutes {
    use Permission::ManageUsers;
    ApiRoutes::new()
        .route(Method::GET, "/users", ManageUsers, list)
        .route(Method::POST, "/users", ManageUsers, create)
        .route(Method::PUT, "/users/{id}", ManageUsers, update)
        .route(Method::POST, "/users/{id}/disable", ManageUsers, disable)
        .route(Method::POST, "/users/{id}/enable", ManageUsers, enable)
        .route(
            Method::POST,
            "/users/{id}/reset-password",
            ManageUsers,
            reset_password,
        )
        .route(Method::GET, "/teams", ManageUsers, list_teams)
        .route(Method::POST, "/teams", ManageUsers, create_team)
        .route(Method::PUT, "/teams/{id}", ManageUsers, rename_team)
}

#[tracing::instrument(skip_all)]
async fn list(State(state): State<AppState>) -> AppResult<Json<Vec<UserSummary>>> {
    Ok(Json(service::list(&state).await?))
}

#[tracing::instrument(skip_all)]
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(req): AppJson<CreateUserRequest>,
) -> AppResult<(StatusCode, Json<IssuedPassword>)> {
    let issued = service::create(&state, &caller, &origin, req).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

#[tracing::instrument(skip_all)]
async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<UserId>,
    AppJson(req): AppJson<UpdateUserRequest>,
) -> AppResult<Json<UserSummary>> {
    Ok(Json(
        service::update(&state, &caller, &origin, id, req).await?,
    ))
}

#[tracing::instrument(skip_all)]
async fn disable(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<UserId>,
) -> AppResult<Json<UserSummary>> {
    Ok(Json(
        service::set_disabled(&state, &caller, &origin, id, true).await?,
    ))
}

#[tracing::instrument(skip_all)]
async fn enable(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<UserId>,
) -> AppResult<Json<UserSummary>> {
    Ok(Json(
        service::set_disabled(&state, &caller, &origin, id, false).await?,
    ))
}

#[tracing::instrument(skip_all)]
async fn reset_password(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<UserId>,
) -> AppResult<Json<IssuedPassword>> {
    Ok(Json(
        service::reset_password(&state, &caller, &origin, id).await?,
    ))
}

#[tracing::instrument(skip_all)]
async fn list_teams(State(state): State<AppState>) -> AppResult<Json<Vec<TeamSummary>>> {
    Ok(Json(teams::list(&state).await?))
}

#[tracing::instrument(skip_all)]
async fn create_team(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(req): AppJson<TeamRequest>,
) -> AppResult<(StatusCode, Json<TeamSummary>)> {
    let team = teams::create(&state, &caller, &origin, &req).await?;
    Ok((StatusCode::CREATED, Json(team)))
}

#[tracing::instrument(skip_all)]
async fn rename_team(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<TeamId>,
    AppJson(req): AppJson<TeamRequest>,
) -> AppResult<Json<TeamSummary>> {
    Ok(Json(
        teams::rename(&state, &caller, &origin, id, &req).await?,
    ))
}
