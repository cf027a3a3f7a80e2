//! Several replicas on one PostgreSQL database (issue #24), as real `consentry`
//! processes on ports of their own: three started at once on an empty database migrate
//! it once and seed it once; the same sync batches sent to all three at once store each
//! record once, and the three answers agree; a replica killed in the middle of a
//! retention run leaves it to another, which carries it to its end once the dead one's
//! lease runs out, each value processed once.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use consentry_tests::{
    consent::{demo_answers, Choices},
    expect_json,
    process::{
        add_staff, free_port, server_binary, verify_audit, Launch, ProcessDatabase, ServerProcess,
    },
    sync::{register_device_with, signed_record},
    Backend, Expect as _, Session, ADMIN_PASSWORD,
};
use reqwest::header::COOKIE;
use shared::api::{
    auth::{ChangePasswordRequest, SessionInfo, CSRF_HEADER},
    forms::VersionDetail,
    retention::{RunReport, RunStatus, RunSummary},
    sync::{SyncBatch, SyncRecord, SyncResponse, SyncStatus},
};

use crate::crash_storm::{assert_database_intact, assert_each_record_once, count, Harness};
use crate::retention_crash::{due_records, processed_once, values_per_record, RECORDS};

/// Processes started together in the first two stories.
const REPLICAS: usize = 3;
const STAFF_PASSWORD: &str = "field staff passphrase";

/// Server processes sharing one data folder (one master key) and one fresh PostgreSQL
/// database.
struct Replicas {
    binary: PathBuf,
    data: tempfile::TempDir,
    database: ProcessDatabase,
    servers: Vec<ServerProcess>,
}

impl Replicas {
    /// `count` processes started at the same moment, each from a thread of its own, on
    /// an empty database: no migration has run and nothing is seeded.
    async fn start_together(count: usize) -> Replicas {
        let binary = server_binary();
        let data = tempfile::tempdir().unwrap();
        let database = ProcessDatabase::create(Backend::Postgres, data.path()).await;
        // The master key is made before the servers start, as a deployment provides it:
        // `load_master_key` creates a missing file with `create_new`, so of servers
        // racing to make it, the losers fail to start (the file exists) or read it
        // half-written. Sharing one key between replicas is the deployment's duty.
        consentry_server::crypto::load_master_key(&data.path().join("master.key")).unwrap();
        let mut ports: Vec<u16> = Vec::new();
        while ports.len() < count {
            let port = free_port();
            if !ports.contains(&port) {
                ports.push(port);
            }
        }
        let started = tokio::task::block_in_place(|| {
            let barrier = std::sync::Barrier::new(count);
            std::thread::scope(|scope| {
                let starts: Vec<_> = ports
                    .iter()
                    .enumerate()
                    .map(|(i, port)| {
                        let (binary, data, barrier) = (&binary, data.path(), &barrier);
                        let url = database.server_url();
                        scope.spawn(move || {
                            barrier.wait();
                            ServerProcess::launch(&Launch {
                                binary,
                                data_dir: data,
                                database_url: url,
                                port: *port,
                                // Which one seeds is not known beforehand: each is read
                                // until it serves, the rest of what it prints later.
                                first_start: false,
                                log: "warn",
                                log_file: Some(&log_file(data, i)),
                                retention_at: None,
                                static_dir: None,
                            })
                        })
                    })
                    .collect();
                starts.into_iter().map(|s| s.join()).collect::<Vec<_>>()
            })
        });
        let mut servers = Vec::new();
        for (i, server) in started.into_iter().enumerate() {
            match server {
                Ok(server) => servers.push(server),
                Err(_) => panic!("replica {i} did not start:\n{}", logs(data.path(), count)),
            }
        }
        Replicas {
            binary,
            data,
            database,
            servers,
        }
    }

    async fn db(&self) -> consentry_server::store::Db {
        consentry_server::store::Db::connect(&self.database.url)
            .await
            .unwrap()
    }

    /// The servers' logs, for a failure's message.
    fn logs(&self) -> String {
        logs(self.data.path(), self.servers.len())
    }

    /// The one replica that printed the first admin's password and the demo form: its
    /// index, the password and the form's id. The others must print neither.
    async fn seeder(&self) -> (usize, String, String) {
        // Printed before the server began to serve; read here from the pipe by a thread.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let printed: Vec<String> = self
                .servers
                .iter()
                .map(ServerProcess::printed_later)
                .collect();
            let seeders: Vec<usize> = (0..printed.len())
                .filter(|i| printed[*i].contains("password:") || printed[*i].contains("Demo form"))
                .collect();
            if let [one] = seeders[..] {
                if let (Some(password), Some(form)) = (
                    line_after(&printed[one], "password:"),
                    line_after(&printed[one], "Demo form (published):"),
                ) {
                    let form = form.rsplit('/').next().unwrap_or_default().to_owned();
                    return (one, password, form);
                }
            }
            assert!(
                seeders.len() <= 1,
                "replicas {seeders:?} each seeded a first admin:\n{printed:#?}"
            );
            assert!(
                tokio::time::Instant::now() < deadline,
                "no replica printed the first admin's password and the demo form: \
                 {printed:#?}\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn log_file(data: &Path, replica: usize) -> PathBuf {
    data.join(format!("replica-{replica}.log"))
}

fn logs(data: &Path, count: usize) -> String {
    (0..count)
        .map(|i| {
            let text = std::fs::read_to_string(log_file(data, i)).unwrap_or_default();
            let start = text.len().saturating_sub(3_000);
            format!("--- replica {i}:\n{}", text.get(start..).unwrap_or(&text))
        })
        .collect()
}

/// The rest of the first line of `text` that starts with `prefix`.
fn line_after(text: &str, prefix: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .map(|rest| rest.trim().to_owned())
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_starting_together_on_an_empty_database_migrate_and_seed_it_once() {
    let replicas = Replicas::start_together(REPLICAS).await;
    let http = http();
    for server in &replicas.servers {
        let r = http
            .get(format!("{}/readyz", server.address))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{} is not ready", server.address);
    }

    let db = replicas.db().await;
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM users").await,
        1,
        "one admin"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM users WHERE role = 'admin'").await,
        1
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM forms").await,
        1,
        "one demo form"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM server_keys").await,
        1,
        "one signing key"
    );
    // Each migration this build carries was applied once, by one of them.
    let carried = std::fs::read_dir(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../server/migrations/postgres"),
    )
    .unwrap()
    .filter(|f| {
        f.as_ref()
            .is_ok_and(|f| f.path().extension().is_some_and(|e| e == "sql"))
    })
    .count();
    let carried = i64::try_from(carried).unwrap();
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM _sqlx_migrations").await,
        carried
    );
    assert_eq!(
        count(&db, "SELECT COUNT(DISTINCT version) FROM _sqlx_migrations").await,
        carried
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM _sqlx_migrations WHERE success").await,
        carried
    );

    // One of them printed the first admin's password and the demo form, and every
    // replica serves that form and signs that admin in.
    let (seeder, password, form) = replicas.seeder().await;
    let stored_form: String = sqlx::query_scalar("SELECT id FROM forms")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(form, stored_form);
    let mut versions: Vec<VersionDetail> = Vec::new();
    for server in &replicas.servers {
        let url = format!("{}/api/v1/public/forms/{form}", server.address);
        versions.push(expect_json(http.get(url).send().await.unwrap(), 200).await);
    }
    assert!(versions.windows(2).all(|w| w[0] == w[1]));
    let elsewhere = &replicas.servers[(seeder + 1) % REPLICAS];
    let admin = Session::sign_in(&http, &elsewhere.address, "admin", &password)
        .await
        .unwrap_or_else(|_| panic!("the printed password does not sign in elsewhere"));
    assert_eq!(
        admin.info.unwrap().user.role,
        shared::api::auth::Role::Admin
    );
    db.close().await;
}

/// A session begun on one replica, used on another: its cookie and CSRF token on
/// `request`, a request to the other replica.
fn carried_to(session: &Session, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    let info = session.info.as_ref().unwrap();
    request
        .header(COOKIE, session.cookie.as_deref().unwrap())
        .header(CSRF_HEADER, &info.csrf_token)
}

/// Sends `batch` to one replica as a device's outbox does: again, with what is not yet
/// acknowledged, while the answer is a 503 or a retryable rejection. Each record's final
/// status, in order, and how many times anything was sent again.
async fn sync_until_acknowledged(session: &Session, batch: &SyncBatch) -> (Vec<SyncStatus>, usize) {
    let mut statuses: Vec<Option<SyncStatus>> = vec![None; batch.records.len()];
    let mut resent = 0;
    for _ in 0..20 {
        let pending: Vec<usize> = (0..statuses.len())
            .filter(|i| statuses[*i].is_none())
            .collect();
        if pending.is_empty() {
            break;
        }
        let body = SyncBatch {
            device_id: batch.device_id,
            records: pending.iter().map(|i| batch.records[*i].clone()).collect(),
        };
        let r = session.post("/sync").json(&body).send().await.unwrap();
        if r.status() != 200 {
            let status = r.status();
            assert_eq!(status, 503, "{}", r.text().await.unwrap_or_default());
            resent += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        let answer: SyncResponse = r.json().await.unwrap();
        assert_eq!(answer.results.len(), pending.len());
        for (result, i) in answer.results.into_iter().zip(pending) {
            assert_eq!(
                result.uuid, batch.records[i].uuid,
                "answers in request order"
            );
            match result.status {
                SyncStatus::Rejected { code, .. } if code.is_retryable() => resent += 1,
                status => statuses[i] = Some(status),
            }
        }
    }
    let statuses = statuses
        .into_iter()
        .map(|s| s.expect("a record was never acknowledged"))
        .collect();
    (statuses, resent)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_batches_sent_to_three_replicas_at_once_are_stored_once() {
    const RECORDS: usize = 300;
    const BATCH: usize = 100;
    let replicas = Replicas::start_together(REPLICAS).await;
    add_staff(&replicas.database.url, "field", STAFF_PASSWORD).await;
    let http = http();
    let mut sessions = Vec::new();
    for server in &replicas.servers {
        sessions.push(
            Session::sign_in(&http, &server.address, "field", STAFF_PASSWORD)
                .await
                .unwrap_or_else(|_| panic!("cannot sign in at {}", server.address)),
        );
    }
    // Sessions live in the database: one begun on the first replica is good on the
    // second, for reading and for a change (here the device's registration).
    let second = &replicas.servers[1].address;
    let who: SessionInfo = carried_to(
        &sessions[0],
        http.get(format!("{second}/api/v1/auth/session")),
    )
    .expect_json(200)
    .await;
    assert_eq!(who.user.username, "field");
    let (device, key) = register_device_with(
        carried_to(&sessions[0], http.post(format!("{second}/api/v1/devices"))),
        "phone",
    )
    .await;

    let form: String = sqlx::query_scalar("SELECT id FROM forms")
        .fetch_one(replicas.db().await.pool())
        .await
        .unwrap();
    let version: VersionDetail = http
        .get(format!(
            "{}/api/v1/public/forms/{form}",
            replicas.servers[2].address
        ))
        .expect_json(200)
        .await;
    let answers = demo_answers();
    let records: Vec<SyncRecord> = (1..=RECORDS)
        .map(|seq| {
            signed_record(
                &version,
                &answers,
                &Choices::all_demo(),
                &device.id,
                &key,
                i64::try_from(seq).unwrap(),
            )
        })
        .collect();

    // Every batch to every replica at the same moment.
    let mut resent = 0;
    let mut stored_once = 0;
    for chunk in records.chunks(BATCH) {
        let batch = SyncBatch {
            device_id: device.id,
            records: chunk.to_vec(),
        };
        let sending: Vec<_> = sessions
            .iter()
            .map(|session| {
                let (session, batch) = (session.clone(), batch.clone());
                tokio::spawn(async move { sync_until_acknowledged(&session, &batch).await })
            })
            .collect();
        let mut answers = Vec::new();
        for sent in sending {
            answers.push(sent.await.unwrap());
        }
        resent += answers.iter().map(|(_, n)| n).sum::<usize>();
        for (i, record) in chunk.iter().enumerate() {
            let mut receipts = Vec::new();
            let mut stored = 0;
            for (statuses, _) in &answers {
                match &statuses[i] {
                    SyncStatus::Stored { receipt, .. } => {
                        stored += 1;
                        receipts.push(receipt.clone());
                    }
                    SyncStatus::AlreadyStored { receipt, .. } => receipts.push(receipt.clone()),
                    other => panic!("record {} was answered {other:?}", record.uuid),
                }
            }
            // One replica stored it; the others found it stored. All hand back the one
            // receipt, signed once.
            assert_eq!(
                stored, 1,
                "record {} stored by {stored} replicas",
                record.uuid
            );
            assert!(
                receipts.windows(2).all(|w| w[0] == w[1]),
                "the replicas hand back different receipts for {}: {receipts:#?}",
                record.uuid
            );
            assert_eq!(receipts[0].body.statement.receipt_id, record.uuid);
            stored_once += stored;
        }
    }
    eprintln!("replicas: {RECORDS} records sent to {REPLICAS} replicas at once, {resent} resent after a retryable answer");
    assert_eq!(stored_once, RECORDS);

    let db = replicas.db().await;
    assert_each_record_once(&db, i64::try_from(RECORDS).unwrap()).await;
    for record in &records {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE id = $1")
            .bind(&record.uuid)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(n, 1, "record {} is stored {n} times", record.uuid);
    }
    assert_database_intact(&db, Backend::Postgres).await;
    db.close().await;
    let (intact, report) = verify_audit(
        &replicas.binary,
        replicas.data.path(),
        &replicas.database.url,
    );
    assert!(intact, "verify-audit: {report}\n{}", replicas.logs());
}

/// The holder of the retention lease, if anyone holds it.
async fn lease_holder(db: &consentry_server::store::Db) -> Option<String> {
    sqlx::query_scalar("SELECT holder FROM leases WHERE name = 'retention'")
        .fetch_optional(db.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_in_the_middle_of_a_retention_run_leaves_it_to_another() {
    let mut a = Harness::start(Backend::Postgres).await;
    // Found (and built, if need be) before the run starts, so that B starts quickly.
    let binary = server_binary();
    let db = due_records(&a).await;
    let http = http();
    let first = Session::sign_in(&http, &a.address, "admin", &a.admin_password)
        .await
        .unwrap();
    first
        .post("/auth/password")
        .json(&ChangePasswordRequest {
            current_password: a.admin_password.clone(),
            new_password: ADMIN_PASSWORD.into(),
        })
        .expect_status(200)
        .await;
    let admin = Session::sign_in(&http, &a.address, "admin", ADMIN_PASSWORD)
        .await
        .unwrap();
    let started: RunSummary = admin
        .post_json("/retention/runs", &serde_json::json!({}), 202)
        .await;

    // A alone takes the lease; B starts while A carries the run, so B cannot have it
    // while A renews it, page by page.
    let mut holder_a = None;
    for _ in 0..1000 {
        holder_a = lease_holder(&db).await;
        if holder_a.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let holder_a = holder_a.expect("A took no lease for its run");
    let b = tokio::task::block_in_place(|| {
        ServerProcess::launch(&Launch {
            binary: &binary,
            data_dir: a.data.path(),
            database_url: a.database.server_url(),
            port: free_port(),
            first_start: false,
            log: "warn",
            log_file: Some(&a.data.path().join("replica-b.log")),
            retention_at: None,
            static_dir: None,
        })
    });
    let applied = "SELECT COUNT(*) FROM audit_log WHERE action = 'retention.applied'";
    for _ in 0..3000 {
        if count(&db, applied).await >= 50 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.kill();
    let committed = count(&db, applied).await;
    eprintln!("replicas: A killed with {committed} of {RECORDS} records committed");
    assert!(
        committed >= 50 && committed < RECORDS as i64,
        "A was not killed in the middle of its run ({committed} records committed)"
    );
    // The lease is still A's: B has not touched the run.
    assert_eq!(lease_holder(&db).await.as_deref(), Some(holder_a.as_str()));

    // Once A's lease runs out (30 s after its last page), B's worker takes the run up.
    let on_b = Session::sign_in(&http, &b.address, "admin", ADMIN_PASSWORD)
        .await
        .unwrap();
    let path = format!("/retention/runs/{}", started.id);
    let mut report: RunReport = on_b.get_json(&path, 200).await;
    for _ in 0..600 {
        if report.summary.status == RunStatus::Done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        report = on_b.get_json(&path, 200).await;
    }
    assert_eq!(report.summary.status, RunStatus::Done, "{}", a.log());
    assert_eq!(report.summary.records, RECORDS as u64);

    // Each value processed once (as after a restart: `retention_crash.rs`), and one run
    // started and finished.
    processed_once(&db, values_per_record(), std::slice::from_ref(&report)).await;
    for action in ["retention.run_started", "retention.run_finished"] {
        let n = count(
            &db,
            &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"),
        )
        .await;
        assert_eq!(n, 1, "{action}");
    }
    let (ok, out) = a.verify_audit();
    assert!(ok, "{out}");
    drop(b);
    db.close().await;
}
