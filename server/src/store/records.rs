//! Records, their identifier lookups and their consent receipts.

use shared::{
    api::{
        records::{ConsentState, FilterProblem, RecordFilter, RecordSort},
        system::DatabaseKind,
    },
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
    pub received_at_ms: i64,
}

pub use shared::api::records::RecordSource;

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

/// A stored receipt, as needed to answer a retry or a withdrawal, with its record's
/// data key to open it.
#[derive(Debug, Clone)]
pub struct ReceiptRow {
    pub receipt_id: ReceiptId,
    pub record_id: RecordId,
    pub form_id: FormId,
    pub form_version: i64,
    pub statement_hash: String,
    /// The receipt's JSON, sealed (`records::sealed::RECEIPT`); in a row written by a
    /// server from before receipts were sealed, its JSON until `upgrade.rs` seals it.
    pub receipt: SealedText,
    pub wrapped_key: WrappedKey,
    pub key_version: i64,
    pub withdraw_token_hash: String,
    pub purposes_granted: String,
    pub purposes_withdrawn: String,
    pub received_at_ms: i64,
}

const RECEIPT_COLUMNS: &str = "c.receipt_id, c.record_id, c.form_id, c.form_version, \
     c.statement_hash, COALESCE(c.receipt_sealed, c.receipt_json) AS receipt_sealed, \
     c.withdraw_token_hash, c.purposes_granted, \
     c.purposes_withdrawn, c.received_at_ms, r.wrapped_key, r.master_key_id, r.key_version";
/// The receipts joined with their records, for [`RECEIPT_COLUMNS`].
const RECEIPTS_WITH_KEYS: &str = "consent_receipts c JOIN records r ON r.id = c.record_id";

fn receipt_from_row(row: &sqlx::any::AnyRow) -> Result<ReceiptRow, sqlx::Error> {
    Ok(ReceiptRow {
        receipt_id: row.id("receipt_id")?,
        record_id: row.id("record_id")?,
        form_id: row.id("form_id")?,
        form_version: row.try_get("form_version")?,
        statement_hash: row.try_get("statement_hash")?,
        receipt: SealedText::from_column(row.try_get("receipt_sealed")?),
        wrapped_key: wrapped_key_of(row)?,
        key_version: row.try_get("key_version")?,
        withdraw_token_hash: row.try_get("withdraw_token_hash")?,
        purposes_granted: row.try_get("purposes_granted")?,
        purposes_withdrawn: row.try_get("purposes_withdrawn")?,
        received_at_ms: row.try_get("received_at_ms")?,
    })
}

/// The receipt with this id, read on `conn` (inside the writer's transaction).
pub async fn receipt_on(
    conn: &mut AnyConnection,
    receipt_id: ReceiptId,
) -> Result<Option<ReceiptRow>, sqlx::Error> {
    let sql = format!("SELECT {RECEIPT_COLUMNS} FROM {RECEIPTS_WITH_KEYS} WHERE c.receipt_id = $1");
    sqlx::query(&sql)
        .bind(receipt_id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(receipt_from_row)
        .transpose()
}

/// The receipt with this id, read on `conn` inside a write transaction; on PostgreSQL
/// its row stays locked until the transaction ends, so that two withdrawals of one
/// consent run one after the other (SQLite's write transactions already do).
pub async fn receipt_locked(
    conn: &mut AnyConnection,
    kind: DatabaseKind,
    receipt_id: ReceiptId,
) -> Result<Option<ReceiptRow>, sqlx::Error> {
    let lock = match kind {
        DatabaseKind::Postgres => " FOR UPDATE OF c",
        DatabaseKind::Sqlite => "",
    };
    let sql =
        format!("SELECT {RECEIPT_COLUMNS} FROM {RECEIPTS_WITH_KEYS} WHERE c.receipt_id = $1{lock}");
    sqlx::query(&sql)
        .bind(receipt_id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(receipt_from_row)
        .transpose()
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

/// The stored receipts among `receipt_ids`, read on `conn` in one statement per 1,000
/// ids.
pub async fn receipts_on(
    conn: &mut AnyConnection,
    receipt_ids: &[ReceiptId],
) -> Result<Vec<ReceiptRow>, sqlx::Error> {
    let mut found = Vec::new();
    for chunk in receipt_ids.chunks(NARROW_ROWS_PER_STATEMENT) {
        let list = placeholders(conn, 1, chunk.len());
        let sql = format!(
            "SELECT {RECEIPT_COLUMNS} FROM {RECEIPTS_WITH_KEYS} WHERE c.receipt_id IN {list}"
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(id.to_string());
        }
        for row in query.fetch_all(&mut *conn).await? {
            found.push(receipt_from_row(&row)?);
        }
    }
    Ok(found)
}

/// A withdrawal to keep: purposes, time, the signed receipt and, for one staff recorded
/// at the customer's request, who did and the sealed evidence (reason, signature).
pub struct NewWithdrawal<'a> {
    pub id: &'a str,
    pub receipt_id: ReceiptId,
    /// The consent's whole map purpose → time withdrawn, after this withdrawal.
    pub withdrawn_json: &'a str,
    /// The purposes this withdrawal adds (JSON array).
    pub purposes: &'a str,
    pub at_ms: i64,
    pub receipt_json: &'a str,
    pub recorded_by: Option<UserId>,
    pub evidence: Option<&'a SealedText>,
}

/// Marks purposes withdrawn and keeps the withdrawal with its signed receipt.
pub async fn record_withdrawal(
    conn: &mut AnyConnection,
    w: &NewWithdrawal<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE consent_receipts SET purposes_withdrawn = $2 WHERE receipt_id = $1")
        .bind(w.receipt_id.to_string())
        .bind(w.withdrawn_json)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO consent_withdrawals (id, receipt_id, purposes, withdrawn_at_ms, \
         receipt_json, recorded_by, evidence_sealed) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(w.id)
    .bind(w.receipt_id.to_string())
    .bind(w.purposes)
    .bind(w.at_ms)
    .bind(w.receipt_json)
    .bind(w.recorded_by.map(|u| u.to_string()))
    .bind(w.evidence.map(SealedText::as_str))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Db {
    /// The receipt of a record's consent.
    pub async fn receipt_of_record(
        &self,
        record_id: RecordId,
    ) -> Result<Option<ReceiptRow>, sqlx::Error> {
        let sql =
            format!("SELECT {RECEIPT_COLUMNS} FROM {RECEIPTS_WITH_KEYS} WHERE c.record_id = $1");
        sqlx::query(&sql)
            .bind(record_id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(receipt_from_row)
            .transpose()
    }

    pub async fn receipt(&self, receipt_id: ReceiptId) -> Result<Option<ReceiptRow>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        receipt_on(&mut conn, receipt_id).await
    }

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
}

const RECORD_SELECT: &str =
    "SELECT r.id, r.form_id, r.form_version, r.source, r.owner_id, r.key_version, \
     r.wrapped_key, r.master_key_id, r.values_json, r.created_at_ms, c.purposes_withdrawn, \
     r.relationship_ended_at_ms, r.retention_json \
     FROM records r LEFT JOIN consent_receipts c ON c.record_id = r.id";

/// [`RECORD_SELECT`] with the purposes the consent granted.
const RECORD_SELECT_GRANTED: &str =
    "SELECT r.id, r.form_id, r.form_version, r.source, r.owner_id, r.key_version, \
     r.wrapped_key, r.master_key_id, r.values_json, r.created_at_ms, c.purposes_withdrawn, \
     r.relationship_ended_at_ms, r.retention_json, c.purposes_granted \
     FROM records r LEFT JOIN consent_receipts c ON c.record_id = r.id";

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

/// A value bound to a numbered parameter: text (ids, names) or a number (times),
/// bound as its own type so that PostgreSQL compares like with like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlParam {
    Text(Option<String>),
    Int(Option<i64>),
}

/// A condition over `records r` and the values of its parameters, numbered from the
/// `first` it was built with: `$first` is `params[0]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub sql: String,
    pub params: Vec<SqlParam>,
}

/// Binds `params` in order to `query`.
pub fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    params: Vec<SqlParam>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for p in params {
        query = match p {
            SqlParam::Text(v) => query.bind(v),
            SqlParam::Int(v) => query.bind(v),
        };
    }
    query
}

/// How many `"` a JSON text column holds. A consent's purposes are keys that never hold
/// one (`[a-z][a-z0-9_]*`, see `shared::schema::keys`), written by serde: a list of
/// them (`purposes_granted`) and a map from them to times (`purposes_withdrawn`) hold
/// two per purpose. Plain string functions, so the same SQL runs on SQLite and
/// PostgreSQL without their different JSON functions.
fn quotes_in(column: &str) -> String {
    format!("(LENGTH({column}) - LENGTH(REPLACE({column}, '\"', '')))")
}

/// The SQL condition on `records r` for a consent state, from the record's receipt: in
/// force when no purpose was withdrawn (or there is no receipt), withdrawn when every
/// purpose granted was (a withdrawal takes only purposes granted), partly otherwise.
fn consent_condition(state: ConsentState) -> String {
    let withdrawn = quotes_in("cf.purposes_withdrawn");
    let granted = quotes_in("cf.purposes_granted");
    let receipt = "SELECT 1 FROM consent_receipts cf WHERE cf.record_id = r.id";
    match state {
        ConsentState::InForce => format!("NOT EXISTS ({receipt} AND {withdrawn} > 0)"),
        ConsentState::PartlyWithdrawn => {
            format!("EXISTS ({receipt} AND {withdrawn} > 0 AND {withdrawn} < {granted})")
        }
        ConsentState::Withdrawn => {
            format!("EXISTS ({receipt} AND {withdrawn} > 0 AND {withdrawn} >= {granted})")
        }
    }
}

/// The records of `scope` that `filter` selects, as a condition on `records r` with
/// parameters from `$first` on: the one reading of a [`RecordFilter`], shared by the
/// records list and exports. A team or owner outside the scope selects nothing (the
/// scope still applies), so whether it exists is not told.
///
/// # Errors
/// A day that is not `yyyy-mm-dd`, or a last day before the first.
pub fn filter_condition(
    scope: &Scope,
    filter: &RecordFilter,
    first: usize,
) -> Result<Condition, FilterProblem> {
    let (from_ms, to_ms) = filter.collected_between()?;
    let (scope_sql, scope_params) = scope_condition(scope, first);
    let mut parts = vec![scope_sql];
    let mut params: Vec<SqlParam> = scope_params.into_iter().map(SqlParam::Text).collect();
    let mut add = |sql: &str, value: SqlParam| {
        parts.push(sql.replace("$?", &format!("${}", first + params.len())));
        params.push(value);
    };
    if let Some(form) = filter.form_id {
        add("r.form_id = $?", SqlParam::Text(Some(form.to_string())));
    }
    if let Some(version) = filter.form_version {
        add("r.form_version = $?", SqlParam::Int(Some(version)));
    }
    if let Some(ms) = from_ms {
        add("r.created_at_ms >= $?", SqlParam::Int(Some(ms)));
    }
    if let Some(ms) = to_ms {
        add("r.created_at_ms <= $?", SqlParam::Int(Some(ms)));
    }
    if let Some(team) = filter.team_id {
        add(
            "r.owner_id IN (SELECT tu.id FROM users tu WHERE tu.team_id = $?)",
            SqlParam::Text(Some(team.to_string())),
        );
    }
    if let Some(owner) = filter.owner_id {
        add("r.owner_id = $?", SqlParam::Text(Some(owner.to_string())));
    }
    if let Some(state) = filter.consent {
        parts.push(consent_condition(state));
    }
    Ok(Condition {
        sql: parts.join(" AND "),
        params,
    })
}

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
    })
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_numbers_its_parameters_after_the_scopes() {
        let manager_id = UserId::from_random_bytes([1; 16]);
        let team = TeamId::from_random_bytes([2; 16]);
        let scope = Scope::Team {
            manager_id,
            team_id: Some(team),
            intake: false,
        };
        let filter = RecordFilter {
            from: Some("2024-03-01".to_owned()),
            team_id: Some(team),
            consent: Some(ConsentState::Withdrawn),
            ..RecordFilter::default()
        };
        let c = filter_condition(&scope, &filter, 3).unwrap();
        assert!(c.sql.contains("r.owner_id = $3"), "{}", c.sql);
        assert!(c.sql.contains("team_id = $4"), "{}", c.sql);
        assert!(c.sql.contains("r.created_at_ms >= $5"), "{}", c.sql);
        assert!(c.sql.contains("tu.team_id = $6"), "{}", c.sql);
        assert!(!c.sql.contains("$7"), "{}", c.sql);
        assert_eq!(c.params.len(), 4);
        assert_eq!(c.params[2], SqlParam::Int(Some(1_709_251_200_000)));
        assert_eq!(
            filter_condition(&Scope::All, &RecordFilter::default(), 1),
            Ok(Condition {
                sql: "1 = 1".to_owned(),
                params: vec![]
            })
        );
    }

    #[test]
    fn a_bad_day_is_no_condition() {
        let filter = RecordFilter {
            to: Some("2024-02-30".to_owned()),
            ..RecordFilter::default()
        };
        assert_eq!(
            filter_condition(&Scope::All, &filter, 1),
            Err(FilterProblem::ToNotADay)
        );
    }
}
