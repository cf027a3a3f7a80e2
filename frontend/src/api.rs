//! A typed client of the Consentry HTTP API: one method per endpoint, one error type.
//!
//! Requests go to the page's own origin and carry the session cookie. Every
//! state-changing request also carries the session's CSRF token in
//! [`CSRF_HEADER`]. Any failure, including a network error or a body that is not the
//! API's error shape, comes back as an [`ApiError`]. The retention endpoints are in
//! `api/retention.rs`, those of withdrawals staff record in `api/withdrawals.rs`,
//! those of governed exports in `api/exports.rs`, those of alerts in `api/alerts.rs`,
//! those of imports from spreadsheets in `api/imports.rs`, those of the compliance
//! dashboard and reports in `api/compliance.rs` and those of backups in
//! `api/backups.rs`.

mod alerts;
mod backups;
mod compliance;
mod exports;
mod imports;
mod requests;
mod retention;
mod withdrawals;

pub use compliance::{
    assessment_href, compliance_query_string, processing_href, report_document_href, DocumentFormat,
};
pub use imports::{report_href, OnProgress, ReportFormat};

use gloo_net::http::{Method, RequestBuilder, Response};
use serde::{de::DeserializeOwned, Serialize};
use shared::api::assignments::{AssignableForm, AssignedForm, AssignmentBoard, FormAssignments};
use shared::api::audit::{AuditActor, AuditPage, AuditVerification};
use shared::api::auth::{
    ChangePasswordRequest, SessionInfo, SignInRequest, TotpDisableRequest, TotpEnableRequest,
    TotpSetup, CSRF_HEADER,
};
use shared::api::conflicts::{ConflictList, ConflictResolved, ResolveConflict};
use shared::api::error::{ApiError, ErrorCode};
use shared::api::forms::{
    CheckAnswersRequest, CreateFormRequest, FormDetail, FormSummary, PublishRequest,
    SaveDraftRequest, VersionDetail, VersionSummary,
};
use shared::api::records::{
    LookupRequest, RecordForm, RecordPage, RecordPeople, RecordView, RevealRequest, RevealResponse,
};
use shared::api::sync::{DeviceInfo, OutboxKey, RegisterDevice, SyncBatch, SyncResponse};
use shared::api::system::VersionInfo;
use shared::api::users::{
    AssignRecordRequest, AssignRecordResponse, CreateUserRequest, IssuedPassword, TeamRequest,
    TeamSummary, UpdateUserRequest, UserSummary,
};
use shared::api::API_PREFIX;
use shared::audit::AuditHead;
use shared::i18n::Locale;
use web_sys::{RequestCredentials, RequestMode};

use crate::i18n::EN;

/// What every request needs to know: the UI language and, when signed in, the CSRF token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    locale: Locale,
    csrf_token: Option<String>,
}

impl ApiClient {
    /// A client that asks for messages in `locale` and sends `csrf_token` when present.
    #[must_use]
    pub fn new(locale: Locale, csrf_token: Option<String>) -> Self {
        Self { locale, csrf_token }
    }

    /// `GET /api/v1/system/version`.
    pub async fn version(&self) -> Result<VersionInfo, ApiError> {
        self.fetch(Method::GET, "/system/version", None::<&()>)
            .await
    }

    /// `GET /api/v1/auth/session`: the current session; `unauthenticated` when signed out.
    pub async fn session(&self) -> Result<SessionInfo, ApiError> {
        self.fetch(Method::GET, "/auth/session", None::<&()>).await
    }

    /// `POST /api/v1/auth/login`: `totp_required` when the account needs a code too.
    pub async fn login(&self, req: &SignInRequest) -> Result<SessionInfo, ApiError> {
        self.fetch(Method::POST, "/auth/login", Some(req)).await
    }

    /// `POST /api/v1/auth/logout`.
    pub async fn logout(&self) -> Result<(), ApiError> {
        self.send(Method::POST, "/auth/logout", None::<&()>)
            .await
            .map(drop)
    }

    /// `POST /api/v1/auth/password`: returns the session with the flag cleared.
    pub async fn change_password(
        &self,
        req: &ChangePasswordRequest,
    ) -> Result<SessionInfo, ApiError> {
        self.fetch(Method::POST, "/auth/password", Some(req)).await
    }

    /// `GET /api/v1/forms[?status=archived]`: active forms, or archived ones.
    pub async fn forms(&self, archived: bool) -> Result<Vec<FormSummary>, ApiError> {
        let path = if archived {
            "/forms?status=archived"
        } else {
            "/forms"
        };
        self.fetch(Method::GET, path, None::<&()>).await
    }

    /// `POST /api/v1/forms`.
    pub async fn create_form(&self, req: &CreateFormRequest) -> Result<FormDetail, ApiError> {
        self.fetch(Method::POST, "/forms", Some(req)).await
    }

    /// `GET /api/v1/forms/{id}`.
    pub async fn form(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<FormDetail, ApiError> {
        self.fetch(Method::GET, &form_path(id, ""), None::<&()>)
            .await
    }

    /// `PUT /api/v1/forms/{id}/draft`: `conflict` when someone else saved in between.
    pub async fn save_draft(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        req: &SaveDraftRequest,
    ) -> Result<FormDetail, ApiError> {
        self.fetch(Method::PUT, &form_path(id, "/draft"), Some(req))
            .await
    }

    /// `POST /api/v1/forms/{id}/duplicate`.
    pub async fn duplicate_form(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<FormDetail, ApiError> {
        self.fetch(Method::POST, &form_path(id, "/duplicate"), None::<&()>)
            .await
    }

    /// `POST /api/v1/forms/{id}/archive`.
    pub async fn archive_form(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<FormSummary, ApiError> {
        self.fetch(Method::POST, &form_path(id, "/archive"), None::<&()>)
            .await
    }

    /// `POST /api/v1/forms/{id}/restore`.
    pub async fn restore_form(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<FormSummary, ApiError> {
        self.fetch(Method::POST, &form_path(id, "/restore"), None::<&()>)
            .await
    }

    /// `POST /api/v1/forms/{id}/publish`.
    pub async fn publish_form(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        req: &PublishRequest,
    ) -> Result<VersionDetail, ApiError> {
        self.fetch(Method::POST, &form_path(id, "/publish"), Some(req))
            .await
    }

    /// `GET /api/v1/forms/{id}/versions`: newest first.
    pub async fn form_versions(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<Vec<VersionSummary>, ApiError> {
        self.fetch(Method::GET, &form_path(id, "/versions"), None::<&()>)
            .await
    }

    /// `GET /api/v1/forms/{id}/versions/{number}`.
    pub async fn form_version(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        number: i64,
    ) -> Result<VersionDetail, ApiError> {
        let path = form_path(id, &format!("/versions/{number}"));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `GET /api/v1/public/forms/{id}`: the latest version of an active form.
    pub async fn public_form(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<VersionDetail, ApiError> {
        let path = format!("/public/forms/{}", path_segment(id));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `POST /api/v1/public/forms/{id}/versions/{number}/check`: `validation_failed` with
    /// issues per field when the server disagrees with the answers.
    pub async fn check_answers(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        number: i64,
        req: &CheckAnswersRequest,
    ) -> Result<(), ApiError> {
        let path = format!("/public/forms/{}/versions/{number}/check", path_segment(id));
        self.send(Method::POST, &path, Some(req)).await.map(drop)
    }

    /// `GET /api/v1/form-assignments` (admins, managers): forms, their assignments within
    /// the caller's reach, and whom the caller may give forms to.
    pub async fn assignment_board(&self) -> Result<AssignmentBoard, ApiError> {
        self.fetch(Method::GET, "/form-assignments", None::<&()>)
            .await
    }

    /// `PUT /api/v1/form-assignments/{id}`: replaces the form's assignments within reach;
    /// `forbidden` with the ids per field for a manager naming others.
    pub async fn assign_form(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        req: &FormAssignments,
    ) -> Result<AssignableForm, ApiError> {
        let path = format!("/form-assignments/{}", path_segment(id));
        self.fetch(Method::PUT, &path, Some(req)).await
    }

    /// `GET /api/v1/my-forms` (staff, managers): the forms assigned to the caller.
    pub async fn my_forms(&self) -> Result<Vec<AssignedForm>, ApiError> {
        self.fetch(Method::GET, "/my-forms", None::<&()>).await
    }

    /// `POST /api/v1/devices`: registers this browser's device key (staff and managers).
    pub async fn register_device(&self, req: &RegisterDevice) -> Result<DeviceInfo, ApiError> {
        self.fetch(Method::POST, "/devices", Some(req)).await
    }

    /// `GET /api/v1/devices`: the caller's devices.
    pub async fn devices(&self) -> Result<Vec<DeviceInfo>, ApiError> {
        self.fetch(Method::GET, "/devices", None::<&()>).await
    }

    /// `GET /api/v1/devices/{id}/outbox-key`: the server's share of the key that seals
    /// the device's outbox; `forbidden` once the device is revoked.
    pub async fn outbox_key(
        &self,
        device_id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<OutboxKey, ApiError> {
        let path = format!("/devices/{}/outbox-key", path_segment(device_id));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `POST /api/v1/sync`: at most `MAX_SYNC_BATCH` records; `forbidden` once the device
    /// is revoked, `not_found` when it is not the caller's.
    pub async fn sync(&self, batch: &SyncBatch) -> Result<SyncResponse, ApiError> {
        self.fetch(Method::POST, "/sync", Some(batch)).await
    }

    /// `POST /api/v1/auth/totp/setup`: a new secret, in effect once confirmed.
    pub async fn totp_setup(&self) -> Result<TotpSetup, ApiError> {
        self.fetch(Method::POST, "/auth/totp/setup", None::<&()>)
            .await
    }

    /// `POST /api/v1/auth/totp/enable`.
    pub async fn totp_enable(&self, req: &TotpEnableRequest) -> Result<(), ApiError> {
        self.send(Method::POST, "/auth/totp/enable", Some(req))
            .await
            .map(drop)
    }

    /// `POST /api/v1/auth/totp/disable`.
    pub async fn totp_disable(&self, req: &TotpDisableRequest) -> Result<(), ApiError> {
        self.send(Method::POST, "/auth/totp/disable", Some(req))
            .await
            .map(drop)
    }

    /// `GET /api/v1/users` (admins).
    pub async fn users(&self) -> Result<Vec<UserSummary>, ApiError> {
        self.fetch(Method::GET, "/users", None::<&()>).await
    }

    /// `POST /api/v1/users`: the answer holds the one-time password, once.
    pub async fn create_user(&self, req: &CreateUserRequest) -> Result<IssuedPassword, ApiError> {
        self.fetch(Method::POST, "/users", Some(req)).await
    }

    /// `PUT /api/v1/users/{id}`.
    pub async fn update_user(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        req: &UpdateUserRequest,
    ) -> Result<UserSummary, ApiError> {
        let path = format!("/users/{}", path_segment(id));
        self.fetch(Method::PUT, &path, Some(req)).await
    }

    /// `POST /api/v1/users/{id}/disable` or `/enable`.
    pub async fn set_user_disabled(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        disabled: bool,
    ) -> Result<UserSummary, ApiError> {
        let action = if disabled { "disable" } else { "enable" };
        let path = format!("/users/{}/{action}", path_segment(id));
        self.fetch(Method::POST, &path, None::<&()>).await
    }

    /// `POST /api/v1/users/{id}/reset-password`: a new one-time password, once.
    pub async fn reset_password(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<IssuedPassword, ApiError> {
        let path = format!("/users/{}/reset-password", path_segment(id));
        self.fetch(Method::POST, &path, None::<&()>).await
    }

    /// `GET /api/v1/teams` (admins).
    pub async fn teams(&self) -> Result<Vec<TeamSummary>, ApiError> {
        self.fetch(Method::GET, "/teams", None::<&()>).await
    }

    /// `POST /api/v1/teams`, or `PUT /api/v1/teams/{id}` when renaming.
    pub async fn save_team(
        &self,
        id: Option<&shared::ids::TeamId>,
        req: &TeamRequest,
    ) -> Result<TeamSummary, ApiError> {
        match id {
            Some(id) => {
                let path = format!("/teams/{}", path_segment(id));
                self.fetch(Method::PUT, &path, Some(req)).await
            }
            None => self.fetch(Method::POST, "/teams", Some(req)).await,
        }
    }

    /// `GET /api/v1/records?…`: the caller's records, newest first, masked by the server.
    pub async fn records(&self, params: &[(&str, String)]) -> Result<RecordPage, ApiError> {
        let path = format!("/records{}", query_string(params));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `GET /api/v1/records/forms`: the forms of the caller's records, by title.
    pub async fn record_forms(&self) -> Result<Vec<RecordForm>, ApiError> {
        self.fetch(Method::GET, "/records/forms", None::<&()>).await
    }

    /// `GET /api/v1/records/people`: the teams and owners of the caller's records, by
    /// name, for the list's filter.
    pub async fn record_people(&self) -> Result<RecordPeople, ApiError> {
        self.fetch(Method::GET, "/records/people", None::<&()>)
            .await
    }

    /// `POST /api/v1/records/lookup`.
    pub async fn lookup_records(&self, req: &LookupRequest) -> Result<RecordPage, ApiError> {
        self.fetch(Method::POST, "/records/lookup", Some(req)).await
    }

    /// `POST /api/v1/records/{id}/reveal`: audited; `forbidden` for roles that may not.
    pub async fn reveal(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        req: &RevealRequest,
    ) -> Result<RevealResponse, ApiError> {
        let path = format!("/records/{}/reveal", path_segment(id));
        self.fetch(Method::POST, &path, Some(req)).await
    }

    /// `POST /api/v1/records/{id}/assign`.
    pub async fn assign_record(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        req: &AssignRecordRequest,
    ) -> Result<AssignRecordResponse, ApiError> {
        let path = format!("/records/{}/assign", path_segment(id));
        self.fetch(Method::POST, &path, Some(req)).await
    }

    /// `GET /api/v1/records/{id}`: one record with its version and open conflicts.
    pub async fn record(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<RecordView, ApiError> {
        let path = format!("/records/{}", path_segment(id));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `GET /api/v1/conflicts`: open edit conflicts the caller may resolve.
    pub async fn conflicts(&self) -> Result<ConflictList, ApiError> {
        self.fetch(Method::GET, "/conflicts", None::<&()>).await
    }

    /// `POST /api/v1/conflicts/{id}/resolve`.
    pub async fn resolve_conflict(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        req: &ResolveConflict,
    ) -> Result<ConflictResolved, ApiError> {
        let path = format!("/conflicts/{}/resolve", path_segment(id));
        self.fetch(Method::POST, &path, Some(req)).await
    }

    /// `GET /api/v1/audit?…`: entries newest first.
    pub async fn audit(&self, params: &[(&str, String)]) -> Result<AuditPage, ApiError> {
        let path = format!("/audit{}", query_string(params));
        self.fetch(Method::GET, &path, None::<&()>).await
    }

    /// `GET /api/v1/audit/actors`: the accounts acting in the log, by name.
    pub async fn audit_actors(&self) -> Result<Vec<AuditActor>, ApiError> {
        self.fetch(Method::GET, "/audit/actors", None::<&()>).await
    }

    /// `GET /api/v1/audit/verify`.
    pub async fn verify_audit(&self) -> Result<AuditVerification, ApiError> {
        self.fetch(Method::GET, "/audit/verify", None::<&()>).await
    }

    /// `POST /api/v1/audit/heads`: `None` when the log is empty.
    pub async fn sign_audit_head(&self) -> Result<Option<AuditHead>, ApiError> {
        self.fetch(Method::POST, "/audit/heads", None::<&()>).await
    }

    /// `GET /api/v1/openapi.json`: the API's OpenAPI 3.1 document, read as plain JSON
    /// (the console only lists it; see `pages/api_docs.rs`).
    pub async fn openapi(&self) -> Result<serde_json::Value, ApiError> {
        self.fetch(Method::GET, "/openapi.json", None::<&()>).await
    }

    /// Sends a request and decodes a JSON answer.
    pub(crate) async fn fetch<B, T>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, ApiError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let response = self.send(method, path, body).await?;
        // A 2xx answer that is not the expected shape: a server fault as far as we can tell.
        response
            .json::<T>()
            .await
            .map_err(|_| local_error(ErrorCode::Internal))
    }

    /// Sends a request; a non-2xx answer becomes its [`ApiError`].
    async fn send<B>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<Response, ApiError>
    where
        B: Serialize + ?Sized,
    {
        let builder = self.start(method, path);
        let request = match body {
            Some(body) => builder.json(body),
            None => builder.build(),
        };
        Self::deliver(request).await
    }

    /// Sends `body` as it is (a file, or text), labelled `content_type`, and decodes a
    /// JSON answer: for endpoints that read a file rather than JSON.
    pub(crate) async fn fetch_raw<T>(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: wasm_bindgen::JsValue,
    ) -> Result<T, ApiError>
    where
        T: DeserializeOwned,
    {
        let request = self
            .start(method, path)
            .header("Content-Type", content_type)
            .body(body);
        Self::deliver(request)
            .await?
            .json::<T>()
            .await
            .map_err(|_| local_error(ErrorCode::Internal))
    }

    /// A request to the API with the headers every call carries: the language and, on a
    /// state-changing request, the session's CSRF token.
    fn start(&self, method: Method, path: &str) -> RequestBuilder {
        let state_changing = ![Method::GET, Method::HEAD, Method::OPTIONS].contains(&method);
        let mut builder = RequestBuilder::new(&format!("{API_PREFIX}{path}"))
            .method(method)
            .mode(RequestMode::SameOrigin)
            // Same-origin only: the session cookie is sent, and never to another origin.
            .credentials(RequestCredentials::SameOrigin)
            .header("Accept", "application/json")
            .header("Accept-Language", self.locale.tag());
        if state_changing {
            if let Some(token) = &self.csrf_token {
                builder = builder.header(CSRF_HEADER, token);
            }
        }
        builder
    }

    /// Sends a request built by [`ApiClient::start`]; a non-2xx answer becomes its
    /// [`ApiError`].
    async fn deliver(
        request: Result<gloo_net::http::Request, gloo_net::Error>,
    ) -> Result<Response, ApiError> {
        let request = request.map_err(|_| local_error(ErrorCode::BadRequest))?;
        let response = request
            .send()
            .await
            .map_err(|_| local_error(ErrorCode::Unavailable))?;
        if response.ok() {
            Ok(response)
        } else {
            Err(error_from(&response).await)
        }
    }
}

/// `/forms/{id}{rest}` with the id escaped for a path segment.
fn form_path(id: &(impl std::fmt::Display + ?Sized), rest: &str) -> String {
    format!("/forms/{}{rest}", path_segment(id))
}

/// `?name=value&…` of the non-empty values, escaped; empty when there are none.
#[must_use]
pub fn query_string(params: &[(&str, String)]) -> String {
    let pairs: Vec<String> = params
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", path_segment(value)))
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

/// `text` escaped for use as one path segment.
fn path_segment(text: &(impl std::fmt::Display + ?Sized)) -> String {
    String::from(js_sys::encode_uri_component(&text.to_string()))
}

/// Decodes the API's error body, or makes one up from the status when there is none.
async fn error_from(response: &Response) -> ApiError {
    let status = response.status();
    match response.json::<ApiError>().await {
        Ok(error) => error,
        Err(_) => local_error(code_for_status(status)),
    }
}

/// An error made up in the browser: generic, so the UI shows its code's sentence in the
/// user's language (the English one is the message, for logs).
pub fn local_error(code: ErrorCode) -> ApiError {
    ApiError::generic(code, EN.error(code))
}

/// The error code that best describes an HTTP status without an API error body.
#[must_use]
pub fn code_for_status(status: u16) -> ErrorCode {
    match status {
        400 => ErrorCode::BadRequest,
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        408 => ErrorCode::Timeout,
        409 => ErrorCode::Conflict,
        410 => ErrorCode::Gone,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        422 => ErrorCode::ValidationFailed,
        429 => ErrorCode::RateLimited,
        // Proxies answer 502 and 504 when the server is down or restarting.
        502..=504 => ErrorCode::Unavailable,
        _ => ErrorCode::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_without_a_body_map_to_codes() {
        assert_eq!(code_for_status(401), ErrorCode::Unauthenticated);
        assert_eq!(code_for_status(410), ErrorCode::Gone);
        assert_eq!(code_for_status(502), ErrorCode::Unavailable);
        assert_eq!(code_for_status(500), ErrorCode::Internal);
        assert_eq!(code_for_status(418), ErrorCode::Internal);
    }
}
