//! Replicas agree on the signing keys: servers that start together on an empty database
//! make one key between them, a running server takes up `rotate-signing-key` without a
//! restart, and a key another replica signs with verifies at once.

use std::{future::Future, time::Duration};

use consentry_tests::{story, Backend, Expect, TestApp};
use shared::{api::audit::AuditVerification, audit::AuditHead};

/// Runs `consentry rotate-signing-key` against `app`'s database: (retired id, new id).
pub(crate) async fn rotate_signing_key(app: &TestApp) -> (Option<String>, String) {
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let master = consentry_server::crypto::MasterKeyring::new(
        consentry_server::crypto::load_existing_master_key(&app.data_dir.path().join("master.key"))
            .unwrap(),
        vec![],
    );
    let rotated = consentry_server::rotation::rotate_signing_key(&db, &master)
        .await
        .unwrap();
    db.close().await;
    rotated
}

/// Asks `check` again every 100 ms until it holds; fails after 15 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} did not happen within 15 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Four servers start at once on one empty database: one key is made, and every
/// server publishes it alone and signs with it.
async fn replicas_make_one_key(backend: Backend) {
    let replicas = TestApp::spawn_replicas(backend, 4, |_| {}).await;
    assert_eq!(
        replicas[0].count("SELECT COUNT(*) FROM server_keys").await,
        1,
        "servers starting together each made a key"
    );
    let published = replicas[0].published_keys().await;
    assert_eq!(published.keys.len(), 1, "{published:?}");
    for replica in &replicas {
        assert_eq!(replica.published_keys().await, published);
        let submitted = replica.submit_demo().await;
        assert_eq!(
            submitted.receipt.body.server_key_id,
            published.keys[0].key_id
        );
        submitted.receipt.verify(&published).unwrap();
    }
}

mod replicas_starting_together_make_one_key {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        replicas_make_one_key(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        replicas_make_one_key(Backend::Postgres).await;
    }
}

story!(a_running_server_signs_with_the_rotated_key, |app| {
    let mut app = app;
    app.restart(|c| c.key_refresh = Duration::from_secs(1))
        .await
        .unwrap();
    let admin = app.admin().await;
    let before = app.submit_demo().await;
    let (retired, new_id) = rotate_signing_key(&app).await;
    assert_eq!(
        retired.as_deref(),
        Some(before.receipt.body.server_key_id.as_str())
    );

    eventually("publishing the new key", || async {
        app.published_keys().await.find(&new_id).is_some()
    })
    .await;
    let after = app.submit_demo().await;
    assert_eq!(after.receipt.body.server_key_id, new_id);
    let published = app.published_keys().await;
    assert!(published
        .find(&before.receipt.body.server_key_id)
        .unwrap()
        .retired_at_ms
        .is_some());
    after.receipt.verify(&published).unwrap();
    for receipt in [&before.receipt, &after.receipt] {
        let v = app.verify_receipt(receipt).await;
        assert!(v.valid, "{:?}", v.problem);
    }
    // The audit head is signed with the new key too, and the chain verifies.
    let head: Option<AuditHead> = admin.post("/audit/heads").expect_json(200).await;
    assert_eq!(head.unwrap().key_id, new_id);
    let verdict: AuditVerification = admin.get_json("/audit/verify", 200).await;
    assert!(
        verdict.report.first_break.is_none(),
        "{:?}",
        verdict.message
    );
});

story!(a_key_another_replica_made_verifies_at_once, |app| {
    let mut app = app;
    // Far longer than the test: only meeting an unknown key makes this server look.
    let hour = |c: &mut consentry_server::Config| c.key_refresh = Duration::from_secs(3600);
    app.restart(hour).await.unwrap();

    // An audit head signed by another replica with a key made after this server read
    // its keys.
    let (_, second) = rotate_signing_key(&app).await;
    let other = app.replica(hour).await;
    let admin_there = other.admin().await;
    let head: Option<AuditHead> = admin_there.post("/audit/heads").expect_json(200).await;
    assert_eq!(head.unwrap().key_id, second);
    let admin = app.admin().await;
    let verdict: AuditVerification = admin.get_json("/audit/verify", 200).await;
    assert!(
        verdict.report.first_break.is_none(),
        "{:?}",
        verdict.message
    );

    // A receipt signed by a third replica with a key newer still.
    let (_, third) = rotate_signing_key(&app).await;
    let signed_there = app.replica(hour).await.submit_demo().await;
    assert_eq!(signed_there.receipt.body.server_key_id, third);
    let v = app.verify_receipt(&signed_there.receipt).await;
    assert!(v.valid, "{:?}", v.problem);

    // Having read the keys again, this server publishes the new key and signs with it.
    let published = app.published_keys().await;
    assert_eq!(published.keys.len(), 3);
    assert_eq!(app.submit_demo().await.receipt.body.server_key_id, third);
});
