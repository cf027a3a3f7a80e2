//! `BENCHMARKS.md`: the sections of a run in markdown, written over the file at the
//! repository's root at the end, with the date, the machine, the command and the method.

use std::{fmt::Write as _, path::Path, process::Command};

/// The sections gathered so far, in order.
#[derive(Default)]
pub struct Report {
    sections: Vec<String>,
}

impl Report {
    /// Adds a section (markdown with its own `##` heading); an empty one is skipped.
    pub fn add(&mut self, section: String) {
        if !section.trim().is_empty() {
            self.sections.push(section);
        }
    }

    /// Writes `BENCHMARKS.md`: the header, `method`, then every section.
    pub fn write(&self, data_dir: &Path, method: &str, started: time::OffsetDateTime) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md");
        let mut out = String::from("# Benchmarks\n\n");
        out.push_str(
            "Written by `scripts/bench.sh` (the `consentry-bench` binary, `tests/src/bin/bench.rs`) \
             at the end of each run; do not edit by hand. The figures are for the machine below \
             only; the fractions of that machine's own limits, measured in the same run, are what \
             compares between machines.\n\n",
        );
        let _ = writeln!(
            out,
            "- **Date:** {} UTC (run took {:.0} min)",
            started
                .format(time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]"
                ))
                .unwrap_or_default(),
            (time::OffsetDateTime::now_utc() - started).as_seconds_f64() / 60.0
        );
        for (name, value) in machine(data_dir) {
            let _ = writeln!(out, "- **{name}:** {value}");
        }
        let _ = writeln!(out, "- **Command:** `{}`", command());
        out.push_str("\n## Method\n\n");
        out.push_str(method);
        for section in &self.sections {
            out.push('\n');
            out.push_str(section);
        }
        match std::fs::write(&path, out) {
            Ok(()) => println!("\nwrote {}", path.display()),
            Err(e) => println!("\ncould not write {}: {e}", path.display()),
        }
    }
}

/// How this run was started, as one would type it again.
fn command() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let env: Vec<String> = std::env::vars()
        .filter(|(k, _)| {
            (k.starts_with("CONSENTRY_BENCH") && k != "CONSENTRY_BENCH_COMMAND")
                || k == "CONSENTRY_TEST_POSTGRES"
                || k == "CONSENTRY_BIN"
        })
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut parts = env;
    parts.push(
        std::env::var("CONSENTRY_BENCH_COMMAND").unwrap_or_else(|_| "consentry-bench".to_owned()),
    );
    parts.extend(args);
    parts.join(" ")
}

/// The machine: CPU model, cores, memory, kernel, OS, and the file system the databases
/// are on.
fn machine(data_dir: &Path) -> Vec<(&'static str, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or_else(|| "unknown".to_owned(), |(_, m)| m.trim().to_owned());
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(
            || "unknown".to_owned(),
            |kib| format!("{:.1} GiB", kib / 1048576.0),
        );
    let kernel = run("uname", &["-sr"]);
    let os = std::fs::read_to_string("/etc/os-release")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map_or_else(|| "unknown".to_owned(), |n| n.trim_matches('"').to_owned());
    let fs = run(
        "df",
        &["--output=fstype,source", &data_dir.display().to_string()],
    );
    let fs = fs.lines().nth(1).map_or_else(
        || "unknown".to_owned(),
        |l| l.split_whitespace().collect::<Vec<_>>().join(" on "),
    );
    let virt = run("systemd-detect-virt", &[]);
    vec![
        ("CPU", cpu),
        ("Cores", cores.to_string()),
        ("Memory", memory),
        ("Kernel", kernel),
        ("OS", os),
        (
            "Virtualisation",
            if virt.is_empty() {
                "unknown".to_owned()
            } else {
                virt
            },
        ),
        (
            "Temporary folder (databases)",
            format!("{} ({fs})", data_dir.parent().unwrap_or(data_dir).display()),
        ),
    ]
}

/// What `program` prints, trimmed; empty if it does not run.
fn run(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}
