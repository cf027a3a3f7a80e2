//! `/api/v1/public/…` consent routes: thin wrappers over [`super::service`].

use axum::{
    extract::State,
    handler::Handler as _,
    http::{header, HeaderMap, Method, StatusCode},
    middleware::from_fn,
    response::IntoResponse,
    Json,
};
use shared::ids::{FormId, RecordId};
use shared::{
    api::consent::{
        ConsentStatus, ConsentTokenRequest, ReceiptVerification, RecordWithdrawalRequest,
        SubmitRequest, SubmitResponse, WithdrawalReceipt,
    },
    consent::SignedReceipt,
};

use super::{service, withdrawal};
use crate::{
    auth::{ApiRoutes, Caller, Permission},
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
            "/records/{id}/consent",
            Permission::ViewRecords,
            record_consent,
        )
        .route(
            Method::POST,
            "/records/{id}/withdrawals",
            Permission::RecordWithdrawals,
            record_withdrawal,
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
#[utoipa::path(get, path = "/keys", tag = "system", summary = "The server's signing keys",
    description = "Current and retired; also at `/.well-known/consentry-keys.json`.",
    responses(
        (status = 200, description = "The key set", body = shared::consent::PublishedKeySet),
        (status = 429, description = "`rate_limited`: see `Retry-After`", body = shared::api::error::ApiError),
    ))]
pub async fn published_keys(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(state.keys.snapshot().published().clone()),
    )
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/public/forms/{id}/submissions", tag = "public", summary = "Submit a form with consent",
    description = "The answers and the consent statement the customer's browser signed. The answer is the countersigned receipt; a retry of a stored submission gets the same receipt with 200.",
    params(("id" = shared::ids::FormId, Path, description = "The form")), request_body = shared::api::consent::SubmitRequest,
    responses(
        (status = 201, description = "Stored", body = shared::api::consent::SubmitResponse),
        (status = 200, description = "Stored before (a retry)", body = shared::api::consent::SubmitResponse),
        (status = 403, description = "`forbidden`: the page's origin may not embed the form", body = shared::api::error::ApiError),
        (status = 409, description = "`conflict`: another submission has this receipt id", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: the answers or the statement do not fit the form", body = shared::api::error::ApiError),
        (status = 429, description = "`rate_limited`: see `Retry-After`", body = shared::api::error::ApiError),
    ))]
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

#[utoipa::path(post, path = "/public/receipts/verify", tag = "public", summary = "Verify a receipt",
    request_body = shared::consent::SignedReceipt,
    responses(
        (status = 200, description = "Whether it verifies, and why not", body = shared::api::consent::ReceiptVerification),
        (status = 429, description = "`rate_limited`: see `Retry-After`", body = shared::api::error::ApiError),
    ))]
async fn verify(
    State(state): State<AppState>,
    AppJson(receipt): AppJson<SignedReceipt>,
) -> AppResult<Json<ReceiptVerification>> {
    Ok(Json(service::verify_receipt(&state, &receipt).await?))
}

#[utoipa::path(post, path = "/public/consents/status", tag = "public", summary = "A consent's purposes",
    request_body = shared::api::consent::ConsentTokenRequest,
    responses(
        (status = 200, description = "The consent behind the receipt", body = shared::api::consent::ConsentStatus),
        (status = 404, description = "`not_found`: no such receipt, or a wrong token", body = shared::api::error::ApiError),
        (status = 429, description = "`rate_limited`: see `Retry-After`", body = shared::api::error::ApiError),
    ))]
async fn status(
    State(state): State<AppState>,
    AppJson(req): AppJson<ConsentTokenRequest>,
) -> AppResult<Json<ConsentStatus>> {
    Ok(Json(withdrawal::status(&state, &req).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/public/consents/withdraw", tag = "public", summary = "Withdraw consent",
    request_body = shared::api::consent::ConsentTokenRequest,
    responses(
        (status = 200, description = "The signed receipt of the withdrawal", body = shared::api::consent::WithdrawalReceipt),
        (status = 404, description = "`not_found`: no such receipt, or a wrong token", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: no purposes, or purposes the consent does not have", body = shared::api::error::ApiError),
        (status = 429, description = "`rate_limited`: see `Retry-After`", body = shared::api::error::ApiError),
    ))]
async fn withdraw(
    State(state): State<AppState>,
    client: Origin,
    AppJson(req): AppJson<ConsentTokenRequest>,
) -> AppResult<Json<WithdrawalReceipt>> {
    Ok(Json(withdrawal::withdraw(&state, &req, &client).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/records/{id}/consent", tag = "records", summary = "A record's consent",
    params(("id" = shared::ids::RecordId, Path, description = "The record")),
    responses(
        (status = 200, description = "What the consent covers and what was withdrawn, by purpose", body = shared::api::consent::ConsentStatus),
        (status = 404, description = "`not_found`: no such record in the caller's reach", body = shared::api::error::ApiError),
    ))]
async fn record_consent(
    State(state): State<AppState>,
    Caller(caller): Caller,
    AppPath(id): AppPath<RecordId>,
) -> AppResult<Json<ConsentStatus>> {
    Ok(Json(
        withdrawal::status_of_record(&state, &caller, id).await?,
    ))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/records/{id}/withdrawals", tag = "records", summary = "Record a customer's withdrawal",
    description = "At the customer's request (in person, by phone), with their signature or a stated reason; signed and receipted like the customer's own.",
    params(("id" = shared::ids::RecordId, Path, description = "The record")),
    request_body = shared::api::consent::RecordWithdrawalRequest,
    responses(
        (status = 200, description = "The signed receipt of the withdrawal", body = shared::api::consent::WithdrawalReceipt),
        (status = 404, description = "`not_found`: no such record in the caller's reach", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: no purposes, purposes not given, or neither signature nor reason", body = shared::api::error::ApiError),
    ))]
async fn record_withdrawal(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<RecordId>,
    AppJson(req): AppJson<RecordWithdrawalRequest>,
) -> AppResult<Json<WithdrawalReceipt>> {
    Ok(Json(
        withdrawal::record_for_customer(&state, &caller, &origin, id, &req).await?,
    ))
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    published_keys,
    submit,
    verify,
    status,
    withdraw,
    record_consent,
    record_withdrawal
))]
pub struct ApiDoc;
