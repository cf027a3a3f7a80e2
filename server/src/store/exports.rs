//! The export ledger: every export asked for, its decision, its one download, and the
//! organisation's export settings. Reasons and comments are sealed by the caller
//! (`exports::Sealer`); filters hold no personal data (a form id and dates).

use shared::ids::{AlertId, ExportId, FormId, UserId};
use sqlx::{any::AnyRow, AnyConnection, Row as _};

use super::{Db, IdColumn as _};

/// An export as stored, with the names of the people it mentions.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub id: ExportId,
    pub requested_by: UserId,
    pub requested_by_name: Option<String>,
    pub requested_at_ms: i64,
    pub form_id: FormId,
    pub format: String,
    pub unmasked: bool,
    pub reason_sealed: Option<String>,
    pub locale: String,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub rows: i64,
    pub status: String,
    pub decided_by_name: Option<String>,
    pub decided_at_ms: Option<i64>,
    pub comment_sealed: Option<String>,
    pub expires_at_ms: Option<i64>,
    pub downloaded_at_ms: Option<i64>,
    pub downloaded_from: Option<String>,
    pub file_sha256: Option<String>,
    /// The filter beyond form and dates (`RecordFilter` as JSON: ids and a word).
    pub filter_json: Option<String>,
    pub rows_written: Option<i64>,
    /// How many invisible marks the file carries.
    pub marks: Option<i64>,
    pub held_by_alert: Option<AlertId>,
    pub stop_requested: bool,
}

const EXPORT_SELECT: &str = "SELECT e.id, e.requested_by, r.username AS requested_by_name, \
     e.requested_at_ms, e.form_id, e.format, e.unmasked, e.reason_sealed, e.locale, \
     e.from_ms, e.to_ms, e.row_count, e.status, d.username AS decided_by_name, \
     e.decided_at_ms, e.comment_sealed, e.expires_at_ms, e.downloaded_at_ms, \
     e.downloaded_from, e.file_sha256, e.filter_json, e.rows_written, e.marks, \
     e.held_by_alert, e.stop_requested \
     FROM exports e LEFT JOIN users r ON r.id = e.requested_by \
     LEFT JOIN users d ON d.id = e.decided_by";

fn export_from(row: &AnyRow) -> Result<ExportRow, sqlx::Error> {
    Ok(ExportRow {
        id: row.id("id")?,
        requested_by: row.id("requested_by")?,
        requested_by_name: row.try_get("requested_by_name")?,
        requested_at_ms: row.try_get("requested_at_ms")?,
        form_id: row.id("form_id")?,
        format: row.try_get("format")?,
        unmasked: row.try_get::<i64, _>("unmasked")? != 0,
        reason_sealed: row.try_get("reason_sealed")?,
        locale: row.try_get("locale")?,
        from_ms: row.try_get("from_ms")?,
        to_ms: row.try_get("to_ms")?,
        rows: row.try_get("row_count")?,
        status: row.try_get("status")?,
        decided_by_name: row.try_get("decided_by_name")?,
        decided_at_ms: row.try_get("decided_at_ms")?,
        comment_sealed: row.try_get("comment_sealed")?,
        expires_at_ms: row.try_get("expires_at_ms")?,
        downloaded_at_ms: row.try_get("downloaded_at_ms")?,
        downloaded_from: row.try_get("downloaded_from")?,
        file_sha256: row.try_get("file_sha256")?,
        filter_json: row.try_get("filter_json")?,
        rows_written: row.try_get("rows_written")?,
        marks: row.try_get("marks")?,
        held_by_alert: row.id_opt("held_by_alert")?,
        stop_requested: row.try_get::<i64, _>("stop_requested")? != 0,
    })
}

/// A new export.
pub struct NewExportRow<'a> {
    pub id: ExportId,
    pub requested_by: UserId,
    pub requested_at_ms: i64,
    pub form_id: FormId,
    pub format: &'a str,
    pub unmasked: bool,
    pub reason_sealed: Option<&'a str>,
    pub locale: &'a str,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub rows: i64,
    pub status: &'a str,
    pub expires_at_ms: Option<i64>,
    pub filter_json: &'a str,
    pub marks: i64,
    pub held_by_alert: Option<AlertId>,
}

pub async fn insert_export(
    conn: &mut AnyConnection,
    e: &NewExportRow<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO exports (id, requested_by, requested_at_ms, form_id, format, unmasked, \
         reason_sealed, locale, from_ms, to_ms, row_count, status, expires_at_ms, \
         filter_json, marks, held_by_alert) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(e.id.to_string())
    .bind(e.requested_by.to_string())
    .bind(e.requested_at_ms)
    .bind(e.form_id.to_string())
    .bind(e.format)
    .bind(i64::from(e.unmasked))
    .bind(e.reason_sealed)
    .bind(e.locale)
    .bind(e.from_ms)
    .bind(e.to_ms)
    .bind(e.rows)
    .bind(e.status)
    .bind(e.expires_at_ms)
    .bind(e.filter_json)
    .bind(e.marks)
    .bind(e.held_by_alert.map(|a| a.to_string()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Decides an export that awaits approval; `false` when it no longer does.
pub async fn decide(
    conn: &mut AnyConnection,
    id: ExportId,
    by: UserId,
    (status, expires_at_ms): (&str, Option<i64>),
    comment_sealed: Option<&str>,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE exports SET status = $2, decided_by = $3, decided_at_ms = $4, \
         comment_sealed = $5, expires_at_ms = $6 \
         WHERE id = $1 AND status = 'awaiting_approval'",
    )
    .bind(id.to_string())
    .bind(status)
    .bind(by.to_string())
    .bind(at_ms)
    .bind(comment_sealed)
    .bind(expires_at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes the one download of a ready export that has not expired; `false` otherwise.
pub async fn take_download(
    conn: &mut AnyConnection,
    id: ExportId,
    from: &str,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE exports SET status = 'downloaded', downloaded_at_ms = $2, downloaded_from = $3 \
         WHERE id = $1 AND status = 'ready' AND expires_at_ms > $2",
    )
    .bind(id.to_string())
    .bind(at_ms)
    .bind(from)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Cancels an export that has not been downloaded, or asks the writer of one being
/// downloaded to stop; `false` when it is neither.
pub async fn cancel(conn: &mut AnyConnection, id: ExportId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE exports SET status = 'cancelled' \
         WHERE id = $1 AND status IN ('awaiting_approval', 'ready')",
    )
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(true);
    }
    let stopping = sqlx::query(
        "UPDATE exports SET stop_requested = 1 \
         WHERE id = $1 AND status = 'downloaded' AND file_sha256 IS NULL",
    )
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(stopping.rows_affected() == 1)
}

impl Db {
    pub async fn export(&self, id: ExportId) -> Result<Option<ExportRow>, sqlx::Error> {
        sqlx::query(&format!("{EXPORT_SELECT} WHERE e.id = $1"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(export_from)
            .transpose()
    }

    /// Exports, newest first: one person's, or everyone's.
    pub async fn exports(
        &self,
        of: Option<UserId>,
        limit: i64,
    ) -> Result<Vec<ExportRow>, sqlx::Error> {
        let rows = match of {
            Some(user) => {
                sqlx::query(&format!(
                    "{EXPORT_SELECT} WHERE e.requested_by = $1 \
                     ORDER BY e.requested_at_ms DESC, e.id DESC LIMIT $2"
                ))
                .bind(user.to_string())
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "{EXPORT_SELECT} ORDER BY e.requested_at_ms DESC, e.id DESC LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(export_from).collect()
    }

    /// Progress of the file being written; whether who asked wants it stopped.
    pub async fn export_progress(
        &self,
        id: ExportId,
        rows_written: i64,
    ) -> Result<bool, sqlx::Error> {
        sqlx::query("UPDATE exports SET rows_written = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(rows_written)
            .execute(self.pool())
            .await?;
        let stop: Option<i64> =
            sqlx::query_scalar("SELECT stop_requested FROM exports WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(self.pool())
                .await?;
        Ok(stop.unwrap_or(0) != 0)
    }

    /// Marks a file whose writing was stopped at its requester's wish as cancelled.
    pub async fn export_stopped(&self, id: ExportId) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE exports SET status = 'cancelled' WHERE id = $1")
            .bind(id.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Every export whose file carried marks, with what tracing needs, newest first.
    pub async fn exports_with_marks(&self, limit: i64) -> Result<Vec<ExportRow>, sqlx::Error> {
        sqlx::query(&format!(
            "{EXPORT_SELECT} WHERE e.marks > 0 AND e.downloaded_at_ms IS NOT NULL \
             ORDER BY e.requested_at_ms DESC, e.id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(export_from)
        .collect()
    }

    /// Rows one user exported since `since_ms` (exports asked for, not refused or
    /// cancelled), each export's count, oldest first.
    pub async fn export_rows_since(
        &self,
        user: UserId,
        since_ms: i64,
    ) -> Result<Vec<(ExportId, i64, i64)>, sqlx::Error> {
        sqlx::query(
            "SELECT id, requested_at_ms, row_count FROM exports WHERE requested_by = $1 \
             AND requested_at_ms >= $2 AND status NOT IN ('rejected', 'cancelled') \
             ORDER BY requested_at_ms",
        )
        .bind(user.to_string())
        .bind(since_ms)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.id("id")?,
                r.try_get("requested_at_ms")?,
                r.try_get("row_count")?,
            ))
        })
        .collect()
    }

    /// Records the SHA-256 of the file sent.
    pub async fn set_export_hash(&self, id: ExportId, sha256: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE exports SET file_sha256 = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(sha256)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The organisation's export settings as stored (JSON), if any were saved.
    pub async fn export_settings_json(&self) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT value FROM org_settings WHERE name = 'exports'")
            .fetch_optional(self.pool())
            .await
    }
}

pub async fn save_export_settings(conn: &mut AnyConnection, json: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO org_settings (name, value) VALUES ('exports', $1) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(json)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
