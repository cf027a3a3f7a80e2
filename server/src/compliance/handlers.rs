//! `/api/v1/compliance`: thin wrappers over [`super::service`], [`super::charts`],
//! [`super::reports`] and [`super::settings`].

use axum::{
    extract::State,
    http::{Method, StatusCode},
    response::Response,
    Json,
};
use shared::{
    api::compliance::{
        CheckDrillDown, ComplianceCharts, ComplianceOverview, ComplianceQuery, ComplianceReport,
        NewReport, ReportEntry, ReportList, ReportSettings,
    },
    compliance::CheckId,
};

use super::{
    charts,
    documents::{json_response, DocumentFormat, DocumentQuery},
    html, reports, service, settings, view_for,
};
use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::{AppError, AppResult},
    extract::{AppJson, AppPath, AppQuery, Origin, RequestLocale},
    state::AppState,
};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(
            Method::GET,
            "/compliance",
            Permission::ViewCompliance,
            overview,
        )
        .route(
            Method::GET,
            "/compliance/checks/{check}",
            Permission::ViewCompliance,
            drill,
        )
        .route(
            Method::GET,
            "/compliance/charts",
            Permission::ViewCompliance,
            chart_data,
        )
        .route(
            Method::GET,
            "/compliance/reports",
            Permission::ComplianceReports,
            list_reports,
        )
        .route(
            Method::POST,
            "/compliance/reports",
            Permission::ComplianceReports,
            make_report,
        )
        .route(
            Method::GET,
            "/compliance/reports/{id}",
            Permission::ComplianceReports,
            download_report,
        )
        .route(
            Method::PUT,
            "/compliance/settings",
            Permission::ConfigureCompliance,
            put_settings,
        )
}

#[utoipa::path(get, path = "/compliance", tag = "compliance", summary = "The compliance dashboard",
    description = "Every documented check computed over the data now, the overall rate (the sum of passed over the sum of totals), the failing checks most urgent first, per form and per team, and the trend of the daily snapshots. A manager sees their team's checks only; admins, privacy officers and auditors may narrow the view to a form or a team.",
    params(ComplianceQuery),
    responses(
        (status = 200, description = "The overview", body = ComplianceOverview),
        (status = 403, description = "`forbidden`: staff, or a manager asking for another team or in no team", body = shared::api::error::ApiError),
        (status = 404, description = "`not_found`: no such form or team", body = shared::api::error::ApiError),
    ))]
async fn overview(
    State(state): State<AppState>,
    Caller(caller): Caller,
    AppQuery(query): AppQuery<ComplianceQuery>,
) -> AppResult<Json<ComplianceOverview>> {
    let view = view_for(&state, &caller, &query).await?;
    Ok(Json(service::overview(&state, &view).await?))
}

#[utoipa::path(get, path = "/compliance/checks/{check}", tag = "compliance", summary = "What fails one check",
    description = "The first 200 failing records, requests, exports, devices, forms or accounts of the check, oldest first, with why they fail (field labels and dates, never a value) and where in the console to fix them.",
    params(("check" = String, Path, description = "The check's name, such as `lawful_basis`"), ComplianceQuery),
    responses(
        (status = 200, description = "The drill-down", body = CheckDrillDown),
        (status = 403, description = "`forbidden`: the check is not in the viewer's view (a manager and an organisation-wide check)", body = shared::api::error::ApiError),
        (status = 404, description = "`not_found`: no such check, form or team", body = shared::api::error::ApiError),
    ))]
async fn drill(
    State(state): State<AppState>,
    Caller(caller): Caller,
    AppPath(check): AppPath<String>,
    AppQuery(query): AppQuery<ComplianceQuery>,
) -> AppResult<Json<CheckDrillDown>> {
    let check = CheckId::parse(&check).ok_or_else(|| AppError::not_found("No such check"))?;
    let view = view_for(&state, &caller, &query).await?;
    Ok(Json(service::drill(&state, &view, check).await?))
}

#[utoipa::path(get, path = "/compliance/charts", tag = "compliance", summary = "What the dashboard draws",
    description = "Consents granted and declined per purpose per week, withdrawals, records by sensitivity and by source, retention due, requests by status, exports and alerts per week, in the viewer's view.",
    params(ComplianceQuery),
    responses(
        (status = 200, description = "The charts' data", body = ComplianceCharts),
        (status = 403, description = "`forbidden`", body = shared::api::error::ApiError),
        (status = 404, description = "`not_found`: no such form or team", body = shared::api::error::ApiError),
    ))]
async fn chart_data(
    State(state): State<AppState>,
    Caller(caller): Caller,
    AppQuery(query): AppQuery<ComplianceQuery>,
) -> AppResult<Json<ComplianceCharts>> {
    let view = view_for(&state, &caller, &query).await?;
    Ok(Json(charts::charts(&state, &view).await?))
}

#[utoipa::path(get, path = "/compliance/reports", tag = "compliance", summary = "The kept compliance reports",
    description = "Newest first, with how each reached the webhook and e-mail, and the schedule.",
    responses((status = 200, description = "The reports", body = ReportList)))]
async fn list_reports(State(state): State<AppState>) -> AppResult<Json<ReportList>> {
    Ok(Json(reports::list(&state).await?))
}

#[utoipa::path(post, path = "/compliance/reports", tag = "compliance", summary = "Make a compliance report now",
    description = "For a period that has started (an end in the future is cut to now), up to 400 days. Kept and audited.",
    request_body = NewReport,
    responses(
        (status = 201, description = "Made", body = ReportEntry),
        (status = 422, description = "`validation_failed`: `period` (reversed, in the future, too long)", body = shared::api::error::ApiError),
    ))]
async fn make_report(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(req): AppJson<NewReport>,
) -> AppResult<(StatusCode, Json<ReportEntry>)> {
    let entry = reports::make_on_demand(
        &state,
        &caller.user,
        &origin,
        req.period_from_ms,
        req.period_to_ms,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

#[utoipa::path(get, path = "/compliance/reports/{id}", tag = "compliance", summary = "A kept report as a file",
    description = "`format=json` (the default) or `html` (printable; print it to PDF from the browser), shown or with `download=true` saved. Stamped with the time and the audit chain's head at which it was computed.",
    params(
        ("id" = String, Path, description = "The report's id"),
        ("format" = Option<String>, Query, description = "`json` or `html`"),
        ("lang" = Option<String>, Query, description = "`zh-CN` or `en` (else the request's language)"),
        ("download" = Option<String>, Query, description = "`true` to save it as a file"),
    ),
    responses(
        (status = 200, description = "The report", body = ComplianceReport),
        (status = 404, description = "`not_found`", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: `format`, `lang`, `download`", body = shared::api::error::ApiError),
    ))]
async fn download_report(
    State(state): State<AppState>,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<String>,
    AppQuery(query): AppQuery<DocumentQuery>,
) -> AppResult<Response> {
    let req = query.check(locale)?;
    let id = uuid::Uuid::parse_str(&id).map_err(|_| AppError::not_found("No such report"))?;
    let report = reports::get(&state, &id.to_string()).await?;
    let stem = format!("compliance-report-{}", report.id);
    Ok(match req.format {
        DocumentFormat::Json => {
            let json =
                serde_json::to_vec_pretty(&report).map_err(|e| AppError::internal("report", e))?;
            json_response(json, &stem, req.download)
        }
        DocumentFormat::Html => html::html_response(
            html::report(&report, req.locale),
            &format!("{stem}-{}", req.locale.tag()),
            req.download,
        ),
    })
}

#[utoipa::path(put, path = "/compliance/settings", tag = "compliance", summary = "The reports' schedule and the checks' thresholds",
    request_body = ReportSettings,
    responses(
        (status = 200, description = "Saved", body = ReportSettings),
        (status = 422, description = "`validation_failed`: `device_idle_days`, `head_signed_within_hours`", body = shared::api::error::ApiError),
    ))]
async fn put_settings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(new): AppJson<ReportSettings>,
) -> AppResult<Json<ReportSettings>> {
    Ok(Json(settings::save(&state, &caller, &origin, new).await?))
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    overview,
    drill,
    chart_data,
    list_reports,
    make_report,
    download_report,
    put_settings
))]
pub struct ApiDoc;
