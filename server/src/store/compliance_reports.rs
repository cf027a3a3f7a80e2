//! Kept compliance reports (sealed) and their deliveries to the webhook and e-mail.

use shared::ids::UserId;
use sqlx::{any::AnyRow, Row as _};

use super::Db;

/// A kept report's row.
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub id: String,
    pub kind: String,
    pub period_from_ms: i64,
    pub period_to_ms: i64,
    pub computed_at_ms: i64,
    pub passed: i64,
    pub total: i64,
    pub report_sealed: String,
}

fn report_row(row: &AnyRow) -> Result<ReportRow, sqlx::Error> {
    Ok(ReportRow {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        period_from_ms: row.try_get("period_from_ms")?,
        period_to_ms: row.try_get("period_to_ms")?,
        computed_at_ms: row.try_get("computed_at_ms")?,
        passed: row.try_get("passed")?,
        total: row.try_get("total")?,
        report_sealed: row.try_get("report_sealed")?,
    })
}

/// A report delivery due, or its state.
#[derive(Debug, Clone)]
pub struct ReportDeliveryRow {
    pub report_id: String,
    pub channel: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

const REPORT_COLUMNS: &str =
    "id, kind, period_from_ms, period_to_ms, computed_at_ms, passed, total, report_sealed";

impl Db {
    /// Keeps a report and queues its deliveries, in one transaction; `false` when a
    /// scheduled report of that kind and period exists already (another replica made it).
    pub async fn insert_report(
        &self,
        row: &ReportRow,
        created_by: Option<UserId>,
        channels: &[&str],
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(&format!(
            "INSERT INTO compliance_reports ({REPORT_COLUMNS}, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING"
        ))
        .bind(&row.id)
        .bind(&row.kind)
        .bind(row.period_from_ms)
        .bind(row.period_to_ms)
        .bind(row.computed_at_ms)
        .bind(row.passed)
        .bind(row.total)
        .bind(&row.report_sealed)
        .bind(created_by.map(|u| u.to_string()))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(false);
        }
        for channel in channels {
            sqlx::query(
                "INSERT INTO report_deliveries (report_id, channel, status, attempts, \
                 next_attempt_ms) VALUES ($1, $2, 'pending', 0, $3)",
            )
            .bind(&row.id)
            .bind(*channel)
            .bind(row.computed_at_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Kept reports, newest first.
    pub async fn reports(&self, limit: i64) -> Result<Vec<ReportRow>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM compliance_reports \
             ORDER BY computed_at_ms DESC, id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(report_row)
        .collect()
    }

    pub async fn report(&self, id: &str) -> Result<Option<ReportRow>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM compliance_reports WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(report_row)
        .transpose()
    }

    /// The newest report of `kind` made before `before_ms`.
    pub async fn previous_report(
        &self,
        kind: &str,
        before_ms: i64,
    ) -> Result<Option<ReportRow>, sqlx::Error> {
        sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM compliance_reports WHERE kind = $1 \
             AND period_from_ms < $2 ORDER BY period_from_ms DESC LIMIT 1"
        ))
        .bind(kind)
        .bind(before_ms)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(report_row)
        .transpose()
    }

    /// Whether a scheduled report of `kind` for the period starting `from_ms` exists.
    pub async fn has_report(&self, kind: &str, from_ms: i64) -> Result<bool, sqlx::Error> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM compliance_reports WHERE kind = $1 AND period_from_ms = $2",
        )
        .bind(kind)
        .bind(from_ms)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// The deliveries of reports `ids`.
    pub async fn report_deliveries(
        &self,
        ids: &[String],
    ) -> Result<Vec<ReportDeliveryRow>, sqlx::Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT report_id, channel, status, attempts, last_error FROM report_deliveries \
             WHERE report_id IN ({}) ORDER BY channel",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id.as_str());
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(delivery_row)
            .collect()
    }

    /// Up to `limit` report deliveries due at `now_ms`.
    pub async fn due_report_deliveries(
        &self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<ReportDeliveryRow>, sqlx::Error> {
        sqlx::query(
            "SELECT report_id, channel, status, attempts, last_error FROM report_deliveries \
             WHERE status = 'pending' AND next_attempt_ms <= $1 \
             ORDER BY next_attempt_ms LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(delivery_row)
        .collect()
    }

    /// Takes a delivery's turn until `until_ms` (one replica sends it); `false` when
    /// another replica took it.
    pub async fn claim_report_delivery(
        &self,
        d: &ReportDeliveryRow,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        Ok(sqlx::query(
            "UPDATE report_deliveries SET next_attempt_ms = $4 WHERE report_id = $1 \
             AND channel = $2 AND status = 'pending' AND attempts = $3 \
             AND next_attempt_ms <= $5",
        )
        .bind(&d.report_id)
        .bind(&d.channel)
        .bind(d.attempts)
        .bind(until_ms)
        .bind(now_ms)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1)
    }

    /// Records an attempt's outcome.
    pub async fn report_delivery_attempted(
        &self,
        d: &ReportDeliveryRow,
        status: &str,
        next_attempt_ms: Option<i64>,
        error: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE report_deliveries SET status = $3, attempts = attempts + 1, \
             next_attempt_ms = $4, last_error = $5 WHERE report_id = $1 AND channel = $2",
        )
        .bind(&d.report_id)
        .bind(&d.channel)
        .bind(status)
        .bind(next_attempt_ms)
        .bind(error)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

fn delivery_row(row: &AnyRow) -> Result<ReportDeliveryRow, sqlx::Error> {
    Ok(ReportDeliveryRow {
        report_id: row.try_get("report_id")?,
        channel: row.try_get("channel")?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
    })
}
