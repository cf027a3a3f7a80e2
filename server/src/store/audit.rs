//! The audit log in the database: append inside the caller's transaction, read back.

use shared::audit::{AuditEntry, AuditHead};
use sqlx::{any::AnyRow, AnyConnection, Row as _};

use super::{AnyQuery, Db};

/// What is appended; `seq`, `prev_hash` and `hash` are filled in here.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub at_ms: i64,
    pub actor_id: Option<String>,
    pub actor_role: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub details: serde_json::Value,
}

const ENTRY_COLUMNS: &str = "seq, at_ms, actor_id, actor_role, action, target_kind, target_id, \
     ip, user_agent, details_json, prev_hash, hash";

fn entry_from_row(row: &AnyRow) -> Result<AuditEntry, sqlx::Error> {
    let details: String = row.try_get("details_json")?;
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        at_ms: row.try_get("at_ms")?,
        actor_id: row.try_get("actor_id")?,
        actor_role: row.try_get("actor_role")?,
        action: row.try_get("action")?,
        target_kind: row.try_get("target_kind")?,
        target_id: row.try_get("target_id")?,
        ip: row.try_get("ip")?,
        user_agent: row.try_get("user_agent")?,
        // A row whose details are not JSON still verifies as altered, not as an error.
        details: serde_json::from_str(&details).unwrap_or(serde_json::Value::String(details)),
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Filters for reading the log, newest first.
#[derive(Debug, Default, Clone)]
pub struct AuditQuery {
    pub action_prefix: Option<String>,
    pub actor_id: Option<String>,
    pub target_id: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// Appends one entry, linked to the chain, on `conn` (which should be inside the
/// transaction of the change it records). The chain row is updated first, so the
/// transaction takes the write lock at once and concurrent appends serialise.
pub async fn append(
    conn: &mut AnyConnection,
    new: NewAuditEntry,
) -> Result<AuditEntry, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE audit_chain SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq, last_hash",
    )
    .fetch_one(&mut *conn)
    .await?;
    let mut entry = AuditEntry {
        seq: row.try_get("last_seq")?,
        at_ms: new.at_ms,
        actor_id: new.actor_id,
        actor_role: new.actor_role,
        action: new.action,
        target_kind: new.target_kind,
        target_id: new.target_id,
        ip: new.ip,
        user_agent: new.user_agent,
        details: new.details,
        prev_hash: String::new(),
        hash: String::new(),
    };
    let prev: String = row.try_get("last_hash")?;
    entry.seal(&prev);
    let sql = format!(
        "INSERT INTO audit_log ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    );
    sqlx::query(&sql)
        .bind(entry.seq)
        .bind(entry.at_ms)
        .bind(entry.actor_id.clone())
        .bind(entry.actor_role.clone())
        .bind(entry.action.clone())
        .bind(entry.target_kind.clone())
        .bind(entry.target_id.clone())
        .bind(entry.ip.clone())
        .bind(entry.user_agent.clone())
        .bind(entry.details.to_string())
        .bind(entry.prev_hash.clone())
        .bind(entry.hash.clone())
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE audit_chain SET last_hash = $1 WHERE id = 1")
        .bind(entry.hash.clone())
        .execute(&mut *conn)
        .await?;
    Ok(entry)
}

/// Appends several entries in order with three statements, however many there are.
pub async fn append_many(
    conn: &mut AnyConnection,
    new: Vec<NewAuditEntry>,
) -> Result<(), sqlx::Error> {
    let entries = reserve(conn, new).await?;
    let Some(head) = entries.last() else {
        return Ok(());
    };
    for chunk in entries.chunks(100) {
        let sql = entries_sql(conn, chunk.len());
        bind_entries(sqlx::query(&sql), chunk)
            .execute(&mut *conn)
            .await?;
    }
    let sql = set_head_sql(conn);
    sqlx::query(&sql)
        .bind(&head.hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Moves the chain's head hash to the last appended entry's (its one parameter). On
/// SQLite a positional `?`: there it may follow other statements in one query, whose
/// parameters come before its own.
#[must_use]
pub fn set_head_sql(conn: &AnyConnection) -> String {
    format!(
        "UPDATE audit_chain SET last_hash = {} WHERE id = 1",
        super::records::placeholders(conn, 1, 1)
    )
}

/// Takes `new.len()` sequence numbers at the head of the chain and seals the entries
/// after it, in order. The caller inserts them ([`entries_sql`], [`bind_entries`]) and
/// then sets the head's hash ([`set_head_sql`]) in the same transaction.
pub async fn reserve(
    conn: &mut AnyConnection,
    new: Vec<NewAuditEntry>,
) -> Result<Vec<AuditEntry>, sqlx::Error> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let count = i64::try_from(new.len()).unwrap_or(i64::MAX);
    let row = sqlx::query(
        "UPDATE audit_chain SET last_seq = last_seq + $1 WHERE id = 1 RETURNING last_seq, last_hash",
    )
    .bind(count)
    .fetch_one(&mut *conn)
    .await?;
    let last_seq: i64 = row.try_get("last_seq")?;
    let mut prev: String = row.try_get("last_hash")?;
    let mut entries = Vec::with_capacity(new.len());
    for (i, n) in (0_i64..).zip(new) {
        let mut entry = AuditEntry {
            seq: last_seq - count + 1 + i,
            at_ms: n.at_ms,
            actor_id: n.actor_id,
            actor_role: n.actor_role,
            action: n.action,
            target_kind: n.target_kind,
            target_id: n.target_id,
            ip: n.ip,
            user_agent: n.user_agent,
            details: n.details,
            prev_hash: String::new(),
            hash: String::new(),
        };
        entry.seal(&prev);
        prev.clone_from(&entry.hash);
        entries.push(entry);
    }
    Ok(entries)
}

/// `INSERT INTO audit_log …` for `rows` entries.
#[must_use]
pub fn entries_sql(conn: &AnyConnection, rows: usize) -> String {
    format!(
        "INSERT INTO audit_log ({ENTRY_COLUMNS}) VALUES {}",
        super::records::placeholders(conn, rows, 12)
    )
}

/// Binds `entries` to [`entries_sql`]'s parameters.
pub fn bind_entries<'q>(mut q: AnyQuery<'q>, entries: &'q [AuditEntry]) -> AnyQuery<'q> {
    for e in entries {
        q = q
            .bind(e.seq)
            .bind(e.at_ms)
            .bind(e.actor_id.as_deref())
            .bind(e.actor_role.as_deref())
            .bind(&e.action)
            .bind(e.target_kind.as_deref())
            .bind(e.target_id.as_deref())
            .bind(e.ip.as_deref())
            .bind(e.user_agent.as_deref())
            .bind(e.details.to_string())
            .bind(&e.prev_hash)
            .bind(&e.hash);
    }
    q
}

/// Escapes `\`, `%` and `_` for a `LIKE … ESCAPE '\'` pattern.
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Db {
    /// Entries matching `q`, newest first.
    pub async fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>, sqlx::Error> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE \
             ($1 IS NULL OR action LIKE $1 ESCAPE '\\') AND ($2 IS NULL OR actor_id = $2) \
             AND ($3 IS NULL OR target_id = $3) AND ($4 IS NULL OR at_ms >= $4) \
             AND ($5 IS NULL OR at_ms <= $5) AND ($6 IS NULL OR seq < $6) \
             ORDER BY seq DESC LIMIT $7"
        );
        sqlx::query(&sql)
            .bind(
                q.action_prefix
                    .as_ref()
                    .map(|p| format!("{}%", escape_like(p))),
            )
            .bind(q.actor_id.clone())
            .bind(q.target_id.clone())
            .bind(q.from_ms)
            .bind(q.to_ms)
            .bind(q.before_seq)
            .bind(q.limit)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(entry_from_row)
            .collect()
    }

    /// The whole log in stored order of `seq`, for verification.
    pub async fn audit_all(&self) -> Result<Vec<AuditEntry>, sqlx::Error> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY seq");
        sqlx::query(&sql)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(entry_from_row)
            .collect()
    }

    /// The chain's newest entry (seq 0 when empty).
    pub async fn audit_chain_head(&self) -> Result<(i64, String), sqlx::Error> {
        let row = sqlx::query("SELECT last_seq, last_hash FROM audit_chain WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok((row.try_get("last_seq")?, row.try_get("last_hash")?))
    }

    pub async fn audit_heads(&self) -> Result<Vec<AuditHead>, sqlx::Error> {
        sqlx::query("SELECT seq, hash, at_ms, key_id, signature FROM audit_heads ORDER BY seq")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| {
                Ok(AuditHead {
                    seq: row.try_get("seq")?,
                    hash: row.try_get("hash")?,
                    at_ms: row.try_get("at_ms")?,
                    key_id: row.try_get("key_id")?,
                    signature: row.try_get("signature")?,
                })
            })
            .collect()
    }

    pub async fn insert_audit_head(&self, head: &AuditHead) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO audit_heads (seq, hash, at_ms, key_id, signature) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (seq) DO NOTHING",
        )
        .bind(head.seq)
        .bind(head.hash.clone())
        .bind(head.at_ms)
        .bind(head.key_id.clone())
        .bind(head.signature.clone())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The newest signed head's seq (0 when none).
    pub async fn last_signed_head_seq(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_heads")
            .fetch_one(self.pool())
            .await
    }
}
