//! Memory stays bounded under hostile input (issue #18): a server process receives, four
//! at a time, the heaviest bodies the hostile suite sends (sync batches of millions of
//! empty records, a body over the limit, JSON nested 100,000 deep, a record of 200,000
//! answers, a 1 MiB form definition of nesting), then a burst of sign-ins. Its peak
//! resident memory (`VmHWM`) is read from /proc before and after and printed; it must
//! stay within 256 MiB of what the server used for ordinary traffic. (Parsing a 32 MiB
//! sync body of `{}` into records before counting them took gigabytes.)

use std::time::Duration;

use consentry_tests::{
    process::{add_staff, free_port, server_binary, ServerProcess},
    sync::register_device,
    Expect, Session, ADMIN_PASSWORD,
};
use shared::api::auth::ChangePasswordRequest;

/// Peak and current resident memory of a process, in MiB.
fn memory_mib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .unwrap_or(0)
            / 1024
    };
    (field("VmHWM:"), field("VmRSS:"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_heaviest_hostile_bodies_keep_memory_bounded() {
    let data = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(&server_binary(), data.path(), free_port(), true);
    let pid = server.pid();
    let base = server.address.clone();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let first = server.admin_password.clone().unwrap();
    let admin = Session::sign_in(&http, &base, "admin", &first)
        .await
        .unwrap();
    admin
        .post("/auth/password")
        .json(&ChangePasswordRequest {
            current_password: first,
            new_password: ADMIN_PASSWORD.into(),
        })
        .expect_status(200)
        .await;
    let admin = Session::sign_in(&http, &base, "admin", ADMIN_PASSWORD)
        .await
        .unwrap();
    let db_url = format!("sqlite://{}/consentry.db", data.path().display());
    add_staff(&db_url, "zhang", "field staff passphrase").await;
    let staff = Session::sign_in(&http, &base, "zhang", "field staff passphrase")
        .await
        .unwrap();
    let (device, _) = register_device(&staff, "phone").await;
    // Ordinary traffic first: the records page, the forms, a sync of nothing.
    for _ in 0..20 {
        admin.get("/forms").expect_status(200).await;
        admin.get("/records").expect_status(200).await;
    }
    let (baseline, _) = memory_mib(pid);

    let batch = |records: String| {
        format!(
            "{{\"device_id\":\"{}\",\"records\":[{records}]}}",
            device.id
        )
    };
    let bodies: Vec<(&str, Session, String)> = vec![
        (
            "/sync",
            staff.clone(),
            batch(vec!["{}"; 5_000_000].join(",")),
        ),
        (
            "/sync",
            staff.clone(),
            batch(vec!["{}"; 12_000_000].join(",")),
        ),
        (
            "/sync",
            staff.clone(),
            batch(format!(
                "{{\"uuid\":\"x\",\"answers\":{{{}}}}}",
                (0..200_000)
                    .map(|i| format!("\"k{i}\":\"v\""))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
        ),
        ("/sync", staff.clone(), batch("[".repeat(100_000))),
        ("/forms", admin.clone(), "[".repeat(1_000_000)),
    ];
    let mut statuses = Vec::new();
    for round in 0..2 {
        let mut sends = tokio::task::JoinSet::new();
        for (path, caller, body) in &bodies {
            let (path, caller, body) = (*path, caller.clone(), body.clone());
            // Over the body limit the server answers 413 and closes the connection,
            // which the client may see as a reset while it is still sending. A body of
            // megabytes refused while it streams in (too many records, say) can end the
            // same way when the machine is busy: the server stopped reading it.
            let over_limit = body.len() > shared::api::sync::MAX_SYNC_BODY_BYTES
                || (path == "/sync" && body.len() > 1024 * 1024);
            sends.spawn(async move {
                let Ok(response) = caller
                    .post(path)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                else {
                    return if over_limit { 413 } else { 0 };
                };
                let status = response.status().as_u16();
                // A batch whose one record is malformed is answered 200 with that record
                // refused (it counts as refused); everything else is refused whole.
                let text = response.text().await.unwrap_or_default();
                if status == 200 && path == "/sync" && !text.contains("\"stored\"") {
                    422
                } else {
                    status
                }
            });
        }
        while let Some(status) = sends.join_next().await {
            statuses.push((round, status.unwrap()));
        }
    }
    // Sign-in guesses in a burst: argon2 runs a few at a time, the rest wait or are refused.
    // On connections of their own: the server closed those the hostile bodies came on,
    // and a pooled one reused as it closes fails before reaching it.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..40 {
        let (http, base) = (http.clone(), base.clone());
        guesses.spawn(async move {
            http.post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({"username": format!("nobody{i}"), "password": "guess guess"}))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        });
    }
    let mut guess_statuses = Vec::new();
    while let Some(status) = guesses.join_next().await {
        guess_statuses.push(status.unwrap());
    }
    let (peak, now) = memory_mib(pid);
    println!(
        "server memory: {baseline} MiB peak after ordinary traffic; {peak} MiB peak and {now} MiB \
         resident after the hostile bodies and 40 parallel sign-ins"
    );
    for (round, status) in &statuses {
        assert!(
            (400..500).contains(status),
            "round {round}: a hostile body got {status}"
        );
    }
    assert!(
        guess_statuses.iter().all(|s| [401, 429, 503].contains(s)),
        "{guess_statuses:?}"
    );
    assert!(
        peak <= baseline + 256,
        "peak memory {peak} MiB, {baseline} MiB before the hostile bodies"
    );
    // And it still serves.
    admin.get("/forms").expect_status(200).await;
}
