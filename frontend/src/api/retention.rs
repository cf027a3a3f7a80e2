//! The retention endpoints of [`ApiClient`]: what is due, dry runs, runs and their
//! reports, legal holds, and the end of a customer relationship on a record.

use gloo_net::http::Method;
use shared::api::error::ApiError;
use shared::api::records::RecordView;
use shared::api::retention::{
    LegalHold, NewHold, RelationshipEnd, RetentionForecast, RetentionPlan, RunReport, RunSummary,
};

use super::{path_segment, ApiClient};

/// The body of the retention actions that take no input: an empty JSON object.
fn empty() -> serde_json::Map<String, serde_json::Value> {
    serde_json::Map::new()
}

impl ApiClient {
    /// `GET /api/v1/retention/forecast` (admins).
    pub async fn retention_forecast(&self) -> Result<RetentionForecast, ApiError> {
        self.fetch(Method::GET, "/retention/forecast", None::<&()>)
            .await
    }

    /// `POST /api/v1/retention/dry-run`: what a run now would do; changes nothing.
    pub async fn retention_dry_run(&self) -> Result<RetentionPlan, ApiError> {
        self.fetch(Method::POST, "/retention/dry-run", Some(&empty()))
            .await
    }

    /// `GET /api/v1/retention/runs`: newest first.
    pub async fn retention_runs(&self) -> Result<Vec<RunSummary>, ApiError> {
        self.fetch(Method::GET, "/retention/runs", None::<&()>)
            .await
    }

    /// `POST /api/v1/retention/runs`: starts a run (202); `conflict` when one is going.
    pub async fn start_retention_run(&self) -> Result<RunSummary, ApiError> {
        self.fetch(Method::POST, "/retention/runs", Some(&empty()))
            .await
    }

    /// `GET /api/v1/retention/runs/{id}`: the run's report so far.
    pub async fn retention_run(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<RunReport, ApiError> {
        let path = format!("/retention/runs/{}", path_segment(id));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `GET /api/v1/retention/holds`.
    pub async fn legal_holds(&self) -> Result<Vec<LegalHold>, ApiError> {
        self.fetch(Method::GET, "/retention/holds", None::<&()>)
            .await
    }

    /// `POST /api/v1/retention/holds`: `validation_failed` with issues under `reason`,
    /// `ends_on` and `target.*`.
    pub async fn place_hold(&self, req: &NewHold) -> Result<LegalHold, ApiError> {
        self.fetch(Method::POST, "/retention/holds", Some(req))
            .await
    }

    /// `POST /api/v1/retention/holds/{id}/lift`.
    pub async fn lift_hold(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<LegalHold, ApiError> {
        let path = format!("/retention/holds/{}/lift", path_segment(id));
        self.fetch(Method::POST, &path, Some(&empty())).await
    }

    /// `PUT /api/v1/records/{id}/relationship-end`: the record as it is now;
    /// `validation_failed` under `ended_on` for a day in the future or before collection.
    pub async fn end_relationship(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        req: &RelationshipEnd,
    ) -> Result<RecordView, ApiError> {
        let path = format!("/records/{}/relationship-end", path_segment(id));
        self.fetch(Method::PUT, &path, Some(req)).await
    }
}
