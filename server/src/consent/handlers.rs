//! `/api/v1/public/…` consent routes: thin wrappers over [`super::service`].

use axum::{
    extract::State,
    handler::Handler as _,
    http::{header, HeaderMap, Method, StatusCode},
    middleware::from_fn,
    response::IntoResponse,
    Json,
};
use shared::ids::FormId;
use shared::{
    api::consent::{
        ConsentStatus, ConsentTokenRequest, ReceiptVerification, SubmitRequest, SubmitResponse,
        WithdrawalReceipt,
    },
    consent::SignedReceipt,
};

use super::service;
use crate::{
    auth::{ApiRoutes, Permission},
    error::AppResult,
    extract::Origin,
    extract::{AppJson, AppPath, RequestLocale},
    limits,
    state::AppState,
};

/// Each route draws on its per-address budget (`crate::limits`).
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(
            Method::POST,
            "/public/forms/{id}/submissions",
            Permission::Public,
            submit.layer(from_fn(limits::submissions)),
        )
        .route(
            Method::POST,
            "/public/receipts/verify",
            Permission::Public,
            verify.layer(from_fn(limits::reads)),
        )
        .route(
            Method::POST,
            "/public/consents/status",
            Permission::Public,
            status.layer(from_fn(limits::reads)),
        )
        .route(
            Method::POST,
            "/public/consents/withdraw",
            Permission::Public,
            withdraw.layer(from_fn(limits::withdrawals)),
        )
        .route(
            Method::GET,
            "/keys",
            Permission::Public,
            published_keys.layer(from_fn(limits::reads)),
        )
}

/// `GET /api/v1/keys` (also at `/.well-known/consentry-keys.json`): the server's public
/// keys, current and retired, so that anyone can verify receipts offline. Cacheable
/// for a few minutes.
pub async fn published_keys(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(state.keys.snapshot().published().clone()),
    )
}

#[tracing::instrument(skip_all)]
async fn submit(
    State(state): State<AppState>,
    AppPath(form_id): AppPath<FormId>,
    RequestLocale(locale): RequestLocale,
    client: Origin,
    headers: HeaderMap,
    AppJson(req): AppJson<SubmitRequest>,
) -> AppResult<(StatusCode, Json<SubmitResponse>)> {
    let version = state
        .versions
        .get(&state.db, form_id, req.statement.form_version)
        .await?;
    let http_origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let prepared = service::prepare(&state, &version, req, http_origin, &client, locale)?;
    let response = service::store(&state, prepared).await?;
    let status = if response.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(response)))
}

async fn verify(
    State(state): State<AppState>,
    AppJson(receipt): AppJson<SignedReceipt>,
) -> AppResult<Json<ReceiptVerification>> {
    Ok(Json(service::verify_receipt(&state, &receipt).await?))
}

async fn status(
    State(state): State<AppState>,
    AppJson(req): AppJson<ConsentTokenRequest>,
) -> AppResult<Json<ConsentStatus>> {
    Ok(Json(service::status(&state, &req).await?))
}

#[tracing::instrument(skip_all)]
async fn withdraw(
    State(state): State<AppState>,
    client: Origin,
    AppJson(req): AppJson<ConsentTokenRequest>,
) -> AppResult<Json<WithdrawalReceipt>> {
    Ok(Json(service::withdraw(&state, &req, &client).await?))
}
