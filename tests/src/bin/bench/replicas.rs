//! The bench's replicas (issue #24): staff sync load through one server process and
//! then through two on one fresh PostgreSQL database each time, the clients spread
//! round-robin over the processes: records per second, latency p50/p99 per request and
//! the servers' CPU per record for each, then two against one.
//!
//! PostgreSQL is the one of the tests (`CONSENTRY_TEST_POSTGRES`, by default
//! `postgres://postgres@127.0.0.1:5432/postgres`); PostgreSQL, the servers and the bench
//! client share the machine's cores, so on a small machine the ratio shows what a second
//! process costs or gains there, not what a second machine would.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use consentry_tests::{
    consent::{demo_answers, Choices},
    process::{add_staff, free_port, Launch, ProcessDatabase, ServerProcess},
    sync::{register_device, signed_record},
    Backend, Session,
};
use shared::api::{
    forms::VersionDetail,
    sync::{SyncBatch, SyncRecord},
};

use super::{cpu_seconds, percentile};

/// Staff devices syncing at once.
const CLIENTS: usize = 4;
/// Records per request.
const BATCH: usize = 100;
const STAFF_PASSWORD: &str = "bench staff passphrase";

/// One configuration's figures.
struct Figures {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

pub async fn replicas(bin: &Path, total: usize) -> String {
    println!(
        "\n== replicas: staff sync of {total} records in batches of {BATCH} from {CLIENTS} \
         devices at once, through one server process, then two on one PostgreSQL database \
         (devices round-robin over the processes)"
    );
    let one = through(bin, 1, total).await;
    let two = through(bin, 2, total).await;
    println!(
        "two against one:    {:.2}× the records per second, p99 latency {:.2}×",
        two.per_second / one.per_second,
        two.p99.as_secs_f64() / one.p99.as_secs_f64()
    );
    let row = |name: &str, f: &Figures| {
        format!(
            "| {name} | {:.0} | {:.1} ms | {:.1} ms |\n",
            f.per_second,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3
        )
    };
    format!(
        "## Replicas\n\nStaff sync of {total} records in batches of {BATCH} from {CLIENTS} devices at \
         once through one server process, then two, on one fresh PostgreSQL database each time \
         (all on this machine's cores).\n\n\
         | processes | records/s | p50 per request | p99 per request |\n|---|---:|---:|---:|\n{}{}\n\
         Two against one: {:.2}× the records per second.\n",
        row("one", &one),
        row("two", &two),
        two.per_second / one.per_second
    )
}

/// Runs the load through `processes` server processes on a fresh database.
async fn through(bin: &Path, processes: usize, total: usize) -> Figures {
    let data = tempfile::tempdir().unwrap();
    let database = ProcessDatabase::create(Backend::Postgres, data.path()).await;
    // Started one after the other: the first makes the master key and seeds the
    // database; the others share its data folder, so its key.
    let servers: Vec<ServerProcess> = (0..processes)
        .map(|i| {
            ServerProcess::launch(&Launch {
                binary: bin,
                data_dir: data.path(),
                database_url: database.server_url(),
                port: free_port(),
                first_start: i == 0,
                log: "warn",
                log_file: None,
                retention_at: None,
                static_dir: None,
            })
        })
        .collect();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .timeout(Duration::from_secs(300))
        .build()
        .unwrap();
    let version = servers[0].demo_version().await;

    let per_client = total.div_ceil(CLIENTS);
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let name = format!("bench-replicas-{c}");
        add_staff(&database.url, &name, STAFF_PASSWORD).await;
        let server = &servers[c % processes];
        let staff = Session::sign_in(&http, &server.address, &name, STAFF_PASSWORD)
            .await
            .unwrap();
        let count = per_client.min(total - per_client * c);
        let bodies = signed_batches(&staff, &version, count).await;
        clients.push((staff, bodies));
    }
    // A first request from each device, not counted: connections open, caches fill.
    for (staff, bodies) in &mut clients {
        if !bodies.is_empty() {
            let (warm_up, count) = bodies.remove(0);
            send(staff, warm_up, count).await;
        }
    }
    let measured: usize = clients
        .iter()
        .flat_map(|(_, b)| b.iter().map(|(_, n)| n))
        .sum();

    let pids: Vec<u32> = servers.iter().map(ServerProcess::pid).collect();
    let cpu_before: f64 = pids.iter().map(|p| cpu_seconds(*p)).sum();
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|(staff, bodies)| {
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(bodies.len());
                for (body, count) in bodies {
                    let t = Instant::now();
                    send(&staff, body, count).await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    let cpu = pids.iter().map(|p| cpu_seconds(*p)).sum::<f64>() - cpu_before;
    latencies.sort();
    let figures = Figures {
        per_second: measured as f64 / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
    };
    let label = match processes {
        1 => "one process:".to_owned(),
        2 => "two processes:".to_owned(),
        n => format!("{n} processes:"),
    };
    println!(
        "{label:<19} {:.0} records/s ({measured} in {:.2} s, {} requests), latency p50 {:.1} ms, \
         p99 {:.1} ms per request, servers' CPU {:.0} µs per record",
        figures.per_second,
        elapsed.as_secs_f64(),
        latencies.len(),
        figures.p50.as_secs_f64() * 1e3,
        figures.p99.as_secs_f64() * 1e3,
        cpu / measured as f64 * 1e6
    );
    drop(servers);
    figures
}

/// Registers a device for `staff` and signs `count` records on it, as request bodies
/// of [`BATCH`] records with their counts.
async fn signed_batches(
    staff: &Session,
    version: &VersionDetail,
    count: usize,
) -> Vec<(bytes::Bytes, usize)> {
    let (device, key) = register_device(staff, "bench").await;
    let answers = demo_answers();
    let records: Vec<SyncRecord> = (1..=count)
        .map(|seq| {
            signed_record(
                version,
                &answers,
                &Choices::all_demo(),
                &device.id,
                &key,
                i64::try_from(seq).unwrap(),
            )
        })
        .collect();
    records
        .chunks(BATCH)
        .map(|chunk| {
            let body = serde_json::to_vec(&SyncBatch {
                device_id: device.id,
                records: chunk.to_vec(),
            })
            .unwrap();
            (bytes::Bytes::from(body), chunk.len())
        })
        .collect()
}

/// What the bench reads of a sync answer: each record's status (the receipts are
/// skipped unparsed, to leave the cores to the servers).
#[derive(serde::Deserialize)]
struct StatusesOnly<'a> {
    #[serde(borrow)]
    results: Vec<StatusOnly<'a>>,
}

#[derive(serde::Deserialize)]
struct StatusOnly<'a> {
    status: &'a str,
}

/// Posts one sync body; every one of its `count` records must come back stored.
async fn send(staff: &Session, body: bytes::Bytes, count: usize) {
    let r = staff
        .post("/sync")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    let answer: StatusesOnly<'_> = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(answer.results.len(), count);
    assert!(
        answer.results.iter().all(|r| r.status == "stored"),
        "a record was not stored"
    );
}
