//! HTTP handlers of `/api/v1/retention/*` and `/api/v1/records/{id}/relationship-end`:
//! thin wrappers over the retention services.

use axum::{extract::State, http::Method, http::StatusCode, Json};
use shared::{
    api::{
        records::RecordView,
        retention::{
            LegalHold, NewHold, RelationshipEnd, RetentionForecast, RetentionPlan, RunReport,
            RunSummary,
        },
    },
    ids::{LegalHoldId, RecordId, RetentionRunId},
};

use super::{forecast, holds, relationship, run, views};
use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::AppResult,
    extract::{AppJson, AppPath, Origin},
    state::AppState,
};

/// The routes of this feature.
pub fn routes() -> ApiRoutes {
    use Permission::{EndRelationships, ManageRetention};
    ApiRoutes::new()
        .route(
            Method::GET,
            "/retention/forecast",
            ManageRetention,
            get_forecast,
        )
        .route(Method::POST, "/retention/dry-run", ManageRetention, dry_run)
        .route(Method::GET, "/retention/runs", ManageRetention, list_runs)
        .route(Method::POST, "/retention/runs", ManageRetention, start_run)
        .route(
            Method::GET,
            "/retention/runs/{id}",
            ManageRetention,
            get_run,
        )
        .route(Method::GET, "/retention/holds", ManageRetention, list_holds)
        .route(
            Method::POST,
            "/retention/holds",
            ManageRetention,
            place_hold,
        )
        .route(
            Method::POST,
            "/retention/holds/{id}/lift",
            ManageRetention,
            lift_hold,
        )
        .route(
            Method::PUT,
            "/records/{id}/relationship-end",
            EndRelationships,
            end_relationship,
        )
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/retention/forecast", tag = "retention", summary = "What is due",
    responses((status = 200, description = "Per form and field: values due now and within 7, 30 and 90 days, records held and waiting for a relationship end; the schedule", body = RetentionForecast)))]
async fn get_forecast(
    State(state): State<AppState>,
    Caller(_caller): Caller,
) -> AppResult<Json<RetentionForecast>> {
    Ok(Json(forecast::forecast(&state).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/retention/dry-run", tag = "retention", summary = "What a run now would do",
    description = "Lists what a run at this moment would delete or anonymise, the records holds would skip and the records that cannot be processed; changes nothing.",
    responses((status = 200, description = "The plan", body = RetentionPlan)))]
async fn dry_run(
    State(state): State<AppState>,
    Caller(_caller): Caller,
) -> AppResult<Json<RetentionPlan>> {
    let now = state.clock.now_ms();
    Ok(Json(forecast::dry_run(&state, now).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/retention/runs", tag = "retention", summary = "Retention runs",
    responses((status = 200, description = "The latest 100 runs, newest first", body = Vec<RunSummary>)))]
async fn list_runs(
    State(state): State<AppState>,
    Caller(_caller): Caller,
) -> AppResult<Json<Vec<RunSummary>>> {
    Ok(Json(views::runs(&state).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/retention/runs", tag = "retention", summary = "Run retention now",
    description = "Starts a run; whichever server holds the retention lease carries it out. Poll the run for its report.",
    responses(
        (status = 202, description = "The run, started", body = RunSummary),
        (status = 409, description = "`conflict`: a run is already going", body = shared::api::error::ApiError),
    ))]
async fn start_run(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> AppResult<(StatusCode, Json<RunSummary>)> {
    let run = run::start_manual(&state, &caller.user).await?;
    Ok((StatusCode::ACCEPTED, Json(views::summary_of(&run))))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/retention/runs/{id}", tag = "retention", summary = "A run's execution report",
    params(("id" = shared::ids::RetentionRunId, Path, description = "The run")),
    responses(
        (status = 200, description = "Counts per form, field and action; records held; errors", body = RunReport),
        (status = 404, description = "`not_found`", body = shared::api::error::ApiError),
    ))]
async fn get_run(
    State(state): State<AppState>,
    Caller(_caller): Caller,
    AppPath(id): AppPath<RetentionRunId>,
) -> AppResult<Json<RunReport>> {
    Ok(Json(views::report(&state, id).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(get, path = "/retention/holds", tag = "retention", summary = "Legal holds",
    responses((status = 200, description = "Every hold, newest first", body = Vec<LegalHold>)))]
async fn list_holds(
    State(state): State<AppState>,
    Caller(_caller): Caller,
) -> AppResult<Json<Vec<LegalHold>>> {
    Ok(Json(holds::list(&state).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/retention/holds", tag = "retention", summary = "Place a legal hold",
    request_body = NewHold,
    responses(
        (status = 201, description = "The hold", body = LegalHold),
        (status = 404, description = "`not_found`: no such record or form", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: reason, end date or identifier", body = shared::api::error::ApiError),
    ))]
async fn place_hold(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppJson(req): AppJson<NewHold>,
) -> AppResult<(StatusCode, Json<LegalHold>)> {
    let hold = holds::place(&state, &caller.user, &origin, req).await?;
    Ok((StatusCode::CREATED, Json(hold)))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(post, path = "/retention/holds/{id}/lift", tag = "retention", summary = "Lift a legal hold",
    params(("id" = shared::ids::LegalHoldId, Path, description = "The hold")),
    responses(
        (status = 200, description = "The hold, lifted", body = LegalHold),
        (status = 404, description = "`not_found`", body = shared::api::error::ApiError),
        (status = 409, description = "`conflict`: already lifted", body = shared::api::error::ApiError),
    ))]
async fn lift_hold(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<LegalHoldId>,
) -> AppResult<Json<LegalHold>> {
    Ok(Json(holds::lift(&state, &caller.user, &origin, id).await?))
}

#[tracing::instrument(skip_all)]
#[utoipa::path(put, path = "/records/{id}/relationship-end", tag = "retention", summary = "Record the end of the customer relationship",
    params(("id" = shared::ids::RecordId, Path, description = "The record")), request_body = RelationshipEnd,
    responses(
        (status = 200, description = "The record", body = RecordView),
        (status = 404, description = "`not_found`: no such record in the caller's reach", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: `ended_on` in the future or before collection", body = shared::api::error::ApiError),
    ))]
async fn end_relationship(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    crate::extract::RequestLocale(locale): crate::extract::RequestLocale,
    AppPath(id): AppPath<RecordId>,
    AppJson(req): AppJson<RelationshipEnd>,
) -> AppResult<Json<RecordView>> {
    Ok(Json(
        relationship::end(&state, &caller, &origin, locale, id, &req).await?,
    ))
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    get_forecast,
    dry_run,
    list_runs,
    start_run,
    get_run,
    list_holds,
    place_hold,
    lift_hold,
    end_relationship
))]
pub struct ApiDoc;
