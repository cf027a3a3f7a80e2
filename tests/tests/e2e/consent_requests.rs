//! Consent requests for imported records (issue #22): staff hand the person a link; the
//! person's page shows the form's notice and signs a statement over the record's keyed
//! hashes (no values reach the page); the server countersigns a receipt that verifies
//! offline, which replaces the imported basis and can be withdrawn like any other.
//! Links are single-use, expire, and only imported records get one.

use consentry_tests::{consent::new_key, story, Expect, Session, TestApp};
use serde_json::json;
use shared::api::{
    auth::Role,
    consent::SubmitResponse,
    error::ApiError,
    imports::{ConsentInvitation, ConsentInvite, ImportEntry},
    records::RecordPage,
};
use shared::consent::{build_statement_over, ConsentChoices};

use crate::{
    exports::submit_named,
    imports::{csv_bytes, mixed_rows},
    imports_commit::commit,
};

const DAY: i64 = 86_400_000;

/// The demo form's records imported from the mixed file, as the admin sees them.
async fn imported_records(app: &TestApp, admin: &Session) -> RecordPage {
    let _: ImportEntry = commit(
        admin,
        json!({"form_id": app.demo_form_id,
               "basis": {"basis": "contract", "purposes": ["membership_service", "identity_verification"],
                         "evidence": "合同 HT-1"}}),
        csv_bytes(&mixed_rows()),
        201,
    )
    .await
    .json()
    .await
    .unwrap();
    admin
        .get_json(&format!("/records?form={}&limit=50", app.demo_form_id), 200)
        .await
}

fn token_of(invite: &ConsentInvite) -> String {
    invite.link.strip_prefix("/consent#").unwrap().to_owned()
}

/// What the person's browser sends: `choices` signed over the invitation's hashes.
fn answer(
    token: &str,
    invitation: &ConsentInvitation,
    choices: &ConsentChoices,
) -> serde_json::Value {
    let statement = build_statement_over(
        &invitation.version,
        &invitation.hashes,
        choices,
        invitation.receipt_id.to_string(),
        (
            time::OffsetDateTime::now_utc().unix_timestamp() * 1000,
            shared::i18n::Locale::ZhCn,
        ),
    );
    let (client_public_key, client_signature) = statement.sign(&new_key());
    json!({"token": token, "statement": statement,
           "client_public_key": client_public_key, "client_signature": client_signature})
}

story!(
    a_person_consents_to_an_imported_record_through_a_link,
    |app| {
        let admin = app.admin().await;
        let page = imported_records(&app, &admin).await;
        let record = page
            .records
            .iter()
            .find(|r| r.imported.is_some())
            .unwrap()
            .clone();
        // Only imported records are sent a request.
        let web = submit_named(&app, "赵六").await;
        let web_record = web.receipt.body.statement.receipt_id.clone();
        let page: RecordPage = admin
            .get_json(&format!("/records?form={}&limit=50", app.demo_form_id), 200)
            .await;
        let collected = page.records.iter().find(|r| r.imported.is_none()).unwrap();
        let _: ApiError = admin
            .post(&format!("/records/{}/consent-request", collected.id))
            .json(&json!({}))
            .expect_status(409)
            .await
            .json()
            .await
            .unwrap();
        assert!(!web_record.is_empty());
        // An auditor may not send one.
        let auditor = app.user_with_role(Role::Auditor).await;
        auditor
            .post(&format!("/records/{}/consent-request", record.id))
            .json(&json!({}))
            .expect_status(403)
            .await;

        let invite: ConsentInvite = admin
            .post_json(
                &format!("/records/{}/consent-request", record.id),
                &json!({}),
                200,
            )
            .await;
        assert!(invite.link.starts_with("/consent#"));
        let token = token_of(&invite);
        let person = app.anonymous();
        let invitation: ConsentInvitation = person
            .post_json(
                "/public/consent-requests/open",
                &json!({"token": token}),
                200,
            )
            .await;
        // The page gets keyed hashes of the record, never its values.
        let shown = serde_json::to_string(&invitation).unwrap();
        for value in ["13500135000", "chen@example.com", "陈一"] {
            assert!(!shown.contains(value), "{value} sent to the page");
        }
        assert!(invitation.hashes.record_hash.starts_with("hmac-sha256:"));
        assert_eq!(invitation.purposes_held.len(), 2);
        assert!(invitation
            .answered_fields
            .contains(&"resident_id".to_owned()));

        // A statement over other hashes, or a wrong token, is refused.
        let mut forged = invitation.clone();
        forged.hashes.record_hash = "hmac-sha256:AAAA".to_owned();
        let e: ApiError = person
            .post("/public/consent-requests/accept")
            .json(&answer(
                &token,
                &forged,
                &ConsentChoices::without_marketing(),
            ))
            .expect_status(422)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(e.code.as_str(), "validation_failed");
        person
            .post("/public/consent-requests/open")
            .json(&json!({"token": "not-a-token"}))
            .expect_status(404)
            .await;

        let given: SubmitResponse = person
            .post_json(
                "/public/consent-requests/accept",
                &answer(&token, &invitation, &ConsentChoices::without_marketing()),
                200,
            )
            .await;
        // A receipt like any other: it verifies, and names the record.
        assert!(app.verify_receipt(&given.receipt).await.valid);
        given
            .receipt
            .verify(&app.published_keys().await)
            .expect("verifies offline");
        assert_eq!(
            given.receipt.body.statement.receipt_id,
            invitation.receipt_id.to_string()
        );
        // The consent now rules the record; the basis says when it was given.
        let page: RecordPage = admin
            .get_json(&format!("/records?form={}&limit=50", app.demo_form_id), 200)
            .await;
        let now = page.records.iter().find(|r| r.id == record.id).unwrap();
        assert!(now.imported.as_ref().unwrap().consented_at_ms.is_some());
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM consent_receipts WHERE record_id = '{}'",
                record.id
            ))
            .await,
            1
        );
        // Single use.
        person
            .post("/public/consent-requests/accept")
            .json(&answer(
                &token,
                &invitation,
                &ConsentChoices::without_marketing(),
            ))
            .expect_status(409)
            .await;
        person
            .post("/public/consent-requests/open")
            .json(&json!({"token": token}))
            .expect_status(409)
            .await;
        // Withdrawn like any consent, with the token the person was given.
        let _: serde_json::Value = person
            .post_json(
                "/public/consents/withdraw",
                &json!({"receipt_id": invitation.receipt_id, "token": given.withdraw_token,
                    "purposes": ["membership_service"]}),
                200,
            )
            .await;
        admin
            .post(&format!("/records/{}/consent-request", record.id))
            .json(&json!({}))
            .expect_status(409)
            .await;
        assert_eq!(
            admin
                .audit_log("imports.consent_requested")
                .await
                .entries
                .len(),
            1
        );

        // A link expires after 30 days.
        let other = page
            .records
            .iter()
            .find(|r| r.imported.is_some() && r.id != record.id)
            .unwrap();
        let late: ConsentInvite = admin
            .post_json(
                &format!("/records/{}/consent-request", other.id),
                &json!({}),
                200,
            )
            .await;
        app.clock.advance(31 * DAY);
        person
            .post("/public/consent-requests/open")
            .json(&json!({"token": token_of(&late)}))
            .expect_status(410)
            .await;
    }
);

/// In a real browser: the person opens the link, reads who holds their information and
/// on what basis, makes their choices in the privacy pop-up and gets their receipt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_answers_a_consent_request_in_the_browser() {
    let app = TestApp::spawn(consentry_tests::Backend::Sqlite).await;
    let admin = app.admin().await;
    let page = imported_records(&app, &admin).await;
    let record = page.records.iter().find(|r| r.imported.is_some()).unwrap();
    let invite: ConsentInvite = admin
        .post_json(
            &format!("/records/{}/consent-request", record.id),
            &json!({}),
            200,
        )
        .await;
    let browser = consentry_tests::browser::Browser::start().await;
    browser
        .client
        .goto(&format!(
            "{}{}",
            app.address,
            invite.link.replacen('#', "?lang=zh-CN#", 1)
        ))
        .await
        .unwrap();
    browser
        .find("dialog[open][data-testid=privacy-dialog]")
        .await;
    let intro = browser.text("[data-testid=invite-intro]").await;
    assert!(intro.contains("订立或履行合同所必需"), "{intro}");
    browser.axe("customer: consent request").await;
    crate::customer::decline_marketing(&browser).await;
    browser.click("label[for=consent-sensitive]").await;
    browser.click("[data-testid=privacy-continue]").await;
    browser.find("#receipt-title").await;
    browser.axe("customer: consent request answered").await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM consent_receipts WHERE record_id = '{}'",
            record.id
        ))
        .await,
        1
    );
    assert!(browser.panics().await.is_empty());
    browser.close().await;
}

/// In the console: an admin asks for consent on an imported record and gets the link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_get_a_consent_request_link_from_the_records_list() {
    let app = TestApp::spawn(consentry_tests::Backend::Sqlite).await;
    let admin = app.admin().await;
    let _ = imported_records(&app, &admin).await;
    let browser = consentry_tests::browser::Browser::start().await;
    browser
        .sign_in(&app, "admin", consentry_tests::ADMIN_PASSWORD)
        .await;
    browser.open(&app, "/records").await;
    browser.find("[data-testid=record-imported]").await;
    browser.click("[data-testid=consent-request-create]").await;
    let link = browser.find("[data-testid=consent-request-link]").await;
    let url = link.prop("value").await.unwrap().unwrap();
    assert!(
        url.starts_with(&format!("{}/consent#", app.address)),
        "{url}"
    );
    assert_eq!(
        admin
            .audit_log("imports.consent_requested")
            .await
            .entries
            .len(),
        1
    );
    assert!(browser.panics().await.is_empty());
    browser.close().await;
}
