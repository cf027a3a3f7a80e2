//! The bench's retention run: `values` expiring values (demo records collected long
//! ago, every answer due), erased by one run; the run's time, values per second, the
//! server's CPU per value and its peak memory during the run.

use std::time::{Duration, Instant};

use consentry_tests::{
    consent::{demo_answers, Choices},
    sync::{register_device, signed_record},
    Session,
};
use shared::api::{
    forms::VersionDetail,
    retention::{RunReport, RunStatus, RunSummary},
    sync::SyncBatch,
};

use super::{cpu_seconds, imports::Sampler, limits::thousands};

const DAY_MS: i64 = 86_400_000;

pub async fn retention(
    http: &reqwest::Client,
    base: &str,
    db_url: &str,
    version: &VersionDetail,
    pid: u32,
    first_admin_password: &str,
    values: usize,
) -> String {
    let per_record = demo_answers().len();
    let records = values.div_ceil(per_record);
    println!(
        "\n== retention: {} expiring values ({records} records of {per_record} values), one run",
        records * per_record
    );
    consentry_tests::process::add_staff(db_url, "bench-retention", "bench staff passphrase").await;
    let staff = Session::sign_in(http, base, "bench-retention", "bench staff passphrase")
        .await
        .unwrap();
    let (device, key) = register_device(&staff, "bench phone").await;
    let answers = demo_answers();
    let all: Vec<_> = (1..=records)
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
    for chunk in all.chunks(1_000) {
        let batch = SyncBatch {
            device_id: device.id,
            records: chunk.to_vec(),
        };
        let r = staff.post("/sync").json(&batch).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    // Collected 2,000 days ago: every value is due.
    let db = consentry_server::store::Db::connect(db_url).await.unwrap();
    sqlx::query(&format!(
        "UPDATE records SET created_at_ms = created_at_ms - {}, retention_due_at_ms = NULL \
         WHERE collected_by = (SELECT id FROM users WHERE username = 'bench-retention')",
        2000 * DAY_MS
    ))
    .execute(db.pool())
    .await
    .unwrap();
    db.close().await;

    let admin = super::export::admin(http, base, first_admin_password).await;
    let sampler = Sampler::start(pid);
    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    let run: RunSummary = admin
        .post("/retention/runs")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let report = loop {
        let report: RunReport = admin
            .get(&format!("/retention/runs/{}", run.id))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if report.summary.status == RunStatus::Done {
            break report;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds(pid) - cpu_before;
    let (rss_peak, anon_peak) = sampler.stop().await;
    let processed = report.summary.deleted + report.summary.anonymised;
    println!(
        "run:                {processed} values of {} records in {elapsed:.1} s: {:.0} values/s ({:.0} records/s)",
        report.summary.records,
        processed as f64 / elapsed,
        report.summary.records as f64 / elapsed
    );
    println!(
        "server CPU:         {:.0} µs per value, {:.2} ms per record",
        cpu / processed.max(1) as f64 * 1e6,
        cpu / report.summary.records.max(1) as f64 * 1e3
    );
    println!(
        "server memory:      peak {:.0} MiB resident ({:.0} MiB heap) during the run",
        rss_peak as f64 / 1024.0,
        anon_peak as f64 / 1024.0
    );
    format!(
        "## Retention\n\nOne retention run over {} expiring values ({} records of the demo form \
         collected 2,000 days ago, synced first), until its report says done; the server's \
         resident memory sampled every 20 ms.\n\n\
         | values | records | run time | values/s | server CPU per value | peak memory (heap) |\n\
         |---:|---:|---:|---:|---:|---:|\n\
         | {} | {} | {elapsed:.1} s | {} | {:.0} µs | {:.0} MiB ({:.0} MiB) |\n",
        thousands(processed as f64),
        thousands(report.summary.records as f64),
        thousands(processed as f64),
        thousands(report.summary.records as f64),
        thousands(processed as f64 / elapsed),
        cpu / processed.max(1) as f64 * 1e6,
        rss_peak as f64 / 1024.0,
        anon_peak as f64 / 1024.0
    )
}
