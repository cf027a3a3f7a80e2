//! The bench's export: `records` demo records collected on a staff device, then a
//! masked CSV and a masked XLSX export of the demo form by an admin, each downloaded as
//! it streams: rows per second, the server's CPU per row, and the server's peak
//! resident memory while it wrote the file beside its resident memory before (the file
//! itself is never held); then the time to trace the whole CSV back to its export.

use std::time::Instant;

use consentry_tests::{
    consent::{demo_answers, Choices},
    sync::{register_device, signed_record},
    Session, ADMIN_PASSWORD,
};
use shared::api::{
    auth::ChangePasswordRequest,
    exports::{ExportEntry, ExportStatus},
    forms::VersionDetail,
    sync::SyncBatch,
};

use super::{cpu_seconds, limits::thousands};

/// A value of `/proc/<pid>/status` in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The admin's session, changing the generated first password if no earlier part of the
/// bench did.
pub async fn admin(http: &reqwest::Client, base: &str, first_password: &str) -> Session {
    if let Ok(admin) = Session::sign_in(http, base, "admin", ADMIN_PASSWORD).await {
        return admin;
    }
    let first = Session::sign_in(http, base, "admin", first_password)
        .await
        .unwrap();
    first
        .post("/auth/password")
        .json(&ChangePasswordRequest {
            current_password: first_password.to_owned(),
            new_password: ADMIN_PASSWORD.into(),
        })
        .send()
        .await
        .unwrap();
    Session::sign_in(http, base, "admin", ADMIN_PASSWORD)
        .await
        .unwrap()
}

pub async fn export(
    http: &reqwest::Client,
    base: &str,
    db_url: &str,
    version: &VersionDetail,
    pid: u32,
    first_admin_password: &str,
    records: usize,
) -> String {
    println!(
        "\n== export: {records} more records collected, then a CSV and an XLSX export of the form"
    );
    consentry_tests::process::add_staff(db_url, "bench-export", "bench staff passphrase").await;
    let staff = Session::sign_in(http, base, "bench-export", "bench staff passphrase")
        .await
        .unwrap();
    let (device, key) = register_device(&staff, "bench tablet").await;
    let answers = demo_answers();
    for start in (1..=records).step_by(1_000) {
        let batch = SyncBatch {
            device_id: device.id,
            records: (start..(start + 1_000).min(records + 1))
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
                .collect(),
        };
        let r = staff.post("/sync").json(&batch).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    let admin = admin(http, base, first_admin_password).await;
    // A first export of 100,000 rows is exactly what the alert rules hold for an
    // admin's approval; the bench measures the file, so it turns them off.
    let r = admin
        .put("/alerts/settings")
        .json(&shared::api::alerts::AlertSettings {
            history_multiplier: 0,
            daily_row_limit: 0,
            work_start_hour: 0,
            work_end_hour: 0,
            suspend_on: Vec::new(),
            ..shared::api::alerts::AlertSettings::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut section = format!(
        "## Exports\n\n{} more demo records synced, then a masked CSV and a masked XLSX export \
         of the demo form by an admin, each downloaded as it streams; the server's heap (anonymous \
         resident memory) sampled every 20 ms while it writes; then the whole CSV traced back to \
         its export.\n\n\
         | format | rows | size | time | rows/s | server CPU per row | heap before → peak |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
        thousands(records as f64)
    );
    let (csv, row) = measured(&admin, version, pid, "csv").await;
    section.push_str(&row);
    let (_, row) = measured(&admin, version, pid, "xlsx").await;
    section.push_str(&row);
    // Tracing the whole leaked CSV back to its export.
    let started = Instant::now();
    let r = admin
        .post("/exports/trace")
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let report: shared::api::exports::TraceReport = r.json().await.unwrap();
    println!(
        "trace the CSV:      {} rows read, {} export named, in {:.1} s",
        report.rows_read,
        report.matches.len(),
        started.elapsed().as_secs_f64()
    );
    section.push_str(&format!(
        "\nTracing the whole CSV back to its export: {} rows read in {:.1} s.\n",
        thousands(report.rows_read as f64),
        started.elapsed().as_secs_f64()
    ));
    section
}

/// One export of the form in `format`, downloaded as it streams, with the server's
/// time, CPU and memory; the file's bytes and the report's table row.
async fn measured(
    admin: &Session,
    version: &VersionDetail,
    pid: u32,
    format: &str,
) -> (Vec<u8>, String) {
    let entry: ExportEntry = admin
        .post("/exports")
        .json(&serde_json::json!({
            "form_id": version.form_id, "format": format, "locale": "en"
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(entry.status, ExportStatus::Ready);
    // The heap (anonymous memory) is what the server itself holds; the resident total
    // also counts the pages of the SQLite file its readers map (`mmap_size`), which
    // the kernel drops under pressure. Both are sampled every 20 ms while it exports.
    let anon_before = status_kib(pid, "RssAnon:");
    let file_before = status_kib(pid, "RssFile:");
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let (mut anon, mut file) = (0, 0);
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                anon = anon.max(status_kib(pid, "RssAnon:"));
                file = file.max(status_kib(pid, "RssFile:"));
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            (anon, file)
        })
    };
    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    let mut response = admin
        .get(entry.download_path.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut file = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        file.extend_from_slice(&chunk);
    }
    let bytes = file.len();
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds(pid) - cpu_before;
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let (anon_peak, file_peak) = sampler.await.unwrap();
    let rows = usize::try_from(entry.rows).unwrap_or(0);
    println!(
        "export {format:<4}:        {rows} rows ({:.1} MB) in {elapsed:.1} s: {:.0} rows/s",
        bytes as f64 / 1e6,
        rows as f64 / elapsed
    );
    println!(
        "server CPU:         {:.0} µs per row",
        cpu / rows.max(1) as f64 * 1e6
    );
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "server heap:        {:.0} MiB before, {:.0} MiB at most while exporting (the file: {:.0} MiB)",
        mib(anon_before),
        mib(anon_peak),
        bytes as f64 / 1048576.0
    );
    println!(
        "database mapped:    {:.0} MiB before, {:.0} MiB at most (pages of the SQLite file, not held by the server)",
        mib(file_before),
        mib(file_peak)
    );
    let row = format!(
        "| {} | {} | {:.1} MB | {elapsed:.1} s | {} | {:.0} µs | {:.0} → {:.0} MiB |\n",
        format.to_uppercase(),
        thousands(rows as f64),
        bytes as f64 / 1e6,
        thousands(rows as f64 / elapsed),
        cpu / rows.max(1) as f64 * 1e6,
        mib(anon_before),
        mib(anon_peak)
    );
    (file, row)
}
