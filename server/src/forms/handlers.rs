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
async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> AppResult<Json<Vec<FormSummary>>> {
    let status = service::status_filter(query.as_deref())?;
    Ok(Json(service::list(&state.db, status).await?))
}

#[tracing::instrument(skip_all)]
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
async fn detail(
    State(state): State<AppState>,
    AppPath(id): AppPath<FormId>,
) -> AppResult<Json<FormDetail>> {
    Ok(Json(service::detail(&state.db, id).await?))
}

#[tracing::instrument(skip_all)]
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
async fn versions(
    State(state): State<AppState>,
    AppPath(id): AppPath<FormId>,
) -> AppResult<Json<Vec<VersionSummary>>> {
    Ok(Json(service::versions(&state.db, id).await?))
}

#[tracing::instrument(skip_all)]
async fn version(
    State(state): State<AppState>,
    AppPath((id, number)): AppPath<(FormId, String)>,
) -> AppResult<Json<VersionDetail>> {
    Ok(Json(service::version(&state.db, id, &number).await?))
}

/// `PUT` and `DELETE` of a version: refused whatever the version, the body or the caller's intent.
async fn immutable() -> AppError {
    service::versions_are_immutable()
}

#[tracing::instrument(skip_all)]
async fn public_form(
    State(state): State<AppState>,
    AppPath(id): AppPath<FormId>,
) -> AppResult<Json<VersionDetail>> {
    Ok(Json(service::public_form(&state.db, id).await?))
}

#[tracing::instrument(skip_all)]
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
