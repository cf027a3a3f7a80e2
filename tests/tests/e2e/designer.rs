//! The form designer in headless Chromium: an administrator builds a form with a
//! conditional field, publishes it, and sees version 1 exactly as customers will.

use std::time::{Duration, Instant};

use consentry_tests::{browser::Browser, Backend, TestApp, ADMIN_PASSWORD};
use fantoccini::Locator;
use shared::api::forms::VersionDetail;

/// The fields the test adds: kind, key, English label, Chinese label.
const FIELDS: [(&str, &str, &str, &str); 7] = [
    ("short_text", "full_name", "Full name", "姓名"),
    ("phone", "mobile", "Mobile number", "手机号码"),
    ("email", "email", "Email", "电子邮箱"),
    ("single_choice", "plan", "Plan", "套餐"),
    ("yes_no", "has_pet", "Do you have a pet?", "是否养宠物"),
    ("date", "birthday", "Date of birth", "出生日期"),
    ("short_text", "pet_name", "Pet's name", "宠物名字"),
];

/// Waits (up to 15 s) until `css` matches nothing, or until it matches something when
/// `present` is true.
async fn wait_presence(browser: &Browser, css: &str, present: bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        let found = browser.client.find(Locator::Css(css)).await.is_ok();
        if found == present {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{css} never became {}",
        if present { "present" } else { "absent" }
    );
}

/// Waits until the input matching `css` holds `expected`.
async fn wait_for_value(browser: &Browser, css: &str, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = None;
    while Instant::now() < deadline {
        if let Ok(el) = browser.client.find(Locator::Css(css)).await {
            last = el.prop("value").await.ok().flatten();
            if last.as_deref() == Some(expected) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never held {expected:?}; last seen {last:?}");
}

/// Signs the admin in through the login page, which then goes on to the forms.
async fn sign_in(browser: &Browser, app: &TestApp) {
    browser.open(app, "/login?next=%2Fforms").await;
    browser.submit_login("admin", ADMIN_PASSWORD).await;
    browser.find("[data-testid=forms-page]").await;
}

/// Adds a field of `kind` and gives it `key` and labels.
async fn add_field(browser: &Browser, kind: &str, key: &str, en: &str, zh: &str) {
    browser.select("[data-testid=field-add-kind]", kind).await;
    browser.click("[data-testid=field-add]").await;
    // The editor of the new field opens with a generated key.
    wait_for_value(browser, "[data-testid=field-key]", &format!("{kind}_1")).await;
    browser.fill("[data-testid=field-key]", key).await;
    browser.fill("[data-testid=field-label-en]", en).await;
    browser.fill("[data-testid=field-label-zh]", zh).await;
    browser
        .wait_for_text(
            &format!("[data-testid=field-row][data-field-key={key}] .field-row-label"),
            en,
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_designs_publishes_and_previews_a_form() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.admin().await;
    let browser = Browser::start().await;
    sign_in(&browser, &app).await;

    browser.axe("designer: forms list").await;
    browser.click("[data-testid=new-form]").await;
    browser.find("[data-testid=form-editor]").await;
    browser
        .wait_for_text("[data-testid=editor-title]", "Untitled form")
        .await;
    let url = browser.client.current_url().await.unwrap();
    let form_id = url.path().trim_start_matches("/forms/").to_owned();
    assert!(!form_id.is_empty() && !form_id.contains('/'), "{url}");

    // What every published form needs: who collects the data and the notice.
    browser.click("[data-testid=form-settings-toggle]").await;
    for (input, text) in [
        ("title-en", "Pet club sign-up"),
        ("title-zh", "宠物俱乐部报名"),
        ("controller-name-en", "Example Ltd"),
        ("controller-name-zh", "示例公司"),
        ("controller-contact", "privacy@example.com"),
        ("notice-en", "We collect your data to run the club."),
        ("notice-zh", "我们收集您的信息用于俱乐部会员服务。"),
    ] {
        browser.fill(&format!("[data-testid={input}]"), text).await;
    }
    browser
        .wait_for_text("[data-testid=editor-title]", "Pet club sign-up")
        .await;
    browser.axe("designer: settings").await;

    for (kind, key, en, zh) in FIELDS {
        add_field(&browser, kind, key, en, zh).await;
    }

    // The pet's name shows only when the person has a pet.
    browser.click("[data-testid=condition-add]").await;
    browser
        .select("[data-testid=condition-field]", "has_pet")
        .await;
    browser.select("[data-testid=condition-op]", "equals").await;
    browser
        .select("[data-testid=condition-value]", "true")
        .await;

    // The live preview already follows the condition.
    wait_presence(
        &browser,
        "[data-testid=preview] [data-field-key=has_pet]",
        true,
    )
    .await;
    wait_presence(
        &browser,
        "[data-testid=preview] [data-field-key=pet_name]",
        false,
    )
    .await;
    browser
        .axe("designer: fields, a condition and the preview")
        .await;

    // Autosave, then publish version 1 after confirming.
    browser
        .find("[data-testid=save-status][data-state=saved]")
        .await;
    browser.click("[data-testid=publish]:not([disabled])").await;
    browser.find("[data-testid=publish-dialog][open]").await;
    browser
        .wait_for_text("[data-testid=publish-confirm]", "Publish version 1")
        .await;
    browser.axe("designer: publish dialog").await;
    browser.click("[data-testid=publish-confirm]").await;
    browser
        .wait_for_text("[data-testid=publish-result]", "Version 1 published.")
        .await;
    browser.axe("designer: published").await;

    // The published version, rendered as customers will see it.
    browser
        .click("[data-testid=version-list] [data-testid=version-link]")
        .await;
    browser.find("[data-testid=version-view]").await;
    let hash = browser.text("[data-testid=version-hash]").await;
    assert!(hash.starts_with("sha256:"), "{hash}");
    browser.axe("designer: published version").await;
    for (_, key, en, _) in FIELDS.iter().filter(|f| f.1 != "pet_name") {
        let css = format!("[data-testid=version-preview] [data-field-key={key}]");
        let text = browser.text(&css).await;
        assert!(text.contains(en), "{key} shows {text:?}");
    }
    let pet = "[data-testid=version-preview] [data-field-key=pet_name]";
    wait_presence(&browser, pet, false).await;
    browser.click("#version-has_pet-yes").await;
    wait_presence(&browser, pet, true).await;
    browser.click("#version-has_pet-no").await;
    wait_presence(&browser, pet, false).await;
    // The designer in Chinese.
    browser.open(&app, &format!("/forms/{form_id}")).await;
    browser
        .click("[data-testid=lang-switch] [data-lang='zh-CN']")
        .await;
    browser
        .wait_for_text("[data-testid=editor-title]", "宠物俱乐部报名")
        .await;
    browser.axe("designer: editor, zh-CN").await;
    browser.dark_mode(true).await;
    browser.axe("designer: editor, zh-CN, dark").await;
    browser.close().await;

    // The API agrees: version 1 holds exactly these fields.
    let version: VersionDetail = admin
        .get_json(&format!("/forms/{form_id}/versions/1"), 200)
        .await;
    assert_eq!(version.summary.number, 1);
    assert_eq!(version.summary.hash, hash);
    let keys: Vec<&str> = version
        .definition
        .fields()
        .map(|f| f.key.as_str())
        .collect();
    let expected: Vec<&str> = FIELDS.iter().map(|f| f.1).collect();
    assert_eq!(keys, expected);
    let pet_field = version.definition.field("pet_name").unwrap();
    assert!(pet_field.visible_when.is_some());
}
