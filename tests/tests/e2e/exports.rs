//! Governed exports (issue #21, first part): each role's file holds what it sees on
//! screen; unmasked exports need a reason and, above the threshold, a second person's
//! approval; one download by who asked; a ledger with the file's hash; inert cells.

use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    story, Expect, Session, TestApp,
};
use serde_json::json;
use sha2::{Digest as _, Sha256};
use shared::api::{
    auth::Role,
    consent::SubmitResponse,
    error::{ApiError, ErrorCode},
    exports::{ExportEntry, ExportList, ExportStatus},
    records::RecordPage,
};

use crate::sync_edits::collect;

/// The data rows of an export's CSV (after the watermark and the header), and the
/// header.
pub fn rows_of(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let body = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut lines: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let marks = lines.iter().take_while(|l| l[0].starts_with("# ")).count();
    assert_eq!(marks, 3, "the watermark: {text}");
    let data = lines.split_off(marks + 1);
    (lines.pop().unwrap(), data)
}

/// The rows of real records among `rows` (the file also carries synthetic marks, which
/// trace it: see `export_tracing.rs`), checking that every other row is one of the
/// export's marks.
pub async fn records_only(
    caller: &Session,
    entry: &ExportEntry,
    rows: Vec<Vec<String>>,
) -> Vec<Vec<String>> {
    let screen: RecordPage = caller
        .get_json(&format!("/records?form={}&limit=200", entry.form_id), 200)
        .await;
    let ids: Vec<String> = screen.records.iter().map(|r| r.id.to_string()).collect();
    let total = rows.len();
    let real: Vec<Vec<String>> = rows.into_iter().filter(|r| ids.contains(&r[0])).collect();
    assert_eq!(
        total - real.len(),
        8,
        "a small file carries 8 marks besides its records"
    );
    real
}

pub async fn export(caller: &Session, body: serde_json::Value, status: u16) -> ExportEntry {
    caller.post_json("/exports", &body, status).await
}

pub async fn download(caller: &Session, entry: &ExportEntry) -> (String, Vec<u8>) {
    let r = caller
        .get(entry.download_path.as_deref().expect("a download path"))
        .expect_status(200)
        .await;
    let bytes = r.bytes().await.unwrap().to_vec();
    (String::from_utf8(bytes.clone()).unwrap(), bytes)
}

pub async fn submit_named(app: &TestApp, name: &str) -> SubmitResponse {
    let version = app.demo_version().await;
    let mut answers = demo_answers();
    answers.insert("full_name".into(), json!(name));
    let req = signed_submission(
        &version,
        &answers,
        &Choices::all_demo(),
        &new_key(),
        &uuid::Uuid::now_v7().to_string(),
    );
    app.anonymous()
        .post_json(
            &format!("/public/forms/{}/submissions", app.demo_form_id),
            &req,
            201,
        )
        .await
}

story!(each_role_exports_what_it_sees_and_nothing_more, |app| {
    let admin = app.admin().await;
    let staff = app.collector(Role::Staff).await;
    let manager = app.collector(Role::Manager).await;
    crate::conflicts::put_in_one_team(&app, &admin, &[&staff, &manager]).await;
    let _ = collect(&app, staff.clone()).await;
    let _ = collect(&app, staff.clone()).await;
    // Customers' records: one whose name a spreadsheet would run, one withdrawn.
    let _ = submit_named(&app, "=1+2").await;
    let withdrawn = submit_named(&app, "李四").await;
    let _: serde_json::Value = app
        .anonymous()
        .post_json(
            "/public/consents/withdraw",
            &json!({"receipt_id": withdrawn.receipt.body.statement.receipt_id,
                    "token": withdrawn.withdraw_token, "purposes": ["marketing"]}),
            200,
        )
        .await;
    let form = app.demo_form_id;
    let ask = |unmasked: bool, reason: Option<&str>| {
        json!({"form_id": form, "format": "csv", "unmasked": unmasked, "reason": reason,
               "locale": "en"})
    };

    // Staff and auditors may not export by default.
    for role in [Role::Staff, Role::Auditor] {
        let who = if role == Role::Staff {
            staff.clone()
        } else {
            app.user_with_role(role).await
        };
        let e: ApiError = who.post_json("/exports", &ask(false, None), 403).await;
        assert_eq!(e.code, ErrorCode::Forbidden);
    }
    // A form out of reach is not found.
    let other_form = uuid::Uuid::new_v4();
    let _: ApiError = manager
        .post_json(
            "/exports",
            &json!({"form_id": other_form, "format": "csv", "locale": "en"}),
            404,
        )
        .await;

    // The manager's file is the manager's screen: their team's two records, masked alike.
    let entry = export(&manager, ask(false, None), 201).await;
    assert_eq!((entry.status, entry.rows), (ExportStatus::Ready, 2));
    let (text, bytes) = download(&manager, &entry).await;
    let (header, rows) = rows_of(&text);
    let rows = records_only(&manager, &entry, rows).await;
    assert_eq!(rows.len(), 2);
    let screen: RecordPage = manager
        .get_json(&format!("/records?form={form}"), 200)
        .await;
    let id_column = header
        .iter()
        .position(|h| h == "Resident ID number")
        .unwrap();
    for row in &rows {
        let view = screen
            .records
            .iter()
            .find(|r| r.id.to_string() == row[0])
            .unwrap();
        assert_eq!(
            Some(row[id_column].as_str()),
            view.values["resident_id"].display.as_deref(),
            "as on screen"
        );
        assert_eq!(row[id_column], "1101**********1233");
    }
    // Downloaded once; the ledger keeps the file's hash.
    let again = manager
        .get(entry.download_path.as_deref().unwrap())
        .expect_json::<ApiError>(410)
        .await;
    assert_eq!(again.code, ErrorCode::Gone);
    let mine: ExportList = manager.get_json("/exports", 200).await;
    let kept = &mine.exports[0];
    assert_eq!(kept.status, ExportStatus::Downloaded);
    assert_eq!(
        kept.file_sha256.as_deref(),
        Some(hex::encode(Sha256::digest(&bytes)).as_str())
    );
    assert!(kept.download_path.is_none());

    // The privacy officer's file: every record; withdrawn fields as on screen, and a
    // name a spreadsheet would run written inert.
    let officer = app.user_with_role(Role::PrivacyOfficer).await;
    let entry = export(&officer, ask(false, None), 201).await;
    assert_eq!(entry.rows, 4);
    let (text, _) = download(&officer, &entry).await;
    let (header, rows) = rows_of(&text);
    let rows = records_only(&officer, &entry, rows).await;
    let name = header.iter().position(|h| h == "Full name").unwrap();
    let channel = header
        .iter()
        .position(|h| h == "How should we contact you")
        .unwrap();
    assert!(rows.iter().any(|r| r[name] == "'=1+2"), "{text}");
    let li = rows.iter().find(|r| r[name] == "李四").unwrap();
    assert_eq!(li[channel], "(consent withdrawn)");
    let withdrawn_col = header
        .iter()
        .position(|h| h == "Purposes withdrawn")
        .unwrap();
    assert_eq!(li[withdrawn_col], "Marketing");

    // Unmasked: a reason first; the manager then sees resident IDs in full.
    let e: ApiError = manager.post_json("/exports", &ask(true, None), 422).await;
    assert!(e.details.unwrap().fields.contains_key("reason"));
    let entry = export(
        &manager,
        ask(true, Some("Audit of ID checks, ticket 42")),
        201,
    )
    .await;
    assert_eq!(
        entry.status,
        ExportStatus::Ready,
        "2 rows is under the threshold"
    );
    let (text, _) = download(&manager, &entry).await;
    let (_, rows) = rows_of(&text);
    let rows = records_only(&manager, &entry, rows).await;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r[id_column] == "110101199003071233"));
    // Admins do not see sensitive values, so they cannot export them unmasked.
    let e: ApiError = admin
        .post_json("/exports", &ask(true, Some("Looking at everything")), 403)
        .await;
    assert_eq!(e.code, ErrorCode::Forbidden);

    // Above the threshold an unmasked export waits for a second person.
    let _: serde_json::Value = admin
        .put("/exports/settings")
        .json(&json!({"roles": ["manager", "privacy_officer"], "approval_above_rows": 1, "valid_hours": 24}))
        .expect_json(200)
        .await;
    let waiting = export(
        &manager,
        ask(true, Some("Audit of ID checks, ticket 43")),
        201,
    )
    .await;
    assert_eq!(waiting.status, ExportStatus::AwaitingApproval);
    assert!(waiting.download_path.is_none());
    let path = format!("/exports/{}/file", waiting.id);
    manager.get(&path).expect_status(409).await;
    // The requester never approves their own; a manager may not decide at all.
    let po_waiting = export(
        &officer,
        ask(true, Some("Checking a complaint, case 7")),
        201,
    )
    .await;
    let e: ApiError = officer
        .post_json(
            &format!("/exports/{}/decision", po_waiting.id),
            &json!({"approve": true}),
            403,
        )
        .await;
    assert_eq!(e.code, ErrorCode::Forbidden);
    manager
        .post(&format!("/exports/{}/decision", waiting.id))
        .json(&json!({"approve": true}))
        .expect_status(403)
        .await;
    let approved: ExportEntry = officer
        .post_json(
            &format!("/exports/{}/decision", waiting.id),
            &json!({"approve": true, "comment": "Ticket 43 checked"}),
            200,
        )
        .await;
    assert_eq!(approved.status, ExportStatus::Ready);
    let _: ApiError = officer
        .post_json(
            &format!("/exports/{}/decision", waiting.id),
            &json!({"approve": false}),
            409,
        )
        .await;
    // Only who asked downloads it.
    officer.get(&path).expect_status(403).await;
    let (text, _) = download(
        &manager,
        &ExportEntry {
            download_path: Some(path.clone()),
            ..approved.clone()
        },
    )
    .await;
    assert_eq!(
        records_only(&manager, &approved, rows_of(&text).1)
            .await
            .len(),
        2
    );
    // The ledger: admins see every export, with reasons and decisions.
    let all: ExportList = admin.get_json("/exports?all=true", 200).await;
    assert_eq!(all.exports.len(), 5);
    let decided = all.exports.iter().find(|e| e.id == waiting.id).unwrap();
    assert_eq!(
        decided.reason.as_deref(),
        Some("Audit of ID checks, ticket 43")
    );
    assert_eq!(
        decided.decision_comment.as_deref(),
        Some("Ticket 43 checked")
    );
    assert_eq!(
        decided.decided_by_name.as_deref(),
        Some(officer.user().username.as_str())
    );
    assert_eq!(admin.audit_log("exports.downloaded").await.entries.len(), 4);
    assert_eq!(admin.audit_log("exports.approved").await.entries.len(), 1);
    // Nothing of the reasons is stored in clear.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM exports WHERE reason_sealed LIKE '%ticket%'")
            .await,
        0
    );
});
