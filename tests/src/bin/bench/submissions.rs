//! The bench's customer submissions, one per request, the full path: distinct signed
//! submissions of the demo form posted by `wrk` (a C load generator, far lighter than a
//! Rust HTTP client on a machine whose cores the server needs) with 1 and then 16
//! connections, to a server on SQLite and to one on PostgreSQL: submissions per second
//! (from the stored records' times), latency p50/p99, the server's CPU and the whole
//! machine's per submission, and the fraction of the ceiling [`Model`] gives.

use std::{io::Write as _, path::Path};

use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    process::{free_port, Launch, ProcessDatabase, ServerProcess},
    Backend,
};
use shared::api::forms::VersionDetail;

use super::{
    cpu_seconds,
    limits::{thousands, Durable, Limits},
    machine_cpu_seconds,
    model::Model,
};

/// Concurrent clients of each run.
const CLIENTS: [usize; 2] = [1, 16];

/// A server under test.
pub struct Target<'a> {
    pub database: &'static str,
    pub base: &'a str,
    pub pid: u32,
    pub db_url: &'a str,
    pub version: &'a VersionDetail,
    pub durable: &'a Durable,
}

/// One run's figures.
struct Run {
    clients: usize,
    per_second: f64,
    stored: i64,
    p50: String,
    p99: String,
    server_cpu: f64,
    machine_cpu: f64,
    ceiling: f64,
    binding: &'static str,
    note: String,
}

/// Runs the submissions on the SQLite server given, then on a PostgreSQL server of its
/// own (if PostgreSQL was measured); the section of the report. `bodies` is how many
/// submissions are prepared for 16 clients (a quarter of that for one), `seconds` the
/// longest a run lasts.
pub async fn submissions(
    sqlite: &Target<'_>,
    bin: &Path,
    limits: &Limits,
    model: &Model,
    bodies: usize,
    seconds: u32,
) -> String {
    let mut section = String::from("## Customer submissions\n\n");
    section.push_str(&format!(
        "One signed submission of the demo form per request (`POST /api/v1/public/forms/{{id}}/submissions`, \
         every check, seal, countersignature and the commit), each distinct, posted by `wrk` with \
         1 and 16 connections for at most {seconds} s ({} and {} submissions prepared). Rate from the \
         stored records' receive times; CPU from /proc: the server process, and the whole machine \
         (with `wrk`, on PostgreSQL the database, and anything else running then). Ceiling and fraction as in the method.\n\n",
        thousands((bodies / 4) as f64),
        thousands(bodies as f64)
    ));
    section.push_str(
        "| database | clients | submissions/s | p50 | p99 | server CPU per submission | machine CPU per submission | ceiling (binding) | fraction |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    if std::process::Command::new("wrk")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("\n== customer submissions: skipped, wrk is not installed (apt-get install wrk)");
        section.push_str("| (skipped: `wrk` is not installed) |||||||||\n");
        return section;
    }
    let mut runs = Vec::new();
    for clients in CLIENTS {
        runs.push((
            "SQLite",
            run(sqlite, limits, model, clients, bodies, seconds).await,
        ));
    }
    match &limits.postgres {
        Ok(durable) => {
            let data = tempfile::tempdir().unwrap();
            let database = ProcessDatabase::create(Backend::Postgres, data.path()).await;
            let server = ServerProcess::launch(&Launch {
                binary: bin,
                data_dir: data.path(),
                database_url: database.server_url(),
                port: free_port(),
                first_start: true,
                log: "warn",
                log_file: None,
                retention_at: None,
                static_dir: None,
            });
            let version = server.demo_version().await;
            let target = Target {
                database: "PostgreSQL",
                base: &server.address,
                pid: server.pid(),
                db_url: &database.url,
                version: &version,
                durable,
            };
            for clients in CLIENTS {
                runs.push((
                    "PostgreSQL",
                    run(&target, limits, model, clients, bodies, seconds).await,
                ));
            }
            drop(server);
        }
        Err(why) => {
            println!("\n== customer submissions on PostgreSQL: skipped ({why})");
            section.push_str(&format!("| PostgreSQL | skipped: {why} ||||||||\n"));
        }
    }
    for (database, r) in &runs {
        section.push_str(&format!(
            "| {database} | {} | {} | {} | {} | {} µs | {} µs | {} ({}) | {:.0}% |\n",
            r.clients,
            thousands(r.per_second),
            r.p50,
            r.p99,
            thousands(r.server_cpu * 1e6),
            thousands(r.machine_cpu * 1e6),
            thousands(r.ceiling),
            r.binding,
            r.per_second / r.ceiling * 100.0
        ));
    }
    let notes: Vec<&str> = runs
        .iter()
        .map(|(_, r)| r.note.as_str())
        .filter(|n| !n.is_empty())
        .collect();
    if !notes.is_empty() {
        section.push('\n');
        for note in notes {
            section.push_str(&format!("- {note}\n"));
        }
    }
    section
}

/// Writes `count` distinct signed submissions, one JSON per line, to `path`, signed on
/// every core.
fn prepare(version: &VersionDetail, count: usize, path: &Path) {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let answers = demo_answers();
    let parts: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..cores)
            .map(|c| {
                let answers = &answers;
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for _ in (c..count).step_by(cores) {
                        let req = signed_submission(
                            version,
                            answers,
                            &Choices::all_demo(),
                            &new_key(),
                            &uuid::Uuid::now_v7().to_string(),
                        );
                        serde_json::to_writer(&mut out, &req).unwrap();
                        out.push(b'\n');
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for part in parts {
        file.write_all(&part).unwrap();
    }
}

/// The `wrk` script: each thread posts its share of the prepared bodies once, then
/// stops.
const SCRIPT: &str = r#"local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  bodies = {}
  local n = 0
  local threads = tonumber(args[2])
  for line in io.lines(args[1]) do
    if n % threads == id then table.insert(bodies, line) end
    n = n + 1
  end
  sent = 0
  answered = 0
  headers = {["Content-Type"] = "application/json"}
end
function request()
  sent = sent + 1
  -- Past the end (requests already in flight when the last answer comes): the first
  -- body again, a replay.
  local body = bodies[sent] or bodies[1]
  return wrk.format("POST", args_path, headers, body)
end
function response(status, headers, body)
  answered = answered + 1
  if answered >= #bodies then wrk.thread:stop() end
end
"#;

/// A time as `wrk` prints it (`950.00us`, `1.21ms`, `1.02s`), in milliseconds.
fn milliseconds(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    match unit {
        "us" => Some(number / 1e3),
        "ms" => Some(number),
        "s" => Some(number * 1e3),
        "m" => Some(number * 60e3),
        _ => None,
    }
}

/// One run of `clients` connections against `target`.
async fn run(
    target: &Target<'_>,
    limits: &Limits,
    model: &Model,
    clients: usize,
    bodies: usize,
    seconds: u32,
) -> Run {
    let count = if clients == 1 { bodies / 4 } else { bodies };
    let threads = clients.min(2);
    println!(
        "\n== customer submissions on {}: {clients} client{} for at most {seconds} s ({count} distinct signed submissions prepared)",
        target.database,
        if clients == 1 { "" } else { "s" }
    );
    let dir = tempfile::tempdir().unwrap();
    let bodies_file = dir.path().join("bodies.jsonl");
    prepare(target.version, count, &bodies_file);
    let script = dir.path().join("submit.lua");
    let path = format!(
        "/api/v1/public/forms/{}/submissions",
        target.version.form_id
    );
    std::fs::write(&script, SCRIPT.replace("args_path", &format!("{path:?}"))).unwrap();
    let db = consentry_server::store::Db::connect(target.db_url)
        .await
        .unwrap();
    let since = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let cpu_before = cpu_seconds(target.pid);
    let machine_before = machine_cpu_seconds();
    let out = std::process::Command::new("wrk")
        .arg(format!("-t{threads}"))
        .arg(format!("-c{clients}"))
        .arg(format!("-d{seconds}s"))
        .args(["--timeout", "10s", "--latency", "-s"])
        .arg(&script)
        .arg(target.base)
        .arg("--")
        .arg(&bodies_file)
        .arg(threads.to_string())
        .output()
        .unwrap();
    let server_cpu = cpu_seconds(target.pid) - cpu_before;
    let machine_cpu = machine_cpu_seconds() - machine_before;
    let row: (i64, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(created_at_ms), MAX(created_at_ms) FROM records WHERE created_at_ms >= $1",
    )
    .bind(since)
    .fetch_one(db.pool())
    .await
    .unwrap();
    db.close().await;
    let (stored, first, last) = (row.0, row.1.unwrap_or(0), row.2.unwrap_or(0));
    let per_second = (stored - 1).max(0) as f64 / ((last - first).max(1) as f64 / 1e3);
    let report = String::from_utf8_lossy(&out.stdout);
    let latency = |prefix: &str| {
        report
            .lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(milliseconds)
            .map_or_else(|| "?".to_owned(), |ms| format!("{ms:.2} ms"))
    };
    let mut note = String::new();
    if let Some(line) = report
        .lines()
        .find(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
    {
        note = format!(
            "{} {clients} client(s): wrk reported `{}`",
            target.database,
            line.trim()
        );
    }
    if !out.status.success() {
        note = format!(
            "{} {clients} client(s): wrk failed: {}",
            target.database,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let (ceiling, binding) =
        model.submission_ceiling(limits, clients, target.durable.commits, target.durable.rows);
    let stored_f = stored.max(1) as f64;
    let result = Run {
        clients,
        per_second,
        stored,
        p50: latency("50%"),
        p99: latency("99%"),
        server_cpu: server_cpu / stored_f,
        machine_cpu: machine_cpu / stored_f,
        ceiling,
        binding,
        note,
    };
    println!(
        "stored:             {} submissions, {}/s; latency p50 {}, p99 {}",
        result.stored,
        thousands(result.per_second),
        result.p50,
        result.p99
    );
    println!(
        "CPU:                server {:.0} µs per submission, machine {:.0} µs",
        result.server_cpu * 1e6,
        result.machine_cpu * 1e6
    );
    println!(
        "of the ceiling:     {:.0}% of {}/s ({})",
        result.per_second / ceiling * 100.0,
        thousands(ceiling),
        binding
    );
    if !result.note.is_empty() {
        println!("note:               {}", result.note);
    }
    result
}
