//! Customers submit with consent: receipts verify, retries are idempotent, forgeries and
//! mismatches are refused with nothing stored, and consent can be withdrawn.

use consentry_tests::{
    consent::{demo_answers, demo_answers_without_marketing, new_key, signed_submission, Choices},
    expect_json, story, Expect, Session, TestApp,
};
use shared::{
    api::{
        consent::{ConsentStatus, SubmitRequest, SubmitResponse, WithdrawalReceipt},
        error::{ApiError, ErrorCode},
        forms::VersionDetail,
    },
    consent::{public_key, PublishedKeySet},
};

async fn records(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM records").await
}

fn receipt_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The codes of what the server found wrong with the consent itself.
fn consent_issues(e: &ApiError) -> Vec<&str> {
    e.field_issues("consent")
        .iter()
        .map(|i| i.code.as_str())
        .collect()
}

/// The demo answers with `choices`, signed with a fresh key under a fresh receipt id.
fn demo_submission(version: &VersionDetail, choices: &Choices) -> SubmitRequest {
    signed_submission(version, &demo_answers(), choices, &new_key(), &receipt_id())
}

story!(a_customer_consents_and_gets_a_verifiable_receipt, |app| {
    let version = app.demo_version().await;
    let req = signed_submission(
        &version,
        &demo_answers_without_marketing(),
        &Choices::without_marketing(),
        &new_key(),
        &receipt_id(),
    );
    let first: SubmitResponse = expect_json(app.submit(&req).await, 201).await;
    assert!(!first.replayed);
    assert_eq!(first.receipt.body.statement, req.statement);
    assert_eq!(
        first.receipt.body.statement.purposes_declined,
        vec!["marketing".to_owned()]
    );

    // Anyone can check it: through the API, and offline with the published keys.
    let v = app.verify_receipt(&first.receipt).await;
    assert!(v.valid, "{v:?}");
    let keys = app.published_keys().await;
    first.receipt.verify(&keys).unwrap();
    let key = keys.find(&first.receipt.body.server_key_id).unwrap();
    first
        .receipt
        .verify_with(&public_key(&key.public_key, "k").unwrap())
        .unwrap();

    // One changed byte and it no longer verifies.
    let mut tampered = first.receipt.clone();
    tampered
        .body
        .statement
        .purposes_granted
        .push("marketing".into());
    let v = app.verify_receipt(&tampered).await;
    assert!(!v.valid);

    // A retry of the same submission is acknowledged again and stores nothing new.
    let again: SubmitResponse = expect_json(app.submit(&req).await, 200).await;
    assert!(again.replayed);
    assert_eq!(again.receipt, first.receipt);
    assert_eq!(again.withdraw_token, first.withdraw_token);
    assert_eq!(records(&app).await, 1);

    // The consent is in the audit log, without personal data.
    let admin = app.admin().await;
    let page = admin.audit_log("consent.").await;
    assert_eq!(page.entries.len(), 1);
    let logged = serde_json::to_string(&page).unwrap();
    assert!(!logged.contains("13800138000") && !logged.contains("张三"));
});

story!(
    the_same_receipt_id_with_other_content_is_a_conflict,
    |app| {
        let version = app.demo_version().await;
        let id = receipt_id();
        let req = signed_submission(
            &version,
            &demo_answers(),
            &Choices::all_demo(),
            &new_key(),
            &id,
        );
        assert_eq!(app.submit(&req).await.status(), 201);
        let mut other_answers = demo_answers();
        other_answers.insert("full_name".into(), serde_json::json!("李四"));
        let other = signed_submission(
            &version,
            &other_answers,
            &Choices::all_demo(),
            &new_key(),
            &id,
        );
        let e: ApiError = expect_json(app.submit(&other).await, 409).await;
        assert_eq!(e.code, ErrorCode::Conflict);
        assert_eq!(records(&app).await, 1);
    }
);

story!(forged_and_mismatched_submissions_store_nothing, |app| {
    let version = app.demo_version().await;
    let good = demo_submission(&version, &Choices::all_demo());

    // A statement changed after signing.
    let mut forged = good.clone();
    forged
        .statement
        .purposes_granted
        .retain(|p| p != "marketing");
    forged.statement.purposes_declined.push("marketing".into());
    let e: ApiError = expect_json(app.submit(&forged).await, 400).await;
    assert_eq!(e.code, ErrorCode::InvalidSignature);

    // Answers that are not the ones signed for.
    let mut swapped = good.clone();
    swapped
        .answers
        .insert("full_name".into(), serde_json::json!("王五"));
    let e: ApiError = expect_json(app.submit(&swapped).await, 422).await;
    assert_eq!(e.field_issues("consent")[0].code, "wrong_record_hash");

    // Another version hash, signed properly.
    let mut wrong_version = version.clone();
    wrong_version.summary.hash = format!("sha256:{}", "0".repeat(64));
    let req = demo_submission(&wrong_version, &Choices::all_demo());
    let e: ApiError = expect_json(app.submit(&req).await, 422).await;
    assert!(consent_issues(&e).contains(&"wrong_version_hash"), "{e:?}");

    // A version that does not exist.
    let mut missing = version.clone();
    missing.summary.number = 99;
    let req = demo_submission(&missing, &Choices::all_demo());
    assert_eq!(app.submit(&req).await.status(), 404);

    // A required purpose declined; a marketing-only field answered without consent;
    // sensitive data without separate consent.
    let declined_service = Choices {
        granted: vec!["identity_verification".into(), "marketing".into()],
        declined: vec!["membership_service".into()],
        ..Choices::all_demo()
    };
    let req = demo_submission(&version, &declined_service);
    let e: ApiError = expect_json(app.submit(&req).await, 422).await;
    assert!(
        consent_issues(&e).contains(&"required_purpose_declined"),
        "{e:?}"
    );
    let req = demo_submission(&version, &Choices::without_marketing());
    let e: ApiError = expect_json(app.submit(&req).await, 422).await;
    assert_eq!(
        e.field_issues("preferred_channel")[0].code,
        "field_without_consent"
    );
    let mut no_separate = Choices::all_demo();
    no_separate.separate.sensitive = false;
    let req = demo_submission(&version, &no_separate);
    let e: ApiError = expect_json(app.submit(&req).await, 422).await;
    assert!(
        consent_issues(&e).contains(&"sensitive_consent_missing"),
        "{e:?}"
    );

    // Invalid values come back per field.
    let mut bad = good.clone();
    bad.answers
        .insert("mobile".into(), serde_json::json!("12345"));
    let e: ApiError = expect_json(app.submit(&bad).await, 422).await;
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert!(!e.field_issues("mobile").is_empty());

    // A website not on the form's list.
    let e: ApiError = app
        .anonymous()
        .post(&format!("/public/forms/{}/submissions", app.demo_form_id))
        .header("origin", "https://not-listed.example")
        .json(&good)
        .expect_json(403)
        .await;
    assert_eq!(e.code, ErrorCode::Forbidden);

    assert_eq!(records(&app).await, 0);
    // The good one still goes through.
    assert_eq!(app.submit(&good).await.status(), 201);
    assert_eq!(records(&app).await, 1);
});

/// A call with a receipt's withdrawal token to `/public/consents/{action}` (`status` or
/// `withdraw`).
fn token_call(
    anon: &Session,
    action: &str,
    receipt_id: &str,
    token: &str,
    purposes: &[&str],
) -> reqwest::RequestBuilder {
    anon.post(&format!("/public/consents/{action}"))
        .json(&serde_json::json!({"receipt_id": receipt_id, "token": token, "purposes": purposes}))
}

story!(consent_can_be_withdrawn_per_purpose, |app| {
    let version = app.demo_version().await;
    let req = demo_submission(&version, &Choices::all_demo());
    let done: SubmitResponse = expect_json(app.submit(&req).await, 201).await;
    let id = done.receipt.body.statement.receipt_id.clone();
    let anon = app.anonymous();

    let token = done.withdraw_token.as_str();
    let status: ConsentStatus = token_call(&anon, "status", &id, token, &[])
        .expect_json(200)
        .await;
    let marketing = status
        .purposes
        .iter()
        .find(|p| p.key == "marketing")
        .unwrap();
    assert!(marketing.granted && marketing.withdrawn_at_ms.is_none());

    // A wrong token finds nothing.
    token_call(&anon, "status", &id, "guess", &[])
        .expect_status(404)
        .await;
    token_call(&anon, "withdraw", &id, "guess", &["marketing"])
        .expect_status(404)
        .await;

    let w: WithdrawalReceipt = token_call(&anon, "withdraw", &id, token, &["marketing"])
        .expect_json(200)
        .await;
    assert_eq!(w.body.purposes_withdrawn, vec!["marketing".to_owned()]);
    // The withdrawal is signed by the server's published key.
    let keys: PublishedKeySet = anon.get_json("/keys", 200).await;
    let key = public_key(&keys.find(&w.body.server_key_id).unwrap().public_key, "k").unwrap();
    let sig = ed25519_dalek::Signature::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            &w.server_signature,
        )
        .unwrap(),
    )
    .unwrap();
    ed25519_dalek::Verifier::verify(&key, &w.body.signing_bytes(), &sig).unwrap();

    let status: ConsentStatus = token_call(&anon, "status", &id, token, &[])
        .expect_json(200)
        .await;
    assert!(status
        .purposes
        .iter()
        .find(|p| p.key == "marketing")
        .unwrap()
        .withdrawn_at_ms
        .is_some());
    assert!(status
        .purposes
        .iter()
        .find(|p| p.key == "membership_service")
        .unwrap()
        .withdrawn_at_ms
        .is_none());

    // Withdrawing what was never granted is refused.
    let e: ApiError = token_call(&anon, "withdraw", &id, token, &["nothing"])
        .expect_json(422)
        .await;
    assert_eq!(e.field_issues("purposes")[0].code, "not_granted");

    let admin = app.admin().await;
    assert_eq!(admin.audit_log("consent.withdrawn").await.entries.len(), 1);
});
