//! Backups as recorded: one row per backup made or asked for (no personal data).

use shared::{
    api::backups::{
        BackupCounts, BackupDrill, BackupEntry, BackupState, BackupTrigger, OffsiteState,
    },
    api::system::DatabaseKind,
    ids::{BackupId, UserId},
};
use sqlx::{any::AnyRow, Row as _};

use super::{Db, IdColumn as _};

/// A backup's row.
#[derive(Debug, Clone)]
pub struct BackupRow {
    pub entry: BackupEntry,
    /// The folder its file was written to, on the server that made it.
    pub local_dir: String,
    /// Whether a failure was sent to the alerts' channels.
    pub alerted: bool,
}

const COLUMNS: &str =
    "b.id, b.state, b.trigger, b.requested_by, u.display_name AS requested_by_name, \
    b.file_name, b.database_kind, b.started_at_ms, b.finished_at_ms, b.size_bytes, b.sha256, \
    b.audit_seq, b.audit_head, b.counts_json, b.error, b.offsite, b.offsite_at_ms, \
    b.offsite_attempts, b.offsite_error, b.next_attempt_at_ms, b.alerted, b.drill_json, \
    b.expired_at_ms, b.local_dir";

const FROM: &str = "backups b LEFT JOIN users u ON u.id = b.requested_by";

fn state_name(state: BackupState) -> &'static str {
    match state {
        BackupState::Running => "running",
        BackupState::Done => "done",
        BackupState::Failed => "failed",
        BackupState::Expired => "expired",
    }
}

fn offsite_name(state: OffsiteState) -> &'static str {
    match state {
        OffsiteState::NotConfigured => "not_configured",
        OffsiteState::Pending => "pending",
        OffsiteState::Copied => "copied",
        OffsiteState::Failed => "failed",
    }
}

fn backup_row(row: &AnyRow) -> Result<BackupRow, sqlx::Error> {
    let bad = |column: &str, value: &str| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: format!("unknown value {value:?}").into(),
    };
    let state: String = row.try_get("state")?;
    let trigger: String = row.try_get("trigger")?;
    let offsite: String = row.try_get("offsite")?;
    let database: String = row.try_get("database_kind")?;
    let counts: String = row.try_get("counts_json")?;
    let drill: Option<String> = row.try_get("drill_json")?;
    Ok(BackupRow {
        entry: BackupEntry {
            id: row.id("id")?,
            state: match state.as_str() {
                // A request not yet taken shows as about to run.
                "requested" | "running" => BackupState::Running,
                "done" => BackupState::Done,
                "failed" => BackupState::Failed,
                "expired" => BackupState::Expired,
                other => return Err(bad("state", other)),
            },
            trigger: match trigger.as_str() {
                "schedule" => BackupTrigger::Schedule,
                "manual" => BackupTrigger::Manual,
                other => return Err(bad("trigger", other)),
            },
            requested_by_name: row.try_get("requested_by_name")?,
            file_name: row.try_get("file_name")?,
            database: match database.as_str() {
                "sqlite" => DatabaseKind::Sqlite,
                "postgres" => DatabaseKind::Postgres,
                other => return Err(bad("database_kind", other)),
            },
            started_at_ms: row.try_get("started_at_ms")?,
            finished_at_ms: row.try_get("finished_at_ms")?,
            size_bytes: row.try_get("size_bytes")?,
            sha256: row.try_get("sha256")?,
            audit_seq: row.try_get("audit_seq")?,
            audit_head: row.try_get("audit_head")?,
            counts: serde_json::from_str::<BackupCounts>(&counts).unwrap_or_default(),
            error: row.try_get("error")?,
            offsite: match offsite.as_str() {
                "not_configured" => OffsiteState::NotConfigured,
                "pending" => OffsiteState::Pending,
                "copied" => OffsiteState::Copied,
                "failed" => OffsiteState::Failed,
                other => return Err(bad("offsite", other)),
            },
            offsite_at_ms: row.try_get("offsite_at_ms")?,
            offsite_attempts: row.try_get("offsite_attempts")?,
            offsite_error: row.try_get("offsite_error")?,
            next_attempt_at_ms: row.try_get("next_attempt_at_ms")?,
            drill: drill.and_then(|d| serde_json::from_str::<BackupDrill>(&d).ok()),
            expired_at_ms: row.try_get("expired_at_ms")?,
        },
        local_dir: row.try_get("local_dir")?,
        alerted: row.try_get::<i64, _>("alerted")? != 0,
    })
}

impl Db {
    /// Asks for a backup (an admin's "back up now"); false when one is already waiting.
    pub async fn request_backup(
        &self,
        id: BackupId,
        by: UserId,
        now_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let waiting: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM backups WHERE state = 'requested'")
                .fetch_one(&mut *tx)
                .await?;
        if waiting > 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO backups (id, state, trigger, requested_by, file_name, database_kind, \
             started_at_ms, size_bytes, sha256, audit_seq, audit_head, counts_json, offsite, \
             offsite_attempts, alerted, local_dir) \
             VALUES ($1, 'requested', 'manual', $2, '', $3, $4, 0, '', 0, '', '{}', \
             'not_configured', 0, 0, '')",
        )
        .bind(id.to_string())
        .bind(by.to_string())
        .bind(self.kind_name())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    fn kind_name(&self) -> &'static str {
        match self.kind() {
            DatabaseKind::Sqlite => "sqlite",
            DatabaseKind::Postgres => "postgres",
        }
    }

    /// The oldest request waiting for a server, if any.
    pub async fn waiting_backup_request(&self) -> Result<Option<BackupId>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id FROM backups WHERE state = 'requested' ORDER BY started_at_ms LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| r.id("id")).transpose()
    }

    /// Starts a backup: a new row (scheduled) or a request taken (`Some(id)`).
    pub async fn start_backup(&self, row: &BackupRow, request: bool) -> Result<(), sqlx::Error> {
        let e = &row.entry;
        if request {
            sqlx::query(
                "UPDATE backups SET state = 'running', file_name = $2, started_at_ms = $3, \
                 local_dir = $4 WHERE id = $1",
            )
            .bind(e.id.to_string())
            .bind(&e.file_name)
            .bind(e.started_at_ms)
            .bind(&row.local_dir)
            .execute(self.pool())
            .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO backups (id, state, trigger, file_name, database_kind, started_at_ms, \
             size_bytes, sha256, audit_seq, audit_head, counts_json, offsite, offsite_attempts, \
             alerted, local_dir) \
             VALUES ($1, 'running', 'schedule', $2, $3, $4, 0, '', 0, '', '{}', \
             'not_configured', 0, 0, $5)",
        )
        .bind(e.id.to_string())
        .bind(&e.file_name)
        .bind(self.kind_name())
        .bind(e.started_at_ms)
        .bind(&row.local_dir)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Writes everything about a backup but its id, trigger and requester.
    pub async fn update_backup(&self, row: &BackupRow) -> Result<(), sqlx::Error> {
        let e = &row.entry;
        sqlx::query(
            "UPDATE backups SET state = $2, file_name = $3, finished_at_ms = $4, size_bytes = $5, \
             sha256 = $6, audit_seq = $7, audit_head = $8, counts_json = $9, error = $10, \
             offsite = $11, offsite_at_ms = $12, offsite_attempts = $13, offsite_error = $14, \
             next_attempt_at_ms = $15, alerted = $16, drill_json = $17, expired_at_ms = $18, \
             local_dir = $19 WHERE id = $1",
        )
        .bind(e.id.to_string())
        .bind(state_name(e.state))
        .bind(&e.file_name)
        .bind(e.finished_at_ms)
        .bind(e.size_bytes)
        .bind(&e.sha256)
        .bind(e.audit_seq)
        .bind(&e.audit_head)
        .bind(serde_json::to_string(&e.counts).unwrap_or_default())
        .bind(e.error.as_deref())
        .bind(offsite_name(e.offsite))
        .bind(e.offsite_at_ms)
        .bind(e.offsite_attempts)
        .bind(e.offsite_error.as_deref())
        .bind(e.next_attempt_at_ms)
        .bind(i64::from(row.alerted))
        .bind(e.drill.as_ref().and_then(|d| serde_json::to_string(d).ok()))
        .bind(e.expired_at_ms)
        .bind(&row.local_dir)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The newest backups first (requests waiting included, shown as running).
    pub async fn backups(&self, limit: i64) -> Result<Vec<BackupRow>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {FROM} ORDER BY b.started_at_ms DESC, b.id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(backup_row)
        .collect()
    }

    /// Backups in `state` (`running`, `done`, …), oldest first.
    pub async fn backups_in(&self, state: &str) -> Result<Vec<BackupRow>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE b.state = $1 ORDER BY b.started_at_ms"
        ))
        .bind(state)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(backup_row)
        .collect()
    }

    /// When the newest backup (made or failed) started, and whether it was made.
    pub async fn last_backup_attempt(&self) -> Result<Option<(i64, bool)>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT started_at_ms, state FROM backups WHERE state IN ('done', 'failed', 'expired') \
             ORDER BY started_at_ms DESC LIMIT 1",
        )
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            let state: String = r.try_get("state")?;
            Ok((r.try_get("started_at_ms")?, state != "failed"))
        })
        .transpose()
    }

    /// The newest row matching `condition` (SQL over `b`).
    pub async fn newest_backup_where(
        &self,
        condition: &str,
    ) -> Result<Option<BackupRow>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE {condition} \
             ORDER BY b.started_at_ms DESC LIMIT 1"
        ))
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(backup_row)
        .transpose()
    }
}
