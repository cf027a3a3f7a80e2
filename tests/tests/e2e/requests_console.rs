//! Data-subject requests in the browser (issue #20): a customer files a request from
//! their consent page; the privacy officer finds it in the register, finds the person's
//! records, prepares the answer package and answers; a record's history shows a key
//! field's change a manager approved, old and new values side by side.

use consentry_tests::{browser::Browser, Backend, Expect, Session, TestApp, USER_PASSWORD};
use serde_json::json;
use shared::api::{auth::Role, conflicts::ConflictList, requests::RequestList};

use crate::sync_edits::{collect, sync, with};

/// A staff member collects the demo record on their device and changes its mobile
/// number offline; their manager approves the change. The record's id and the manager's
/// user name.
async fn approved_change(app: &TestApp, admin: &Session) -> (String, String) {
    let staff = app.collector(Role::Staff).await;
    let manager = app.collector(Role::Manager).await;
    crate::conflicts::put_in_one_team(app, admin, &[&staff, &manager]).await;
    let c = collect(app, staff).await;
    let edit = c.edit(&with("mobile", json!("13700001111")), 2, 1);
    let _ = sync(&c.staff, &c.device, vec![edit]).await;
    let list: ConflictList = manager.get_json("/conflicts", 200).await;
    let change = &list.conflicts[0];
    manager
        .post(&format!("/conflicts/{}/resolve", change.id))
        .json(&json!({"take": "device", "comment": "Checked with the customer by phone"}))
        .expect_status(200)
        .await;
    (c.record.uuid.clone(), manager.user().username.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_from_a_receipt_to_its_answer_in_the_console() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.admin().await;
    let (record_id, approver) = approved_change(&app, &admin).await;
    let submitted = app.submit_demo().await;
    let officer = app.user_with_role(Role::PrivacyOfficer).await;
    let browser = Browser::start().await;

    // The customer, on their consent page, asks for a copy of their data.
    browser
        .open(
            &app,
            &format!(
                "/withdraw?lang=en#{}.{}",
                submitted.receipt.body.statement.receipt_id, submitted.withdraw_token
            ),
        )
        .await;
    browser.find("[data-testid=dsr-section]").await;
    browser.select("[data-testid=dsr-kind]", "copy").await;
    browser.fill("[data-testid=dsr-name]", "Zhang San").await;
    browser
        .fill("[data-testid=dsr-contact]", "zhang.san@example.com")
        .await;
    browser
        .fill("[data-testid=dsr-details]", "Please send me a copy.")
        .await;
    browser.axe("customer: request form").await;
    browser.click("[data-testid=dsr-submit]").await;
    let reference = browser.text("[data-testid=dsr-reference]").await;
    assert!(reference.starts_with("SR-"), "{reference}");
    browser.axe("customer: request filed").await;

    // The privacy officer finds it in the register.
    browser
        .sign_in(&app, &officer.user().username, USER_PASSWORD)
        .await;
    browser.click("[data-testid=nav-requests]").await;
    let row = format!("[data-testid=request-row][data-reference='{reference}']");
    browser.click(&format!("{row} a")).await;
    browser.find("[data-testid=request-status]").await;
    browser.axe("console: a request").await;

    // Finds the person's records by email: the customer's and the staff-collected one
    // (whose mobile number changed).
    browser.select("[data-testid=find-kind]", "email").await;
    browser
        .fill("[data-testid=find-value]", "Zhang.San@example.com")
        .await;
    browser.click("[data-testid=find-submit]").await;
    browser
        .find(&format!(
            "[data-testid=linked-record][data-record-id='{record_id}']"
        ))
        .await;

    // Prepares the package; the link is a one-time download for this officer.
    browser.click("[data-testid=package-prepare]").await;
    let href = browser
        .attr("[data-testid=package-download]", "href")
        .await
        .expect("a download link");
    let path = href
        .split("/api/v1")
        .nth(1)
        .expect("an API path")
        .to_owned();
    let package = officer.get(&path).send().await.unwrap();
    assert_eq!(package.status(), 200);
    assert!(package.bytes().await.unwrap().starts_with(b"PK"));

    // Answers it.
    browser
        .fill("[data-testid=answer-note]", "Package sent by email")
        .await;
    browser.click("[data-testid=answer-submit]").await;
    browser
        .find("[data-testid=request-status][data-status=answered]")
        .await;
    let list: RequestList = officer.get_json("/requests?status=closed", 200).await;
    assert!(list.requests.iter().any(|r| r.reference == reference));

    // The staff-collected record's history: the approved change, old and new side by side.
    browser
        .click(&format!(
            "[data-testid=linked-record][data-record-id='{record_id}'] [data-testid=record-history-link]"
        ))
        .await;
    browser
        .find("[data-testid=history-version][data-version='2']")
        .await;
    let approved_by = browser.text("[data-testid=history-approved-by]").await;
    assert!(approved_by.contains(&approver), "{approved_by}");
    let row = "[data-testid=compare-row][data-field=mobile]";
    browser.find(&format!("{row}[data-changed=true]")).await;
    browser
        .wait_for_text(
            &format!("{row} [data-testid=compare-a-value]"),
            "+8613800138000",
        )
        .await;
    browser
        .wait_for_text(
            &format!("{row} [data-testid=compare-b-value]"),
            "+8613700001111",
        )
        .await;
    browser.axe("console: a record's history").await;
    browser.close().await;
}
