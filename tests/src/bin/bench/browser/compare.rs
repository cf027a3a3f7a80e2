//! Render and submit: the 50-field form in Consentry and in SurveyJS, alternating in one
//! browser, from navigation to interactive and from filling to the success view.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
};

use anyhow::bail;
use consentry_tests::browser::Browser;
use serde_json::{json, Value};

use super::{
    forms::{publish_form, surveyjs_form},
    prepare, profile,
    site::StaticSite,
    wait_for, FIELDS, KB,
};

const FILL: &str = include_str!("../../../../bench/fill.js");
/// Measured runs of each form (after one unmeasured run of each).
const RUNS: usize = 7;
/// How long the probe "reads" the privacy notice in the runs that measure the form app
/// after reading, in milliseconds: long enough for the form app to have loaded.
const READING_MS: u32 = 1_500;
/// Rendering 50 fields: at most this fraction of SurveyJS's time.
const RENDER_TARGET_RATIO: f64 = 0.5;
const FILL_TARGET_MS: f64 = 100.0;
pub(super) const RENDER_TITLE: &str = "50 fields: Consentry and SurveyJS in the same browser";

/// The probe's marks of one run, in milliseconds since navigation started.
#[derive(Debug, Clone, Copy)]
struct Run {
    popup: f64,
    /// Just before the probe's first click in the pop-up.
    accepting: f64,
    interactive: f64,
    /// From the start of filling to the success view.
    fill: f64,
}

/// A form page of the comparison.
struct Page<'a> {
    url: &'a str,
    /// The CSS selector of one field's element.
    field: &'static str,
    submit: &'static str,
}

/// One fresh navigation to the page: waits until the form is interactive, fills and
/// submits it, and waits for the success view.
async fn run(browser: &Browser, page: &Page<'_>) -> anyhow::Result<Run> {
    browser.client.goto("about:blank").await?;
    visit(browser, page).await
}

/// [`run`] from whatever page the browser is on.
async fn visit(browser: &Browser, page: &Page<'_>) -> anyhow::Result<Run> {
    browser.client.goto(page.url).await?;
    wait_for(browser, "interactive").await?;
    let filled = browser
        .client
        .execute(FILL, vec![json!(page.field), json!(page.submit)])
        .await?;
    if filled.as_u64() != Some(FIELDS as u64) {
        bail!("{}: filled {filled} fields, not {FIELDS}", page.url);
    }
    let marks = wait_for(browser, "done").await?;
    let at = |k: &str| marks[k].as_f64().unwrap_or(f64::NAN);
    Ok(Run {
        popup: at("popup"),
        accepting: at("accepting"),
        interactive: at("interactive"),
        fill: at("done") - at("filling"),
    })
}

/// The median of some runs' times, with the lowest and highest.
#[derive(Debug, Clone, Copy)]
struct Spread {
    median: f64,
    low: f64,
    high: f64,
}

impl Spread {
    fn of(runs: &[Run], time: fn(&Run) -> f64) -> Self {
        let mut values: Vec<f64> = runs.iter().map(time).collect();
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = match n {
            0 => f64::NAN,
            n if n % 2 == 1 => values[n / 2],
            n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
        };
        Self {
            median,
            low: values.first().copied().unwrap_or(f64::NAN),
            high: values.last().copied().unwrap_or(f64::NAN),
        }
    }
}

impl std::fmt::Display for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0} ms ({:.0}–{:.0})",
            self.median, self.low, self.high
        )
    }
}

pub(super) async fn render_and_submit(
    http: &reqwest::Client,
    base: &str,
    first_password: &str,
) -> anyhow::Result<String> {
    println!("\n-- {FIELDS} fields: navigation to interactive, fill and submit ({RUNS} runs each)");
    let tests = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for package in ["survey-core", "survey-js-ui"] {
        if !tests.join("node_modules").join(package).is_dir() {
            bail!(
                "tests/node_modules/{package} is missing (scripts/tools.sh --browser installs it)"
            );
        }
    }
    let form = publish_form(http, base, first_password).await?;
    let surveyjs_kb = surveyjs_gzip_kb(&tests);
    let site = StaticSite::start(
        tests,
        "/bench/surveyjs-form.js",
        format!("window.BENCH_SURVEY = {};\n", surveyjs_form()),
    )?;
    let consentry_url = format!("{base}/f/{form}?lang=en");
    let surveyjs_url = format!("http://127.0.0.1:{}/bench/surveyjs.html", site.port);

    let browser = Browser::start().await;
    prepare(&browser, Some(0), FIELDS).await;
    let consentry = Page {
        url: &consentry_url,
        field: "form [data-field-key]",
        submit: "[data-testid=form-submit]",
    };
    let surveyjs = Page {
        url: &surveyjs_url,
        field: "[data-name]",
        submit: ".sd-navigation__complete-btn",
    };
    // One unmeasured run of each, then the two alternate.
    run(&browser, &consentry).await?;
    run(&browser, &surveyjs).await?;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 1..=RUNS {
        let c = run(&browser, &consentry).await?;
        let s = run(&browser, &surveyjs).await?;
        println!(
            "run {i}: Consentry pop-up {:.0} ms, interactive {:.0} ms (accepting → interactive {:.0} ms), fill+submit {:.0} ms; SurveyJS interactive {:.0} ms, fill+submit {:.0} ms",
            c.popup, c.interactive, c.interactive - c.accepting, c.fill, s.interactive, s.fill
        );
        ours.push(c);
        theirs.push(s);
    }
    let mut panics = browser.panics().await;
    drop(browser);
    // A customer reads the notice before continuing: by then the form app has loaded,
    // and what is left is drawing the form.
    let browser = Browser::start().await;
    prepare(&browser, Some(READING_MS), FIELDS).await;
    run(&browser, &consentry).await?;
    let mut reading = Vec::new();
    for _ in 0..RUNS {
        reading.push(run(&browser, &consentry).await?);
    }
    panics.extend(browser.panics().await);
    drop(browser);
    if profile::wanted() {
        let browser = Browser::start().await;
        prepare(&browser, Some(0), FIELDS).await;
        run(&browser, &consentry).await?;
        // A page of the same site first: the profiled run stays in one renderer process.
        browser.client.goto(&format!("{base}/healthz")).await?;
        profile::start(&browser).await;
        let profiled = visit(&browser, &consentry).await;
        profile::stop(&browser).await?;
        println!("the profiled run: {:?}", profiled?);
        profile::waterfall(&browser).await;
        // And one as the measured runs go, after SurveyJS's, without the profiler.
        run(&browser, &surveyjs).await?;
        println!("a run as measured: {:?}", run(&browser, &consentry).await?);
        profile::waterfall(&browser).await;
    }
    let asked = site.accept_encoding();

    let popup = Spread::of(&ours, |r| r.popup);
    let render = Spread::of(&ours, |r| r.interactive - r.accepting);
    let after_reading = Spread::of(&reading, |r| r.interactive - r.accepting);
    let ours_total = Spread::of(&ours, |r| r.interactive);
    let theirs_total = Spread::of(&theirs, |r| r.interactive);
    let ours_fill = Spread::of(&ours, |r| r.fill);
    let theirs_fill = Spread::of(&theirs, |r| r.fill);
    let ratio = ours_total.median / theirs_total.median;
    let fill_ratio = ours_fill.median / theirs_fill.median;
    let verdict = |ok: bool| if ok { "met" } else { "not met" };
    let render_met = verdict(ratio <= RENDER_TARGET_RATIO);
    let fill_met = verdict(ours_fill.median <= FILL_TARGET_MS);
    println!("median (lowest–highest) of {RUNS}:");
    println!("Consentry navigation → pop-up open:               {popup}");
    println!("Consentry pop-up accepted → {FIELDS} fields interactive: {render}");
    println!(
        "Consentry accepted after {:.1} s of reading → interactive: {after_reading}",
        f64::from(READING_MS) / 1000.0
    );
    println!("Consentry navigation → {FIELDS} fields interactive:    {ours_total}");
    println!("SurveyJS navigation → {FIELDS} fields interactive:     {theirs_total}");
    println!(
        "ratio Consentry / SurveyJS:                       {ratio:.2} (target ≤ {RENDER_TARGET_RATIO}: {render_met})"
    );
    println!("fill and submit, Consentry:                       {ours_fill} (target ≤ {FILL_TARGET_MS:.0} ms: {fill_met})");
    println!("fill and submit, SurveyJS:                        {theirs_fill}");
    if let Some(asked) = &asked {
        println!("Chromium asked for Accept-Encoding: {asked}");
    }

    let mut md = format!(
        "### {RENDER_TITLE}\n\n\
         The same {FIELDS} required fields in both (ten kinds five times: two short texts, \
         email, whole number, date, phone, a choice of three as radios, a choice of several \
         as checkboxes, yes/no as two radios, long text; the last field a signature, typed in \
         Consentry and a text field in SurveyJS), on one page. Consentry: a form published \
         through the admin API, at `/f/{{id}}`, served by the release server. SurveyJS \
         {}: `tests/bench/surveyjs.html` with the UMD builds and default theme of \
         survey-core and survey-js-ui, served uncompressed from 127.0.0.1 by the bench.\n\n\
         Medians of {RUNS} runs each, alternating, after one unmeasured run of each, in one \
         headless Chromium with the cache disabled, each a fresh navigation. Times are the \
         page's own clock (`performance.now()`, from navigation start), noted by a script \
         injected before any page script (`tests/bench/probe.js`, a MutationObserver): \
         *interactive* is the first moment all {FIELDS} fields are in the page, each with an \
         enabled input. Consentry shows its privacy pop-up first; the probe agrees to every \
         purpose and continues as soon as it is open, so the form app (which the pop-up's first \
         stage starts loading once the pop-up is up) is still loading. {RUNS} more runs of \
         Consentry, in a browser of their own, continue after {reading_s:.1} s, as a \
         customer who reads the notice would: by then the form app has loaded. *Fill and \
         submit* runs \
         `tests/bench/fill.js` in the page (each value set, with `input`, `change`, `blur` \
         and `focusout` events; radios and checkboxes clicked; then the submit button) and \
         ends when the success view is there: Consentry's receipt, after the answers are \
         checked, the \
         statement signed in the browser and the server's signed answer received; \
         SurveyJS's completed page, after its validation (nothing is sent anywhere).\n\n\
         | Median (lowest–highest) of {RUNS} | Consentry | SurveyJS | Consentry / SurveyJS | Target |\n\
         |---|---:|---:|---:|---|\n\
         | navigation → privacy pop-up open | {popup} | — | | |\n\
         | pop-up accepted at once → {FIELDS} fields interactive | {render} | — | | |\n\
         | pop-up accepted after {reading_s:.1} s of reading → {FIELDS} fields interactive | {after_reading} | — | | |\n\
         | navigation → {FIELDS} fields interactive | {ours_total} | {theirs_total} | {ratio:.2} | ≤ {RENDER_TARGET_RATIO}×: {render_met} |\n\
         | fill {FIELDS} fields and submit → success view | {ours_fill} | {theirs_fill} | {fill_ratio:.2} | ≤ {FILL_TARGET_MS:.0} ms: {fill_met} |\n",
        surveyjs_version(),
        reading_s = f64::from(READING_MS) / 1000.0,
    );
    if let Some(asked) = asked {
        let _ = writeln!(
            md,
            "\nChromium's requests said `Accept-Encoding: {asked}` (plain http on 127.0.0.1)."
        );
    }
    if let Some(kb) = surveyjs_kb {
        println!("SurveyJS's scripts and theme: {kb:.1} KB gzip -9");
        let _ = writeln!(
            md,
            "\nFor comparison with the page weights above, SurveyJS's scripts and theme \
             (survey.core.min.js, survey-js-ui.min.js, survey-core.min.css) are {kb:.1} KB \
             gzip -9."
        );
    }
    if !panics.is_empty() {
        let _ = writeln!(md, "\nThe web app panicked: {panics:?}");
    }
    md.push('\n');
    Ok(md)
}

/// The gzip -9 size of the files the SurveyJS page loads, for comparison with the
/// customer component's.
fn surveyjs_gzip_kb(tests: &Path) -> Option<f64> {
    let mut total = 0;
    for file in [
        "node_modules/survey-core/survey.core.min.js",
        "node_modules/survey-js-ui/survey-js-ui.min.js",
        "node_modules/survey-core/survey-core.min.css",
    ] {
        let out = std::process::Command::new("gzip")
            .args(["-9", "-c"])
            .arg(tests.join(file))
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        total += out.stdout.len();
    }
    Some(total as f64 / KB)
}

/// The pinned SurveyJS version, from tests/package.json.
fn surveyjs_version() -> String {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("package.json");
    std::fs::read_to_string(manifest)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|p| p["dependencies"]["survey-core"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}
