//! Queries of `upgrade.rs`: rows older servers wrote, a chunk at a time.

use shared::ids::{DeviceId, ReceiptId, RecordId};
use sqlx::{AnyConnection, Row as _};

use super::{records::wrapped_key_of, Db, IdColumn as _};
use crate::crypto::{SealedText, WrappedKey};

/// A receipt stored in clear, with its record's data key.
pub struct ClearReceipt {
    pub receipt_id: ReceiptId,
    pub record_id: RecordId,
    pub json: String,
    pub wrapped_key: WrappedKey,
    pub key_version: i64,
}

impl Db {
    /// Up to `limit` receipts not sealed yet.
    pub async fn clear_receipts(&self, limit: i64) -> Result<Vec<ClearReceipt>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT c.receipt_id, c.record_id, c.receipt_json, r.wrapped_key, r.master_key_id, \
             r.key_version FROM consent_receipts c JOIN records r ON r.id = c.record_id \
             WHERE c.receipt_sealed IS NULL LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ClearReceipt {
                    receipt_id: row.id("receipt_id")?,
                    record_id: row.id("record_id")?,
                    json: row.try_get("receipt_json")?,
                    wrapped_key: wrapped_key_of(row)?,
                    key_version: row.try_get("key_version")?,
                })
            })
            .collect()
    }

    /// Up to `limit` kept edits whose payload hash is the plain SHA-256 of the answers:
    /// (record, device, sequence number, hash).
    pub async fn plain_edit_hashes(
        &self,
        limit: i64,
    ) -> Result<Vec<(RecordId, DeviceId, i64, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT record_id, device_id, device_seq, payload_hash FROM record_edits \
             WHERE payload_hash LIKE 'sha256:%' LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.id("record_id")?,
                    row.id("device_id")?,
                    row.try_get("device_seq")?,
                    row.try_get("payload_hash")?,
                ))
            })
            .collect()
    }
}

/// Stores a receipt sealed and empties its clear column, unless another server did.
pub async fn seal_receipt(
    conn: &mut AnyConnection,
    receipt_id: ReceiptId,
    sealed: &SealedText,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE consent_receipts SET receipt_sealed = $2, receipt_json = '' \
         WHERE receipt_id = $1 AND receipt_sealed IS NULL",
    )
    .bind(receipt_id.to_string())
    .bind(sealed.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces a kept edit's plain payload hash with its keyed one.
pub async fn key_edit_hash(
    conn: &mut AnyConnection,
    (record, device, seq): (RecordId, DeviceId, i64),
    plain: &str,
    keyed: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE record_edits SET payload_hash = $5 \
         WHERE record_id = $1 AND device_id = $2 AND device_seq = $3 AND payload_hash = $4",
    )
    .bind(record.to_string())
    .bind(device.to_string())
    .bind(seq)
    .bind(plain)
    .bind(keyed)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
