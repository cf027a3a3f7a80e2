//! Leak tracing and alerts in the browser (issue #21): an admin pastes rows of a leaked
//! file on the Trace tab and sees the export, who asked and how sure; handles the alert
//! that export raised, lifting the suspension; and pages that show personal data carry
//! the viewer's watermark.

use consentry_tests::{browser::Browser, Backend, Expect, TestApp, ADMIN_PASSWORD};
use serde_json::json;
use shared::api::{
    alerts::{AlertList, AlertStatus},
    auth::Role,
};

use crate::exports::{download, export, rows_of, submit_named};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_traces_a_leak_and_handles_its_alert() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.admin().await;
    let _: serde_json::Value = admin
        .put("/alerts/settings")
        .json(&json!({
            "history_multiplier": 10, "history_days": 30, "history_min_rows": 2,
            "daily_row_limit": 0, "work_start_hour": 0, "work_end_hour": 0,
            "utc_offset_minutes": 480, "weekends_off": false,
            "reveal_burst": 0, "view_burst": 0, "burst_minutes": 10,
            "suspend_on": ["export_above_history"], "webhook_url": null, "email_to": [],
        }))
        .expect_json(200)
        .await;
    for name in ["张三", "李四", "王五"] {
        let _ = submit_named(&app, name).await;
    }
    // A privacy officer's first export of three rows stands out (limit 2): held, and
    // the admin approves it; the officer downloads it and the file leaks.
    let officer = app.user_with_role(Role::PrivacyOfficer).await;
    let entry = export(
        &officer,
        json!({"form_id": app.demo_form_id, "format": "csv", "locale": "en"}),
        201,
    )
    .await;
    assert!(entry.held_by_alert.is_some());
    let _: serde_json::Value = admin
        .post_json(
            &format!("/exports/{}/decision", entry.id),
            &json!({"approve": true}),
            200,
        )
        .await;
    let (text, _) = download(
        &officer,
        &shared::api::exports::ExportEntry {
            download_path: Some(format!("/exports/{}/file", entry.id)),
            ..entry.clone()
        },
    )
    .await;
    let (_, rows) = rows_of(&text);
    let leaked: String = rows
        .iter()
        .skip(rows.len() / 2)
        .map(|r| r.join(",") + "\n")
        .collect();

    let browser = Browser::start().await;
    browser.sign_in(&app, "admin", ADMIN_PASSWORD).await;
    browser.click("[data-testid=nav-exports]").await;
    browser.click("[data-testid=exports-tab-trace]").await;
    browser.fill("[data-testid=trace-paste]", &leaked).await;
    browser.click("[data-testid=trace-submit]").await;
    let found = browser
        .text(&format!(
            "[data-testid=trace-match][data-export-id='{}'][data-confidence=certain]",
            entry.id
        ))
        .await;
    assert!(found.contains(&officer.user().username), "{found}");
    browser.axe("console: a traced file").await;

    // The alert the export raised: the admin acknowledges it and lifts the suspension.
    browser.click("[data-testid=exports-tab-alerts]").await;
    browser
        .find("[data-testid=alert][data-rule=export_above_history][data-suspended=true]")
        .await;
    browser.axe("console: alerts").await;
    browser
        .fill(
            "[data-testid=alert-note-input]",
            "Approved review; no leak intended",
        )
        .await;
    browser.click("[data-testid=alert-lift]").await;
    browser.click("[data-testid=alert-acknowledge]").await;
    browser.find("[data-testid=alerts-empty]").await;
    let all: AlertList = admin.get_json("/alerts?status=all", 200).await;
    assert_eq!(all.alerts[0].status, AlertStatus::Acknowledged);
    assert!(!all.alerts[0].suspension_active);

    // Personal data on screen carries the viewer's name.
    browser.click("[data-testid=nav-records]").await;
    let mark = browser
        .attr("[data-testid=watermark]", "data-text")
        .await
        .unwrap_or_default();
    assert!(mark.contains("admin"), "{mark}");
    browser.close().await;
}
