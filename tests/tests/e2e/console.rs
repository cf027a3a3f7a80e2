//! The console in headless Chromium: an admin creates an account and sees its one-time
//! password; an auditor sees a resident ID masked, reveals it with a reason, finds the
//! reveal in the audit log and verifies the chain.

use consentry_tests::{browser::Browser, Backend, TestApp, ADMIN_PASSWORD, USER_PASSWORD};
use shared::api::auth::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_masking_reveal_and_audit_through_the_console() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.admin().await;
    app.submit_demo().await;
    let auditor = app.user_with_role(Role::Auditor).await;
    let auditor_name = auditor.user().username.clone();
    let browser = Browser::start().await;

    // The sign-in page, the home page and the admin's account page.
    browser.open(&app, "/login").await;
    browser.find("[data-testid=login-username]").await;
    browser.axe("console: sign-in").await;
    browser.submit_login("admin", "not the password").await;
    browser.find("[data-testid=form-error]").await;
    browser.axe("console: sign-in, refused").await;
    browser.sign_in(&app, "admin", ADMIN_PASSWORD).await;
    browser.axe("console: account").await;
    browser.open(&app, "/").await;
    browser
        .wait_for_text("[data-testid=server-version]", env!("CARGO_PKG_VERSION"))
        .await;
    browser.axe("console: home").await;

    // The API's contract, browsable: an operation opens with its schemas.
    browser.open(&app, "/api-docs").await;
    let sync = "[data-testid=api-operation][data-method=POST][data-path='/sync']";
    browser.click(&format!("{sync} summary")).await;
    browser.find(&format!("{sync} details[open]")).await;
    browser.axe("console: API documentation").await;

    // The admin creates a staff account and is shown its one-time password once.
    browser.open(&app, "/users").await;
    browser.find("[data-testid=users-table]").await;
    browser.axe("console: users").await;
    browser.fill("[data-testid=new-username]", "li.staff").await;
    browser
        .fill("[data-testid=new-display-name]", "Li Staff")
        .await;
    browser.click("[data-testid=create-user-submit]").await;
    let password = browser.text("[data-testid=one-time-password]").await;
    assert!(password.trim().chars().count() >= 12, "{password:?}");
    browser
        .find("[data-testid=user-row][data-username='li.staff']")
        .await;
    browser.axe("console: users, a one-time password").await;

    // The other pages of the console, as the admin sees them.
    browser.click("[data-testid=nav-assignments]").await;
    browser.find("[data-testid=assign-form]").await;
    browser.axe("console: assignments").await;
    browser.click("[data-testid=nav-conflicts]").await;
    browser.find("[data-testid=no-conflicts]").await;
    browser.axe("console: conflicts, none").await;

    // The customer asks at the counter to stop marketing: the admin records it.
    browser.open(&app, "/records").await;
    browser.click("[data-testid=record-withdrawal-open]").await;
    browser
        .click("[data-testid=record-withdrawal-purpose][data-key=marketing]")
        .await;
    browser.axe("console: recording a withdrawal").await;
    browser
        .click("[data-testid=record-withdrawal-submit]")
        .await;
    // Neither a reason nor a signature: refused at the field.
    browser.find("[data-error-for=reason] li").await;
    browser
        .fill(
            "[data-testid=record-withdrawal-reason]",
            "Asked at the counter; ID card checked",
        )
        .await;
    browser
        .click("[data-testid=record-withdrawal-submit]")
        .await;
    browser.find("[data-testid=record-withdrawal-done]").await;
    browser.axe("console: a withdrawal recorded").await;
    browser.click("[data-testid=record-withdrawal-close]").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM consent_withdrawals WHERE recorded_by IS NOT NULL")
            .await,
        1
    );
    // Signing out from the records page leaves it cleanly (it once panicked there).
    browser.click("[data-testid=sign-out]").await;
    browser.find("[data-testid=login-username]").await;

    // The auditor sees the resident ID masked, then reveals it with a reason.
    browser.sign_in(&app, &auditor_name, USER_PASSWORD).await;
    browser.open(&app, "/records").await;
    browser
        .wait_for_text("[data-testid=value-resident_id]", "1101**********1233")
        .await;
    browser.axe("console: records").await;
    browser.click("[data-testid=reveal-resident_id]").await;
    browser.find("[data-testid=reveal-reason]").await;
    browser.axe("console: a record, the reveal dialog").await;
    // Too short a reason is refused in the browser, at the field.
    browser.fill("[data-testid=reveal-reason]", "why").await;
    browser.click("[data-testid=reveal-submit]").await;
    browser.find("#reveal-reason-issues li").await;
    browser
        .axe("console: a record, the reveal dialog with a problem")
        .await;
    browser
        .fill(
            "[data-testid=reveal-reason]",
            "Checking identity for an access request",
        )
        .await;
    browser.click("[data-testid=reveal-submit]").await;
    browser
        .wait_for_text("[data-testid=value-resident_id]", "110101199003071233")
        .await;
    browser.axe("console: a record, revealed").await;

    // The reveal is in the audit log, and the chain verifies.
    browser.open(&app, "/audit").await;
    browser
        .find("[data-testid=audit-row][data-action='records.reveal']")
        .await;
    // The reason is shown to the auditor, opened by the server (the entry holds it sealed).
    browser
        .click("[data-testid=audit-row][data-action='records.reveal'] summary")
        .await;
    browser
        .wait_for_text(
            "[data-testid=audit-row][data-action='records.reveal'] [data-testid=audit-reveal-reason]",
            "Checking identity for an access request",
        )
        .await;
    // Who acted is shown by name.
    browser
        .wait_for_text(
            "[data-testid=audit-row][data-action='records.reveal'] [data-testid=audit-actor]",
            &auditor_name,
        )
        .await;
    let export = browser
        .attr("[data-testid=audit-export]", "href")
        .await
        .unwrap_or_default();
    assert!(export.contains("/api/v1/audit/export"), "{export}");
    browser.click("[data-testid=chain-verify]").await;
    browser
        .wait_for_text("[data-testid=chain-status]", "The chain is intact.")
        .await;
    let broken = browser
        .attr("[data-testid=chain-report]", "data-broken")
        .await;
    assert_eq!(broken.as_deref(), Some("false"));
    browser.axe("console: audit").await;
    // The console in Chinese.
    browser
        .click("[data-testid=lang-switch] [data-lang='zh-CN']")
        .await;
    browser.find("html[lang=zh-CN]").await;
    browser.axe("console: audit, zh-CN").await;
    browser.dark_mode(true).await;
    browser.axe("console: audit, zh-CN, dark").await;
    browser.open(&app, "/records").await;
    browser
        .wait_for_text("[data-testid=value-resident_id]", "1101**********1233")
        .await;
    browser.axe("console: records, zh-CN, dark").await;
    browser.close().await;
}

/// A step whose code the server accepts now and that is newer than `last` (codes work
/// once). Waits out the last second of a step, so the browser's request lands in it.
async fn totp_step(last: Option<i64>) -> i64 {
    use consentry_server::{auth::totp::step_at, store::now_ms};
    if now_ms().rem_euclid(30_000) > 28_500 {
        tokio::time::sleep(std::time::Duration::from_millis(2_000)).await;
    }
    let now = step_at(now_ms());
    last.map_or(now - 1, |l| (l + 1).max(now - 1))
}

/// Two-step sign-in through the console: a staff member sets up an authenticator from
/// the secret shown on the account page (a wrong code is refused at its field), and
/// from then on signs in with a code after the password; a wrong code sends them back
/// to the password with an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_step_sign_in_is_set_up_and_used_through_the_console() {
    use consentry_server::auth::totp::{code_at, decode_base32};
    let app = TestApp::spawn(Backend::Sqlite).await;
    let staff = app.user_with_role(Role::Staff).await;
    let username = staff.user().username.clone();
    let browser = Browser::start().await;

    browser.sign_in(&app, &username, USER_PASSWORD).await;
    browser.open(&app, "/account").await;
    browser.click("[data-testid=totp-setup]").await;
    let secret = browser.text("[data-testid=totp-secret]").await;
    let secret = decode_base32(secret.trim()).expect("a base32 secret");
    let uri = browser.text("[data-testid=totp-uri]").await;
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    browser.axe("console: account, two-step set-up").await;

    // A wrong code is refused next to the field; the right one turns it on.
    let step = totp_step(None).await;
    let right = code_at(&secret, step);
    // Wrong for every step the server could accept around now.
    let taken: Vec<String> = ((step - 2)..=(step + 4))
        .map(|s| code_at(&secret, s))
        .collect();
    let wrong = (0..)
        .map(|n| format!("{:06}", 123_456 + n))
        .find(|c| !taken.contains(c))
        .unwrap();
    let wrong = wrong.as_str();
    // The password is asked again: without it, nothing is sent.
    browser.fill("[data-testid=totp-code]", wrong).await;
    browser.click("[data-testid=totp-enable]").await;
    browser.find("#totp-password-issues li").await;
    browser
        .fill("[data-testid=totp-password]", USER_PASSWORD)
        .await;
    browser.fill("[data-testid=totp-code]", wrong).await;
    browser.click("[data-testid=totp-enable]").await;
    browser.find("#totp-code-issues li").await;
    browser
        .axe("console: account, two-step set-up with a problem")
        .await;
    browser
        .fill("[data-testid=totp-password]", USER_PASSWORD)
        .await;
    browser.fill("[data-testid=totp-code]", &right).await;
    browser.click("[data-testid=totp-enable]").await;
    browser
        .wait_for_text("[data-testid=totp-status]", "Two-step sign-in is now on.")
        .await;
    browser.click("[data-testid=sign-out]").await;

    // The password alone is not enough: the form asks for the code as well.
    let enter_password = || async {
        browser.open(&app, "/login").await;
        browser.submit_login(&username, USER_PASSWORD).await;
        browser.find("[data-testid=login-totp-intro]").await;
    };
    enter_password().await;
    browser.axe("console: sign-in, the code").await;
    browser.fill("[data-testid=login-totp]", wrong).await;
    browser.click("[data-testid=login-submit]").await;
    browser.find("[data-testid=form-error]").await;
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("[data-testid=login-totp]"))
            .await
            .is_err(),
        "a wrong code starts again from the password"
    );
    enter_password().await;
    let next = code_at(&secret, totp_step(Some(step)).await);
    browser.fill("[data-testid=login-totp]", &next).await;
    browser.click("[data-testid=login-submit]").await;
    browser
        .wait_for_text("[data-testid=account-username]", &username)
        .await;
    browser.close().await;
}
