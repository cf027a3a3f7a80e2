//! Retention runs survive their server and share one database (issue #19): a run killed
//! with SIGKILL in the middle resumes after the restart and processes every due value
//! exactly once; two servers on one PostgreSQL database whose schedulers reach the day's
//! moment together make one run, carried out by one of them, each value processed once,
//! and two asked by hand at once start one.
//!
//! The records are made due by moving their collection time back (the server processes
//! run on the real clock).

use std::time::Duration;

use consentry_tests::{
    process::{free_port, Launch, ServerProcess},
    Backend, Expect, Session, ADMIN_PASSWORD,
};
use shared::api::{
    auth::ChangePasswordRequest,
    retention::{RunReport, RunStatus, RunSummary},
};

use crate::crash_storm::{count, send_all, Harness};

const DAY: i64 = 86_400_000;
/// Records per test: enough pages (50 records each) to kill a run between two.
pub(crate) const RECORDS: usize = 400;

/// The admin, with the first password replaced, signed in at `address`.
async fn admin_at(address: &str, first_password: &str) -> Session {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let first = Session::sign_in(&http, address, "admin", first_password)
        .await
        .unwrap();
    first
        .post("/auth/password")
        .json(&ChangePasswordRequest {
            current_password: first_password.to_owned(),
            new_password: ADMIN_PASSWORD.into(),
        })
        .expect_status(200)
        .await;
    Session::sign_in(&http, address, "admin", ADMIN_PASSWORD)
        .await
        .unwrap()
}

/// `RECORDS` synced records, all collected 2,000 days ago (every value of the demo form
/// is due: anonymised at 730 days, the ID number deleted at 1,095).
pub(crate) async fn due_records(h: &Harness) -> consentry_server::store::Db {
    let device = h.device("zhang", RECORDS).await;
    let acked = std::sync::atomic::AtomicUsize::new(0);
    let flight = std::sync::atomic::AtomicUsize::new(0);
    send_all(&device, &device.records, 500, &acked, &flight).await;
    let db = consentry_server::store::Db::connect(&h.database.url)
        .await
        .unwrap();
    sqlx::query(&format!(
        "UPDATE records SET created_at_ms = created_at_ms - {}, retention_due_at_ms = NULL",
        2000 * DAY
    ))
    .execute(db.pool())
    .await
    .unwrap();
    db
}

async fn report(admin: &Session, id: shared::ids::RetentionRunId) -> RunReport {
    admin.get_json(&format!("/retention/runs/{id}"), 200).await
}

/// Every value was processed exactly once: one audit entry per record, the reports'
/// counts add up to the values, and no record holds a value any more.
pub(crate) async fn processed_once(
    db: &consentry_server::store::Db,
    values_per_record: u64,
    reports: &[RunReport],
) {
    let records = u64::try_from(RECORDS).unwrap();
    let applied = count(
        db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'retention.applied'",
    )
    .await;
    let distinct = count(
        db,
        "SELECT COUNT(DISTINCT target_id) FROM audit_log WHERE action = 'retention.applied'",
    )
    .await;
    assert_eq!((applied, distinct), (RECORDS as i64, RECORDS as i64));
    let values: u64 = reports.iter().flat_map(|r| &r.lines).map(|l| l.count).sum();
    assert_eq!(values, records * values_per_record);
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM records WHERE status = 'erased'").await,
        RECORDS as i64
    );
    assert_eq!(count(db, "SELECT COUNT(*) FROM record_lookup").await, 0);
}

/// The demo form's value fields the demo answers fill.
pub(crate) fn values_per_record() -> u64 {
    u64::try_from(shared::schema::FormDefinition::demo_answers().len()).unwrap()
}

async fn killed_run_resumes(backend: Backend) {
    let mut h = Harness::start(backend).await;
    let db = due_records(&h).await;
    let admin = admin_at(&h.address, &h.admin_password.clone()).await;
    let started: RunSummary = admin
        .post_json("/retention/runs", &serde_json::json!({}), 202)
        .await;
    // Kill it once some pages are committed and some are not.
    let mut seen = 0;
    for _ in 0..3000 {
        seen = report(&admin, started.id).await.summary.records;
        if seen >= 50 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    h.kill();
    let committed = count(
        &db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'retention.applied'",
    )
    .await;
    assert!(
        seen >= 50 && committed < RECORDS as i64,
        "the run was not caught in the middle ({seen} seen, {committed} committed)"
    );
    h.restart();
    let admin = Session::sign_in(&reqwest::Client::new(), &h.address, "admin", ADMIN_PASSWORD)
        .await
        .unwrap();
    // The dead server's lease runs out (30 s), then the restarted one resumes the run.
    let mut last = report(&admin, started.id).await;
    for _ in 0..900 {
        if last.summary.status == RunStatus::Done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        last = report(&admin, started.id).await;
    }
    assert_eq!(last.summary.status, RunStatus::Done, "{}", h.log());
    assert_eq!(last.summary.records, RECORDS as u64);
    processed_once(&db, values_per_record(), &[last]).await;
    let (ok, out) = h.verify_audit();
    assert!(ok, "{out}");
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_run_resumes_and_processes_each_value_once_sqlite() {
    killed_run_resumes(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_run_resumes_and_processes_each_value_once_postgres() {
    killed_run_resumes(Backend::Postgres).await;
}

/// A time of day (UTC, `HH:MM`) between 45 and 105 seconds from now.
fn a_minute_from_now() -> String {
    // The next whole minute at least 45 s away.
    let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(45);
    let at = soon + time::Duration::seconds(60 - i64::from(soon.second()));
    format!("{:02}:{:02}", at.hour(), at.minute())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_run_the_scheduler_and_process_each_value_once() {
    // Both servers schedule the day's run for the same minute, a minute from now.
    let at = a_minute_from_now();
    let h = Harness::start_with(Backend::Postgres, Some(&at)).await;
    let second = ServerProcess::launch(&Launch {
        binary: &consentry_tests::process::server_binary(),
        data_dir: h.data.path(),
        database_url: h.database.server_url(),
        port: free_port(),
        first_start: false,
        log: "warn",
        log_file: Some(&h.data.path().join("second.log")),
        retention_at: Some(&at),
        static_dir: None,
    });
    let db = due_records(&h).await;
    let admin = admin_at(&h.address, &h.admin_password.clone()).await;
    let other = Session::sign_in(
        &reqwest::Client::new(),
        &second.address,
        "admin",
        ADMIN_PASSWORD,
    )
    .await
    .unwrap();
    let mut runs: Vec<RunSummary> = Vec::new();
    for _ in 0..1500 {
        runs = other.get_json("/retention/runs", 200).await;
        if runs.first().is_some_and(|r| r.status == RunStatus::Done) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].status, RunStatus::Done, "{}", h.log());
    assert_eq!(
        runs[0].trigger,
        shared::api::retention::RunTrigger::Schedule
    );
    let report = report(&admin, runs[0].id).await;
    processed_once(&db, values_per_record(), &[report]).await;
    // Both schedulers look again (every 5 s): the moment was taken, no second run.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let runs: Vec<RunSummary> = admin.get_json("/retention/runs", 200).await;
    assert_eq!(runs.len(), 1, "one run for the moment: {runs:?}");
    // Asked by hand on both at once: one more run, the other request refused.
    let body = serde_json::json!({});
    let (a, b) = tokio::join!(
        admin.post("/retention/runs").json(&body).send(),
        other.post("/retention/runs").json(&body).send(),
    );
    let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [202, 409]);
    drop(second);
    db.close().await;
}
