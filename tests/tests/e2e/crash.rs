//! The server is killed (SIGKILL) in the middle of a large sync and restarted; the device
//! retries, and every record the server had acknowledged is there exactly once.

use std::collections::HashSet;

use consentry_tests::{
    consent::{demo_answers, Choices},
    process::{server_binary, ServerProcess},
    sync::{register_device_with, signed_record},
    ADMIN_PASSWORD,
};
use shared::api::{
    auth::{ChangePasswordRequest, LoginRequest, SessionInfo},
    forms::VersionDetail,
    sync::{SyncBatch, SyncResponse, SyncStatus},
};

struct Client {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

impl Client {
    async fn sign_in(base: &str, username: &str, password: &str) -> Client {
        let http = reqwest::Client::new();
        let r = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&LoginRequest {
                username: username.into(),
                password: password.into(),
            })
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let cookie = r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let info: SessionInfo = r.json().await.unwrap();
        Client {
            http,
            base: base.to_owned(),
            cookie,
            csrf: info.csrf_token,
        }
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}/api/v1{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_mid_sync_loses_and_duplicates_nothing() {
    let bin = server_binary();
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = ServerProcess::start(&bin, data.path(), port, true);
    let base = server.address.clone();
    let form_id = server.demo_form_id.clone().unwrap();

    // A staff account, created as an admin would.
    let admin = Client::sign_in(&base, "admin", server.admin_password.as_deref().unwrap()).await;
    let r = admin
        .post("/auth/password")
        .json(&ChangePasswordRequest {
            current_password: server.admin_password.clone().unwrap(),
            new_password: ADMIN_PASSWORD.into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let db_url = format!("sqlite://{}/consentry.db", data.path().display());
    consentry_tests::process::add_staff(&db_url, "zhang", "field staff passphrase").await;
    let staff = Client::sign_in(&base, "zhang", "field staff passphrase").await;
    let (device, key) = register_device_with(staff.post("/devices"), "phone").await;
    let version: VersionDetail = reqwest::get(format!("{base}/api/v1/public/forms/{form_id}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // Six batches of 1,000 records, signed on the device.
    let answers = demo_answers();
    let batches: Vec<SyncBatch> = (0..6)
        .map(|b| SyncBatch {
            device_id: device.id.clone(),
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
        let staff = Client {
            http: staff.http.clone(),
            base: base.clone(),
            cookie: staff.cookie.clone(),
            csrf: staff.csrf.clone(),
        };
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
        let r = staff.post("/sync").json(batch).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let body: SyncResponse = r.json().await.unwrap();
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
