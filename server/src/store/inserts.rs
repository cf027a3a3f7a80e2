//! New submissions written in bulk: their records, identifier lookups, consent receipts
//! and audit entries, with multi-row statements.

use sqlx::AnyConnection;

use crate::crypto::SealedText;

use super::{
    audit::{self, NewAuditEntry},
    records::{
        placeholders, NewRecordRow, NewSubmission, NARROW_ROWS_PER_STATEMENT, ROWS_PER_STATEMENT,
    },
    AnyQuery,
};

/// Inserts many submissions with a few multi-row statements (one round trip to the
/// database per table and 100 rows, rather than several per submission).
pub async fn insert_submissions(
    conn: &mut AnyConnection,
    subs: &[&NewSubmission],
) -> Result<(), sqlx::Error> {
    for chunk in subs.chunks(ROWS_PER_STATEMENT) {
        let sql = records_sql(conn, chunk.len());
        bind_records(sqlx::query(&sql), chunk)
            .execute(&mut *conn)
            .await?;
        let lookups = lookups_of(chunk);
        for part in lookups.chunks(NARROW_ROWS_PER_STATEMENT) {
            let sql = lookups_sql(conn, part.len());
            bind_lookups(sqlx::query(&sql), part)
                .execute(&mut *conn)
                .await?;
        }
        let sql = receipts_sql(conn, chunk.len());
        bind_receipts(sqlx::query(&sql), chunk)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Inserts submissions and appends audit entries after them, in the caller's
/// transaction.
///
/// On SQLite every 100 submissions, with their lookups, receipts and up to 100 of the
/// entries, go as one query of several statements: one hand-off to the connection's
/// thread and back (two context switches) instead of five. PostgreSQL takes one
/// statement per query with parameters, so there they go one statement at a time.
pub async fn insert_with_audit(
    conn: &mut AnyConnection,
    subs: &[&NewSubmission],
    audit: Vec<NewAuditEntry>,
) -> Result<(), sqlx::Error> {
    if conn.backend_name() != "SQLite" {
        insert_submissions(conn, subs).await?;
        return audit::append_many(conn, audit).await;
    }
    let entries = audit::reserve(conn, audit).await?;
    let parts = subs
        .len()
        .div_ceil(ROWS_PER_STATEMENT)
        .max(entries.len().div_ceil(ROWS_PER_STATEMENT));
    for part in 0..parts {
        let range = |len: usize| {
            (part * ROWS_PER_STATEMENT).min(len)..((part + 1) * ROWS_PER_STATEMENT).min(len)
        };
        let chunk = &subs[range(subs.len())];
        let logged = &entries[range(entries.len())];
        let lookups = lookups_of(chunk);
        let mut statements = Vec::new();
        if !chunk.is_empty() {
            statements.push(records_sql(conn, chunk.len()));
            for lookup_part in lookups.chunks(NARROW_ROWS_PER_STATEMENT) {
                statements.push(lookups_sql(conn, lookup_part.len()));
            }
            statements.push(receipts_sql(conn, chunk.len()));
        }
        if !logged.is_empty() {
            statements.push(audit::entries_sql(conn, logged.len()));
        }
        let head = (part + 1 == parts).then(|| entries.last()).flatten();
        if head.is_some() {
            statements.push(audit::set_head_sql(conn));
        }
        let sql = statements.join(";\n");
        // The parameters in the order of the statements.
        let mut q = sqlx::query(&sql);
        if !chunk.is_empty() {
            q = bind_records(q, chunk);
            for lookup_part in lookups.chunks(NARROW_ROWS_PER_STATEMENT) {
                q = bind_lookups(q, lookup_part);
            }
            q = bind_receipts(q, chunk);
        }
        q = audit::bind_entries(q, logged);
        if let Some(head) = head {
            q = q.bind(&head.hash);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

pub(super) fn records_sql(conn: &AnyConnection, rows: usize) -> String {
    format!(
        "INSERT INTO records (id, form_id, form_version, source, key_version, wrapped_key, \
         master_key_id, values_json, content_hash, status, created_at_ms, updated_at_ms, \
         collected_by, owner_id, device_id, device_seq, device_signature) VALUES {}",
        placeholders(conn, rows, 17)
    )
}

fn bind_records<'q>(q: AnyQuery<'q>, subs: &'q [&'q NewSubmission]) -> AnyQuery<'q> {
    bind_rows(q, subs.iter().map(|s| s.row()))
}

/// Binds the columns of [`records_sql`] for each row.
pub(super) fn bind_rows<'q>(
    mut q: AnyQuery<'q>,
    rows: impl Iterator<Item = NewRecordRow<'q>>,
) -> AnyQuery<'q> {
    for r in rows {
        let (device_id, device_seq, device_signature) = match r.device {
            Some(d) => (
                Some(d.device_id.to_string()),
                Some(d.seq),
                Some(d.signature.as_str()),
            ),
            None => (None, None, None),
        };
        q = q
            .bind(r.record_id.to_string())
            .bind(r.form_id.to_string())
            .bind(r.form_version)
            .bind(r.source.as_str())
            .bind(r.key_version)
            .bind(r.wrapped_key.to_column())
            .bind(&r.wrapped_key.master_key_id)
            .bind(r.values.as_str())
            // No longer written (it let guesses of a record's values be tested): the
            // column goes in a later release (expand/contract, migrations/README.md).
            .bind("")
            .bind("active")
            .bind(r.at_ms)
            .bind(r.at_ms)
            .bind(r.collected_by.map(|id| id.to_string()))
            .bind(r.collected_by.map(|id| id.to_string()))
            .bind(device_id)
            .bind(device_seq)
            .bind(device_signature);
    }
    q
}

/// (blind index, kind, record id) of every identifier of `subs`.
fn lookups_of<'a>(subs: &[&'a NewSubmission]) -> Vec<(&'a str, &'static str, String)> {
    subs.iter()
        .flat_map(|s| {
            s.lookups
                .iter()
                .map(|(index, kind)| (index.as_str(), *kind, s.record_id.to_string()))
        })
        .collect()
}

pub(super) fn lookups_sql(conn: &AnyConnection, rows: usize) -> String {
    format!(
        "INSERT INTO record_lookup (blind_index, kind, record_id) VALUES {} \
         ON CONFLICT (blind_index, record_id) DO NOTHING",
        placeholders(conn, rows, 3)
    )
}

pub(super) fn bind_lookups<'q>(
    mut q: AnyQuery<'q>,
    lookups: &'q [(&'q str, &'q str, String)],
) -> AnyQuery<'q> {
    for (index, kind, record) in lookups {
        q = q.bind(*index).bind(*kind).bind(record.as_str());
    }
    q
}

fn receipts_sql(conn: &AnyConnection, rows: usize) -> String {
    format!(
        "INSERT INTO consent_receipts (receipt_id, record_id, form_id, form_version, \
         statement_hash, receipt_json, receipt_sealed, hash_key_sealed, \
         withdraw_token_hash, purposes_granted, purposes_withdrawn, received_at_ms, \
         sensitive_consent) VALUES {}",
        placeholders(conn, rows, 13)
    )
}

fn bind_receipts<'q>(mut q: AnyQuery<'q>, subs: &'q [&'q NewSubmission]) -> AnyQuery<'q> {
    for s in subs {
        q = q
            .bind(s.receipt_id.to_string())
            .bind(s.record_id.to_string())
            .bind(s.form_id.to_string())
            .bind(s.form_version)
            .bind(&s.statement_hash)
            // The clear column is emptied (see `upgrade.rs`), dropped in a later release.
            .bind("")
            .bind(s.receipt.as_str())
            .bind(s.hash_key.as_ref().map(SealedText::as_str))
            .bind(&s.withdraw_token_hash)
            .bind(&s.purposes_granted)
            .bind("{}")
            .bind(s.received_at_ms)
            .bind(i64::from(s.sensitive_consent));
    }
    q
}
