//! Crash consistency (issue #18): devices of several staff accounts sync many records
//! while the server is killed (SIGKILL) at random moments, at least ten times, and
//! restarted each time on the same database; each device resends what was not
//! acknowledged. Afterwards every acknowledged record is there exactly once (with one
//! receipt and one audit entry), every record was stored in the end, the audit chain
//! verifies (`consentry verify-audit`) and the database passes its integrity check
//! (SQLite's `integrity_check` and `foreign_key_check`; on PostgreSQL, uniqueness of
//! keys and `amcheck` of every B-tree index when the extension is installed).
//!
//! Sized from the environment: `CRASH_RECORDS` (in all, default 3,000), `CRASH_CLIENTS`
//! (3), `CRASH_BATCH` (records per request, 100), `CRASH_KILLS` (10) and `CRASH_SEED`
//! (random when unset; printed, so that a failure's kill schedule can be replayed).
//! `scripts/reliability.sh` runs it at scale.

use std::{
    collections::HashSet,
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use consentry_tests::{
    consent::{demo_answers, Choices},
    process::{
        add_staff, free_port, server_binary, verify_audit, Launch, ProcessDatabase, ServerProcess,
    },
    sync::{register_device, signed_record},
    Backend, Session,
};
use rand::{rngs::StdRng, Rng as _, SeedableRng as _};
use shared::{
    api::{
        forms::VersionDetail,
        sync::{SyncBatch, SyncRecord, SyncResponse, SyncStatus},
    },
    ids::DeviceId,
};

/// How big a storm is, from the environment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Size {
    pub records: usize,
    pub clients: usize,
    pub batch: usize,
    pub kills: usize,
    pub seed: u64,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}"))
        })
        .unwrap_or(default)
}

impl Size {
    pub(crate) fn from_env() -> Size {
        let as_usize = |name, default| usize::try_from(env_number(name, default)).unwrap();
        Size {
            records: as_usize("CRASH_RECORDS", 3_000),
            clients: as_usize("CRASH_CLIENTS", 3).max(1),
            batch: as_usize("CRASH_BATCH", 100).clamp(1, 1_000),
            kills: as_usize("CRASH_KILLS", 10),
            seed: env_number("CRASH_SEED", rand::random::<u64>() >> 12),
        }
    }
}

/// A server process over its own data folder and database, which it can be killed and
/// restarted over.
pub(crate) struct Harness {
    binary: PathBuf,
    pub data: tempfile::TempDir,
    pub database: ProcessDatabase,
    port: u16,
    server: Option<ServerProcess>,
    pub address: String,
    pub version: VersionDetail,
    /// The first admin's printed password.
    pub admin_password: String,
}

impl Harness {
    pub(crate) async fn start(backend: Backend) -> Harness {
        Self::start_with(backend, None).await
    }

    /// [`Harness::start`] with the daily retention run at `retention_at` (UTC `HH:MM`).
    pub(crate) async fn start_with(backend: Backend, retention_at: Option<&str>) -> Harness {
        let binary = server_binary();
        let data = tempfile::tempdir().unwrap();
        let database = ProcessDatabase::create(backend, data.path()).await;
        let port = free_port();
        let server = ServerProcess::launch(&Launch {
            binary: &binary,
            data_dir: data.path(),
            database_url: database.server_url(),
            port,
            first_start: true,
            log: "warn",
            log_file: Some(&data.path().join("server.log")),
            retention_at,
            static_dir: None,
        });
        let version = server.demo_version().await;
        let admin_password = server.admin_password.clone().unwrap_or_default();
        Harness {
            admin_password,
            address: server.address.clone(),
            binary,
            data,
            database,
            port,
            server: Some(server),
            version,
        }
    }

    /// SIGKILL, then start again on the same port, files and database.
    pub(crate) fn kill(&mut self) {
        if let Some(server) = self.server.take() {
            server.kill();
        }
    }

    pub(crate) fn restart(&mut self) {
        assert!(self.server.is_none(), "kill the server first");
        self.server = Some(ServerProcess::launch(&Launch {
            binary: &self.binary,
            data_dir: self.data.path(),
            database_url: self.database.server_url(),
            port: self.port,
            first_start: false,
            log: "warn",
            log_file: Some(&self.data.path().join("server.log")),
            retention_at: None,
            static_dir: None,
        }));
    }

    /// A staff account (written to the database, as `add_staff` does), signed in, with a
    /// registered device and `count` records signed on it, numbered from 1.
    pub(crate) async fn device(&self, name: &str, count: usize) -> Device {
        add_staff(&self.database.url, name, "field staff passphrase").await;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(300))
            .build()
            .unwrap();
        let session = Session::sign_in(&http, &self.address, name, "field staff passphrase")
            .await
            .unwrap_or_else(|_| panic!("{name} cannot sign in"));
        let (info, key) = register_device(&session, "phone").await;
        let answers = demo_answers();
        let records = (1..=count)
            .map(|seq| {
                signed_record(
                    &self.version,
                    &answers,
                    &Choices::all_demo(),
                    &info.id,
                    &key,
                    i64::try_from(seq).unwrap(),
                )
            })
            .collect();
        Device {
            session,
            id: info.id,
            records,
        }
    }

    /// The server's log so far, for a failure's message.
    pub(crate) fn log(&self) -> String {
        let text = std::fs::read_to_string(self.data.path().join("server.log")).unwrap_or_default();
        let start = text.len().saturating_sub(4_000);
        text.get(start..).unwrap_or(&text).to_owned()
    }

    /// Runs `consentry verify-audit` (the server may be running or not).
    pub(crate) fn verify_audit(&self) -> (bool, String) {
        verify_audit(&self.binary, self.data.path(), &self.database.url)
    }
}

/// A staff member's device and what it has collected.
#[derive(Clone)]
pub(crate) struct Device {
    pub session: Session,
    pub id: DeviceId,
    pub records: Vec<SyncRecord>,
}

/// What a device saw while sending.
#[derive(Debug, Default)]
pub(crate) struct Sent {
    /// Records the server answered `stored` or `already_stored`.
    pub acknowledged: Vec<String>,
    /// Requests that got no answer (the server was killed or down) and were resent.
    pub interrupted: usize,
    /// Records answered with a retryable rejection (`busy`, …) and resent.
    pub retried_records: usize,
    /// 5xx statuses received.
    pub server_errors: Vec<u16>,
}

/// Sends `records` in batches of `batch`, in order, resending each batch until every
/// record in it is acknowledged, as a device's outbox does; `acked` counts acknowledged
/// records and `in_flight` requests under way, for the harness to time its kills by.
pub(crate) async fn send_all(
    device: &Device,
    records: &[SyncRecord],
    batch: usize,
    acked: &AtomicUsize,
    in_flight: &AtomicUsize,
) -> Sent {
    let mut sent = Sent::default();
    let mut pending: std::collections::VecDeque<&SyncRecord> = records.iter().collect();
    while !pending.is_empty() {
        let chunk: Vec<SyncRecord> = pending.iter().take(batch).map(|r| (*r).clone()).collect();
        let body = SyncBatch {
            device_id: device.id,
            records: chunk,
        };
        in_flight.fetch_add(1, Ordering::SeqCst);
        let answer = match device.session.post("/sync").json(&body).send().await {
            Ok(r) if r.status() == 200 => r.json::<SyncResponse>().await.ok(),
            Ok(r) => {
                if r.status().is_server_error() {
                    sent.server_errors.push(r.status().as_u16());
                }
                None
            }
            Err(_) => None,
        };
        in_flight.fetch_sub(1, Ordering::SeqCst);
        let Some(answer) = answer else {
            sent.interrupted += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        assert_eq!(answer.results.len(), body.records.len());
        let mut done = HashSet::new();
        for (result, record) in answer.results.iter().zip(&body.records) {
            assert_eq!(result.uuid, record.uuid, "answers come in request order");
            match &result.status {
                SyncStatus::Stored { .. } | SyncStatus::AlreadyStored { .. } => {
                    done.insert(result.uuid.clone());
                }
                SyncStatus::Rejected { code, .. } if code.is_retryable() => {
                    sent.retried_records += 1;
                }
                other => panic!("record {} was answered {other:?}", result.uuid),
            }
        }
        pending.retain(|r| !done.contains(&r.uuid));
        acked.fetch_add(done.len(), Ordering::SeqCst);
        sent.acknowledged.extend(done);
    }
    sent
}

/// The one number `sql` selects from the harness's database.
pub(crate) async fn count(db: &consentry_server::store::Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Every stored record is there once, with one receipt and one `consent.given` entry.
pub(crate) async fn assert_each_record_once(db: &consentry_server::store::Db, expected: i64) {
    for (what, sql) in [
        ("records", "SELECT COUNT(*) FROM records"),
        ("distinct records", "SELECT COUNT(DISTINCT id) FROM records"),
        ("receipts", "SELECT COUNT(*) FROM consent_receipts"),
        (
            "records with a receipt",
            "SELECT COUNT(DISTINCT record_id) FROM consent_receipts",
        ),
        (
            "consent.given entries",
            "SELECT COUNT(*) FROM audit_log WHERE action = 'consent.given'",
        ),
        (
            "records with a consent.given entry",
            "SELECT COUNT(DISTINCT target_id) FROM audit_log WHERE action = 'consent.given'",
        ),
    ] {
        assert_eq!(count(db, sql).await, expected, "{what}");
    }
}

/// The database's own consistency checks.
pub(crate) async fn assert_database_intact(db: &consentry_server::store::Db, backend: Backend) {
    match backend {
        Backend::Sqlite => {
            let verdict: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(db.pool())
                .await
                .unwrap();
            assert_eq!(verdict, vec!["ok".to_owned()], "PRAGMA integrity_check");
            let dangling = sqlx::query("PRAGMA foreign_key_check")
                .fetch_all(db.pool())
                .await
                .unwrap();
            assert!(
                dangling.is_empty(),
                "{} dangling references",
                dangling.len()
            );
        }
        Backend::Postgres => {
            // Every unique index and key holds, read through the table (not the index).
            let duplicates = count(
                db,
                "SELECT COUNT(*) FROM (SELECT id FROM records GROUP BY id HAVING COUNT(*) > 1) d",
            )
            .await;
            assert_eq!(duplicates, 0, "records stored twice");
            let seqs = count(
                db,
                "SELECT COUNT(*) FROM (SELECT seq FROM audit_log GROUP BY seq HAVING COUNT(*) > 1) d",
            )
            .await;
            assert_eq!(seqs, 0, "audit entries sharing a sequence number");
            let amcheck = count(
                db,
                "SELECT COUNT(*) FROM pg_available_extensions WHERE name = 'amcheck'",
            )
            .await;
            if amcheck == 0 {
                eprintln!("amcheck is not installed: B-tree indexes not checked");
                return;
            }
            sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck")
                .execute(db.pool())
                .await
                .unwrap();
            // bt_index_check with heapallindexed: each index is well formed and holds
            // every row of its table.
            let checked = count(
                db,
                "SELECT COUNT(bt_index_check(c.oid, true)::text) FROM pg_index i \
                 JOIN pg_class c ON c.oid = i.indexrelid \
                 JOIN pg_am a ON a.oid = c.relam \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE a.amname = 'btree' AND n.nspname = 'public'",
            )
            .await;
            assert!(checked > 0, "no index was checked");
        }
    }
}

async fn storm(backend: Backend) {
    let size = Size::from_env();
    eprintln!(
        "crash storm on {backend:?}: {} records from {} devices in batches of {}, {} kills, \
         CRASH_SEED={}",
        size.records, size.clients, size.batch, size.kills, size.seed
    );
    let mut harness = Harness::start(backend).await;
    let per_client = size.records.div_ceil(size.clients);
    let mut devices = Vec::new();
    for i in 0..size.clients {
        let n = per_client.min(size.records - per_client * i);
        devices.push(harness.device(&format!("staff{i}"), n).await);
    }
    let total: usize = devices.iter().map(|d| d.records.len()).sum();

    let acked = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = devices
        .iter()
        .cloned()
        .map(|device| {
            let (acked, in_flight) = (acked.clone(), in_flight.clone());
            tokio::spawn(async move {
                send_all(&device, &device.records, size.batch, &acked, &in_flight).await
            })
        })
        .collect();
    let all_sent = {
        let finished = finished.clone();
        tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for sender in senders {
                outcomes.push(sender.await);
            }
            finished.store(true, Ordering::SeqCst);
            outcomes
        })
    };

    // The kills, each once a random share of the records is acknowledged and a random
    // moment later, so that they land in every phase of a request.
    let mut rng = StdRng::seed_from_u64(size.seed);
    let low = size.batch.min(total / 4);
    let high = total.saturating_sub(size.clients * size.batch).max(low + 1);
    let mut marks: Vec<usize> = (0..size.kills).map(|_| rng.gen_range(low..high)).collect();
    marks.sort_unstable();
    let (mut kills, mut mid_request) = (0, 0);
    for mark in marks {
        while acked.load(Ordering::SeqCst) < mark && !finished.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_millis(rng.gen_range(0..40))).await;
        if in_flight.load(Ordering::SeqCst) > 0 {
            mid_request += 1;
        }
        harness.kill();
        kills += 1;
        tokio::time::sleep(Duration::from_millis(rng.gen_range(0..150))).await;
        harness.restart();
    }
    let outcomes = all_sent.await.unwrap();
    let mut acknowledged = Vec::new();
    let (mut interrupted, mut retried, mut server_errors) = (0, 0, Vec::new());
    for outcome in outcomes {
        let sent = outcome.unwrap_or_else(|e| panic!("a device failed: {e}\n{}", harness.log()));
        acknowledged.extend(sent.acknowledged);
        interrupted += sent.interrupted;
        retried += sent.retried_records;
        server_errors.extend(sent.server_errors);
    }
    eprintln!(
        "crash storm on {backend:?}: {kills} kills ({mid_request} with requests in flight), \
         {interrupted} requests cut off and resent, {retried} records resent after a \
         retryable rejection, {} acknowledged, server errors: {server_errors:?}",
        acknowledged.len()
    );
    assert!(kills >= size.kills);
    assert!(
        interrupted > 0 || size.kills == 0,
        "no request was cut off: the kills missed the traffic"
    );
    // Every record was acknowledged in the end, each once (a record acknowledged twice
    // would mean a device resent what it had been told was stored).
    let unique: HashSet<&String> = acknowledged.iter().collect();
    assert_eq!(unique.len(), total, "every record is acknowledged");
    assert_eq!(acknowledged.len(), total, "no record is acknowledged twice");
    assert!(
        server_errors.iter().all(|s| *s == 503),
        "only a retryable 503 may come back: {server_errors:?}\n{}",
        harness.log()
    );

    // A last kill, then the checks on the files as a crash leaves them.
    harness.kill();
    let db = consentry_server::store::Db::connect(&harness.database.url)
        .await
        .unwrap();
    assert_each_record_once(&db, i64::try_from(total).unwrap()).await;
    for uuid in &acknowledged {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE id = $1")
            .bind(uuid)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(n, 1, "acknowledged record {uuid} is stored {n} times");
    }
    assert_database_intact(&db, backend).await;
    db.close().await;
    let (intact, report) = harness.verify_audit();
    assert!(intact, "verify-audit: {report}");
    eprintln!("crash storm on {backend:?}: {}", report.trim());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    storm(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    storm(Backend::Postgres).await;
}
