//! `consentry-bench`: measures a release server on this machine.
//!
//! Starts `target/release/consentry` (or `$CONSENTRY_BIN`) on a fresh SQLite database at
//! full durability and prints, with the server's own CPU time from /proc (the bench's
//! work is not counted):
//! - customer submissions from 16 concurrent clients: submissions per second, latency
//!   p50/p99, server CPU per submission;
//! - staff sync in batches of 1,000 records, from one device and then from four devices
//!   at once: records per second and CPU per record, then the same batches replayed.
//!
//! Each sync line also gives the bench client's own CPU and the server's context
//! switches per record.
//!
//! - a retention run over `RETENTION_VALUES` expiring values: run time, values per
//!   second, server CPU per value.
//! - a CSV export of `EXPORT_RECORDS` more records, downloaded as it streams: rows per
//!   second, server CPU per row, the server's peak memory beside its memory before.
//! - an import of `IMPORT_ROWS` new people for the demo form, from a CSV and from an
//!   XLSX workbook, each into a fresh server: preview and commit times and rows per
//!   second, server CPU per row, the server's peak memory during each, the file's size.
//!
//! - two replicas against one (opt-in: `REPLICA_RECORDS`, default 0): staff sync in
//!   batches of 100 from four devices at once through one server process, then through
//!   two on one fresh PostgreSQL database (`CONSENTRY_TEST_POSTGRES`, by default
//!   `postgres://postgres@127.0.0.1:5432/postgres`), the devices round-robin over the
//!   processes: records per second, latency p50/p99 per request, and the ratio.
//!
//! A count of 0 skips its phase. Usage: `consentry-bench [SUBMISSIONS] [SYNC_RECORDS]
//! [RETENTION_VALUES] [EXPORT_RECORDS] [IMPORT_ROWS] [REPLICA_RECORDS]` (defaults 20000,
//! 15000, 100000, 100000, 100000 and 0; `consentry-bench 0 0 0 0 0 20000` runs the
//! replicas alone);
//! `CONSENTRY_BENCH_KEEP=1` keeps the database afterwards; `CONSENTRY_BENCH_ROUNDS=5`
//! runs the sync rounds five times (new devices and records each time, so the database
//! grows) and ends with the median, lowest and highest of each figure;
//! `CONSENTRY_BENCH_FIRST_ONLY=1` runs only the first syncs (no replays, no edits), for
//! profiling the server while it stores new records.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "bench/export.rs"]
mod export;
#[path = "bench/imports.rs"]
mod imports;
#[path = "bench/replicas.rs"]
mod replicas;
#[path = "bench/retention.rs"]
mod retention;
#[path = "bench/sync.rs"]
mod sync;

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    process::ServerProcess,
};
use shared::api::forms::VersionDetail;

const CLIENTS: usize = 16;

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

async fn submissions(
    http: &reqwest::Client,
    base: &str,
    version: &VersionDetail,
    pid: u32,
    total: usize,
) {
    println!("\n== customer submissions: {total}, {CLIENTS} concurrent clients");
    let answers = demo_answers();
    let bodies: Vec<bytes::Bytes> = (0..total)
        .map(|_| {
            let req = signed_submission(
                version,
                &answers,
                &Choices::all_demo(),
                &new_key(),
                &uuid::Uuid::now_v7().to_string(),
            );
            bytes::Bytes::from(serde_json::to_vec(&req).unwrap())
        })
        .collect();
    let url = Arc::new(format!(
        "{base}/api/v1/public/forms/{}/submissions",
        version.form_id
    ));
    for body in bodies.iter().take(CLIENTS) {
        let r = http
            .post(url.as_str())
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    let work = Arc::new(std::sync::Mutex::new(bodies[CLIENTS..].to_vec()));
    let measured = total - CLIENTS;
    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (http, url, work) = (http.clone(), url.clone(), work.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let Some(body) = work.lock().unwrap().pop() else {
                    break;
                };
                let t = Instant::now();
                let r = http
                    .post(url.as_str())
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                let _ = r.bytes().await.unwrap();
                assert_eq!(status, 201);
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(measured);
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    let cpu = cpu_seconds(pid) - cpu_before;
    latencies.sort();
    println!(
        "throughput:         {:.0} submissions/s ({measured} in {:.2} s)",
        measured as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    println!(
        "latency p50:        {:.2} ms",
        percentile(&latencies, 50.0).as_secs_f64() * 1e3
    );
    println!(
        "latency p99:        {:.2} ms",
        percentile(&latencies, 99.0).as_secs_f64() * 1e3
    );
    println!(
        "server CPU:         {:.0} µs per submission",
        cpu / measured as f64 * 1e6
    );
}

/// The same measurement driven by `wrk` (a C load generator, Debian package `wrk`),
/// which costs far less CPU per request than a Rust HTTP client: on a 2-core machine
/// the client's own work would otherwise take a core away from the server.
async fn submissions_wrk(
    base: &str,
    version: &VersionDetail,
    pid: u32,
    db_url: &str,
    seconds: u32,
) {
    let total = 80_000usize;
    println!("\n== customer submissions with wrk: {CLIENTS} connections for {seconds} s ({total} distinct signed submissions prepared)");
    let dir = tempfile::tempdir().unwrap();
    let bodies = dir.path().join("bodies.jsonl");
    {
        use std::io::Write as _;
        let answers = demo_answers();
        let mut out = std::io::BufWriter::new(std::fs::File::create(&bodies).unwrap());
        for _ in 0..total {
            let req = signed_submission(
                version,
                &answers,
                &Choices::all_demo(),
                &new_key(),
                &uuid::Uuid::now_v7().to_string(),
            );
            serde_json::to_writer(&mut out, &req).unwrap();
            out.write_all(b"\n").unwrap();
        }
    }
    let script = dir.path().join("submit.lua");
    std::fs::write(
        &script,
        format!(
            r#"local threads = {{}}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  bodies = {{}}
  local n = 0
  for line in io.lines("{bodies}") do
    if n % 2 == id then table.insert(bodies, line) end
    n = n + 1
  end
  next_body = 1
end
function request()
  local body = bodies[next_body]
  next_body = next_body + 1
  if next_body > #bodies then next_body = 1 end
  return wrk.format("POST", "/api/v1/public/forms/{form}/submissions", {{["Content-Type"] = "application/json"}}, body)
end
"#,
            bodies = bodies.display(),
            form = version.form_id
        ),
    )
    .unwrap();
    let count_records = || async {
        let db = consentry_server::store::Db::connect(db_url).await.unwrap();
        let n = db.count_records().await.unwrap();
        db.close().await;
        n
    };
    let before = count_records().await;
    let cpu_before = cpu_seconds(pid);
    let out = std::process::Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{CLIENTS}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(&script)
        .arg(base)
        .output()
        .unwrap();
    let cpu = cpu_seconds(pid) - cpu_before;
    let stored = count_records().await - before;
    let report = String::from_utf8_lossy(&out.stdout);
    let line = |prefix: &str| {
        report
            .lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_owned())
            .unwrap_or_else(|| "?".to_owned())
    };
    let non_2xx = report
        .lines()
        .find(|l| l.contains("Non-2xx"))
        .unwrap_or("")
        .trim()
        .to_owned();
    println!(
        "stored:             {stored} submissions ({:.0}/s)",
        stored as f64 / f64::from(seconds)
    );
    println!("latency p50:        {}", line("50%"));
    println!("latency p99:        {}", line("99%"));
    println!(
        "server CPU:         {:.0} µs per stored submission",
        cpu / stored.max(1) as f64 * 1e6
    );
    if !non_2xx.is_empty() {
        println!("note:               {non_2xx}");
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let total_submissions: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let total_sync: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(15_000);
    let retention_values: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let export_records: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let import_rows: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let replica_records: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
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
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let version: VersionDetail = http
        .get(format!(
            "{base}/api/v1/public/forms/{}",
            server.demo_form_id.clone().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    println!(
        "Consentry benchmark on {} cores; SQLite in WAL mode with synchronous=FULL",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let db_url = format!("sqlite://{}/consentry.db", data.path().display());
    if total_submissions > CLIENTS {
        submissions(&http, &base, &version, pid, total_submissions).await;
        if std::process::Command::new("wrk")
            .arg("--version")
            .output()
            .is_ok()
        {
            submissions_wrk(&base, &version, pid, &db_url, 10).await;
        } else {
            println!("(install wrk for a lighter load generator: apt-get install wrk)");
        }
    }
    if total_sync > 0 {
        sync::sync(&http, &base, &db_url, &version, pid, total_sync).await;
    }
    if retention_values > 0 {
        let password = server.admin_password.clone().unwrap_or_default();
        retention::retention(
            &http,
            &base,
            &db_url,
            &version,
            pid,
            &password,
            retention_values,
        )
        .await;
    }
    if export_records > 0 {
        let password = server.admin_password.clone().unwrap_or_default();
        export::export(
            &http,
            &base,
            &db_url,
            &version,
            pid,
            &password,
            export_records,
        )
        .await;
    }
    drop(server);
    if import_rows > 0 {
        imports::imports(&http, &bin, import_rows).await;
    }
    if replica_records > 0 {
        replicas::replicas(&bin, replica_records).await;
    }
    if kept {
        println!("\ndatabase kept in {}", data.keep().display());
    }
}
