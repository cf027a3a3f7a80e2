//! The bench's imports: a file of `rows` distinct, valid new people for the demo form
//! (name, mobile, e-mail, resident ID number, date of birth), as a CSV and as an XLSX
//! workbook, each previewed and then imported by an admin on a fresh server (so that
//! the second file is new to its database too): the time and rows per second of the
//! preview and of the commit, the server's CPU per row, and the server's peak resident
//! memory during each beside its memory before and after.

use std::{
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use consentry_tests::{process::ServerProcess, Session};
use serde_json::json;
use shared::api::imports::{ImportEntry, ImportPreview};

use super::{cpu_seconds, limits::thousands};

/// The columns of the file, header first, and the fields they go to.
const HEADERS: [&str; 5] = ["姓名", "手机号", "电子邮箱", "身份证号码", "出生日期"];
const MAPPING: [&str; 5] = [
    "full_name",
    "mobile",
    "email",
    "resident_id",
    "date_of_birth",
];

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

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The file's rows, header first: person `i` has the mobile 13 and `i` in nine digits,
/// the e-mail member`i`@example.com, and a resident ID number born on day `i / 1000`
/// after 1950-01-01 with `i % 1000` as its sequence, with its check character.
fn people(rows: usize) -> Vec<Vec<String>> {
    const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
    const GIVEN: [&str; 12] = [
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军",
    ];
    const REGIONS: [&str; 5] = ["110105", "310104", "440305", "330106", "510107"];
    let first_birthday = time::macros::date!(1950 - 01 - 01);
    let mut out = Vec::with_capacity(rows + 1);
    out.push(HEADERS.map(str::to_owned).to_vec());
    for i in 0..rows {
        let born = first_birthday + time::Duration::days(i64::try_from(i / 1000).unwrap());
        let (y, m, d) = (born.year(), u8::from(born.month()), born.day());
        let first17 = format!(
            "{}{y:04}{m:02}{d:02}{:03}",
            REGIONS[i % REGIONS.len()],
            i % 1000
        );
        let check = shared::schema::check_character(&first17).unwrap();
        out.push(vec![
            format!(
                "{}{}{}",
                SURNAMES[i % SURNAMES.len()],
                GIVEN[(i / SURNAMES.len()) % GIVEN.len()],
                GIVEN[(i / (SURNAMES.len() * GIVEN.len())) % GIVEN.len()]
            ),
            format!("13{:09}", i % 1_000_000_000),
            format!("member{i}@example.com"),
            format!("{first17}{check}"),
            format!("{y:04}-{m:02}-{d:02}"),
        ]);
    }
    out
}

/// The server's resident memory (all of it, and its heap) sampled every 20 ms from
/// /proc until stopped: the peaks.
pub(super) struct Sampler {
    running: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<(u64, u64)>,
}

impl Sampler {
    pub(super) fn start(pid: u32) -> Self {
        let running = Arc::new(AtomicBool::new(true));
        let task = {
            let running = running.clone();
            tokio::spawn(async move {
                let (mut rss, mut anon) = (0, 0);
                while running.load(Ordering::Relaxed) {
                    rss = rss.max(status_kib(pid, "VmRSS:"));
                    anon = anon.max(status_kib(pid, "RssAnon:"));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                (rss, anon)
            })
        };
        Self { running, task }
    }

    pub(super) async fn stop(self) -> (u64, u64) {
        self.running.store(false, Ordering::Relaxed);
        self.task.await.unwrap()
    }
}

/// One step (preview or commit) as measured.
struct Step {
    seconds: f64,
    cpu: f64,
    rss_before: u64,
    rss_peak: u64,
    anon_peak: u64,
    rss_after: u64,
}

impl Step {
    fn memory(&self, name: &str) -> String {
        format!(
            "{name} {:.0} → peak {:.0} (heap {:.0}) → {:.0}",
            mib(self.rss_before),
            mib(self.rss_peak),
            mib(self.anon_peak),
            mib(self.rss_after)
        )
    }
}

fn upload(request: &serde_json::Value, file: &[u8], name: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .part(
            "request",
            reqwest::multipart::Part::text(request.to_string())
                .mime_str("application/json")
                .unwrap(),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(file.to_vec()).file_name(name.to_owned()),
        )
}

/// Posts the file to `path` and measures the server meanwhile; the answer's body.
async fn measured(
    admin: &Session,
    pid: u32,
    path: &str,
    form: reqwest::multipart::Form,
    expected: u16,
    log: &Path,
) -> (Step, bytes::Bytes) {
    let rss_before = status_kib(pid, "VmRSS:");
    let sampler = Sampler::start(pid);
    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    let response = admin.post(path).multipart(form).send().await.unwrap();
    let status = response.status();
    let body = response.bytes().await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds(pid) - cpu_before;
    let (rss_peak, anon_peak) = sampler.stop().await;
    if status.as_u16() != expected {
        let log = std::fs::read_to_string(log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        panic!(
            "POST {path}: {status} after {seconds:.1} s: {}\nserver log (last lines):\n{}",
            String::from_utf8_lossy(&body),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let step = Step {
        seconds,
        cpu,
        rss_before,
        rss_peak,
        anon_peak,
        rss_after: status_kib(pid, "VmRSS:"),
    };
    (step, body)
}

/// Previews and imports `file` into a fresh server.
async fn one_file(
    http: &reqwest::Client,
    bin: &Path,
    label: &str,
    file: &[u8],
    file_name: &str,
    rows: usize,
) -> String {
    let data = tempfile::tempdir().unwrap();
    let log = data.path().join("server.log");
    let server = ServerProcess::start_logging(
        bin,
        data.path(),
        consentry_tests::process::free_port(),
        true,
        "warn",
        Some(&log),
    );
    let pid = server.pid();
    let base = server.address.clone();
    let form_id = server.demo_form_id.clone().unwrap();
    let admin = super::export::admin(
        http,
        &base,
        server.admin_password.as_deref().unwrap_or_default(),
    )
    .await;
    let request = json!({ "form_id": form_id, "mapping": MAPPING });
    let (preview, body) = measured(
        &admin,
        pid,
        "/imports/preview",
        upload(&request, file, file_name),
        200,
        &log,
    )
    .await;
    let p: ImportPreview = serde_json::from_slice(&body).unwrap();
    let commit_request = json!({
        "form_id": form_id,
        "mapping": MAPPING,
        "basis": {"basis": "consent", "purposes": ["membership_service"], "evidence": "bench"},
        "on_problems": "skip",
        "file_name": file_name,
    });
    let (commit, body) = measured(
        &admin,
        pid,
        "/imports",
        upload(&commit_request, file, file_name),
        201,
        &log,
    )
    .await;
    let entry: ImportEntry = serde_json::from_slice(&body).unwrap();
    let high_water = status_kib(pid, "VmHWM:");
    drop(server);
    println!(
        "imports: {label} {rows} rows ({:.1} MB): preview {:.1} s ({} rows/s), commit {:.1} s ({} rows/s), peak RSS {:.0} MiB",
        file.len() as f64 / 1e6,
        preview.seconds,
        thousands(rows as f64 / preview.seconds),
        commit.seconds,
        thousands(rows as f64 / commit.seconds),
        mib(preview.rss_peak.max(commit.rss_peak).max(high_water))
    );
    if p.valid != rows as u64 || entry.imported != rows as u64 {
        println!(
            "note:               the preview found {} valid, {} invalid, {} duplicates in the file, {} already stored of {}; {} imported (first problems: {:?})",
            p.valid,
            p.invalid,
            p.duplicate_in_file,
            p.already_stored,
            p.rows_total,
            entry.imported,
            p.problems.iter().take(3).collect::<Vec<_>>()
        );
    }
    println!(
        "server CPU:         preview {:.0} µs per row, commit {:.0} µs per row",
        preview.cpu / rows as f64 * 1e6,
        commit.cpu / rows as f64 * 1e6
    );
    println!(
        "server memory MiB:  {}; {}; high-water mark {:.0}",
        preview.memory("preview"),
        commit.memory("commit"),
        mib(high_water)
    );
    format!(
        "| {label} | {} | {:.1} MB | {:.1} s, {} rows/s | {:.1} s, {} rows/s | {:.0} µs, {:.0} µs | {:.0} MiB |\n",
        thousands(entry.imported as f64),
        file.len() as f64 / 1e6,
        preview.seconds,
        thousands(rows as f64 / preview.seconds),
        commit.seconds,
        thousands(rows as f64 / commit.seconds),
        preview.cpu / rows as f64 * 1e6,
        commit.cpu / rows as f64 * 1e6,
        mib(preview.rss_peak.max(commit.rss_peak).max(high_water))
    )
}

pub async fn imports(http: &reqwest::Client, bin: &Path, rows: usize) -> String {
    println!(
        "\n== imports: {rows} new people for the demo form, previewed then imported, from a CSV and from an XLSX (each into a fresh server)"
    );
    let table = people(rows);
    let csv = consentry_server::spreadsheet::write_table(&table, None).unwrap();
    let xlsx = consentry_server::spreadsheet::write_table(&table, Some("客户")).unwrap();
    drop(table);
    let mut section = format!(
        "## Imports\n\n{} new people for the demo form (name, mobile, e-mail, resident ID, date of \
         birth), previewed then imported by an admin, from a CSV and from an XLSX workbook, each \
         into a fresh server; memory is the server's peak resident set (sampled every 20 ms, and \
         its high-water mark).\n\n\
         | file | rows imported | size | preview | commit | server CPU per row (preview, commit) | peak memory |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
        thousands(rows as f64)
    );
    section.push_str(&one_file(http, bin, "CSV", &csv, "bench.csv", rows).await);
    drop(csv);
    section.push_str(&one_file(http, bin, "XLSX", &xlsx, "bench.xlsx", rows).await);
    section
}
