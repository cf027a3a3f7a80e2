//! `/api/v1/devices` and `/api/v1/sync`: thin wrappers over [`super::service`].

use axum::{extract::State, http::Method, http::StatusCode, Json};
use shared::api::sync::{
    DeviceInfo, OutboxKey, Received, RegisterDevice, SyncBatch, MAX_SYNC_BODY_BYTES,
};

use shared::ids::DeviceId;

use super::{devices, service};
use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::AppResult,
    extract::Origin,
    extract::{AppJson, AppPath, Lenient, LenientJson, RequestLocale},
    state::AppState,
};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(
            Method::POST,
            "/devices",
            Permission::CollectRecords,
            register,
        )
        .route(Method::GET, "/devices", Permission::SignedIn, list)
        .route(
            Method::POST,
            "/devices/{id}/revoke",
            Permission::SignedIn,
            revoke,
        )
        .route(
            Method::GET,
            "/devices/{id}/outbox-key",
            Permission::CollectRecords,
            outbox_key,
        )
        .route_with_body_limit(
            Method::POST,
            "/sync",
            Permission::CollectRecords,
            sync,
            MAX_SYNC_BODY_BYTES,
        )
}

#[utoipa::path(post, path = "/devices", tag = "sync", summary = "Register this device's key",
    request_body = shared::api::sync::RegisterDevice,
    responses(
        (status = 201, description = "Registered", body = shared::api::sync::DeviceInfo),
        (status = 409, description = "`conflict`: this key is already registered", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: the name is blank or the key is not an acceptable ed25519 key", body = shared::api::error::ApiError),
    ))]
async fn register(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(req): AppJson<RegisterDevice>,
) -> AppResult<(StatusCode, Json<DeviceInfo>)> {
    Ok((
        StatusCode::CREATED,
        Json(devices::register(&state, &caller, &origin, req).await?),
    ))
}

#[utoipa::path(get, path = "/devices", tag = "sync", summary = "List devices",
    description = "The caller's own devices; admins see every device.",
    responses((status = 200, description = "The devices", body = Vec<shared::api::sync::DeviceInfo>)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> AppResult<Json<Vec<DeviceInfo>>> {
    Ok(Json(devices::list(&state, &caller).await?))
}

#[utoipa::path(post, path = "/devices/{id}/revoke", tag = "sync", summary = "Revoke a device",
    params(("id" = shared::ids::DeviceId, Path, description = "The device")),
    responses((status = 200, description = "Revoked: it can no longer sync", body = shared::api::sync::DeviceInfo)))]
async fn revoke(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<DeviceId>,
) -> AppResult<Json<DeviceInfo>> {
    Ok(Json(devices::revoke(&state, &caller, &origin, id).await?))
}

#[utoipa::path(get, path = "/devices/{id}/outbox-key", tag = "sync", summary = "The server's share of the outbox key",
    params(("id" = shared::ids::DeviceId, Path, description = "The device")),
    responses((status = 200, description = "For the device's owner only, never once revoked", body = shared::api::sync::OutboxKey)))]
async fn outbox_key(
    State(state): State<AppState>,
    Caller(caller): Caller,
    AppPath(id): AppPath<DeviceId>,
) -> AppResult<Json<OutboxKey>> {
    Ok(Json(devices::outbox_key(&state, &caller, id).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/sync", tag = "sync", summary = "Send records collected offline",
    description = "At most 1,000 records (32 MiB). Each record gets its own answer, in request order; a malformed record is refused alone.",
    request_body = shared::api::sync::SyncBatch,
    responses(
        (status = 200, description = "One result per record", body = shared::api::sync::SyncResponse),
        (status = 404, description = "`not_found`: the device is not registered to the caller", body = shared::api::error::ApiError),
        (status = 409, description = "`conflict`: the device was revoked", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: too many records, or an unknown device", body = shared::api::error::ApiError),
    ))]
async fn sync(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    LenientJson(batch): LenientJson<SyncBatch<Received>>,
) -> AppResult<super::answer::SyncAnswer> {
    service::sync(&state, &caller, &origin, locale, batch).await
}

/// A batch parses as a whole, or record by record: one malformed record is refused on
/// its own and the rest of the batch is still stored.
impl Lenient for SyncBatch<Received> {
    type Strict = SyncBatch;
    fn from_strict(strict: SyncBatch) -> Self {
        strict.into()
    }
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(register, list, revoke, outbox_key, sync))]
pub struct ApiDoc;
