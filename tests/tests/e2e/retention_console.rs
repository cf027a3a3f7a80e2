//! Retention in the console (issue #19), in headless Chromium: an admin sees what is due,
//! runs a dry run, places a legal hold on a person, runs retention and reads in the
//! report that the hold kept the record; lifts the hold, runs again and reads what was
//! anonymised, which the records page then shows as anonymised. Every step passes axe.

use consentry_tests::{browser::Browser, Backend, TestApp, ADMIN_PASSWORD};

const DAY: i64 = 86_400_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reads_what_is_due_holds_a_person_and_runs_retention() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.admin().await;
    app.submit_demo().await;
    app.clock.advance(730 * DAY);
    let browser = Browser::start().await;
    browser.sign_in(&app, "admin", ADMIN_PASSWORD).await;

    // What is due, by field label, and what a run would do.
    browser.click("[data-testid=nav-retention]").await;
    let mobile = "[data-testid=retention-forecast-row][data-field-key=mobile]";
    browser
        .wait_for_text(&format!("{mobile} [data-col=due_now]"), "1")
        .await;
    browser.axe("console: retention, what is due").await;
    browser.click("[data-testid=retention-dry-run]").await;
    browser
        .find("[data-testid=retention-plan-line][data-field-key=mobile]")
        .await;
    browser.axe("console: retention, a dry run").await;

    // A hold on the customer, found by their mobile number.
    browser
        .select("[data-testid=retention-hold-scope]", "person")
        .await;
    browser
        .select("[data-testid=retention-hold-kind]", "phone")
        .await;
    browser
        .fill("[data-testid=retention-hold-value]", "138 0013 8000")
        .await;
    browser
        .fill("[data-testid=retention-hold-reason]", "Dispute 2026-41")
        .await;
    browser.click("[data-testid=retention-hold-submit]").await;
    browser
        .find("[data-testid=retention-hold-row][data-active=true]")
        .await;
    browser.axe("console: retention, a hold placed").await;

    // A run: the report says the hold kept the record.
    browser.click("[data-testid=retention-run-now]").await;
    browser.click("[data-testid=retention-run-confirm]").await;
    browser
        .find(
            "[data-testid=retention-report][data-status=done] [data-testid=retention-report-held]",
        )
        .await;
    browser
        .axe("console: retention, a report with a hold")
        .await;

    // Lifted, and run again: the values are anonymised.
    browser.click("[data-testid=retention-hold-lift]").await;
    browser
        .click("[data-testid=retention-hold-lift-confirm]")
        .await;
    browser
        .find("[data-testid=retention-hold-row][data-active=false]")
        .await;
    browser.click("[data-testid=retention-run-now]").await;
    browser.click("[data-testid=retention-run-confirm]").await;
    browser
        .find("[data-testid=retention-report][data-status=done] [data-testid=retention-report-line][data-field-key=mobile]")
        .await;
    browser.axe("console: retention, a report").await;
    browser.open(&app, "/records").await;
    browser.find("[data-testid=value-anonymised]").await;
    browser.axe("console: records, anonymised values").await;
    browser.close().await;
}
