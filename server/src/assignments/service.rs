//! The rules of form assignment: who may give which form to whom, replacing a form's
//! assignments within the caller's reach, and the forms a collector gets.
//!
//! Admins reach every team and every collecting account; a manager reaches their own
//! team and the accounts in it, and nothing when they have no team. A change replaces
//! the assignments within reach and leaves the others as they are. Naming a team or an
//! account outside the reach is 403 `forbidden` with the ids per field; unknown ids are
//! 422 `validation_failed`; a form that is archived or was never published is 409.
//! Each change and its `forms.assign` audit entry (ids only) commit together.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use shared::{
    api::{
        assignments::{
            AssignableForm, AssignableTeam, AssignableUser, AssignedForm, AssignmentBoard,
            FormAssignments, MAX_ASSIGNEES, NOT_A_COLLECTOR, OUTSIDE_TEAM, TOO_MANY, UNKNOWN_TEAM,
            UNKNOWN_USER,
        },
        auth::Role,
        error::{ApiError, ErrorCode, FieldIssue},
        forms::{FormStatus, VersionDetail, VersionSummary},
    },
    ids::{FormId, TeamId, UserId},
    schema::FormDefinition,
};

use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::{
        assignments::{self as store, AssignmentRow, LatestVersionRow},
        now_ms,
    },
};

/// Whom a caller may give forms to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Admins: every team and account.
    Everyone,
    /// A manager: their team (none: nobody) and its members.
    Team(Option<TeamId>),
}

impl Reach {
    /// True when a team is within reach.
    #[must_use]
    pub fn covers_team(&self, team_id: TeamId) -> bool {
        match self {
            Reach::Everyone => true,
            Reach::Team(own) => *own == Some(team_id),
        }
    }

    /// True when an account in `user_team` is within reach.
    #[must_use]
    pub fn covers_user(&self, user_team: Option<TeamId>) -> bool {
        match self {
            Reach::Everyone => true,
            Reach::Team(own) => own.is_some() && *own == user_team,
        }
    }

    /// True when an assignment (of an account in `user_team`, for user rows) is within reach.
    #[must_use]
    pub fn covers(&self, row: &AssignmentRow, user_team: Option<TeamId>) -> bool {
        match (row.user_id, row.team_id) {
            (Some(_), _) => self.covers_user(user_team),
            (None, Some(team)) => self.covers_team(team),
            (None, None) => false,
        }
    }
}

/// Accounts and teams a form is (or is to be) assigned to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignees {
    pub users: BTreeSet<UserId>,
    pub teams: BTreeSet<TeamId>,
}

impl Assignees {
    /// True when there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.teams.is_empty()
    }

    /// As the API writes them: ids as text, sorted.
    #[must_use]
    pub fn to_wire(&self) -> FormAssignments {
        FormAssignments {
            users: self.users.iter().map(ToString::to_string).collect(),
            teams: self.teams.iter().map(ToString::to_string).collect(),
        }
        .normalized()
    }
}

/// What a replacement changes: ids to add and to take away.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub added: Assignees,
    pub removed: Assignees,
}

impl Plan {
    /// True when nothing changes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// The changes that make the assignments within `reach` equal `wanted` (which must lie
/// within it); `current` pairs each assignment with its account's team.
#[must_use]
pub fn plan(
    reach: &Reach,
    current: &[(AssignmentRow, Option<TeamId>)],
    wanted: &Assignees,
) -> Plan {
    let mut have = Assignees::default();
    for (row, user_team) in current {
        if !reach.covers(row, *user_team) {
            continue;
        }
        have.users.extend(row.user_id);
        have.teams.extend(row.team_id);
    }
    Plan {
        added: Assignees {
            users: wanted.users.difference(&have.users).copied().collect(),
            teams: wanted.teams.difference(&have.teams).copied().collect(),
        },
        removed: Assignees {
            users: have.users.difference(&wanted.users).copied().collect(),
            teams: have.teams.difference(&wanted.teams).copied().collect(),
        },
    }
}

/// The caller's reach, read on `conn` (a manager's team may have just changed).
async fn reach_of(conn: &mut sqlx::AnyConnection, caller: &Principal) -> AppResult<Reach> {
    Ok(match caller.role() {
        Role::Admin => Reach::Everyone,
        _ => Reach::Team(store::team_of(conn, caller.user.id).await?),
    })
}

fn read_definition(json: &str) -> AppResult<FormDefinition> {
    FormDefinition::from_json(json).map_err(|e| AppError::internal("a stored version", e))
}

/// A version as the public form endpoint shows it (without who published it).
fn public_version(latest: LatestVersionRow) -> AppResult<VersionDetail> {
    Ok(VersionDetail {
        definition: read_definition(&latest.definition_json)?,
        summary: VersionSummary {
            number: latest.version.number,
            hash: latest.version.hash,
            published_at_ms: latest.version.published_at_ms,
            published_by: None,
        },
        form_id: latest.form_id,
    })
}

/// One form on the board: its assignments within `reach` and the count of the others.
fn assignable(
    version: VersionDetail,
    rows: &[&AssignmentRow],
    team_of_user: &HashMap<UserId, Option<TeamId>>,
    reach: &Reach,
) -> AssignableForm {
    let mut assignments = Assignees::default();
    let mut elsewhere = 0;
    for row in rows {
        let user_team = row
            .user_id
            .and_then(|u| team_of_user.get(&u).copied().flatten());
        if reach.covers(row, user_team) {
            assignments.users.extend(row.user_id);
            assignments.teams.extend(row.team_id);
        } else {
            elsewhere += 1;
        }
    }
    AssignableForm {
        form_id: version.form_id,
        title: version.definition.title,
        latest_version: version.summary,
        assignments: assignments.to_wire(),
        assigned_elsewhere: elsewhere,
    }
}

/// The assignment page: forms, their assignments and whom the caller may assign to.
pub async fn board(state: &AppState, caller: &Principal) -> AppResult<AssignmentBoard> {
    let db = &state.db;
    let reach = reach_of(&mut *db.pool().acquire().await?, caller).await?;
    let collectors = db.collectors().await?;
    let team_of_user: HashMap<UserId, Option<TeamId>> =
        collectors.iter().map(|c| (c.id, c.team_id)).collect();
    let all = db.form_assignments().await?;
    let mut by_form: HashMap<FormId, Vec<&AssignmentRow>> = HashMap::new();
    for row in &all {
        by_form.entry(row.form_id).or_default().push(row);
    }
    let mut forms = Vec::new();
    for latest in db.latest_active_versions().await? {
        let rows = by_form.remove(&latest.form_id).unwrap_or_default();
        let version = public_version(latest)?;
        forms.push(assignable(version, &rows, &team_of_user, &reach));
    }
    forms.sort_by(|a, b| {
        b.latest_version
            .published_at_ms
            .cmp(&a.latest_version.published_at_ms)
            .then_with(|| a.form_id.cmp(&b.form_id))
    });
    let teams: Vec<AssignableTeam> = db
        .teams()
        .await?
        .into_iter()
        .filter(|t| reach.covers_team(t.id))
        .map(|t| AssignableTeam {
            id: t.id,
            name: t.name,
        })
        .collect();
    let own_team = match &reach {
        Reach::Everyone => None,
        Reach::Team(_) => teams.first().cloned(),
    };
    let users = collectors
        .into_iter()
        .filter(|c| reach.covers_user(c.team_id))
        .map(|c| AssignableUser {
            id: c.id,
            username: c.username,
            display_name: c.display_name,
            role: c.role,
            team_id: c.team_id,
            disabled: c.disabled,
        })
        .collect();
    Ok(AssignmentBoard {
        forms,
        teams,
        users,
        own_team,
    })
}

/// Issues for ids, keyed by request field (`users`, `teams`), each naming its id.
#[derive(Default)]
struct Issues(BTreeMap<String, Vec<FieldIssue>>);

impl Issues {
    fn add(&mut self, field: &str, code: &str, id: &str, message: &str) {
        let mut params = BTreeMap::new();
        params.insert("id".to_owned(), id.to_owned());
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(FieldIssue {
                code: code.to_owned(),
                params,
                message: message.to_owned(),
            });
    }

    fn into_error(self, code: ErrorCode, message: &str) -> AppResult<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(AppError::Client(ApiError::with_fields(
            code, message, self.0,
        )))
    }
}

/// A request's ids, parsed: the ids that are UUIDs, without repeats, and the others
/// reported as unknown under `field`.
fn parse_ids<T: Ord + std::str::FromStr>(
    raw: &[String],
    field: &str,
    code: &str,
    unknown: &mut Issues,
    message: &str,
) -> BTreeSet<T> {
    let mut ids = BTreeSet::new();
    for id in raw {
        match id.parse() {
            Ok(id) => {
                ids.insert(id);
            }
            Err(_) => unknown.add(field, code, id, message),
        }
    }
    ids
}

/// Replaces the assignments of a form within the caller's reach.
pub async fn replace(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    form_id: FormId,
    wanted: FormAssignments,
) -> AppResult<AssignableForm> {
    for (field, list) in [("users", &wanted.users), ("teams", &wanted.teams)] {
        if list.len() > MAX_ASSIGNEES {
            return Err(AppError::invalid_field(
                field,
                TOO_MANY,
                format!("Name at most {MAX_ASSIGNEES} at once"),
            ));
        }
    }
    const NO_ACCOUNT: &str = "There is no such account";
    const NO_TEAM: &str = "There is no such team";
    let mut unknown = Issues::default();
    let wanted = Assignees {
        users: parse_ids(
            &wanted.users,
            "users",
            UNKNOWN_USER,
            &mut unknown,
            NO_ACCOUNT,
        ),
        teams: parse_ids(&wanted.teams, "teams", UNKNOWN_TEAM, &mut unknown, NO_TEAM),
    };
    let mut tx = state.db.begin_write().await?;
    let (status, published) = store::lock_form(&mut tx, state.db.kind(), form_id)
        .await?
        .ok_or_else(|| AppError::not_found("No such form"))?;
    if FormStatus::parse(&status) != Some(FormStatus::Active) || !published {
        return Err(AppError::conflict(
            "Only active forms with a published version can be assigned",
        ));
    }

    // Every id must name a team or a collecting account…
    let users: Vec<UserId> = wanted.users.iter().copied().collect();
    let accounts = store::accounts_named(&mut tx, &users).await?;
    let found: HashMap<UserId, (Role, Option<TeamId>)> = accounts
        .into_iter()
        .map(|(id, role, team)| (id, (role, team)))
        .collect();
    for id in &wanted.users {
        let id_text = id.to_string();
        match found.get(id) {
            None => unknown.add("users", UNKNOWN_USER, &id_text, NO_ACCOUNT),
            Some((Role::Admin | Role::Auditor | Role::PrivacyOfficer, _)) => unknown.add(
                "users",
                NOT_A_COLLECTOR,
                &id_text,
                "Forms can be assigned to staff and managers only",
            ),
            Some(_) => {}
        }
    }
    let teams: Vec<TeamId> = wanted.teams.iter().copied().collect();
    let teams: BTreeSet<TeamId> = store::existing_teams(&mut tx, &teams)
        .await?
        .into_iter()
        .collect();
    for id in wanted.teams.difference(&teams) {
        unknown.add("teams", UNKNOWN_TEAM, &id.to_string(), NO_TEAM);
    }
    unknown.into_error(
        ErrorCode::ValidationFailed,
        "Some teams or accounts are unknown",
    )?;

    // …within the caller's reach.
    let reach = reach_of(&mut tx, caller).await?;
    let mut outside = Issues::default();
    for id in &wanted.users {
        let team = found.get(id).and_then(|(_, team)| *team);
        if !reach.covers_user(team) {
            let message = "Managers may assign forms only to members of their own team";
            outside.add("users", OUTSIDE_TEAM, &id.to_string(), message);
        }
    }
    for id in wanted.teams.iter().filter(|t| !reach.covers_team(**t)) {
        let message = "Managers may assign forms only to their own team";
        outside.add("teams", OUTSIDE_TEAM, &id.to_string(), message);
    }
    outside.into_error(
        ErrorCode::Forbidden,
        "Managers may assign forms only to their own team and its members",
    )?;

    let current = store::assignments_of(&mut tx, form_id).await?;
    let plan = plan(&reach, &current, &wanted);
    if !plan.is_empty() {
        let now = now_ms();
        let by = caller.user.id;
        for &user in &plan.removed.users {
            store::delete_assignment(&mut tx, form_id, Some(user), None).await?;
        }
        for &team in &plan.removed.teams {
            store::delete_assignment(&mut tx, form_id, None, Some(team)).await?;
        }
        for &user in &plan.added.users {
            store::insert_assignment(&mut tx, form_id, Some(user), None, by, now).await?;
        }
        for &team in &plan.added.teams {
            store::insert_assignment(&mut tx, form_id, None, Some(team), by, now).await?;
        }
        let (added, removed) = (plan.added.to_wire(), plan.removed.to_wire());
        let details = serde_json::json!({
            "added": {"users": added.users, "teams": added.teams},
            "removed": {"users": removed.users, "teams": removed.teams},
        });
        let event = Event::new("forms.assign", Some(&caller.user))
            .target("form", form_id.to_string())
            .details(details);
        audit::record(&mut tx, origin, event).await?;
        tx.commit().await?;
        tracing::info!(form_id = %form_id, "form assignments changed");
    } else {
        tx.rollback().await?;
    }
    board(state, caller)
        .await?
        .forms
        .into_iter()
        .find(|f| f.form_id == form_id)
        .ok_or_else(|| AppError::conflict("The form was archived meanwhile"))
}

/// The latest version of every active form assigned to the caller or their team.
pub async fn my_forms(state: &AppState, caller: &Principal) -> AppResult<Vec<AssignedForm>> {
    state
        .db
        .forms_assigned_to(caller.user.id)
        .await?
        .into_iter()
        .map(|row| {
            Ok(AssignedForm {
                version: public_version(row.latest)?,
                direct: row.direct,
                via_team: row.via_team,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> FormId {
        FormId::from_uuid(uuid::Uuid::from_bytes([0xf; 16]))
    }

    /// A distinct id for each short name.
    fn named(name: &str) -> uuid::Uuid {
        let mut bytes = [0; 16];
        bytes[..name.len()].copy_from_slice(name.as_bytes());
        uuid::Uuid::from_bytes(bytes)
    }

    fn uid(name: &str) -> UserId {
        UserId::from_uuid(named(name))
    }

    fn tid(name: &str) -> TeamId {
        TeamId::from_uuid(named(name))
    }

    fn user(name: &str) -> AssignmentRow {
        AssignmentRow {
            form_id: form(),
            user_id: Some(uid(name)),
            team_id: None,
        }
    }

    fn team(name: &str) -> AssignmentRow {
        AssignmentRow {
            form_id: form(),
            user_id: None,
            team_id: Some(tid(name)),
        }
    }

    fn wanted(users: &[&str], teams: &[&str]) -> Assignees {
        Assignees {
            users: users.iter().map(|s| uid(s)).collect(),
            teams: teams.iter().map(|s| tid(s)).collect(),
        }
    }

    #[test]
    fn a_managers_reach_is_their_team_and_its_members() {
        let north = Reach::Team(Some(tid("north")));
        assert!(north.covers_team(tid("north")));
        assert!(!north.covers_team(tid("south")));
        assert!(north.covers_user(Some(tid("north"))));
        assert!(!north.covers_user(Some(tid("south"))));
        assert!(!north.covers_user(None));
        let nowhere = Reach::Team(None);
        assert!(!nowhere.covers_user(None));
        assert!(!nowhere.covers_team(tid("north")));
        assert!(Reach::Everyone.covers_user(None));
    }

    #[test]
    fn a_plan_changes_only_what_lies_within_reach() {
        let current = vec![
            (team("north"), None),
            (team("south"), None),
            (user("n1"), Some(tid("north"))),
            (user("s1"), Some(tid("south"))),
        ];
        let north = Reach::Team(Some(tid("north")));
        let p = plan(&north, &current, &wanted(&["n2"], &[]));
        assert_eq!(p.added, wanted(&["n2"], &[]));
        assert_eq!(p.removed, wanted(&["n1"], &["north"]));

        let p = plan(&Reach::Everyone, &current, &wanted(&["s1"], &["south"]));
        assert_eq!(p.added, Assignees::default());
        assert_eq!(p.removed, wanted(&["n1"], &["north"]));

        let same = plan(&north, &current, &wanted(&["n1"], &["north"]));
        assert!(same.is_empty());
    }
}
