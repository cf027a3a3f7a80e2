//! Form assignments in the database: which forms staff and managers collect with.
//!
//! Writes take the caller's transaction, so the audit entry describing a change commits
//! with it. A row names a user or a team, never both (the table checks it).

use shared::{
    api::{auth::Role, system::DatabaseKind},
    ids::{FormId, TeamId, UserId},
};
use sqlx::{any::AnyRow, AnyConnection, Row as _};

use super::{forms::VersionRow, Db, IdColumn as _};

/// One assignment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    pub form_id: FormId,
    pub user_id: Option<UserId>,
    pub team_id: Option<TeamId>,
}

/// A collecting account (staff or manager), as the assignment page lists it.
#[derive(Debug, Clone)]
pub struct CollectorRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub disabled: bool,
}

/// The latest version of an active form, with its definition JSON.
#[derive(Debug, Clone)]
pub struct LatestVersionRow {
    pub form_id: FormId,
    pub version: VersionRow,
    pub definition_json: String,
}

/// A form assigned to a user, with how.
#[derive(Debug, Clone)]
pub struct AssignedRow {
    pub latest: LatestVersionRow,
    pub direct: bool,
    pub via_team: bool,
}

/// The latest version of each active form, joined as `v`.
const LATEST_OF_ACTIVE: &str = "JOIN forms f ON f.id = v.form_id AND f.status = 'active' \
     WHERE v.version_number = \
       (SELECT MAX(m.version_number) FROM form_versions m WHERE m.form_id = v.form_id)";

fn latest_from(row: &AnyRow) -> Result<LatestVersionRow, sqlx::Error> {
    Ok(LatestVersionRow {
        form_id: row.id("form_id")?,
        version: VersionRow {
            number: row.try_get("version_number")?,
            hash: row.try_get("version_hash")?,
            published_at_ms: row.try_get("published_at_ms")?,
            published_by: None,
        },
        definition_json: row.try_get("definition_json")?,
    })
}

fn assignment_from(row: &AnyRow) -> Result<AssignmentRow, sqlx::Error> {
    Ok(AssignmentRow {
        form_id: row.id("form_id")?,
        user_id: row.id_opt("user_id")?,
        team_id: row.id_opt("team_id")?,
    })
}

fn collector_from(row: &AnyRow) -> Result<CollectorRow, sqlx::Error> {
    Ok(CollectorRow {
        id: row.id("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: super::role_column(row)?,
        team_id: row.id_opt("team_id")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

impl Db {
    /// The latest version of every active form that has one.
    pub async fn latest_active_versions(&self) -> Result<Vec<LatestVersionRow>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT v.form_id, v.version_number, v.version_hash, v.published_at_ms, \
             v.definition_json FROM form_versions v {LATEST_OF_ACTIVE}"
        ))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(latest_from)
        .collect()
    }

    /// Every assignment.
    pub async fn form_assignments(&self) -> Result<Vec<AssignmentRow>, sqlx::Error> {
        sqlx::query("SELECT form_id, user_id, team_id FROM form_assignments")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(assignment_from)
            .collect()
    }

    /// Every staff and manager account, by display name.
    pub async fn collectors(&self) -> Result<Vec<CollectorRow>, sqlx::Error> {
        sqlx::query(
            "SELECT id, username, display_name, role, team_id, disabled FROM users \
             WHERE role IN ('staff', 'manager') ORDER BY display_name, username",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(collector_from)
        .collect()
    }

    /// The ids of every form assigned to `user_id` directly or through their team,
    /// whatever the form's status (a record collected before a form was archived is
    /// still the assignee's to send).
    pub async fn form_ids_assigned_to(
        &self,
        user_id: UserId,
    ) -> Result<std::collections::HashSet<FormId>, sqlx::Error> {
        sqlx::query(
            "SELECT DISTINCT a.form_id FROM form_assignments a JOIN users u ON u.id = $1 \
             WHERE a.user_id = u.id OR a.team_id = u.team_id",
        )
        .bind(user_id.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| row.id("form_id"))
        .collect()
    }

    /// The latest version of every active form assigned to `user_id` directly or
    /// through their team.
    pub async fn forms_assigned_to(
        &self,
        user_id: UserId,
    ) -> Result<Vec<AssignedRow>, sqlx::Error> {
        let sql = format!(
            "SELECT v.form_id, v.version_number, v.version_hash, v.published_at_ms, \
             v.definition_json, s.direct, s.via_team \
             FROM (SELECT a.form_id, \
                     CAST(MAX(CASE WHEN a.user_id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS direct, \
                     CAST(MAX(CASE WHEN a.team_id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS via_team \
                   FROM form_assignments a JOIN users u ON u.id = $1 \
                   WHERE a.user_id = u.id OR a.team_id = u.team_id \
                   GROUP BY a.form_id) s \
             JOIN form_versions v ON v.form_id = s.form_id {LATEST_OF_ACTIVE} \
             ORDER BY v.form_id"
        );
        sqlx::query(&sql)
            .bind(user_id.to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| {
                Ok(AssignedRow {
                    latest: latest_from(row)?,
                    direct: row.try_get::<i64, _>("direct")? != 0,
                    via_team: row.try_get::<i64, _>("via_team")? != 0,
                })
            })
            .collect()
    }
}

/// The status of a form and whether it has a published version, read on `conn`; on
/// PostgreSQL the form's row stays locked until the transaction ends, so that two
/// changes of one form's assignments run one after the other (SQLite's write
/// transactions already do).
pub async fn lock_form(
    conn: &mut AnyConnection,
    kind: DatabaseKind,
    form_id: FormId,
) -> Result<Option<(String, bool)>, sqlx::Error> {
    let lock = match kind {
        DatabaseKind::Postgres => " FOR UPDATE",
        DatabaseKind::Sqlite => "",
    };
    let status: Option<String> =
        sqlx::query_scalar(&format!("SELECT status FROM forms WHERE id = $1{lock}"))
            .bind(form_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    let Some(status) = status else {
        return Ok(None);
    };
    let published: Option<i64> =
        sqlx::query_scalar("SELECT version_number FROM form_versions WHERE form_id = $1 LIMIT 1")
            .bind(form_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(Some((status, published.is_some())))
}

/// The team of an account (`None` when it has none or does not exist), read on `conn`.
pub async fn team_of(
    conn: &mut AnyConnection,
    user_id: UserId,
) -> Result<Option<TeamId>, sqlx::Error> {
    let team: Option<Option<String>> =
        sqlx::query_scalar("SELECT team_id FROM users WHERE id = $1")
            .bind(user_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    team.flatten()
        .map(|raw| super::decode_id("team_id", &raw))
        .transpose()
}

/// The accounts with these ids that exist: id, role and team.
pub async fn accounts_named(
    conn: &mut AnyConnection,
    ids: &[UserId],
) -> Result<Vec<(UserId, Role, Option<TeamId>)>, sqlx::Error> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let row = sqlx::query("SELECT id, role, team_id FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(row) = row {
            let role = super::role_column(&row)?;
            found.push((row.id("id")?, role, row.id_opt("team_id")?));
        }
    }
    Ok(found)
}

/// The ids among `ids` that name a team.
pub async fn existing_teams(
    conn: &mut AnyConnection,
    ids: &[TeamId],
) -> Result<Vec<TeamId>, sqlx::Error> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let hit: Option<String> = sqlx::query_scalar("SELECT id FROM teams WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        if hit.is_some() {
            found.push(*id);
        }
    }
    Ok(found)
}

/// The assignments of one form with each assignee's current team (for user rows), read
/// on `conn`.
pub async fn assignments_of(
    conn: &mut AnyConnection,
    form_id: FormId,
) -> Result<Vec<(AssignmentRow, Option<TeamId>)>, sqlx::Error> {
    sqlx::query(
        "SELECT a.form_id, a.user_id, a.team_id, u.team_id AS user_team \
         FROM form_assignments a LEFT JOIN users u ON u.id = a.user_id \
         WHERE a.form_id = $1",
    )
    .bind(form_id.to_string())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| Ok((assignment_from(row)?, row.id_opt("user_team")?)))
    .collect()
}

/// Assigns a form to a user or a team (exactly one of them); nothing when it already is.
pub async fn insert_assignment(
    conn: &mut AnyConnection,
    form_id: FormId,
    user_id: Option<UserId>,
    team_id: Option<TeamId>,
    assigned_by: UserId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO form_assignments (id, form_id, user_id, team_id, assigned_by, \
         assigned_at_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(form_id.to_string())
    .bind(user_id.map(|id| id.to_string()))
    .bind(team_id.map(|id| id.to_string()))
    .bind(assigned_by.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes a form away from a user or a team (exactly one of them).
pub async fn delete_assignment(
    conn: &mut AnyConnection,
    form_id: FormId,
    user_id: Option<UserId>,
    team_id: Option<TeamId>,
) -> Result<(), sqlx::Error> {
    let (column, id) = match (user_id, team_id) {
        (Some(user), _) => ("user_id", user.to_string()),
        (None, Some(team)) => ("team_id", team.to_string()),
        (None, None) => return Ok(()),
    };
    sqlx::query(&format!(
        "DELETE FROM form_assignments WHERE form_id = $1 AND {column} = $2"
    ))
    .bind(form_id.to_string())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
