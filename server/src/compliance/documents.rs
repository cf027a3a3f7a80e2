//! `/api/v1/compliance/processing` and `/api/v1/compliance/assessments`: the records of
//! processing and the impact assessment drafts as JSON (both languages) or printable
//! HTML (one language), thin wrappers over [`super::processing`] and [`super::html`].
//!
//! Each document read is audited with the audit head it is stamped with and the SHA-256
//! of the bytes sent, so a file in an auditor's hands can be found in the log, and the
//! log's entry leads to the state the file describes. A form that needs no assessment
//! still gets a draft (its `triggers` empty): PIPL lets a handler assess by choice, and
//! the draft says so; only an unknown or never-published form is a 404.

use axum::{
    extract::State,
    http::{header, HeaderValue, Method},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use shared::{
    api::{
        compliance::AuditStamp,
        processing::{AssessmentDraft, AssessmentList, RecordsOfProcessing},
    },
    i18n::Locale,
    ids::FormId,
    processing::day_text,
};

use super::{html, processing};
use crate::{
    audit::{self, Event},
    auth::{ApiRoutes, Caller, Permission},
    error::{AppError, AppResult},
    extract::{AppPath, AppQuery, Origin, RequestLocale},
    state::AppState,
};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(
            Method::GET,
            "/compliance/processing",
            Permission::ComplianceReports,
            records_of_processing,
        )
        .route(
            Method::GET,
            "/compliance/assessments",
            Permission::ComplianceReports,
            assessments,
        )
        .route(
            Method::GET,
            "/compliance/assessments/{form_id}",
            Permission::ComplianceReports,
            assessment_draft,
        )
}

/// How a document is asked for.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// `json` (the default: both languages) or `html` (printable, one language; print
    /// it to PDF from the browser).
    pub format: Option<String>,
    /// The HTML's language: `zh-CN` or `en` (else the request's `Accept-Language`).
    pub lang: Option<String>,
    /// `true` to save the document as a file; `false` (the default) to show it.
    pub download: Option<String>,
}

/// A document's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    Json,
    Html,
}

impl DocumentFormat {
    const fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Html => "html",
        }
    }
}

/// What [`DocumentQuery`] asks for, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentRequest {
    pub format: DocumentFormat,
    pub locale: Locale,
    pub download: bool,
}

impl DocumentQuery {
    /// The request, with `fallback` as the language when none is asked for.
    ///
    /// # Errors
    /// 422 `validation_failed` naming `format`, `lang` or `download` when one is not a
    /// value this route knows.
    pub fn check(&self, fallback: Locale) -> AppResult<DocumentRequest> {
        let format = match self.format.as_deref() {
            None | Some("json") => DocumentFormat::Json,
            Some("html") => DocumentFormat::Html,
            Some(_) => {
                return Err(AppError::invalid_field(
                    "format",
                    "unknown",
                    "The format is json or html",
                ))
            }
        };
        let locale = match self.lang.as_deref() {
            None => fallback,
            Some(tag) => Locale::from_tag(tag).ok_or_else(|| {
                AppError::invalid_field("lang", "unknown", "The language is zh-CN or en")
            })?,
        };
        let download = match self.download.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(AppError::invalid_field(
                    "download",
                    "unknown",
                    "download is true or false",
                ))
            }
        };
        Ok(DocumentRequest {
            format,
            locale,
            download,
        })
    }
}

/// JSON bytes as the answer: shown, or with `download` saved as `<file_stem>.json`.
pub(super) fn json_response(body: Vec<u8>, file_stem: &str, download: bool) -> Response {
    if download {
        return html::json_file(body, file_stem);
    }
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A document rendered as `req` asks, audited as `action` (with `target` and the
/// stamp), and answered.
struct Rendered<'a> {
    action: &'a str,
    target: Option<(&'a str, String)>,
    stamp: &'a AuditStamp,
    file_stem: String,
}

async fn answer<T: Serialize>(
    state: &AppState,
    caller: &crate::auth::Principal,
    origin: &Origin,
    req: DocumentRequest,
    doc: &T,
    html: impl FnOnce(&T, Locale) -> String,
    what: Rendered<'_>,
) -> AppResult<Response> {
    let bytes = match req.format {
        DocumentFormat::Json => {
            serde_json::to_vec_pretty(doc).map_err(|e| AppError::internal("a document", e))?
        }
        DocumentFormat::Html => html(doc, req.locale).into_bytes(),
    };
    let mut event = Event::new(what.action, Some(&caller.user)).details(serde_json::json!({
        "format": req.format.as_str(),
        "lang": req.locale.tag(),
        "download": req.download,
        "audit_head_seq": what.stamp.seq,
        "audit_head_hash": what.stamp.hash,
        "sha256": hex::encode(Sha256::digest(&bytes)),
    }));
    if let Some((kind, id)) = what.target {
        event = event.target(kind, id);
    }
    audit::record_alone(&state.db, origin, event, None).await?;
    Ok(match req.format {
        DocumentFormat::Json => json_response(bytes, &what.file_stem, req.download),
        DocumentFormat::Html => {
            let stem = format!("{}-{}", what.file_stem, req.locale.tag());
            // The bytes were made from a String just above.
            let text =
                String::from_utf8(bytes).map_err(|e| AppError::internal("a rendered page", e))?;
            html::html_response(text, &stem, req.download)
        }
    })
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/compliance/processing", tag = "compliance", summary = "The records of processing",
    description = "Records of processing activities (PIPL Art. 54–55, GDPR Art. 30), one per active form with a published version and per archived form still holding live records: the controller, data subjects, purposes with their lawful bases and retention, the fields with their sensitivity and real retention, recipients and transfers abroad, what each role sees and may do, the volumes held, the form's safeguards and warnings, and the security measures the system applies. Stamped with the time and the audit chain's head at which it was computed. `format=json` carries every text in both languages; `format=html` is a printable page in `lang` (print it to PDF). Audited with the stamp and the SHA-256 of the bytes sent.",
    params(DocumentQuery),
    responses(
        (status = 200, description = "The records", content(
            (RecordsOfProcessing = "application/json"),
            (String = "text/html"),
        )),
        (status = 422, description = "`validation_failed`: `format`, `lang` or `download`", body = shared::api::error::ApiError),
    ))]
async fn records_of_processing(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppQuery(query): AppQuery<DocumentQuery>,
) -> AppResult<Response> {
    let req = query.check(locale)?;
    let doc: RecordsOfProcessing = processing::records_of_processing(&state).await?;
    let what = Rendered {
        action: "compliance.processing_read",
        target: None,
        stamp: &doc.audit_head,
        file_stem: format!("records-of-processing-{}", day_text(doc.computed_at_ms)),
    };
    answer(&state, &caller, &origin, req, &doc, html::processing, what).await
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/compliance/assessments", tag = "compliance", summary = "The forms that need an impact assessment",
    description = "Active forms, and archived ones still holding live records, whose newest published version holds sensitive fields, expects minors (a guardian-consent age) or transfers data abroad (PIPL Art. 55), with why. Audited.",
    responses((status = 200, description = "The forms", body = AssessmentList)))]
async fn assessments(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
) -> AppResult<Json<AssessmentList>> {
    let list = processing::assessment_list(&state).await?;
    audit::record_alone(
        &state.db,
        &origin,
        Event::new("compliance.assessments_listed", Some(&caller.user))
            .details(serde_json::json!({ "forms": list.forms.len() })),
        None,
    )
    .await?;
    Ok(Json(list))
}

#[tracing::instrument(skip_all, fields(form_id = %form_id))]
#[utoipa::path(get, path = "/compliance/assessments/{form_id}", tag = "compliance", summary = "An impact assessment's draft",
    description = "A personal-information protection impact assessment (PIPL Art. 55–56) pre-filled from the form's newest published version and the data held (volumes, access, retention, measures), with the sections the privacy officer must complete marked `officer_must_complete` and a prompt saying what to write. A form that needs no assessment still gets a draft, with `triggers` empty. Stamped and audited as the records of processing are; `format=html` is printable.",
    params(
        ("form_id" = shared::ids::FormId, Path, description = "The form"),
        DocumentQuery,
    ),
    responses(
        (status = 200, description = "The draft", content(
            (AssessmentDraft = "application/json"),
            (String = "text/html"),
        )),
        (status = 404, description = "`not_found`: no such form, or never published", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: `format`, `lang` or `download`", body = shared::api::error::ApiError),
    ))]
async fn assessment_draft(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(form_id): AppPath<FormId>,
    AppQuery(query): AppQuery<DocumentQuery>,
) -> AppResult<Response> {
    let req = query.check(locale)?;
    let doc: AssessmentDraft = processing::assessment_draft(&state, form_id).await?;
    let what = Rendered {
        action: "compliance.assessment_read",
        target: Some(("form", form_id.to_string())),
        stamp: &doc.audit_head,
        file_stem: format!(
            "impact-assessment-{form_id}-v{}-{}",
            doc.activity.version.number,
            day_text(doc.computed_at_ms)
        ),
    };
    answer(&state, &caller, &origin, req, &doc, html::assessment, what).await
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(records_of_processing, assessments, assessment_draft))]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;

    fn query(format: Option<&str>, lang: Option<&str>, download: Option<&str>) -> DocumentQuery {
        DocumentQuery {
            format: format.map(str::to_owned),
            lang: lang.map(str::to_owned),
            download: download.map(str::to_owned),
        }
    }

    #[test]
    fn queries_are_checked() {
        let ok = query(None, None, None).check(Locale::ZhCn).ok();
        assert_eq!(
            ok,
            Some(DocumentRequest {
                format: DocumentFormat::Json,
                locale: Locale::ZhCn,
                download: false
            })
        );
        let ok = query(Some("html"), Some("en"), Some("true"))
            .check(Locale::ZhCn)
            .ok();
        assert_eq!(
            ok,
            Some(DocumentRequest {
                format: DocumentFormat::Html,
                locale: Locale::En,
                download: true
            })
        );
        for (q, field) in [
            (query(Some("pdf"), None, None), "format"),
            (query(None, Some("fr"), None), "lang"),
            (query(None, None, Some("yes")), "download"),
        ] {
            match q.check(Locale::En) {
                Err(AppError::Client(e)) => {
                    assert_eq!(e.code, shared::api::error::ErrorCode::ValidationFailed);
                    assert!(
                        e.details.is_some_and(|d| d.fields.contains_key(field)),
                        "{field}"
                    );
                }
                other => panic!("{field}: {other:?}"),
            }
        }
    }
}
