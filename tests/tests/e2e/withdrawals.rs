//! Withdrawals of consents collected on staff devices (issue #19).

use consentry_tests::{story, Expect};
use serde_json::json;
use shared::api::error::ApiError;

// A consent collected on a staff device can be withdrawn too: the sync answer gives the
// device the customer's withdrawal token (which works on the public withdrawal route),
// and staff record a withdrawal the customer asks for in person, with a reason or the
// customer's signature, kept sealed.
story!(staff_collected_consents_can_be_withdrawn, |app| {
    use consentry_tests::{
        consent::{demo_answers, Choices},
        sync::{post_sync, register_device, signed_record},
    };
    use shared::api::{
        auth::Role,
        consent::WithdrawalReceipt,
        sync::{SyncBatch, SyncStatus},
    };
    let version = app.demo_version().await;
    let staff = app.collector(Role::Staff).await;
    let (device, key) = register_device(&staff, "phone").await;
    let record = signed_record(
        &version,
        &demo_answers(),
        &Choices::all_demo(),
        &device.id,
        &key,
        1,
    );
    let batch = SyncBatch {
        device_id: device.id,
        records: vec![record.clone()],
    };
    let answer = post_sync(&staff, &batch).await;
    let SyncStatus::Stored {
        withdraw_token: Some(token),
        ..
    } = &answer.results[0].status
    else {
        panic!("{:?}", answer.results[0].status);
    };
    // A replay gets the same token.
    let again = post_sync(&staff, &batch).await;
    assert!(matches!(
        &again.results[0].status,
        SyncStatus::AlreadyStored { withdraw_token: Some(t), .. } if t == token
    ));
    let id = record.uuid.clone();
    let anonymous = app.anonymous();
    let _: WithdrawalReceipt = anonymous
        .post_json(
            "/public/consents/withdraw",
            &json!({"receipt_id": id, "token": token, "purposes": ["marketing"]}),
            200,
        )
        .await;

    // Staff record a withdrawal at the customer's request: a reason or a signature is needed.
    let path = format!("/records/{id}/withdrawals");
    let e: ApiError = staff
        .post_json(&path, &json!({"purposes": ["identity_verification"]}), 422)
        .await;
    assert!(e.details.unwrap().fields.contains_key("reason"));
    let e: ApiError = staff
        .post_json(
            &path,
            &json!({"purposes": ["nope"], "reason": "Asked at the counter"}),
            422,
        )
        .await;
    assert!(e.details.unwrap().fields.contains_key("purposes"));
    let receipt: WithdrawalReceipt = staff
        .post_json(
            &path,
            &json!({"purposes": ["identity_verification"],
                    "reason": "Zqxjv asked at the counter, ID card checked",
                    "signature": "张三"}),
            200,
        )
        .await;
    assert_eq!(receipt.body.purposes_withdrawn, ["identity_verification"]);
    let consent: shared::api::consent::ConsentStatus =
        staff.get_json(&format!("/records/{id}/consent"), 200).await;
    assert!(consent
        .purposes
        .iter()
        .filter(|p| p.key == "identity_verification" || p.key == "marketing")
        .all(|p| p.withdrawn_at_ms.is_some()));
    // Another staff member cannot reach the record.
    let other = app.collector(Role::Staff).await;
    other
        .post(&path)
        .json(&json!({"purposes": ["membership_service"], "reason": "Asked by phone"}))
        .expect_status(404)
        .await;
    // The evidence is sealed; the audit names the staff member.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM consent_withdrawals WHERE evidence_sealed LIKE '%Zqxjv%'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM consent_withdrawals WHERE evidence_sealed IS NOT NULL")
            .await,
        1
    );
    let admin = app.admin().await;
    let log = admin.audit_log("consent.withdrawn").await;
    assert_eq!(log.entries.len(), 2);
    assert!(log
        .entries
        .iter()
        .any(|e| e.actor_id.as_deref() == Some(staff.user().id.to_string().as_str())));
});
