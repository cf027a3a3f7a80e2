//! A staff member collects offline in Chromium: signs in, registers this browser as a
//! device, finds the demo form assigned to them on the Collect page (no link to paste),
//! loses the network, collects three records (consent
//! in the privacy pop-up, answers, a signature), reloads the page still offline (the
//! service worker serves the app, IndexedDB still holds the outbox), and sees all three
//! synced once the network returns. The records are sealed on the device: after the
//! reload they open only with the staff member's password. Then: a synced record edited
//! offline is merged by the server once the network returns; a revoked device's records
//! open with the password and its renewed key takes over the vault; a password changed
//! on the account page is the one that opens them offline.

use std::time::{Duration, Instant};

use consentry_tests::{browser::Browser, Backend, Expect, TestApp, ADMIN_PASSWORD, USER_PASSWORD};
use fantoccini::Locator;
use serde_json::json;
use shared::api::auth::Role;

use crate::customer::decline_marketing;

/// Switches the page's network off or on, as DevTools' "Offline" does.
async fn network(browser: &Browser, online: bool) {
    for (cmd, params) in [
        ("Network.enable", json!({})),
        (
            "Network.emulateNetworkConditions",
            json!({"offline": !online, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
        ),
    ] {
        browser.cdp(cmd, params).await;
    }
}

/// The registered device's id, as the Collect page shows it.
async fn device_id(browser: &Browser) -> String {
    browser.text("[data-testid=device-id]").await
}

/// Waits (up to `secs`) until the element matching `css` reads `expected`.
async fn wait_text(browser: &Browser, css: &str, expected: &str, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = browser.client.find(Locator::Css(css)).await {
            if let Ok(Some(text)) = el.prop("textContent").await {
                if text.trim() == expected {
                    return;
                }
                last = text;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{css} never read {expected:?}; last seen {last:?}");
}

/// One customer: the privacy pop-up (marketing declined, sensitive data consented), the
/// four pages of the demo form and a typed signature; the record is then saved locally.
async fn collect_one(browser: &Browser, name: &str) {
    browser
        .find("dialog[open][data-testid=privacy-dialog]")
        .await;
    decline_marketing(browser).await;
    browser.click("label[for=consent-sensitive]").await;
    browser.click("[data-testid=privacy-continue]").await;
    browser.fill("#cc-full_name", name).await;
    browser.fill("#cc-mobile", "138 0013 8000").await;
    browser.fill("#cc-email", "zhang.san@example.com").await;
    browser.click("[data-testid=form-next]").await;
    browser.fill("#cc-resident_id", "110101199003071233").await;
    browser.click("[data-testid=form-next]").await;
    browser.find("[data-field-key=interests]").await;
    browser.click("[data-testid=form-next]").await;
    browser.fill("#cc-signature", name).await;
    browser.click("[data-testid=form-submit]").await;
    browser.find("[data-testid=saved-pending]").await;
}

/// Types `password` into the locked Collect page and submits it.
async fn unlock(browser: &Browser, password: &str) {
    browser
        .fill("[data-testid=unlock-password]", password)
        .await;
    browser.click("[data-testid=unlock-submit]").await;
}

/// Opens Collect from the navigation, registers the browser as a device and waits for
/// the demo form (assigned beforehand) to be kept on it, ready offline.
async fn collect_page_with_device(browser: &Browser, app: &TestApp) {
    browser.click("[data-testid=nav-collect]").await;
    browser.find("[data-testid=collect-page]").await;
    browser.click("[data-testid=device-register]").await;
    browser
        .find("[data-testid=device-status][data-state=registered]")
        .await;
    browser
        .find(&format!(
            "[data-testid=cached-form][data-form-id='{}'][data-state=assigned]",
            app.demo_form_id
        ))
        .await;
    browser.find("[data-testid=offline-ready]").await;
}

/// A new staff member with the demo form assigned to them, signed in through the page,
/// with this browser registered as their device.
async fn staff_with_device(app: &TestApp) -> Browser {
    let staff = app.user_with_role(Role::Staff).await;
    let user = staff.user().clone();
    app.admin()
        .await
        .put(&format!("/form-assignments/{}", app.demo_form_id))
        .json(&json!({ "users": [user.id] }))
        .expect_status(200)
        .await;
    let browser = Browser::start().await;
    browser.sign_in(app, &user.username, USER_PASSWORD).await;
    collect_page_with_device(&browser, app).await;
    browser
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_collect_three_records_offline_and_they_sync_when_back_online() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let browser = staff_with_device(&app).await;

    browser.axe("collect: a registered device").await;

    // The network goes away; three customers are served all the same.
    network(&browser, false).await;
    browser.find(".collect-network[data-online=false]").await;
    browser.axe("collect: offline").await;
    browser.click("[data-testid=fill-form]").await;
    browser
        .find("dialog[open][data-testid=privacy-dialog]")
        .await;
    browser.axe("collect: privacy pop-up").await;
    for (i, name) in ["张三", "李四", "王五"].into_iter().enumerate() {
        if i > 0 {
            browser.click("[data-testid=collect-another]").await;
        }
        collect_one(&browser, name).await;
    }
    browser.axe("collect: saved").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 0);

    // A reload while offline: the service worker serves the app, the outbox is intact.
    browser
        .click("[data-testid=saved-pending] a[href='/collect/outbox']")
        .await;
    browser.find("[data-testid=outbox-page]").await;
    browser.client.refresh().await.unwrap();

    // The records are sealed on the device: after a reload they open only with the
    // password the staff member signed in with, and nothing readable is stored.
    browser
        .find("[data-testid=collect-locked] [data-testid=locked-waiting][data-waiting='3']")
        .await;
    let stored = stored_values(&browser, "outbox").await;
    assert_eq!(stored.len(), 3, "{stored:?}");
    for row in &stored {
        assert!(row.contains("\"sealed\""), "{row}");
        for name in ["张三", "李四", "王五", "full_name", "resident_id"] {
            assert!(!row.contains(name), "{name} readable in {row}");
        }
    }
    // So is the device's signing key; the vault key is stored only wrapped.
    let kv = stored_values(&browser, "kv").await;
    let device = kv.iter().find(|v| v.contains("\"next_seq\"")).unwrap();
    assert!(
        device.contains("\"sealed_seed\"") && !device.contains("\"seed\""),
        "{device}"
    );
    let lock = kv.iter().find(|v| v.contains("\"by_password\"")).unwrap();
    assert!(
        lock.contains("\"salt\""),
        "wrapped under the password too: {lock}"
    );
    browser.axe("collect: locked").await;
    unlock(&browser, "not the password").await;
    browser
        .find("#unlock-password[aria-invalid=true] ~ .field-issues li")
        .await;
    browser.axe("collect: locked, a wrong password").await;
    unlock(&browser, USER_PASSWORD).await;
    wait_text(&browser, "[data-testid=outbox-count]", "3", 20).await;
    browser.axe("collect: outbox, waiting").await;
    let records = browser
        .client
        .find_all(Locator::Css(
            "[data-testid=outbox-record][data-state=pending]",
        ))
        .await
        .unwrap();
    assert_eq!(records.len(), 3);
    let controlled = browser
        .client
        .execute(
            "return navigator.serviceWorker.controller !== null && !navigator.onLine",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        controlled,
        json!(true),
        "the page comes from the service worker, offline"
    );

    // The network returns: the outbox empties into the synced list by itself.
    network(&browser, true).await;
    wait_text(&browser, "[data-testid=synced-count]", "3", 60).await;
    wait_text(&browser, "[data-testid=outbox-count]", "0", 5).await;
    browser.axe("collect: outbox, synced").await;
    let synced = browser
        .client
        .find_all(Locator::Css("[data-testid=synced-record]"))
        .await
        .unwrap();
    assert_eq!(synced.len(), 3);
    browser.find("[data-testid=last-sync]").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 3);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM records WHERE source = 'staff' AND device_id IS NOT NULL")
            .await,
        3
    );

    // Each customer gets their receipt from the phone: the withdrawal link, as text and
    // as a QR code, to scan or print; the link works.
    browser.click("[data-testid=customer-receipt-open]").await;
    browser
        .find("[data-testid=customer-receipt] svg[data-testid=customer-receipt-qr]")
        .await;
    let link = browser.text("[data-testid=customer-receipt-link]").await;
    let fragment = link
        .trim()
        .split_once("/withdraw#")
        .map(|(_, f)| f.to_owned())
        .unwrap_or_else(|| panic!("not a withdrawal link: {link:?}"));
    let (receipt_id, token) = fragment.split_once('.').unwrap();
    let status: shared::api::consent::ConsentStatus = app
        .anonymous()
        .post_json(
            "/public/consents/status",
            &json!({"receipt_id": receipt_id, "token": token}),
            200,
        )
        .await;
    assert!(status.purposes.iter().any(|p| p.granted));
    browser.find("[data-testid=customer-receipt-print]").await;
    browser
        .axe("collect: a customer's receipt with its QR code")
        .await;
    browser.click("[data-testid=customer-receipt-close]").await;

    // Online and signed in, a reload opens the records with the server's share: nothing
    // to type.
    browser.client.refresh().await.unwrap();
    wait_text(&browser, "[data-testid=synced-count]", "3", 20).await;
    browser.close().await;
}

/// A store of the device's IndexedDB as it is kept: one JSON text per entry.
async fn stored_values(browser: &Browser, store: &str) -> Vec<String> {
    let script = r"
        const [store, done] = arguments;
        const open = indexedDB.open('consentry-offline');
        open.onerror = () => done(null);
        open.onsuccess = () => {
            const db = open.result;
            const all = db.transaction(store).objectStore(store).getAll();
            all.onerror = () => done(null);
            all.onsuccess = () => { db.close(); done(all.result); };
        };
    ";
    let rows = browser
        .client
        .execute_async(script, vec![json!(store)])
        .await
        .unwrap();
    serde_json::from_value(rows).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_edit_a_synced_record_offline_and_the_server_merges_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let browser = staff_with_device(&app).await;

    // One record, collected and synced online.
    browser.click("[data-testid=fill-form]").await;
    collect_one(&browser, "张三").await;
    browser
        .click("[data-testid=saved-pending] a[href='/collect/outbox']")
        .await;
    browser.find("[data-testid=outbox-page]").await;
    wait_text(&browser, "[data-testid=synced-count]", "1", 60).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 1);

    // Offline, the staff member opens the device's copy and corrects the name.
    network(&browser, false).await;
    browser.find(".collect-network[data-online=false]").await;
    browser.click("[data-testid=synced-edit]").await;
    browser.find("[data-testid=editing-notice]").await;
    browser.axe("collect: editing a synced record").await;
    browser.fill("#cc-full_name", "张三丰").await;
    browser.click("[data-testid=form-next]").await;
    browser.find("#cc-resident_id").await;
    browser.click("[data-testid=form-next]").await;
    browser.find("[data-field-key=interests]").await;
    browser.click("[data-testid=form-next]").await;
    browser.click("[data-testid=form-submit]").await;
    browser.find("[data-testid=saved-pending]").await;
    browser
        .click("[data-testid=saved-pending] a[href='/collect/outbox']")
        .await;
    wait_text(&browser, "[data-testid=outbox-count]", "1", 20).await;
    browser.find("[data-testid=record-is-edit]").await;

    // Back online: the edit syncs by itself and the outbox says it merged.
    network(&browser, true).await;
    wait_text(&browser, "[data-testid=outbox-count]", "0", 60).await;
    browser
        .find("[data-testid=edit-outcome][data-state=merged]")
        .await;
    browser.axe("collect: outbox, an edit merged").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 1);
    assert_eq!(app.count("SELECT MAX(version) FROM records").await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM record_conflicts").await, 0);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_devices_records_open_with_the_password_and_follow_its_renewed_key() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let browser = staff_with_device(&app).await;
    let old_id = device_id(&browser).await;

    // A record waits offline; meanwhile an admin revokes the device.
    network(&browser, false).await;
    browser.find(".collect-network[data-online=false]").await;
    browser.click("[data-testid=fill-form]").await;
    collect_one(&browser, "张三").await;
    app.admin()
        .await
        .post(&format!("/devices/{old_id}/revoke"))
        .expect_status(200)
        .await;

    // Online and signed in, the server no longer gives the revoked device its share:
    // the records open with the password only.
    network(&browser, true).await;
    browser.open(&app, "/collect").await;
    browser
        .find("[data-testid=collect-locked] [data-testid=locked-waiting][data-waiting='1']")
        .await;
    unlock(&browser, USER_PASSWORD).await;
    wait_text(&browser, "[data-testid=outbox-count]", "1", 20).await;
    browser
        .find("[data-testid=device-status][data-state=revoked]")
        .await;

    // A new key, registered anew: the vault key is wrapped for the new device, whose
    // signing key is sealed too, so a reload online opens it with nothing typed.
    browser.click("[data-testid=device-register]").await;
    browser
        .find("[data-testid=device-status][data-state=registered]")
        .await;
    let new_id = device_id(&browser).await;
    assert_ne!(new_id, old_id);
    browser.client.refresh().await.unwrap();
    browser.find("[data-testid=sync-bar]").await;
    // The record was signed with the revoked key: the server refuses it, and the
    // outbox keeps it, with the reason, for the staff member to sign again by editing.
    wait_text(&browser, "[data-testid=failed-count]", "1", 30).await;
    let kv = stored_values(&browser, "kv").await;
    let lock = kv.iter().find(|v| v.contains("\"by_server\"")).unwrap();
    assert!(lock.contains(&new_id), "{lock}");
    let device = kv.iter().find(|v| v.contains("\"next_seq\"")).unwrap();
    assert!(
        device.contains("\"sealed_seed\"") && !device.contains("\"seed\""),
        "{device}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_changed_on_the_account_page_opens_the_records_offline() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let browser = staff_with_device(&app).await;
    let lock = || async {
        let kv = stored_values(&browser, "kv").await;
        kv.into_iter().find(|v| v.contains("\"by_password\""))
    };
    let before = lock().await.unwrap();

    let new_password = "a brand new test passphrase";
    browser.open(&app, "/account").await;
    browser
        .fill("[data-testid=current-password]", USER_PASSWORD)
        .await;
    browser
        .fill("[data-testid=new-password]", new_password)
        .await;
    browser
        .fill("[data-testid=confirm-password]", new_password)
        .await;
    browser.click("[data-testid=change-password-submit]").await;
    browser.find("[data-testid=password-changed]").await;
    // The vault key is wrapped anew, under the new password.
    let deadline = Instant::now() + Duration::from_secs(20);
    while lock().await.as_ref() == Some(&before) {
        assert!(Instant::now() < deadline, "the lock was not re-wrapped");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Offline, the old password no longer opens the records; the new one does.
    network(&browser, false).await;
    browser.open(&app, "/collect").await;
    browser.find("[data-testid=collect-locked]").await;
    unlock(&browser, USER_PASSWORD).await;
    browser
        .find("#unlock-password[aria-invalid=true] ~ .field-issues li")
        .await;
    unlock(&browser, new_password).await;
    browser.find("[data-testid=sync-bar]").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_assigns_a_form_to_a_team_in_the_console_and_its_staff_collect_with_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.admin().await;
    let team: shared::api::users::TeamSummary = admin
        .post_json("/teams", &json!({ "name": "North" }), 201)
        .await;
    let staff = app.user_with_role(Role::Staff).await;
    let user = staff.user().clone();
    admin
        .put(&format!("/users/{}", user.id))
        .json(&json!({"display_name": user.display_name, "role": "staff", "team_id": team.id}))
        .expect_status(200)
        .await;

    // The admin ticks the team for the demo form on the assignment page.
    let browser = Browser::start().await;
    browser.sign_in(&app, "admin", ADMIN_PASSWORD).await;
    browser.click("[data-testid=nav-assignments]").await;
    let card = format!(
        "[data-testid=assign-form][data-form-id='{}']",
        app.demo_form_id
    );
    let checkbox = format!("{card} [data-testid=assign-teams][data-id='{}']", team.id);
    let input_id = browser.attr(&checkbox, "id").await.unwrap();
    browser.click(&format!("label[for='{input_id}']")).await;
    wait_text(
        &browser,
        &format!("{card} [data-testid=assign-status]"),
        "Unsaved changes",
        5,
    )
    .await;
    browser
        .click(&format!("{card} [data-testid=assign-save]"))
        .await;
    wait_text(
        &browser,
        &format!("{card} [data-testid=assign-summary]"),
        "1 teams, 0 people",
        5,
    )
    .await;
    wait_text(
        &browser,
        &format!("{card} [data-testid=assign-status]"),
        "Saved. Devices pick up the change the next time they are online.",
        10,
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM form_assignments WHERE team_id IS NOT NULL")
            .await,
        1
    );
    browser.click("[data-testid=sign-out]").await;
    browser.find("[data-testid=login-username]").await;

    // A member of the team finds it on the Collect page and collects with it offline.
    browser.sign_in(&app, &user.username, USER_PASSWORD).await;
    collect_page_with_device(&browser, &app).await;
    network(&browser, false).await;
    browser.find(".collect-network[data-online=false]").await;
    browser.click("[data-testid=fill-form]").await;
    collect_one(&browser, "张三").await;
    network(&browser, true).await;
    browser
        .click("[data-testid=saved-pending] a[href='/collect/outbox']")
        .await;
    wait_text(&browser, "[data-testid=synced-count]", "1", 60).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 1);
    browser.close().await;
}
