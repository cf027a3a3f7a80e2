//! Forms and their published versions in the database.
//!
//! A form row holds the mutable draft (JSON text) and its revision; `form_versions` rows
//! are only ever inserted. Definitions are stored as JSON text: drafts as written by
//! `FormDefinition::to_json`, versions in their canonical encoding (the bytes the version
//! hash is computed over).

use shared::{
    api::forms::FormStatus,
    ids::{FormId, UserId},
};
use sqlx::{any::AnyRow, AnyConnection, Row};

use super::{Db, IdColumn as _};

/// A form as stored.
#[derive(Debug, Clone)]
pub struct FormRow {
    pub id: FormId,
    pub status: FormStatus,
    pub draft_json: String,
    pub draft_revision: i64,
    pub created_by: Option<UserId>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// The newest published version, if any.
    pub latest: Option<VersionRow>,
}

/// A published version as stored, without its definition.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub number: i64,
    pub hash: String,
    pub published_at_ms: i64,
    /// The publisher's display name, when the account still exists.
    pub published_by: Option<String>,
}

/// A new form to insert.
pub struct NewForm<'a> {
    pub id: FormId,
    pub draft_json: &'a str,
    pub created_by: Option<UserId>,
}

/// A version to publish: inserted only while the form is active and its draft is still
/// at `draft_revision`.
pub struct NewVersion<'a> {
    pub form_id: FormId,
    pub number: i64,
    pub hash: &'a str,
    pub definition_json: &'a str,
    pub published_by: Option<UserId>,
    pub draft_revision: i64,
}

/// What became of a publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishOutcome {
    Published,
    /// The form was archived, or its draft saved, since it was read.
    FormChanged,
    /// Another publish took the number (or the same content) first.
    Taken,
}

const FORM_SELECT: &str = "SELECT f.id, f.status, f.draft_json, f.draft_revision, f.created_by, \
     f.created_at_ms, f.updated_at_ms, v.version_number, v.version_hash, v.published_at_ms, \
     u.display_name AS published_by_name \
     FROM forms f \
     LEFT JOIN form_versions v ON v.form_id = f.id AND v.version_number = \
       (SELECT MAX(m.version_number) FROM form_versions m WHERE m.form_id = f.id) \
     LEFT JOIN users u ON u.id = v.published_by";

const VERSION_SELECT: &str = "SELECT v.version_number, v.version_hash, v.published_at_ms, \
     u.display_name AS published_by_name, v.definition_json \
     FROM form_versions v JOIN forms f ON f.id = v.form_id \
     LEFT JOIN users u ON u.id = v.published_by";

fn status_from(row: &AnyRow) -> Result<FormStatus, sqlx::Error> {
    let status: String = row.try_get("status")?;
    FormStatus::parse(&status).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "status".into(),
        source: format!("unknown form status {status}").into(),
    })
}

fn version_from(row: &AnyRow) -> Result<Option<VersionRow>, sqlx::Error> {
    let Some(number) = row.try_get::<Option<i64>, _>("version_number")? else {
        return Ok(None);
    };
    Ok(Some(VersionRow {
        number,
        hash: row.try_get("version_hash")?,
        published_at_ms: row.try_get("published_at_ms")?,
        published_by: row.try_get("published_by_name")?,
    }))
}

fn form_from(row: &AnyRow) -> Result<FormRow, sqlx::Error> {
    Ok(FormRow {
        id: row.id("id")?,
        status: status_from(row)?,
        draft_json: row.try_get("draft_json")?,
        draft_revision: row.try_get("draft_revision")?,
        created_by: row.id_opt("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
        latest: version_from(row)?,
    })
}

fn version_with_definition(row: &AnyRow) -> Result<Option<(VersionRow, String)>, sqlx::Error> {
    let definition: String = row.try_get("definition_json")?;
    Ok(version_from(row)?.map(|v| (v, definition)))
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl Db {
    pub async fn count_forms(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM forms")
            .fetch_one(self.pool())
            .await
    }

    /// The forms with `status`, most recently changed first.
    pub async fn forms(&self, status: FormStatus) -> Result<Vec<FormRow>, sqlx::Error> {
        let sql = format!(
            "{FORM_SELECT} WHERE f.status = $1 \
             ORDER BY f.updated_at_ms DESC, f.created_at_ms DESC, f.id"
        );
        let rows = sqlx::query(&sql)
            .bind(status.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(form_from).collect()
    }

    pub async fn form(&self, id: FormId) -> Result<Option<FormRow>, sqlx::Error> {
        sqlx::query(&format!("{FORM_SELECT} WHERE f.id = $1"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(form_from)
            .transpose()
    }

    /// Inserts a version and touches the form, in a transaction of its own (see
    /// [`insert_version`]).
    pub async fn insert_version(
        &self,
        v: &NewVersion<'_>,
        now: i64,
    ) -> Result<PublishOutcome, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let outcome = insert_version(&mut tx, v, now).await?;
        if outcome == PublishOutcome::Published {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    /// The versions of a form, newest first.
    pub async fn versions(&self, form_id: FormId) -> Result<Vec<VersionRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "{VERSION_SELECT} WHERE v.form_id = $1 ORDER BY v.version_number DESC"
        ))
        .bind(form_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .filter_map(|row| version_from(row).transpose())
            .collect()
    }

    /// One version with its definition JSON; with `active_only`, only if the form is active.
    pub async fn version(
        &self,
        form_id: FormId,
        number: i64,
        active_only: bool,
    ) -> Result<Option<(VersionRow, String)>, sqlx::Error> {
        let status = if active_only {
            " AND f.status = 'active'"
        } else {
            ""
        };
        let row = sqlx::query(&format!(
            "{VERSION_SELECT} WHERE v.form_id = $1 AND v.version_number = $2{status}"
        ))
        .bind(form_id.to_string())
        .bind(number)
        .fetch_optional(self.pool())
        .await?;
        Ok(row
            .as_ref()
            .map(version_with_definition)
            .transpose()?
            .flatten())
    }

    /// The newest version of an active form, with its definition JSON.
    pub async fn latest_public_version(
        &self,
        form_id: FormId,
    ) -> Result<Option<(VersionRow, String)>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "{VERSION_SELECT} WHERE v.form_id = $1 AND f.status = 'active' \
             ORDER BY v.version_number DESC LIMIT 1"
        ))
        .bind(form_id.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row
            .as_ref()
            .map(version_with_definition)
            .transpose()?
            .flatten())
    }

    /// The number of the version of a form whose hash is `hash`, if one was published.
    pub async fn version_number_with_hash(
        &self,
        form_id: FormId,
        hash: &str,
    ) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT version_number FROM form_versions WHERE form_id = $1 AND version_hash = $2",
        )
        .bind(form_id.to_string())
        .bind(hash)
        .fetch_optional(self.pool())
        .await
    }
}

/// Inserts a form with its first draft on `conn`.
pub async fn insert_form(
    conn: &mut AnyConnection,
    form: &NewForm<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO forms (id, status, draft_json, draft_revision, created_by, \
         created_at_ms, updated_at_ms) VALUES ($1, 'active', $2, 1, $3, $4, $4)",
    )
    .bind(form.id.to_string())
    .bind(form.draft_json)
    .bind(form.created_by.map(|id| id.to_string()))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces the draft if it is still at `base_revision`; returns the new revision, or
/// `None` when the form is missing or its draft has moved on.
pub async fn save_draft(
    conn: &mut AnyConnection,
    id: FormId,
    draft_json: &str,
    base_revision: i64,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE forms SET draft_json = $2, draft_revision = draft_revision + 1, \
         updated_at_ms = $3 WHERE id = $1 AND draft_revision = $4 RETURNING draft_revision",
    )
    .bind(id.to_string())
    .bind(draft_json)
    .bind(now)
    .bind(base_revision)
    .fetch_optional(&mut *conn)
    .await
}

/// Sets the status; `false` when there is no such form.
pub async fn set_form_status(
    conn: &mut AnyConnection,
    id: FormId,
    status: FormStatus,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query("UPDATE forms SET status = $2, updated_at_ms = $3 WHERE id = $1")
        .bind(id.to_string())
        .bind(status.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Inserts a version and touches the form on `conn` (inside the caller's transaction).
/// The primary key `(form_id, version_number)` makes a concurrent publish of the same
/// number fail, which comes back as [`PublishOutcome::Taken`]; the caller must then roll
/// back (on PostgreSQL the failed statement has ended the transaction anyway).
pub async fn insert_version(
    conn: &mut AnyConnection,
    v: &NewVersion<'_>,
    now: i64,
) -> Result<PublishOutcome, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO form_versions (form_id, version_number, version_hash, definition_json, \
         published_by, published_at_ms) \
         SELECT id, $2, $3, $4, $5, $6 FROM forms \
         WHERE id = $1 AND status = 'active' AND draft_revision = $7",
    )
    .bind(v.form_id.to_string())
    .bind(v.number)
    .bind(v.hash)
    .bind(v.definition_json)
    .bind(v.published_by.map(|id| id.to_string()))
    .bind(now)
    .bind(v.draft_revision)
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(r) if r.rows_affected() == 1 => {}
        Ok(_) => return Ok(PublishOutcome::FormChanged),
        Err(e) if is_unique_violation(&e) => return Ok(PublishOutcome::Taken),
        Err(e) => return Err(e),
    }
    sqlx::query("UPDATE forms SET updated_at_ms = $2 WHERE id = $1")
        .bind(v.form_id.to_string())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(PublishOutcome::Published)
}
