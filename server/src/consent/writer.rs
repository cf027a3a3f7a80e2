//! One writer task stores submissions in batches: many requests share one transaction
//! and so one durable commit, instead of one fsync each. A request is answered only
//! after the commit that holds its record.

use std::collections::HashMap;

use tokio::sync::{mpsc, oneshot};

use crate::store::{
    audit::{append_many, NewAuditEntry},
    records::{insert_submissions, receipts_on, NewSubmission, ReceiptRow},
    Db,
};

/// The most submissions one transaction holds.
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

struct Job {
    submission: Box<NewSubmission>,
    audit: NewAuditEntry,
    reply: oneshot::Sender<Result<Outcome, String>>,
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
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(db, rx));
        Self { tx }
    }

    /// Queues a submission and waits for the commit that stores it.
    pub async fn write(
        &self,
        submission: NewSubmission,
        audit: NewAuditEntry,
    ) -> Result<Outcome, WriteError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job {
                submission: Box::new(submission),
                audit,
                reply,
            })
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
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match write_batch(&db, &batch).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(e) if batch.len() > 1 => {
                // One bad submission must not sink the others: retry them one by one.
                tracing::warn!(error = %e, size = batch.len(), "batch failed; writing its submissions one by one");
                for job in batch {
                    let result = write_batch(&db, std::slice::from_ref(&job)).await;
                    let _ = job.reply.send(
                        result
                            .map(|mut o| o.pop().unwrap_or(Outcome::Conflict))
                            .map_err(|e| e.to_string()),
                    );
                }
            }
            Err(e) => {
                for job in batch {
                    let _ = job.reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

async fn write_batch(db: &Db, batch: &[Job]) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let ids: Vec<&str> = batch
        .iter()
        .map(|j| j.submission.receipt_id.as_str())
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
    for (i, job) in batch.iter().enumerate() {
        let s = &job.submission;
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
                to_insert.push(&**s);
                audit.push(job.audit.clone());
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
