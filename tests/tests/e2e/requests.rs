//! Data-subject requests (issue #20): the register, customers filing with their
//! receipt, finding a person across forms, corrections and erasure for a request, the
//! answer package, deadlines with the server's clock moved forward, and a record's
//! history.

use std::io::Read as _;

use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    story, Expect, Session, TestApp,
};
use serde_json::json;
use shared::{
    api::{
        auth::Role,
        consent::{ReceiptVerification, SubmitResponse},
        error::ApiError,
        forms::{FormDetail, VersionDetail},
        records::{RecordHistory, VersionCause},
        requests::{RequestDetail, RequestFiled, RequestList, RequestStatus},
    },
    consent::SignedReceipt,
    ids::FormId,
    schema::{Answers, FormDefinition},
};

use crate::at_rest::{assert_no_markers, everything_stored, marked_submission, MARKERS};

const DAY: i64 = 86_400_000;

/// Publishes a copy of the demo form under another title; its published version.
async fn publish_copy(app: &TestApp, admin: &Session, title: &str) -> VersionDetail {
    let mut def = FormDefinition::demo_customer_registration();
    def.title = shared::i18n::LocalizedText::new(title, title);
    let form: FormDetail = admin
        .post_json("/forms", &json!({ "definition": def }), 201)
        .await;
    let id = form.summary.id;
    let _: serde_json::Value = admin
        .post_json(
            &format!("/forms/{id}/publish"),
            &json!({ "base_revision": form.summary.draft_revision }),
            201,
        )
        .await;
    app.anonymous()
        .get_json(&format!("/public/forms/{id}"), 200)
        .await
}

/// A customer's submission of `answers` to a published form.
async fn submit_to(app: &TestApp, version: &VersionDetail, answers: &Answers) -> SubmitResponse {
    let req = signed_submission(
        version,
        answers,
        &Choices::all_demo(),
        &new_key(),
        &uuid::Uuid::now_v7().to_string(),
    );
    app.anonymous()
        .post_json(
            &format!("/public/forms/{}/submissions", version.form_id),
            &req,
            201,
        )
        .await
}

fn person_b() -> Answers {
    let mut a = demo_answers();
    a.insert("full_name".into(), json!("张三丰"));
    a.insert("mobile".into(), json!("13900001111"));
    a.insert("email".into(), json!("zhang.sanfeng@example.com"));
    a.insert("resident_id".into(), json!("11010519491231002X"));
    a.insert("date_of_birth".into(), json!("1949-12-31"));
    a
}

async fn act(
    officer: &Session,
    id: impl std::fmt::Display,
    body: serde_json::Value,
    status: u16,
) -> RequestDetail {
    officer
        .post_json(&format!("/requests/{id}/actions"), &body, status)
        .await
}

fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).unwrap();
        files.insert(f.name().unwrap().to_string(), buf);
    }
    files
}

story!(a_request_runs_from_arrival_to_answer, |app| {
    let admin = app.admin().await;
    let officer = app.user_with_role(Role::PrivacyOfficer).await;
    let demo = app.demo_version().await;
    let second = publish_copy(&app, &admin, "Loyalty club").await;
    let third = publish_copy(&app, &admin, "Service desk").await;
    // The person (张三, 138 0013 8000) in three forms; someone with a similar name in one.
    let first = submit_to(&app, &demo, &demo_answers()).await;
    let theirs = submit_to(&app, &second, &demo_answers()).await;
    let _ = submit_to(&app, &third, &demo_answers()).await;
    let _other = submit_to(&app, &demo, &person_b()).await;
    // One purpose withdrawn on the first consent.
    let anonymous = app.anonymous();
    let _: serde_json::Value = anonymous
        .post_json(
            "/public/consents/withdraw",
            &json!({"receipt_id": first.receipt.body.statement.receipt_id,
                    "token": first.withdraw_token, "purposes": ["marketing"]}),
            200,
        )
        .await;

    // The customer files a request from their second receipt; a wrong token is refused.
    let receipt_id = theirs.receipt.body.statement.receipt_id.clone();
    let filing = |token: &str| {
        json!({"receipt_id": receipt_id, "token": token, "kind": "copy",
               "requester": {"name": "Zhang San", "contact": "zhang.san@example.com", "locale": "en"},
               "details": "Please send me a copy of everything you hold."})
    };
    let _: ApiError = anonymous
        .post_json("/public/requests", &filing("not-the-token"), 404)
        .await;
    let e: ApiError = anonymous
        .post_json(
            "/public/requests",
            &json!({"receipt_id": receipt_id, "token": theirs.withdraw_token, "kind": "correction",
                    "requester": {"name": " ", "contact": "x", "locale": "en"}, "details": ""}),
            422,
        )
        .await;
    let fields = e.details.unwrap().fields;
    assert!(fields.contains_key("requester.name") && fields.contains_key("details"));
    let filed: RequestFiled = anonymous
        .post_json("/public/requests", &filing(&theirs.withdraw_token), 201)
        .await;
    assert!(filed.reference.starts_with("SR-"));
    assert_eq!(filed.due_at_ms - filed.received_at_ms, 15 * DAY);

    // It arrives in the register, linked to the one record, identity shown by the token.
    let list: RequestList = officer.get_json("/requests", 200).await;
    let row = list.requests.iter().find(|r| r.id == filed.id).unwrap();
    assert!(row.filed_by_customer && row.records == 1 && !row.overdue);
    assert_eq!(row.requester_name, "Zhang San");
    // Staff and managers have no register.
    let staff = app.user_with_role(Role::Staff).await;
    staff.get("/requests").expect_status(403).await;

    // Finding the person by phone, however it is written, links their three records and
    // nobody else's.
    let id = filed.id;
    let e: ApiError = officer
        .post_json(
            &format!("/requests/{id}/actions"),
            &json!({"action": "find_person", "identifier": {"kind": "phone", "value": "12"}}),
            422,
        )
        .await;
    assert!(e.details.unwrap().fields.contains_key("identifier.value"));
    let found = act(
        &officer,
        id,
        json!({"action": "find_person", "identifier": {"kind": "phone", "value": "+86 138-0013-8000"}}),
        200,
    )
    .await;
    assert_eq!(found.records.len(), 3, "{:?}", found.records);
    assert!(found
        .records
        .iter()
        .all(|r| r.record.values["full_name"].display.as_deref() == Some("张三")));
    let withdrawn = found
        .records
        .iter()
        .find(|r| {
            r.receipt_id.as_ref().map(ToString::to_string)
                == Some(first.receipt.body.statement.receipt_id.clone())
        })
        .unwrap();
    assert!(withdrawn
        .purposes
        .iter()
        .any(|p| p.key == "marketing" && p.withdrawn_at_ms.is_some()));

    // A correction that fails the form's rules is refused next to the field; a good one
    // is a new version with the request as its reason.
    let record_id = found.records[0].record.id;
    let e: ApiError = officer
        .post_json(
            &format!("/requests/{id}/corrections"),
            &json!({"record_id": record_id, "field": "email", "value": "not an email"}),
            422,
        )
        .await;
    assert!(e.details.unwrap().fields.contains_key("email"));
    let corrected: RequestDetail = officer
        .post_json(
            &format!("/requests/{id}/corrections"),
            &json!({"record_id": record_id, "field": "email", "value": "zhang.san@example.org"}),
            200,
        )
        .await;
    let record = corrected
        .records
        .iter()
        .find(|r| r.record.id == record_id)
        .unwrap();
    assert_eq!(record.record.version, 2);
    assert_eq!(
        record.record.values["email"].display.as_deref(),
        Some("zhang.san@example.org")
    );
    let history: RecordHistory = officer
        .get_json(&format!("/records/{record_id}/history"), 200)
        .await;
    assert_eq!(history.versions.len(), 2);
    let v2 = &history.versions[1];
    assert_eq!(v2.cause, VersionCause::RequestCorrection);
    assert_eq!(v2.request_id, Some(id));
    assert_eq!(v2.changed, vec!["email".to_owned()]);
    assert_eq!(
        history.versions[0].values["email"].display.as_deref(),
        Some("zhang.san@example.com")
    );

    // The answer package: once, by whoever prepared it.
    let prepared: RequestDetail = officer
        .post_json(&format!("/requests/{id}/package"), &json!({}), 200)
        .await;
    let path = prepared.package.unwrap().download_path.unwrap();
    admin.get(&path).expect_status(403).await;
    let response = officer.get(&path).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let files = unzip(&response.bytes().await.unwrap());
    officer.get(&path).expect_status(409).await;

    let data: serde_json::Value = serde_json::from_slice(&files["data.json"]).unwrap();
    let records = data["records"].as_array().unwrap();
    assert_eq!(records.len(), 3);
    let everything =
        String::from_utf8_lossy(&files.values().flatten().copied().collect::<Vec<u8>>())
            .into_owned();
    for other in ["张三丰", "13900001111", "zhang.sanfeng"] {
        assert!(!everything.contains(other), "{other} is in the package");
    }
    assert_eq!(
        files.keys().filter(|k| k.starts_with("records-")).count(),
        3
    );
    let csv = String::from_utf8(files["records-1.csv"].clone()).unwrap();
    assert!(
        csv.starts_with('\u{feff}') && csv.contains("Mobile"),
        "{csv}"
    );
    // Receipts as issued: each verifies.
    let receipts: Vec<_> = files
        .keys()
        .filter(|k| k.starts_with("receipts/"))
        .cloned()
        .collect();
    assert_eq!(receipts.len(), 3);
    for name in receipts {
        let receipt: SignedReceipt = serde_json::from_slice(&files[&name]).unwrap();
        let v: ReceiptVerification = anonymous
            .post_json("/public/receipts/verify", &receipt, 200)
            .await;
        assert!(v.valid, "{name}: {v:?}");
    }
    // The summary is in the requester's language, with choices by their labels.
    let summary = String::from_utf8(files["summary.html"].clone()).unwrap();
    assert!(
        summary.contains("lang=\"en\"") && summary.contains("A copy of your personal information")
    );
    assert!(summary.contains("withdrawn on") && summary.contains("your consent"));
    assert!(
        summary.contains("Male") || summary.contains("male"),
        "{summary}"
    );

    // Answered: closed, only notes from then on.
    let answered = act(
        &officer,
        id,
        json!({"action": "answer", "note": "Package sent by email"}),
        200,
    )
    .await;
    assert_eq!(answered.summary.status, RequestStatus::Answered);
    let _: ApiError = officer
        .post_json(
            &format!("/requests/{id}/actions"),
            &json!({"action": "await_identity"}),
            409,
        )
        .await;
    let noted = act(
        &officer,
        id,
        json!({"action": "note", "text": "Customer confirmed receipt"}),
        200,
    )
    .await;
    assert!(noted
        .events
        .iter()
        .any(|e| e.kind == "note" && e.text == "Customer confirmed receipt"));
    let kinds: Vec<&str> = noted.events.iter().map(|e| e.kind.as_str()).collect();
    for kind in [
        "filed",
        "records_found",
        "corrected",
        "package_prepared",
        "package_downloaded",
        "answered",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
});

story!(deadlines_overdue_refusals_and_identity, |app| {
    let officer = app.user_with_role(Role::PrivacyOfficer).await;
    let e: ApiError = officer
        .post_json(
            "/requests",
            &json!({"kind": "access", "requester": {"name": "", "contact": "", "locale": "zh-CN"},
                    "details": "", "received_on": "2999-01-01",
                    "identifiers": [{"kind": "email", "value": "nope"}]}),
            422,
        )
        .await;
    let fields = e.details.unwrap().fields;
    for f in [
        "requester.name",
        "requester.contact",
        "details",
        "received_on",
        "identifiers[0].value",
    ] {
        assert!(fields.contains_key(f), "{f}: {fields:?}");
    }
    // Somebody nobody holds anything about.
    let created: RequestDetail = officer
        .post_json(
            "/requests",
            &json!({"kind": "access", "requester": {"name": "李四", "contact": "li.si@example.com", "locale": "zh-CN"},
                    "details": "来信要求查阅", "identifiers": [{"kind": "email", "value": "li.si@example.com"}]}),
            201,
        )
        .await;
    let id = created.summary.id;
    assert!(created.records.is_empty());
    assert_eq!(created.summary.days_left, 14);
    // Answering needs an identity check first; refusing needs a reason.
    let _: ApiError = officer
        .post_json(
            &format!("/requests/{id}/actions"),
            &json!({"action": "answer", "note": ""}),
            409,
        )
        .await;
    let e: ApiError = officer
        .post_json(
            &format!("/requests/{id}/actions"),
            &json!({"action": "refuse", "reason": "no"}),
            422,
        )
        .await;
    assert!(e.details.unwrap().fields.contains_key("reason"));
    // No extension under the default policy.
    let _: ApiError = officer
        .post_json(
            &format!("/requests/{id}/actions"),
            &json!({"action": "extend", "reason": "Records are archived off site"}),
            409,
        )
        .await;
    let waiting = act(&officer, id, json!({"action": "await_identity"}), 200).await;
    assert_eq!(waiting.summary.status, RequestStatus::IdentityCheck);
    // Assigning: only admins and privacy officers.
    let staff_id = app.user_with_role(Role::Staff).await.user_id().await;
    let _: ApiError = officer
        .post_json(
            &format!("/requests/{id}/actions"),
            &json!({"action": "assign", "assignee": staff_id}),
            422,
        )
        .await;
    let me = officer.user_id().await;
    let assigned = act(
        &officer,
        id,
        json!({"action": "assign", "assignee": me}),
        200,
    )
    .await;
    assert_eq!(
        assigned.summary.assignee_id.map(|u| u.to_string()),
        Some(me.to_string())
    );

    // Sixteen days later it is overdue, and the register says so.
    app.clock.advance(16 * DAY);
    let list: RequestList = officer.get_json("/requests", 200).await;
    assert_eq!(list.overdue, 1);
    let row = list.requests.iter().find(|r| r.id == id).unwrap();
    assert!(row.overdue && row.days_left < 0);
    let checked = act(
        &officer,
        id,
        json!({"action": "check_identity", "method": "id_document", "note": "ID card seen at the counter"}),
        200,
    )
    .await;
    assert_eq!(checked.summary.status, RequestStatus::InProgress);
    let refused = act(
        &officer,
        id,
        json!({"action": "refuse", "reason": "We hold no personal information about the requester."}),
        200,
    )
    .await;
    assert_eq!(refused.summary.status, RequestStatus::Refused);
    assert!(!refused.summary.overdue, "a closed request is not overdue");
    let closed: RequestList = officer.get_json("/requests?status=closed", 200).await;
    assert!(closed.requests.iter().any(|r| r.id == id));
    let _: ApiError = officer.get_json("/requests?status=maybe", 422).await;

    // The package of a request that found nothing says that nothing is held.
    let prepared: RequestDetail = officer
        .post_json(&format!("/requests/{id}/package"), &json!({}), 200)
        .await;
    let path = prepared.package.unwrap().download_path.unwrap();
    let files = unzip(
        &officer
            .get(&path)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    );
    let summary = String::from_utf8(files["summary.html"].clone()).unwrap();
    assert!(
        summary.contains("lang=\"zh-CN\"") && summary.contains("未保存您的任何数据"),
        "{summary}"
    );
});

story!(erasure_through_a_request_and_a_legal_hold, |app| {
    let admin = app.admin().await;
    let officer = app.user_with_role(Role::PrivacyOfficer).await;
    let version = app.demo_version().await;
    let submitted: SubmitResponse = app
        .submit(&marked_submission(&version, 1))
        .await
        .json()
        .await
        .unwrap();
    let filed: RequestFiled = app
        .anonymous()
        .post_json(
            "/public/requests",
            &json!({"receipt_id": submitted.receipt.body.statement.receipt_id,
                    "token": submitted.withdraw_token, "kind": "erasure",
                    "requester": {"name": "Zqxjvmarker", "contact": "13912345678", "locale": "zh-CN"},
                    "details": "请删除我的全部信息 Zqxjvmarker"}),
            201,
        )
        .await;
    let id = filed.id;
    let detail: RequestDetail = officer.get_json(&format!("/requests/{id}"), 200).await;
    let record_id = detail.records[0].record.id;
    // A hold on the person keeps the record, and the officer sees why.
    let hold: shared::api::retention::LegalHold = admin
        .post_json(
            "/retention/holds",
            &json!({"target": {"scope": "person", "kind": "phone", "value": MARKERS[2]},
                    "reason": "Litigation 2026-17"}),
            201,
        )
        .await;
    let held: RequestDetail = officer
        .post_json(&format!("/requests/{id}/erasure"), &json!({}), 200)
        .await;
    assert!(!held.records[0].erased);
    assert_eq!(held.records[0].holds, vec!["Litigation 2026-17".to_owned()]);
    assert!(held.events.iter().any(|e| e.kind == "erasure_blocked"));
    let _: serde_json::Value = admin
        .post_json(
            &format!("/retention/holds/{}/lift", hold.id),
            &json!({}),
            200,
        )
        .await;
    let erased: RequestDetail = officer
        .post_json(&format!("/requests/{id}/erasure"), &json!({}), 200)
        .await;
    assert!(erased.records[0].erased, "{:?}", erased.records[0]);
    assert!(erased.records[0].holds.is_empty());
    // Nothing of the person is left anywhere in the database, in clear or sealed under a
    // key that still exists: no lookups, no sealed values.
    assert_no_markers(&everything_stored(&app).await, "the database after erasure");
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let lookups: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM record_lookup WHERE record_id = $1")
            .bind(record_id.to_string())
            .fetch_one(db.pool())
            .await
            .unwrap();
    let values: String = sqlx::query_scalar("SELECT values_json FROM records WHERE id = $1")
        .bind(record_id.to_string())
        .fetch_one(db.pool())
        .await
        .unwrap();
    db.close().await;
    assert_eq!(lookups, 0);
    assert!(!values.contains("\"c\""), "{values}");
    // Erased once: a correction of an erased value is refused.
    let _: ApiError = officer
        .post_json(
            &format!("/requests/{id}/corrections"),
            &json!({"record_id": record_id, "field": "email", "value": "a@example.com"}),
            409,
        )
        .await;
    let _ = FormId::parse("00000000-0000-4000-8000-000000000000");
});
