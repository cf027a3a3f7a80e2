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
#[utoipa::path(get, path = "/users", tag = "users", summary = "List accounts",
    responses((status = 200, description = "Every account", body = Vec<shared::api::users::UserSummary>)))]
async fn list(State(state): State<AppState>) -> AppResult<Json<Vec<UserSummary>>> {
    Ok(Json(service::list(&state).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/users", tag = "users", summary = "Create an account",
    description = "The answer shows a generated one-time password once; its holder must replace it at first sign-in.",
    request_body = shared::api::users::CreateUserRequest,
    responses(
        (status = 201, description = "Created", body = shared::api::users::IssuedPassword),
        (status = 409, description = "`conflict`: the user name is taken", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: a name breaks its rules, or the team does not exist", body = shared::api::error::ApiError),
    ))]
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
#[utoipa::path(put, path = "/users/{id}", tag = "users", summary = "Change an account's name, role and team",
    params(("id" = shared::ids::UserId, Path, description = "The account")), request_body = shared::api::users::UpdateUserRequest,
    responses(
        (status = 200, description = "Changed", body = shared::api::users::UserSummary),
        (status = 409, description = "`conflict`: the last enabled admin keeps the role", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: a name breaks its rules, or the team does not exist", body = shared::api::error::ApiError),
    ))]
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
#[utoipa::path(post, path = "/users/{id}/disable", tag = "users", summary = "Disable an account",
    params(("id" = shared::ids::UserId, Path, description = "The account")),
    responses(
        (status = 200, description = "Disabled; its sessions end", body = shared::api::users::UserSummary),
        (status = 409, description = "`conflict`: the last enabled admin stays enabled", body = shared::api::error::ApiError),
    ))]
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
#[utoipa::path(post, path = "/users/{id}/enable", tag = "users", summary = "Enable an account",
    params(("id" = shared::ids::UserId, Path, description = "The account")),
    responses((status = 200, description = "Enabled", body = shared::api::users::UserSummary)))]
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
#[utoipa::path(post, path = "/users/{id}/reset-password", tag = "users", summary = "Reset an account's password",
    params(("id" = shared::ids::UserId, Path, description = "The account")),
    responses((status = 200, description = "A new one-time password, shown once", body = shared::api::users::IssuedPassword)))]
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
#[utoipa::path(get, path = "/teams", tag = "users", summary = "List teams",
    responses((status = 200, description = "Every team", body = Vec<shared::api::users::TeamSummary>)))]
async fn list_teams(State(state): State<AppState>) -> AppResult<Json<Vec<TeamSummary>>> {
    Ok(Json(teams::list(&state).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/teams", tag = "users", summary = "Create a team",
    request_body = shared::api::users::TeamRequest,
    responses(
        (status = 201, description = "Created", body = shared::api::users::TeamSummary),
        (status = 409, description = "`conflict`: the name is taken", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: the name is blank or too long", body = shared::api::error::ApiError),
    ))]
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
#[utoipa::path(put, path = "/teams/{id}", tag = "users", summary = "Rename a team",
    params(("id" = shared::ids::TeamId, Path, description = "The team")), request_body = shared::api::users::TeamRequest,
    responses(
        (status = 200, description = "Renamed", body = shared::api::users::TeamSummary),
        (status = 409, description = "`conflict`: the name is taken", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: the name is blank or too long", body = shared::api::error::ApiError),
    ))]
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

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    create,
    update,
    disable,
    enable,
    reset_password,
    list_teams,
    create_team,
    rename_team
))]
pub struct ApiDoc;
