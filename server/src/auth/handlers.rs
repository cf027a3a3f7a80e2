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
async fn login(
    State(state): State<AppState>,
    origin: Origin,
    AppJson(req): AppJson<SignInRequest>,
) -> AppResult<Response> {
    let (info, token) = service::login(&state, req, &origin).await?;
    Ok(with_session_cookie(Json(info).into_response(), &token))
}

async fn session(Caller(caller): Caller) -> Json<SessionInfo> {
    Json(service::session_info(&caller))
}

#[tracing::instrument(skip_all)]
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
async fn totp_setup(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
) -> AppResult<Json<TotpSetup>> {
    Ok(Json(second_factor::setup(&state, &caller, &origin).await?))
}

#[tracing::instrument(skip_all)]
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
async fn totp_disable(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(req): AppJson<TotpDisableRequest>,
) -> AppResult<StatusCode> {
    second_factor::disable(&state, &caller, &origin, req).await?;
    Ok(StatusCode::NO_CONTENT)
}
