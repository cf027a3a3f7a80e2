//! What the compliance checks read (`compliance/checks.rs`): records with their consent
//! and basis, requests, exports with their ledger entries, devices, accounts; and the
//! daily snapshots (reports and their deliveries: `compliance_reports.rs`). Reads no value in clear: a
//! record's sealed values are read only for which fields they hold.

use shared::ids::{DeviceId, FormId, RecordId, SubjectRequestId, TeamId, UserId};
use sqlx::{any::AnyRow, Row as _};

use super::{retention::ClockRow, Db, IdColumn as _};
use crate::crypto::SealedValues;

/// A live record as the checks see it.
#[derive(Debug, Clone)]
pub struct CheckedRecord {
    pub clock: ClockRow,
    pub source: String,
    pub owner_team: Option<TeamId>,
    /// The consent receipt's purposes granted (JSON array), when it has one.
    pub granted: Option<String>,
    /// The receipt's evidence of the separate consent to sensitive data (`None`: no
    /// receipt, or a receipt from before the column).
    pub sensitive_consent: Option<bool>,
    pub has_receipt: bool,
    /// The import's stated basis and purposes (JSON array), for an imported record.
    pub import_basis: Option<String>,
    pub import_purposes: Option<String>,
    pub retention_due_at_ms: Option<i64>,
}

fn checked_record(row: &AnyRow) -> Result<CheckedRecord, sqlx::Error> {
    let receipt: Option<String> = row.try_get("receipt_id")?;
    let sensitive: Option<i64> = row.try_get("sensitive_consent")?;
    Ok(CheckedRecord {
        clock: ClockRow {
            id: row.id("id")?,
            form_id: row.id("form_id")?,
            form_version: row.try_get("form_version")?,
            created_at_ms: row.try_get("created_at_ms")?,
            relationship_ended_at_ms: row.try_get("relationship_ended_at_ms")?,
            withdrawn_json: row.try_get("purposes_withdrawn")?,
            values: SealedValues::from_sealed_json(row.try_get("values_json")?),
            version: row.try_get("version")?,
        },
        source: row.try_get("source")?,
        owner_team: row.id_opt("owner_team")?,
        granted: row.try_get("purposes_granted")?,
        sensitive_consent: sensitive.map(|s| s != 0),
        has_receipt: receipt.is_some(),
        import_basis: row.try_get("basis")?,
        import_purposes: row.try_get("import_purposes")?,
        retention_due_at_ms: row.try_get("retention_due_at_ms")?,
    })
}

/// A subject request's dates.
#[derive(Debug, Clone)]
pub struct CheckedRequest {
    pub id: SubjectRequestId,
    pub kind: String,
    pub status: String,
    pub received_at_ms: i64,
    pub due_at_ms: i64,
    pub closed_at_ms: Option<i64>,
}

/// A produced export with its ledger facts.
#[derive(Debug, Clone)]
pub struct CheckedExport {
    pub id: shared::ids::ExportId,
    pub form_id: FormId,
    pub requester_team: Option<TeamId>,
    pub requester_name: String,
    pub requested_at_ms: i64,
    pub unmasked: bool,
    pub has_reason: bool,
    pub approved: bool,
    pub rows: i64,
    pub has_fingerprint: bool,
    pub requested_logged: bool,
    pub downloaded_logged: bool,
}

/// A device that has sent records.
#[derive(Debug, Clone)]
pub struct CheckedDevice {
    pub id: DeviceId,
    pub name: String,
    pub holder_name: String,
    pub holder_team: Option<TeamId>,
    pub last_sync_at_ms: i64,
}

/// An account as the account checks see it.
#[derive(Debug, Clone)]
pub struct CheckedAccount {
    pub id: UserId,
    pub username: String,
    pub role: String,
    pub team: Option<TeamId>,
    pub disabled: bool,
    pub second_factor: bool,
    /// Sessions not yet expired.
    pub live_sessions: i64,
}

/// A kept snapshot.
#[derive(Debug, Clone)]
pub struct SnapshotRow {
    pub day_ms: i64,
    pub passed: i64,
    pub total: i64,
    pub checks_json: String,
}

/// Counts per week bucket: (bucket start, count).
pub type Weekly = Vec<(i64, i64)>;

impl Db {
    /// Up to `limit` live records after `after`, in id order, optionally of one form.
    pub async fn checked_records(
        &self,
        form: Option<FormId>,
        after: Option<RecordId>,
        limit: i64,
    ) -> Result<Vec<CheckedRecord>, sqlx::Error> {
        sqlx::query(
            "SELECT r.id, r.form_id, r.form_version, r.created_at_ms, \
             r.relationship_ended_at_ms, c.purposes_withdrawn, r.values_json, r.version, \
             r.source, u.team_id AS owner_team, c.receipt_id, c.purposes_granted, \
             c.sensitive_consent, b.basis, b.purposes AS import_purposes, \
             r.retention_due_at_ms \
             FROM records r LEFT JOIN consent_receipts c ON c.record_id = r.id \
             LEFT JOIN record_bases b ON b.record_id = r.id \
             LEFT JOIN users u ON u.id = r.owner_id \
             WHERE r.status <> 'erased' AND ($1 IS NULL OR r.id > $1) \
             AND ($2 IS NULL OR r.form_id = $2) ORDER BY r.id LIMIT $3",
        )
        .bind(after.map(|id| id.to_string()))
        .bind(form.map(|id| id.to_string()))
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(checked_record)
        .collect()
    }

    /// Every subject request's dates.
    pub async fn checked_requests(&self) -> Result<Vec<CheckedRequest>, sqlx::Error> {
        sqlx::query(
            "SELECT id, kind, status, received_at_ms, due_at_ms, closed_at_ms \
             FROM subject_requests ORDER BY received_at_ms, id",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(CheckedRequest {
                id: row.id("id")?,
                kind: row.try_get("kind")?,
                status: row.try_get("status")?,
                received_at_ms: row.try_get("received_at_ms")?,
                due_at_ms: row.try_get("due_at_ms")?,
                closed_at_ms: row.try_get("closed_at_ms")?,
            })
        })
        .collect()
    }

    /// Every export whose file was produced (downloaded), with its ledger entries.
    pub async fn checked_exports(&self) -> Result<Vec<CheckedExport>, sqlx::Error> {
        let logged = |action: &str| {
            format!(
                "CAST(CASE WHEN EXISTS (SELECT 1 FROM audit_log a WHERE a.action = '{action}' \
                 AND a.target_kind = 'export' AND a.target_id = e.id) THEN 1 ELSE 0 END \
                 AS BIGINT)"
            )
        };
        sqlx::query(&format!(
            "SELECT e.id, e.form_id, u.team_id, u.display_name, e.requested_at_ms, e.unmasked, \
             CAST(CASE WHEN e.reason_sealed IS NULL OR e.reason_sealed = '' THEN 0 ELSE 1 END \
             AS BIGINT) AS has_reason, \
             CAST(CASE WHEN e.decided_by IS NULL THEN 0 ELSE 1 END AS BIGINT) AS approved, \
             e.row_count, CAST(CASE WHEN e.file_sha256 IS NULL THEN 0 ELSE 1 END AS BIGINT) \
             AS fingerprinted, {} AS requested_logged, {} AS downloaded_logged \
             FROM exports e JOIN users u ON u.id = e.requested_by \
             WHERE e.status = 'downloaded' OR e.downloaded_at_ms IS NOT NULL \
             ORDER BY e.requested_at_ms, e.id",
            logged("exports.requested"),
            logged("exports.downloaded"),
        ))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(CheckedExport {
                id: row.id("id")?,
                form_id: row.id("form_id")?,
                requester_team: row.id_opt("team_id")?,
                requester_name: row.try_get("display_name")?,
                requested_at_ms: row.try_get("requested_at_ms")?,
                unmasked: row.try_get::<i64, _>("unmasked")? != 0,
                has_reason: row.try_get::<i64, _>("has_reason")? != 0,
                approved: row.try_get::<i64, _>("approved")? != 0,
                rows: row.try_get("row_count")?,
                has_fingerprint: row.try_get::<i64, _>("fingerprinted")? != 0,
                requested_logged: row.try_get::<i64, _>("requested_logged")? != 0,
                downloaded_logged: row.try_get::<i64, _>("downloaded_logged")? != 0,
            })
        })
        .collect()
    }

    /// Every device not revoked that has sent records, with its holder.
    pub async fn checked_devices(&self) -> Result<Vec<CheckedDevice>, sqlx::Error> {
        sqlx::query(
            "SELECT d.id, d.name, u.display_name, u.team_id, \
             COALESCE(d.last_sync_at_ms, d.created_at_ms) AS last_sync_at_ms \
             FROM devices d JOIN users u ON u.id = d.user_id \
             WHERE d.revoked_at_ms IS NULL AND d.last_seq > 0 ORDER BY d.created_at_ms, d.id",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(CheckedDevice {
                id: row.id("id")?,
                name: row.try_get("name")?,
                holder_name: row.try_get("display_name")?,
                holder_team: row.id_opt("team_id")?,
                last_sync_at_ms: row.try_get("last_sync_at_ms")?,
            })
        })
        .collect()
    }

    /// Every account, with its second factor and its sessions alive at `now_ms`.
    pub async fn checked_accounts(&self, now_ms: i64) -> Result<Vec<CheckedAccount>, sqlx::Error> {
        sqlx::query(
            "SELECT u.id, u.username, u.role, u.team_id, u.disabled, \
             CAST(CASE WHEN t.enabled = 1 THEN 1 ELSE 0 END AS BIGINT) AS second_factor, \
             (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at_ms > $1) \
             AS live_sessions \
             FROM users u LEFT JOIN user_totp t ON t.user_id = u.id ORDER BY u.created_at_ms, u.id",
        )
        .bind(now_ms)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(CheckedAccount {
                id: row.id("id")?,
                username: row.try_get("username")?,
                role: row.try_get("role")?,
                team: row.id_opt("team_id")?,
                disabled: row.try_get::<i64, _>("disabled")? != 0,
                second_factor: row.try_get::<i64, _>("second_factor")? != 0,
                live_sessions: row.try_get("live_sessions")?,
            })
        })
        .collect()
    }

    /// The newest signed audit head's time, if any.
    pub async fn last_signed_head_at(&self) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT MAX(at_ms) FROM audit_heads")
            .fetch_one(self.pool())
            .await
    }

    /// Rows of `table` per week since `from_ms` by `time_column` (`table` and the column
    /// are the caller's constants), optionally only of `team`'s users through
    /// `user_column`.
    pub async fn weekly(
        &self,
        table: &str,
        time_column: &str,
        user_column: Option<&str>,
        team: Option<TeamId>,
        from_ms: i64,
    ) -> Result<Vec<i64>, sqlx::Error> {
        let team_filter = match user_column {
            Some(col) => {
                format!(" AND ($2 IS NULL OR {col} IN (SELECT id FROM users WHERE team_id = $2))")
            }
            None => " AND ($2 IS NULL OR 1 = 1)".to_owned(),
        };
        sqlx::query_scalar(&format!(
            "SELECT {time_column} FROM {table} WHERE {time_column} >= $1{team_filter}"
        ))
        .bind(from_ms)
        .bind(team.map(|t| t.to_string()))
        .fetch_all(self.pool())
        .await
    }

    /// Consent receipts received since `from_ms`: (form, version, time, granted JSON),
    /// optionally of records owned by `team`'s users.
    pub async fn receipts_since(
        &self,
        from_ms: i64,
        team: Option<TeamId>,
        form: Option<FormId>,
    ) -> Result<Vec<(FormId, i64, i64, String)>, sqlx::Error> {
        sqlx::query(
            "SELECT c.form_id, c.form_version, c.received_at_ms, c.purposes_granted \
             FROM consent_receipts c JOIN records r ON r.id = c.record_id \
             WHERE c.received_at_ms >= $1 \
             AND ($2 IS NULL OR r.owner_id IN (SELECT id FROM users WHERE team_id = $2)) \
             AND ($3 IS NULL OR c.form_id = $3)",
        )
        .bind(from_ms)
        .bind(team.map(|t| t.to_string()))
        .bind(form.map(|f| f.to_string()))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.id("form_id")?,
                row.try_get("form_version")?,
                row.try_get("received_at_ms")?,
                row.try_get("purposes_granted")?,
            ))
        })
        .collect()
    }

    /// Withdrawal times since `from_ms`, optionally of `team`'s or `form`'s records.
    pub async fn withdrawals_since(
        &self,
        from_ms: i64,
        team: Option<TeamId>,
        form: Option<FormId>,
    ) -> Result<Vec<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT w.withdrawn_at_ms FROM consent_withdrawals w \
             JOIN consent_receipts c ON c.receipt_id = w.receipt_id \
             JOIN records r ON r.id = c.record_id WHERE w.withdrawn_at_ms >= $1 \
             AND ($2 IS NULL OR r.owner_id IN (SELECT id FROM users WHERE team_id = $2)) \
             AND ($3 IS NULL OR c.form_id = $3)",
        )
        .bind(from_ms)
        .bind(team.map(|t| t.to_string()))
        .bind(form.map(|f| f.to_string()))
        .fetch_all(self.pool())
        .await
    }

    /// Counts in a period for a report: rows of `table` with `time_column` in
    /// `[from, to)` (`table`, the column and `extra` are the caller's constants).
    pub async fn count_between(
        &self,
        table: &str,
        time_column: &str,
        extra: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE {time_column} >= $1 AND {time_column} < $2{extra}"
        ))
        .bind(from_ms)
        .bind(to_ms)
        .fetch_one(self.pool())
        .await
    }

    /// Keeps a snapshot (once per day and scope: a second one the same day replaces it).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_snapshot(
        &self,
        day_ms: i64,
        scope: &str,
        passed: i64,
        total: i64,
        checks_json: &str,
        computed_at_ms: i64,
        audit: (i64, &str),
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM compliance_snapshots WHERE day_ms = $1 AND scope = $2")
            .bind(day_ms)
            .bind(scope)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO compliance_snapshots (day_ms, scope, passed, total, checks_json, \
             computed_at_ms, audit_seq, audit_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(day_ms)
        .bind(scope)
        .bind(passed)
        .bind(total)
        .bind(checks_json)
        .bind(computed_at_ms)
        .bind(audit.0)
        .bind(audit.1)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Whether a snapshot of `scope` exists for the day.
    pub async fn has_snapshot(&self, day_ms: i64, scope: &str) -> Result<bool, sqlx::Error> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM compliance_snapshots WHERE day_ms = $1 AND scope = $2",
        )
        .bind(day_ms)
        .bind(scope)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// The snapshots of `scope` from `from_day_ms` on, oldest first.
    pub async fn snapshots(
        &self,
        scope: &str,
        from_day_ms: i64,
    ) -> Result<Vec<SnapshotRow>, sqlx::Error> {
        sqlx::query(
            "SELECT day_ms, passed, total, checks_json FROM compliance_snapshots \
             WHERE scope = $1 AND day_ms >= $2 ORDER BY day_ms",
        )
        .bind(scope)
        .bind(from_day_ms)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(SnapshotRow {
                day_ms: row.try_get("day_ms")?,
                passed: row.try_get("passed")?,
                total: row.try_get("total")?,
                checks_json: row.try_get("checks_json")?,
            })
        })
        .collect()
    }
}
