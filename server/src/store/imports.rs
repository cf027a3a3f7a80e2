//! Imports in the store: which of a file's identifiers (blind indexes) a form's stored
//! records already have; the imported records, written with their lookups and lawful
//! basis; the imports' history; the mapping remembered per form.

use std::collections::BTreeSet;

use shared::ids::{ConsentInviteId, FormId, ImportId, ReceiptId, RecordId, UserId};
use sqlx::{AnyConnection, Row as _};

use super::{
    alerts::save_setting,
    inserts::{bind_lookups, bind_rows, lookups_sql, records_sql},
    records::{
        placeholders, NewRecordRow, RecordSource, NARROW_ROWS_PER_STATEMENT, ROWS_PER_STATEMENT,
    },
    Db, IdColumn as _,
};
use crate::crypto::{SealedValues, WrappedKey};

/// An imported record, sealed, ready to insert.
pub struct NewImported {
    pub record_id: RecordId,
    pub form_id: FormId,
    pub form_version: i64,
    pub key_version: i64,
    pub wrapped_key: WrappedKey,
    pub values: SealedValues,
    pub lookups: Vec<(String, &'static str)>,
    pub at_ms: i64,
    /// Who imported it (and so owns it).
    pub imported_by: UserId,
}

impl NewImported {
    fn row(&self) -> NewRecordRow<'_> {
        NewRecordRow {
            record_id: self.record_id,
            source: RecordSource::Import,
            collected_by: Some(self.imported_by),
            device: None,
            form_id: self.form_id,
            form_version: self.form_version,
            key_version: self.key_version,
            wrapped_key: &self.wrapped_key,
            values: &self.values,
            at_ms: self.at_ms,
        }
    }
}

/// An `imports` row.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub id: ImportId,
    pub form_id: FormId,
    pub form_version: i64,
    pub created_by: Option<UserId>,
    pub created_at_ms: i64,
    pub file_sha256: String,
    pub file_name_sealed: String,
    pub source: String,
    pub rows_total: i64,
    pub imported: i64,
    pub skipped_invalid: i64,
    pub skipped_duplicate: i64,
    pub skipped_stored: i64,
    pub basis: String,
    /// A JSON list of purpose keys.
    pub purposes: String,
    pub evidence_sealed: String,
    pub on_problems: String,
    pub report_sealed: String,
    pub undo_until_ms: i64,
    pub undone_at_ms: Option<i64>,
    pub undone_by: Option<UserId>,
    pub undo_held: i64,
}

const IMPORT_COLUMNS: &str = "id, form_id, form_version, created_by, created_at_ms, \
     file_sha256, file_name_sealed, source, rows_total, imported, skipped_invalid, \
     skipped_duplicate, skipped_stored, basis, purposes, evidence_sealed, on_problems, \
     report_sealed, undo_until_ms, undone_at_ms, undone_by, undo_held";

fn import_from_row(row: &sqlx::any::AnyRow) -> Result<ImportRow, sqlx::Error> {
    Ok(ImportRow {
        id: row.id("id")?,
        form_id: row.id("form_id")?,
        form_version: row.try_get("form_version")?,
        created_by: row.id_opt("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
        file_sha256: row.try_get("file_sha256")?,
        file_name_sealed: row.try_get("file_name_sealed")?,
        source: row.try_get("source")?,
        rows_total: row.try_get("rows_total")?,
        imported: row.try_get("imported")?,
        skipped_invalid: row.try_get("skipped_invalid")?,
        skipped_duplicate: row.try_get("skipped_duplicate")?,
        skipped_stored: row.try_get("skipped_stored")?,
        basis: row.try_get("basis")?,
        purposes: row.try_get("purposes")?,
        evidence_sealed: row.try_get("evidence_sealed")?,
        on_problems: row.try_get("on_problems")?,
        report_sealed: row.try_get("report_sealed")?,
        undo_until_ms: row.try_get("undo_until_ms")?,
        undone_at_ms: row.try_get("undone_at_ms")?,
        undone_by: row.id_opt("undone_by")?,
        undo_held: row.try_get("undo_held")?,
    })
}

/// Writes an import's row (first, in the commit's transaction).
pub async fn insert_import(conn: &mut AnyConnection, row: &ImportRow) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO imports ({IMPORT_COLUMNS}) VALUES ({})",
        (1..=22)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    sqlx::query(&sql)
        .bind(row.id.to_string())
        .bind(row.form_id.to_string())
        .bind(row.form_version)
        .bind(row.created_by.map(|u| u.to_string()))
        .bind(row.created_at_ms)
        .bind(&row.file_sha256)
        .bind(&row.file_name_sealed)
        .bind(&row.source)
        .bind(row.rows_total)
        .bind(row.imported)
        .bind(row.skipped_invalid)
        .bind(row.skipped_duplicate)
        .bind(row.skipped_stored)
        .bind(&row.basis)
        .bind(&row.purposes)
        .bind(&row.evidence_sealed)
        .bind(&row.on_problems)
        .bind(&row.report_sealed)
        .bind(row.undo_until_ms)
        .bind(row.undone_at_ms)
        .bind(row.undone_by.map(|u| u.to_string()))
        .bind(row.undo_held)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Writes imported records, their blind-index lookups and their basis (the import's),
/// in the caller's transaction.
pub async fn insert_imported(
    conn: &mut AnyConnection,
    import: &ImportRow,
    records: &[NewImported],
) -> Result<(), sqlx::Error> {
    let import_id = import.id.to_string();
    for chunk in records.chunks(ROWS_PER_STATEMENT) {
        let sql = records_sql(conn, chunk.len());
        bind_rows(sqlx::query(&sql), chunk.iter().map(NewImported::row))
            .execute(&mut *conn)
            .await?;
        let lookups: Vec<(&str, &'static str, String)> = chunk
            .iter()
            .flat_map(|r| {
                r.lookups
                    .iter()
                    .map(|(index, kind)| (index.as_str(), *kind, r.record_id.to_string()))
            })
            .collect();
        for part in lookups.chunks(NARROW_ROWS_PER_STATEMENT) {
            let sql = lookups_sql(conn, part.len());
            bind_lookups(sqlx::query(&sql), part)
                .execute(&mut *conn)
                .await?;
        }
        let sql = format!(
            "INSERT INTO record_bases (record_id, import_id, basis, purposes) VALUES {}",
            placeholders(conn, chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(r.record_id.to_string())
                .bind(import_id.as_str())
                .bind(import.basis.as_str())
                .bind(import.purposes.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Marks an import undone.
pub async fn set_undone(
    conn: &mut AnyConnection,
    id: ImportId,
    by: UserId,
    at_ms: i64,
    held: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE imports SET undone_at_ms = $2, undone_by = $3, undo_held = $4 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(at_ms)
    .bind(by.to_string())
    .bind(held)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Where the mapping last used for a form's imports is kept.
fn mapping_setting(form: FormId) -> String {
    format!("imports.mapping.{form}")
}

/// Remembers the mapping used for a form (header key → field key or nothing).
pub async fn save_mapping(
    conn: &mut AnyConnection,
    form: FormId,
    json: &str,
) -> Result<(), sqlx::Error> {
    save_setting(conn, &mapping_setting(form), json).await
}

impl Db {
    /// The blind indexes among `indexes` that a record of `form` (not erased) has.
    pub async fn stored_lookups(
        &self,
        form: FormId,
        indexes: &[String],
    ) -> Result<BTreeSet<String>, sqlx::Error> {
        let mut found = BTreeSet::new();
        for chunk in indexes.chunks(500) {
            // The list's placeholders first (positional on SQLite), then the form's.
            let form_param = match self.kind() {
                shared::api::system::DatabaseKind::Sqlite => "?".to_owned(),
                shared::api::system::DatabaseKind::Postgres => format!("${}", chunk.len() + 1),
            };
            let sql = format!(
                "SELECT DISTINCT l.blind_index FROM record_lookup l \
                 JOIN records r ON r.id = l.record_id \
                 WHERE l.blind_index IN {} AND r.form_id = {form_param} \
                 AND r.status <> 'erased'",
                super::records::placeholders_for(self.kind(), 1, chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(&sql);
            for index in chunk {
                q = q.bind(index);
            }
            found.extend(q.bind(form.to_string()).fetch_all(self.pool()).await?);
        }
        Ok(found)
    }

    /// Every import, newest first.
    pub async fn imports(&self) -> Result<Vec<ImportRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {IMPORT_COLUMNS} FROM imports ORDER BY created_at_ms DESC, id DESC LIMIT 500"
        );
        sqlx::query(&sql)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(import_from_row)
            .collect()
    }

    /// One import.
    pub async fn import(&self, id: ImportId) -> Result<Option<ImportRow>, sqlx::Error> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE id = $1");
        sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(import_from_row)
            .transpose()
    }

    /// The records an import brought in that are not erased.
    pub async fn import_records(&self, id: ImportId) -> Result<Vec<RecordId>, sqlx::Error> {
        sqlx::query(
            "SELECT b.record_id FROM record_bases b JOIN records r ON r.id = b.record_id \
             WHERE b.import_id = $1 AND r.status <> 'erased' ORDER BY b.record_id",
        )
        .bind(id.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| row.id("record_id"))
        .collect()
    }

    /// How many of an import's records have since been given consent.
    pub async fn import_consented(&self, id: ImportId) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM record_bases WHERE import_id = $1 \
             AND consented_at_ms IS NOT NULL",
        )
        .bind(id.to_string())
        .fetch_one(self.pool())
        .await
    }

    /// The mapping remembered for a form's imports, as JSON.
    pub async fn remembered_mapping(&self, form: FormId) -> Result<Option<String>, sqlx::Error> {
        self.org_setting(&mapping_setting(form)).await
    }
}

/// A consent request's row.
#[derive(Debug, Clone)]
pub struct InviteRow {
    pub id: ConsentInviteId,
    pub record_id: RecordId,
    pub token_hash: String,
    pub receipt_id: ReceiptId,
    pub hash_key_sealed: String,
    pub created_by: Option<UserId>,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub used_at_ms: Option<i64>,
}

/// Writes a consent request.
pub async fn insert_invite(conn: &mut AnyConnection, row: &InviteRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO consent_invites (id, record_id, token_hash, receipt_id, hash_key_sealed, \
         created_by, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(row.id.to_string())
    .bind(row.record_id.to_string())
    .bind(&row.token_hash)
    .bind(row.receipt_id.to_string())
    .bind(&row.hash_key_sealed)
    .bind(row.created_by.map(|u| u.to_string()))
    .bind(row.created_at_ms)
    .bind(row.expires_at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What a consent request's answer writes: the record's consent receipt (for its
/// existing record), the basis marked as replaced, the request used. `false` when the
/// request was used meanwhile (nothing written then).
pub struct InviteAnswer<'a> {
    pub invite: &'a InviteRow,
    pub form_id: FormId,
    pub form_version: i64,
    pub statement_hash: &'a str,
    pub receipt_sealed: &'a str,
    pub hash_key_sealed: &'a str,
    pub withdraw_token_hash: &'a str,
    pub purposes_granted: &'a str,
    pub sensitive_consent: bool,
    pub at_ms: i64,
}

/// Writes the answer to a consent request, on the caller's transaction.
pub async fn answer_invite(
    conn: &mut AnyConnection,
    a: &InviteAnswer<'_>,
) -> Result<bool, sqlx::Error> {
    let used = sqlx::query(
        "UPDATE consent_invites SET used_at_ms = $2 WHERE id = $1 AND used_at_ms IS NULL",
    )
    .bind(a.invite.id.to_string())
    .bind(a.at_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if used != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO consent_receipts (receipt_id, record_id, form_id, form_version, \
         statement_hash, receipt_json, receipt_sealed, hash_key_sealed, withdraw_token_hash, \
         purposes_granted, purposes_withdrawn, received_at_ms, sensitive_consent) \
         VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8, $9, '{}', $10, $11)",
    )
    .bind(a.invite.receipt_id.to_string())
    .bind(a.invite.record_id.to_string())
    .bind(a.form_id.to_string())
    .bind(a.form_version)
    .bind(a.statement_hash)
    .bind(a.receipt_sealed)
    .bind(a.hash_key_sealed)
    .bind(a.withdraw_token_hash)
    .bind(a.purposes_granted)
    .bind(a.at_ms)
    .bind(i64::from(a.sensitive_consent))
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE record_bases SET consented_at_ms = $2 WHERE record_id = $1")
        .bind(a.invite.record_id.to_string())
        .bind(a.at_ms)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

impl Db {
    /// The consent request whose token hashes to `token_hash`.
    pub async fn invite_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<InviteRow>, sqlx::Error> {
        sqlx::query(
            "SELECT id, record_id, token_hash, receipt_id, hash_key_sealed, created_by, \
             created_at_ms, expires_at_ms, used_at_ms FROM consent_invites WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?
        .map(|row| {
            Ok(InviteRow {
                id: row.id("id")?,
                record_id: row.id("record_id")?,
                token_hash: row.try_get("token_hash")?,
                receipt_id: row.id("receipt_id")?,
                hash_key_sealed: row.try_get("hash_key_sealed")?,
                created_by: row.id_opt("created_by")?,
                created_at_ms: row.try_get("created_at_ms")?,
                expires_at_ms: row.try_get("expires_at_ms")?,
                used_at_ms: row.try_get("used_at_ms")?,
            })
        })
        .transpose()
    }
}
