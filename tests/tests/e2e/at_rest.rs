//! Personal data at rest: unique marker strings submitted by a customer and synced by a
//! device appear nowhere in the database (SQLite file and WAL after a checkpoint, or
//! PostgreSQL's tables) nor in the server's debug logs; no hash in the database is the
//! hash of an identifier, a signature or the answers, salted or not with anything the
//! database holds; a ciphertext moved to another row does not decrypt.

use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    process::{free_port, server_binary, ServerProcess},
    story,
    sync::{post_sync, register_device, signed_edit, signed_record},
    Backend, Expect, TestApp,
};
use shared::{
    api::{
        auth::Role, consent::SubmitRequest, forms::VersionDetail, records::RecordPage,
        sync::SyncBatch,
    },
    schema::Answers,
};

pub(crate) const MARKERS: [&str; 4] = [
    "Zqxjvmarker",
    "zqxjv.marker@example.com",
    "13912345678",
    "11010519491231002X",
];

pub(crate) fn marked(n: u8) -> Answers {
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

pub(crate) async fn everything_stored(app: &TestApp) -> Vec<u8> {
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let bytes = match app.backend {
        Backend::Sqlite => {
            // Move the WAL into the main file (emptying it), then read both as bytes.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
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
                "record_edits",
                "record_versions",
                "record_conflicts",
                "audit_log",
                "devices",
                "users",
                "sessions",
                "legal_holds",
                "retention_runs",
                "imports",
                "record_bases",
                "org_settings",
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
pub(crate) fn marked_submission(version: &VersionDetail, n: u8) -> SubmitRequest {
    signed_submission(
        version,
        &marked(n),
        &Choices::all_demo(),
        &new_key(),
        &uuid::Uuid::new_v4().to_string(),
    )
}

pub(crate) fn assert_no_markers(bytes: &[u8], place: &str) {
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
    let manager = app.collector(Role::Manager).await;
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

/// Stores the marked answers every way they arrive: the first from a customer's browser,
/// the second synced from a staff device, then edited there into the third.
async fn store_marked(app: &TestApp) {
    let version = app.demo_version().await;
    let req = marked_submission(&version, 1);
    assert_eq!(app.submit(&req).await.status(), 201);
    let staff = app.collector(Role::Staff).await;
    let (device, key) = register_device(&staff, "phone").await;
    let record = signed_record(
        &version,
        &marked(2),
        &Choices::all_demo(),
        &device.id,
        &key,
        1,
    );
    let edit = signed_edit(&version, &record, &marked(3), &device.id, &key, 2, 1);
    for records in [vec![record], vec![edit]] {
        let batch = SyncBatch {
            device_id: device.id,
            records,
        };
        post_sync(&staff, &batch).await;
    }
}

story!(personal_values_are_never_stored_in_clear, |app| {
    store_marked(&app).await;
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

/// Every 64-digit run of lower-case hex in `bytes`: the hashes stored.
fn hex_hashes(bytes: &[u8]) -> std::collections::HashSet<&[u8]> {
    bytes
        .split(|b| !b.is_ascii_hexdigit() || b.is_ascii_uppercase())
        .filter(|run| run.len() == 64)
        .collect()
}

/// Everything stored that could be a salt: each run of base64url or hex characters of
/// 16 to 88 (32 bytes of hex, 64 of base64url), decoded each way it decodes, and as it is.
fn salt_candidates(bytes: &[u8]) -> Vec<Vec<u8>> {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
    let mut out = Vec::new();
    for run in bytes.split(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')) {
        if !(16..=88).contains(&run.len()) {
            continue;
        }
        out.push(run.to_vec());
        if let Ok(decoded) = URL_SAFE_NO_PAD.decode(run) {
            out.push(decoded);
        }
        if let Ok(decoded) = hex::decode(run) {
            out.push(decoded);
        }
    }
    out
}

/// The stored hashes that are SHA-256 of a `secret`, alone or with a salt the database
/// holds before or after it.
fn hashes_of_secrets<'a>(bytes: &'a [u8], secrets: &[Vec<u8>]) -> Vec<(String, &'a [u8])> {
    use sha2::{Digest, Sha256};
    let stored = hex_hashes(bytes);
    let salts = salt_candidates(bytes);
    let mut found = Vec::new();
    for secret in secrets {
        let name = String::from_utf8_lossy(secret).into_owned();
        let mut check = |digest: &[u8]| {
            let hex = hex::encode(digest);
            if let Some(hit) = stored.get(hex.as_bytes()) {
                found.push((name.clone(), *hit));
            }
        };
        check(&Sha256::digest(secret));
        for salt in &salts {
            check(
                &Sha256::new()
                    .chain_update(salt)
                    .chain_update(secret)
                    .finalize(),
            );
            check(
                &Sha256::new()
                    .chain_update(secret)
                    .chain_update(salt)
                    .finalize(),
            );
        }
    }
    found
}

story!(
    no_identifier_can_be_recovered_by_hashing_candidates,
    |app| {
        store_marked(&app).await;
        let version = app.demo_version().await;
        let bytes = everything_stored(&app).await;
        assert!(
            hex_hashes(&bytes).len() > 3,
            "the database holds hashes (statements, tokens, audit entries)"
        );

        // What someone holding the database would try: each identifier (as entered and as
        // normalised), the typed signature, and each set of answers whole.
        let today = time::OffsetDateTime::now_utc().date();
        let mut secrets: Vec<Vec<u8>> = [
            "13912345678",
            "+8613912345678",
            "zqxjv.marker@example.com",
            "11010519491231002X",
            "张三",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        for n in 1..=3 {
            let validated = version.definition.validate(&marked(n), today).unwrap();
            secrets.push(shared::consent::record_bytes(&validated));
        }
        let found = hashes_of_secrets(&bytes, &secrets);
        assert!(
            found.is_empty(),
            "hashes in the {:?} database give away {:?}",
            app.backend,
            found
                .iter()
                .map(|(secret, hash)| format!("{secret} ({})", String::from_utf8_lossy(hash)))
                .collect::<Vec<_>>()
        );
        // The check itself finds a salted hash stored beside its salt.
        let salt = b"0123456789abcdef";
        let planted = [
            bytes.as_slice(),
            b" ",
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, salt)
                .as_bytes(),
            b" ",
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
                [&salt[..], b"+8613912345678"].concat(),
            ))
            .as_bytes(),
        ]
        .concat();
        assert_eq!(hashes_of_secrets(&planted, &secrets).len(), 1);
    }
);

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
