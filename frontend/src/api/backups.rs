//! The backup endpoints of [`ApiClient`]: the backups with their off-site copies and
//! restore drills, and asking for a backup now.

use gloo_net::http::Method;
use shared::api::backups::{BackupRequested, BackupStatus};
use shared::api::error::ApiError;

use super::ApiClient;

impl ApiClient {
    /// `GET /api/v1/system/backups` (admins, auditors, privacy officers): the settings,
    /// the last backup, off-site copy and drill, the problems, and the newest backups.
    pub async fn backup_status(&self) -> Result<BackupStatus, ApiError> {
        self.fetch(Method::GET, "/system/backups", None::<&()>)
            .await
    }

    /// `POST /api/v1/system/backups` (admins): asks for a backup now (202); the server
    /// makes it in the background, which `backup_status` shows as `requested`, then
    /// `running`.
    pub async fn request_backup(&self) -> Result<BackupRequested, ApiError> {
        self.fetch(
            Method::POST,
            "/system/backups",
            Some(&serde_json::json!({})),
        )
        .await
    }
}
