//! Replay storm (issue #18): devices resend their whole corpus, already stored, many
//! times over while fresh records arrive. Replays are answered `already_stored` with
//! the receipt first given and write nothing: the storm changes every table by exactly
//! what the same amount of fresh traffic alone changed it, so no row and no audit entry
//! comes from a replay.
//!
//! The fresh traffic's latency alone and under the storm is printed, never asserted
//! (benchmarks measure; tests do not time). Sized by `REPLAY_CORPUS` (records stored
//! first, default 600), `REPLAY_ROUNDS` (times the corpus is resent, 3), `REPLAY_FRESH`
//! (fresh records in each phase, 200) and `REPLAY_CLIENTS` (3);
//! `scripts/reliability.sh` runs it at scale.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use consentry_tests::{
    consent::{demo_answers, Choices},
    story,
    sync::{post_sync, register_device, signed_record},
    Backend, TestApp,
};
use shared::api::{
    auth::Role,
    forms::VersionDetail,
    sync::{SyncBatch, SyncRecord, SyncStatus},
};

use crate::crash_storm::Device;

fn env_size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}"))
        })
        .unwrap_or(default)
}

/// Rows per table (signed heads left out: the server signs one on a timer).
pub(crate) async fn table_counts(app: &TestApp) -> BTreeMap<String, i64> {
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let list = match app.backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        }
    };
    let tables: Vec<String> = sqlx::query_scalar(list).fetch_all(db.pool()).await.unwrap();
    let mut counts = BTreeMap::new();
    for table in tables {
        if table == "audit_heads" {
            continue;
        }
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db.pool())
            .await
            .unwrap();
        counts.insert(table, n);
    }
    db.close().await;
    counts
}

fn delta(before: &BTreeMap<String, i64>, after: &BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    after
        .iter()
        .map(|(table, n)| (table.clone(), n - before.get(table).copied().unwrap_or(0)))
        .collect()
}

/// Signs `count` records on `device`, numbered from `first_seq`.
fn records(
    version: &VersionDetail,
    device: &Device,
    key: &ed25519_dalek::SigningKey,
    first_seq: usize,
    count: usize,
) -> Vec<SyncRecord> {
    let answers = demo_answers();
    (first_seq..first_seq + count)
        .map(|seq| {
            signed_record(
                version,
                &answers,
                &Choices::all_demo(),
                &device.id,
                key,
                i64::try_from(seq).unwrap(),
            )
        })
        .collect()
}

/// Sends fresh records in batches of ten, one request at a time, as a device coming
/// online does: each request's time.
async fn fresh_traffic(device: &Device, records: &[SyncRecord]) -> Vec<Duration> {
    let mut times = Vec::new();
    for chunk in records.chunks(10) {
        let batch = SyncBatch {
            device_id: device.id,
            records: chunk.to_vec(),
        };
        let start = Instant::now();
        let answer = post_sync(&device.session, &batch).await;
        times.push(start.elapsed());
        for result in answer.results {
            assert!(
                matches!(result.status, SyncStatus::Stored { .. }),
                "fresh record {}: {:?}",
                result.uuid,
                result.status
            );
        }
    }
    times
}

fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort_unstable();
    times
        .get((times.len() * p / 100).min(times.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

story!(replays_alongside_fresh_traffic_write_nothing, |app| {
    let corpus_size = env_size("REPLAY_CORPUS", 600);
    let rounds = env_size("REPLAY_ROUNDS", 3);
    let fresh_size = env_size("REPLAY_FRESH", 200);
    let clients = env_size("REPLAY_CLIENTS", 3).max(1);
    let version = app.demo_version().await;

    // Each device stores its share of the corpus and keeps the receipts it was given.
    let mut devices = Vec::new();
    for _ in 0..clients {
        let session = app.collector(Role::Staff).await;
        let (info, key) = register_device(&session, "phone").await;
        let mut device = Device {
            session,
            id: info.id,
            records: Vec::new(),
        };
        let corpus = records(&version, &device, &key, 1, corpus_size / clients);
        let mut receipts = BTreeMap::new();
        for chunk in corpus.chunks(500) {
            let batch = SyncBatch {
                device_id: device.id,
                records: chunk.to_vec(),
            };
            for result in post_sync(&device.session, &batch).await.results {
                let SyncStatus::Stored { receipt, .. } = result.status else {
                    panic!("corpus record {}: {:?}", result.uuid, result.status);
                };
                receipts.insert(result.uuid, receipt);
            }
        }
        device.records = corpus;
        let next = corpus_size / clients + 1;
        let alone = records(&version, &device, &key, next, fresh_size / clients);
        let stormy = records(
            &version,
            &device,
            &key,
            next + fresh_size / clients,
            fresh_size / clients,
        );
        devices.push((device, receipts, alone, stormy));
    }

    // Fresh traffic alone: what it changes.
    let before_alone = table_counts(&app).await;
    let mut alone_times = Vec::new();
    for (device, _, alone, _) in &devices {
        alone_times.extend(fresh_traffic(device, alone).await);
    }
    let after_alone = table_counts(&app).await;
    let fresh_alone = delta(&before_alone, &after_alone);

    // The same amount of fresh traffic under a storm of replays.
    let replays: Vec<_> = devices
        .iter()
        .map(|(device, receipts, _, _)| {
            let (device, receipts) = (device.clone(), receipts.clone());
            tokio::spawn(async move {
                let mut replayed = 0;
                for _ in 0..rounds {
                    for chunk in device.records.chunks(250) {
                        let batch = SyncBatch {
                            device_id: device.id,
                            records: chunk.to_vec(),
                        };
                        for result in post_sync(&device.session, &batch).await.results {
                            match result.status {
                                SyncStatus::AlreadyStored { receipt, .. } => {
                                    assert_eq!(
                                        Some(&receipt),
                                        receipts.get(&result.uuid),
                                        "a replay gets the receipt first given"
                                    );
                                }
                                other => panic!("replayed record {}: {other:?}", result.uuid),
                            }
                            replayed += 1;
                        }
                    }
                }
                replayed
            })
        })
        .collect();
    let mut storm_times = Vec::new();
    for (device, _, _, stormy) in &devices {
        storm_times.extend(fresh_traffic(device, stormy).await);
    }
    let mut replayed = 0;
    for replay in replays {
        replayed += replay.await.unwrap();
    }
    let after_storm = table_counts(&app).await;
    let fresh_in_storm = delta(&after_alone, &after_storm);
    assert_eq!(replayed, rounds * (corpus_size / clients) * clients);
    assert_eq!(
        fresh_in_storm, fresh_alone,
        "the storm wrote rows beyond its fresh records' (per table: with the storm, alone)"
    );
    assert_eq!(
        fresh_alone["records"],
        i64::try_from(fresh_size / clients * clients).unwrap()
    );
    assert_eq!(fresh_alone["audit_log"], fresh_alone["records"]);

    eprintln!(
        "replay storm on {:?}: {replayed} records replayed; fresh sync of 10 records: \
         alone p50 {:?} p95 {:?}, under the storm p50 {:?} p95 {:?}",
        app.backend,
        percentile(&mut alone_times, 50),
        percentile(&mut alone_times, 95),
        percentile(&mut storm_times, 50),
        percentile(&mut storm_times, 95),
    );
});
