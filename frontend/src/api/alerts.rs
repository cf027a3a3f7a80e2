//! The endpoints of [`ApiClient`] for alerts on unusual behaviour: the list (readers of
//! the audit log), handling one, and the rules' settings (admins).

use gloo_net::http::Method;
use shared::api::alerts::{AlertEntry, AlertList, AlertSettings, HandleAlert};
use shared::api::error::ApiError;

use super::{path_segment, ApiClient};

impl ApiClient {
    /// `GET /api/v1/alerts?status=open` or `?status=all`: newest first, with the number
    /// of open alerts whatever the filter.
    pub async fn alerts(&self, all: bool) -> Result<AlertList, ApiError> {
        let path = if all {
            "/alerts?status=all"
        } else {
            "/alerts?status=open"
        };
        self.fetch(Method::GET, path, None::<&()>).await
    }

    /// `POST /api/v1/alerts/{id}/handle` (admins): `validation_failed` under `note`.
    pub async fn handle_alert(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        req: &HandleAlert,
    ) -> Result<AlertEntry, ApiError> {
        let path = format!("/alerts/{}/handle", path_segment(id));
        self.fetch(Method::POST, &path, Some(req)).await
    }

    /// `POST /api/v1/alerts/{id}/lift` (admins): lifts the export suspension the alert
    /// placed (`already_resolved` when none is in force).
    pub async fn lift_alert_suspension(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<AlertEntry, ApiError> {
        let path = format!("/alerts/{}/lift", path_segment(id));
        self.fetch(Method::POST, &path, Some(&serde_json::json!({})))
            .await
    }

    /// `GET /api/v1/alerts/settings` (admins). The webhook's secret is never returned,
    /// only whether one is set.
    pub async fn alert_settings(&self) -> Result<AlertSettings, ApiError> {
        self.fetch(Method::GET, "/alerts/settings", None::<&()>)
            .await
    }

    /// `PUT /api/v1/alerts/settings` (admins): `validation_failed` under the field's name
    /// (`webhook_url`, `webhook_secret`, `email_to`, `work_start_hour`, …).
    pub async fn save_alert_settings(
        &self,
        settings: &AlertSettings,
    ) -> Result<AlertSettings, ApiError> {
        self.fetch(Method::PUT, "/alerts/settings", Some(settings))
            .await
    }
}
