//! `/api/v1/requests` (the privacy officer's register) and `/api/v1/public/requests`
//! (customers filing with their receipt): thin wrappers over the services.

use axum::{
    extract::State,
    handler::Handler as _,
    http::{header, Method, StatusCode},
    middleware::from_fn,
    response::IntoResponse,
    Json,
};
use serde::Deserialize;
use shared::{
    api::requests::{
        Assignee, Correction, CustomerRequest, ErasureOrder, NewRequest, RequestAction,
        RequestDetail, RequestFiled, RequestList,
    },
    ids::{PackageId, SubjectRequestId},
};

use super::{actions, changes, package, service};
use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::{AppError, AppResult},
    extract::{AppJson, AppPath, AppQuery, Origin, RequestLocale},
    limits,
    state::AppState,
};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(Method::GET, "/requests", Permission::ManageRequests, list)
        .route(
            Method::POST,
            "/requests",
            Permission::ManageRequests,
            create,
        )
        .route(
            Method::GET,
            "/requests/assignees",
            Permission::ManageRequests,
            assignees,
        )
        .route(
            Method::GET,
            "/requests/{id}",
            Permission::ManageRequests,
            detail,
        )
        .route(
            Method::POST,
            "/requests/{id}/actions",
            Permission::ManageRequests,
            act,
        )
        .route(
            Method::POST,
            "/requests/{id}/corrections",
            Permission::ManageRequests,
            correct,
        )
        .route(
            Method::POST,
            "/requests/{id}/erasure",
            Permission::ManageRequests,
            erase,
        )
        .route(
            Method::POST,
            "/requests/{id}/package",
            Permission::ManageRequests,
            prepare_package,
        )
        .route(
            Method::GET,
            "/requests/{id}/package/{package}",
            Permission::ManageRequests,
            download_package,
        )
        .route(
            Method::POST,
            "/public/requests",
            Permission::Public,
            file.layer(from_fn(limits::withdrawals)),
        )
}

#[derive(Debug, Deserialize)]
struct ListParams {
    status: Option<String>,
}

#[utoipa::path(get, path = "/requests", tag = "requests", summary = "The register of data-subject requests",
    params(("status" = Option<String>, Query, description = "`open` (default), `closed` or `all`")),
    responses(
        (status = 200, description = "By due date, most urgent first; counts of overdue and soon due", body = RequestList),
        (status = 422, description = "`validation_failed`: an unknown status filter", body = shared::api::error::ApiError),
    ))]
async fn list(
    State(state): State<AppState>,
    AppQuery(p): AppQuery<ListParams>,
) -> AppResult<Json<RequestList>> {
    let open = match p.status.as_deref().unwrap_or("open") {
        "open" | "" => Some(true),
        "closed" => Some(false),
        "all" => None,
        _ => {
            return Err(AppError::invalid_field(
                "status",
                "invalid",
                "One of open, closed, all",
            ))
        }
    };
    Ok(Json(service::list(&state, open).await?))
}

#[utoipa::path(post, path = "/requests", tag = "requests", summary = "Register a request received outside the app",
    request_body = NewRequest,
    responses(
        (status = 201, description = "The request, with the records found by its identifiers", body = RequestDetail),
        (status = 422, description = "`validation_failed` per field", body = shared::api::error::ApiError),
    ))]
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppJson(req): AppJson<NewRequest>,
) -> AppResult<impl IntoResponse> {
    let detail = service::register(&state, &caller, &origin, locale, req).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

#[utoipa::path(get, path = "/requests/assignees", tag = "requests", summary = "Who a request can be given to",
    responses((status = 200, description = "Enabled admins and privacy officers", body = Vec<Assignee>)))]
async fn assignees(State(state): State<AppState>) -> AppResult<Json<Vec<Assignee>>> {
    Ok(Json(
        state
            .db
            .request_assignees()
            .await?
            .into_iter()
            .map(|(id, name)| Assignee { id, name })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/requests/{id}", tag = "requests", summary = "One request in full",
    params(("id" = SubjectRequestId, Path, description = "The request")),
    responses(
        (status = 200, description = "The request, its records, history and package", body = RequestDetail),
        (status = 404, description = "`not_found`", body = shared::api::error::ApiError),
    ))]
async fn detail(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<SubjectRequestId>,
) -> AppResult<Json<RequestDetail>> {
    Ok(Json(
        service::detail(&state, &caller, &origin, locale, id).await?,
    ))
}

#[utoipa::path(post, path = "/requests/{id}/actions", tag = "requests", summary = "One step of the work on a request",
    params(("id" = SubjectRequestId, Path, description = "The request")), request_body = RequestAction,
    responses(
        (status = 200, description = "The request as it now stands", body = RequestDetail),
        (status = 404, description = "`not_found`", body = shared::api::error::ApiError),
        (status = 409, description = "`conflict`: the request is closed, identity is not checked yet, or no extension is possible", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: `reason`, `note`, `text`, `method`, `assignee` or `identifier.value`", body = shared::api::error::ApiError),
    ))]
async fn act(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<SubjectRequestId>,
    AppJson(action): AppJson<RequestAction>,
) -> AppResult<Json<RequestDetail>> {
    Ok(Json(
        actions::act(&state, &caller, &origin, locale, id, action).await?,
    ))
}

#[utoipa::path(post, path = "/requests/{id}/corrections", tag = "requests", summary = "Correct a value of a linked record",
    description = "A new version of the record, with the request as its reason.",
    params(("id" = SubjectRequestId, Path, description = "The request")), request_body = Correction,
    responses(
        (status = 200, description = "The request as it now stands", body = RequestDetail),
        (status = 409, description = "`conflict`: the request is closed, or the value was withdrawn or erased", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: under the field's key when the form's rules refuse the value", body = shared::api::error::ApiError),
    ))]
async fn correct(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<SubjectRequestId>,
    AppJson(correction): AppJson<Correction>,
) -> AppResult<Json<RequestDetail>> {
    Ok(Json(
        changes::correct(&state, &caller, &origin, locale, id, correction).await?,
    ))
}

#[utoipa::path(post, path = "/requests/{id}/erasure", tag = "requests", summary = "Erase the linked records",
    description = "Every value deleted as retention deletes it; records under a legal hold stay, and `records[].holds` says why.",
    params(("id" = SubjectRequestId, Path, description = "The request")), request_body = ErasureOrder,
    responses(
        (status = 200, description = "The request as it now stands", body = RequestDetail),
        (status = 409, description = "`conflict`: the request is closed or has no records", body = shared::api::error::ApiError),
    ))]
async fn erase(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<SubjectRequestId>,
    AppJson(order): AppJson<ErasureOrder>,
) -> AppResult<Json<RequestDetail>> {
    Ok(Json(
        changes::erase(&state, &caller, &origin, locale, id, order).await?,
    ))
}

#[utoipa::path(post, path = "/requests/{id}/package", tag = "requests", summary = "Prepare the answer package",
    description = "A one-time download for the caller, valid for 24 hours (`package.download_path`).",
    params(("id" = SubjectRequestId, Path, description = "The request")),
    responses((status = 200, description = "The request with its package", body = RequestDetail)))]
async fn prepare_package(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<SubjectRequestId>,
) -> AppResult<Json<RequestDetail>> {
    Ok(Json(
        package::prepare(&state, &caller, &origin, locale, id).await?,
    ))
}

#[utoipa::path(get, path = "/requests/{id}/package/{package}", tag = "requests", summary = "Download the answer package once",
    params(
        ("id" = SubjectRequestId, Path, description = "The request"),
        ("package" = PackageId, Path, description = "The package"),
    ),
    responses(
        (status = 200, description = "The ZIP", content_type = "application/zip", body = Vec<u8>),
        (status = 403, description = "`forbidden`: someone else prepared it", body = shared::api::error::ApiError),
        (status = 409, description = "`conflict`: already downloaded or expired", body = shared::api::error::ApiError),
    ))]
async fn download_package(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath((id, package_id)): AppPath<(SubjectRequestId, PackageId)>,
) -> AppResult<axum::response::Response> {
    let (name, bytes) = package::download(&state, &caller, &origin, id, package_id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
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

#[utoipa::path(post, path = "/public/requests", tag = "requests", summary = "A customer files a request with their receipt",
    description = "The receipt's secret withdrawal token proves which consent it concerns; the request arrives linked to that record.",
    request_body = CustomerRequest,
    responses(
        (status = 201, description = "The reference and the due date", body = RequestFiled),
        (status = 404, description = "`not_found`: no consent matches the receipt and token", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: `requester.name`, `requester.contact`, `details`", body = shared::api::error::ApiError),
    ))]
async fn file(
    State(state): State<AppState>,
    origin: Origin,
    AppJson(req): AppJson<CustomerRequest>,
) -> AppResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(service::file(&state, &origin, req).await?),
    ))
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    create,
    assignees,
    detail,
    act,
    correct,
    erase,
    prepare_package,
    download_package,
    file
))]
pub struct ApiDoc;
