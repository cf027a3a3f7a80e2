//! Governed exports in the browser (issue #21): a manager asks for an unmasked export
//! above the threshold from the records list, an admin approves it on the Exports page,
//! the manager downloads it once (a second download is refused), and the ledger shows it.

use consentry_tests::{browser::Browser, Backend, Expect, TestApp, USER_PASSWORD};
use serde_json::json;
use shared::api::{
    auth::Role,
    error::{ApiError, ErrorCode},
    exports::{ExportList, ExportStatus},
};

use crate::sync_edits::collect;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_exports_unmasked_after_an_admins_approval() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.admin().await;
    let staff = app.collector(Role::Staff).await;
    let manager = app.collector(Role::Manager).await;
    crate::conflicts::put_in_one_team(&app, &admin, &[&staff, &manager]).await;
    let _ = collect(&app, staff.clone()).await;
    let _ = collect(&app, staff).await;
    let _: serde_json::Value = admin
        .put("/exports/settings")
        .json(&json!({"roles": ["manager"], "approval_above_rows": 1, "valid_hours": 24}))
        .expect_json(200)
        .await;

    // The manager asks from the records list, with a reason.
    let browser = Browser::start().await;
    browser
        .sign_in(&app, &manager.user().username, USER_PASSWORD)
        .await;
    browser.click("[data-testid=nav-records]").await;
    browser
        .select(
            "[data-testid=records-form-filter]",
            &app.demo_form_id.to_string(),
        )
        .await;
    browser.click("[data-testid=export-open]").await;
    browser.find("[data-testid=export-dialog]").await;
    browser.click("[data-testid=export-unmasked]").await;
    browser
        .fill(
            "[data-testid=export-reason]",
            "Checking ID numbers, ticket 9",
        )
        .await;
    browser.axe("console: the export dialog").await;
    browser.click("[data-testid=export-submit]").await;
    browser.find("[data-testid=export-awaiting]").await;
    browser.close().await;

    // An admin approves it on the Exports page.
    let browser = Browser::start().await;
    browser
        .sign_in(&app, "admin", consentry_tests::ADMIN_PASSWORD)
        .await;
    browser.click("[data-testid=nav-exports]").await;
    browser
        .fill("[data-testid=decision-comment]", "Ticket 9 checked")
        .await;
    browser.axe("console: exports waiting for approval").await;
    browser.click("[data-testid=export-approve]").await;
    let id = manager
        .get_json::<ExportList>("/exports", 200)
        .await
        .exports[0]
        .id;
    // The ledger shows it approved once the decision is stored.
    browser
        .find(&format!(
            "[data-testid=ledger-row][data-id='{id}'][data-status=ready]"
        ))
        .await;
    browser.close().await;
    // The manager learns on the menu that it is ready.
    let browser = Browser::start().await;
    browser
        .sign_in(&app, &manager.user().username, USER_PASSWORD)
        .await;
    browser
        .find("[data-testid=nav-exports-ready][data-count='1']")
        .await;
    browser.close().await;
    let mine: ExportList = manager.get_json("/exports", 200).await;
    let entry = &mine.exports[0];

    // The manager downloads it once; the second time is refused.
    assert_eq!(entry.status, ExportStatus::Ready);
    let path = entry.download_path.clone().expect("a download path");
    let text = manager
        .get(&path)
        .expect_status(200)
        .await
        .text()
        .await
        .unwrap();
    assert!(text.contains("110101199003071233"), "unmasked: {text}");
    let e: ApiError = manager.get(&path).expect_json(410).await;
    assert_eq!(e.code, ErrorCode::Gone);
    let all: ExportList = admin.get_json("/exports?all=true", 200).await;
    assert_eq!(all.exports[0].status, ExportStatus::Downloaded);
    assert!(all.exports[0].file_sha256.is_some());
}
