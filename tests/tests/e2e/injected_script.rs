//! Script stored as data (issue #18), in headless Chromium: a form whose every text,
//! an account's and a team's names and a record's answers hold `<script>` and
//! `"><img onerror>` payloads that set `window.__pwned`. The designer, the published
//! version, the console's lists and records, the audit log and the customer's form show
//! them as text; no element is made of them and no script runs.

use std::time::{Duration, Instant};

use consentry_tests::{
    browser::Browser,
    consent::{demo_answers, new_key, signed_submission, Choices},
    Backend, Expect, TestApp, ADMIN_PASSWORD,
};
use serde_json::json;
use shared::api::{
    forms::{FormDetail, VersionDetail},
    users::TeamSummary,
};

/// Both kinds of payload in one text: a script element and an attribute break-out.
const PAYLOAD: &str =
    "X<script>window.__pwned=1</script>\"><img src=x onerror=\"window.__pwned=2\">'";

/// Waits (up to 15 s) until the page's text holds `needle`.
async fn wait_for_page_text(browser: &Browser, page: &str, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(v) = browser
            .client
            .execute("return document.body.innerText", vec![])
            .await
        {
            last = v.as_str().unwrap_or_default().to_owned();
            if last.contains(needle) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    panic!(
        "{page}: the payload never showed as text; the page read {:?}",
        &last[..last.len().min(600)]
    );
}

/// No script ran and no element came from the payload, in this page or its frames.
async fn assert_inert(browser: &Browser, page: &str) {
    let verdict = browser
        .client
        .execute(
            "const docs = [document, ...Array.from(document.querySelectorAll('iframe'))
                 .map(f => { try { return f.contentDocument } catch (e) { return null } })
                 .filter(d => d)];
             const wins = [window, ...Array.from(document.querySelectorAll('iframe'))
                 .map(f => f.contentWindow)];
             let pwned = false;
             for (const w of wins) { try { if (w.__pwned !== undefined) pwned = true } catch (e) {} }
             let elements = 0;
             for (const d of docs) {
                 elements += d.querySelectorAll('img[src=\"x\"], [onerror]').length;
                 elements += Array.from(d.querySelectorAll('script'))
                     .filter(s => s.type !== 'application/json')
                     .filter(s => s.textContent.includes('__pwned')).length;
                 // Data blocks (a form's page carries its notice and version as JSON)
                 // are never run, and must hold their JSON whole: a payload that closed
                 // one would leave it unreadable.
                 for (const s of d.querySelectorAll('script[type=\"application/json\"]')) {
                     try { JSON.parse(s.textContent) } catch (e) { elements += 1 }
                 }
             }
             return {pwned, elements};",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        verdict,
        json!({"pwned": false, "elements": 0}),
        "{page}: the payload became markup or ran"
    );
}

/// The demo form's definition with every text in both languages set to [`PAYLOAD`].
fn hostile_definition() -> serde_json::Value {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                if map.contains_key("zh-CN") && map.contains_key("en") {
                    map.insert("zh-CN".into(), json!(PAYLOAD));
                    map.insert("en".into(), json!(PAYLOAD));
                    return;
                }
                map.values_mut().for_each(walk);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut def =
        serde_json::to_value(shared::schema::FormDefinition::demo_customer_registration()).unwrap();
    walk(&mut def);
    def
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_script_is_shown_as_text_and_never_runs() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.admin().await;

    // The data: a published form, a team, an account and a customer's record.
    let form: FormDetail = admin
        .post_json(
            "/forms",
            &json!({ "definition": hostile_definition() }),
            201,
        )
        .await;
    let form_id = form.summary.id;
    let version: VersionDetail = admin
        .post_json(
            &format!("/forms/{form_id}/publish"),
            &json!({"base_revision": form.summary.draft_revision}),
            201,
        )
        .await;
    let team: TeamSummary = admin
        .post_json("/teams", &json!({ "name": PAYLOAD }), 201)
        .await;
    admin
        .post("/users")
        .json(&json!({"username": "hostile.user", "display_name": PAYLOAD,
                      "role": "staff", "team_id": team.id}))
        .expect_status(201)
        .await;
    let mut answers = demo_answers();
    // A name holds at most 50 characters: the attribute break-out alone.
    answers.insert(
        "full_name".into(),
        json!("\"><img src=x onerror=\"window.__pwned=3\">"),
    );
    let submission = signed_submission(
        &version,
        &answers,
        &Choices::all_demo(),
        &new_key(),
        &uuid::Uuid::now_v7().to_string(),
    );
    app.anonymous()
        .post(&format!("/public/forms/{form_id}/submissions"))
        .json(&submission)
        .expect_status(201)
        .await;

    let browser = Browser::start().await;
    browser.open(&app, "/login?next=%2Fforms").await;
    browser.submit_login("admin", ADMIN_PASSWORD).await;
    browser.find("[data-testid=forms-page]").await;
    let shown = "X<script>window.__pwned=1</script>";
    for page in [
        "/forms".to_owned(),
        format!("/forms/{form_id}"),
        format!("/forms/{form_id}/versions/1"),
        "/users".to_owned(),
        "/records".to_owned(),
        "/assignments".to_owned(),
    ] {
        browser.open(&app, &page).await;
        wait_for_page_text(&browser, &page, shown).await;
        assert_inert(&browser, &page).await;
    }
    // The audit log names the account that acted; the payload reached it only as an id.
    browser.open(&app, "/audit").await;
    browser.find("[data-testid=chain-verify]").await;
    assert_inert(&browser, "/audit").await;

    // The customer's form, as an embedding site frames it.
    browser.open(&app, &format!("/f/{form_id}")).await;
    wait_for_page_text(&browser, "the customer's form", shown).await;
    assert_inert(&browser, "the customer's form").await;
    browser.close().await;
}
