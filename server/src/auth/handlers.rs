//! HTTP handlers of `/api/v1/auth`: thin wrappers over [`super::service`].

use axum::{
    extract::State,
    http::{header, Method, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use shared::api::auth::{
    ChangePasswordRequest, SessionInfo, SignInRequest, TotpDisableRequest, TotpEnableRequest,
    TotpSetup,
};

use super::{
    second_factor, service,
    session::{clearing_cookie, session_cookie},
    ApiRoutes, Caller, Permission,
};
use crate::{error::AppResult, extract::AppJson, extract::Origin, state::AppState};

/// The routes of this feature.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(Method::POST, "/auth/login", Permission::Public, login)
        .route(
            Method::GET,
            "/auth/session",
            Permission::OwnAccount,
            session,
        )
        .route(Method::POST, "/auth/logout", Permission::OwnAccount, logout)
        .route(
            Method::POST,
            "/auth/password",
            Permission::OwnAccount,
            change_password,
        )
        .route(
            Method::POST,
            "/auth/totp/setup",
            Permission::OwnAccount,
            totp_setup,
        )
        .route(
            Method::POST,
            "/auth/totp/enable",
            Permission::OwnAccount,
            totp_enable,
        )
        .route(
            Method::POST,
            "/auth/totp/disable",
            Permission::OwnAccount,
            totp_disable,
        )
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/auth/login", tag = "auth", summary = "Sign in",
    description = "Checks the user name and password (and the second factor's code when the account has one) and starts a session: the answer sets the session cookie and carries the CSRF token.",
    request_body = shared::api::auth::SignInRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = shared::api::auth::SessionInfo),
        (status = 401, description = "`unauthenticated`: wrong user name or password; `totp_required`: send the second factor's code", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: a field is missing or too long", body = shared::api::error::ApiError),
        (status = 429, description = "`rate_limited`: too many failed sign-ins from this address; see `Retry-After`", body = shared::api::error::ApiError),
    ))]
async fn login(
    State(state): State<AppState>,
    origin: Origin,
    AppJson(req): AppJson<SignInRequest>,
) -> AppResult<Response> {
    let (info, token) = service::login(&state, req, &origin).await?;
    Ok(with_session_cookie(Json(info).into_response(), &token))
}

#[utoipa::path(get, path = "/auth/session", tag = "auth", summary = "The current session",
    responses((status = 200, description = "Who is signed in, and the CSRF token", body = shared::api::auth::SessionInfo)))]
async fn session(Caller(caller): Caller) -> Json<SessionInfo> {
    Json(service::session_info(&caller))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/auth/logout", tag = "auth", summary = "Sign out",
    responses((status = 204, description = "Signed out; the session cookie is cleared")))]
async fn logout(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
) -> AppResult<Response> {
    service::logout(&state, &caller, &origin).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, clearing_cookie());
    Ok(response)
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/auth/password", tag = "auth", summary = "Change one's password",
    description = "Replaces the password (also a generated one-time password) and rotates the session: the answer sets a new session cookie.",
    request_body = shared::api::auth::ChangePasswordRequest,
    responses(
        (status = 200, description = "Changed; a new session cookie is set", body = shared::api::auth::SessionInfo),
        (status = 422, description = "`validation_failed`: the current password is wrong or the new one breaks the rules", body = shared::api::error::ApiError),
        (status = 429, description = "`rate_limited`: too many wrong passwords", body = shared::api::error::ApiError),
    ))]
async fn change_password(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(req): AppJson<ChangePasswordRequest>,
) -> AppResult<Response> {
    let (info, token) = service::change_password(&state, &caller, req, &origin).await?;
    Ok(with_session_cookie(Json(info).into_response(), &token))
}

/// `response` with the cookie of a new session.
fn with_session_cookie(mut response: Response, token: &str) -> Response {
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(token));
    response
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/auth/totp/setup", tag = "auth", summary = "Start setting up a second factor",
    responses(
        (status = 200, description = "A new secret, to confirm with `/auth/totp/enable`", body = shared::api::auth::TotpSetup),
        (status = 409, description = "`conflict`: the second factor is already on", body = shared::api::error::ApiError),
    ))]
async fn totp_setup(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
) -> AppResult<Json<TotpSetup>> {
    Ok(Json(second_factor::setup(&state, &caller, &origin).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/auth/totp/enable", tag = "auth", summary = "Turn the second factor on",
    request_body = shared::api::auth::TotpEnableRequest,
    responses(
        (status = 204, description = "On"),
        (status = 409, description = "`conflict`: already on, or no secret was set up", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: wrong password or code", body = shared::api::error::ApiError),
        (status = 429, description = "`rate_limited`: too many wrong passwords", body = shared::api::error::ApiError),
    ))]
async fn totp_enable(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(req): AppJson<TotpEnableRequest>,
) -> AppResult<StatusCode> {
    second_factor::enable(&state, &caller, &origin, req).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/auth/totp/disable", tag = "auth", summary = "Turn the second factor off",
    request_body = shared::api::auth::TotpDisableRequest,
    responses(
        (status = 204, description = "Off"),
        (status = 409, description = "`conflict`: the second factor is not on", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: wrong password or code", body = shared::api::error::ApiError),
        (status = 429, description = "`rate_limited`: too many wrong passwords", body = shared::api::error::ApiError),
    ))]
async fn totp_disable(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(req): AppJson<TotpDisableRequest>,
) -> AppResult<StatusCode> {
    second_factor::disable(&state, &caller, &origin, req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    login,
    session,
    logout,
    change_password,
    totp_setup,
    totp_enable,
    totp_disable
))]
pub struct ApiDoc;
