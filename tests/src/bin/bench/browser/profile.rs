//! Where the time of one Consentry run goes: with `CONSENTRY_BENCH_PROFILE` set, the
//! render comparison ends with one more run of the 50-field form under V8's sampling CPU
//! profiler (DevTools `Profiler` domain), writes the profile to
//! `target/bench-render.cpuprofile` (DevTools' Performance panel opens it) and prints the
//! functions that took the most time of their own. Nothing of it goes into BENCHMARKS.md:
//! it is a tool for finding what to make faster, not a figure.
//!
//! WASM functions show by name only in a build that keeps them: wasm-opt drops the name
//! section, so build the app to look at with `data-wasm-opt="0"` (docs/performance.md).

use std::collections::HashMap;

use consentry_tests::browser::Browser;
use serde_json::{json, Value};

/// Samples every this many microseconds.
const INTERVAL_US: u64 = 100;
/// How many functions to print.
const TOP: usize = 30;

/// Is the profile asked for?
pub(super) fn wanted() -> bool {
    std::env::var_os("CONSENTRY_BENCH_PROFILE").is_some()
}

/// Starts the profiler; navigate to a page of the same site first, so that the run stays
/// in the renderer process being profiled.
pub(super) async fn start(browser: &Browser) {
    browser.cdp("Profiler.enable", json!({})).await;
    browser
        .cdp(
            "Profiler.setSamplingInterval",
            json!({"interval": INTERVAL_US}),
        )
        .await;
    browser.cdp("Profiler.start", json!({})).await;
}

/// Stops the profiler, writes the profile and prints the top functions by self time.
pub(super) async fn stop(browser: &Browser) -> anyhow::Result<()> {
    let stopped = browser.cdp("Profiler.stop", json!({})).await;
    let profile = &stopped["profile"];
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/bench-render.cpuprofile");
    std::fs::write(&path, serde_json::to_vec(profile)?)?;
    println!("CPU profile of one run: {}", path.display());
    for (name, ms) in self_times(profile).into_iter().take(TOP) {
        println!("{ms:8.1} ms  {name}");
    }
    Ok(())
}

/// Prints the page's downloads and marks in order of start.
pub(super) async fn waterfall(browser: &Browser) {
    let waterfall = browser
        .client
        .execute(WATERFALL, vec![])
        .await
        .unwrap_or_default();
    println!("the run's page, ms since navigation started (start → end):");
    for line in waterfall.as_array().into_iter().flatten() {
        println!("  {}", line.as_str().unwrap_or_default());
    }
}

/// The page's navigation, downloads, marks and probe marks, in order of start.
const WATERFALL: &str = r#"
const rows = [];
const nav = performance.getEntriesByType("navigation")[0];
if (nav) {
  rows.push([nav.requestStart, `document ${nav.requestStart.toFixed(1)} → ${nav.responseEnd.toFixed(1)}, DOMContentLoaded ${nav.domContentLoadedEventEnd.toFixed(1)}`]);
}
for (const r of performance.getEntriesByType("resource")) {
  const name = new URL(r.name).pathname;
  rows.push([r.startTime, `${name} ${r.startTime.toFixed(1)} → ${r.responseEnd.toFixed(1)} (${r.initiatorType})`]);
}
for (const m of performance.getEntriesByType("mark")) {
  rows.push([m.startTime, `mark ${m.name} ${m.startTime.toFixed(1)}`]);
}
for (const [k, v] of Object.entries(window.__bench || {})) {
  if (typeof v === "number" && k !== "fields") rows.push([v, `probe ${k} ${v.toFixed(1)}`]);
}
return rows.sort((a, b) => a[0] - b[0]).map((r) => r[1]);
"#;

/// Each function's time of its own, in milliseconds, most first: a sample counts for the
/// time until the next one.
fn self_times(profile: &Value) -> Vec<(String, f64)> {
    let mut name_of: HashMap<u64, String> = HashMap::new();
    for node in profile["nodes"].as_array().into_iter().flatten() {
        let frame = &node["callFrame"];
        let function = frame["functionName"].as_str().unwrap_or_default();
        let url = frame["url"].as_str().unwrap_or_default();
        let file = url.rsplit('/').next().unwrap_or_default();
        let name = match (function, file) {
            ("", "") => "(anonymous)".to_owned(),
            ("", file) => format!("(anonymous) {file}"),
            (function, "") => function.to_owned(),
            (function, file) => format!("{function} {file}"),
        };
        if let Some(id) = node["id"].as_u64() {
            name_of.insert(id, name);
        }
    }
    let samples = profile["samples"].as_array().cloned().unwrap_or_default();
    let deltas = profile["timeDeltas"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut total: HashMap<String, f64> = HashMap::new();
    for (i, sample) in samples.iter().enumerate() {
        let next_delta = deltas.get(i + 1).and_then(Value::as_f64).unwrap_or(0.0);
        if let Some(name) = sample.as_u64().and_then(|id| name_of.get(&id)) {
            *total.entry(name.clone()).or_default() += next_delta / 1000.0;
        }
    }
    let mut sorted: Vec<(String, f64)> = total.into_iter().collect();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1));
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sample_counts_until_the_next() {
        let profile = json!({
            "nodes": [
                {"id": 1, "callFrame": {"functionName": "(root)", "url": ""}},
                {"id": 2, "callFrame": {"functionName": "draw", "url": "http://x/app.wasm"}},
            ],
            "samples": [1, 2, 2, 1],
            "timeDeltas": [0, 1000, 3000, 500],
        });
        let times = self_times(&profile);
        assert_eq!(times[0], ("draw app.wasm".to_owned(), 3.5));
        assert_eq!(times[1], ("(root)".to_owned(), 1.0));
    }
}
