//! The bench's staff sync: devices, signed batches, first syncs, replays and edits.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use consentry_tests::{
    consent::{demo_answers, Choices},
    sync::{register_device_with, signed_edit, signed_record},
};
use shared::api::{
    auth::{LoginRequest, SessionInfo},
    forms::VersionDetail,
    sync::{SyncBatch, SyncRecord, SyncResponse, SyncStatus},
};

use super::{context_switches, cpu_seconds, CpuMark};

/// Devices syncing at once in the second round (staff coming back online together).
const SYNC_DEVICES: usize = 4;

pub async fn sync(
    http: &reqwest::Client,
    base: &str,
    db_url: &str,
    version: &VersionDetail,
    pid: u32,
    total: usize,
) {
    consentry_tests::process::add_staff(db_url, "bench-staff", "bench staff passphrase").await;
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
    let rounds = rounds();
    // For profiling the costly part alone: no replays, no edits.
    let first_only = std::env::var_os("CONSENTRY_BENCH_FIRST_ONLY").is_some();
    let mut figures: Vec<(String, Vec<Figure>)> = Vec::new();
    for round in 1..=rounds {
        for devices in [1, SYNC_DEVICES] {
            let of_rounds = if rounds > 1 {
                format!(", round {round} of {rounds}")
            } else {
                String::new()
            };
            println!(
                "\n== staff sync: {total} records in batches of 1,000 from {devices} device{}{of_rounds}",
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
            let parts = [("first sync", true), ("replay", false)];
            for (label, expect_new) in parts.into_iter().take(if first_only { 1 } else { 2 }) {
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
                let figure =
                    report(label, total, "record", started.elapsed(), pid, cpu_before).await;
                let key = format!(
                    "{label}, {devices} device{}",
                    if devices == 1 { "" } else { "s" }
                );
                match figures.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, all)) => all.push(figure),
                    None => figures.push((key, vec![figure])),
                }
            }
            if devices == 1 && round == 1 && !first_only {
                staff.edit_round(version, pid, &signed[0]).await;
            }
        }
    }
    if rounds > 1 {
        println!("\n== staff sync over {rounds} rounds: median (lowest-highest)");
        for (key, all) in &mut figures {
            let rates = spread(all.iter().map(|f| f.per_second).collect());
            let cpu = spread(all.iter().map(|f| f.cpu_micros).collect());
            println!(
                "{key:<24} {:.0} records/s ({:.0}-{:.0}), server CPU {:.0} µs per record ({:.0}-{:.0})",
                rates.1, rates.0, rates.2, cpu.1, cpu.0, cpu.2
            );
        }
    }
}

/// How many times the sync rounds run (`CONSENTRY_BENCH_ROUNDS`, default 1), each
/// with new devices and new records: on a busy virtual machine one run can be 30% off,
/// and the median of several is the figure to compare.
fn rounds() -> usize {
    std::env::var("CONSENTRY_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1)
        .max(1)
}

/// Lowest, median and highest of some figures.
fn spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let median = match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    };
    (
        values.first().copied().unwrap_or(0.0),
        median,
        values.last().copied().unwrap_or(0.0),
    )
}

/// One sync line's figures.
struct Figure {
    per_second: f64,
    cpu_micros: f64,
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
    id: shared::ids::DeviceId,
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
) -> Figure {
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
    Figure {
        per_second: count as f64 / elapsed.as_secs_f64(),
        cpu_micros: cpu / count as f64 * 1e6,
    }
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
                        device_id: device.id,
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
                device_id: device.id,
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
