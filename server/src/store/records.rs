//! Records, their identifier lookups and their consent receipts.

use shared::{
    api::{imports::ImportedBasis, records::RecordSort, system::DatabaseKind},
    ids::{DeviceId, FormId, ReceiptId, RecordId, TeamId, UserId},
};
use sqlx::{AnyConnection, Row as _};

use super::{Db, IdColumn as _};
use crate::crypto::{SealedText, SealedValues, WrappedKey};

/// A record with its consent, ready to insert.
pub struct NewSubmission {
    pub record_id: RecordId,
    pub source: RecordSource,
    /// The staff member who collected it (and so owns it at first).
    pub collected_by: Option<UserId>,
    /// The device that signed it, for a record collected by staff.
    pub device: Option<DeviceSignature>,
    pub form_id: FormId,
    pub form_version: i64,
    pub key_version: i64,
    pub wrapped_key: WrappedKey,
    pub values: SealedValues,
    pub lookups: Vec<(String, &'static str)>,
    pub receipt_id: ReceiptId,
    pub statement_hash: String,
    /// The countersigned receipt's JSON, sealed under the record's data key.
    pub receipt: SealedText,
    /// The key of a format-2 statement's hashes, sealed likewise.
    pub hash_key: Option<SealedText>,
    pub withdraw_token_hash: String,
    pub purposes_granted: String,
    /// Whether the statement carried the separate consent to sensitive data.
    pub sensitive_consent: bool,
    pub received_at_ms: i64,
}

impl NewSubmission {
    /// Its `records` row.
    #[must_use]
    pub fn row(&self) -> NewRecordRow<'_> {
        NewRecordRow {
            record_id: self.record_id,
            source: self.source,
            collected_by: self.collected_by,
            device: self.device.as_ref(),
            form_id: self.form_id,
            form_version: self.form_version,
            key_version: self.key_version,
            wrapped_key: &self.wrapped_key,
            values: &self.values,
            at_ms: self.received_at_ms,
        }
    }
}

/// What a new `records` row holds, whatever brought the record (a submission, a sync,
/// an import).
pub struct NewRecordRow<'a> {
    pub record_id: RecordId,
    pub source: RecordSource,
    /// Who collected (or imported) it, and so owns it at first.
    pub collected_by: Option<UserId>,
    pub device: Option<&'a DeviceSignature>,
    pub form_id: FormId,
    pub form_version: i64,
    pub key_version: i64,
    pub wrapped_key: &'a WrappedKey,
    pub values: &'a SealedValues,
    pub at_ms: i64,
}

pub use shared::api::records::RecordSource;

pub use super::receipts::{
    receipt_locked, receipt_on, receipts_on, record_withdrawal, NewWithdrawal, ReceiptRow,
};

/// The `source` column.
fn source_column(row: &sqlx::any::AnyRow) -> Result<RecordSource, sqlx::Error> {
    let name: String = row.try_get("source")?;
    RecordSource::parse(&name).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "source".to_owned(),
        source: format!("unknown record source {name}").into(),
    })
}

/// The device that collected a record and signed its sync envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSignature {
    pub device_id: DeviceId,
    /// The device's sequence number for the record.
    pub seq: i64,
    /// base64url ed25519 signature over the envelope (the receipt's client signature).
    pub signature: String,
}

/// The wrapped data key of a row that selected `wrapped_key` and `master_key_id`.
pub(crate) fn wrapped_key_of(row: &sqlx::any::AnyRow) -> Result<WrappedKey, sqlx::Error> {
    let column: String = row.try_get("wrapped_key")?;
    WrappedKey::from_columns(row.try_get("master_key_id")?, &column).map_err(|e| {
        sqlx::Error::ColumnDecode {
            index: "wrapped_key".to_owned(),
            source: Box::new(e),
        }
    })
}

/// `($1, $2, …), (…)` for `rows` rows of `cols` parameters; on SQLite `(?, ?, …)`.
///
/// SQLite finds a named parameter such as `$17` by a linear search, and sqlx looks up
/// every parameter's name, so a statement with n named parameters costs O(n²) to bind.
/// Positional `?` parameters bind in order.
#[must_use]
pub fn placeholders(conn: &AnyConnection, rows: usize, cols: usize) -> String {
    let kind = if conn.backend_name() == "SQLite" {
        DatabaseKind::Sqlite
    } else {
        DatabaseKind::Postgres
    };
    placeholders_for(kind, rows, cols)
}

/// [`placeholders`] for a backend known without a connection at hand.
#[must_use]
pub fn placeholders_for(kind: DatabaseKind, rows: usize, cols: usize) -> String {
    let positional = kind == DatabaseKind::Sqlite;
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            if positional {
                out.push('?');
            } else {
                out.push('$');
                out.push_str(&(r * cols + c + 1).to_string());
            }
        }
        out.push(')');
    }
    out
}

/// Rows per multi-row statement: well under both backends' parameter limits.
pub const ROWS_PER_STATEMENT: usize = 100;

/// Rows per statement for tables of one to three columns (3,000 parameters at most,
/// against limits of 32,766 for SQLite and 65,535 for PostgreSQL). Each statement is a
/// round trip to the database (for SQLite, to its connection's thread and back).
pub const NARROW_ROWS_PER_STATEMENT: usize = 1000;

impl Db {
    pub async fn count_records(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM records")
            .fetch_one(self.pool())
            .await
    }

    /// The wrapped data key and key version of each of `ids` still stored.
    pub async fn record_keys(
        &self,
        ids: &[RecordId],
    ) -> Result<std::collections::HashMap<RecordId, (WrappedKey, i64)>, sqlx::Error> {
        let mut found = std::collections::HashMap::new();
        let mut conn = self.pool().acquire().await?;
        for chunk in ids.chunks(NARROW_ROWS_PER_STATEMENT) {
            let list = placeholders(&conn, 1, chunk.len());
            let sql = format!(
                "SELECT id, wrapped_key, master_key_id, key_version FROM records WHERE id IN {list}"
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(id.to_string());
            }
            for row in query.fetch_all(&mut *conn).await? {
                found.insert(
                    row.id("id")?,
                    (wrapped_key_of(&row)?, row.try_get("key_version")?),
                );
            }
        }
        Ok(found)
    }

    /// Record ids whose identifier has this blind index.
    pub async fn records_by_lookup(&self, blind_index: &str) -> Result<Vec<RecordId>, sqlx::Error> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT record_id FROM record_lookup WHERE blind_index = $1 ORDER BY record_id",
        )
        .bind(blind_index)
        .fetch_all(self.pool())
        .await?;
        ids.iter()
            .map(|raw| super::decode_id("record_id", raw))
            .collect()
    }
}

/// Which records a viewer may see.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Every record (admins, auditors).
    All,
    /// Records owned by the manager or members of their team, and, when the team is the
    /// intake (`Config::intake_team`), records nobody owns yet.
    Team {
        manager_id: UserId,
        team_id: Option<TeamId>,
        intake: bool,
    },
    /// Records this user owns.
    Own { user_id: UserId },
}

/// A stored record with what a view needs.
#[derive(Debug, Clone)]
pub struct RecordRow {
    pub id: RecordId,
    pub form_id: FormId,
    pub form_version: i64,
    pub source: RecordSource,
    pub owner_id: Option<UserId>,
    pub key_version: i64,
    pub wrapped_key: WrappedKey,
    pub values: SealedValues,
    pub created_at_ms: i64,
    /// Purpose → when consent to it was withdrawn.
    pub withdrawn_json: Option<String>,
    pub relationship_ended_at_ms: Option<i64>,
    /// What retention did to its fields (`retention_json`).
    pub retention_json: Option<String>,
    /// For an imported record, the basis it is held on.
    pub imported: Option<ImportedBasis>,
    /// Every value erased (retention, a request, an import undone).
    pub erased: bool,
}

/// The columns and joins of a record view: the record, its receipt's withdrawals and,
/// for an imported record, the basis it is held on.
macro_rules! record_select {
    ($($extra:literal)?) => {
        concat!(
            "SELECT r.id, r.form_id, r.form_version, r.source, r.owner_id, r.key_version, \
             r.wrapped_key, r.master_key_id, r.values_json, r.created_at_ms, \
             c.purposes_withdrawn, r.relationship_ended_at_ms, r.retention_json, \
             r.status, b.import_id, b.basis AS import_basis, \
             b.purposes AS import_purposes, b.consented_at_ms AS import_consented_at_ms"
            $(, $extra)?,
            " FROM records r LEFT JOIN consent_receipts c ON c.record_id = r.id \
             LEFT JOIN record_bases b ON b.record_id = r.id"
        )
    };
}

const RECORD_SELECT: &str = record_select!();

/// [`RECORD_SELECT`] with the purposes granted: by the consent, or for an imported
/// record without one, by the import's basis.
const RECORD_SELECT_GRANTED: &str =
    record_select!(", COALESCE(c.purposes_granted, b.purposes) AS purposes_granted");

/// The SQL condition and its parameters (from `$first` on) for a scope.
pub(crate) fn scope_condition(scope: &Scope, first: usize) -> (String, Vec<Option<String>>) {
    match scope {
        Scope::All => ("1 = 1".to_owned(), vec![]),
        // Who collected a record does not matter once it has an owner: giving the
        // record to someone else takes it away from the collector and their team.
        Scope::Own { user_id } => (
            format!("r.owner_id = ${first}"),
            vec![Some(user_id.to_string())],
        ),
        Scope::Team {
            manager_id,
            team_id,
            intake,
        } => (
            format!(
                "(r.owner_id = ${first} \
                 OR r.owner_id IN (SELECT id FROM users WHERE team_id = ${b}){unassigned})",
                b = first + 1,
                unassigned = if *intake {
                    " OR r.owner_id IS NULL"
                } else {
                    ""
                },
            ),
            vec![Some(manager_id.to_string()), team_id.map(|t| t.to_string())],
        ),
    }
}

pub use super::record_filter::{bind_all, filter_condition, Condition, SqlParam};

/// An account owning records, with its team's name.
#[derive(Debug, Clone)]
pub struct OwnerRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub team_id: Option<TeamId>,
    pub team_name: Option<String>,
}

fn record_from_row(row: &sqlx::any::AnyRow) -> Result<RecordRow, sqlx::Error> {
    Ok(RecordRow {
        id: row.id("id")?,
        form_id: row.id("form_id")?,
        form_version: row.try_get("form_version")?,
        source: source_column(row)?,
        owner_id: row.id_opt("owner_id")?,
        key_version: row.try_get("key_version")?,
        wrapped_key: wrapped_key_of(row)?,
        values: SealedValues::from_sealed_json(row.try_get("values_json")?),
        created_at_ms: row.try_get("created_at_ms")?,
        withdrawn_json: row.try_get("purposes_withdrawn")?,
        relationship_ended_at_ms: row.try_get("relationship_ended_at_ms")?,
        retention_json: row.try_get("retention_json")?,
        imported: imported_basis(row)?,
        erased: row.try_get::<String, _>("status")? == "erased",
    })
}

/// The basis of an imported record, from [`RECORD_SELECT`]'s `record_bases` columns.
fn imported_basis(row: &sqlx::any::AnyRow) -> Result<Option<ImportedBasis>, sqlx::Error> {
    let Some(import_id) = row.id_opt("import_id")? else {
        return Ok(None);
    };
    let basis: String = row.try_get("import_basis")?;
    let purposes: String = row.try_get("import_purposes")?;
    let decode = |what: &str, e: serde_json::Error| sqlx::Error::ColumnDecode {
        index: what.to_owned(),
        source: Box::new(e),
    };
    Ok(Some(ImportedBasis {
        import_id,
        basis: serde_json::from_value(serde_json::Value::String(basis))
            .map_err(|e| decode("import_basis", e))?,
        purposes: serde_json::from_str(&purposes).map_err(|e| decode("import_purposes", e))?,
        purpose_names: Vec::new(),
        consented_at_ms: row.try_get("import_consented_at_ms")?,
    }))
}

impl Db {
    /// A page of the records `condition` selects (see [`filter_condition`]), in `sort`
    /// order of `(created_at_ms, id)`, after the place `after` (the last record of the
    /// page before): records collected in the same millisecond are neither skipped nor
    /// repeated.
    pub async fn records_page(
        &self,
        condition: Condition,
        sort: RecordSort,
        after: Option<(i64, RecordId)>,
        limit: i64,
    ) -> Result<Vec<RecordRow>, sqlx::Error> {
        let (cmp, order) = match sort {
            RecordSort::Newest => ("<", "DESC"),
            RecordSort::Oldest => (">", "ASC"),
        };
        let mut sql = format!("{RECORD_SELECT} WHERE {}", condition.sql);
        let mut params = condition.params;
        if let Some((ms, id)) = after {
            let (a, b) = (params.len() + 1, params.len() + 2);
            sql.push_str(&format!(
                " AND (r.created_at_ms {cmp} ${a} OR (r.created_at_ms = ${a} AND r.id {cmp} ${b}))"
            ));
            params.push(SqlParam::Int(Some(ms)));
            params.push(SqlParam::Text(Some(id.to_string())));
        }
        sql.push_str(&format!(
            " ORDER BY r.created_at_ms {order}, r.id {order} LIMIT ${}",
            params.len() + 1
        ));
        params.push(SqlParam::Int(Some(limit)));
        bind_all(sqlx::query(&sql), params)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(record_from_row)
            .collect()
    }

    /// The accounts owning records in `scope`, with their teams' names (for the list's
    /// filter by team and owner).
    pub async fn record_owners(&self, scope: &Scope) -> Result<Vec<OwnerRow>, sqlx::Error> {
        let (condition, params) = scope_condition(scope, 1);
        let sql = format!(
            "SELECT u.id, u.username, u.display_name, u.team_id, t.name AS team_name \
             FROM users u LEFT JOIN teams t ON t.id = u.team_id \
             WHERE EXISTS (SELECT 1 FROM records r WHERE r.owner_id = u.id AND {condition})"
        );
        let mut q = sqlx::query(&sql);
        for p in params {
            q = q.bind(p);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| {
                Ok(OwnerRow {
                    id: row.id("id")?,
                    username: row.try_get("username")?,
                    display_name: row.try_get("display_name")?,
                    team_id: row.id_opt("team_id")?,
                    team_name: row.try_get("team_name")?,
                })
            })
            .collect()
    }

    /// A page of the records `condition` selects for an export (see
    /// [`filter_condition`]; erased records left out), oldest first, after
    /// `(created_at_ms, id)`; each with the purposes its consent granted (the receipt's
    /// JSON list).
    pub async fn records_for_export(
        &self,
        condition: &Condition,
        after: Option<(i64, RecordId)>,
        limit: i64,
    ) -> Result<Vec<(RecordRow, Option<String>)>, sqlx::Error> {
        let mut params = condition.params.clone();
        let mut sql = format!(
            "{RECORD_SELECT_GRANTED} WHERE {} AND r.status <> 'erased'",
            condition.sql
        );
        if let Some((ms, id)) = after {
            let (a, b) = (params.len() + 1, params.len() + 2);
            sql.push_str(&format!(
                " AND (r.created_at_ms > ${a} OR (r.created_at_ms = ${a} AND r.id > ${b}))"
            ));
            params.push(SqlParam::Int(Some(ms)));
            params.push(SqlParam::Text(Some(id.to_string())));
        }
        sql.push_str(&format!(
            " ORDER BY r.created_at_ms, r.id LIMIT ${}",
            params.len() + 1
        ));
        params.push(SqlParam::Int(Some(limit)));
        bind_all(sqlx::query(&sql), params)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| Ok((record_from_row(row)?, row.try_get("purposes_granted")?)))
            .collect()
    }

    /// How many records `condition` selects for an export (erased records left out).
    pub async fn count_for_export(&self, condition: &Condition) -> Result<i64, sqlx::Error> {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM records r WHERE {} AND r.status <> 'erased'",
            condition.sql
        );
        bind_all(sqlx::query(&sql), condition.params.clone())
            .fetch_one(self.pool())
            .await?
            .try_get("n")
    }

    /// The versions of each form that records in `scope` were collected with.
    pub async fn record_form_versions(
        &self,
        scope: &Scope,
    ) -> Result<Vec<(FormId, i64)>, sqlx::Error> {
        let (condition, params) = scope_condition(scope, 1);
        let sql = format!(
            "SELECT DISTINCT r.form_id, r.form_version FROM records r WHERE {condition} \
             ORDER BY r.form_id, r.form_version DESC"
        );
        let mut q = sqlx::query(&sql);
        for p in params {
            q = q.bind(p);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| Ok((row.id("form_id")?, row.try_get("form_version")?)))
            .collect()
    }

    /// The forms records in `scope` were collected with, each with the newest version
    /// among them.
    pub async fn record_forms(&self, scope: &Scope) -> Result<Vec<(FormId, i64)>, sqlx::Error> {
        let (condition, params) = scope_condition(scope, 1);
        let sql = format!(
            "SELECT r.form_id, MAX(r.form_version) AS form_version FROM records r \
             WHERE {condition} GROUP BY r.form_id"
        );
        let mut q = sqlx::query(&sql);
        for p in params {
            q = q.bind(p);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| Ok((row.id("form_id")?, row.try_get("form_version")?)))
            .collect()
    }

    /// One record, if it is in `scope`.
    pub async fn record_in_scope(
        &self,
        scope: &Scope,
        id: RecordId,
    ) -> Result<Option<RecordRow>, sqlx::Error> {
        let (condition, params) = scope_condition(scope, 2);
        let sql = format!("{RECORD_SELECT} WHERE r.id = $1 AND {condition}");
        let mut q = sqlx::query(&sql).bind(id.to_string());
        for p in params {
            q = q.bind(p);
        }
        q.fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(record_from_row)
            .transpose()
    }

    /// The team a user belongs to.
    pub async fn team_of(&self, user_id: UserId) -> Result<Option<TeamId>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        super::assignments::team_of(&mut conn, user_id).await
    }
}

/// Sets a record's owner on `conn`; returns the previous owner, or `None` when there is
/// no such record.
pub async fn set_owner(
    conn: &mut AnyConnection,
    record_id: RecordId,
    owner_id: UserId,
    now: i64,
) -> Result<Option<Option<UserId>>, sqlx::Error> {
    let previous: Option<Option<String>> =
        sqlx::query_scalar("SELECT owner_id FROM records WHERE id = $1")
            .bind(record_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    if previous.is_some() {
        sqlx::query("UPDATE records SET owner_id = $2, updated_at_ms = $3 WHERE id = $1")
            .bind(record_id.to_string())
            .bind(owner_id.to_string())
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    previous
        .map(|owner| {
            owner
                .map(|raw| super::decode_id("owner_id", &raw))
                .transpose()
        })
        .transpose()
}
