//! A customer on another website: the form embedded with `<consentry-form>`, the privacy
//! pop-up with nothing pre-ticked, marketing declined, a drawn signature, and a receipt
//! that `consentry verify` accepts — and rejects once one byte of it changes.

use std::time::{Duration, Instant};

use consentry_tests::{browser::Browser, Backend, Expect, TestApp};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::{json, Value};
use shared::api::forms::{FormDetail, VersionDetail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves `page` for every request on `127.0.0.1:0`; returns the port. The browser reaches
/// it as `http://localhost:PORT`, an origin other than the app's `http://127.0.0.1:…`.
async fn host_site(page: String) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let page = page.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut read = 0;
                while let Ok(n) = socket.read(&mut buf[read..]).await {
                    read += n;
                    if n == 0
                        || buf[..read].windows(4).any(|w| w == b"\r\n\r\n")
                        || read == buf.len()
                    {
                        break;
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                    page.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    port
}

/// The host page: the loader, the element, and a line that shows the submitted event.
fn host_page(app: &str, form_id: impl std::fmt::Display) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script src="{app}/embed/embed.js" async></script></head><body><h1>Join our club</h1>
<consentry-form form="{form_id}" server="{app}" lang="en"></consentry-form>
<p id="submitted"></p>
<script>document.addEventListener("consentry:submitted", function (e) {{
  document.getElementById("submitted").textContent = e.detail.receiptId; }});</script>
</body></html>"#
    )
}

/// Lets `origin` frame the demo form and publishes that as a new version.
async fn allow_origin(app: &TestApp, origin: &str) -> VersionDetail {
    let admin = app.admin().await;
    let id = &app.demo_form_id;
    let detail: FormDetail = admin.get_json(&format!("/forms/{id}"), 200).await;
    let mut def = detail.draft.clone();
    def.embed_origins = vec![origin.to_owned()];
    let draft = json!({"definition": def, "base_revision": detail.summary.draft_revision});
    let saved: FormDetail = admin
        .put_json(&format!("/forms/{id}/draft"), &draft, 200)
        .await;
    let publish = json!({"base_revision": saved.summary.draft_revision});
    admin
        .post_json(&format!("/forms/{id}/publish"), &publish, 201)
        .await
}

/// Waits until the element's `textContent` (visible or not) is non-empty.
async fn text_content(browser: &Browser, css: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(el) = browser.client.find(Locator::Css(css)).await {
            if let Ok(Some(t)) = el.prop("textContent").await {
                if !t.trim().is_empty() {
                    return t;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never had any text");
}

/// In the privacy pop-up: agrees to the membership service and to identity
/// verification, declines marketing.
pub(crate) async fn decline_marketing(browser: &Browser) {
    browser
        .click("label[for=purpose-membership_service-agree]")
        .await;
    browser
        .click("label[for=purpose-identity_verification-agree]")
        .await;
    browser.click("label[for=purpose-marketing-decline]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_consents_in_an_embedded_form_and_gets_a_verifiable_receipt() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let id = app.demo_form_id;
    let port = host_site(host_page(&app.address, id)).await;
    let host = format!("http://localhost:{port}");
    let version = allow_origin(&app, &host).await;
    assert_eq!(version.definition.embed_origins, vec![host.clone()]);

    // Only the listed website may frame the form; the other customer pages, nobody.
    let r = app.fetch(&format!("/f/{id}")).expect_status(200).await;
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains(&format!("frame-ancestors 'self' {host}")),
        "{csp}"
    );
    assert!(!csp.contains("http://evil.example"), "{csp}");
    for page in ["/withdraw", "/verify"] {
        let r = app.fetch(page).send().await.unwrap();
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("frame-ancestors 'none'"), "{page}: {csp}");
    }
    let r = app.fetch("/embed/embed.js").expect_status(200).await;
    assert_eq!(r.headers()["cross-origin-resource-policy"], "cross-origin");

    let browser = Browser::start().await;
    // Tall enough for the whole framed form: pointer actions in a frame land in the
    // wrong place once the host page has scrolled.
    browser.client.set_window_size(1280, 2600).await.unwrap();
    browser.client.goto(&format!("{host}/")).await.unwrap();
    let frame = browser.find("consentry-form iframe").await;
    let src = frame.attr("src").await.unwrap().unwrap();
    assert_eq!(src, format!("{}/f/{id}?lang=en", app.address));
    frame.enter_frame().await.unwrap();

    // The privacy pop-up comes first, and nothing in it is ticked.
    browser
        .find("dialog[open][data-testid=privacy-dialog]")
        .await;
    browser
        .find("[data-testid=purpose-marketing-decline]")
        .await;
    let ticked = browser
        .client
        .execute(
            "const all = [...document.querySelectorAll('dialog input')]; \
             return [all.length, all.filter(i => i.checked).length];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        ticked,
        json!([7, 0]),
        "inputs in the pop-up, and how many are ticked"
    );
    // The form is not shown before the choices are made.
    assert!(browser.client.find(Locator::Css("#cf")).await.is_err());
    browser.axe("customer: privacy pop-up").await;
    decline_marketing(&browser).await;
    // Without the separate consent to sensitive information the form cannot start.
    browser.click("[data-testid=privacy-continue]").await;
    browser.find("[data-testid=privacy-problems]").await;
    browser.axe("customer: privacy pop-up, with problems").await;
    browser.click("label[for=consent-sensitive]").await;
    browser.click("[data-testid=privacy-continue]").await;

    // Page 1: about you. Next with nothing filled in shows the problems at the fields.
    browser.find("#cf-full_name").await;
    browser.axe("customer: form page 1").await;
    browser.click("[data-testid=form-next]").await;
    browser.find("[data-testid=form-issues-summary]").await;
    browser.find("#cf-full_name-issues li").await;
    browser.axe("customer: form page 1, with problems").await;
    browser.fill("#cf-full_name", "张三").await;
    browser.fill("#cf-mobile", "138 0013 8000").await;
    browser.fill("#cf-email", "zhang.san@example.com").await;
    browser.click("[data-testid=form-next]").await;
    // Page 2: the sensitive resident ID.
    browser.find("#cf-resident_id").await;
    browser.axe("customer: form page 2").await;
    browser.fill("#cf-resident_id", "110101199003071233").await;
    browser.click("[data-testid=form-next]").await;
    // Page 3: marketing was declined, so its fields are not there at all.
    browser.find("[data-field-key=interests]").await;
    for key in [
        "marketing_opt_in",
        "preferred_channel",
        "messages_per_month",
    ] {
        let css = format!("[data-field-key={key}]");
        assert!(
            browser.client.find(Locator::Css(&css)).await.is_err(),
            "{key} is shown"
        );
    }
    browser.axe("customer: form page 3").await;
    browser.click("[data-testid=form-next]").await;

    // Page 4: a drawn signature.
    browser.find("#cf-signature").await;
    browser.axe("customer: signature, typed").await;
    browser.click("label[for=cf-signature-method-drawn]").await;
    let canvas = browser.find("canvas#cf-signature").await;
    let stroke = MouseActions::new("pen".to_owned())
        .then(PointerAction::MoveToElement {
            element: canvas,
            duration: None,
            x: -120.0,
            y: 10.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(50)),
            x: 60.0,
            y: -20.0,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(50)),
            x: 80.0,
            y: 25.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser.client.perform_actions(stroke).await.unwrap();
    browser.find(".signature-actions [role=status]").await;
    browser.axe("customer: signature, drawn").await;
    browser.click("[data-testid=form-submit]").await;

    // The receipt.
    browser.find("[data-testid=receipt]").await;
    browser.axe("customer: receipt").await;
    let receipt_id = text_content(&browser, "[data-testid=receipt-id]")
        .await
        .trim()
        .to_owned();
    let declined = text_content(&browser, "[data-testid=receipt-declined]").await;
    assert_eq!(declined.trim(), "Marketing", "declined purposes as shown");
    let json_text = text_content(&browser, "[data-testid=receipt-json]").await;
    let doc: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(doc["format"], "consentry-receipt-v1");
    let statement = &doc["receipt"]["body"]["statement"];
    assert_eq!(statement["receipt_id"], receipt_id.as_str());
    assert_eq!(statement["purposes_declined"], json!(["marketing"]));
    assert_eq!(statement["separate_consents"]["sensitive"], true);
    // The statement's hashes are keyed; the customer's copy holds the key, the signed
    // receipt (what the server stores and anyone may be shown) does not.
    for hash in ["signature_hash", "subject_hash", "record_hash"] {
        assert!(
            statement[hash]
                .as_str()
                .unwrap()
                .starts_with("hmac-sha256:"),
            "{hash}: {}",
            statement[hash]
        );
    }
    assert!(statement.get("subject_salt").is_none());
    assert_eq!(doc["hash_key"].as_str().map(str::len), Some(43));
    assert!(doc["receipt"].get("hash_key").is_none());
    let link = browser
        .attr("[data-testid=withdraw-link]", "href")
        .await
        .unwrap();
    assert!(
        link.starts_with(&format!("{}/withdraw#{receipt_id}.", app.address)),
        "{link}"
    );

    // The host page heard about it.
    browser.client.enter_parent_frame().await.unwrap();
    browser.wait_for_text("#submitted", &receipt_id).await;

    // Stored exactly once; the receipt verifies offline, and not after one changed byte.
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 1);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("receipt.json");
    std::fs::write(&file, &json_text).unwrap();
    let (code, message) = consentry_server::receipt_cli::verify_file(&file, None);
    assert_eq!(code, 0, "{message}");
    let at = json_text.find("\"purposes_declined\"").unwrap();
    let word = at + json_text[at..].find("\"marketing\"").unwrap() + 1;
    let original = json_text.clone();
    let mut bytes = json_text.into_bytes();
    bytes[word] = b'n';
    std::fs::write(&file, &bytes).unwrap();
    let (code, message) = consentry_server::receipt_cli::verify_file(&file, None);
    assert_eq!(code, 1, "{message}");

    // The withdrawal link shows the consent and withdraws as easily as it was given.
    browser.client.goto(&link).await.unwrap();
    browser.find("label[for=withdraw-membership_service]").await;
    browser.axe("customer: withdraw").await;
    browser
        .click("label[for=withdraw-membership_service]")
        .await;
    browser.click("[data-testid=withdraw-submit]").await;
    let withdrawal = text_content(&browser, "[data-testid=withdrawal-json]").await;
    let withdrawal: Value = serde_json::from_str(&withdrawal).unwrap();
    assert_eq!(
        withdrawal["body"]["purposes_withdrawn"],
        json!(["membership_service"])
    );
    browser
        .find("[data-purpose=membership_service] input:disabled")
        .await;
    browser.axe("customer: withdraw, withdrawn").await;

    // Anyone can check the receipt on the verify page: by the server and in the browser.
    browser.open(&app, "/verify").await;
    browser.find("[data-testid=verify-text]").await;
    browser.axe("customer: verify").await;
    browser.fill("[data-testid=verify-text]", &original).await;
    browser.click("[data-testid=verify-submit]").await;
    browser
        .find("[data-testid=verify-server][data-valid=true]")
        .await;
    browser
        .find("[data-testid=verify-local][data-valid=true]")
        .await;
    // With the key in the customer's copy, the page tells whether it names them.
    browser
        .fill("[data-testid=verify-subject]", "13800138001")
        .await;
    browser.click("[data-testid=verify-subject-submit]").await;
    browser
        .wait_for_text(
            "[data-testid=verify-subject-result]",
            "This receipt does not name this person.",
        )
        .await;
    browser
        .fill("[data-testid=verify-subject]", "138 0013 8000")
        .await;
    browser.click("[data-testid=verify-subject-submit]").await;
    browser
        .wait_for_text(
            "[data-testid=verify-subject-result]",
            "This receipt names this person.",
        )
        .await;
    browser.axe("customer: verify, verified").await;
    // The same page in Chinese.
    browser
        .click("[data-testid=lang-switch] [data-lang='zh-CN']")
        .await;
    browser.find("html[lang=zh-CN]").await;
    browser.axe("customer: verify, verified, zh-CN").await;
    browser.close().await;
}

/// Whether the checkbox or radio button matching `css` is ticked.
async fn checked(browser: &Browser, css: &str) -> bool {
    let checked = browser.find(css).await.prop("checked").await.unwrap();
    checked.as_deref() == Some("true")
}

/// Waits (up to 5 s) until the element matching `css` has keyboard focus.
async fn wait_for_focus(browser: &Browser, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !browser.focus_is(css).await {
        assert!(
            Instant::now() < deadline,
            "{css} never had focus; {:?} has",
            browser.focus().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The whole customer flow with the keyboard alone, in Chinese and dark mode (axe checks
/// each step in these too): Tab and Shift+Tab
/// between controls, Space to tick, the arrow keys within a pair of radio buttons,
/// Enter to go on; never a click. Every stop shows where focus is; the pop-up keeps
/// focus while it is open, and focus then goes where the customer goes on: the form's
/// title, each new page's heading (the next Tab reaches its first field), the receipt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_completes_the_form_with_the_keyboard_alone() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.dark_mode(true).await;
    browser
        .open(&app, &format!("/f/{}?lang=zh-CN", app.demo_form_id))
        .await;
    browser
        .find("dialog[open][data-testid=privacy-dialog]")
        .await;
    browser.find("html[lang=zh-CN]").await;
    browser.axe("customer, zh-CN, dark: privacy pop-up").await;

    // The pop-up: agree, decline marketing with the arrow key, agree, tick the separate
    // consent.
    browser
        .tab_to("#purpose-membership_service-agree", false, 10)
        .await;
    browser.press(&[Key::Space]).await;
    browser.tab_to("#purpose-marketing-agree", false, 3).await;
    browser.press(&[Key::Down]).await;
    assert!(checked(&browser, "#purpose-marketing-decline").await);
    assert!(!checked(&browser, "#purpose-marketing-agree").await);
    browser
        .tab_to("#purpose-identity_verification-agree", false, 3)
        .await;
    browser.press(&[Key::Space]).await;
    browser.tab_to("#consent-sensitive", false, 3).await;
    browser.press(&[Key::Space]).await;
    assert!(checked(&browser, "#consent-sensitive").await);
    browser
        .tab_to("[data-testid=privacy-continue]", false, 3)
        .await;
    // Focus goes round inside the pop-up, both ways (past its ends, to the browser's own
    // controls, never to the page behind), and Escape does not close it.
    browser
        .tab_to("#purpose-membership_service-agree", false, 20)
        .await;
    browser
        .tab_to("[data-testid=privacy-continue]", true, 20)
        .await;
    browser.press(&[Key::Escape]).await;
    browser
        .find("dialog[open][data-testid=privacy-dialog]")
        .await;
    browser.press(&[Key::Enter]).await;

    // Page 1: focus goes on to the form, whose first field is the next stop.
    wait_for_focus(&browser, "#cf .rendered-form-title").await;
    browser.axe("customer, zh-CN, dark: form page 1").await;
    browser.tab_to("#cf-full_name", false, 1).await;
    browser.type_keys("Zhang San").await;
    browser.tab_to("#cf-mobile", false, 1).await;
    browser.type_keys("13800138000").await;
    browser.tab_to("#cf-email", false, 1).await;
    browser.type_keys("zhang.san@example.com").await;
    browser.tab_to("[data-testid=form-next]", false, 12).await;
    browser.press(&[Key::Enter]).await;

    // Page 2: the resident ID. Focus is at the new page's heading.
    wait_for_focus(&browser, "#cf-section-identity").await;
    browser.axe("customer, zh-CN, dark: form page 2").await;
    browser.tab_to("#cf-resident_id", false, 1).await;
    browser.type_keys("110101199003071233").await;
    browser.tab_to("[data-testid=form-next]", false, 3).await;
    browser.press(&[Key::Enter]).await;

    // Page 3: one interest ticked with Space, the address left empty.
    wait_for_focus(&browser, "#cf-section-preferences").await;
    browser.axe("customer, zh-CN, dark: form page 3").await;
    browser
        .tab_to("[data-field-key=interests] input", false, 1)
        .await;
    browser.press(&[Key::Space]).await;
    browser.tab_to("[data-testid=form-next]", false, 16).await;
    browser.press(&[Key::Enter]).await;

    // Page 4: a typed signature, then send.
    wait_for_focus(&browser, "#cf .form-section-title").await;
    browser.tab_to("#cf-signature", false, 4).await;
    browser.type_keys("Zhang San").await;
    browser.axe("customer, zh-CN, dark: signature").await;
    browser.tab_to("[data-testid=form-submit]", false, 6).await;
    browser.press(&[Key::Enter]).await;

    // The receipt, its heading focused.
    wait_for_focus(&browser, "#receipt-title").await;
    browser.axe("customer, zh-CN, dark: receipt").await;
    browser
        .wait_for_text("[data-testid=receipt-declined]", "营销推广")
        .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 1);
    browser.close().await;
}
