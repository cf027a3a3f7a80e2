//! Teams: named groups of accounts. A manager sees and assigns the records of their
//! team; membership is set on the account (`PUT /users/{id}`).

use shared::api::users::{name_problem, TeamRequest, TeamSummary, MAX_NAME_CHARS};
use shared::ids::TeamId;

use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::{
        accounts::{self, is_unique_violation, TeamRow},
        now_ms,
    },
};

fn summary(row: TeamRow) -> TeamSummary {
    TeamSummary {
        id: row.id,
        name: row.name,
        members: row.members,
        created_at_ms: row.created_at_ms,
    }
}

fn check_name(req: &TeamRequest) -> AppResult<String> {
    match name_problem(&req.name) {
        None => Ok(req.name.trim().to_owned()),
        Some("required") => Err(AppError::invalid_field(
            "name",
            "required",
            "Enter the team's name",
        )),
        Some(code) => Err(AppError::invalid_field(
            "name",
            code,
            format!("Use at most {MAX_NAME_CHARS} characters"),
        )),
    }
}

fn name_taken() -> AppError {
    AppError::conflict("Another team has that name")
}

/// Every team.
pub async fn list(state: &AppState) -> AppResult<Vec<TeamSummary>> {
    Ok(state.db.teams().await?.into_iter().map(summary).collect())
}

/// Creates a team; 409 when the name is taken.
pub async fn create(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    req: &TeamRequest,
) -> AppResult<TeamSummary> {
    let name = check_name(req)?;
    let id = TeamId::from_uuid(uuid::Uuid::new_v4());
    let mut tx = state.db.begin_write().await?;
    if !accounts::insert_team(&mut tx, id, &name, now_ms()).await? {
        return Err(name_taken());
    }
    let event = Event::new("teams.create", Some(&caller.user))
        .target("team", id)
        .details(serde_json::json!({ "attributes": ["name"] }));
    audit::record(&mut tx, origin, event).await?;
    let team = accounts::team_on(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::invariant(format!("team {id} vanished")))?;
    tx.commit().await?;
    Ok(summary(team))
}

/// Renames a team; 404 when there is none, 409 when the name is taken.
pub async fn rename(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    team_id: TeamId,
    req: &TeamRequest,
) -> AppResult<TeamSummary> {
    let not_found = || AppError::not_found("No such team");
    let id = team_id;
    let name = check_name(req)?;
    let mut tx = state.db.begin_write().await?;
    let current = accounts::team_on(&mut tx, id)
        .await?
        .ok_or_else(not_found)?;
    if current.name == name {
        return Ok(summary(current));
    }
    if accounts::team_name_taken(&mut tx, &name, id).await? {
        return Err(name_taken());
    }
    match accounts::rename_team(&mut tx, id, &name).await {
        Ok(()) => {}
        Err(e) if is_unique_violation(&e) => return Err(name_taken()),
        Err(e) => return Err(e.into()),
    }
    let event = Event::new("teams.update", Some(&caller.user))
        .target("team", id)
        .details(serde_json::json!({ "changed": ["name"] }));
    audit::record(&mut tx, origin, event).await?;
    tx.commit().await?;
    Ok(summary(TeamRow { name, ..current }))
}
