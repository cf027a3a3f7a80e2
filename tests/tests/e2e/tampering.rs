//! Tampering (issue #18): direct edits of the database. The audit log with a flipped
//! byte, an entry deleted, two entries swapped, the tail cut after a signed head, the
//! chain rewritten consistently after an edit, a head's signature altered: `consentry
//! verify-audit` (as an operator runs it) and the API's verification name the first
//! entry affected, and both say the log is intact again once it is restored. Records
//! with their sealed values or wrapped data keys swapped between them, or a byte of
//! either flipped: the record reads with those values marked unreadable (never another
//! record's value), the list still reads, and revealing such a value is a clear error
//! naming the record and the field.

use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    process::{server_binary, verify_audit},
    story, Expect, Session, TestApp,
};
use serde_json::{json, Value};
use shared::{
    api::{
        audit::AuditVerification,
        auth::Role,
        error::{ApiError, ErrorCode},
        records::{RecordPage, RecordView},
    },
    audit::ChainBreak,
};

async fn db(app: &TestApp) -> consentry_server::store::Db {
    consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap()
}

async fn raw(app: &TestApp, statements: &[String]) {
    let db = db(app).await;
    for sql in statements {
        sqlx::query(sql)
            .execute(db.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    db.close().await;
}

/// The CLI's and the API's verdicts, which must agree: the break, and what the CLI
/// printed.
async fn verdicts(app: &TestApp, admin: &Session) -> (Option<ChainBreak>, String) {
    let (intact, printed) = verify_audit(&server_binary(), app.data_dir.path(), &app.database_url);
    let api: AuditVerification = admin.get_json("/audit/verify", 200).await;
    assert_eq!(
        intact,
        api.report.first_break.is_none(),
        "the CLI ({printed}) and the API ({:?}) disagree",
        api.message
    );
    (api.report.first_break, printed)
}

/// Puts the log back as it was saved.
fn restore() -> Vec<String> {
    [
        "DELETE FROM audit_log",
        "INSERT INTO audit_log SELECT * FROM audit_saved",
        "DELETE FROM audit_heads",
        "INSERT INTO audit_heads SELECT * FROM heads_saved",
    ]
    .map(str::to_owned)
    .to_vec()
}

story!(every_tampering_with_the_audit_log_is_named, |app| {
    let admin = app.admin().await;
    for _ in 0..8 {
        let _ = app.sign_in("nobody", "wrong password").await;
    }
    admin.post("/audit/heads").expect_status(200).await;
    let last = {
        let db = db(&app).await;
        let (last, _) = db.audit_chain_head().await.unwrap();
        db.close().await;
        last
    };
    assert!(last >= 10);
    raw(
        &app,
        &[
            "CREATE TABLE audit_saved AS SELECT * FROM audit_log".into(),
            "CREATE TABLE heads_saved AS SELECT * FROM audit_heads".into(),
        ],
    )
    .await;
    let (intact, printed) = verdicts(&app, &admin).await;
    assert_eq!(intact, None, "{printed}");

    // An entry rewritten, and the whole chain after it re-hashed to match: only the
    // signed head shows it.
    let rehashed = {
        let db = db(&app).await;
        let mut entries = db.audit_all().await.unwrap();
        db.close().await;
        entries[4].at_ms += 1;
        let mut prev = entries[3].hash.clone();
        let mut sql = Vec::new();
        for e in &mut entries[4..] {
            e.seal(&prev);
            prev.clone_from(&e.hash);
            sql.push(format!(
                "UPDATE audit_log SET at_ms = {}, prev_hash = '{}', hash = '{}' WHERE seq = {}",
                e.at_ms, e.prev_hash, e.hash, e.seq
            ));
        }
        sql
    };
    let head_signature = {
        let db = db(&app).await;
        let heads = db.audit_heads().await.unwrap();
        db.close().await;
        heads.last().unwrap().signature.clone()
    };
    let mismatch = format!("entry {last} differs from the one the signed head vouches for");
    let cases: Vec<(&str, Vec<String>, ChainBreak, &str)> = vec![
        (
            "a byte of an entry's time flipped",
            vec!["UPDATE audit_log SET at_ms = at_ms + 1 WHERE seq = 5".into()],
            ChainBreak::Altered { seq: 5 },
            "entry 5 was altered",
        ),
        (
            "an entry's address changed",
            vec!["UPDATE audit_log SET ip = '10.0.0.1' WHERE seq = 3".into()],
            ChainBreak::Altered { seq: 3 },
            "entry 3 was altered",
        ),
        (
            "an entry's stored hash changed",
            vec!["UPDATE audit_log SET hash = prev_hash WHERE seq = 7".into()],
            ChainBreak::Altered { seq: 7 },
            "entry 7 was altered",
        ),
        (
            "an entry deleted",
            vec!["DELETE FROM audit_log WHERE seq = 4".into()],
            ChainBreak::OutOfSequence {
                expected: 4,
                found: 5,
            },
            "entry 4 is missing",
        ),
        (
            "two entries swapped",
            vec![
                "UPDATE audit_log SET seq = -1 WHERE seq = 6".into(),
                "UPDATE audit_log SET seq = 6 WHERE seq = 7".into(),
                "UPDATE audit_log SET seq = 7 WHERE seq = -1".into(),
            ],
            ChainBreak::Altered { seq: 6 },
            "entry 6 was altered",
        ),
        (
            "the tail cut after a signed head",
            vec![format!("DELETE FROM audit_log WHERE seq > {}", last - 3)],
            ChainBreak::Truncated {
                last: last - 3,
                head_seq: last,
            },
            "entries were removed from the end",
        ),
        (
            "an entry rewritten and the chain re-hashed after it",
            rehashed,
            ChainBreak::HeadMismatch { seq: last },
            &mismatch,
        ),
        (
            "the signed head's signature altered",
            vec![format!(
                "UPDATE audit_heads SET signature = '{}' WHERE seq = {last}",
                flip_char(&head_signature, 10)
            )],
            ChainBreak::BadHeadSignature { seq: last },
            "invalid signature",
        ),
        (
            "the signed head moved to a later entry",
            vec![format!(
                "UPDATE audit_heads SET seq = {} WHERE seq = {last}",
                last + 1
            )],
            ChainBreak::BadHeadSignature { seq: last + 1 },
            "invalid signature",
        ),
    ];
    for (what, tamper, expected, named) in cases {
        raw(&app, &tamper).await;
        let (found, printed) = verdicts(&app, &admin).await;
        assert_eq!(found, Some(expected), "{what}: {printed}");
        assert!(
            printed.contains("BROKEN") && printed.contains(named),
            "{what}: verify-audit printed {printed:?}"
        );
        raw(&app, &restore()).await;
        let (found, printed) = verdicts(&app, &admin).await;
        assert_eq!(found, None, "restored after {what}: {printed}");
    }
});

/// A customer's submission to the demo form with `name` as the full name.
async fn submit_named(app: &TestApp, name: &str) {
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
    app.submit(&req).await.error_for_status().unwrap();
}

/// The stored `values_json` and `wrapped_key` of a record.
async fn stored(app: &TestApp, id: &str) -> (String, String) {
    let db = db(app).await;
    let row: (String, String) =
        sqlx::query_as("SELECT values_json, wrapped_key FROM records WHERE id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await
            .unwrap();
    db.close().await;
    row
}

fn set(id: &str, column: &str, value: &str) -> String {
    format!(
        "UPDATE records SET {column} = '{}' WHERE id = '{id}'",
        value.replace('\'', "''")
    )
}

/// `text` with the character at `at` changed to another of base64url's.
fn flip_char(text: &str, at: usize) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// The values with the sealed full name's ciphertext changed by one character.
fn flip_sealed(values: &str) -> String {
    let mut v: Value = serde_json::from_str(values).unwrap();
    let sealed = &mut v["full_name"]["c"];
    let text = sealed.as_str().expect("the full name is sealed").to_owned();
    *sealed = json!(flip_char(&text, text.len() / 2));
    v.to_string()
}

story!(
    swapped_or_altered_ciphertexts_and_keys_read_as_unreadable,
    |app| {
        let admin = app.admin().await;
        submit_named(&app, "Alpha Zqxj").await;
        submit_named(&app, "Beta Wvyk").await;
        // Admins see names masked (`A*********`): the first letter tells them apart. The
        // records go to a staff member, who sees them in full.
        let page: RecordPage = admin.get_json("/records", 200).await;
        let starting = |letter: char| {
            page.records
                .iter()
                .find(|r| {
                    r.values["full_name"]
                        .display
                        .as_deref()
                        .is_some_and(|d| d.starts_with(letter))
                })
                .unwrap()
                .id
                .to_string()
        };
        let (first, second) = (starting('A'), starting('B'));
        let staff = app.collector(Role::Staff).await;
        let auditor = app.user_with_role(Role::Auditor).await;
        for id in [&first, &second] {
            admin
                .post(&format!("/records/{id}/assign"))
                .json(&json!({ "owner_id": staff.user().id }))
                .expect_status(200)
                .await;
        }
        let name = |view: &RecordView| view.values["full_name"].display.clone();
        let view: RecordView = staff.get_json(&format!("/records/{first}"), 200).await;
        assert_eq!(name(&view).as_deref(), Some("Alpha Zqxj"));

        let (values_1, key_1) = stored(&app, &first).await;
        let (values_2, key_2) = stored(&app, &second).await;
        let restore = vec![
            set(&first, "values_json", &values_1),
            set(&first, "wrapped_key", &key_1),
            set(&second, "values_json", &values_2),
            set(&second, "wrapped_key", &key_2),
        ];
        let swap = |column: &str, one: &str, two: &str| {
            vec![set(&first, column, two), set(&second, column, one)]
        };
        let cases: Vec<(&str, Vec<String>)> = vec![
            (
                "sealed values swapped",
                swap("values_json", &values_1, &values_2),
            ),
            ("wrapped keys swapped", swap("wrapped_key", &key_1, &key_2)),
            (
                "values and keys both swapped",
                [
                    swap("values_json", &values_1, &values_2),
                    swap("wrapped_key", &key_1, &key_2),
                ]
                .concat(),
            ),
            (
                "a ciphertext's byte flipped",
                vec![set(&first, "values_json", &flip_sealed(&values_1))],
            ),
            (
                "a wrapped key's byte flipped",
                vec![set(
                    &first,
                    "wrapped_key",
                    &flip_char(&key_1, key_1.len() / 2),
                )],
            ),
        ];
        for (what, tamper) in cases {
            raw(&app, &tamper).await;
            for (who, caller) in [("staff", &staff), ("admin", &admin)] {
                let view: RecordView = caller.get_json(&format!("/records/{first}"), 200).await;
                let full_name = &view.values["full_name"];
                assert!(full_name.unreadable, "{what}, {who}: {full_name:?}");
                assert_eq!(full_name.display, None, "{what}, {who}");
                let shown = serde_json::to_string(&view).unwrap();
                assert!(
                    !shown.contains("Wvyk") && !shown.contains("B*"),
                    "{what}, {who}: another record's value shows"
                );
                // The list reads too, the other record's values included.
                let page: RecordPage = caller.get_json("/records", 200).await;
                assert_eq!(page.records.len(), 2, "{what}, {who}");
            }
            // Revealing the damaged value (auditors may): a clear refusal naming the record
            // and the field.
            let e: ApiError = auditor
                .post_json(
                    &format!("/records/{first}/reveal"),
                    &json!({"field": "full_name", "reason": "checking a damaged record"}),
                    409,
                )
                .await;
            assert_eq!(e.code, ErrorCode::Conflict, "{what}");
            assert!(
                e.message.contains(&first) && e.message.contains("full_name"),
                "{what}: {}",
                e.message
            );
            raw(&app, &restore).await;
            let view: RecordView = staff.get_json(&format!("/records/{first}"), 200).await;
            assert_eq!(
                name(&view).as_deref(),
                Some("Alpha Zqxj"),
                "restored after {what}"
            );
        }
    }
);
