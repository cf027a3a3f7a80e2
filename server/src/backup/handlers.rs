//! `/system/backups`: the backups' status, and "back up now".

use axum::{extract::State, http::Method, http::StatusCode, Json};
use shared::{
    api::backups::{BackupRequested, BackupStatus},
    ids::BackupId,
};

use crate::{
    audit::{self, Event},
    auth::{ApiRoutes, Caller, Permission},
    error::AppResult,
    extract::Origin,
    state::AppState,
};

/// The routes of this feature under the API prefix.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(
            Method::GET,
            "/system/backups",
            Permission::ViewBackups,
            status,
        )
        .route(
            Method::POST,
            "/system/backups",
            Permission::ManageBackups,
            request,
        )
}

#[utoipa::path(get, path = "/system/backups", tag = "backups",
    summary = "The backups: settings, the last backup, off-site copy and drill, problems",
    responses((status = 200, body = BackupStatus)))]
async fn status(State(state): State<AppState>) -> AppResult<Json<BackupStatus>> {
    Ok(Json(super::service::status(&state).await?))
}

#[utoipa::path(post, path = "/system/backups", tag = "backups",
    summary = "Make a backup now (one of the servers makes it within seconds)",
    responses((status = 202, body = BackupRequested)))]
async fn request(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
) -> AppResult<(StatusCode, Json<BackupRequested>)> {
    let id = BackupId::from_uuid(uuid::Uuid::now_v7());
    let running = !state.db.backups_in("running").await?.is_empty();
    let queued = state
        .db
        .request_backup(id, caller.user.id, state.clock.now_ms())
        .await?;
    if queued {
        let mut tx = state.db.begin_write().await?;
        audit::record(
            &mut tx,
            &origin,
            Event::new("backup.requested", Some(&caller.user)).target("backup", id),
        )
        .await?;
        tx.commit().await?;
    }
    state.backups.wake();
    Ok((
        StatusCode::ACCEPTED,
        Json(BackupRequested {
            already_running: running || !queued,
        }),
    ))
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(status, request))]
pub struct ApiDoc;
