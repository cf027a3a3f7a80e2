//! The browser phase of the bench, in headless Chromium: what the customer component
//! downloads up to the privacy pop-up and what the console downloads for its sign-in
//! page (`weight`), and how long a 50-field form takes to become interactive and to be
//! filled and submitted, in Consentry and in SurveyJS in the same browser (`compare`,
//! with the form in `forms` and the SurveyJS page served by `site`).
//!
//! The pages are timed by their own clock: `tests/bench/probe.js`, injected before any
//! page script, notes when each stage is reached; `tests/bench/fill.js` fills and
//! submits. SurveyJS (`survey-core` and `survey-js-ui`, pinned in tests/package.json)
//! renders `tests/bench/surveyjs.html`.

#[path = "browser/compare.rs"]
mod compare;
#[path = "browser/forms.rs"]
mod forms;
#[path = "browser/profile.rs"]
mod profile;
#[path = "browser/site.rs"]
mod site;
#[path = "browser/weight.rs"]
mod weight;

use std::{
    path::Path,
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context as _};
use consentry_tests::{
    browser::Browser,
    dist_dir,
    process::{free_port, Launch, ServerProcess},
};
use serde_json::{json, Value};

const PROBE: &str = include_str!("../../../bench/probe.js");
/// The targets count kilobytes of 1,000 bytes.
const KB: f64 = 1000.0;
const FIELDS: usize = 50;
/// How long a page may take to reach a stage before the run is given up.
const STAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the browser measurements against a server of `bin` of its own (serving the web
/// app built in dist/), prints the figures as they come and returns them as a markdown
/// section for BENCHMARKS.md. A failure (no Chromium, no built app, a page that never
/// gets there) is printed and noted in the section; it never ends the bench.
pub async fn browser(bin: &Path) -> String {
    let bin = bin.to_owned();
    let body = match tokio::spawn(async move { measure(&bin).await }).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => {
            println!("not measured: {e:#}");
            format!("Not measured: {e:#}.\n")
        }
        Err(e) => {
            println!("not measured: the browser phase panicked: {e}");
            format!("Not measured: the browser phase panicked ({e}).\n")
        }
    };
    format!("## Browser: page weight, render and submit\n\n{body}")
}

async fn measure(bin: &Path) -> anyhow::Result<String> {
    let dist = dist_dir();
    if !dist.join("embed/index.html").is_file() || !dist.join("index.html").is_file() {
        bail!(
            "the web app is not built in {} (scripts/build-frontend.sh)",
            dist.display()
        );
    }
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
    if std::process::Command::new(&driver)
        .arg("--version")
        .output()
        .is_err()
    {
        bail!("{driver} not found (scripts/tools.sh --browser installs Chromium and it)");
    }
    let data = tempfile::tempdir()?;
    let server = ServerProcess::launch(&Launch {
        binary: bin,
        data_dir: data.path(),
        database_url: None,
        port: free_port(),
        first_start: true,
        log: "warn",
        log_file: None,
        retention_at: None,
        static_dir: Some(&dist),
    });
    let base = server.address.clone();
    let demo = server
        .demo_form_id
        .clone()
        .context("the server named no demo form")?;
    let http = reqwest::Client::new();
    let page = http.get(format!("{base}/f/{demo}")).send().await?;
    if !page.status().is_success() {
        bail!(
            "the server does not serve the customer app: {}",
            page.status()
        );
    }

    // Each part is measured even when another could not be.
    let mut md = String::new();
    for page in [
        weight::Weighed::embed(&base, &demo),
        weight::Weighed::console(&base),
    ] {
        md.push_str(&part(
            page.title,
            weight::page_weight(&http, &dist, &page).await,
        ));
    }
    let password = server.admin_password.clone().unwrap_or_default();
    md.push_str(&part(
        compare::RENDER_TITLE,
        compare::render_and_submit(&http, &base, &password).await,
    ));
    Ok(md)
}

/// A part's markdown, or under its heading why it was not measured.
fn part(title: &str, measured: anyhow::Result<String>) -> String {
    measured.unwrap_or_else(|e| {
        println!("not measured: {e:#}");
        format!("### {title}\n\nNot measured: {e:#}.\n\n")
    })
}

/// Disables the cache (and any service worker) and injects the probe into every page.
async fn prepare(browser: &Browser, accept_after_ms: Option<u32>, fields: usize) {
    browser.cdp("Network.enable", json!({})).await;
    browser
        .cdp("Network.setCacheDisabled", json!({"cacheDisabled": true}))
        .await;
    browser
        .cdp("Network.setBypassServiceWorker", json!({"bypass": true}))
        .await;
    let config = json!({"acceptAfterMs": accept_after_ms, "fields": fields});
    let source = PROBE.replace("__BENCH_CONFIG__", &config.to_string());
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": source}),
        )
        .await;
}

/// Waits until the probe has noted `mark`; the probe's marks so far.
async fn wait_for(browser: &Browser, mark: &str) -> anyhow::Result<Value> {
    let script =
        format!("const b = window.__bench; return b && b.{mark} !== undefined ? b : null;");
    let deadline = Instant::now() + STAGE_TIMEOUT;
    loop {
        if let Ok(marks) = browser.client.execute(&script, vec![]).await {
            if !marks.is_null() {
                return Ok(marks);
            }
        }
        if Instant::now() > deadline {
            let seen = browser
                .client
                .execute(
                    "return [JSON.stringify(window.__bench), \
                     (document.body ? document.body.innerText : '').slice(0, 400)]",
                    vec![],
                )
                .await
                .unwrap_or_default();
            return Err(anyhow!(
                "{} never reached `{mark}` within {STAGE_TIMEOUT:?}; marks {}, page text {}, panics {:?}",
                browser.client.current_url().await.map(|u| u.to_string()).unwrap_or_default(),
                seen[0],
                seen[1],
                browser.panics().await
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
