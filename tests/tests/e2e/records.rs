//! Records as each role sees them: scope, masking by sensitivity, audited reveal, and
//! fields whose purposes were withdrawn disappearing from every view.

use consentry_tests::{story, Expect, Session};
use shared::{
    access::Visibility,
    api::{
        auth::Role,
        error::{ApiError, ErrorCode},
        records::{RecordForm, RecordPage, RecordView, RevealResponse},
    },
};

async fn records(caller: &Session) -> Vec<RecordView> {
    let page: RecordPage = caller.get_json("/records", 200).await;
    page.records
}

/// `POST /records/{id}/reveal` of `field`, giving `reason`: the answer must have `status`.
async fn reveal<T: serde::de::DeserializeOwned>(
    caller: &Session,
    id: impl std::fmt::Display,
    field: &str,
    reason: &str,
    status: u16,
) -> T {
    caller
        .post_json(
            &format!("/records/{id}/reveal"),
            &serde_json::json!({"field": field, "reason": reason}),
            status,
        )
        .await
}

/// `POST /records/lookup` of a `kind` of identifier: the answer must have `status`.
async fn lookup<T: serde::de::DeserializeOwned>(
    caller: &Session,
    kind: &str,
    value: &str,
    status: u16,
) -> T {
    caller
        .post_json(
            "/records/lookup",
            &serde_json::json!({"kind": kind, "value": value}),
            status,
        )
        .await
}

/// Gives every record to `owner` (admins do; a web submission is nobody's until then).
async fn give_all(admin: &Session, owner: &Session) {
    for r in records(admin).await {
        admin
            .post(&format!("/records/{}/assign", r.id))
            .json(&serde_json::json!({ "owner_id": owner.user().id }))
            .expect_status(200)
            .await;
    }
}

fn shown<'a>(r: &'a RecordView, key: &str) -> (Visibility, Option<&'a str>) {
    let v = &r.values[key];
    (v.visibility, v.display.as_deref())
}

story!(each_role_sees_what_its_policy_allows, |app| {
    app.submit_demo().await;
    let admin = app.admin().await;
    let manager = app.collector(Role::Manager).await;
    let auditor = app.user_with_role(Role::Auditor).await;
    let staff = app.collector(Role::Staff).await;

    // Staff see only their own customers, managers their team's: a web submission is
    // nobody's until an admin gives it to someone.
    assert!(records(&staff).await.is_empty());
    assert!(records(&manager).await.is_empty());
    give_all(&admin, &manager).await;

    let m = records(&manager).await;
    assert_eq!(m.len(), 1);
    // The list names the form and labels each value, in both languages.
    assert_eq!(m[0].form_title.en, "Membership registration");
    assert_eq!(m[0].labels["full_name"].zh_cn, "姓名");
    assert_eq!(m[0].labels["full_name"].en, "Full name");
    assert!(m[0].values.keys().all(|k| m[0].labels.contains_key(k)));
    // The filter offers the forms in reach by title: the demo form for the manager,
    // none for a staff member with no records.
    let forms: Vec<RecordForm> = manager.get_json("/records/forms", 200).await;
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].id, m[0].form_id);
    assert_eq!(forms[0].title.en, "Membership registration");
    let none: Vec<RecordForm> = staff.get_json("/records/forms", 200).await;
    assert!(none.is_empty());
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
    let log = admin.audit_log("records.read").await;
    assert_eq!(log.entries.len(), 1);
    assert_eq!(
        log.entries[0].actor_id.as_deref(),
        Some(manager.user().id.to_string().as_str())
    );

    // Once assigned to a staff member, they see it.
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query("UPDATE records SET owner_id = $1")
        .bind(staff.user().id.to_string())
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    let mine = records(&staff).await;
    assert_eq!(mine.len(), 1);
    // The owner is named, not only identified.
    assert_eq!(mine[0].owner_id, Some(staff.user().id));
    assert_eq!(
        mine[0].owner_name.as_deref(),
        Some(staff.user().username.as_str())
    );
});

story!(
    revealing_a_masked_value_needs_a_reason_and_is_audited,
    |app| {
        app.submit_demo().await;
        let admin = app.admin().await;
        let manager = app.collector(Role::Manager).await;
        give_all(&admin, &manager).await;
        let id = records(&manager).await[0].id;

        let e: ApiError = reveal(&manager, &id, "resident_id", "", 422).await;
        assert_eq!(e.field_issues("reason")[0].code, "reason_required");
        // A reason stays in the audit log for good: a sentence, not a file of notes.
        let essay = "The customer called and said ".repeat(10);
        let e: ApiError = reveal(&manager, &id, "resident_id", &essay, 422).await;
        assert_eq!(e.field_issues("reason")[0].code, "reason_too_long");
        assert!(admin.audit_log("records.reveal").await.entries.is_empty());

        let reason = "Customer asked to check their ID at the desk";
        let r: RevealResponse = reveal(&manager, &id, "resident_id", reason, 200).await;
        assert_eq!(r.value, "110101199003071233");

        // Admins may not reveal.
        let e: ApiError = reveal(&admin, &id, "resident_id", "curious about it", 403).await;
        assert_eq!(e.code, ErrorCode::Forbidden);

        let log = admin.audit_log("records.reveal").await;
        assert_eq!(log.entries.len(), 1);
        assert_eq!(
            log.entries[0].target_id.as_deref(),
            Some(id.to_string().as_str())
        );
        assert_eq!(log.entries[0].details["field"], "resident_id");
        // The entry holds the reason sealed; auditors read it opened beside the entry.
        let entry = serde_json::to_string(&log.entries).unwrap();
        assert!(!entry.contains("110101199003071233"));
        assert!(!entry.contains("at the desk"), "{entry}");
        assert_eq!(
            log.reveal_reasons
                .get(&log.entries[0].seq)
                .map(String::as_str),
            Some(reason)
        );
        let csv = admin
            .get("/audit/export?action=records.reveal")
            .expect_status(200)
            .await
            .text()
            .await
            .unwrap();
        assert!(csv.contains(reason), "{csv}");
        // Once the record's key is gone (erasure), the reason can no longer be read.
        app.execute("UPDATE records SET wrapped_key = 'AAAA'").await;
        let log = admin.audit_log("records.reveal").await;
        assert_eq!(log.entries.len(), 1);
        assert!(log.reveal_reasons.is_empty());
    }
);

story!(
    withdrawn_purposes_take_their_fields_out_of_every_view,
    |app| {
        let done = app.submit_demo().await;
        app.anonymous()
            .post("/public/consents/withdraw")
            .json(&serde_json::json!({
                "receipt_id": done.receipt.body.statement.receipt_id,
                "token": done.withdraw_token,
                "purposes": ["marketing"],
            }))
            .expect_status(200)
            .await;
        let admin = app.admin().await;
        let manager = app.collector(Role::Manager).await;
        give_all(&admin, &manager).await;
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
        let reason = "follow up on marketing";
        let e: ApiError = reveal(&manager, &m[0].id, "preferred_channel", reason, 403).await;
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
        let page: RecordPage = lookup(&auditor, kind, value, 200).await;
        assert_eq!(page.records.len(), expected, "{kind} {value}");
    }
    let e: ApiError = lookup(&auditor, "phone", "12", 422).await;
    assert_eq!(e.field_issues("value")[0].code, "phone_invalid");
    // Staff find nothing outside their own records.
    let staff = app.collector(Role::Staff).await;
    let page: RecordPage = lookup(&staff, "phone", "13800138000", 200).await;
    assert!(page.records.is_empty());
    // The lookup is audited without the value searched for.
    let admin = app.admin().await;
    let log = admin.audit_log("records.lookup").await;
    assert_eq!(log.entries.len(), 5);
    assert!(!serde_json::to_string(&log).unwrap().contains("13800138000"));
});
