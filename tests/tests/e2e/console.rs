//! The console in headless Chromium: an admin creates an account and sees its one-time
//! password; an auditor sees a resident ID masked, reveals it with a reason, finds the
//! reveal in the audit log and verifies the chain.

use consentry_tests::{
    browser::Browser,
    consent::{demo_answers, new_key, signed_submission, Choices},
    expect_json, Backend, TestApp, ADMIN_PASSWORD,
};
use shared::api::{auth::Role, consent::SubmitResponse, forms::VersionDetail};

/// The auditor's password, as `TestApp::user_with_role` sets it.
const AUDITOR_PASSWORD: &str = "another long test passphrase";

async fn submit_demo(app: &TestApp) -> SubmitResponse {
    let version: VersionDetail = expect_json(
        app.anonymous()
            .get(&format!("/public/forms/{}", app.demo_form_id))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let req = signed_submission(
        &version,
        &demo_answers(),
        &Choices::all_demo(),
        &new_key(),
        &uuid::Uuid::new_v4().to_string(),
    );
    expect_json(
        app.anonymous()
            .post(&format!("/public/forms/{}/submissions", app.demo_form_id))
            .json(&req)
            .send()
            .await
            .unwrap(),
        201,
    )
    .await
}

async fn type_into(browser: &Browser, css: &str, text: &str) {
    let input = browser.find(css).await;
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

async fn click(browser: &Browser, css: &str) {
    browser.find(css).await.click().await.unwrap();
}

async fn sign_in(browser: &Browser, app: &TestApp, username: &str, password: &str) {
    browser
        .client
        .goto(&format!("{}/login", app.address))
        .await
        .unwrap();
    type_into(browser, "[data-testid=login-username]", username).await;
    type_into(browser, "[data-testid=login-password]", password).await;
    click(browser, "[data-testid=login-submit]").await;
    browser
        .wait_for_text("[data-testid=account-username]", username)
        .await;
}

async fn open(browser: &Browser, app: &TestApp, path: &str) {
    browser
        .client
        .goto(&format!("{}{path}", app.address))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_masking_reveal_and_audit_through_the_console() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.admin().await;
    submit_demo(&app).await;
    let auditor = app.user_with_role(Role::Auditor).await;
    let auditor_name = auditor.info.as_ref().unwrap().user.username.clone();
    let browser = Browser::start().await;

    // The admin creates a staff account and is shown its one-time password once.
    sign_in(&browser, &app, "admin", ADMIN_PASSWORD).await;
    open(&browser, &app, "/users").await;
    browser.find("[data-testid=users-table]").await;
    type_into(&browser, "[data-testid=new-username]", "li.staff").await;
    type_into(&browser, "[data-testid=new-display-name]", "Li Staff").await;
    click(&browser, "[data-testid=create-user-submit]").await;
    let password = browser
        .find("[data-testid=one-time-password]")
        .await
        .text()
        .await
        .unwrap();
    assert!(password.trim().chars().count() >= 12, "{password:?}");
    browser
        .find("[data-testid=user-row][data-username='li.staff']")
        .await;
    click(&browser, "[data-testid=sign-out]").await;
    browser.find("[data-testid=login-username]").await;

    // The auditor sees the resident ID masked, then reveals it with a reason.
    sign_in(&browser, &app, &auditor_name, AUDITOR_PASSWORD).await;
    open(&browser, &app, "/records").await;
    browser
        .wait_for_text("[data-testid=value-resident_id]", "1101**********1233")
        .await;
    click(&browser, "[data-testid=reveal-resident_id]").await;
    // Too short a reason is refused in the browser, at the field.
    type_into(&browser, "[data-testid=reveal-reason]", "why").await;
    click(&browser, "[data-testid=reveal-submit]").await;
    browser.find("#reveal-reason-issues li").await;
    type_into(
        &browser,
        "[data-testid=reveal-reason]",
        "Checking identity for an access request",
    )
    .await;
    click(&browser, "[data-testid=reveal-submit]").await;
    browser
        .wait_for_text("[data-testid=value-resident_id]", "110101199003071233")
        .await;

    // The reveal is in the audit log, and the chain verifies.
    open(&browser, &app, "/audit").await;
    browser
        .find("[data-testid=audit-row][data-action='records.reveal']")
        .await;
    // Who acted is shown by name.
    browser
        .wait_for_text(
            "[data-testid=audit-row][data-action='records.reveal'] [data-testid=audit-actor]",
            &auditor_name,
        )
        .await;
    let export = browser
        .find("[data-testid=audit-export]")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(export.contains("/api/v1/audit/export"), "{export}");
    click(&browser, "[data-testid=chain-verify]").await;
    browser
        .wait_for_text("[data-testid=chain-status]", "The chain is intact.")
        .await;
    let broken = browser
        .find("[data-testid=chain-report]")
        .await
        .attr("data-broken")
        .await
        .unwrap();
    assert_eq!(broken.as_deref(), Some("false"));
    browser.close().await;
}
