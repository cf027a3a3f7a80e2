//! `/api/v1/imports`: thin wrappers over [`super::preview`].

use axum::{
    extract::{multipart::MultipartRejection, Multipart, State},
    http::Method,
    Json,
};
use shared::api::{
    error::ErrorCode,
    imports::{ImportPreview, ImportRequest, MAX_IMPORT_MB},
};

use super::preview;
use crate::{
    audit::{self, Event},
    auth::{ApiRoutes, Caller, Permission},
    error::{AppError, AppResult},
    extract::{Origin, RequestLocale},
    state::AppState,
};

/// The largest upload, with room for the request part.
const MAX_BODY: usize = MAX_IMPORT_MB as usize * 1024 * 1024 + 64 * 1024;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new().route_with_body_limit(
        Method::POST,
        "/imports/preview",
        Permission::ImportRecords,
        preview_file,
        MAX_BODY,
    )
}

/// The `request` (JSON) and `file` parts of an upload.
async fn parts(mut form: Multipart) -> AppResult<(ImportRequest, Vec<u8>)> {
    let bad = |field: &str, message: String| AppError::invalid_field(field, "invalid", message);
    let mut request = None;
    let mut file = None;
    while let Some(part) = form
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
                    serde_json::from_str::<ImportRequest>(&text)
                        .map_err(|e| bad("request", format!("Not an import request: {e}")))?,
                );
            }
            Some("file") => {
                file = Some(
                    part.bytes()
                        .await
                        .map_err(|e| bad("file", format!("The file did not arrive whole: {e}")))?
                        .to_vec(),
                );
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
    let form = form.map_err(|e| {
        AppError::client(
            ErrorCode::UnsupportedMediaType,
            format!(
                "Send the file and the import request as multipart/form-data ({})",
                e.body_text()
            ),
        )
    })?;
    let (req, bytes) = parts(form).await?;
    let latest = state
        .db
        .form(req.form_id)
        .await?
        .and_then(|f| f.latest)
        .ok_or_else(|| AppError::not_found("No published form with this id"))?;
    let version = state
        .versions
        .get_any(&state.db, req.form_id, latest.number)
        .await?;
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

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(preview_file))]
pub struct ApiDoc;
