//! `consentry-bench`: measures the submission path of a release server.
//!
//! Starts `target/release/consentry` (or `$CONSENTRY_BIN`) on a fresh SQLite database at
//! full durability, signs N demo submissions up front, sends them from 16 concurrent
//! clients, and prints submissions per second, latency percentiles and the server's CPU
//! time per submission (from /proc, so the bench's own work is not counted).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::{
    io::{BufRead as _, BufReader},
    path::PathBuf,
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use consentry_tests::consent::{demo_answers, new_key, signed_submission, Choices};
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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let total: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let bin = server_binary();
    assert!(
        bin.exists(),
        "{} not found: build it with cargo build --release -p consentry-server",
        bin.display()
    );
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(&bin)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--log",
            "warn",
        ])
        .arg("--data-dir")
        .arg(data.path())
        .arg("--static-dir")
        .arg(data.path().join("no-web-app"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut form_url = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("Demo form (published): ") {
            form_url = Some(url.trim().to_owned());
            break;
        }
    }
    let form_url = form_url.expect("the server printed its demo form");
    let form_id = form_url.rsplit('/').next().unwrap().to_owned();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let version: VersionDetail = http
        .get(format!("{base}/public/forms/{form_id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    println!("Consentry submission benchmark: {total} submissions, {CLIENTS} clients, SQLite (WAL, synchronous=FULL)");
    println!("signing {total} submissions up front…");
    let answers = demo_answers();
    let bodies: Vec<bytes::Bytes> = (0..total)
        .map(|_| {
            let req = signed_submission(
                &version,
                &answers,
                &Choices::all_demo(),
                &new_key(),
                &uuid::Uuid::new_v4().to_string(),
            );
            bytes::Bytes::from(serde_json::to_vec(&req).unwrap())
        })
        .collect();
    let url = Arc::new(format!("{base}/public/forms/{form_id}/submissions"));

    // Warm up connections and caches.
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
    let work: Arc<std::sync::Mutex<Vec<bytes::Bytes>>> =
        Arc::new(std::sync::Mutex::new(bodies[CLIENTS..].to_vec()));
    let measured = total - CLIENTS;

    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let http = http.clone();
        let url = url.clone();
        let work = work.clone();
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
        "submissions:        {measured} in {:.2} s",
        elapsed.as_secs_f64()
    );
    println!(
        "throughput:         {:.0} submissions/s",
        measured as f64 / elapsed.as_secs_f64()
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
        "latency max:        {:.2} ms",
        latencies.last().unwrap().as_secs_f64() * 1e3
    );
    println!(
        "server CPU:         {:.0} µs per submission ({:.2} s in all)",
        cpu / measured as f64 * 1e6,
        cpu
    );
    let _ = child.kill();
    let _ = child.wait();
}
