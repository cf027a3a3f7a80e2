//! HTTP handlers of `/api/v1/forms` and `/api/v1/public/forms`: thin wrappers over [`super::service`].

use axum::{
    extract::{RawQuery, State},
    http::{Method, StatusCode},
    Json,
};
use shared::api::forms::{
    CheckAnswersRequest, CreateFormRequest, FormDetail, FormStatus, FormSummary, PublishRequest,
    SaveDraftRequest, VersionDetail, VersionSummary,
};

use shared::ids::FormId;

use super::service::{self, Author};
use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::{AppError, AppResult},
    extract::Origin,
    extract::{AppJson, AppPath, RequestLocale},
    state::AppState,
};

/// The routes of this feature.
pub fn routes() -> ApiRoutes {
    use Permission::{ManageForms, Public};
    ApiRoutes::new()
        .route(Method::GET, "/forms", ManageForms, list)
        .route(Method::POST, "/forms", ManageForms, create)
        .route(Method::GET, "/forms/{id}", ManageForms, detail)
        .route(Method::PUT, "/forms/{id}/draft", ManageForms, save_draft)
        .route(
            Method::POST,
            "/forms/{id}/duplicate",
            ManageForms,
            duplicate,
        )
        .route(Method::POST, "/forms/{id}/archive", ManageForms, archive)
        .route(Method::POST, "/forms/{id}/restore", ManageForms, restore)
        .route(Method::POST, "/forms/{id}/publish", ManageForms, publish)
        .route(Method::GET, "/forms/{id}/versions", ManageForms, versions)
        .route(
            Method::GET,
            "/forms/{id}/versions/{number}",
            ManageForms,
            version,
        )
        .route(
            Method::PUT,
            "/forms/{id}/versions/{number}",
            ManageForms,
            immutable,
        )
        .route(
            Method::DELETE,
            "/forms/{id}/versions/{number}",
            ManageForms,
            immutable,
        )
        .route(Method::GET, "/public/forms/{id}", Public, public_form)
        .route(
            Method::POST,
            "/public/forms/{id}/versions/{number}/check",
            Public,
            check_answers,
        )
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/forms", tag = "forms", summary = "List forms",
    params(("status" = Option<shared::api::forms::FormStatus>, Query, description = "`active` (the default) or `archived`")),
    responses((status = 200, description = "The forms, most recently changed first", body = Vec<shared::api::forms::FormSummary>)))]
async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> AppResult<Json<Vec<FormSummary>>> {
    let status = service::status_filter(query.as_deref())?;
    Ok(Json(service::list(&state.db, status).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/forms", tag = "forms", summary = "Create a form",
    request_body = shared::api::forms::CreateFormRequest,
    responses(
        (status = 201, description = "Created with its first draft", body = shared::api::forms::FormDetail),
        (status = 422, description = "`validation_failed`: the definition cannot be read", body = shared::api::error::ApiError),
    ))]
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(req): AppJson<CreateFormRequest>,
) -> AppResult<(StatusCode, Json<FormDetail>)> {
    let author = Author::caller(&caller, &origin);
    let detail = service::create(&state.db, author, req.definition).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/forms/{id}", tag = "forms", summary = "A form with its draft",
    params(("id" = shared::ids::FormId, Path, description = "The form")),
    responses((status = 200, description = "The form", body = shared::api::forms::FormDetail)))]
async fn detail(
    State(state): State<AppState>,
    AppPath(id): AppPath<FormId>,
) -> AppResult<Json<FormDetail>> {
    Ok(Json(service::detail(&state.db, id).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(put, path = "/forms/{id}/draft", tag = "forms", summary = "Save the draft",
    params(("id" = shared::ids::FormId, Path, description = "The form")), request_body = shared::api::forms::SaveDraftRequest,
    responses(
        (status = 200, description = "Saved; problems are reported, not refused", body = shared::api::forms::FormDetail),
        (status = 409, description = "`conflict`: someone saved since `base_revision`, or the form is archived", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: the definition cannot be read", body = shared::api::error::ApiError),
    ))]
async fn save_draft(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<FormId>,
    AppJson(req): AppJson<SaveDraftRequest>,
) -> AppResult<Json<FormDetail>> {
    let author = Author::caller(&caller, &origin);
    let detail =
        service::save_draft(&state.db, author, id, &req.definition, req.base_revision).await?;
    Ok(Json(detail))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/forms/{id}/duplicate", tag = "forms", summary = "Copy a form",
    params(("id" = shared::ids::FormId, Path, description = "The form")),
    responses((status = 201, description = "The copy", body = shared::api::forms::FormDetail)))]
async fn duplicate(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<FormId>,
) -> AppResult<(StatusCode, Json<FormDetail>)> {
    let detail = service::duplicate(&state.db, Author::caller(&caller, &origin), id).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/forms/{id}/archive", tag = "forms", summary = "Archive a form",
    params(("id" = shared::ids::FormId, Path, description = "The form")),
    responses((status = 200, description = "Archived", body = shared::api::forms::FormSummary)))]
async fn archive(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<FormId>,
) -> AppResult<Json<FormSummary>> {
    let author = Author::caller(&caller, &origin);
    Ok(Json(
        service::set_status(&state.db, author, id, FormStatus::Archived).await?,
    ))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/forms/{id}/restore", tag = "forms", summary = "Restore an archived form",
    params(("id" = shared::ids::FormId, Path, description = "The form")),
    responses((status = 200, description = "Active again", body = shared::api::forms::FormSummary)))]
async fn restore(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<FormId>,
) -> AppResult<Json<FormSummary>> {
    let author = Author::caller(&caller, &origin);
    Ok(Json(
        service::set_status(&state.db, author, id, FormStatus::Active).await?,
    ))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/forms/{id}/publish", tag = "forms", summary = "Publish the draft",
    params(("id" = shared::ids::FormId, Path, description = "The form")), request_body = shared::api::forms::PublishRequest,
    responses(
        (status = 201, description = "The new version", body = shared::api::forms::VersionDetail),
        (status = 409, description = "`conflict`: the draft changed since `base_revision`, nothing changed since the last version, or the form is archived", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: the draft has problems", body = shared::api::error::ApiError),
    ))]
async fn publish(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<FormId>,
    AppJson(req): AppJson<PublishRequest>,
) -> AppResult<(StatusCode, Json<VersionDetail>)> {
    let version = service::publish(
        &state.db,
        Author::caller(&caller, &origin),
        id,
        req.base_revision,
        locale,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(version)))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/forms/{id}/versions", tag = "forms", summary = "A form's published versions",
    params(("id" = shared::ids::FormId, Path, description = "The form")),
    responses((status = 200, description = "Newest first", body = Vec<shared::api::forms::VersionSummary>)))]
async fn versions(
    State(state): State<AppState>,
    AppPath(id): AppPath<FormId>,
) -> AppResult<Json<Vec<VersionSummary>>> {
    Ok(Json(service::versions(&state.db, id).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/forms/{id}/versions/{number}", tag = "forms", summary = "One published version",
    params(("id" = shared::ids::FormId, Path, description = "The form"), ("number" = i64, Path, minimum = 1, description = "The version number: 1, 2, …")),
    responses((status = 200, description = "The version", body = shared::api::forms::VersionDetail)))]
async fn version(
    State(state): State<AppState>,
    AppPath((id, number)): AppPath<(FormId, String)>,
) -> AppResult<Json<VersionDetail>> {
    Ok(Json(service::version(&state.db, id, &number).await?))
}

/// `PUT` and `DELETE` of a version: refused whatever the version, the body or the caller's intent.
#[utoipa::path(method(put, delete), path = "/forms/{id}/versions/{number}", tag = "forms", summary = "Versions are immutable",
    description = "Always refused: a published version never changes, since consent receipts bind its hash.",
    params(("id" = shared::ids::FormId, Path, description = "The form"), ("number" = i64, Path, minimum = 1, description = "The version number: 1, 2, …")),
    responses((status = 409, description = "`conflict`: published versions cannot change", body = shared::api::error::ApiError)))]
async fn immutable() -> AppError {
    service::versions_are_immutable()
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/public/forms/{id}", tag = "public", summary = "A form as customers see it",
    params(("id" = shared::ids::FormId, Path, description = "The form")),
    responses((status = 200, description = "The latest published version of an active form", body = shared::api::forms::VersionDetail)))]
async fn public_form(
    State(state): State<AppState>,
    AppPath(id): AppPath<FormId>,
) -> AppResult<Json<VersionDetail>> {
    Ok(Json(service::public_form(&state.db, id).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/public/forms/{id}/versions/{number}/check", tag = "public", summary = "Check answers",
    description = "Validates answers with the server's rules; the issues are in the `Accept-Language` language.",
    params(("id" = shared::ids::FormId, Path, description = "The form"), ("number" = i64, Path, minimum = 1, description = "The version number: 1, 2, …")), request_body = shared::api::forms::CheckAnswersRequest,
    responses(
        (status = 204, description = "The answers are valid"),
        (status = 422, description = "`validation_failed`: issues per field key in `details.fields`", body = shared::api::error::ApiError),
    ))]
async fn check_answers(
    State(state): State<AppState>,
    RequestLocale(locale): RequestLocale,
    AppPath((id, number)): AppPath<(FormId, String)>,
    AppJson(req): AppJson<CheckAnswersRequest>,
) -> AppResult<StatusCode> {
    let today = time::OffsetDateTime::now_utc().date();
    service::check_answers(&state.db, id, &number, &req.answers, locale, today).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    create,
    detail,
    save_draft,
    duplicate,
    archive,
    restore,
    publish,
    versions,
    version,
    immutable,
    public_form,
    check_answers
))]
pub struct ApiDoc;
