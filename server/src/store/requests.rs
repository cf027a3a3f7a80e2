//! Data-subject requests in the database: the register, the records each concerns, what
//! happened to each, and one-time package downloads. Text columns named `*_sealed` hold
//! what `requests::seal` sealed; this file never sees them in clear.

use shared::ids::{PackageId, ReceiptId, RecordId, SubjectRequestId, UserId};
use sqlx::{any::AnyRow, AnyConnection, Row as _};

use super::{Db, IdColumn as _};

/// A request as stored, with the names of the people it mentions.
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub id: SubjectRequestId,
    pub kind: String,
    pub status: String,
    pub filed_by_customer: bool,
    pub receipt_id: Option<ReceiptId>,
    pub requester_sealed: String,
    pub received_at_ms: i64,
    pub due_at_ms: i64,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    pub identity_method: Option<String>,
    pub identity_by_name: Option<String>,
    pub identity_at_ms: Option<i64>,
    pub identity_note_sealed: Option<String>,
    pub extended_at_ms: Option<i64>,
    pub extended_by_name: Option<String>,
    pub extension_sealed: Option<String>,
    pub refusal_sealed: Option<String>,
    pub closed_at_ms: Option<i64>,
    pub records: i64,
}

const REQUEST_SELECT: &str = "SELECT r.id, r.kind, r.status, r.filed_by_customer, \
     r.receipt_id, r.requester_sealed, r.received_at_ms, r.due_at_ms, r.assignee_id, \
     a.username AS assignee_name, r.identity_method, i.username AS identity_by_name, \
     r.identity_at_ms, r.identity_note_sealed, r.extended_at_ms, \
     e.username AS extended_by_name, r.extension_sealed, r.refusal_sealed, r.closed_at_ms, \
     (SELECT COUNT(*) FROM subject_request_records l WHERE l.request_id = r.id) AS records \
     FROM subject_requests r LEFT JOIN users a ON a.id = r.assignee_id \
     LEFT JOIN users i ON i.id = r.identity_by LEFT JOIN users e ON e.id = r.extended_by";

fn request_from(row: &AnyRow) -> Result<RequestRow, sqlx::Error> {
    Ok(RequestRow {
        id: row.id("id")?,
        kind: row.try_get("kind")?,
        status: row.try_get("status")?,
        filed_by_customer: row.try_get::<i64, _>("filed_by_customer")? != 0,
        receipt_id: row.id_opt("receipt_id")?,
        requester_sealed: row.try_get("requester_sealed")?,
        received_at_ms: row.try_get("received_at_ms")?,
        due_at_ms: row.try_get("due_at_ms")?,
        assignee_id: row.id_opt("assignee_id")?,
        assignee_name: row.try_get("assignee_name")?,
        identity_method: row.try_get("identity_method")?,
        identity_by_name: row.try_get("identity_by_name")?,
        identity_at_ms: row.try_get("identity_at_ms")?,
        identity_note_sealed: row.try_get("identity_note_sealed")?,
        extended_at_ms: row.try_get("extended_at_ms")?,
        extended_by_name: row.try_get("extended_by_name")?,
        extension_sealed: row.try_get("extension_sealed")?,
        refusal_sealed: row.try_get("refusal_sealed")?,
        closed_at_ms: row.try_get("closed_at_ms")?,
        records: row.try_get("records")?,
    })
}

/// A new request.
pub struct NewRequestRow<'a> {
    pub id: SubjectRequestId,
    pub kind: &'a str,
    pub status: &'a str,
    pub filed_by_customer: bool,
    pub receipt_id: Option<ReceiptId>,
    pub requester_sealed: &'a str,
    pub received_at_ms: i64,
    pub due_at_ms: i64,
    /// For a request filed with a receipt's token: the server checked it.
    pub identity_method: Option<&'a str>,
    pub created_by: Option<UserId>,
    pub created_at_ms: i64,
}

pub async fn insert_request(
    conn: &mut AnyConnection,
    r: &NewRequestRow<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO subject_requests (id, kind, status, filed_by_customer, receipt_id, \
         requester_sealed, received_at_ms, due_at_ms, identity_method, identity_at_ms, \
         created_by, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(r.id.to_string())
    .bind(r.kind)
    .bind(r.status)
    .bind(i64::from(r.filed_by_customer))
    .bind(r.receipt_id.map(|id| id.to_string()))
    .bind(r.requester_sealed)
    .bind(r.received_at_ms)
    .bind(r.due_at_ms)
    .bind(r.identity_method)
    .bind(r.identity_method.map(|_| r.created_at_ms))
    .bind(r.created_by.map(|id| id.to_string()))
    .bind(r.created_at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The request, locked for the rest of the transaction on PostgreSQL (SQLite's one
/// writer already serialises).
pub async fn request_locked(
    conn: &mut AnyConnection,
    kind: shared::api::system::DatabaseKind,
    id: SubjectRequestId,
) -> Result<Option<RequestRow>, sqlx::Error> {
    let lock = match kind {
        shared::api::system::DatabaseKind::Postgres => " FOR UPDATE OF r",
        shared::api::system::DatabaseKind::Sqlite => "",
    };
    sqlx::query(&format!("{REQUEST_SELECT} WHERE r.id = $1{lock}"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(request_from)
        .transpose()
}

/// One column change of a request: `column = value` (the column names are this
/// module's constants, never input).
pub enum Change<'a> {
    Status {
        status: &'a str,
        closed_at_ms: Option<i64>,
    },
    Assignee(Option<UserId>),
    Identity {
        method: &'a str,
        by: UserId,
        at_ms: i64,
        note_sealed: &'a str,
    },
    Extension {
        by: UserId,
        at_ms: i64,
        reason_sealed: &'a str,
        due_at_ms: i64,
    },
    Refusal {
        reason_sealed: &'a str,
    },
}

pub async fn update_request(
    conn: &mut AnyConnection,
    id: SubjectRequestId,
    change: &Change<'_>,
) -> Result<(), sqlx::Error> {
    let id = id.to_string();
    let query = match change {
        Change::Status {
            status,
            closed_at_ms,
        } => {
            sqlx::query("UPDATE subject_requests SET status = $2, closed_at_ms = $3 WHERE id = $1")
                .bind(id)
                .bind(*status)
                .bind(*closed_at_ms)
        }
        Change::Assignee(user) => {
            sqlx::query("UPDATE subject_requests SET assignee_id = $2 WHERE id = $1")
                .bind(id)
                .bind(user.map(|u| u.to_string()))
        }
        Change::Identity {
            method,
            by,
            at_ms,
            note_sealed,
        } => sqlx::query(
            "UPDATE subject_requests SET identity_method = $2, identity_by = $3, \
             identity_at_ms = $4, identity_note_sealed = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(*method)
        .bind(by.to_string())
        .bind(*at_ms)
        .bind(*note_sealed),
        Change::Extension {
            by,
            at_ms,
            reason_sealed,
            due_at_ms,
        } => sqlx::query(
            "UPDATE subject_requests SET extended_by = $2, extended_at_ms = $3, \
             extension_sealed = $4, due_at_ms = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(by.to_string())
        .bind(*at_ms)
        .bind(*reason_sealed)
        .bind(*due_at_ms),
        Change::Refusal { reason_sealed } => {
            sqlx::query("UPDATE subject_requests SET refusal_sealed = $2 WHERE id = $1")
                .bind(id)
                .bind(*reason_sealed)
        }
    };
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Links a record to a request; `false` when it already was.
pub async fn link_record(
    conn: &mut AnyConnection,
    request: SubjectRequestId,
    record: RecordId,
    found_by: &str,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO subject_request_records (request_id, record_id, found_by, linked_at_ms) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (request_id, record_id) DO NOTHING",
    )
    .bind(request.to_string())
    .bind(record.to_string())
    .bind(found_by)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn unlink_record(
    conn: &mut AnyConnection,
    request: SubjectRequestId,
    record: RecordId,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM subject_request_records WHERE request_id = $1 AND record_id = $2")
            .bind(request.to_string())
            .bind(record.to_string())
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// An event to keep.
pub struct NewEvent<'a> {
    pub request_id: SubjectRequestId,
    pub at_ms: i64,
    pub by: Option<UserId>,
    pub kind: &'a str,
    pub text_sealed: &'a str,
    /// The event's id (its text is sealed with it as additional data).
    pub id: uuid::Uuid,
}

pub async fn insert_event(conn: &mut AnyConnection, e: &NewEvent<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO subject_request_events (id, request_id, at_ms, by_user, kind, text_sealed) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(e.id.to_string())
    .bind(e.request_id.to_string())
    .bind(e.at_ms)
    .bind(e.by.map(|u| u.to_string()))
    .bind(e.kind)
    .bind(e.text_sealed)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An event as stored.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: String,
    pub at_ms: i64,
    pub by_name: Option<String>,
    pub kind: String,
    pub text_sealed: String,
}

/// A package download as stored.
#[derive(Debug, Clone)]
pub struct PackageRow {
    pub id: PackageId,
    pub request_id: SubjectRequestId,
    pub prepared_by: Option<UserId>,
    pub prepared_at_ms: i64,
    pub expires_at_ms: i64,
    pub downloaded_at_ms: Option<i64>,
}

fn package_from(row: &AnyRow) -> Result<PackageRow, sqlx::Error> {
    Ok(PackageRow {
        id: row.id("id")?,
        request_id: row.id("request_id")?,
        prepared_by: row.id_opt("prepared_by")?,
        prepared_at_ms: row.try_get("prepared_at_ms")?,
        expires_at_ms: row.try_get("expires_at_ms")?,
        downloaded_at_ms: row.try_get("downloaded_at_ms")?,
    })
}

pub async fn insert_package(conn: &mut AnyConnection, p: &PackageRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO request_packages (id, request_id, prepared_by, prepared_at_ms, \
         expires_at_ms) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(p.id.to_string())
    .bind(p.request_id.to_string())
    .bind(p.prepared_by.map(|u| u.to_string()))
    .bind(p.prepared_at_ms)
    .bind(p.expires_at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks a package downloaded if it still may be (not yet downloaded, not expired);
/// `false` otherwise. The one download is decided here, by one conditional update.
pub async fn take_package(
    conn: &mut AnyConnection,
    request: SubjectRequestId,
    package: PackageId,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE request_packages SET downloaded_at_ms = $3 WHERE id = $1 AND request_id = $2 \
         AND downloaded_at_ms IS NULL AND expires_at_ms > $3",
    )
    .bind(package.to_string())
    .bind(request.to_string())
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

impl Db {
    /// Requests, by due date (the most urgent first); `open`: only those not closed,
    /// `Some(false)`: only closed ones.
    pub async fn requests(&self, open: Option<bool>) -> Result<Vec<RequestRow>, sqlx::Error> {
        let filter = match open {
            None => "",
            Some(true) => " WHERE r.status NOT IN ('answered', 'refused')",
            Some(false) => " WHERE r.status IN ('answered', 'refused')",
        };
        sqlx::query(&format!(
            "{REQUEST_SELECT}{filter} ORDER BY r.due_at_ms, r.id LIMIT 1000"
        ))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(request_from)
        .collect()
    }

    pub async fn request(&self, id: SubjectRequestId) -> Result<Option<RequestRow>, sqlx::Error> {
        sqlx::query(&format!("{REQUEST_SELECT} WHERE r.id = $1"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(request_from)
            .transpose()
    }

    /// Open requests due before `by_ms` (overdue when `by_ms` is now).
    pub async fn open_requests_due_before(&self, by_ms: i64) -> Result<i64, sqlx::Error> {
        sqlx::query(
            "SELECT COUNT(*) AS n FROM subject_requests \
             WHERE status NOT IN ('answered', 'refused') AND due_at_ms < $1",
        )
        .bind(by_ms)
        .fetch_one(self.pool())
        .await?
        .try_get("n")
    }

    /// The records linked to a request and how each was found, in the order linked.
    pub async fn request_records(
        &self,
        id: SubjectRequestId,
    ) -> Result<Vec<(RecordId, String)>, sqlx::Error> {
        sqlx::query(
            "SELECT record_id, found_by FROM subject_request_records WHERE request_id = $1 \
             ORDER BY linked_at_ms, record_id",
        )
        .bind(id.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| Ok((row.id("record_id")?, row.try_get("found_by")?)))
        .collect()
    }

    pub async fn request_events(&self, id: SubjectRequestId) -> Result<Vec<EventRow>, sqlx::Error> {
        sqlx::query(
            "SELECT e.id, e.at_ms, u.username AS by_name, e.kind, e.text_sealed \
             FROM subject_request_events e LEFT JOIN users u ON u.id = e.by_user \
             WHERE e.request_id = $1 ORDER BY e.at_ms, e.id",
        )
        .bind(id.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(EventRow {
                id: row.try_get("id")?,
                at_ms: row.try_get("at_ms")?,
                by_name: row.try_get("by_name")?,
                kind: row.try_get("kind")?,
                text_sealed: row.try_get("text_sealed")?,
            })
        })
        .collect()
    }

    /// The latest package download prepared for a request.
    pub async fn latest_package(
        &self,
        id: SubjectRequestId,
    ) -> Result<Option<PackageRow>, sqlx::Error> {
        sqlx::query(
            "SELECT id, request_id, prepared_by, prepared_at_ms, expires_at_ms, downloaded_at_ms \
             FROM request_packages WHERE request_id = $1 \
             ORDER BY prepared_at_ms DESC, id DESC LIMIT 1",
        )
        .bind(id.to_string())
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(package_from)
        .transpose()
    }

    /// Enabled admins and privacy officers, by user name: whom a request can be given to.
    pub async fn request_assignees(&self) -> Result<Vec<(UserId, String)>, sqlx::Error> {
        sqlx::query(
            "SELECT id, username FROM users WHERE role IN ('admin', 'privacy_officer') \
             AND disabled = 0 ORDER BY username",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| Ok((row.id("id")?, row.try_get("username")?)))
        .collect()
    }

    /// The reasons of the holds in force at `now_ms` that cover a record (the record
    /// itself, its form, or a person it holds an identifier of), sealed, with hold ids.
    pub async fn holds_covering(
        &self,
        record: RecordId,
        now_ms: i64,
    ) -> Result<Vec<(shared::ids::LegalHoldId, String)>, sqlx::Error> {
        sqlx::query(
            "SELECT h.id, h.reason_sealed FROM legal_holds h, records r WHERE r.id = $1 \
             AND h.lifted_at_ms IS NULL AND (h.ends_at_ms IS NULL OR h.ends_at_ms > $2) \
             AND ((h.scope = 'record' AND h.record_id = r.id) \
               OR (h.scope = 'form' AND h.form_id = r.form_id) \
               OR (h.scope = 'person' AND EXISTS (SELECT 1 FROM record_lookup l \
                 WHERE l.record_id = r.id AND l.blind_index = h.blind_index))) \
             ORDER BY h.created_at_ms",
        )
        .bind(record.to_string())
        .bind(now_ms)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| Ok((row.id("id")?, row.try_get("reason_sealed")?)))
        .collect()
    }
}
