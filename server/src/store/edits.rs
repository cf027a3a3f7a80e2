//! Edits of synced records: versions, the edits devices sent (for idempotent replays)
//! and the conflicts managers resolve.

use std::collections::HashMap;

use shared::ids::{ConflictId, DeviceId, FormId, RecordId, UserId};
use sqlx::{AnyConnection, Row as _};

use super::{
    records::{placeholders_for, scope_condition, wrapped_key_of, Scope},
    Db, IdColumn as _,
};
use crate::crypto::{SealedValues, WrappedKey};

/// A record as an edit needs it, with its consent's statement hash and withdrawals.
#[derive(Debug, Clone)]
pub struct EditableRecord {
    pub id: RecordId,
    pub form_id: FormId,
    pub form_version: i64,
    pub key_version: i64,
    pub wrapped_key: WrappedKey,
    pub values: SealedValues,
    pub version: i64,
    pub statement_hash: Option<String>,
    /// Purpose → when consent to it was withdrawn.
    pub withdrawn_json: Option<String>,
}

/// The record `id`, read on `conn` (inside the edit's transaction).
pub async fn editable_record(
    conn: &mut AnyConnection,
    id: RecordId,
) -> Result<Option<EditableRecord>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT r.id, r.form_id, r.form_version, r.key_version, r.wrapped_key, r.master_key_id, \
         r.values_json, r.version, c.statement_hash, c.purposes_withdrawn \
         FROM records r LEFT JOIN consent_receipts c ON c.record_id = r.id WHERE r.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(EditableRecord {
            id: row.id("id")?,
            form_id: row.id("form_id")?,
            form_version: row.try_get("form_version")?,
            key_version: row.try_get("key_version")?,
            wrapped_key: wrapped_key_of(&row)?,
            values: SealedValues::from_sealed_json(row.try_get("values_json")?),
            version: row.try_get("version")?,
            statement_hash: row.try_get("statement_hash")?,
            withdrawn_json: row.try_get("purposes_withdrawn")?,
        })
    })
    .transpose()
}

/// The answer stored for an edit already applied: its payload hash and result JSON.
pub async fn edit_result(
    conn: &mut AnyConnection,
    record_id: RecordId,
    device_id: DeviceId,
    device_seq: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT payload_hash, result_json FROM record_edits \
         WHERE record_id = $1 AND device_id = $2 AND device_seq = $3",
    )
    .bind(record_id.to_string())
    .bind(device_id.to_string())
    .bind(device_seq)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((r.try_get("payload_hash")?, r.try_get("result_json")?)))
        .transpose()
}

/// Keeps the answer to an edit; `false` when another request stored one first.
pub async fn insert_edit(
    conn: &mut AnyConnection,
    key: (RecordId, DeviceId, i64),
    payload_hash: &str,
    result_json: &str,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO record_edits (record_id, device_id, device_seq, payload_hash, result_json, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (record_id, device_id, device_seq) DO NOTHING",
    )
    .bind(key.0.to_string())
    .bind(key.1.to_string())
    .bind(key.2)
    .bind(payload_hash)
    .bind(result_json)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One stored version of a record.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub version: i64,
    pub values: SealedValues,
    /// JSON array of field keys.
    pub changed_fields: String,
}

/// A new version to keep.
pub struct NewVersion<'a> {
    pub record_id: RecordId,
    pub version: i64,
    pub values: &'a SealedValues,
    pub changed_fields: &'a str,
    pub author_id: Option<UserId>,
    pub device: Option<(DeviceId, i64)>,
    pub cause: shared::api::records::VersionCause,
    pub request_id: Option<shared::ids::SubjectRequestId>,
    /// The approved change the version applies.
    pub change_id: Option<ConflictId>,
    pub at_ms: i64,
}

/// The record's versions from `from` on, oldest first.
pub async fn versions_from(
    conn: &mut AnyConnection,
    record_id: RecordId,
    from: i64,
) -> Result<Vec<VersionRow>, sqlx::Error> {
    sqlx::query(
        "SELECT version, values_json, changed_fields FROM record_versions \
         WHERE record_id = $1 AND version >= $2 ORDER BY version",
    )
    .bind(record_id.to_string())
    .bind(from)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(VersionRow {
            version: r.try_get("version")?,
            values: SealedValues::from_sealed_json(r.try_get("values_json")?),
            changed_fields: r.try_get("changed_fields")?,
        })
    })
    .collect()
}

/// Keeps a version; `false` when it is already kept.
pub async fn insert_version(
    conn: &mut AnyConnection,
    v: &NewVersion<'_>,
) -> Result<bool, sqlx::Error> {
    let (device_id, device_seq) = v
        .device
        .map_or((None, None), |(d, s)| (Some(d.to_string()), Some(s)));
    let done = sqlx::query(
        "INSERT INTO record_versions (record_id, version, values_json, changed_fields, author_id, \
         device_id, device_seq, created_at_ms, cause, request_id, change_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (record_id, version) DO NOTHING",
    )
    .bind(v.record_id.to_string())
    .bind(v.version)
    .bind(v.values.as_str())
    .bind(v.changed_fields)
    .bind(v.author_id.map(|id| id.to_string()))
    .bind(device_id)
    .bind(device_seq)
    .bind(v.at_ms)
    .bind(v.cause.as_str())
    .bind(v.request_id.map(|id| id.to_string()))
    .bind(v.change_id.map(|id| id.to_string()))
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets the record's values if it is still at `expected` (compare and set: replicas of
/// the server may edit the same record at once); `false` when it moved on.
pub async fn update_values(
    conn: &mut AnyConnection,
    record_id: RecordId,
    expected: i64,
    values: &SealedValues,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE records SET values_json = $3, version = $2 + 1, updated_at_ms = $4, \
         retention_due_at_ms = NULL WHERE id = $1 AND version = $2",
    )
    .bind(record_id.to_string())
    .bind(expected)
    .bind(values.as_str())
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The purposes withdrawn from a record's consent (purpose → time, JSON), read on the
/// edit's transaction.
pub async fn withdrawn_of(
    conn: &mut AnyConnection,
    record_id: RecordId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT purposes_withdrawn FROM consent_receipts WHERE record_id = $1")
        .bind(record_id.to_string())
        .fetch_optional(&mut *conn)
        .await
}

/// Replaces the record's identifier lookups with `lookups` (blind index, kind).
pub async fn replace_lookups(
    conn: &mut AnyConnection,
    record_id: RecordId,
    lookups: &[(String, &'static str)],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM record_lookup WHERE record_id = $1")
        .bind(record_id.to_string())
        .execute(&mut *conn)
        .await?;
    for (index, kind) in lookups {
        sqlx::query(
            "INSERT INTO record_lookup (blind_index, kind, record_id) VALUES ($1, $2, $3) \
             ON CONFLICT (blind_index, record_id) DO NOTHING",
        )
        .bind(index)
        .bind(*kind)
        .bind(record_id.to_string())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A conflict as stored.
#[derive(Debug, Clone)]
pub struct ConflictRow {
    pub id: ConflictId,
    pub record_id: RecordId,
    pub field_key: String,
    pub base_version: i64,
    pub server_version: i64,
    pub device_value: Option<String>,
    pub author_id: UserId,
    pub device_id: DeviceId,
    pub device_seq: i64,
    pub created_at_ms: i64,
    pub resolved_at_ms: Option<i64>,
    /// A conflict, or a change of a key field waiting for approval.
    pub kind: shared::api::conflicts::ConflictKind,
}

const CONFLICT_COLUMNS: &str = "id, record_id, field_key, base_version, server_version, \
     device_value, author_id, device_id, device_seq, created_at_ms, resolved_at_ms, kind";

fn conflict_from_row(r: &sqlx::any::AnyRow) -> Result<ConflictRow, sqlx::Error> {
    Ok(ConflictRow {
        id: r.id("id")?,
        record_id: r.id("record_id")?,
        field_key: r.try_get("field_key")?,
        base_version: r.try_get("base_version")?,
        server_version: r.try_get("server_version")?,
        device_value: r.try_get("device_value")?,
        author_id: r.id("author_id")?,
        device_id: r.id("device_id")?,
        device_seq: r.try_get("device_seq")?,
        created_at_ms: r.try_get("created_at_ms")?,
        resolved_at_ms: r.try_get("resolved_at_ms")?,
        kind: shared::api::conflicts::ConflictKind::parse(&r.try_get::<String, _>("kind")?)
            .unwrap_or_default(),
    })
}

pub async fn insert_conflict(conn: &mut AnyConnection, c: &ConflictRow) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO record_conflicts ({CONFLICT_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11)"
    );
    sqlx::query(&sql)
        .bind(c.id.to_string())
        .bind(c.record_id.to_string())
        .bind(&c.field_key)
        .bind(c.base_version)
        .bind(c.server_version)
        .bind(c.device_value.as_deref())
        .bind(c.author_id.to_string())
        .bind(c.device_id.to_string())
        .bind(c.device_seq)
        .bind(c.created_at_ms)
        .bind(c.kind.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The open conflicts a device left on a record, read on `conn`.
pub async fn open_conflicts_from(
    conn: &mut AnyConnection,
    record_id: RecordId,
    device_id: DeviceId,
) -> Result<Vec<ConflictRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {CONFLICT_COLUMNS} FROM record_conflicts \
         WHERE record_id = $1 AND device_id = $2 AND resolved_at_ms IS NULL"
    );
    sqlx::query(&sql)
        .bind(record_id.to_string())
        .bind(device_id.to_string())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(conflict_from_row)
        .collect()
}

/// One conflict, read on `conn`.
pub async fn conflict_on(
    conn: &mut AnyConnection,
    id: ConflictId,
) -> Result<Option<ConflictRow>, sqlx::Error> {
    let sql = format!("SELECT {CONFLICT_COLUMNS} FROM record_conflicts WHERE id = $1");
    sqlx::query(&sql)
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(conflict_from_row)
        .transpose()
}

/// Marks a conflict resolved if it is still open, with the decider's comment (sealed);
/// `false` when it was not open.
pub async fn resolve_conflict(
    conn: &mut AnyConnection,
    id: ConflictId,
    by: UserId,
    resolution: &str,
    at_ms: i64,
    comment_sealed: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE record_conflicts SET resolved_at_ms = $2, resolved_by = $3, resolution = $4, \
         comment_sealed = $5 WHERE id = $1 AND resolved_at_ms IS NULL",
    )
    .bind(id.to_string())
    .bind(at_ms)
    .bind(by.to_string())
    .bind(resolution)
    .bind(comment_sealed)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

impl Db {
    /// The open conflicts of records in `scope`, oldest first (at most `limit`). The
    /// scope is applied before the limit, so other teams' conflicts never crowd out
    /// the caller's own.
    pub async fn open_conflicts(
        &self,
        scope: &Scope,
        limit: i64,
    ) -> Result<Vec<ConflictRow>, sqlx::Error> {
        let (condition, params) = scope_condition(scope, 2);
        let sql = format!(
            "SELECT {CONFLICT_COLUMNS} FROM record_conflicts WHERE resolved_at_ms IS NULL \
             AND record_id IN (SELECT r.id FROM records r WHERE {condition}) \
             ORDER BY created_at_ms, id LIMIT $1"
        );
        let mut q = sqlx::query(&sql).bind(limit);
        for p in params {
            q = q.bind(p);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(conflict_from_row)
            .collect()
    }

    /// Each record's version and number of open conflicts.
    pub async fn versions_and_open_conflicts(
        &self,
        record_ids: &[RecordId],
    ) -> Result<HashMap<RecordId, (i64, i64)>, sqlx::Error> {
        let mut out = HashMap::new();
        for chunk in record_ids.chunks(100) {
            let list = placeholders_for(self.kind(), 1, chunk.len());
            let sql = format!(
                "SELECT r.id, r.version, (SELECT COUNT(*) FROM record_conflicts k \
                 WHERE k.record_id = r.id AND k.resolved_at_ms IS NULL \
                 AND k.kind = 'conflict') AS open \
                 FROM records r WHERE r.id IN {list}"
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.to_string());
            }
            for row in q.fetch_all(self.pool()).await? {
                out.insert(
                    row.id("id")?,
                    (row.try_get("version")?, row.try_get("open")?),
                );
            }
        }
        Ok(out)
    }

    /// The fields of each record with a change waiting for approval.
    pub async fn pending_fields(
        &self,
        record_ids: &[RecordId],
    ) -> Result<HashMap<RecordId, Vec<String>>, sqlx::Error> {
        let mut out: HashMap<RecordId, Vec<String>> = HashMap::new();
        for chunk in record_ids.chunks(100) {
            let list = placeholders_for(self.kind(), 1, chunk.len());
            let sql = format!(
                "SELECT DISTINCT record_id, field_key FROM record_conflicts \
                 WHERE record_id IN {list} AND kind = 'approval' AND resolved_at_ms IS NULL \
                 ORDER BY record_id, field_key"
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.to_string());
            }
            for row in q.fetch_all(self.pool()).await? {
                out.entry(row.id("record_id")?)
                    .or_default()
                    .push(row.try_get("field_key")?);
            }
        }
        Ok(out)
    }
}

/// One version of a record for its history view.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub version: i64,
    pub values: SealedValues,
    /// JSON array of field keys.
    pub changed_fields: String,
    pub author_name: Option<String>,
    pub device_id: Option<shared::ids::DeviceId>,
    pub cause: Option<String>,
    pub request_id: Option<shared::ids::SubjectRequestId>,
    /// Who approved the change this version applied.
    pub approved_by_name: Option<String>,
    pub at_ms: i64,
}

impl super::Db {
    /// Every kept version of a record, oldest first, with its author's user name.
    pub async fn record_history(
        &self,
        record_id: RecordId,
    ) -> Result<Vec<HistoryRow>, sqlx::Error> {
        use super::IdColumn as _;
        sqlx::query(
            "SELECT v.version, v.values_json, v.changed_fields, u.username AS author_name, \
             v.device_id, v.cause, v.request_id, v.created_at_ms, \
             d.username AS approved_by_name \
             FROM record_versions v LEFT JOIN users u ON u.id = v.author_id \
             LEFT JOIN record_conflicts k ON k.id = v.change_id \
             LEFT JOIN users d ON d.id = k.resolved_by \
             WHERE v.record_id = $1 ORDER BY v.version",
        )
        .bind(record_id.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(HistoryRow {
                version: r.try_get("version")?,
                values: SealedValues::from_sealed_json(r.try_get("values_json")?),
                changed_fields: r.try_get("changed_fields")?,
                author_name: r.try_get("author_name")?,
                device_id: r.id_opt("device_id")?,
                cause: r.try_get("cause")?,
                request_id: r.id_opt("request_id")?,
                approved_by_name: r.try_get("approved_by_name")?,
                at_ms: r.try_get("created_at_ms")?,
            })
        })
        .collect()
    }

    /// Who collected a record (user name) and with which device, for version 1.
    pub async fn collector_of(
        &self,
        record_id: RecordId,
    ) -> Result<(Option<String>, Option<shared::ids::DeviceId>), sqlx::Error> {
        use super::IdColumn as _;
        let row = sqlx::query(
            "SELECT u.username, r.device_id FROM records r \
             LEFT JOIN users u ON u.id = r.collected_by WHERE r.id = $1",
        )
        .bind(record_id.to_string())
        .fetch_optional(self.pool())
        .await?;
        match row {
            None => Ok((None, None)),
            Some(r) => Ok((r.try_get("username")?, r.id_opt("device_id")?)),
        }
    }
}
