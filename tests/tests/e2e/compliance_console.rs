//! The compliance dashboard in the browser (issue #23): an admin who signs in lands on
//! it and sees the rate and the charts with the seeded figures (read from the charts'
//! text alternatives, which state the numbers), narrows it to a form, opens a check's
//! drill-down, makes a report and downloads it, and finds the records of processing; a
//! manager sees their team's figures only, without the per-team table, and is told
//! plainly that an organisation-wide check is not theirs. Every page passes axe and
//! fits a phone's width.

use consentry_tests::{browser::Browser, Backend, Session, TestApp, ADMIN_PASSWORD, USER_PASSWORD};
use serde_json::{json, Value};
use shared::api::{
    auth::Role,
    compliance::{
        CheckDrillDown, ComplianceCharts, ComplianceOverview, ComplianceReport, ViewScope,
    },
    imports::ImportEntry,
    records::RecordSource,
};
use shared::compliance::{percent_text, CheckId};

use crate::{
    conflicts::put_in_one_team,
    exports::submit_named,
    imports::{csv_bytes, mixed_rows},
    imports_commit::commit,
    sync_edits::collect,
};

/// Fetches `href` with the page's session, as a click on the link would.
async fn fetch_text(browser: &Browser, href: &str) -> (u16, String) {
    let script = r"
        const [href, done] = arguments;
        fetch(href, { credentials: 'same-origin' })
          .then((r) => r.text().then((text) => done({ status: r.status, text })))
          .catch((e) => done({ status: 0, text: String(e) }));
    ";
    let answer: Value = browser
        .client
        .execute_async(script, vec![json!(href)])
        .await
        .unwrap();
    let status = u16::try_from(answer["status"].as_u64().unwrap_or(0)).unwrap();
    (
        status,
        answer["text"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Asserts the page fits a phone.
async fn assert_fits(browser: &Browser, page: &str) {
    let (width, screen) = browser.width_on_a_phone().await;
    assert!(
        width <= screen,
        "{page} is {width}px wide on a {screen}px phone"
    );
}

/// The text alternative of the chart `testid`.
async fn chart_label(browser: &Browser, testid: &str) -> String {
    browser
        .attr(
            &format!("[data-testid={testid}] svg[role=img]"),
            "aria-label",
        )
        .await
        .unwrap_or_default()
}

/// Whether anything matches `css` now (the page is already shown).
async fn present(browser: &Browser, css: &str) -> bool {
    browser
        .client
        .find(fantoccini::Locator::Css(css))
        .await
        .is_ok()
}

/// The path of the page the browser shows.
async fn path(browser: &Browser) -> String {
    browser
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .to_owned()
}

/// Sets a date input as a person picking a day would (typing into one depends on the
/// browser's locale).
async fn set_date(browser: &Browser, css: &str, day: &str) {
    browser
        .client
        .execute(
            "const input = document.querySelector(arguments[0]); input.value = arguments[1]; \
             input.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![json!(css), json!(day)],
        )
        .await
        .unwrap();
}

/// Records from each source: two from the web, one from a staff device (in the
/// manager's team), and an import's valid rows; the staff member and the manager in
/// one team.
async fn seed(app: &TestApp, admin: &Session) -> (Session, u64) {
    let _ = submit_named(app, "张三").await;
    let _ = submit_named(app, "李四").await;
    let staff = app.collector(Role::Staff).await;
    let manager = app.collector(Role::Manager).await;
    put_in_one_team(app, admin, &[&staff, &manager]).await;
    let _ = collect(app, staff).await;
    let basis = json!({"basis": "consent", "purposes": ["membership_service"],
                       "evidence": "Old CRM consent 2023-05-01, document 118"});
    let entry: ImportEntry = commit(
        admin,
        json!({"form_id": app.demo_form_id, "basis": basis}),
        csv_bytes(&mixed_rows()),
        201,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(entry.imported > 0, "{entry:?}");
    (manager, entry.imported)
}

/// The number of records from `source` in `charts`.
fn from(charts: &ComplianceCharts, source: RecordSource) -> u64 {
    charts
        .by_source
        .iter()
        .filter(|c| c.source == source)
        .map(|c| c.records)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_lands_on_the_dashboard_drills_down_and_downloads_a_report() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.admin().await;
    let (_manager, imported) = seed(&app, &admin).await;
    let charts: ComplianceCharts = admin.get_json("/compliance/charts", 200).await;
    assert_eq!(
        (
            from(&charts, RecordSource::Web),
            from(&charts, RecordSource::Staff),
            from(&charts, RecordSource::Import)
        ),
        (2, 1, imported)
    );

    // Signing in leads to the dashboard.
    let browser = Browser::start().await;
    browser.open(&app, "/login").await;
    browser.submit_login("admin", ADMIN_PASSWORD).await;
    browser.find("[data-testid=compliance-page]").await;
    assert_eq!(path(&browser).await, "/compliance");
    browser.find("[data-testid=compliance-rate]").await;
    let overview: ComplianceOverview = admin.get_json("/compliance", 200).await;
    assert_eq!(overview.scope, ViewScope::Organisation);
    assert_eq!(
        browser.text("[data-testid=compliance-rate]").await.trim(),
        percent_text(overview.rate)
    );
    for check in &overview.checks {
        let card = format!(
            "[data-testid=compliance-check][data-check={}][data-passed='{}'][data-total='{}']",
            check.check.as_str(),
            check.figure.passed,
            check.figure.total
        );
        browser.find(&card).await;
    }
    let first = overview.fix_first.first().copied();
    if let Some(first) = first {
        browser
            .find(&format!(
                "[data-testid=compliance-fix-first-item][data-check={}]",
                first.as_str()
            ))
            .await;
    }
    browser.find("[data-testid=compliance-teams]").await;
    browser
        .find("[data-testid=compliance-trend] svg[role=img]")
        .await;

    // The charts state the seeded numbers.
    let sources = chart_label(&browser, "compliance-chart-source").await;
    assert!(
        sources.contains(&format!("web 2, staff device 1, import {imported}")),
        "{sources}"
    );
    let granted: u64 = charts.consents.iter().flat_map(|p| &p.granted).sum();
    let consents = chart_label(&browser, "compliance-chart-consents").await;
    assert!(
        consents.contains(&format!("granted {granted}")),
        "{consents}"
    );
    let trend = chart_label(&browser, "compliance-trend").await;
    assert!(trend.contains(&percent_text(overview.rate)), "{trend}");
    // The same data as a table.
    browser
        .click("[data-testid=compliance-chart-source-toggle]")
        .await;
    let table = browser
        .text("[data-testid=compliance-chart-source] table")
        .await;
    assert!(
        table.contains("staff device") && table.contains('1'),
        "{table}"
    );
    browser.axe("compliance: the dashboard").await;
    assert_fits(&browser, "the dashboard").await;

    // In Chinese, the text alternatives too.
    browser
        .click("[data-testid=lang-switch] [data-lang='zh-CN']")
        .await;
    let sources = chart_label(&browser, "compliance-chart-source").await;
    assert!(
        sources.starts_with(&format!(
            "各来源的记录：网页 2，员工设备 1，导入 {imported}"
        )),
        "{sources}"
    );
    browser.axe("compliance: the dashboard in Chinese").await;
    browser
        .click("[data-testid=lang-switch] [data-lang='en']")
        .await;

    // Narrowed to the demo form: the scope says so.
    browser
        .select(
            "[data-testid=compliance-form]",
            &app.demo_form_id.to_string(),
        )
        .await;
    browser
        .find("[data-testid=compliance-scope][data-scope=form]")
        .await;
    assert!(browser
        .client
        .current_url()
        .await
        .unwrap()
        .query()
        .unwrap_or_default()
        .contains("form="));
    browser.click("[data-testid=compliance-clear]").await;
    browser
        .find("[data-testid=compliance-scope][data-scope=organisation]")
        .await;

    // A check's drill-down lists what fails, as the API does.
    let check = first.unwrap_or(CheckId::LawfulBasis);
    let drill: CheckDrillDown = admin
        .get_json(&format!("/compliance/checks/{}", check.as_str()), 200)
        .await;
    browser
        .click(&format!(
            "[data-testid=compliance-check][data-check={}] [data-testid=compliance-check-open]",
            check.as_str()
        ))
        .await;
    browser.find("[data-testid=compliance-drill-title]").await;
    assert_eq!(
        path(&browser).await,
        format!("/compliance/checks/{}", check.as_str())
    );
    if drill.items.is_empty() {
        browser.find("[data-testid=compliance-drill-none]").await;
    } else {
        browser.find("[data-testid=compliance-drill-items]").await;
        for item in &drill.items {
            browser
                .find(&format!(
                    "[data-testid=compliance-drill-item][data-id='{}']",
                    item.id
                ))
                .await;
        }
    }
    browser.axe("compliance: a check's drill-down").await;
    assert_fits(&browser, "a drill-down").await;
    browser.click("[data-testid=compliance-back]").await;
    browser.find("[data-testid=compliance-rate]").await;

    // A report for a chosen period: a reversed one is refused at the dates.
    browser.click("[data-testid=compliance-tab-reports]").await;
    browser.find("[data-testid=compliance-make]").await;
    let today = chrono_day(0);
    set_date(&browser, "[data-testid=compliance-period-from]", &today).await;
    set_date(
        &browser,
        "[data-testid=compliance-period-to]",
        &chrono_day(-3),
    )
    .await;
    browser.click("[data-testid=compliance-make-submit]").await;
    browser.find("[data-error-for=period] li").await;
    browser.axe("compliance: a reversed period").await;
    set_date(
        &browser,
        "[data-testid=compliance-period-from]",
        &chrono_day(-7),
    )
    .await;
    set_date(&browser, "[data-testid=compliance-period-to]", &today).await;
    browser.click("[data-testid=compliance-make-submit]").await;
    let id = browser
        .attr("[data-testid=compliance-made]", "data-id")
        .await
        .unwrap();
    let json_link = format!(
        "[data-testid=compliance-report-row][data-id='{id}'] \
         [data-testid=compliance-report-download][data-format=json]"
    );
    let href = browser.attr(&json_link, "href").await.unwrap();
    let (status, body) = fetch_text(&browser, &href).await;
    assert_eq!(status, 200, "{body}");
    let report: ComplianceReport = serde_json::from_str(&body).unwrap();
    assert_eq!(report.id, id);
    assert!(report.period_to_ms > report.period_from_ms);
    let pdf = browser
        .attr(
            &format!("[data-testid=compliance-report-row][data-id='{id}'] [data-format=pdf]"),
            "href",
        )
        .await
        .unwrap();
    assert!(
        pdf.contains("format=html") && pdf.contains("print=true"),
        "{pdf}"
    );

    // The records of processing, in JSON as linked.
    let href = browser
        .attr(
            "[data-testid=compliance-processing-download][data-format=json]",
            "href",
        )
        .await
        .unwrap();
    let (status, body) = fetch_text(&browser, &href).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&app.demo_form_id.to_string()), "{body}");
    browser
        .find("[data-testid=compliance-assessments], [data-testid=compliance-assessments-empty]")
        .await;
    browser.axe("compliance: reports").await;
    assert_fits(&browser, "the reports").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_sees_their_teams_figures_only() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.admin().await;
    let (manager, _) = seed(&app, &admin).await;
    let overview: ComplianceOverview = manager.get_json("/compliance", 200).await;
    assert!(matches!(&overview.scope, ViewScope::Team { name, .. } if name == "North"));
    let charts: ComplianceCharts = manager.get_json("/compliance/charts", 200).await;

    let browser = Browser::start().await;
    browser.open(&app, "/login").await;
    browser
        .submit_login(&manager.user().username, USER_PASSWORD)
        .await;
    browser
        .find("[data-testid=compliance-scope][data-scope=team]")
        .await;
    assert_eq!(path(&browser).await, "/compliance");
    let scope = browser.text("[data-testid=compliance-scope]").await;
    assert!(scope.contains("North"), "{scope}");
    assert_eq!(
        browser.text("[data-testid=compliance-rate]").await.trim(),
        percent_text(overview.rate)
    );
    let sources = chart_label(&browser, "compliance-chart-source").await;
    assert!(
        sources.contains(&format!(
            "web {}, staff device {}, import {}",
            from(&charts, RecordSource::Web),
            from(&charts, RecordSource::Staff),
            from(&charts, RecordSource::Import)
        )),
        "{sources}"
    );
    assert!(!present(&browser, "[data-testid=compliance-teams]").await);
    assert!(!present(&browser, "[data-testid=compliance-team]").await);
    assert!(!present(&browser, "[data-testid=compliance-tab-reports]").await);
    assert!(!present(&browser, "[data-testid=compliance-chart-requests]").await);
    for check in &overview.checks {
        assert!(check.check.per_team(), "{:?} in a team's view", check.check);
    }
    browser.axe("compliance: a manager's dashboard").await;
    assert_fits(&browser, "a manager's dashboard").await;

    // A check of the organisation's is not theirs, and the page says so.
    browser
        .open(&app, "/compliance/checks/admins_second_factor")
        .await;
    browser
        .find("[data-testid=compliance-drill-error][data-code=forbidden]")
        .await;
    browser
        .axe("compliance: a check a manager may not see")
        .await;
    browser.close().await;
}

/// The UTC day `offset` days from today, as `yyyy-mm-dd`.
fn chrono_day(offset: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let days = i64::try_from(now).unwrap() / shared::compliance::DAY_MS + offset;
    let (y, m, d) = shared::compliance::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}
