//! Records as each role sees them: scope, masking by sensitivity, audited reveal, and
//! fields whose purposes were withdrawn disappearing from every view.

use consentry_tests::{expect_json, story, Session};
use shared::{
    access::Visibility,
    api::{
        audit::AuditPage,
        auth::Role,
        error::{ApiError, ErrorCode},
        records::{RecordPage, RecordView, RevealResponse},
    },
};

async fn records(caller: &Session) -> Vec<RecordView> {
    let page: RecordPage = expect_json(caller.get("/records").send().await.unwrap(), 200).await;
    page.records
}

fn shown<'a>(r: &'a RecordView, key: &str) -> (Visibility, Option<&'a str>) {
    let v = &r.values[key];
    (v.visibility, v.display.as_deref())
}

story!(each_role_sees_what_its_policy_allows, |app| {
    app.submit_demo().await;
    let admin = app.admin().await;
    let manager = app.user_with_role(Role::Manager).await;
    let auditor = app.user_with_role(Role::Auditor).await;
    let staff = app.user_with_role(Role::Staff).await;

    // Staff see only their own customers: a web submission is nobody's yet.
    assert!(records(&staff).await.is_empty());

    let m = records(&manager).await;
    assert_eq!(m.len(), 1);
    assert_eq!(shown(&m[0], "full_name"), (Visibility::Full, Some("张三")));
    assert_eq!(
        shown(&m[0], "mobile"),
        (Visibility::Full, Some("+8613800138000"))
    );
    assert_eq!(
        shown(&m[0], "resident_id"),
        (Visibility::Masked, Some("1101**********1233"))
    );
    assert_eq!(shown(&m[0], "gender").0, Visibility::Full);

    let a = records(&admin).await;
    let (vis, name) = shown(&a[0], "full_name");
    assert_eq!(vis, Visibility::Masked);
    assert_eq!(name, Some("张*"));
    assert_eq!(shown(&a[0], "resident_id"), (Visibility::Hidden, None));

    let au = records(&auditor).await;
    assert_eq!(shown(&au[0], "mobile").0, Visibility::Masked);
    assert!(!au[0].values["mobile"]
        .display
        .as_deref()
        .unwrap()
        .contains("13800138000"));
    assert_eq!(
        shown(&au[0], "resident_id"),
        (Visibility::Masked, Some("1101**********1233"))
    );

    // Only the manager's list showed personal data in clear, and that read is audited.
    let log: AuditPage = expect_json(
        admin
            .get("/audit?action=records.read")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(log.entries.len(), 1);
    assert_eq!(
        log.entries[0].actor_id.as_deref(),
        Some(manager.info.as_ref().unwrap().user.id.as_str())
    );

    // Once assigned to a staff member, they see it.
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query("UPDATE records SET owner_id = $1")
        .bind(staff.info.as_ref().unwrap().user.id.clone())
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    assert_eq!(records(&staff).await.len(), 1);
});

story!(
    revealing_a_masked_value_needs_a_reason_and_is_audited,
    |app| {
        app.submit_demo().await;
        let admin = app.admin().await;
        let manager = app.user_with_role(Role::Manager).await;
        let id = records(&manager).await[0].id.clone();
        let path = format!("/records/{id}/reveal");

        let e: ApiError = expect_json(
            manager
                .post(&path)
                .json(&serde_json::json!({"field": "resident_id", "reason": ""}))
                .send()
                .await
                .unwrap(),
            422,
        )
        .await;
        assert_eq!(e.field_issues("reason")[0].code, "reason_required");

        let r: RevealResponse = expect_json(
        manager
            .post(&path)
            .json(&serde_json::json!({"field": "resident_id", "reason": "Customer asked to check their ID at the desk"}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
        assert_eq!(r.value, "110101199003071233");

        // Admins may not reveal.
        let e: ApiError = expect_json(
            admin
                .post(&path)
                .json(&serde_json::json!({"field": "resident_id", "reason": "curious about it"}))
                .send()
                .await
                .unwrap(),
            403,
        )
        .await;
        assert_eq!(e.code, ErrorCode::Forbidden);

        let log: AuditPage = expect_json(
            admin
                .get("/audit?action=records.reveal")
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(log.entries.len(), 1);
        assert_eq!(log.entries[0].target_id.as_deref(), Some(id.as_str()));
        assert_eq!(log.entries[0].details["field"], "resident_id");
        assert!(!serde_json::to_string(&log)
            .unwrap()
            .contains("110101199003071233"));
    }
);

story!(
    withdrawn_purposes_take_their_fields_out_of_every_view,
    |app| {
        let done = app.submit_demo().await;
        let r = app
            .anonymous()
            .post("/public/consents/withdraw")
            .json(&serde_json::json!({
                "receipt_id": done.receipt.body.statement.receipt_id,
                "token": done.withdraw_token,
                "purposes": ["marketing"],
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let manager = app.user_with_role(Role::Manager).await;
        let m = records(&manager).await;
        for key in [
            "marketing_opt_in",
            "preferred_channel",
            "messages_per_month",
        ] {
            let v = &m[0].values[key];
            assert!(v.withdrawn, "{key}");
            assert_eq!(v.display, None, "{key}");
        }
        // A field that also serves a purpose still consented to stays.
        assert!(!m[0].values["interests"].withdrawn);
        assert_eq!(shown(&m[0], "full_name").1, Some("张三"));
        let e: ApiError = expect_json(
        manager
            .post(&format!("/records/{}/reveal", m[0].id))
            .json(&serde_json::json!({"field": "preferred_channel", "reason": "follow up on marketing"}))
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
        assert_eq!(e.code, ErrorCode::Forbidden);
    }
);

story!(a_person_is_found_by_identifier_without_decrypting, |app| {
    app.submit_demo().await;
    app.submit_demo().await;
    let auditor = app.user_with_role(Role::Auditor).await;
    // The same number written differently finds both records; another finds none.
    for (kind, value, expected) in [
        ("phone", "+86 138-0013-8000", 2),
        ("email", "Zhang.San@EXAMPLE.com", 2),
        ("resident_id", "110101199003071233", 2),
        ("phone", "13900000000", 0),
    ] {
        let page: RecordPage = expect_json(
            auditor
                .post("/records/lookup")
                .json(&serde_json::json!({"kind": kind, "value": value}))
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        assert_eq!(page.records.len(), expected, "{kind} {value}");
    }
    let e: ApiError = expect_json(
        auditor
            .post("/records/lookup")
            .json(&serde_json::json!({"kind": "phone", "value": "12"}))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(e.field_issues("value")[0].code, "phone_invalid");
    // Staff find nothing outside their own records.
    let staff = app.user_with_role(Role::Staff).await;
    let page: RecordPage = expect_json(
        staff
            .post("/records/lookup")
            .json(&serde_json::json!({"kind": "phone", "value": "13800138000"}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(page.records.is_empty());
    // The lookup is audited without the value searched for.
    let admin = app.admin().await;
    let log: AuditPage = expect_json(
        admin
            .get("/audit?action=records.lookup")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(log.entries.len(), 5);
    assert!(!serde_json::to_string(&log).unwrap().contains("13800138000"));
});
