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
//! Usage: `consentry-bench [SUBMISSIONS] [SYNC_RECORDS]` (defaults 20000 and 15000);
//! `CONSENTRY_BENCH_KEEP=1` keeps the database afterwards.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    process::ServerProcess,
    sync::{register_device_with, signed_edit, signed_record},
};
use shared::api::{
    auth::{LoginRequest, Role, SessionInfo},
    forms::VersionDetail,
    sync::{SyncBatch, SyncRecord, SyncResponse, SyncStatus},
};

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

/// Devices syncing at once in the second round (staff coming back online together).
const SYNC_DEVICES: usize = 4;

async fn sync(
    http: &reqwest::Client,
    base: &str,
    db_url: &str,
    version: &VersionDetail,
    pid: u32,
    total: usize,
) {
    {
        let db = consentry_server::store::Db::connect(db_url).await.unwrap();
        let hash = consentry_server::auth::password::hash("bench staff passphrase").unwrap();
        db.insert_user(&consentry_server::store::users::NewUser {
            id: &uuid::Uuid::now_v7().to_string(),
            username: "bench-staff",
            display_name: "Bench",
            role: Role::Staff,
            password_hash: &hash,
            must_change_password: false,
        })
        .await
        .unwrap();
        db.close().await;
    }
    let r = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&LoginRequest {
            username: "bench-staff".into(),
            password: "bench staff passphrase".into(),
        })
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let session: SessionInfo = r.json().await.unwrap();
    let staff = Staff {
        http: http.clone(),
        base: base.to_owned(),
        cookie,
        csrf: session.csrf_token,
    };
    for devices in [1, SYNC_DEVICES] {
        println!(
            "\n== staff sync: {total} records in batches of 1,000 from {devices} device{}",
            if devices == 1 { "" } else { "s at once" }
        );
        let mut per_device = Vec::new();
        let mut signed = Vec::new();
        for d in 0..devices {
            let share = total / devices + usize::from(d < total % devices);
            let (device, batches) = staff.device_batches(version, share).await;
            per_device.push(
                batches
                    .iter()
                    .map(|b| SentBatch {
                        body: b.body.clone(),
                        uuids: b.records.iter().map(|r| r.uuid.clone()).collect(),
                    })
                    .collect::<Vec<_>>(),
            );
            signed.push((device, batches));
        }
        for (label, expect_new) in [("first sync", true), ("replay", false)] {
            let cpu_before = CpuMark::now(pid);
            let started = Instant::now();
            let tasks: Vec<_> = per_device
                .iter()
                .map(|batches| {
                    let (staff, batches) = (staff.clone(), batches.clone());
                    tokio::spawn(async move {
                        for batch in &batches {
                            staff.post_batch(batch, label, expect_new).await;
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            report(label, total, "record", started.elapsed(), pid, cpu_before).await;
        }
        if devices == 1 {
            staff.edit_round(version, pid, &signed[0]).await;
        }
    }
}

/// One device's records, signed, and the request bodies that carry them.
struct SignedBatch {
    records: Vec<SyncRecord>,
    body: bytes::Bytes,
}

/// A request body with the ids of its records, in order.
#[derive(Clone)]
struct SentBatch {
    body: bytes::Bytes,
    uuids: Arc<[String]>,
}

/// What the bench reads of a sync answer: each record's id and status; the receipts
/// are skipped unparsed.
#[derive(serde::Deserialize)]
struct StatusesOnly<'a> {
    #[serde(borrow)]
    results: Vec<StatusOnly<'a>>,
}

#[derive(serde::Deserialize)]
struct StatusOnly<'a> {
    uuid: &'a str,
    status: &'a str,
}

/// A device with its key.
struct BenchDevice {
    id: String,
    key: ed25519_dalek::SigningKey,
}

/// How long a round's trailing work may take: the server checkpoints the WAL in the
/// background (every second), and that copy of the round's pages is part of its cost.
const SETTLE: Duration = Duration::from_millis(1500);

/// Prints one sync line: `count` items of `unit` in `elapsed`, with the server's CPU
/// since `cpu_before`, read once the round's trailing work has settled.
async fn report(
    label: &str,
    count: usize,
    unit: &str,
    elapsed: Duration,
    pid: u32,
    cpu_before: CpuMark,
) {
    tokio::time::sleep(SETTLE).await;
    let cpu = cpu_seconds(pid) - cpu_before.server;
    let client = cpu_seconds(std::process::id()) - cpu_before.client;
    let switches = context_switches(pid).saturating_sub(cpu_before.switches);
    println!(
        "{label:<19} {:.0} {unit}s/s ({count} in {:.2} s), server CPU {:.0} µs per {unit} \
         (bench client {:.0} µs; server context switches {:.2} per {unit})",
        count as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        cpu / count as f64 * 1e6,
        client / count as f64 * 1e6,
        switches as f64 / count as f64
    );
}

/// A signed-in staff member of the bench.
#[derive(Clone)]
struct Staff {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

impl Staff {
    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}/api/v1{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
    }

    /// Registers a device and signs `count` records on it, in request bodies of 1,000.
    async fn device_batches(
        &self,
        version: &VersionDetail,
        count: usize,
    ) -> (BenchDevice, Vec<SignedBatch>) {
        let (device, key) = register_device_with(self.post("/devices"), "bench").await;
        let answers = demo_answers();
        let batches = (0..count.div_ceil(1000))
            .map(|b| {
                let records: Vec<SyncRecord> = (0..1000.min(count - b * 1000))
                    .map(|i| {
                        signed_record(
                            version,
                            &answers,
                            &Choices::all_demo(),
                            &device.id,
                            &key,
                            (b * 1000 + i + 1) as i64,
                        )
                    })
                    .collect();
                let body = bytes::Bytes::from(
                    serde_json::to_vec(&SyncBatch {
                        device_id: device.id.clone(),
                        records: records.clone(),
                    })
                    .unwrap(),
                );
                SignedBatch { records, body }
            })
            .collect();
        (BenchDevice { id: device.id, key }, batches)
    }

    /// Edits the first 1,000 synced records of `device` once, in one batch: each edit
    /// is a compare-and-set transaction of its own (version history, lookups, audit).
    async fn edit_round(
        &self,
        version: &VersionDetail,
        pid: u32,
        signed: &(BenchDevice, Vec<SignedBatch>),
    ) {
        let (device, batches) = signed;
        let Some(first) = batches.first() else {
            return;
        };
        let mut answers = demo_answers();
        answers.insert("full_name".to_owned(), serde_json::json!("李四"));
        let next_seq = batches.iter().map(|b| b.records.len()).sum::<usize>() as i64 + 1;
        let edits: Vec<SyncRecord> = first
            .records
            .iter()
            .zip(next_seq..)
            .map(|(record, seq)| {
                signed_edit(version, record, &answers, &device.id, &device.key, seq, 1)
            })
            .collect();
        let count = edits.len();
        let body = bytes::Bytes::from(
            serde_json::to_vec(&SyncBatch {
                device_id: device.id.clone(),
                records: edits,
            })
            .unwrap(),
        );
        let cpu_before = CpuMark::now(pid);
        let started = Instant::now();
        let response = self.send_batch(body).await;
        for result in &response.results {
            assert!(
                matches!(result.status, SyncStatus::Edited { .. }),
                "edit: unexpected {:?}",
                result.status
            );
        }
        report("edits", count, "edit", started.elapsed(), pid, cpu_before).await;
    }

    /// Posts a sync request body; the answer (which must be 200).
    async fn send_batch(&self, body: bytes::Bytes) -> SyncResponse {
        serde_json::from_slice(&self.send_raw(body).await).unwrap()
    }

    /// Posts a sync request body; the answer's bytes (which must be 200).
    async fn send_raw(&self, body: bytes::Bytes) -> bytes::Bytes {
        let r = self
            .post("/sync")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap()
    }

    /// Sends one batch and checks that every record was stored (or, replayed, known).
    ///
    /// Only each record's id and status are read: the client shares the machine's two
    /// cores with the server, and parsing a thousand receipts per answer would take CPU
    /// from it (the e2e tests check the receipts themselves).
    async fn post_batch(&self, batch: &SentBatch, label: &str, expect_new: bool) {
        let SentBatch { body, uuids } = batch;
        let answer = self.send_raw(body.clone()).await;
        let answer: StatusesOnly<'_> = serde_json::from_slice(&answer).unwrap();
        assert_eq!(
            answer.results.len(),
            uuids.len(),
            "{label}: one status per record"
        );
        let expected = if expect_new {
            "stored"
        } else {
            "already_stored"
        };
        for (result, uuid) in answer.results.iter().zip(uuids.iter()) {
            assert_eq!(result.uuid, uuid, "{label}: statuses in request order");
            assert_eq!(result.status, expected, "{label}: record {uuid}");
        }
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let total_submissions: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let total_sync: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(15_000);
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
        sync(&http, &base, &db_url, &version, pid, total_sync).await;
    }
    drop(server);
    if kept {
        println!("\ndatabase kept in {}", data.keep().display());
    }
}
