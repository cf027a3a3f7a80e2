//! `/api/v1/imports`: thin wrappers over [`super::preview`], [`super::commit`],
//! [`super::history`] and [`super::settings`].

use axum::{
    extract::{multipart::MultipartRejection, Multipart, State},
    handler::Handler as _,
    http::{header, Method, StatusCode},
    middleware::from_fn,
    response::IntoResponse,
    Json,
};
use serde::{de::DeserializeOwned, Deserialize};
use shared::{
    api::{
        error::ErrorCode,
        exports::ExportFormat,
        imports::{
            AcceptInvitation, CommitImport, ConsentInvitation, ConsentInvite, ImportEntry,
            ImportList, ImportPreview, ImportRequest, ImportSettings, InviteToken,
            IMPORT_MB_CEILING,
        },
    },
    i18n::Locale,
    ids::{FormId, ImportId, RecordId},
};

use super::{commit, history, invites, preview, settings};
use crate::{
    audit::{self, Event},
    auth::{ApiRoutes, Caller, Permission},
    consent::versions::CachedVersion,
    error::{AppError, AppResult},
    extract::{AppJson, AppPath, AppQuery, Origin, RequestLocale},
    limits,
    state::AppState,
};

/// The largest upload any configuration allows, with room for the request part; the
/// configured limit (`Config::import_max_mb`) is checked while the file arrives.
const MAX_BODY: usize = IMPORT_MB_CEILING as usize * 1024 * 1024 + 64 * 1024;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route_with_body_limit(
            Method::POST,
            "/imports/preview",
            Permission::ImportRecords,
            preview_file,
            MAX_BODY,
        )
        .route_with_body_limit(
            Method::POST,
            "/imports",
            Permission::ImportRecords,
            commit_file,
            MAX_BODY,
        )
        .route(Method::GET, "/imports", Permission::ImportRecords, list)
        .route(
            Method::GET,
            "/imports/settings",
            Permission::ManageUsers,
            get_settings,
        )
        .route(
            Method::PUT,
            "/imports/settings",
            Permission::ManageUsers,
            put_settings,
        )
        .route(Method::GET, "/imports/{id}", Permission::ImportRecords, one)
        .route(
            Method::GET,
            "/imports/{id}/report",
            Permission::ImportRecords,
            report,
        )
        .route(
            Method::POST,
            "/imports/{id}/undo",
            Permission::ImportRecords,
            undo,
        )
        .route(
            Method::POST,
            "/records/{id}/consent-request",
            Permission::RecordWithdrawals,
            consent_request,
        )
        .route(
            Method::POST,
            "/public/consent-requests/open",
            Permission::Public,
            open_invitation.layer(from_fn(limits::withdrawals)),
        )
        .route(
            Method::POST,
            "/public/consent-requests/accept",
            Permission::Public,
            accept_invitation.layer(from_fn(limits::submissions)),
        )
}

/// The newest published version of a form.
///
/// # Errors
/// 404 when the form has none.
pub(super) async fn latest_version(
    state: &AppState,
    form_id: FormId,
) -> AppResult<std::sync::Arc<CachedVersion>> {
    let latest = state
        .db
        .form(form_id)
        .await?
        .and_then(|f| f.latest)
        .ok_or_else(|| AppError::not_found("No published form with this id"))?;
    state
        .versions
        .get_any(&state.db, form_id, latest.number)
        .await
}

/// The upload as multipart/form-data, or a 415 in the error shape.
fn multipart(form: Result<Multipart, MultipartRejection>) -> AppResult<Multipart> {
    form.map_err(|e| {
        AppError::client(
            ErrorCode::UnsupportedMediaType,
            format!(
                "Send the file and the import request as multipart/form-data ({})",
                e.body_text()
            ),
        )
    })
}

/// The `request` (JSON) and `file` parts of an upload; a file above `max_mb` MiB is
/// refused as soon as it is (413).
async fn parts<R: DeserializeOwned>(mut form: Multipart, max_mb: u32) -> AppResult<(R, Vec<u8>)> {
    let max_bytes = max_mb as usize * 1024 * 1024;
    let bad = |field: &str, message: String| AppError::invalid_field(field, "invalid", message);
    let mut request = None;
    let mut file = None;
    while let Some(mut part) = form
        .next_field()
        .await
        .map_err(|e| bad("file", format!("The upload is malformed: {e}")))?
    {
        match part.name() {
            Some("request") => {
                let text = part
                    .text()
                    .await
                    .map_err(|e| bad("request", format!("{e}")))?;
                request = Some(
                    serde_json::from_str::<R>(&text)
                        .map_err(|e| bad("request", format!("Not an import request: {e}")))?,
                );
            }
            Some("file") => {
                let mut bytes = Vec::new();
                while let Some(chunk) = part
                    .chunk()
                    .await
                    .map_err(|e| bad("file", format!("The file did not arrive whole: {e}")))?
                {
                    if bytes.len() + chunk.len() > max_bytes {
                        return Err(AppError::client(
                            ErrorCode::PayloadTooLarge,
                            format!("The file is larger than {max_mb} MB, the most an import reads: split it"),
                        ));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some(bytes);
            }
            _ => {}
        }
    }
    let request = request.ok_or_else(|| {
        AppError::invalid_field("request", "required", "The import request part is missing")
    })?;
    let file =
        file.ok_or_else(|| AppError::invalid_field("file", "required", "Choose a file to import"))?;
    Ok((request, file))
}

#[utoipa::path(post, path = "/imports/preview", tag = "imports", summary = "Preview an import: nothing is written",
    description = "multipart/form-data with a `request` part (ImportRequest as JSON) and a `file` part (CSV in UTF-8 or GB18030, or XLSX; up to 50 MB). Every row is validated by the form's rules; duplicates inside the file and against stored records (blind indexes) are named. Audited (the file's hash and counts, never values).",
    request_body(content = ImportRequest, description = "The `request` part; the `file` part carries the file", content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The preview", body = ImportPreview),
        (status = 404, description = "`not_found`: no such form, or not published", body = shared::api::error::ApiError),
        (status = 415, description = "`unsupported_media_type`: not multipart/form-data", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: `file` (empty, unreadable, a formula cell, not CSV or XLSX), `encoding`, `sheet`, `mapping`, `request`", body = shared::api::error::ApiError),
    ))]
async fn preview_file(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    form: Result<Multipart, MultipartRejection>,
) -> AppResult<Json<ImportPreview>> {
    let (req, bytes): (ImportRequest, _) =
        parts(multipart(form)?, state.config.import_max_mb).await?;
    settings::may_import(&state, &caller).await?;
    let version = latest_version(&state, req.form_id).await?;
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    let size = bytes.len();
    let file = preview::read(bytes, &req)?;
    let previewed = preview::preview(
        &state,
        (req.form_id, &version.definition),
        file,
        &req,
        locale,
    )
    .await?;
    let p = &previewed.preview;
    audit::record_alone(
        &state.db,
        &origin,
        Event::new("imports.previewed", Some(&caller.user))
            .target("form", req.form_id)
            .details(serde_json::json!({
                "file_sha256": sha,
                "bytes": size,
                "source": p.source,
                "rows": p.rows_total,
                "valid": p.valid,
                "invalid": p.invalid,
                "duplicate_in_file": p.duplicate_in_file,
                "already_stored": p.already_stored,
            })),
        None,
    )
    .await?;
    Ok(Json(previewed.preview))
}

#[utoipa::path(post, path = "/imports", tag = "imports", summary = "Import a file's rows as records",
    description = "multipart/form-data with a `request` part (CommitImport as JSON) and a `file` part, as for the preview. The file is checked again as the preview checks it; the valid new rows are written as records on the stated lawful basis, with their blind indexes and sealed values, all in one transaction or not at all. Rows with problems are skipped or refuse the import (`on_problems`). The mapping is remembered for the form's next import. Audited (the file's hash, counts, basis; never values).",
    request_body(content = CommitImport, description = "The `request` part; the `file` part carries the file", content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Imported", body = ImportEntry),
        (status = 403, description = "`forbidden`: not an admin, or a manager while admins do not allow managers to import", body = shared::api::error::ApiError),
        (status = 404, description = "`not_found`: no such form, or not published", body = shared::api::error::ApiError),
        (status = 409, description = "`conflict`: rows with problems and `on_problems` is `refuse`; nothing written", body = shared::api::error::ApiError),
        (status = 415, description = "`unsupported_media_type`: not multipart/form-data", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: `basis.purposes`, `basis.evidence`, `file` (also: no row to import), `encoding`, `sheet`, `mapping`, `request`", body = shared::api::error::ApiError),
    ))]
async fn commit_file(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    form: Result<Multipart, MultipartRejection>,
) -> AppResult<(StatusCode, Json<ImportEntry>)> {
    let (req, bytes): (CommitImport, _) =
        parts(multipart(form)?, state.config.import_max_mb).await?;
    let row = commit::commit(&state, &caller, &origin, locale, req, bytes).await?;
    Ok((
        StatusCode::CREATED,
        Json(history::entry(&state, row).await?),
    ))
}

#[utoipa::path(get, path = "/imports", tag = "imports", summary = "The imports' history",
    description = "Newest first: every import for admins; a manager's own (while managers may import).",
    responses((status = 200, description = "The history", body = ImportList)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> AppResult<Json<ImportList>> {
    Ok(Json(ImportList {
        imports: history::list(&state, &caller).await?,
        max_file_mb: state.config.import_max_mb,
    }))
}

#[utoipa::path(get, path = "/imports/{id}", tag = "imports", summary = "One import",
    params(("id" = String, Path, description = "The import's id")),
    responses(
        (status = 200, description = "The import", body = ImportEntry),
        (status = 404, description = "`not_found`", body = shared::api::error::ApiError),
    ))]
async fn one(
    State(state): State<AppState>,
    Caller(caller): Caller,
    AppPath(id): AppPath<ImportId>,
) -> AppResult<Json<ImportEntry>> {
    Ok(Json(history::one(&state, &caller, id).await?))
}

#[derive(Debug, Deserialize)]
struct ReportParams {
    format: Option<String>,
    lang: Option<String>,
}

#[utoipa::path(get, path = "/imports/{id}/report", tag = "imports", summary = "An import's report as a file",
    description = "Every row of the file by its row number: imported (with the record's id) or skipped, with the column, field and reason. Never values.",
    params(
        ("id" = String, Path, description = "The import's id"),
        ("format" = Option<String>, Query, description = "`csv` (the default) or `xlsx`"),
        ("lang" = Option<String>, Query, description = "`zh-CN` or `en` (else the request's language)"),
    ),
    responses(
        (status = 200, description = "The report", content_type = "text/csv"),
        (status = 404, description = "`not_found`", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: `format`", body = shared::api::error::ApiError),
    ))]
async fn report(
    State(state): State<AppState>,
    Caller(caller): Caller,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<ImportId>,
    AppQuery(params): AppQuery<ReportParams>,
) -> AppResult<axum::response::Response> {
    let format = match params.format.as_deref() {
        None => ExportFormat::Csv,
        Some(f) => ExportFormat::parse(f).ok_or_else(|| {
            AppError::invalid_field("format", "unknown", "The format is csv or xlsx")
        })?,
    };
    let locale = params
        .lang
        .as_deref()
        .and_then(Locale::from_tag)
        .unwrap_or(locale);
    let (name, bytes) = history::report(&state, &caller, id, format, locale).await?;
    let content_type = match format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

#[utoipa::path(post, path = "/imports/{id}/undo", tag = "imports", summary = "Undo an import",
    description = "Within the undo window: the import's records are erased (values deleted, data keys shredded), except those a legal hold keeps. Audited.",
    params(("id" = String, Path, description = "The import's id")),
    responses(
        (status = 200, description = "The import, undone", body = ImportEntry),
        (status = 404, description = "`not_found`", body = shared::api::error::ApiError),
        (status = 409, description = "`already_resolved` when undone already; `conflict` after the window", body = shared::api::error::ApiError),
    ))]
async fn undo(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<ImportId>,
) -> AppResult<Json<ImportEntry>> {
    Ok(Json(history::undo(&state, &caller, &origin, id).await?))
}

#[utoipa::path(get, path = "/imports/settings", tag = "imports", summary = "The import settings (admins)",
    responses((status = 200, description = "The settings", body = ImportSettings)))]
async fn get_settings(State(state): State<AppState>) -> AppResult<Json<ImportSettings>> {
    Ok(Json(settings::settings(&state).await?))
}

#[utoipa::path(put, path = "/imports/settings", tag = "imports", summary = "Save the import settings (admins)",
    request_body = ImportSettings,
    responses(
        (status = 200, description = "Saved", body = ImportSettings),
        (status = 422, description = "`validation_failed`: `undo_days`", body = shared::api::error::ApiError),
    ))]
async fn put_settings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(new): AppJson<ImportSettings>,
) -> AppResult<Json<ImportSettings>> {
    Ok(Json(settings::save(&state, &caller, &origin, new).await?))
}

#[utoipa::path(post, path = "/records/{id}/consent-request", tag = "records", summary = "Ask the person behind an imported record for consent",
    description = "A link (`/consent#<token>`, valid 30 days, shown once) to hand to the person: their page shows the form's notice and purposes and turns their choice into a signed consent receipt, which replaces the imported basis. Audited.",
    params(("id" = shared::ids::RecordId, Path, description = "The record")),
    responses(
        (status = 200, description = "The link", body = ConsentInvite),
        (status = 404, description = "`not_found`: no such record in the caller's reach", body = shared::api::error::ApiError),
        (status = 409, description = "`conflict`: not an imported record; `already_resolved`: consent given already", body = shared::api::error::ApiError),
    ))]
async fn consent_request(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<RecordId>,
) -> AppResult<Json<ConsentInvite>> {
    Ok(Json(invites::create(&state, &caller, &origin, id).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/public/consent-requests/open", tag = "public", summary = "Open a consent request",
    description = "What the person's page shows and signs over: the form version, the receipt id, the record's statement hashes (keyed with a key the server keeps; no values), the basis held until now.",
    request_body = InviteToken,
    responses(
        (status = 200, description = "The request", body = ConsentInvitation),
        (status = 404, description = "`not_found`: no such link", body = shared::api::error::ApiError),
        (status = 409, description = "`already_resolved`: answered already", body = shared::api::error::ApiError),
        (status = 410, description = "`gone`: the link expired", body = shared::api::error::ApiError),
        (status = 429, description = "`rate_limited`: see `Retry-After`", body = shared::api::error::ApiError),
    ))]
async fn open_invitation(
    State(state): State<AppState>,
    AppJson(req): AppJson<InviteToken>,
) -> AppResult<Json<ConsentInvitation>> {
    Ok(Json(invites::open(&state, &req.token).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/public/consent-requests/accept", tag = "public", summary = "Give consent through a consent request",
    description = "The person's consent statement, signed by their browser over the request's hashes; answered with the countersigned receipt and the withdrawal token, as a form submission is. Values that served only declined purposes are deleted at once.",
    request_body = AcceptInvitation,
    responses(
        (status = 200, description = "The receipt", body = shared::api::consent::SubmitResponse),
        (status = 400, description = "`invalid_signature`", body = shared::api::error::ApiError),
        (status = 404, description = "`not_found`: no such link", body = shared::api::error::ApiError),
        (status = 409, description = "`already_resolved`: answered already", body = shared::api::error::ApiError),
        (status = 410, description = "`gone`: the link expired", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: the statement does not fit the request (`consent`)", body = shared::api::error::ApiError),
        (status = 429, description = "`rate_limited`: see `Retry-After`", body = shared::api::error::ApiError),
    ))]
async fn accept_invitation(
    State(state): State<AppState>,
    client: Origin,
    AppJson(req): AppJson<AcceptInvitation>,
) -> AppResult<Json<shared::api::consent::SubmitResponse>> {
    Ok(Json(invites::accept(&state, &client, req).await?))
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    preview_file,
    commit_file,
    list,
    one,
    report,
    undo,
    get_settings,
    put_settings,
    consent_request,
    open_invitation,
    accept_invitation
))]
pub struct ApiDoc;
