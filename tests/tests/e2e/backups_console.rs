//! The Backups page (issue #24), in headless Chromium: an admin sees that no off-site
//! folder is configured, backs up now and watches the backup appear done with its
//! drill passed, the last backup and drill cards filled; an auditor sees the page
//! without the button. Every step passes axe, and the page fits a phone.

use consentry_tests::{browser::Browser, Backend, TestApp, ADMIN_PASSWORD, USER_PASSWORD};
use shared::api::auth::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_backs_up_now_and_reads_the_drill() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.admin().await;
    app.submit_demo().await;
    let auditor = app.user_with_role(Role::Auditor).await;
    let auditor_name = auditor.user().username.clone();
    let browser = Browser::start().await;
    browser.sign_in(&app, "admin", ADMIN_PASSWORD).await;

    browser.click("[data-testid=nav-backups]").await;
    browser.find("[data-testid=backups-page]").await;
    browser.find("[data-testid=backups-empty]").await;
    browser
        .find("[data-testid=backups-problem][data-problem=no_offsite]")
        .await;
    browser.axe("console: backups, none yet").await;

    browser.click("[data-testid=backups-now]").await;
    let done = "[data-testid=backups-row][data-state=done][data-drill=passed]";
    browser.find(done).await;
    let id = browser.attr(done, "data-id").await.unwrap();
    assert!(browser
        .text("[data-testid=backups-last-backup]")
        .await
        .contains("consentry-"));
    browser
        .find("[data-testid=backups-last-drill] [data-drill=passed]")
        .await;
    browser.axe("console: backups, one made").await;
    let (width, screen) = browser.width_on_a_phone().await;
    assert!(
        width <= screen,
        "the Backups page is {width}px wide on a {screen}px phone"
    );
    // The file is where the page says, named as the row says.
    let files: Vec<String> = std::fs::read_dir(app.data_dir.path().join("backups"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(!id.is_empty());

    // An auditor reads the same page, without the button.
    browser.client.delete_all_cookies().await.unwrap();
    browser.sign_in(&app, &auditor_name, USER_PASSWORD).await;
    browser.open(&app, "/backups").await;
    browser.find(done).await;
    assert!(browser
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=backups-now]"))
        .await
        .unwrap()
        .is_empty());
    browser.axe("console: backups, as an auditor").await;
    browser.close().await;
}
