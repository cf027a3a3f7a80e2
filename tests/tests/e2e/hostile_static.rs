//! Path traversal on static files (issue #18): raw requests for `..`, its encodings
//! and absolute paths never leave the built web app.

use consentry_tests::{story, TestApp};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::hostile::problem;

/// Raw HTTP/1.1 over TCP, so that the path and headers reach the server as written
/// (an HTTP client normalises `..` and `%2e%2e`): the status and body.
async fn raw_http(app: &TestApp, request: &[u8]) -> Option<(u16, Vec<u8>)> {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.ok()?;
    stream.write_all(request).await.ok()?;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    let text = String::from_utf8_lossy(&answer);
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or_else(Vec::new, |i| answer[i + 4..].to_vec());
    Some((status, body))
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").into_bytes()
}

story!(static_files_do_not_leave_the_web_app, |app| {
    let built = consentry_tests::dist_dir().join("index.html").exists();
    let mut defects = Vec::new();
    let paths = [
        "/..%2f..%2fetc/passwd",
        "/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/../../../../../../etc/passwd",
        "/%2e%2e/Cargo.toml",
        "/..%2fCargo.toml",
        "/..%5c..%5cCargo.toml",
        "/%5c..%5c..%5cetc%5cpasswd",
        "/.%2e/.%2e/Cargo.toml",
        "/%252e%252e/Cargo.toml",
        "//etc/passwd",
        "/assets/..%2f..%2fCargo.toml",
        "/index.html%00.js",
        "/%00",
        "/f/..%2f..%2fCargo.toml",
        "/f/%2e%2e",
        "/embed/..%2f..%2fCargo.toml",
        "/api/v1/..%2f..%2fCargo.toml",
        "/api/v1/%2e%2e/%2e%2e/Cargo.toml",
        "/.well-known/..%2f..%2fCargo.toml",
        "/%ff%fe",
        "/a%",
        "/?%",
    ];
    for path in paths {
        match raw_http(&app, &get(path)).await {
            None => defects.push(format!("{path}: no answer")),
            Some((status, body)) => {
                let text = String::from_utf8_lossy(&body);
                // Without a built web app (`scripts/build-frontend.sh`) its pages are a
                // 503 that says so.
                let unbuilt = status == 503 && text.contains("has not been built") && !built;
                if status >= 500 && !unbuilt {
                    defects.push(format!("{path}: {status}"));
                }
                if text.contains("root:") || text.contains("[workspace]") {
                    defects.push(format!("{path}: served a file outside the web app"));
                }
                if path.starts_with("/api/") {
                    if let Some(p) = problem(status, &body) {
                        defects.push(format!("{path}: {p}"));
                    }
                }
            }
        }
        let healthy = app
            .fetch("/healthz")
            .send()
            .await
            .is_ok_and(|r| r.status() == 200);
        if !healthy {
            defects.push(format!("{path}: /healthz failed afterwards"));
        }
    }
    // Headers no client library sends: over hyper's limits, or malformed. hyper answers
    // these itself (431, 400) or closes the connection; the server keeps serving.
    let many: String = (0..200).map(|i| format!("X-H{i}: v\r\n")).collect();
    let huge = "a".repeat(1024 * 1024);
    let requests = [
        format!("GET /api/v1/system/version HTTP/1.1\r\nHost: x\r\n{many}Connection: close\r\n\r\n"),
        format!("GET /api/v1/system/version HTTP/1.1\r\nHost: x\r\nX-Big: {huge}\r\nConnection: close\r\n\r\n"),
        "GET /api/v1/system/version HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\nConnection: close\r\n\r\nhello".to_owned(),
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\nContent-Type: application/json\r\nConnection: close\r\n\r\nzz\r\n".to_owned(),
        "GET /api/v1/system/version HTTP/1.1\r\nHost: x\r\nBad Header\r\nConnection: close\r\n\r\n".to_owned(),
        "GET\u{0} /\r\n\r\n".to_owned(),
    ];
    for raw in &requests {
        if let Some((status, _)) = raw_http(&app, raw.as_bytes()).await {
            if status >= 500 {
                defects.push(format!("{}: {status}", &raw[..40.min(raw.len())]));
            }
        }
        let healthy = app
            .fetch("/healthz")
            .send()
            .await
            .is_ok_and(|r| r.status() == 200);
        if !healthy {
            defects.push(format!(
                "{}: /healthz failed afterwards",
                &raw[..40.min(raw.len())]
            ));
        }
    }
    assert!(defects.is_empty(), "{}", defects.join("\n"));
});
