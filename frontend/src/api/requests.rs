//! The endpoints of [`ApiClient`] for data-subject requests (the register and the work
//! on one request) and a record's history. The answer package is fetched by the
//! browser itself from `PackageTicket::download_path` (a plain link, so the file is
//! saved rather than read into memory).

use gloo_net::http::Method;
use shared::api::error::ApiError;
use shared::api::records::RecordHistory;
use shared::api::requests::{
    Assignee, Correction, CustomerRequest, ErasureOrder, NewRequest, RequestAction, RequestDetail,
    RequestFiled, RequestList,
};

use super::{path_segment, ApiClient};

impl ApiClient {
    /// `GET /api/v1/requests?status=open|closed|all` (open by default).
    pub async fn requests(&self, status: &str) -> Result<RequestList, ApiError> {
        let path = format!("/requests?status={}", path_segment(status));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `POST /api/v1/requests`: registers a request received outside the app;
    /// `validation_failed` per field (`requester.name`, `requester.contact`, `details`,
    /// `received_on`, `identifiers[i].value`).
    pub async fn create_request(&self, req: &NewRequest) -> Result<RequestDetail, ApiError> {
        self.fetch(Method::POST, "/requests", Some(req)).await
    }

    /// `GET /api/v1/requests/{id}`.
    pub async fn request(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<RequestDetail, ApiError> {
        let path = format!("/requests/{}", path_segment(id));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `POST /api/v1/requests/{id}/actions`: one step; the request as it now stands.
    /// `validation_failed` names `reason`, `note`, `text` or `identifier.value`;
    /// `conflict` when the step does not fit the request's status.
    pub async fn request_action(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        action: &RequestAction,
    ) -> Result<RequestDetail, ApiError> {
        let path = format!("/requests/{}/actions", path_segment(id));
        self.fetch(Method::POST, &path, Some(action)).await
    }

    /// `POST /api/v1/requests/{id}/corrections`: `validation_failed` under the field's
    /// key when the new value fails the form's rules.
    pub async fn correct_for_request(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        correction: &Correction,
    ) -> Result<RequestDetail, ApiError> {
        let path = format!("/requests/{}/corrections", path_segment(id));
        self.fetch(Method::POST, &path, Some(correction)).await
    }

    /// `POST /api/v1/requests/{id}/erasure`: records under a legal hold stay, and say
    /// why in `records[].holds`.
    pub async fn erase_for_request(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        order: &ErasureOrder,
    ) -> Result<RequestDetail, ApiError> {
        let path = format!("/requests/{}/erasure", path_segment(id));
        self.fetch(Method::POST, &path, Some(order)).await
    }

    /// `POST /api/v1/requests/{id}/package`: prepares a one-time download of the answer
    /// package (`package.download_path`).
    pub async fn prepare_package(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<RequestDetail, ApiError> {
        let path = format!("/requests/{}/package", path_segment(id));
        self.fetch(Method::POST, &path, None::<&()>).await
    }

    /// `GET /api/v1/requests/assignees`.
    pub async fn request_assignees(&self) -> Result<Vec<Assignee>, ApiError> {
        self.fetch(Method::GET, "/requests/assignees", None::<&()>)
            .await
    }

    /// `GET /api/v1/records/{id}/history`: every version, oldest first, masked by role.
    pub async fn record_history(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<RecordHistory, ApiError> {
        let path = format!("/records/{}/history", path_segment(id));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `POST /api/v1/public/requests`: a customer files a request with their receipt's
    /// token; `not_found` when the token does not match.
    pub async fn file_request(&self, req: &CustomerRequest) -> Result<RequestFiled, ApiError> {
        self.fetch(Method::POST, "/public/requests", Some(req))
            .await
    }
}
