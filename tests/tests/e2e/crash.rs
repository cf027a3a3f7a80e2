//! The server is killed (SIGKILL) in the middle of a large sync and restarted; the device
//! retries, and every record the server had acknowledged is there exactly once.

use std::collections::HashSet;

use consentry_tests::{
    consent::{demo_answers, Choices},
    process::{free_port, server_binary, ServerProcess},
    sync::{register_device, signed_record},
    Expect, Session, ADMIN_PASSWORD,
};
use shared::api::{
    auth::ChangePasswordRequest,
    sync::{SyncBatch, SyncResponse, SyncStatus},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_mid_sync_loses_and_duplicates_nothing() {
    let bin = server_binary();
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = ServerProcess::start(&bin, data.path(), port, true);
    let base = server.address.clone();

    // A staff account, created as an admin would.
    let http = reqwest::Client::new();
    let first_password = server.admin_password.clone().unwrap();
    let admin = Session::sign_in(&http, &base, "admin", &first_password)
        .await
        .unwrap();
    admin
        .post("/auth/password")
        .json(&ChangePasswordRequest {
            current_password: first_password,
            new_password: ADMIN_PASSWORD.into(),
        })
        .expect_status(200)
        .await;
    let db_url = format!("sqlite://{}/consentry.db", data.path().display());
    consentry_tests::process::add_staff(&db_url, "zhang", "field staff passphrase").await;
    let staff = Session::sign_in(&http, &base, "zhang", "field staff passphrase")
        .await
        .unwrap();
    let (device, key) = register_device(&staff, "phone").await;
    let version = server.demo_version().await;

    // Six batches of 1,000 records, signed on the device.
    let answers = demo_answers();
    let batches: Vec<SyncBatch> = (0..6)
        .map(|b| SyncBatch {
            device_id: device.id,
            records: (0..1000)
                .map(|i| {
                    signed_record(
                        &version,
                        &answers,
                        &Choices::all_demo(),
                        &device.id,
                        &key,
                        b * 1000 + i + 1,
                    )
                })
                .collect(),
        })
        .collect();

    // Send them one after another; once the first is acknowledged, kill the server while
    // the second is being stored.
    let (first_acked, first_acked_rx) = tokio::sync::oneshot::channel::<()>();
    let sender = {
        let batches = batches.clone();
        let staff = staff.clone();
        tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            let mut first_acked = Some(first_acked);
            for batch in &batches {
                let Ok(r) = staff.post("/sync").json(batch).send().await else {
                    break;
                };
                let Ok(body) = r.json::<SyncResponse>().await else {
                    break;
                };
                for result in body.results {
                    if matches!(
                        result.status,
                        SyncStatus::Stored { .. } | SyncStatus::AlreadyStored { .. }
                    ) {
                        acknowledged.push(result.uuid);
                    }
                }
                if let Some(tx) = first_acked.take() {
                    let _ = tx.send(());
                }
            }
            acknowledged
        })
    };
    first_acked_rx.await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    server.kill();
    let acknowledged = sender.await.unwrap();
    assert!(
        acknowledged.len() >= 1000 && acknowledged.len() < 6000,
        "{}",
        acknowledged.len()
    );
    eprintln!("acknowledged before the kill: {}", acknowledged.len());

    // Restart on the same files; the device retries everything it has.
    let server = ServerProcess::start(&bin, data.path(), port, false);
    let mut stored = HashSet::new();
    for batch in &batches {
        let body: SyncResponse = staff.post_json("/sync", batch, 200).await;
        for result in body.results {
            assert!(
                matches!(
                    result.status,
                    SyncStatus::Stored { .. } | SyncStatus::AlreadyStored { .. }
                ),
                "{:?}",
                result.status
            );
            stored.insert(result.uuid);
        }
    }
    assert_eq!(stored.len(), 6000);
    drop(server);

    // Every acknowledged record is there, and no record is there twice.
    let db = consentry_server::store::Db::connect(&db_url).await.unwrap();
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let distinct: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT id) FROM records")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(total, 6000);
    assert_eq!(distinct, 6000);
    for uuid in &acknowledged {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE id = $1")
            .bind(uuid)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(n, 1, "acknowledged record {uuid} is missing");
    }
    db.close().await;
}
