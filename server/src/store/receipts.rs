//! Consent receipts in the store: a record's receipt (to answer a retry, a
//! withdrawal or a view), and withdrawals kept with their signed receipts.

use shared::{
    api::system::DatabaseKind,
    ids::{FormId, ReceiptId, RecordId, UserId},
};
use sqlx::{AnyConnection, Row as _};

use super::{
    records::{placeholders, wrapped_key_of, NARROW_ROWS_PER_STATEMENT},
    Db, IdColumn as _,
};
use crate::crypto::{SealedText, WrappedKey};

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
}
