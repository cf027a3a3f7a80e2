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

async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> AppResult<Json<Vec<DeviceInfo>>> {
    Ok(Json(devices::list(&state, &caller).await?))
}

async fn revoke(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<DeviceId>,
) -> AppResult<Json<DeviceInfo>> {
    Ok(Json(devices::revoke(&state, &caller, &origin, id).await?))
}

async fn outbox_key(
    State(state): State<AppState>,
    Caller(caller): Caller,
    AppPath(id): AppPath<DeviceId>,
) -> AppResult<Json<OutboxKey>> {
    Ok(Json(devices::outbox_key(&state, &caller, id).await?))
}

#[tracing::instrument(skip_all)]
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
