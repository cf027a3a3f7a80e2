//! Personal data at rest: unique marker strings submitted by a customer and synced by a
//! device appear nowhere in the database (SQLite file and WAL after a checkpoint, or
//! PostgreSQL's tables) nor in the server's debug logs; a ciphertext moved to another
//! row does not decrypt.

use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    process::{free_port, server_binary, ServerProcess},
    story,
    sync::{post_sync, register_device, signed_record},
    Backend, Expect, TestApp,
};
use shared::{
    api::{
        auth::Role, consent::SubmitRequest, forms::VersionDetail, records::RecordPage,
        sync::SyncBatch,
    },
    schema::Answers,
};

const MARKERS: [&str; 4] = [
    "Zqxjvmarker",
    "zqxjv.marker@example.com",
    "13912345678",
    "11010519491231002X",
];

fn marked(n: u8) -> Answers {
    let mut a = demo_answers();
    a.insert(
        "full_name".into(),
        serde_json::json!(format!("Zqxjvmarker {n}")),
    );
    a.insert(
        "email".into(),
        serde_json::json!("zqxjv.marker@example.com"),
    );
    a.insert("mobile".into(), serde_json::json!("13912345678"));
    a.insert(
        "resident_id".into(),
        serde_json::json!("11010519491231002X"),
    );
    a.insert("date_of_birth".into(), serde_json::json!("1949-12-31"));
    a
}

async fn everything_stored(app: &TestApp) -> Vec<u8> {
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let bytes = match app.backend {
        Backend::Sqlite => {
            // Move the WAL into the main file, then read both as bytes.
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(db.pool())
                .await
                .unwrap();
            db.close().await;
            let path = app.data_dir.path().join("consentry.db");
            let mut bytes = std::fs::read(&path).unwrap();
            bytes.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
            return bytes;
        }
        Backend::Postgres => {
            let mut all = String::new();
            for table in [
                "records",
                "record_lookup",
                "consent_receipts",
                "consent_withdrawals",
                "audit_log",
                "devices",
                "users",
                "sessions",
            ] {
                let text: Option<String> =
                    sqlx::query_scalar(&format!("SELECT string_agg(t::text, ' ') FROM {table} t"))
                        .fetch_one(db.pool())
                        .await
                        .unwrap();
                all.push_str(&text.unwrap_or_default());
            }
            all.into_bytes()
        }
    };
    db.close().await;
    bytes
}

/// The `n`th marked answers, signed by a customer's browser.
fn marked_submission(version: &VersionDetail, n: u8) -> SubmitRequest {
    signed_submission(
        version,
        &marked(n),
        &Choices::all_demo(),
        &new_key(),
        &uuid::Uuid::new_v4().to_string(),
    )
}

fn assert_no_markers(bytes: &[u8], place: &str) {
    for marker in MARKERS {
        assert!(
            !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
            "{marker} found in clear in {place}"
        );
    }
}

/// A new manager to whom an admin gave every record (web submissions are nobody's until
/// given).
async fn manager_given_every_record(app: &consentry_tests::TestApp) -> consentry_tests::Session {
    let admin = app.admin().await;
    let manager = app.user_with_role(Role::Manager).await;
    let all: RecordPage = admin.get_json("/records", 200).await;
    for r in &all.records {
        consentry_tests::Expect::expect_status(
            admin
                .post(&format!("/records/{}/assign", r.id))
                .json(&serde_json::json!({ "owner_id": manager.user().id })),
            200,
        )
        .await;
    }
    manager
}

story!(personal_values_are_never_stored_in_clear, |app| {
    let version = app.demo_version().await;
    // A customer's submission…
    let req = marked_submission(&version, 1);
    assert_eq!(app.submit(&req).await.status(), 201);
    // …and a record synced from a staff device.
    let staff = app.user_with_role(Role::Staff).await;
    let (device, key) = register_device(&staff, "phone").await;
    let record = signed_record(
        &version,
        &marked(2),
        &Choices::all_demo(),
        &device.id,
        &key,
        1,
    );
    let batch = SyncBatch {
        device_id: device.id,
        records: vec![record],
    };
    post_sync(&staff, &batch).await;
    // The values are readable through the API by those allowed…
    let manager = manager_given_every_record(&app).await;
    let page: RecordPage = manager.get_json("/records", 200).await;
    assert!(page
        .records
        .iter()
        .any(|r| r.values["full_name"].display.as_deref() == Some("Zqxjvmarker 1")));
    // …and nowhere in the database in clear.
    let place = format!("the {:?} database", app.backend);
    assert_no_markers(&everything_stored(&app).await, &place);
});

story!(a_ciphertext_moved_to_another_row_does_not_decrypt, |app| {
    let version = app.demo_version().await;
    for n in 1..=2 {
        let req = marked_submission(&version, n);
        assert_eq!(app.submit(&req).await.status(), 201);
    }
    // Copy the first record's sealed values over the second's.
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM records ORDER BY created_at_ms, id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let values: String = sqlx::query_scalar("SELECT values_json FROM records WHERE id = $1")
        .bind(&ids[0])
        .fetch_one(db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE records SET values_json = $1 WHERE id = $2")
        .bind(values)
        .bind(&ids[1])
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;

    let manager = manager_given_every_record(&app).await;
    let page: RecordPage = manager.get_json("/records", 200).await;
    let moved = page
        .records
        .iter()
        .find(|r| r.id.to_string() == ids[1])
        .unwrap();
    for key in ["full_name", "mobile", "email"] {
        assert!(
            moved.values[key].unreadable,
            "{key} of the moved row decrypted"
        );
        assert_eq!(moved.values[key].display, None);
    }
    let original = page
        .records
        .iter()
        .find(|r| r.id.to_string() == ids[0])
        .unwrap();
    assert!(!original.values["full_name"].unreadable);
    assert_eq!(
        original.values["full_name"].display.as_deref(),
        Some("Zqxjvmarker 1")
    );
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_values_never_reach_the_logs() {
    let data = tempfile::tempdir().unwrap();
    let log = data.path().join("server.log");
    let server = ServerProcess::start_logging(
        &server_binary(),
        data.path(),
        free_port(),
        true,
        "debug",
        Some(&log),
    );
    let base = server.address.clone();
    let form = server.demo_form_id.clone().unwrap();
    let http = reqwest::Client::new();
    let version = server.demo_version().await;
    let submit = |req: &SubmitRequest| {
        http.post(format!("{base}/api/v1/public/forms/{form}/submissions"))
            .json(req)
    };
    submit(&marked_submission(&version, 1))
        .expect_status(201)
        .await;
    // An invalid submission too: its error must not echo into the log either.
    let mut bad = marked(2);
    bad.insert("mobile".into(), serde_json::json!("13912345678x"));
    let mut req = marked_submission(&version, 2);
    req.answers = bad;
    submit(&req).expect_status(422).await;
    drop(server);
    let logged = std::fs::read(&log).unwrap();
    assert!(
        logged.len() > 100,
        "the server logged nothing at debug level"
    );
    assert_no_markers(&logged, "the server log");
}
