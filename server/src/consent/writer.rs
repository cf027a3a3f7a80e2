//! One writer task stores submissions in batches: many requests share one transaction
//! and so one durable commit, instead of one fsync each. A request is answered only
//! after the commit that holds its records.

use std::collections::HashMap;

use tokio::sync::{mpsc, oneshot};

use crate::store::{
    audit::{append_many, NewAuditEntry},
    records::{insert_submissions, receipts_on, NewSubmission, ReceiptRow},
    Db,
};

/// The most submissions one transaction holds when several requests share it (a
/// single sync batch may be larger and is written in one transaction of its own).
pub const MAX_BATCH: usize = 256;

/// What happened to a submission.
#[derive(Debug)]
pub enum Outcome {
    /// Stored now.
    Stored,
    /// The same submission was stored before: here is its receipt.
    Replayed(Box<ReceiptRow>),
    /// Another submission already uses this receipt id.
    Conflict,
}

/// One submission to store, with its audit entry.
pub struct Item {
    pub submission: NewSubmission,
    pub audit: NewAuditEntry,
}

struct Job {
    items: Vec<Item>,
    reply: oneshot::Sender<Result<Vec<Outcome>, String>>,
}

/// The handle requests use to reach the writer task.
#[derive(Clone)]
pub struct SubmissionWriter {
    tx: mpsc::Sender<Job>,
}

/// Why a submission could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the submission writer has stopped")]
    Stopped,
    #[error("the database refused the batch: {0}")]
    Database(String),
}

impl SubmissionWriter {
    /// Starts the writer task over `db`.
    #[must_use]
    pub fn start(db: Db) -> Self {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(run(db, rx));
        Self { tx }
    }

    /// Queues one submission and waits for the commit that stores it.
    pub async fn write(
        &self,
        submission: NewSubmission,
        audit: NewAuditEntry,
    ) -> Result<Outcome, WriteError> {
        let mut outcomes = self.write_all(vec![Item { submission, audit }]).await?;
        outcomes.pop().ok_or(WriteError::Stopped)
    }

    /// Queues submissions that must be stored together (in one transaction) and waits
    /// for that commit; outcomes come back in the same order.
    pub async fn write_all(&self, items: Vec<Item>) -> Result<Vec<Outcome>, WriteError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { items, reply })
            .await
            .map_err(|_| WriteError::Stopped)?;
        answer
            .await
            .map_err(|_| WriteError::Stopped)?
            .map_err(WriteError::Database)
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut size = jobs[0].items.len();
        while size < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => {
                    size += job.items.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let items: Vec<&Item> = jobs.iter().flat_map(|j| j.items.iter()).collect();
        match write_batch(&db, &items).await {
            Ok(mut outcomes) => {
                for job in jobs.into_iter().rev() {
                    let mine = outcomes.split_off(outcomes.len() - job.items.len());
                    let _ = job.reply.send(Ok(mine));
                }
            }
            Err(e) if jobs.len() > 1 => {
                // One bad request must not sink the others: retry each on its own.
                tracing::warn!(error = %e, requests = jobs.len(), "batch failed; writing its requests one by one");
                for job in jobs {
                    let items: Vec<&Item> = job.items.iter().collect();
                    let result = write_batch(&db, &items).await.map_err(|e| e.to_string());
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                for job in jobs {
                    let _ = job.reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

async fn write_batch(db: &Db, batch: &[&Item]) -> Result<Vec<Outcome>, sqlx::Error> {
    // Replays are rare: first try to insert everything without looking for them. A
    // receipt id stored before makes the insert fail on its primary key; the
    // transaction is then dropped (rolled back) and the batch written the careful way.
    let mut ids = std::collections::HashSet::with_capacity(batch.len());
    if batch
        .iter()
        .all(|i| ids.insert(i.submission.receipt_id.as_str()))
    {
        match write_new(db, batch).await {
            Ok(outcomes) => return Ok(outcomes),
            Err(e) => tracing::debug!(error = %e, "batch holds a stored receipt id; checking each"),
        }
    }
    write_checked(db, batch).await
}

/// Stores a batch in which no receipt id repeats, assuming none is stored yet.
async fn write_new(db: &Db, batch: &[&Item]) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let subs: Vec<&NewSubmission> = batch.iter().map(|i| &i.submission).collect();
    insert_submissions(&mut tx, &subs).await?;
    append_many(&mut tx, batch.iter().map(|i| i.audit.clone()).collect()).await?;
    tx.commit().await?;
    Ok(batch.iter().map(|_| Outcome::Stored).collect())
}

/// Stores a batch after reading which of its receipt ids are stored already.
async fn write_checked(db: &Db, batch: &[&Item]) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let ids: Vec<&str> = batch
        .iter()
        .map(|i| i.submission.receipt_id.as_str())
        .collect();
    let stored: HashMap<String, ReceiptRow> = receipts_on(&mut tx, &ids)
        .await?
        .into_iter()
        .map(|r| (r.receipt_id.clone(), r))
        .collect();
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut in_batch: HashMap<&str, usize> = HashMap::new();
    let mut to_insert = Vec::new();
    let mut audit = Vec::new();
    for (i, item) in batch.iter().enumerate() {
        let s = &item.submission;
        let earlier = in_batch
            .get(s.receipt_id.as_str())
            .map(|&e| &batch[e].submission);
        let outcome = match (stored.get(&s.receipt_id), earlier) {
            // Stored before, or earlier in this batch (a quick retry): the first one counts.
            (Some(row), _) if row.statement_hash == s.statement_hash => {
                Outcome::Replayed(Box::new(row.clone()))
            }
            (None, Some(first)) if first.statement_hash == s.statement_hash => {
                Outcome::Replayed(Box::new(pending_row(first)))
            }
            (Some(_), _) | (None, Some(_)) => Outcome::Conflict,
            (None, None) => {
                in_batch.insert(&s.receipt_id, i);
                to_insert.push(s);
                audit.push(item.audit.clone());
                Outcome::Stored
            }
        };
        outcomes.push(outcome);
    }
    insert_submissions(&mut tx, &to_insert).await?;
    append_many(&mut tx, audit).await?;
    tx.commit().await?;
    Ok(outcomes)
}

fn pending_row(s: &NewSubmission) -> ReceiptRow {
    ReceiptRow {
        receipt_id: s.receipt_id.clone(),
        record_id: s.record_id.clone(),
        form_id: s.form_id.clone(),
        form_version: s.form_version,
        statement_hash: s.statement_hash.clone(),
        receipt_json: s.receipt_json.clone(),
        withdraw_token_hash: s.withdraw_token_hash.clone(),
        purposes_granted: s.purposes_granted.clone(),
        purposes_withdrawn: "{}".to_owned(),
        received_at_ms: s.received_at_ms,
    }
}
