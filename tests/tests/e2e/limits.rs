//! Abuse control: per-address budgets on the public routes (429 `rate_limited` with
//! `Retry-After`), a deadline for a request's headers (slow-loris) and one for the whole
//! request, its body included.
//!
//! The budgets do not depend on the database, so these run on SQLite only.

use std::time::{Duration, Instant};

use consentry_server::config::RateLimits;
use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    expect_json, Backend, Expect, TestApp,
};
use shared::api::{
    auth::{Role, CSRF_HEADER},
    consent::SubmitResponse,
    error::{ApiError, ErrorCode},
};
use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::TcpStream,
};

/// A server with small budgets (6 submissions a minute, 2 at once; 3 withdrawals, 1 at
/// once; 6 reads, 2 at once) to which the tests' own address is a trusted proxy, so
/// that `X-Forwarded-For` names the client.
async fn limited_app() -> TestApp {
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    app.restart(|c| {
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
        c.rate_limits = Some(RateLimits {
            submissions: 6,
            withdrawals: 3,
            reads: 6,
        });
    })
    .await
    .unwrap();
    app
}

/// A customer at `client` submits the demo form, fully consenting.
async fn submit_from(app: &TestApp, client: &str) -> reqwest::Response {
    let version = app.demo_version().await;
    let req = signed_submission(
        &version,
        &demo_answers(),
        &Choices::all_demo(),
        &new_key(),
        &uuid::Uuid::now_v7().to_string(),
    );
    app.http
        .post(app.api(&format!("/public/forms/{}/submissions", app.demo_form_id)))
        .header("x-forwarded-for", client)
        .json(&req)
        .send()
        .await
        .unwrap()
}

/// `POST path` from `client` with the receipt's id and withdrawal token.
async fn with_token_from(
    app: &TestApp,
    client: &str,
    path: &str,
    done: &SubmitResponse,
) -> reqwest::Response {
    app.http
        .post(app.api(path))
        .header("x-forwarded-for", client)
        .json(&serde_json::json!({
            "receipt_id": done.receipt.body.statement.receipt_id,
            "token": done.withdraw_token,
            "purposes": ["marketing"],
        }))
        .send()
        .await
        .unwrap()
}

/// The published keys, fetched by `client`.
async fn keys_from(app: &TestApp, client: &str) -> u16 {
    app.fetch("/.well-known/consentry-keys.json")
        .header("x-forwarded-for", client)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The answer must be a 429 `rate_limited` in the API's JSON shape whose `Retry-After`
/// is whole seconds, at most `at_most`.
async fn assert_refused(response: reqwest::Response, at_most: u64) {
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in whole seconds");
    assert!((1..=at_most).contains(&retry_after), "{retry_after}");
    let e: ApiError = expect_json(response, 429).await;
    assert_eq!(e.code, ErrorCode::RateLimited);
    assert!(e.message.contains("try again"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_beyond_an_address_budget_are_refused_with_retry_after() {
    let app = limited_app().await;
    for _ in 0..2 {
        assert_eq!(submit_from(&app, "203.0.113.7").await.status(), 201);
    }
    // One every 10 s after the burst.
    assert_refused(submit_from(&app, "203.0.113.7").await, 10).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 2);
    // Another customer is not held back with it.
    let done: SubmitResponse = expect_json(submit_from(&app, "203.0.113.8").await, 201).await;
    // Nor are the same address's reads, which have their own budget.
    let status = with_token_from(&app, "203.0.113.7", "/public/consents/status", &done).await;
    assert_eq!(status.status(), 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_and_withdrawals_have_budgets_per_address_and_per_ipv6_64() {
    let app = limited_app().await;
    let done: SubmitResponse = expect_json(submit_from(&app, "198.51.100.1").await, 201).await;
    // Status look-ups, receipt verifications and the published keys share one budget.
    let client = "2001:db8:1:2::1";
    let status = with_token_from(&app, client, "/public/consents/status", &done).await;
    assert_eq!(status.status(), 200);
    let verified = app
        .http
        .post(app.api("/public/receipts/verify"))
        .header("x-forwarded-for", client)
        .json(&done.receipt)
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), 200);
    // One every 10 s after the burst, and another address of the same /64 is the same
    // subscriber.
    assert_refused(
        with_token_from(&app, "2001:db8:1:2::ffff", "/public/consents/status", &done).await,
        10,
    )
    .await;
    assert_eq!(keys_from(&app, client).await, 429);
    assert_eq!(keys_from(&app, "2001:db8:1:3::1").await, 200);
    // Withdrawals: one at once.
    let withdrawn = with_token_from(&app, client, "/public/consents/withdraw", &done).await;
    assert_eq!(withdrawn.status(), 200);
    assert_refused(
        with_token_from(&app, client, "/public/consents/withdraw", &done).await,
        20,
    )
    .await;
    // Routes without a budget are not limited.
    app.fetch("/healthz")
        .header("x-forwarded-for", client)
        .expect_status(200)
        .await;
}

/// The host and port of the app, for a raw TCP connection.
fn host(app: &TestApp) -> &str {
    app.address.trim_start_matches("http://")
}

/// Sends `bytes` one every 200 ms and reads what comes back, until the server closes
/// the connection (then `Some` of what it sent) or `give_up` passes (`None`).
async fn trickle(stream: &mut TcpStream, bytes: &[u8], give_up: Duration) -> Option<Vec<u8>> {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut next = bytes.iter().cycle();
    let mut buf = [0u8; 4096];
    while started.elapsed() < give_up {
        if let Some(byte) = next.next() {
            if stream.write_all(&[*byte]).await.is_err() {
                return Some(received);
            }
        }
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return Some(received),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_trickles_its_headers_is_disconnected() {
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    app.restart(|c| c.timeouts.header = Duration::from_secs(1))
        .await
        .unwrap();
    // Headers that never end, a byte at a time.
    let mut slow = TcpStream::connect(host(&app)).await.unwrap();
    let started = Instant::now();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let answer = trickle(&mut slow, b"loris", Duration::from_secs(10))
        .await
        .expect("the server hangs up on headers that take too long");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(8),
        "{elapsed:?}"
    );
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    // A connection that says nothing at all is closed too.
    let mut silent = TcpStream::connect(host(&app)).await.unwrap();
    assert!(trickle(&mut silent, b"", Duration::from_secs(10))
        .await
        .is_some());
    // A prompt client is served as usual.
    app.fetch("/healthz").expect_status(200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_body_trickles_in_is_stopped_with_a_json_408() {
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    app.restart(|c| c.timeouts.request = Duration::from_secs(2))
        .await
        .unwrap();
    let mut slow = TcpStream::connect(host(&app)).await.unwrap();
    let started = Instant::now();
    slow.write_all(
        b"POST /api/v1/public/consents/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\
          Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"token\": \"",
    )
    .await
    .unwrap();
    let answer = trickle(&mut slow, b"a", Duration::from_secs(10))
        .await
        .expect("the server stops a request whose body takes too long");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1900) && elapsed < Duration::from_secs(8),
        "{elapsed:?}"
    );
    let answer = String::from_utf8(answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(
        head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );
    let json = &body[body.find('{').unwrap()..=body.rfind('}').unwrap()];
    let e: ApiError = serde_json::from_str(json).unwrap();
    assert_eq!(e.code, ErrorCode::Timeout);
    assert!(e.generic);

    // A sync batch, the largest upload, has longer (300 s by default).
    let staff = app.collector(Role::Staff).await;
    let mut upload = TcpStream::connect(host(&app)).await.unwrap();
    upload
        .write_all(
            format!(
                "POST /api/v1/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {}\r\n\
                 {CSRF_HEADER}: {}\r\nContent-Type: application/json\r\n\
                 Content-Length: 100000\r\n\r\n{{\"records\": [",
                staff.cookie.as_deref().unwrap(),
                staff.info.as_ref().unwrap().csrf_token
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(
        trickle(&mut upload, b" ", Duration::from_secs(4)).await,
        None,
        "a slow sync upload is still being read after the ordinary deadline"
    );
}
