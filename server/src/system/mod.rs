//! Service information: version, liveness and readiness.

use axum::{extract::State, http::Method, http::StatusCode, Json};
use shared::api::system::{HealthStatus, VersionInfo};

use crate::{
    auth::{ApiRoutes, Permission},
    state::AppState,
};

/// The API version of the payloads in `shared::api`.
pub const API_VERSION: u32 = 1;

/// The routes of this feature under the API prefix.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().route(Method::GET, "/system/version", Permission::Public, version)
}

#[utoipa::path(get, path = "/system/version", tag = "system", summary = "What is running",
    responses((status = 200, description = "Name, version and database", body = shared::api::system::VersionInfo)))]
async fn version(State(state): State<AppState>) -> Json<VersionInfo> {
    Json(VersionInfo {
        name: "Consentry".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        api_version: API_VERSION,
        database: state.db.kind(),
    })
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> Json<HealthStatus> {
    Json(HealthStatus {
        status: "ok".to_owned(),
        database: None,
        writer: None,
    })
}

/// `GET /readyz`: the process can serve requests: its database answers and its
/// submission writer runs.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<HealthStatus>) {
    let database = state.db.is_ready().await;
    let writer = state.writer.is_running();
    let ready = database && writer;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(HealthStatus {
            status: if ready { "ok" } else { "unavailable" }.to_owned(),
            database: Some(database),
            writer: Some(writer),
        }),
    )
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(version))]
pub struct ApiDoc;
