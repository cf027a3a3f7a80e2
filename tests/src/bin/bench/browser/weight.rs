//! Page weight: what Chromium downloads for a page up to a stage the probe notes, per
//! resource, as it came and as gzip.

use std::{fmt::Write as _, path::Path, time::Duration};

use consentry_tests::browser::Browser;
use serde_json::Value;

use super::{prepare, wait_for, KB};

const EMBED_TARGET_KB: f64 = 150.0;
const CONSOLE_TARGET_KB: f64 = 400.0;

/// A page whose downloads are counted up to a stage the probe notes.
pub(super) struct Weighed {
    pub(super) title: &'static str,
    url: String,
    /// The probe's mark that ends the count (`popup`, `shown`).
    mark: &'static str,
    /// What the mark means, for the report.
    until: &'static str,
    target_kb: f64,
}

impl Weighed {
    pub(super) fn embed(base: &str, form: &str) -> Self {
        Self {
            title: "Customer component: the demo form up to the privacy pop-up",
            url: format!("{base}/f/{form}"),
            mark: "popup",
            until: "the privacy pop-up is open",
            target_kb: EMBED_TARGET_KB,
        }
    }

    pub(super) fn console(base: &str) -> Self {
        Self {
            title: "Console: first load of the sign-in page up to its form",
            url: format!("{base}/login"),
            mark: "shown",
            until: "the sign-in form is there",
            target_kb: CONSOLE_TARGET_KB,
        }
    }
}

/// One download, from the Resource Timing entries.
#[derive(Debug)]
struct Download {
    path: String,
    kind: String,
    transfer: u64,
    encoded: u64,
    decoded: u64,
    /// When it was asked for, in ms since navigation started.
    start_ms: f64,
    /// The `Content-Encoding` Chromium got.
    encoding: String,
    /// The size as gzip, and where that figure comes from.
    gzip: u64,
    gzip_from: &'static str,
}

/// Resource Timing entries of the page (its navigation first), as JSON.
const ENTRIES: &str = "return performance.getEntriesByType('navigation')
  .concat(performance.getEntriesByType('resource'))
  .map((e) => ({ name: e.name, kind: e.entryType === 'navigation' ? 'document' : e.initiatorType,
    transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize,
    start: e.startTime }));";

/// The `Content-Encoding` of each URL fetched again from the page (same origin, so
/// every header can be read).
const ENCODINGS: &str = "const [names, done] = arguments;
Promise.all(names.map((n) => fetch(n, { cache: 'no-store' })
  .then((r) => r.headers.get('content-encoding') || 'none', () => '?'))).then(done);";

pub(super) async fn page_weight(
    http: &reqwest::Client,
    dist: &Path,
    page: &Weighed,
) -> anyhow::Result<String> {
    println!("\n-- {}", page.title);
    let browser = Browser::start().await;
    prepare(&browser, None, 0).await;
    browser.client.goto(&page.url).await?;
    let marks = wait_for(&browser, page.mark).await?;
    let until_ms = marks[page.mark].as_f64().unwrap_or_default();
    // Whatever the page loads right after the mark is listed apart.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let entries = browser.client.execute(ENTRIES, vec![]).await?;
    let entries = entries.as_array().cloned().unwrap_or_default();
    let names: Vec<Value> = entries.iter().map(|e| e["name"].clone()).collect();
    let encodings = browser
        .client
        .execute_async(ENCODINGS, vec![Value::Array(names)])
        .await?;
    let panics = browser.panics().await;
    drop(browser);

    let mut downloads = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let name = e["name"].as_str().unwrap_or_default();
        let url = reqwest::Url::parse(name)?;
        let (gzip, gzip_from) = gzip_size(http, dist, &url).await?;
        let number = |k: &str| e[k].as_f64().unwrap_or_default();
        downloads.push(Download {
            path: match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_owned(),
            },
            kind: e["kind"].as_str().unwrap_or_default().to_owned(),
            transfer: number("transfer") as u64,
            encoded: number("encoded") as u64,
            decoded: number("decoded") as u64,
            start_ms: number("start"),
            encoding: encodings[i].as_str().unwrap_or("?").to_owned(),
            gzip,
            gzip_from,
        });
    }
    let (before, after): (Vec<_>, Vec<_>) = downloads.iter().partition(|d| d.start_ms < until_ms);
    let mut md = format!(
        "### {}\n\nLoaded once in a fresh Chromium profile with the cache disabled; counted: \
         every download asked for before {} ({until_ms:.0} ms after navigation started), \
         finished or not, from the Resource Timing \
         entries (`transferSize` with headers, `encodedBodySize`, `decodedBodySize`). The \
         gzip column is the `.gz` file scripts/build-frontend.sh writes beside each built \
         file (gzip -9), or for a page, a boot script or an API answer, what the server \
         sends when asked for gzip. What the page asked for after that moment is listed \
         apart. KB: 1,000 bytes.\n\n",
        page.title, page.until
    );
    md.push_str(&downloads_table(&before));
    let sum = |list: &[&Download], f: fn(&Download) -> u64| list.iter().map(|d| f(d)).sum::<u64>();
    let gzip_kb = sum(&before, |d| d.gzip) as f64 / KB;
    let transfer_kb = sum(&before, |d| d.transfer) as f64 / KB;
    let mut encodings: Vec<&str> = before.iter().map(|d| d.encoding.as_str()).collect();
    encodings.sort_unstable();
    encodings.dedup();
    let verdict = if gzip_kb <= page.target_kb {
        "met"
    } else {
        "not met"
    };
    let summary = format!(
        "{:.1} KB gzip (target ≤ {:.0} KB gzip: {verdict}); Chromium downloaded {:.1} KB \
         as content-encoding {} in {} requests",
        gzip_kb,
        page.target_kb,
        transfer_kb,
        encodings.join(", "),
        before.len()
    );
    println!("{summary}");
    let _ = writeln!(md, "\n**Total: {summary}.**\n");
    if !after.is_empty() {
        let later = sum(&after, |d| d.gzip) as f64 / KB;
        println!(
            "then, within 2 s: {later:.1} KB gzip more in {} requests",
            after.len()
        );
        let _ = writeln!(
            md,
            "Loaded after that, within 2 s ({later:.1} KB gzip, not counted above):\n"
        );
        md.push_str(&downloads_table(&after));
        md.push('\n');
    }
    for d in &downloads {
        println!(
            "  {:>9.1} KB {:<5} {:>9.1} KB gzip  {} ({})",
            d.transfer as f64 / KB,
            d.encoding,
            d.gzip as f64 / KB,
            d.path,
            d.kind
        );
    }
    if !panics.is_empty() {
        println!("the web app panicked: {panics:?}");
        let _ = writeln!(md, "The web app panicked: {panics:?}\n");
    }
    Ok(md)
}

fn downloads_table(list: &[&Download]) -> String {
    let mut md = String::from(
        "| Resource | Type | Encoding | Transferred | Encoded body | Decoded body | gzip |\n\
         |---|---|---|---:|---:|---:|---:|\n",
    );
    for d in list {
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {:.1} KB | {:.1} KB | {:.1} KB | {:.1} KB ({}) |",
            d.path,
            d.kind,
            d.encoding,
            d.transfer as f64 / KB,
            d.encoded as f64 / KB,
            d.decoded as f64 / KB,
            d.gzip as f64 / KB,
            d.gzip_from
        );
    }
    md
}

/// The gzip size of what `url` serves: the built file's `.gz` copy when there is one,
/// otherwise the body the server sends when asked for gzip.
async fn gzip_size(
    http: &reqwest::Client,
    dist: &Path,
    url: &reqwest::Url,
) -> anyhow::Result<(u64, &'static str)> {
    let file = dist.join(url.path().trim_start_matches('/'));
    if file.is_file() {
        let mut gz = file.into_os_string();
        gz.push(".gz");
        if let Ok(meta) = std::fs::metadata(&gz) {
            return Ok((meta.len(), "dist .gz"));
        }
    }
    // reqwest is built without gzip support, so the body stays as sent.
    let r = http
        .get(url.clone())
        .header("accept-encoding", "gzip")
        .send()
        .await?;
    let gzipped = r
        .headers()
        .get("content-encoding")
        .is_some_and(|v| v == "gzip");
    let len = r.bytes().await?.len() as u64;
    Ok((
        len,
        if gzipped {
            "server gzip"
        } else {
            "not compressed"
        },
    ))
}
