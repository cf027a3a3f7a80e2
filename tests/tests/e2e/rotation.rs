//! Rotating the master key: everything is re-wrapped in resumable chunks, the data stays
//! readable throughout (with the previous key alongside) and afterwards (with the new
//! key alone), receipts and withdrawal links keep working, and the old key alone no
//! longer opens anything.

use std::ops::ControlFlow;

use consentry_server::{auth::totp, store::now_ms};
use consentry_tests::{story, Expect, TestApp, USER_PASSWORD};
use shared::api::{auth::Role, consent::ConsentStatus, records::RecordPage};

/// The names a new manager sees once an admin gives them every record (masked as a
/// manager's view is; web submissions are nobody's until given).
async fn names_seen_by_a_manager(app: &TestApp) -> Vec<Option<String>> {
    let admin = app.admin().await;
    let manager = app.collector(Role::Manager).await;
    let all: RecordPage = admin.get_json("/records", 200).await;
    for r in &all.records {
        admin
            .post(&format!("/records/{}/assign", r.id))
            .json(&serde_json::json!({ "owner_id": manager.user().id }))
            .expect_status(200)
            .await;
    }
    let page: RecordPage = manager.get_json("/records", 200).await;
    page.records
        .iter()
        .map(|r| r.values["full_name"].display.clone())
        .collect()
}

story!(the_master_key_rotates_without_losing_anything, |app| {
    let mut app = app;
    let mut receipts = Vec::new();
    for _ in 0..5 {
        receipts.push(app.submit_demo().await);
    }
    // A TOTP secret is sealed under the master key too.
    let totp_user = app.collector(Role::Staff).await;
    let username = totp_user.user().username.clone();
    let setup: shared::api::auth::TotpSetup =
        totp_user.post("/auth/totp/setup").expect_json(200).await;
    let secret = totp::decode_base32(&setup.secret).unwrap();
    let enabled_at = totp::step_at(now_ms()) - 1;
    totp_user
        .post("/auth/totp/enable")
        .json(&serde_json::json!({
            "password": USER_PASSWORD,
            "code": totp::code_at(&secret, enabled_at),
        }))
        .expect_status(204)
        .await;
    let old_key = app.data_dir.path().join("master.key");
    let new_key = app.data_dir.path().join("new-master.key");
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let old = consentry_server::crypto::MasterKeyring::new(
        consentry_server::crypto::load_existing_master_key(&old_key).unwrap(),
        vec![],
    );

    // Interrupted after the first chunk of two records…
    let partial =
        consentry_server::rotation::rotate(&db, &old, &new_key, 2, |_| ControlFlow::Break(()))
            .await
            .unwrap();
    assert_eq!((partial.records_done, partial.records_total), (2, 5));
    // …a server with both keys reads old and new rows alike.
    let (new_for_restart, old_for_restart) = (new_key.clone(), old_key.clone());
    app.restart(move |c| {
        c.master_key_file = new_for_restart;
        c.previous_master_key_file = Some(old_for_restart);
    })
    .await
    .unwrap();
    assert_eq!(
        names_seen_by_a_manager(&app).await,
        vec![Some("张三".to_owned()); 5]
    );

    // Resumed: the rest is done, and a third run finds nothing left.
    let mut reports = 0;
    let rest = consentry_server::rotation::rotate(&db, &old, &new_key, 2, |_| {
        reports += 1;
        ControlFlow::Continue(())
    })
    .await
    .unwrap();
    assert_eq!((rest.records_done, rest.records_total, reports), (3, 3, 2));

    let again =
        consentry_server::rotation::rotate(&db, &old, &new_key, 2, |_| ControlFlow::Continue(()))
            .await
            .unwrap();
    assert_eq!(again.records_total, 0);
    db.close().await;

    // The new key alone is enough; receipts and withdrawal links still work.
    let new_only = new_key.clone();
    app.restart(move |c| c.master_key_file = new_only)
        .await
        .unwrap();
    assert_eq!(
        names_seen_by_a_manager(&app).await,
        vec![Some("张三".to_owned()); 5]
    );
    let token = serde_json::json!({
        "receipt_id": receipts[0].receipt.body.statement.receipt_id,
        "token": receipts[0].withdraw_token,
    });
    let status: ConsentStatus = app
        .anonymous()
        .post_json("/public/consents/status", &token, 200)
        .await;
    assert_eq!(status.purposes.len(), 3);
    let v = app.verify_receipt(&receipts[0].receipt).await;
    assert!(v.valid);
    // The TOTP secret was re-wrapped: its codes still sign in.
    app.http
        .post(app.api("/auth/login"))
        .json(&serde_json::json!({
            "username": username,
            "password": USER_PASSWORD,
            "totp_code": totp::code_at(&secret, totp::step_at(now_ms()).max(enabled_at + 1)),
        }))
        .expect_status(200)
        .await;

    // The old key alone opens nothing any more.
    let old_only = old_key.clone();
    let refused = app.restart(move |c| c.master_key_file = old_only).await;
    let message = format!("{:#}", refused.unwrap_err());
    assert!(message.contains("master key"), "{message}");
});

story!(a_retired_signing_key_still_verifies_old_receipts, |app| {
    let mut app = app;
    let before = app.submit_demo().await;
    let (retired, new_id) = crate::key_ring::rotate_signing_key(&app).await;
    assert_eq!(
        retired.as_deref(),
        Some(before.receipt.body.server_key_id.as_str())
    );
    app.restart(|_| {}).await.unwrap();
    let after = app.submit_demo().await;
    assert_eq!(after.receipt.body.server_key_id, new_id);
    // Both keys are published; the old receipt verifies offline and through the API.
    let keys: shared::consent::PublishedKeySet = app.anonymous().get_json("/keys", 200).await;
    assert_eq!(keys.keys.len(), 2);
    assert!(keys
        .find(&before.receipt.body.server_key_id)
        .unwrap()
        .retired_at_ms
        .is_some());
    before.receipt.verify(&keys).unwrap();
    after.receipt.verify(&keys).unwrap();
    let v = app.verify_receipt(&before.receipt).await;
    assert!(v.valid);
});
