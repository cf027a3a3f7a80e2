//! `/api/v1/records`: thin wrappers over [`super::service`].

use axum::{extract::State, http::Method, Json};
use serde::Deserialize;
use shared::api::{
    conflicts::{ConflictList, ConflictResolved, ResolveConflict},
    records::{
        ConsentState, LookupRequest, RecordFilter, RecordForm, RecordPage, RecordPeople,
        RecordSort, RecordView, RevealRequest, RevealResponse,
    },
    users::{AssignRecordRequest, AssignRecordResponse},
};
use shared::ids::{ConflictId, FormId, RecordId, TeamId, UserId};

use super::{conflicts, service};
use crate::{
    auth::{ApiRoutes, Caller, Permission},
    error::AppResult,
    extract::AppQuery,
    extract::Origin,
    extract::{AppJson, AppPath, RequestLocale},
    requests::service::Issues,
    state::AppState,
};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route(Method::GET, "/records", Permission::ViewRecords, list)
        .route(
            Method::GET,
            "/records/forms",
            Permission::ViewRecords,
            forms,
        )
        .route(
            Method::GET,
            "/records/people",
            Permission::ViewRecords,
            people,
        )
        .route(
            Method::GET,
            "/records/{id}",
            Permission::ViewRecords,
            detail,
        )
        .route(
            Method::GET,
            "/records/{id}/history",
            Permission::ViewRecords,
            history,
        )
        .route(
            Method::GET,
            "/conflicts",
            Permission::ResolveConflicts,
            list_conflicts,
        )
        .route(
            Method::POST,
            "/conflicts/{id}/resolve",
            Permission::ResolveConflicts,
            resolve_conflict,
        )
        .route(
            Method::POST,
            "/records/lookup",
            Permission::ViewRecords,
            lookup,
        )
        .route(
            Method::POST,
            "/records/{id}/reveal",
            Permission::RevealValues,
            reveal,
        )
        .route(
            Method::POST,
            "/records/{id}/assign",
            Permission::AssignRecords,
            assign,
        )
}

/// The list's query: the filter (named as `RecordFilter`'s fields), the order, the
/// place to start and the page's size. Values are read as text so that a bad one is a
/// 422 naming its parameter.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Only records of this form (`form` is read as well)
    #[serde(alias = "form")]
    form_id: Option<String>,
    /// Only records collected with this version of the form
    form_version: Option<String>,
    /// Collected on or after this day (`yyyy-mm-dd`, UTC)
    from: Option<String>,
    /// Collected on or before this day (`yyyy-mm-dd`, UTC)
    to: Option<String>,
    /// Owned by a member of this team (a team out of reach matches nothing)
    team_id: Option<String>,
    /// Owned by this account (an account out of reach matches nothing)
    owner_id: Option<String>,
    /// `in_force`, `partly_withdrawn` or `withdrawn`
    consent: Option<String>,
    /// `newest` (the default) or `oldest` first
    sort: Option<String>,
    /// `next` of the previous page, with the same filter and sort
    cursor: Option<String>,
    /// At most this many (1–200, 50 by default)
    limit: Option<i64>,
}

impl ListParams {
    /// The request, or every bad parameter named in one 422 (the days are checked with
    /// the filter's condition).
    fn parse(self) -> AppResult<service::ListRequest> {
        let mut issues = Issues::default();
        let form_id = read(&mut issues, "form_id", self.form_id, "a form id", |v| {
            FormId::parse(v).ok()
        });
        let form_version = read(
            &mut issues,
            "form_version",
            self.form_version,
            "a version number",
            |v| v.parse::<i64>().ok().filter(|n| *n >= 1),
        );
        let team_id = read(&mut issues, "team_id", self.team_id, "a team id", |v| {
            TeamId::parse(v).ok()
        });
        let owner_id = read(
            &mut issues,
            "owner_id",
            self.owner_id,
            "an account id",
            |v| UserId::parse(v).ok(),
        );
        let consent = read(
            &mut issues,
            "consent",
            self.consent,
            "in_force, partly_withdrawn or withdrawn",
            ConsentState::parse,
        );
        let sort = read(
            &mut issues,
            "sort",
            self.sort,
            "newest or oldest",
            RecordSort::parse,
        );
        let after = read(
            &mut issues,
            "cursor",
            self.cursor,
            "the cursor of a page of this list",
            service::PageCursor::decode,
        );
        issues.done()?;
        let day = |d: Option<String>| d.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
        Ok(service::ListRequest {
            filter: RecordFilter {
                form_id,
                form_version,
                from: day(self.from),
                to: day(self.to),
                team_id,
                owner_id,
                consent,
            },
            sort: sort.unwrap_or_default(),
            after,
            limit: self.limit.unwrap_or(50).clamp(1, 200),
        })
    }
}

/// A query parameter read by `parse` when given (an empty value, a picker's "all", is
/// not); one that does not parse is an issue under `field`.
fn read<T>(
    issues: &mut Issues,
    field: &str,
    value: Option<String>,
    expected: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Option<T> {
    let value = value?;
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let parsed = parse(value);
    if parsed.is_none() {
        issues.add(field, "invalid", format!("Expected {expected}"));
    }
    parsed
}

#[utoipa::path(get, path = "/records", tag = "records", summary = "List records in the caller's reach",
    description = "Staff see what they own, managers what their team owns (and unowned records when their team is the intake team), admins, auditors and privacy officers everything; values are masked by role. The filter narrows that reach (a team or owner outside it matches nothing); pages follow each other by `cursor`, over (collection time, id), so records collected in the same millisecond are neither skipped nor repeated.",
    params(ListParams),
    responses(
        (status = 200, description = "A page in the order asked for", body = shared::api::records::RecordPage),
        (status = 422, description = "`validation_failed`: a parameter does not parse (an id, a day, the consent state, the order, the cursor) or `to` is before `from`; `details.fields` names it", body = shared::api::error::ApiError),
    ))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppQuery(p): AppQuery<ListParams>,
) -> AppResult<Json<RecordPage>> {
    let req = p.parse()?;
    Ok(Json(
        service::list(&state, &caller, &origin, locale, &req).await?,
    ))
}

#[utoipa::path(get, path = "/records/people", tag = "records", summary = "Teams and owners of the records in reach",
    description = "By name, for the list's filter: the accounts owning records the caller may see and their teams (a manager's own team only; staff themselves).",
    responses((status = 200, description = "Teams by name, owners by display name", body = shared::api::records::RecordPeople)))]
async fn people(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> AppResult<Json<RecordPeople>> {
    Ok(Json(service::people(&state, &caller).await?))
}

#[utoipa::path(get, path = "/records/{id}/history", tag = "records", summary = "A record's history",
    description = "Every version, oldest first: who, when, from which device, why (an edit, a resolved conflict, a correction for a data-subject request) and which fields changed; values masked by role.",
    params(("id" = shared::ids::RecordId, Path, description = "The record")),
    responses(
        (status = 200, description = "The versions", body = shared::api::records::RecordHistory),
        (status = 404, description = "`not_found`: no such record in the caller's reach", body = shared::api::error::ApiError),
    ))]
async fn history(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<RecordId>,
) -> AppResult<Json<shared::api::records::RecordHistory>> {
    Ok(Json(
        super::history::history(&state, &caller, &origin, locale, id).await?,
    ))
}

#[utoipa::path(get, path = "/records/forms", tag = "records", summary = "The forms of the records in reach",
    responses((status = 200, description = "By title, for the list's filter", body = Vec<shared::api::records::RecordForm>)))]
async fn forms(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> AppResult<Json<Vec<RecordForm>>> {
    Ok(Json(service::forms(&state, &caller).await?))
}

#[utoipa::path(post, path = "/records/{id}/reveal", tag = "records", summary = "Reveal a masked value",
    description = "With a reason, kept in the audit log.",
    params(("id" = shared::ids::RecordId, Path, description = "The record")), request_body = shared::api::records::RevealRequest,
    responses(
        (status = 200, description = "The value in full", body = shared::api::records::RevealResponse),
        (status = 422, description = "`validation_failed`: the reason is too short or too long, or the field has no value to reveal", body = shared::api::error::ApiError),
    ))]
async fn reveal(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<RecordId>,
    AppJson(req): AppJson<RevealRequest>,
) -> AppResult<Json<RevealResponse>> {
    Ok(Json(
        service::reveal(&state, &caller, &origin, id, &req.field, &req.reason).await?,
    ))
}

#[utoipa::path(post, path = "/records/{id}/assign", tag = "records", summary = "Give a record to an owner",
    params(("id" = shared::ids::RecordId, Path, description = "The record")), request_body = shared::api::users::AssignRecordRequest,
    responses(
        (status = 200, description = "Assigned", body = shared::api::users::AssignRecordResponse),
        (status = 422, description = "`validation_failed`: the owner cannot own records or is outside the manager's team", body = shared::api::error::ApiError),
    ))]
async fn assign(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    AppPath(id): AppPath<RecordId>,
    AppJson(req): AppJson<AssignRecordRequest>,
) -> AppResult<Json<AssignRecordResponse>> {
    Ok(Json(
        service::assign(&state, &caller, &origin, id, req.owner_id).await?,
    ))
}

#[utoipa::path(post, path = "/records/lookup", tag = "records", summary = "Find records by an identifier",
    description = "By phone, email or resident ID number, through blind indexes: nothing is decrypted to search.",
    request_body = shared::api::records::LookupRequest,
    responses(
        (status = 200, description = "The matching records in reach", body = shared::api::records::RecordPage),
        (status = 422, description = "`validation_failed`: the value is not of its kind", body = shared::api::error::ApiError),
    ))]
async fn lookup(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppJson(req): AppJson<LookupRequest>,
) -> AppResult<Json<RecordPage>> {
    Ok(Json(
        service::lookup(&state, &caller, &origin, locale, req.kind, &req.value).await?,
    ))
}

#[utoipa::path(get, path = "/records/{id}", tag = "records", summary = "One record",
    params(("id" = shared::ids::RecordId, Path, description = "The record")),
    responses((status = 200, description = "The record, masked by role", body = shared::api::records::RecordView)))]
async fn detail(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<RecordId>,
) -> AppResult<Json<RecordView>> {
    Ok(Json(
        service::detail(&state, &caller, &origin, locale, id).await?,
    ))
}

#[utoipa::path(get, path = "/conflicts", tag = "conflicts", summary = "Open edit conflicts",
    responses((status = 200, description = "The conflicts in the caller's reach, both values masked by role", body = shared::api::conflicts::ConflictList)))]
async fn list_conflicts(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
) -> AppResult<Json<ConflictList>> {
    Ok(Json(conflicts::list(&state, &caller, &origin).await?))
}

#[utoipa::path(post, path = "/conflicts/{id}/resolve", tag = "conflicts", summary = "Resolve a conflict",
    params(("id" = shared::ids::ConflictId, Path, description = "The conflict")), request_body = shared::api::conflicts::ResolveConflict,
    responses(
        (status = 200, description = "Resolved", body = shared::api::conflicts::ConflictResolved),
        (status = 409, description = "`already_resolved`, or `conflict`: the value can no longer apply", body = shared::api::error::ApiError),
        (status = 422, description = "`validation_failed`: the device's value no longer fits the record", body = shared::api::error::ApiError),
    ))]
async fn resolve_conflict(
    State(state): State<AppState>,
    Caller(caller): Caller,
    origin: Origin,
    RequestLocale(locale): RequestLocale,
    AppPath(id): AppPath<ConflictId>,
    AppJson(req): AppJson<ResolveConflict>,
) -> AppResult<Json<ConflictResolved>> {
    Ok(Json(
        conflicts::resolve(&state, &caller, &origin, locale, id, &req).await?,
    ))
}

/// The OpenAPI description of these routes (see `crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    forms,
    people,
    detail,
    history,
    list_conflicts,
    resolve_conflict,
    lookup,
    reveal,
    assign
))]
pub struct ApiDoc;
