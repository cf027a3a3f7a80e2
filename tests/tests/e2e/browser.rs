//! The web app in headless Chromium.

use consentry_tests::{browser::Browser, Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_switch_changes_the_text_and_is_remembered() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.open(&app, "/").await;

    // The browser asks for English, so the app starts in English.
    browser
        .wait_for_text("[data-testid=home-title]", "Collect personal data lawfully")
        .await;
    // The page called the API and shows the server's version.
    browser
        .wait_for_text("[data-testid=server-version]", env!("CARGO_PKG_VERSION"))
        .await;

    browser
        .click("[data-testid=lang-switch] [data-lang='zh-CN']")
        .await;
    browser
        .wait_for_text("[data-testid=home-title]", "合法合规地收集个人信息")
        .await;
    let lang = browser
        .client
        .execute("return document.documentElement.lang", vec![])
        .await
        .unwrap();
    assert_eq!(lang, serde_json::json!("zh-CN"));

    // The choice survives a reload.
    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text("[data-testid=home-title]", "合法合规地收集个人信息")
        .await;

    browser
        .click("[data-testid=lang-switch] [data-lang='en']")
        .await;
    browser
        .wait_for_text("[data-testid=home-title]", "Collect personal data lawfully")
        .await;
    browser.close().await;
}
