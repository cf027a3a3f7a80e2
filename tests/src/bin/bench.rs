//! `consentry-bench`: measures a release server on this machine beside the machine's own
//! limits, and rewrites `BENCHMARKS.md` at the repository's root with the results.
//!
//! Starts `target/release/consentry` (or `$CONSENTRY_BIN`) on a fresh SQLite database at
//! full durability; the server's own CPU time comes from /proc (the bench's is not
//! counted). In order:
//! - the machine's limits (`bench/limits.rs`): ed25519 verification (single, batch) and
//!   signing, XChaCha20-Poly1305 sealing, SHA-256, per core; SQLite's and PostgreSQL's
//!   committed rows per second in 1,000-row transactions and single-row commits per
//!   second. `bench/model.rs` counts what a submission and a synced record cost in those
//!   primitives, which gives each figure below its ceiling and its fraction of it;
//! - customer submissions (`bench/submissions.rs`), one per request, with 1 and 16
//!   clients (`wrk`), on SQLite and on PostgreSQL: submissions per second, latency
//!   p50/p99, server and machine CPU per submission, fraction of the ceiling;
//! - staff sync (`bench/sync.rs`) of `SYNC_RECORDS` records from one device in batches
//!   of 100 and of 1,000, first time and replayed, then 1,000 edits: records per second,
//!   server CPU per record, fraction of the ceiling;
//! - a retention run over `RETENTION_VALUES` expiring values; a CSV and an XLSX export of
//!   `EXPORT_RECORDS` more records; imports of `IMPORT_ROWS` new people from a CSV and an
//!   XLSX, each into a fresh server: rows per second, CPU per row, peak memory;
//! - two replicas against one on PostgreSQL (opt-in: `REPLICA_RECORDS`, default 0);
//! - last, the web app in headless Chromium (`bench/browser.rs`: page weight, render and
//!   submit timings), unless `BROWSER` is 0 or `CONSENTRY_BENCH_BROWSER=0`.
//!
//! A count of 0 skips its phase. Usage: `consentry-bench [SUBMISSIONS] [SYNC_RECORDS]
//! [RETENTION_VALUES] [EXPORT_RECORDS] [IMPORT_ROWS] [REPLICA_RECORDS] [BROWSER]`
//! (defaults 30000, 10000, 100000, 100000, 100000, 0 and 1; SUBMISSIONS is how many
//! distinct submissions are prepared for each 16-client run, a quarter of that for each
//! 1-client run). `CONSENTRY_BENCH_SECONDS` (default 6) is the longest a submissions run
//! lasts; `CONSENTRY_BENCH_KEEP=1` keeps the database afterwards;
//! `CONSENTRY_BENCH_ROUNDS=5` runs the sync passes five times (new records each time)
//! and reports the medians; `CONSENTRY_BENCH_FIRST_ONLY=1` runs only the first syncs,
//! for profiling the server while it stores new records.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "bench/browser.rs"]
mod browser;
#[path = "bench/export.rs"]
mod export;
#[path = "bench/imports.rs"]
mod imports;
#[path = "bench/limits.rs"]
mod limits;
#[path = "bench/model.rs"]
mod model;
#[path = "bench/replicas.rs"]
mod replicas;
#[path = "bench/report.rs"]
mod report;
#[path = "bench/retention.rs"]
mod retention;
#[path = "bench/submissions.rs"]
mod submissions;
#[path = "bench/sync.rs"]
mod sync;

use std::{path::PathBuf, time::Duration};

use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    process::ServerProcess,
};
use shared::api::forms::VersionDetail;

fn server_binary() -> PathBuf {
    std::env::var_os("CONSENTRY_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/consentry"),
        PathBuf::from,
    )
}

/// User and system CPU time of a process, from /proc/<pid>/stat, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 = fields
        .get(11)
        .and_then(|u| u.parse::<f64>().ok())
        .unwrap_or(0.0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(0.0);
    ticks / 100.0
}

/// Busy CPU time of the whole machine (every core, every process) so far, from
/// /proc/stat, in seconds.
fn machine_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|t| t.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal: all but idle and iowait.
    let busy: f64 = ticks
        .iter()
        .take(8)
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, t)| t)
        .sum();
    busy / 100.0
}

/// Context switches of every thread of a process so far, from /proc/<pid>/task (a
/// thread that has ended no longer counts). On a virtual machine each costs far more
/// than on bare metal, so their number explains much of the server's CPU time.
fn context_switches(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("status")).ok())
        .flat_map(|status| {
            status
                .lines()
                .filter(|l| l.contains("ctxt_switches"))
                .filter_map(|l| l.split_whitespace().last()?.parse::<u64>().ok())
                .collect::<Vec<_>>()
        })
        .sum()
}

/// The server's and the bench client's CPU time, and the server's context switches, at
/// one moment.
struct CpuMark {
    server: f64,
    client: f64,
    switches: u64,
}

impl CpuMark {
    fn now(server: u32) -> Self {
        Self {
            server: cpu_seconds(server),
            client: cpu_seconds(std::process::id()),
            switches: context_switches(server),
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Posts one submission (warming the server up); the size of the receipt's JSON in
/// the answer.
async fn receipt_bytes(http: &reqwest::Client, base: &str, version: &VersionDetail) -> usize {
    let req = signed_submission(
        version,
        &demo_answers(),
        &Choices::all_demo(),
        &new_key(),
        &uuid::Uuid::now_v7().to_string(),
    );
    let r = http
        .post(format!(
            "{base}/api/v1/public/forms/{}/submissions",
            version.form_id
        ))
        .json(&req)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let answer: serde_json::Value = r.json().await.unwrap();
    serde_json::to_string(&answer["receipt"]).unwrap().len()
}

/// The report's method: what is measured how, and the model of the fractions.
fn method(model: &model::Model, limits: &limits::Limits) -> String {
    format!(
        "Every figure comes from one run of the server binary (`scripts/bench.sh` builds the \
         fat-LTO release one; `CONSENTRY_BIN` in the command names another) on this machine, \
         driven from the same machine; the server's CPU time is read from /proc, the \
         bench's own is not counted. SQLite runs in WAL mode with `synchronous=FULL` (every \
         commit on disk), PostgreSQL with `synchronous_commit=on`. The figures are for this \
         machine only; what travels between machines is the **fraction** of the machine's own \
         limits, measured in the same run (first table): each primitive for {} s on one core, \
         durable writes on one connection.\n\n### Model of the fractions\n\n{}\n\
         ## The machine's limits\n\n{}",
        limits::SPAN.as_secs_f64(),
        model.markdown(limits),
        limits.markdown()
    )
}

#[tokio::main]
async fn main() {
    let started_at = time::OffsetDateTime::now_utc();
    let mut args = std::env::args().skip(1);
    let mut count = |default: usize| args.next().and_then(|n| n.parse().ok()).unwrap_or(default);
    let total_submissions = count(30_000);
    let total_sync = count(10_000);
    let retention_values = count(100_000);
    let export_records = count(100_000);
    let import_rows = count(100_000);
    let replica_records = count(0);
    let browser_runs =
        count(1) > 0 && std::env::var("CONSENTRY_BENCH_BROWSER").as_deref() != Ok("0");
    let seconds: u32 = std::env::var("CONSENTRY_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    let bin = server_binary();
    assert!(
        bin.exists(),
        "{} not found: run scripts/bench.sh",
        bin.display()
    );
    let data = tempfile::tempdir().unwrap();
    // CONSENTRY_BENCH_KEEP=1 leaves the database behind for inspection.
    let kept = std::env::var_os("CONSENTRY_BENCH_KEEP").is_some();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = ServerProcess::start(&bin, data.path(), port, true);
    let pid = server.pid();
    let base = server.address.clone();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(16)
        .build()
        .unwrap();
    let version: VersionDetail = server.demo_version().await;
    println!(
        "Consentry benchmark on {} cores; SQLite in WAL mode with synchronous=FULL",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let db_url = format!("sqlite://{}/consentry.db", data.path().display());

    let model = model::Model::of(&version, receipt_bytes(&http, &base, &version).await);
    let seal_bytes = (model.submission.sealed_bytes / model.submission.seals).round() as usize;
    let limits = limits::measure(data.path(), seal_bytes).await;
    println!(
        "model:              a submission costs {} ({:.0} µs of one core); a synced record {}",
        model.submission.describe(),
        model.submission.cpu_seconds(&limits) * 1e6,
        model.sync.describe()
    );
    let mut report = report::Report::default();

    if total_submissions > 0 {
        let sqlite = submissions::Target {
            database: "SQLite",
            base: &base,
            pid,
            db_url: &db_url,
            version: &version,
            durable: &limits.sqlite,
        };
        report.add(
            submissions::submissions(&sqlite, &bin, &limits, &model, total_submissions, seconds)
                .await,
        );
    }
    if total_sync > 0 {
        report.add(
            sync::sync(
                &http,
                &base,
                &db_url,
                &version,
                pid,
                total_sync,
                (&limits, &model),
            )
            .await,
        );
    }
    if retention_values > 0 {
        let password = server.admin_password.clone().unwrap_or_default();
        report.add(
            retention::retention(
                &http,
                &base,
                &db_url,
                &version,
                pid,
                &password,
                retention_values,
            )
            .await,
        );
    }
    if export_records > 0 {
        let password = server.admin_password.clone().unwrap_or_default();
        report.add(
            export::export(
                &http,
                &base,
                &db_url,
                &version,
                pid,
                &password,
                export_records,
            )
            .await,
        );
    }
    drop(server);
    if import_rows > 0 {
        report.add(imports::imports(&http, &bin, import_rows).await);
    }
    if replica_records > 0 {
        report.add(replicas::replicas(&bin, replica_records).await);
    }
    if browser_runs {
        println!("\n== the web app in headless Chromium");
        report.add(browser::browser(&bin).await);
    }
    report.write(data.path(), &method(&model, &limits), started_at);
    if kept {
        println!("\ndatabase kept in {}", data.keep().display());
    }
}
