//! One writer task stores submissions in batches: many requests share one transaction
//! and so one durable commit, instead of one fsync each. A request is answered only
//! after the commit that holds its records. A sync batch is written in chunks as they
//! are prepared, in one transaction of its own.

use shared::ids::{DeviceId, ReceiptId};
use std::collections::HashMap;

use sqlx::AnyConnection;
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use tokio::sync::{mpsc, oneshot};

use crate::store::{
    audit::NewAuditEntry,
    devices::advance_seq,
    inserts::insert_with_audit,
    records::{receipts_on, NewSubmission, ReceiptRow},
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

/// What a request hands the writer.
enum Work {
    /// Submissions to store together; several requests' may share one transaction.
    Whole(Vec<Item>),
    /// One request's submissions, arriving in chunks while later ones are still being
    /// prepared; stored in one transaction of its own.
    Chunked(mpsc::UnboundedReceiver<Chunk>),
    /// Makes the writer task panic, to test its supervision.
    #[cfg(test)]
    Panic,
}

/// A message of a chunked write.
enum Chunk {
    Items(Vec<Item>),
    /// Every chunk was sent: commit. A request that goes away before it sends this
    /// has nothing stored.
    End,
}

type Reply = oneshot::Sender<Result<Vec<Outcome>, String>>;

struct Job {
    work: Work,
    reply: Reply,
}

/// The handle requests use to reach the writer task.
#[derive(Clone)]
pub struct SubmissionWriter {
    tx: mpsc::Sender<Job>,
    /// Cleared when the writer task has stopped for good (readiness reports it).
    running: Arc<AtomicBool>,
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
        let running = Arc::new(AtomicBool::new(true));
        tokio::spawn(supervise(db, rx, running.clone()));
        Self { tx, running }
    }

    /// Whether submissions can be written: the task runs and takes work.
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::Relaxed) && !self.tx.is_closed()
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
        self.send(Work::Whole(items), reply).await?;
        answered(answer).await
    }

    /// Starts a write of submissions that must be stored together, of which `first` is
    /// ready and more follow ([`ChunkedWrite::push`]). The writer inserts each chunk as
    /// it comes, so that preparing the next overlaps writing this one, and commits once
    /// [`ChunkedWrite::finish`] is called.
    pub async fn write_chunked(&self, first: Vec<Item>) -> Result<ChunkedWrite, WriteError> {
        let (chunks, received) = mpsc::unbounded_channel();
        let (reply, answer) = oneshot::channel();
        let write = ChunkedWrite { chunks, answer };
        write.push(first)?;
        self.send(Work::Chunked(received), reply).await?;
        Ok(write)
    }

    async fn send(&self, work: Work, reply: Reply) -> Result<(), WriteError> {
        self.tx
            .send(Job { work, reply })
            .await
            .map_err(|_| WriteError::Stopped)
    }
}

async fn answered(
    answer: oneshot::Receiver<Result<Vec<Outcome>, String>>,
) -> Result<Vec<Outcome>, WriteError> {
    answer
        .await
        .map_err(|_| WriteError::Stopped)?
        .map_err(WriteError::Database)
}

/// A write in progress, one chunk at a time (see [`SubmissionWriter::write_chunked`]).
pub struct ChunkedWrite {
    chunks: mpsc::UnboundedSender<Chunk>,
    answer: oneshot::Receiver<Result<Vec<Outcome>, String>>,
}

impl ChunkedWrite {
    /// Hands the writer the next chunk.
    pub fn push(&self, items: Vec<Item>) -> Result<(), WriteError> {
        self.chunks
            .send(Chunk::Items(items))
            .map_err(|_| WriteError::Stopped)
    }

    /// Says that every chunk was sent and waits for the commit: the outcomes of all the
    /// chunks' submissions, in the order they were pushed.
    pub async fn finish(self) -> Result<Vec<Outcome>, WriteError> {
        self.chunks
            .send(Chunk::End)
            .map_err(|_| WriteError::Stopped)?;
        answered(self.answer).await
    }
}

/// Runs the writer, and runs it again if it panics: the requests it was writing get an
/// error (nothing of theirs was committed, or all of it), later ones are written. It
/// ends only when every handle is gone.
async fn supervise(db: Db, rx: mpsc::Receiver<Job>, running: Arc<AtomicBool>) {
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    loop {
        let task = tokio::spawn(run(db.clone(), rx.clone()));
        match task.await {
            Ok(()) => break,
            Err(e) if e.is_panic() => {
                tracing::error!("the submission writer panicked; restarting it");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(_) => break,
        }
    }
    running.store(false, Ordering::Relaxed);
}

async fn run(db: Db, rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>) {
    let mut rx = rx.lock().await;
    let mut next = None;
    loop {
        let first = match next.take() {
            Some(job) => job,
            None => match rx.recv().await {
                Some(job) => job,
                None => break,
            },
        };
        let items = match first.work {
            Work::Whole(items) => items,
            Work::Chunked(chunks) => {
                let result = write_chunked(&db, chunks).await;
                let _ = first.reply.send(result.map_err(|e| e.to_string()));
                continue;
            }
            #[cfg(test)]
            Work::Panic => panic!("a test asked the writer to panic"),
        };
        let mut jobs = vec![(items, first.reply)];
        let mut size = jobs[0].0.len();
        while size < MAX_BATCH {
            match rx.try_recv() {
                Ok(Job {
                    work: Work::Whole(items),
                    reply,
                }) => {
                    size += items.len();
                    jobs.push((items, reply));
                }
                Ok(chunked) => {
                    next = Some(chunked);
                    break;
                }
                Err(_) => break,
            }
        }
        let items: Vec<&Item> = jobs.iter().flat_map(|(items, _)| items.iter()).collect();
        match write_batch(&db, &items).await {
            Ok(mut outcomes) => {
                for (items, reply) in jobs.into_iter().rev() {
                    let mine = outcomes.split_off(outcomes.len() - items.len());
                    let _ = reply.send(Ok(mine));
                }
            }
            Err(e) if jobs.len() > 1 => {
                // One bad request must not sink the others: retry each on its own.
                tracing::warn!(error = %e, requests = jobs.len(), "batch failed; writing its requests one by one");
                for (items, reply) in jobs {
                    let items: Vec<&Item> = items.iter().collect();
                    let result = write_batch(&db, &items).await.map_err(|e| e.to_string());
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                for (_, reply) in jobs {
                    let _ = reply.send(Err(e.to_string()));
                }
            }
        }
    }
}

/// Stores the chunks of one request in one transaction, inserting each as it arrives
/// on the assumption that none is stored yet. If one is (or a receipt id repeats), the
/// transaction is dropped and, once every chunk is in, the lot is written the careful
/// way ([`write_checked`]).
async fn write_chunked(
    db: &Db,
    mut chunks: mpsc::UnboundedReceiver<Chunk>,
) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut tx = Some(db.begin_write().await?);
    let mut items: Vec<Item> = Vec::new();
    let mut ids = std::collections::HashSet::new();
    loop {
        match chunks.recv().await {
            Some(Chunk::Items(chunk)) => {
                let unique = chunk.iter().all(|i| ids.insert(i.submission.receipt_id));
                if let Some(open) = tx.as_mut() {
                    let refs: Vec<&Item> = chunk.iter().collect();
                    if !unique || insert_new(open, &refs).await.is_err() {
                        tracing::debug!("chunked batch holds a stored receipt id; checking each");
                        tx = None;
                    }
                }
                items.extend(chunk);
            }
            Some(Chunk::End) => break,
            None => {
                // The request went away before its last chunk: nothing of it is stored,
                // and no one waits for this answer.
                if let Some(open) = tx {
                    open.rollback().await?;
                }
                return Ok(Vec::new());
            }
        }
    }
    let refs: Vec<&Item> = items.iter().collect();
    match tx {
        Some(mut open) => {
            advance_devices(&mut open, refs.iter().map(|i| &i.submission)).await?;
            open.commit().await?;
            Ok(items.iter().map(|_| Outcome::Stored).collect())
        }
        None => write_checked(db, &refs).await,
    }
}

/// Inserts submissions and their audit entries, assuming none is stored yet.
async fn insert_new(conn: &mut AnyConnection, batch: &[&Item]) -> Result<(), sqlx::Error> {
    let subs: Vec<&NewSubmission> = batch.iter().map(|i| &i.submission).collect();
    insert_with_audit(conn, &subs, batch.iter().map(|i| i.audit.clone()).collect()).await
}

/// Moves each staff device's last sequence number up to the highest of `stored`.
async fn advance_devices<'a>(
    conn: &mut AnyConnection,
    stored: impl Iterator<Item = &'a NewSubmission>,
) -> Result<(), sqlx::Error> {
    let mut highest: std::collections::BTreeMap<DeviceId, i64> = std::collections::BTreeMap::new();
    for device in stored.filter_map(|s| s.device.as_ref()) {
        let top = highest.entry(device.device_id).or_insert(device.seq);
        *top = (*top).max(device.seq);
    }
    for (device, seq) in highest {
        advance_seq(conn, device, seq).await?;
    }
    Ok(())
}

async fn write_batch(db: &Db, batch: &[&Item]) -> Result<Vec<Outcome>, sqlx::Error> {
    // Replays are rare: first try to insert everything without looking for them. A
    // receipt id stored before makes the insert fail on its primary key; the
    // transaction is then dropped (rolled back) and the batch written the careful way.
    let mut ids = std::collections::HashSet::with_capacity(batch.len());
    if batch.iter().all(|i| ids.insert(i.submission.receipt_id)) {
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
    insert_new(&mut tx, batch).await?;
    advance_devices(&mut tx, batch.iter().map(|i| &i.submission)).await?;
    tx.commit().await?;
    Ok(batch.iter().map(|_| Outcome::Stored).collect())
}

/// Stores a batch after reading which of its receipt ids are stored already.
async fn write_checked(db: &Db, batch: &[&Item]) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let ids: Vec<ReceiptId> = batch.iter().map(|i| i.submission.receipt_id).collect();
    let stored: HashMap<ReceiptId, ReceiptRow> = receipts_on(&mut tx, &ids)
        .await?
        .into_iter()
        .map(|r| (r.receipt_id, r))
        .collect();
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut in_batch: HashMap<ReceiptId, usize> = HashMap::new();
    let mut to_insert = Vec::new();
    let mut audit = Vec::new();
    for (i, item) in batch.iter().enumerate() {
        let s = &item.submission;
        let earlier = in_batch.get(&s.receipt_id).map(|&e| &batch[e].submission);
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
                in_batch.insert(s.receipt_id, i);
                to_insert.push(s);
                audit.push(item.audit.clone());
                Outcome::Stored
            }
        };
        outcomes.push(outcome);
    }
    insert_with_audit(&mut tx, &to_insert, audit).await?;
    advance_devices(&mut tx, to_insert.iter().copied()).await?;
    tx.commit().await?;
    Ok(outcomes)
}

fn pending_row(s: &NewSubmission) -> ReceiptRow {
    ReceiptRow {
        receipt_id: s.receipt_id,
        record_id: s.record_id,
        form_id: s.form_id,
        form_version: s.form_version,
        statement_hash: s.statement_hash.clone(),
        receipt: s.receipt.clone(),
        wrapped_key: s.wrapped_key.clone(),
        key_version: s.key_version,
        withdraw_token_hash: s.withdraw_token_hash.clone(),
        purposes_granted: s.purposes_granted.clone(),
        purposes_withdrawn: "{}".to_owned(),
        received_at_ms: s.received_at_ms,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{
        crypto::{SealedText, SealedValues, WrappedKey},
        store::records::RecordSource,
    };
    use shared::ids::RecordId;

    /// The one form of these tests.
    const FORM: &str = "00000000-0000-4000-8000-0000000000f0";

    async fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/w.db", dir.path().display()))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        for sql in [
            "INSERT INTO forms (id, status, draft_json, created_at_ms, updated_at_ms) \
             VALUES ($1, 'active', '{}', 1, 1)",
            "INSERT INTO form_versions (form_id, version_number, version_hash, \
             definition_json, published_at_ms) VALUES ($1, 1, 'sha256:v', '{}', 1)",
        ] {
            sqlx::query(sql)
                .bind(FORM)
                .execute(db.pool())
                .await
                .unwrap();
        }
        (dir, db)
    }

    /// A web submission with receipt number `n` whose statement hashes to `hash`.
    fn item(n: u128, hash: &str) -> Item {
        let id = ReceiptId::from_uuid(uuid::Uuid::from_u128(n));
        Item {
            submission: NewSubmission {
                record_id: RecordId::from_uuid(uuid::Uuid::from_u128(1 << 64 | n)),
                source: RecordSource::Web,
                collected_by: None,
                device: None,
                form_id: FORM.parse().unwrap(),
                form_version: 1,
                key_version: 1,
                wrapped_key: WrappedKey {
                    master_key_id: "m".to_owned(),
                    bytes: b"k".to_vec(),
                },
                values: SealedValues::from_sealed_json("{}".to_owned()),
                lookups: vec![(format!("index-{id}"), "phone")],
                receipt_id: id,
                statement_hash: hash.to_owned(),
                receipt: SealedText::from_column(format!("sealed-{id}")),
                hash_key: None,
                withdraw_token_hash: format!("sha256:t-{id}"),
                purposes_granted: "[]".to_owned(),
                sensitive_consent: false,
                received_at_ms: 1,
            },
            audit: NewAuditEntry {
                at_ms: 1,
                actor_id: None,
                actor_role: None,
                action: "consent.given".to_owned(),
                target_kind: Some("record".to_owned()),
                target_id: Some(format!("record-{id}")),
                ip: None,
                user_agent: None,
                details: serde_json::json!({ "receipt_id": id }),
            },
        }
    }

    fn items(ids: std::ops::Range<usize>) -> Vec<Item> {
        ids.map(|i| item(i as u128, "sha256:s")).collect()
    }

    async fn count(db: &Db, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db.pool())
            .await
            .unwrap()
    }

    fn kinds(outcomes: &[Outcome]) -> Vec<&'static str> {
        outcomes
            .iter()
            .map(|o| match o {
                Outcome::Stored => "stored",
                Outcome::Replayed(_) => "replayed",
                Outcome::Conflict => "conflict",
            })
            .collect()
    }

    /// A panic in the writer fails the requests it was writing; the writer restarts and
    /// later submissions are stored, and readiness says so throughout.
    #[tokio::test]
    async fn the_writer_comes_back_after_a_panic() {
        let (_dir, db) = db().await;
        let writer = SubmissionWriter::start(db.clone());
        let (reply, answer) = oneshot::channel();
        writer.send(Work::Panic, reply).await.unwrap();
        assert!(matches!(answered(answer).await, Err(WriteError::Stopped)));
        let outcomes = writer.write_all(items(0..3)).await.unwrap();
        assert_eq!(kinds(&outcomes), vec!["stored"; 3]);
        assert_eq!(count(&db, "records").await, 3);
        assert!(writer.is_running());
    }

    #[tokio::test]
    async fn chunks_are_committed_together_once_finished() {
        let (_dir, db) = db().await;
        let writer = SubmissionWriter::start(db.clone());
        let write = writer.write_chunked(items(0..100)).await.unwrap();
        write.push(items(100..150)).unwrap();
        write.push(Vec::new()).unwrap();
        write.push(items(150..230)).unwrap();
        // Nothing is visible before the commit.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(count(&db, "records").await, 0);
        let outcomes = write.finish().await.unwrap();
        assert_eq!(kinds(&outcomes), vec!["stored"; 230]);
        assert_eq!(count(&db, "records").await, 230);
        assert_eq!(count(&db, "consent_receipts").await, 230);
        assert_eq!(count(&db, "record_lookup").await, 230);
        assert_eq!(count(&db, "audit_log").await, 230);
        // One chain, in order, across the chunks.
        let seqs: Vec<i64> = sqlx::query_scalar("SELECT seq FROM audit_log ORDER BY seq")
            .fetch_all(db.pool())
            .await
            .unwrap();
        assert_eq!(seqs, (1..=230).collect::<Vec<i64>>());
        let links: Vec<(String, String)> =
            sqlx::query_as("SELECT prev_hash, hash FROM audit_log ORDER BY seq")
                .fetch_all(db.pool())
                .await
                .unwrap();
        assert!(links.windows(2).all(|w| w[1].0 == w[0].1));
        let head: String = sqlx::query_scalar("SELECT last_hash FROM audit_chain WHERE id = 1")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(head, links[229].1);
    }

    /// A receipt id stored before (or repeated within the request) in a later chunk:
    /// the whole request is written the careful way, each outcome in push order.
    #[tokio::test]
    async fn a_stored_receipt_in_a_later_chunk_is_answered_not_duplicated() {
        let (_dir, db) = db().await;
        let writer = SubmissionWriter::start(db.clone());
        writer.write_all(items(5..6)).await.unwrap();
        let write = writer.write_chunked(items(0..3)).await.unwrap();
        let mut later = items(3..7);
        later.push(item(1, "sha256:s"));
        later.push(item(2, "sha256:other"));
        later.push(item(5, "sha256:other"));
        write.push(later).unwrap();
        let outcomes = write.finish().await.unwrap();
        assert_eq!(
            kinds(&outcomes),
            [
                "stored", "stored", "stored", "stored", "stored", "replayed", "stored", "replayed",
                "conflict", "conflict"
            ]
        );
        assert_eq!(count(&db, "records").await, 7);
        assert_eq!(count(&db, "audit_log").await, 7);
    }

    /// A request that goes away before its last chunk stores nothing, and the writer
    /// goes on serving the next one.
    #[tokio::test]
    async fn an_abandoned_chunked_write_stores_nothing() {
        let (_dir, db) = db().await;
        let writer = SubmissionWriter::start(db.clone());
        let write = writer.write_chunked(items(0..50)).await.unwrap();
        write.push(items(50..60)).unwrap();
        drop(write);
        let outcomes = writer.write_all(items(60..62)).await.unwrap();
        assert_eq!(kinds(&outcomes), ["stored", "stored"]);
        assert_eq!(count(&db, "records").await, 2);
        assert_eq!(count(&db, "audit_log").await, 2);
    }
}
