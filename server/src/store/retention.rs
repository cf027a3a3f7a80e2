//! Retention in the database: the lease one replica holds while it runs, runs and their
//! reports, and the rows a run reads and writes (legal holds are in `holds.rs`).

use shared::{
    api::system::DatabaseKind,
    ids::{FormId, RecordId, RetentionRunId, UserId},
};
use sqlx::{any::AnyRow, AnyConnection, Row as _};

use super::{records::wrapped_key_of, Db, IdColumn as _};
use crate::crypto::{SealedValues, WrappedKey};

/// `retention_due_at_ms` of a record none of whose values has an end.
pub const NEVER: i64 = i64::MAX;

/// Takes the lease `name` for `holder` until `until_ms`, if nobody else holds it (or
/// their lease ran out before `now_ms`); renews it when `holder` already does.
pub async fn take_lease(
    conn: &mut AnyConnection,
    name: &str,
    holder: &str,
    now_ms: i64,
    until_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO leases (name, holder, expires_at_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
         expires_at_ms = excluded.expires_at_ms \
         WHERE leases.holder = excluded.holder OR leases.expires_at_ms < $4",
    )
    .bind(name)
    .bind(holder)
    .bind(until_ms)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Extends the lease while `holder` still has it; false when another took it over
/// (the caller must stop: its transaction is rolled back).
pub async fn keep_lease(
    conn: &mut AnyConnection,
    name: &str,
    holder: &str,
    until_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE leases SET expires_at_ms = $3 WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .bind(until_ms)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives the lease up at once (a clean stop), so another replica need not wait.
pub async fn release_lease(db: &Db, name: &str, holder: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A run as stored.
#[derive(Debug, Clone)]
pub struct RunRow {
    pub id: RetentionRunId,
    pub trigger: String,
    pub started_by: Option<UserId>,
    pub started_by_name: Option<String>,
    pub done: bool,
    pub as_of_ms: i64,
    pub started_at_ms: i64,
    pub finished_at_ms: Option<i64>,
    pub report_json: String,
}

const RUN_SELECT: &str =
    "SELECT r.id, r.run_trigger, r.started_by, u.username AS started_by_name, \
     r.status, r.as_of_ms, r.started_at_ms, r.finished_at_ms, r.report_json \
     FROM retention_runs r LEFT JOIN users u ON u.id = r.started_by";

fn run_from(row: &AnyRow) -> Result<RunRow, sqlx::Error> {
    Ok(RunRow {
        id: row.id("id")?,
        trigger: row.try_get("run_trigger")?,
        started_by: row.id_opt("started_by")?,
        started_by_name: row.try_get("started_by_name")?,
        done: row.try_get::<String, _>("status")? == "done",
        as_of_ms: row.try_get("as_of_ms")?,
        started_at_ms: row.try_get("started_at_ms")?,
        finished_at_ms: row.try_get("finished_at_ms")?,
        report_json: row.try_get("report_json")?,
    })
}

/// Starts a run; false when another run is going (the one-running index refused it).
pub async fn insert_run(conn: &mut AnyConnection, run: &RunRow) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO retention_runs (id, run_trigger, started_by, status, as_of_ms, \
         started_at_ms, report_json) VALUES ($1, $2, $3, 'running', $4, $5, $6)",
    )
    .bind(run.id.to_string())
    .bind(&run.trigger)
    .bind(run.started_by.map(|u| u.to_string()))
    .bind(run.as_of_ms)
    .bind(run.started_at_ms)
    .bind(&run.report_json)
    .execute(&mut *conn)
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Writes a run's report so far (inside the transaction of the record it counts).
pub async fn save_report(
    conn: &mut AnyConnection,
    run_id: RetentionRunId,
    report_json: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE retention_runs SET report_json = $2 WHERE id = $1")
        .bind(run_id.to_string())
        .bind(report_json)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Marks a run done.
pub async fn finish_run(
    conn: &mut AnyConnection,
    run_id: RetentionRunId,
    at_ms: i64,
    report_json: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE retention_runs SET status = 'done', finished_at_ms = $2, report_json = $3 \
         WHERE id = $1",
    )
    .bind(run_id.to_string())
    .bind(at_ms)
    .bind(report_json)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Db {
    /// The run that is going, if any.
    pub async fn running_retention_run(&self) -> Result<Option<RunRow>, sqlx::Error> {
        sqlx::query(&format!("{RUN_SELECT} WHERE r.status = 'running'"))
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(run_from)
            .transpose()
    }

    /// One run.
    pub async fn retention_run(&self, id: RetentionRunId) -> Result<Option<RunRow>, sqlx::Error> {
        sqlx::query(&format!("{RUN_SELECT} WHERE r.id = $1"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(run_from)
            .transpose()
    }

    /// The latest `limit` runs, newest first.
    pub async fn retention_runs(&self, limit: i64) -> Result<Vec<RunRow>, sqlx::Error> {
        sqlx::query(&format!(
            "{RUN_SELECT} ORDER BY r.started_at_ms DESC, r.id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(run_from)
        .collect()
    }

    /// When the latest scheduled run started.
    pub async fn last_scheduled_run_ms(&self) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT MAX(started_at_ms) FROM retention_runs WHERE run_trigger = 'schedule'",
        )
        .fetch_one(self.pool())
        .await
    }
}

/// What a record's clocks and its held values are read from, without its keys.
#[derive(Debug, Clone)]
pub struct ClockRow {
    pub id: RecordId,
    pub form_id: FormId,
    pub form_version: i64,
    pub created_at_ms: i64,
    pub relationship_ended_at_ms: Option<i64>,
    /// Purpose → when withdrawn (the receipt's `purposes_withdrawn`).
    pub withdrawn_json: Option<String>,
    pub values: SealedValues,
    /// More than 1 when the record has kept versions.
    pub version: i64,
}

const CLOCK_SELECT: &str = "SELECT r.id, r.form_id, r.form_version, r.created_at_ms, \
     r.relationship_ended_at_ms, c.purposes_withdrawn, r.values_json, r.version \
     FROM records r LEFT JOIN consent_receipts c ON c.record_id = r.id";

fn clock_from(row: &AnyRow) -> Result<ClockRow, sqlx::Error> {
    Ok(ClockRow {
        id: row.id("id")?,
        form_id: row.id("form_id")?,
        form_version: row.try_get("form_version")?,
        created_at_ms: row.try_get("created_at_ms")?,
        relationship_ended_at_ms: row.try_get("relationship_ended_at_ms")?,
        withdrawn_json: row.try_get("purposes_withdrawn")?,
        values: SealedValues::from_sealed_json(row.try_get("values_json")?),
        version: row.try_get("version")?,
    })
}

impl Db {
    /// Up to `limit` records, after `after` (id order), whose next due moment is not
    /// known yet or, given `until_ms`, comes by then.
    pub async fn records_due_by(
        &self,
        until_ms: Option<i64>,
        after: Option<RecordId>,
        limit: i64,
    ) -> Result<Vec<ClockRow>, sqlx::Error> {
        sqlx::query(&format!(
            "{CLOCK_SELECT} WHERE (r.retention_due_at_ms IS NULL OR r.retention_due_at_ms <= $1) \
             AND r.status <> 'erased' AND ($2 IS NULL OR r.id > $2) ORDER BY r.id LIMIT $3"
        ))
        .bind(until_ms)
        .bind(after.map(|id| id.to_string()))
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(clock_from)
        .collect()
    }

    /// The ids of up to `limit` records with a value due at `as_of_ms`, after `after`.
    pub async fn due_record_ids(
        &self,
        as_of_ms: i64,
        after: Option<RecordId>,
        limit: i64,
    ) -> Result<Vec<RecordId>, sqlx::Error> {
        sqlx::query(
            "SELECT id FROM records WHERE retention_due_at_ms <= $1 AND status <> 'erased' \
             AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3",
        )
        .bind(as_of_ms)
        .bind(after.map(|id| id.to_string()))
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| row.id("id"))
        .collect()
    }

    /// Records with no relationship end recorded, per form version.
    pub async fn records_without_relationship_end(
        &self,
    ) -> Result<Vec<(FormId, i64, i64)>, sqlx::Error> {
        sqlx::query(
            "SELECT form_id, form_version, COUNT(*) AS n FROM records \
             WHERE relationship_ended_at_ms IS NULL AND status <> 'erased' \
             GROUP BY form_id, form_version",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.id("form_id")?,
                row.try_get("form_version")?,
                row.try_get("n")?,
            ))
        })
        .collect()
    }

    /// Records counted per form: those still holding values.
    pub async fn live_records_per_form(&self) -> Result<Vec<(FormId, i64)>, sqlx::Error> {
        sqlx::query(
            "SELECT form_id, COUNT(*) AS n FROM records WHERE status <> 'erased' GROUP BY form_id",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| Ok((row.id("form_id")?, row.try_get("n")?)))
        .collect()
    }
}

/// Sets the next due moments of records (one statement each, on one transaction).
pub async fn set_due(
    conn: &mut AnyConnection,
    dues: &[(RecordId, i64)],
) -> Result<(), sqlx::Error> {
    for (id, due) in dues {
        sqlx::query("UPDATE records SET retention_due_at_ms = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(due)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Forgets the record's next due moment (a clock moved): the next run computes it.
pub async fn clear_due(conn: &mut AnyConnection, id: RecordId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE records SET retention_due_at_ms = NULL WHERE id = $1")
        .bind(id.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records the end of a record's customer relationship; its clocks are computed again.
pub async fn set_relationship_end(
    conn: &mut AnyConnection,
    id: RecordId,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE records SET relationship_ended_at_ms = $2, retention_due_at_ms = NULL \
         WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A record as a run processes it, read on its transaction (locked on PostgreSQL).
#[derive(Debug, Clone)]
pub struct RetainedRow {
    pub clock: ClockRow,
    pub key_version: i64,
    pub wrapped_key: WrappedKey,
    pub status: String,
    pub retention_json: Option<String>,
}

/// The record `id` for processing; `None` when it is gone.
pub async fn retained_row(
    conn: &mut AnyConnection,
    kind: DatabaseKind,
    id: RecordId,
) -> Result<Option<RetainedRow>, sqlx::Error> {
    let lock = match kind {
        DatabaseKind::Postgres => " FOR UPDATE OF r",
        DatabaseKind::Sqlite => "",
    };
    let sql = format!(
        "SELECT r.id, r.form_id, r.form_version, r.created_at_ms, r.relationship_ended_at_ms, \
         c.purposes_withdrawn, r.values_json, r.version, r.key_version, r.wrapped_key, \
         r.master_key_id, r.status, r.retention_json \
         FROM records r LEFT JOIN consent_receipts c ON c.record_id = r.id WHERE r.id = $1{lock}"
    );
    sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| {
            Ok(RetainedRow {
                clock: clock_from(&row)?,
                key_version: row.try_get("key_version")?,
                wrapped_key: wrapped_key_of(&row)?,
                status: row.try_get("status")?,
                retention_json: row.try_get("retention_json")?,
            })
        })
        .transpose()
}

/// The kept versions of a record: number and values.
pub async fn versions_of(
    conn: &mut AnyConnection,
    id: RecordId,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query("SELECT version, values_json FROM record_versions WHERE record_id = $1")
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("version")?, row.try_get("values_json")?)))
        .collect()
}

/// Rewrites one kept version's values.
pub async fn set_version_values(
    conn: &mut AnyConnection,
    id: RecordId,
    version: i64,
    values: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE record_versions SET values_json = $3 WHERE record_id = $1 AND version = $2",
    )
    .bind(id.to_string())
    .bind(version)
    .bind(values)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes the edit conflicts of a record's `field`, resolved or not (their device
/// values are copies of the value).
pub async fn delete_conflicts_of(
    conn: &mut AnyConnection,
    id: RecordId,
    field: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM record_conflicts WHERE record_id = $1 AND field_key = $2")
        .bind(id.to_string())
        .bind(field)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What a run leaves of a record.
pub struct Retained<'a> {
    pub values: &'a str,
    pub retention_json: &'a str,
    pub due_at_ms: i64,
    pub status: &'a str,
    pub at_ms: i64,
}

/// Writes what a run left of a record.
pub async fn update_retained(
    conn: &mut AnyConnection,
    id: RecordId,
    r: &Retained<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE records SET values_json = $2, retention_json = $3, retention_due_at_ms = $4, \
         status = $5, updated_at_ms = $6 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(r.values)
    .bind(r.retention_json)
    .bind(r.due_at_ms)
    .bind(r.status)
    .bind(r.at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Crypto-shredding: the record's data key is replaced by a fresh one that never sealed
/// anything, so any copy of a ciphertext sealed under the old key (in a backup, a
/// copied file) can no longer be opened; its sealed receipt and history go too. What
/// stays of the consent: ids, the statement's hash, the withdrawal token's hash,
/// purposes and times.
pub async fn shred_key(
    conn: &mut AnyConnection,
    id: RecordId,
    fresh: &WrappedKey,
    key_version: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE records SET wrapped_key = $2, master_key_id = $3, key_version = $4 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(fresh.to_column())
    .bind(&fresh.master_key_id)
    .bind(key_version)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE consent_receipts SET receipt_sealed = '', hash_key_sealed = NULL, \
         receipt_json = '' WHERE record_id = $1",
    )
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    for table in [
        "record_versions",
        "record_conflicts",
        "record_edits",
        "record_lookup",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE record_id = $1"))
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
