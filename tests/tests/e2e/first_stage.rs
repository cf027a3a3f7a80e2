//! The customer component's first stage: on a form's page the privacy pop-up comes up
//! before any of the form app is asked for, in the customer's language, with the same
//! rule; the choices and the language go over to the form app when the customer
//! continues.

use consentry_tests::{browser::Browser, Backend, TestApp};
use serde_json::Value;

use crate::customer::decline_marketing;

/// What the page fetched and when, against the first stage's mark (`consentry:popup`).
const TIMING: &str = "const mark = performance.getEntriesByName('consentry:popup')[0];
return { popup: mark ? mark.startTime : null,
  resources: performance.getEntriesByType('resource')
    .map((e) => ({ name: new URL(e.name).pathname, start: e.startTime, end: e.responseEnd,
      initiator: e.initiatorType })) };";

/// How many elements the first stage drew are still in the page.
async fn first_stage_elements(browser: &Browser) -> u64 {
    let script = "return document.querySelectorAll('[data-first-stage]').length";
    let count = browser.client.execute(script, vec![]).await.unwrap();
    count.as_u64().expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pop_up_comes_first_and_its_choices_go_over_to_the_form() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser
        .open(&app, &format!("/f/{}?lang=en", app.demo_form_id))
        .await;
    browser
        .find("dialog[open][data-testid=privacy-dialog]")
        .await;
    browser
        .wait_for_text(
            "#privacy-title",
            "Before you start: how your information is used",
        )
        .await;

    // Nothing of the form app was asked for before the pop-up was up; it comes after.
    let mut timing = Value::Null;
    for _ in 0..100 {
        timing = browser.client.execute(TIMING, vec![]).await.unwrap();
        let names = timing["resources"].as_array().cloned().unwrap_or_default();
        if names.iter().any(|r| {
            r["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("/embed/form/") && n.ends_with(".wasm"))
        }) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let popup = timing["popup"].as_f64().expect("the pop-up's mark");
    let resources = timing["resources"].as_array().unwrap();
    let form_app: Vec<&Value> = resources
        .iter()
        .filter(|r| r["name"].as_str().unwrap().starts_with("/embed/form/"))
        .collect();
    assert!(
        form_app
            .iter()
            .any(|r| r["name"].as_str().unwrap().ends_with(".wasm")),
        "the form app is loaded while the customer reads: {timing}"
    );
    for r in &form_app {
        assert!(r["start"].as_f64().unwrap() >= popup, "{r} before {popup}");
    }
    // Its JS module and WASM are asked for with its start script, not after it.
    let start_script = resources
        .iter()
        .filter(|r| r["name"].as_str().unwrap().starts_with("/_app/boot/"))
        .find(|r| r["start"].as_f64().unwrap() >= popup)
        .expect("the form app's start script");
    for r in &form_app {
        assert!(
            r["start"].as_f64().unwrap() < start_script["end"].as_f64().unwrap(),
            "{r} waited for the start script {start_script}"
        );
    }
    let wasm = form_app
        .iter()
        .find(|r| r["name"].as_str().unwrap().ends_with(".wasm"))
        .unwrap();
    assert_eq!(wasm["initiator"], "link", "preloaded: {wasm}");
    let early_wasm: Vec<&str> = resources
        .iter()
        .filter(|r| r["start"].as_f64().unwrap() < popup)
        .filter_map(|r| r["name"].as_str())
        .filter(|n| n.ends_with(".wasm"))
        .collect();
    assert_eq!(early_wasm.len(), 1, "{early_wasm:?}");
    assert!(
        early_wasm[0].starts_with("/embed/consentry-notice"),
        "{early_wasm:?}"
    );
    browser.axe("first stage: privacy pop-up").await;

    // Escape, before any other key or click, may close a modal dialog in Chromium: the
    // pop-up opens again, since nothing was chosen.
    browser.press(&[fantoccini::key::Key::Escape]).await;
    browser
        .find("dialog[open][data-testid=privacy-dialog]")
        .await;
    // Its own language switch (the page behind it is inert) redraws it in Chinese, and
    // keeps the focus on the button pressed.
    browser
        .click("dialog [data-testid=lang-switch] [data-lang='zh-CN']")
        .await;
    browser.find("html[lang=zh-CN]").await;
    browser
        .find("dialog [data-lang='zh-CN'][aria-pressed=true]:focus")
        .await;
    browser
        .find("dialog[open][data-testid=privacy-dialog]")
        .await;
    browser.press(&[fantoccini::key::Key::Escape]).await;
    browser.press(&[fantoccini::key::Key::Escape]).await;
    browser
        .find("dialog[open][data-testid=privacy-dialog]")
        .await;
    let title = browser.text("#privacy-title").await;
    assert!(!title.contains("Before"), "{title}");

    // The same rule as everywhere: every purpose decided, sensitive consent when asked.
    browser.click("[data-testid=privacy-continue]").await;
    browser.find("[data-testid=privacy-problems]").await;
    decline_marketing(&browser).await;
    browser.click("[data-testid=privacy-continue]").await;
    let problems = browser.text("[data-testid=privacy-problems]").await;
    assert_eq!(
        problems.lines().filter(|l| !l.trim().is_empty()).count(),
        1,
        "{problems}"
    );
    browser
        .axe("first stage: privacy pop-up, with problems, zh-CN")
        .await;
    browser.click("label[for=consent-sensitive]").await;
    browser.click("[data-testid=privacy-continue]").await;

    // The form app has the page now: the form, in Chinese, first stage gone.
    browser.find("#cf-full_name").await;
    browser.find("html[lang=zh-CN]").await;
    browser
        .find("[data-testid=lang-switch] [data-lang='zh-CN'][aria-pressed=true]")
        .await;
    assert_eq!(first_stage_elements(&browser).await, 0);
    // Reviewing the choices shows what was chosen in the first stage.
    browser.click("[data-testid=review-choices]").await;
    browser
        .find("dialog[open][data-testid=privacy-dialog]")
        .await;
    for (css, expected) in [
        ("#purpose-marketing-decline", true),
        ("#purpose-marketing-agree", false),
        ("#purpose-membership_service-agree", true),
        ("#consent-sensitive", true),
    ] {
        let checked = browser.find(css).await.prop("checked").await.unwrap();
        assert_eq!(
            checked.as_deref(),
            Some(if expected { "true" } else { "false" }),
            "{css}"
        );
    }
    assert!(browser.panics().await.is_empty());
    browser.close().await;
}

/// Where the first stage has no pop-up to show, it only says "loading" and the form app
/// takes the page at once: an unknown form, and a kept submission (here one the form
/// app cannot read, so it starts over with its own pop-up).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_pop_up_to_show_the_form_app_takes_over_at_once() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser
        .open(&app, &format!("/f/{}?lang=en", uuid::Uuid::new_v4()))
        .await;
    browser
        .wait_for_text("p.alert-error", "This form is not available.")
        .await;
    assert_eq!(first_stage_elements(&browser).await, 0);

    let id = app.demo_form_id;
    browser
        .client
        .execute(
            &format!(
                "sessionStorage.setItem('consentry.pending.{id}', \
                 JSON.stringify({{ kept_at_ms: Date.now() }}))"
            ),
            vec![],
        )
        .await
        .unwrap();
    browser.open(&app, &format!("/f/{id}?lang=en")).await;
    browser
        .find("dialog[open][data-testid=privacy-dialog]")
        .await;
    assert_eq!(
        first_stage_elements(&browser).await,
        0,
        "the pop-up is the form app's own"
    );
    assert!(browser.panics().await.is_empty());
    browser.close().await;
}
