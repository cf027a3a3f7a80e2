//! The bench's staff sync: one device's signed records in batches of 100 and of 1,000,
//! first syncs and replays, then edits; records per second and server CPU per record
//! beside the ceiling of [`Model`].

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

use super::{
    context_switches, cpu_seconds,
    limits::{thousands, Limits},
    model::Model,
    CpuMark,
};

/// Records per request of each pass.
const BATCHES: [usize; 2] = [100, 1_000];

/// Syncs `total` records from one device in batches of each size of [`BATCHES`], first
/// time and replayed, then edits 1,000 of them; the section of the report, with the
/// ceilings of `model` on this machine's `limits`.
pub async fn sync(
    http: &reqwest::Client,
    base: &str,
    db_url: &str,
    version: &VersionDetail,
    pid: u32,
    total: usize,
    (limits, model): (&Limits, &Model),
) -> String {
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
    let mut figures: Vec<((usize, &str), Vec<Figure>)> = Vec::new();
    let mut edits = None;
    for round in 1..=rounds {
        for batch in BATCHES {
            let of_rounds = if rounds > 1 {
                format!(", round {round} of {rounds}")
            } else {
                String::new()
            };
            println!(
                "\n== staff sync: {total} records in batches of {batch} from one device{of_rounds}"
            );
            let (device, batches) = staff.device_batches(version, total, batch).await;
            let sent: Vec<SentBatch> = batches
                .iter()
                .map(|b| SentBatch {
                    body: b.body.clone(),
                    uuids: b.records.iter().map(|r| r.uuid.clone()).collect(),
                })
                .collect();
            let parts = [("first sync", true), ("replay", false)];
            for (label, expect_new) in parts.into_iter().take(if first_only { 1 } else { 2 }) {
                let cpu_before = CpuMark::now(pid);
                let started = Instant::now();
                for b in &sent {
                    staff.post_batch(b, label, expect_new).await;
                }
                let figure =
                    report(label, total, "record", started.elapsed(), pid, cpu_before).await;
                match figures.iter_mut().find(|(k, _)| *k == (batch, label)) {
                    Some((_, all)) => all.push(figure),
                    None => figures.push(((batch, label), vec![figure])),
                }
            }
            if batch == 1_000 && round == 1 && !first_only {
                edits = Some(staff.edit_round(version, pid, &(device, batches)).await);
            }
        }
    }
    if rounds > 1 {
        println!("\n== staff sync over {rounds} rounds: median (lowest-highest)");
        for ((batch, label), all) in &figures {
            let rates = spread(all.iter().map(|f| f.per_second).collect());
            let cpu = spread(all.iter().map(|f| f.cpu_micros).collect());
            println!(
                "{label:<10} of {batch:>5}: {:.0} records/s ({:.0}-{:.0}), server CPU {:.0} µs per record ({:.0}-{:.0})",
                rates.1, rates.0, rates.2, cpu.1, cpu.0, cpu.2
            );
        }
    }
    section(&figures, edits, total, rounds, limits, model)
}

/// The report's section: each pass's median figures beside its ceiling.
fn section(
    figures: &[((usize, &str), Vec<Figure>)],
    edits: Option<Figure>,
    total: usize,
    rounds: usize,
    limits: &Limits,
    model: &Model,
) -> String {
    let (first_ceiling, first_binding) = model.sync_ceiling(limits);
    let replay_ceiling = model.cpu_ceiling(&model.replay, limits);
    let mut out = format!(
        "## Staff sync\n\n{} records of the demo form signed on one device, posted in batches of 100 \
         and of 1,000 (one request at a time), first time and replayed{}; then 1,000 of them edited in \
         one batch. Server CPU from /proc, read 1.5 s after the last answer so the WAL \
         checkpoint is counted. First sync: ceiling = min(CPU, SQLite's rows/s in 1,000-row \
         transactions ÷ {} rows per record); replay: CPU (nothing is written).\n\n\
         | batch | pass | records/s | server CPU per record | ceiling (binding) | fraction |\n\
         |---:|---|---:|---:|---:|---:|\n",
        thousands(total as f64),
        if rounds > 1 {
            format!(" ({rounds} rounds: medians)")
        } else {
            String::new()
        },
        model.sync.rows
    );
    for ((batch, label), all) in figures {
        let rate = spread(all.iter().map(|f| f.per_second).collect()).1;
        let cpu = spread(all.iter().map(|f| f.cpu_micros).collect()).1;
        let (ceiling, binding) = if *label == "replay" {
            (replay_ceiling, "CPU")
        } else {
            (first_ceiling, first_binding)
        };
        out.push_str(&format!(
            "| {} | {label} | {} | {} µs | {} ({binding}) | {:.0}% |\n",
            thousands(*batch as f64),
            thousands(rate),
            thousands(cpu),
            thousands(ceiling),
            rate / ceiling * 100.0
        ));
    }
    if let Some(e) = edits {
        out.push_str(&format!(
            "| 1,000 | edits | {} | {} µs | — | — |\n",
            thousands(e.per_second),
            thousands(e.cpu_micros)
        ));
    }
    out
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

    /// Registers a device and signs `count` records on it, in request bodies of `size`.
    async fn device_batches(
        &self,
        version: &VersionDetail,
        count: usize,
        size: usize,
    ) -> (BenchDevice, Vec<SignedBatch>) {
        let (device, key) = register_device_with(self.post("/devices"), "bench").await;
        let answers = demo_answers();
        let batches = (0..count.div_ceil(size))
            .map(|b| {
                let records: Vec<SyncRecord> = (0..size.min(count - b * size))
                    .map(|i| {
                        signed_record(
                            version,
                            &answers,
                            &Choices::all_demo(),
                            &device.id,
                            &key,
                            (b * size + i + 1) as i64,
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
    ) -> Figure {
        let (device, batches) = signed;
        let first = &batches[0];
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
        report("edits", count, "edit", started.elapsed(), pid, cpu_before).await
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
