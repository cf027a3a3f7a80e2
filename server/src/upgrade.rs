//! What older servers wrote, brought up to today's invariants at start (after the
//! migrations, which cannot: this needs the master key). Each step works a chunk at a
//! time, one transaction per chunk, and picks only rows not done yet, so a server killed
//! midway resumes at its next start, and replicas starting together cannot undo each
//! other (every update re-checks that its row is still undone).
//!
//! - Consent receipts stored in clear (issue #18): sealed under their record's data
//!   key; the clear column is emptied.
//! - Kept edits' payload hashes (the plain SHA-256 of the edited answers): keyed.

use crate::{
    crypto::{KeyWrapper, SubkeyRoot},
    records::sealed::{self, RecordKey},
    store::{upgrade, Db},
};

const CHUNK: i64 = 500;

/// Runs every step to the end; returns how many rows changed.
pub async fn run(db: &Db, master: &dyn KeyWrapper, subkeys: &SubkeyRoot) -> anyhow::Result<u64> {
    let mut changed = 0;
    loop {
        let rows = db.clear_receipts(CHUNK).await?;
        if rows.is_empty() {
            break;
        }
        let mut tx = db.begin_write().await?;
        for row in &rows {
            let dek = row
                .wrapped_key
                .unwrap(master, &row.record_id.to_string())
                .map_err(|e| anyhow::anyhow!("data key of record {}: {e}", row.record_id))?;
            let sealed = RecordKey::new(row.record_id, row.key_version, &dek)
                .seal_text(sealed::RECEIPT, row.json.as_bytes());
            upgrade::seal_receipt(&mut tx, row.receipt_id, &sealed).await?;
        }
        tx.commit().await?;
        changed += rows.len() as u64;
    }
    loop {
        let rows = db.plain_edit_hashes(CHUNK).await?;
        if rows.is_empty() {
            break;
        }
        let mut tx = db.begin_write().await?;
        for (record, device, seq, plain) in &rows {
            let keyed = sealed::kept_payload_hash(subkeys, plain);
            upgrade::key_edit_hash(&mut tx, (*record, *device, *seq), plain, &keyed).await?;
        }
        tx.commit().await?;
        changed += rows.len() as u64;
    }
    if changed > 0 {
        tracing::info!(
            rows = changed,
            "sealed and keyed what an older server stored"
        );
    }
    Ok(changed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use shared::ids::RecordId;

    use super::*;
    use crate::crypto::{DataKey, LocalMasterKey, SealedText};

    /// A receipt and an edit as a server from before #18 stored them; `$1` is the
    /// record id, `$2` and `$3` its wrapped key's columns.
    const OLD_ROWS: [&str; 7] = [
        "INSERT INTO forms (id, status, draft_json, created_at_ms, updated_at_ms) \
         VALUES ('00000000-0000-4000-8000-00000000000f', 'active', '{}', 1, 1)",
        "INSERT INTO form_versions (form_id, version_number, version_hash, definition_json, \
         published_at_ms) VALUES ('00000000-0000-4000-8000-00000000000f', 1, 'sha256:v', '{}', 1)",
        "INSERT INTO records (id, form_id, form_version, source, key_version, wrapped_key, \
         master_key_id, values_json, content_hash, created_at_ms, updated_at_ms) \
         VALUES ($1, '00000000-0000-4000-8000-00000000000f', 1, 'web', 1, $2, $3, '{}', \
         'sha256:c', 1, 1)",
        "INSERT INTO consent_receipts (receipt_id, record_id, form_id, form_version, \
         statement_hash, receipt_json, withdraw_token_hash, purposes_granted, \
         purposes_withdrawn, received_at_ms) VALUES ('00000000-0000-4000-8000-0000000000c1', \
         $1, '00000000-0000-4000-8000-00000000000f', 1, 'sha256:s', \
         '{\"subject_salt\":\"c2FsdA\"}', 'sha256:t', '[]', '{}', 1)",
        "INSERT INTO users (id, username, display_name, role, password_hash, created_at_ms, \
         updated_at_ms) VALUES ('00000000-0000-4000-8000-0000000000a1', 'zhang', 'Zhang', \
         'staff', 'x', 1, 1)",
        "INSERT INTO devices (id, user_id, name, public_key, created_at_ms) VALUES \
         ('00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-0000000000a1', \
         'phone', 'k', 1)",
        "INSERT INTO record_edits (record_id, device_id, device_seq, payload_hash, \
         result_json, created_at_ms) VALUES ($1, '00000000-0000-4000-8000-0000000000d1', 2, \
         'sha256:e', '{}', 1)",
    ];

    #[tokio::test]
    async fn clear_receipts_are_sealed_and_plain_edit_hashes_keyed_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/u.db", dir.path().display()))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let master = LocalMasterKey::from_bytes([1; 32]);
        let subkeys = SubkeyRoot::from_bytes([2; 32]);
        let record = RecordId::from_uuid(uuid::Uuid::from_u128(0x5eed));
        let dek = DataKey::generate();
        let wrapped = dek.wrap(&master, &record.to_string());
        for sql in OLD_ROWS {
            let mut q = sqlx::query(sql);
            if sql.contains("$1") {
                q = q.bind(record.to_string());
            }
            if sql.contains("$2") {
                q = q.bind(wrapped.to_column()).bind(&wrapped.master_key_id);
            }
            q.execute(db.pool()).await.unwrap();
        }
        assert_eq!(run(&db, &master, &subkeys).await.unwrap(), 2);
        // Nothing is left to do: a second start changes nothing.
        assert_eq!(run(&db, &master, &subkeys).await.unwrap(), 0);

        let (clear, sealed): (String, String) =
            sqlx::query_as("SELECT receipt_json, receipt_sealed FROM consent_receipts")
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(clear, "");
        let opened = RecordKey::new(record, 1, &dek)
            .open_text(sealed::RECEIPT, &SealedText::from_column(sealed))
            .unwrap();
        assert_eq!(&opened[..], b"{\"subject_salt\":\"c2FsdA\"}");
        let hash: String = sqlx::query_scalar("SELECT payload_hash FROM record_edits")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(hash, sealed::kept_payload_hash(&subkeys, "sha256:e"));
    }
}
