//! The endpoints of [`ApiClient`] for governed exports: asking for one, the caller's
//! exports and the ledger of everyone's, approval by a second person, cancelling, and
//! the organisation's export settings, and tracing a leaked file back to its export. The
//! file itself is fetched by the browser from `ExportEntry::download_path` (a plain
//! link, so it is saved rather than read into memory, and only once).

use gloo_net::http::Method;
use shared::api::error::ApiError;
use shared::api::exports::{
    ExportDecision, ExportEntry, ExportList, ExportSettings, NewExport, TraceReport,
};

use super::{path_segment, ApiClient};

impl ApiClient {
    /// `GET /api/v1/exports`, or `?all=true` for everyone's (admins, auditors and
    /// privacy officers; the caller's own for other roles): newest first.
    pub async fn exports(&self, all: bool) -> Result<ExportList, ApiError> {
        let path = if all { "/exports?all=true" } else { "/exports" };
        self.fetch(Method::GET, path, None::<&()>).await
    }

    /// `POST /api/v1/exports`: `ready` with a download path, or `awaiting_approval`.
    /// `forbidden` when the role may not export (or not unmasked), `not_found` when no
    /// records of the form are in reach, `validation_failed` under `reason`, `from` or
    /// `to`.
    pub async fn create_export(&self, req: &NewExport) -> Result<ExportEntry, ApiError> {
        self.fetch(Method::POST, "/exports", Some(req)).await
    }

    /// `GET /api/v1/exports/settings` (admins).
    pub async fn export_settings(&self) -> Result<ExportSettings, ApiError> {
        self.fetch(Method::GET, "/exports/settings", None::<&()>)
            .await
    }

    /// `PUT /api/v1/exports/settings` (admins): `validation_failed` under `valid_hours`.
    pub async fn save_export_settings(
        &self,
        settings: &ExportSettings,
    ) -> Result<ExportSettings, ApiError> {
        self.fetch(Method::PUT, "/exports/settings", Some(settings))
            .await
    }

    /// `POST /api/v1/exports/{id}/decision` (admins and privacy officers): `forbidden`
    /// for the person who asked, `already_resolved` when it no longer waits.
    pub async fn decide_export(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
        decision: &ExportDecision,
    ) -> Result<ExportEntry, ApiError> {
        let path = format!("/exports/{}/decision", path_segment(id));
        self.fetch(Method::POST, &path, Some(decision)).await
    }

    /// `POST /api/v1/exports/{id}/cancel`: the caller's own, while it waits or is ready.
    pub async fn cancel_export(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<ExportEntry, ApiError> {
        let path = format!("/exports/{}/cancel", path_segment(id));
        self.fetch(Method::POST, &path, None::<&()>).await
    }

    /// `POST /api/v1/exports/trace` (admins, auditors and privacy officers): the exports
    /// whose marks `body` carries. `body` is a file as the browser holds it (a `File` or
    /// `Blob`, sent without being read into memory here) or pasted text, labelled with
    /// `content_type` (`text/csv`, the XLSX type, or `text/plain`). `payload_too_large`
    /// above 50 MB, `unsupported_media_type` for another kind of file.
    pub async fn trace_export(
        &self,
        content_type: &str,
        body: wasm_bindgen::JsValue,
    ) -> Result<TraceReport, ApiError> {
        self.fetch_raw(Method::POST, "/exports/trace", content_type, body)
            .await
    }
}
