//! The endpoints of [`ApiClient`] for imports from spreadsheets: the preview and the
//! commit of a file (multipart uploads through `XMLHttpRequest`, whose upload reports
//! its progress, which `fetch` does not), the history, undo, and the settings. A
//! report is fetched by the browser from [`report_href`] (a plain link, so it is saved
//! rather than read into memory).

use std::rc::Rc;

use gloo_net::http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use shared::api::auth::CSRF_HEADER;
use shared::api::error::{ApiError, ErrorCode};
use shared::api::imports::{
    CommitImport, ImportEntry, ImportList, ImportPreview, ImportRequest, ImportSettings,
};
use shared::api::API_PREFIX;
use shared::i18n::Locale;
use shared::ids::ImportId;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{FormData, ProgressEvent, XmlHttpRequest};

use super::{code_for_status, local_error, path_segment, ApiClient};

/// What an upload tells the page as it goes: the percentage of the file sent.
pub type OnProgress = Rc<dyn Fn(u8)>;

/// The format of an import's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Csv,
    Xlsx,
}

impl ReportFormat {
    /// Its name in the report's query.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}

/// Where the browser downloads an import's report, worded in `locale` (an id is a
/// UUID: nothing in it needs escaping).
#[must_use]
pub fn report_href(id: ImportId, format: ReportFormat, locale: Locale) -> String {
    format!(
        "{API_PREFIX}/imports/{id}/report?format={}&lang={}",
        format.as_str(),
        locale.tag()
    )
}

/// How much of `total` bytes `loaded` is, as a whole percentage (0 while the total is
/// unknown).
#[must_use]
pub fn percent(loaded: f64, total: f64) -> u8 {
    if total <= 0.0 || !loaded.is_finite() || !total.is_finite() {
        return 0;
    }
    let share = (loaded / total * 100.0).floor().clamp(0.0, 100.0);
    // In 0..=100 after the clamp.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let share = share as u8;
    share
}

/// The answer to an upload: `T` from a 2xx JSON body, else the API's error (or one made
/// up from the status when the body is not the error shape). Status 0 is a request that
/// never got an answer.
pub(crate) fn answer_of<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, ApiError> {
    match status {
        0 => Err(local_error(ErrorCode::Unavailable)),
        200..=299 => serde_json::from_str(body).map_err(|_| local_error(ErrorCode::Internal)),
        _ => Err(serde_json::from_str::<ApiError>(body)
            .unwrap_or_else(|_| local_error(code_for_status(status)))),
    }
}

impl ApiClient {
    /// `POST /api/v1/imports/preview` (multipart: `request`, `file`): nothing is written.
    /// `validation_failed` under `file`, `encoding`, `sheet` or `mapping`; `forbidden`
    /// for a manager while admins have not allowed managers to import.
    pub async fn preview_import(
        &self,
        req: &ImportRequest,
        file: &web_sys::File,
        on_progress: OnProgress,
    ) -> Result<ImportPreview, ApiError> {
        self.upload("/imports/preview", req, file, on_progress)
            .await
    }

    /// `POST /api/v1/imports` (multipart: `request`, `file`): 201 with the import.
    /// `validation_failed` under `basis.purposes`, `basis.evidence`, `mapping`, `file`,
    /// `sheet` or `encoding`; `conflict` when problem rows refuse the import.
    pub async fn commit_import(
        &self,
        req: &CommitImport,
        file: &web_sys::File,
        on_progress: OnProgress,
    ) -> Result<ImportEntry, ApiError> {
        self.upload("/imports", req, file, on_progress).await
    }

    /// `GET /api/v1/imports`: newest first.
    pub async fn imports(&self) -> Result<ImportList, ApiError> {
        self.fetch(Method::GET, "/imports", None::<&()>).await
    }

    /// `POST /api/v1/imports/{id}/undo`: `conflict` after the window or when undone.
    pub async fn undo_import(
        &self,
        id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<ImportEntry, ApiError> {
        let path = format!("/imports/{}/undo", path_segment(id));
        self.fetch(Method::POST, &path, None::<&()>).await
    }

    /// `POST /api/v1/records/{id}/consent-request`: a link for the person behind an
    /// imported record; `conflict` when the record is not imported, `already_resolved`
    /// once they consented.
    pub async fn consent_request(
        &self,
        record_id: &(impl std::fmt::Display + ?Sized),
    ) -> Result<shared::api::imports::ConsentInvite, ApiError> {
        let path = format!("/records/{}/consent-request", path_segment(record_id));
        self.fetch(Method::POST, &path, None::<&()>).await
    }

    /// `GET /api/v1/imports/settings` (admins).
    pub async fn import_settings(&self) -> Result<ImportSettings, ApiError> {
        self.fetch(Method::GET, "/imports/settings", None::<&()>)
            .await
    }

    /// `PUT /api/v1/imports/settings` (admins): `validation_failed` under `undo_days`.
    pub async fn save_import_settings(
        &self,
        settings: &ImportSettings,
    ) -> Result<ImportSettings, ApiError> {
        self.fetch(Method::PUT, "/imports/settings", Some(settings))
            .await
    }

    /// Sends `request` as JSON and `file` as it is (never read into the app's memory) in
    /// one multipart body, with the headers [`ApiClient::start`] sets, telling
    /// `on_progress` how much of the body has gone.
    async fn upload<R, T>(
        &self,
        path: &str,
        request: &R,
        file: &web_sys::File,
        on_progress: OnProgress,
    ) -> Result<T, ApiError>
    where
        R: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let failed = |_| local_error(ErrorCode::BadRequest);
        let json =
            serde_json::to_string(request).map_err(|_| local_error(ErrorCode::BadRequest))?;
        let xhr = XmlHttpRequest::new().map_err(|_| local_error(ErrorCode::Unavailable))?;
        xhr.open("POST", &format!("{API_PREFIX}{path}"))
            .map_err(failed)?;
        xhr.set_request_header("Accept", "application/json")
            .map_err(failed)?;
        xhr.set_request_header("Accept-Language", self.locale.tag())
            .map_err(failed)?;
        if let Some(token) = &self.csrf_token {
            xhr.set_request_header(CSRF_HEADER, token).map_err(failed)?;
        }
        let form = FormData::new().map_err(failed)?;
        form.append_with_str("request", &json).map_err(failed)?;
        form.append_with_blob_and_filename("file", file, &file.name())
            .map_err(failed)?;
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() {
                on_progress(percent(e.loaded(), e.total()));
            }
        });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }
        // The answer, or the lack of one, ends the request either way.
        let ended = js_sys::Promise::new(&mut |resolve, _reject| {
            xhr.set_onloadend(Some(&resolve));
        });
        let guard = InFlight {
            xhr: xhr.clone(),
            _progress: progress,
        };
        xhr.send_with_opt_form_data(Some(&form))
            .map_err(|_| local_error(ErrorCode::Unavailable))?;
        let _ = wasm_bindgen_futures::JsFuture::from(ended).await;
        drop(guard);
        let status = xhr.status().unwrap_or(0);
        let body = xhr.response_text().ok().flatten().unwrap_or_default();
        answer_of(status, &body)
    }
}

/// An upload under way: when the page stops waiting for it (the future is dropped), the
/// request is aborted and its handlers removed, so the browser never calls a closure
/// that is gone.
struct InFlight {
    xhr: XmlHttpRequest,
    _progress: Closure<dyn FnMut(ProgressEvent)>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(upload) = self.xhr.upload() {
            upload.set_onprogress(None);
        }
        if self.xhr.ready_state() != XmlHttpRequest::DONE {
            self.xhr.set_onloadend(None);
            let _ = self.xhr.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_a_whole_percentage() {
        assert_eq!(percent(0.0, 0.0), 0);
        assert_eq!(percent(512.0, 1024.0), 50);
        assert_eq!(percent(1023.0, 1024.0), 99);
        assert_eq!(percent(2048.0, 1024.0), 100);
        assert_eq!(percent(f64::NAN, 10.0), 0);
    }

    #[test]
    fn answers_become_values_or_the_apis_errors() {
        let ok: Result<ImportSettings, ApiError> =
            answer_of(200, r#"{"managers_may_import":true,"undo_days":3}"#);
        assert_eq!(ok.map(|s| s.undo_days), Ok(3));
        let shaped: Result<ImportSettings, ApiError> = answer_of(
            409,
            r#"{"code":"conflict","message":"Some rows have problems"}"#,
        );
        assert_eq!(shaped.map_err(|e| e.code), Err(ErrorCode::Conflict));
        let bare: Result<ImportSettings, ApiError> = answer_of(413, "too big");
        assert_eq!(bare.map_err(|e| e.code), Err(ErrorCode::PayloadTooLarge));
        let lost: Result<ImportSettings, ApiError> = answer_of(0, "");
        assert_eq!(lost.map_err(|e| e.code), Err(ErrorCode::Unavailable));
        let garbled: Result<ImportSettings, ApiError> = answer_of(200, "<html>");
        assert_eq!(garbled.map_err(|e| e.code), Err(ErrorCode::Internal));
    }

    #[test]
    fn reports_are_linked_with_format_and_language() {
        let id = ImportId::from_random_bytes([7; 16]);
        assert_eq!(
            report_href(id, ReportFormat::Xlsx, Locale::ZhCn),
            format!("/api/v1/imports/{id}/report?format=xlsx&lang=zh-CN")
        );
    }
}
