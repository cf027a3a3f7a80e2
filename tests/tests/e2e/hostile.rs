//! Hostile input on every endpoint (issue #18). Every API route in the server's own
//! route record, as a signed-in admin (with the CSRF token) and anonymously, gets
//! truncated and invalid JSON, invalid UTF-8, a body over the limit, 100,000 nested
//! arrays, wrong shapes and content types, duplicated, oversized and undecodable
//! headers, and hostile path ids and query strings; `/sync` gets batches over its
//! limit; static files get path traversal; users, teams, forms, customer submissions and
//! synced records get SQL metacharacters and script in every text field. The answer is
//! never a 5xx: a 4xx is the JSON `ApiError` (code and message), the server answers
//! `/healthz` after each request, and refused requests write nothing.

use std::collections::BTreeMap;

use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    story,
    sync::{post_sync, register_device, signed_record},
    Expect, Session, TestApp,
};
use reqwest::{header::HeaderValue, Method, RequestBuilder};
use serde_json::{json, Value};
use shared::api::{
    auth::Role,
    error::ApiError,
    forms::{FormDetail, VersionDetail},
    records::RecordPage,
    sync::{SyncBatch, SyncStatus},
    users::{IssuedPassword, TeamSummary, UserSummary},
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::replay_storm::table_counts;

/// Text that breaks out of SQL strings, HTML and attributes, or that some databases
/// cannot store.
pub(crate) const PAYLOADS: &[&str] = &[
    "'; DROP TABLE users; --",
    "\" OR 1=1 --",
    "Robert'); DELETE FROM records WHERE ('1'='1",
    "%' OR '1'='1' /*",
    "<script>window.__pwned=1</script>",
    "\"><img src=x onerror=\"window.__pwned=1\">",
    "javascript:window.__pwned=1//\u{202e}\u{0}\u{1f}",
    "\\'; SELECT pg_sleep(0); --\\",
];

/// The ids a path parameter is given: hostile, then the made-up one of `access.rs`.
const HOSTILE_IDS: &[&str] = &[
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e",
    "%00",
    "%ff%fe",
    "'%20OR%201=1--",
    "%3Cscript%3E",
    "-1",
    "99999999999999999999999",
    "1e3",
    "00000000-0000-4000-8000-000000000000",
];

/// What was tried and what broke.
#[derive(Default)]
struct Probe {
    tried: usize,
    /// Each request answered with a 5xx, a 4xx not in the error shape, or no answer.
    defects: Vec<String>,
    per_route: BTreeMap<String, usize>,
    /// Requests that change state and were carried out (2xx), by route.
    carried_out: BTreeMap<String, usize>,
}

impl Probe {
    /// Sends `request` and checks the answer; then the server must still be serving.
    async fn check(&mut self, app: &TestApp, route: &str, case: &str, request: RequestBuilder) {
        self.tried += 1;
        *self.per_route.entry(route.to_owned()).or_default() += 1;
        match request.send().await {
            // A server may answer before reading a body over its limit (401, 413) and
            // close the connection; the client, still sending, may then miss the
            // answer. Only there is no answer acceptable.
            Err(_) if case.contains(OVERSIZED) => {}
            Err(e) => self
                .defects
                .push(format!("{route} [{case}]: no answer ({e})")),
            Ok(response) => {
                let status = response.status().as_u16();
                let body = response.bytes().await.unwrap_or_default();
                if let Some(problem) = problem(status, &body) {
                    self.defects.push(format!("{route} [{case}]: {problem}"));
                }
                if (200..300).contains(&status) && !route.starts_with("GET ") {
                    *self.carried_out.entry(route.to_owned()).or_default() += 1;
                }
            }
        }
        self.still_serving(app, route, case).await;
    }

    async fn still_serving(&mut self, app: &TestApp, route: &str, case: &str) {
        let healthy = unpooled()
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200);
        if !healthy {
            self.defects
                .push(format!("{route} [{case}]: /healthz failed afterwards"));
        }
    }

    fn assert_clean(&self, what: &str) {
        assert!(
            self.defects.is_empty(),
            "{what}: {} of {} hostile requests were mishandled:\n{}",
            self.defects.len(),
            self.tried,
            self.defects.join("\n")
        );
    }
}

/// Why an answer is not acceptable, if it is not: a 5xx, or a 4xx whose body is not an
/// `ApiError` with a code and a message.
fn problem(status: u16, body: &[u8]) -> Option<String> {
    let text = || String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
    if status >= 500 {
        return Some(format!("{status}: {}", text()));
    }
    if (400..500).contains(&status) {
        return match serde_json::from_slice::<ApiError>(body) {
            Ok(e) if !e.message.trim().is_empty() => None,
            Ok(_) => Some(format!("{status} with an empty message")),
            Err(_) => Some(format!("{status} not in the error shape: {}", text())),
        };
    }
    None
}

/// Every API route, as the server records them: method and path pattern.
fn routes() -> Vec<(Method, &'static str)> {
    consentry_server::api_routes()
        .table()
        .iter()
        .map(|r| (r.method.clone(), r.path))
        .collect()
}

/// The pattern with each path parameter replaced by `id`.
fn with_id(path: &str, id: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') { id } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// The case of a body over the server's limit.
const OVERSIZED: &str = "a 2 MiB body";

/// Bodies that are not the JSON a route takes: name, bytes, content type.
fn bad_bodies() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    const JSON: &str = "application/json";
    let mut huge = b"{\"x\":\"".to_vec();
    huge.resize(2 * 1024 * 1024, b'a');
    huge.extend_from_slice(b"\"}");
    vec![
        ("truncated JSON", b"{\"name\": \"a".to_vec(), JSON),
        ("invalid JSON", b"{name: 1,}".to_vec(), JSON),
        ("not JSON", b"nope".to_vec(), JSON),
        ("empty body", Vec::new(), JSON),
        (
            "invalid UTF-8",
            b"{\"name\": \"\xff\xfe\xfd\", \"username\": \"\xc3\x28\"}".to_vec(),
            JSON,
        ),
        (OVERSIZED, huge, JSON),
        ("100k nested arrays", vec![b'['; 100_000], JSON),
        (
            "100k nested objects",
            "{\"a\":".repeat(100_000).into_bytes(),
            JSON,
        ),
        ("null", b"null".to_vec(), JSON),
        ("an array", b"[1, 2, 3]".to_vec(), JSON),
        ("a string", b"\"text\"".to_vec(), JSON),
        (
            "a number out of range",
            b"{\"limit\": 1e999}".to_vec(),
            JSON,
        ),
        (
            "duplicate keys",
            b"{\"name\": \"a\", \"name\": \"b\"}".to_vec(),
            JSON,
        ),
        (
            "wrong types",
            json!({"name": 1, "username": [], "display_name": {}, "role": "root",
                   "definition": "x", "records": 5, "device_id": -1, "base_revision": "x"})
            .to_string()
            .into_bytes(),
            JSON,
        ),
        ("JSON as text/plain", b"{}".to_vec(), "text/plain"),
        (
            "a form body",
            b"name=a&role=admin".to_vec(),
            "application/x-www-form-urlencoded",
        ),
        (
            "multipart",
            b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n".to_vec(),
            "multipart/form-data; boundary=x",
        ),
        (
            "JSON as UTF-16",
            b"{\x00}\x00".to_vec(),
            "application/json; charset=utf-16",
        ),
        (
            "a made-up JSON type",
            b"{}".to_vec(),
            "application/evil+json",
        ),
        ("a garbled content type", b"{}".to_vec(), ";;;/// \t"),
    ]
}

/// Header abuse: what is added to an otherwise ordinary request.
fn bad_headers() -> Vec<(&'static str, Vec<(&'static str, HeaderValue)>)> {
    let big = HeaderValue::from_str(&"a".repeat(64 * 1024)).unwrap();
    vec![
        (
            "two content types",
            vec![
                ("content-type", HeaderValue::from_static("application/json")),
                ("content-type", HeaderValue::from_static("text/plain")),
            ],
        ),
        (
            "a wrong second CSRF token",
            vec![("x-csrf-token", HeaderValue::from_static("forged"))],
        ),
        ("a 64 KiB header", vec![("x-padding", big.clone())]),
        ("a 64 KiB cookie", vec![("cookie", big)]),
        (
            "undecodable header bytes",
            vec![
                (
                    "accept-language",
                    HeaderValue::from_bytes(b"\xff\xfe;q=\xff").unwrap(),
                ),
                (
                    "user-agent",
                    HeaderValue::from_bytes(b"\xc3\x28\x80").unwrap(),
                ),
                (
                    "x-forwarded-for",
                    HeaderValue::from_bytes(b"\xff, ::1, 1.2.3.4.5").unwrap(),
                ),
            ],
        ),
        (
            "hostile origin and forwarding",
            vec![
                ("origin", HeaderValue::from_static("null")),
                (
                    "x-forwarded-for",
                    HeaderValue::from_static("'; DROP TABLE users; --"),
                ),
                ("x-request-id", HeaderValue::from_static("../../etc/passwd")),
            ],
        ),
        (
            "a cookie of a forged session",
            vec![(
                "cookie",
                HeaderValue::from_static("__Host-consentry_session=../../x%00; a=b; ;;"),
            )],
        ),
    ]
}

/// Query strings for GET routes.
const BAD_QUERIES: &[&str] = &[
    "limit=abc",
    "limit=-1&offset=-5",
    "limit=99999999999999999999&before=1e999",
    "%ff=%fe&action=%00",
    "action=%25'%20OR%20'1'='1&form_id=..%2f..%2f",
    "limit=1&limit=2&limit=",
    "q=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E",
];

/// An HTTP client that opens a connection per request: a server may close a connection
/// after refusing a body it did not read, and a pooled client would then send the next
/// request into the closing connection and blame the server.
fn unpooled() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

/// `caller`'s request (its cookie, and its CSRF token when it changes state) over
/// `client`.
fn request(
    client: &reqwest::Client,
    app: &TestApp,
    caller: &Session,
    method: &Method,
    path: &str,
) -> RequestBuilder {
    let mut builder = client.request(method.clone(), app.api(path));
    if let Some(cookie) = &caller.cookie {
        builder = builder.header("cookie", cookie);
    }
    if let (Some(info), false) = (&caller.info, *method == Method::GET) {
        builder = builder.header(shared::api::auth::CSRF_HEADER, &info.csrf_token);
    }
    builder
}

/// The routes that end the caller's session; left to the anonymous caller.
fn ends_session(path: &str) -> bool {
    path == "/auth/logout"
}

story!(bad_bodies_headers_and_ids_on_every_route, |app| {
    let admin = app.admin().await;
    let callers = [("admin", admin), ("anonymous", app.anonymous())];
    let before = table_counts(&app).await;
    let last_logged = app.count("SELECT MAX(seq) FROM audit_log").await;
    let mut probe = Probe::default();
    let client = unpooled();
    for (method, path) in routes() {
        for (who, caller) in &callers {
            if *who == "admin" && ends_session(path) {
                continue;
            }
            let route = format!("{method} {path}");
            let concrete = with_id(path, "00000000-0000-4000-8000-000000000000");
            if method == Method::GET {
                for query in BAD_QUERIES {
                    let url = format!("{concrete}?{query}");
                    probe
                        .check(
                            &app,
                            &route,
                            &format!("{who}, ?{query}"),
                            request(&client, &app, caller, &method, &url),
                        )
                        .await;
                }
            } else {
                for (case, body, content_type) in bad_bodies() {
                    let req = request(&client, &app, caller, &method, &concrete)
                        .header("content-type", content_type)
                        .body(body);
                    probe
                        .check(&app, &route, &format!("{who}, {case}"), req)
                        .await;
                }
            }
            for (case, headers) in bad_headers() {
                let mut req = request(&client, &app, caller, &method, &concrete);
                if method != Method::GET {
                    req = req.header("content-type", "application/json").body("{}");
                }
                for (name, value) in headers {
                    req = req.header(name, value);
                }
                probe
                    .check(&app, &route, &format!("{who}, {case}"), req)
                    .await;
            }
            if path.contains('{') {
                for id in HOSTILE_IDS {
                    let mut req = request(&client, &app, caller, &method, &with_id(path, id));
                    if method != Method::GET {
                        req = req.json(&json!({}));
                    }
                    probe
                        .check(&app, &route, &format!("{who}, id {id}"), req)
                        .await;
                }
            }
        }
    }
    eprintln!(
        "hostile input on {:?}: {} requests over {} routes ({} to {} per route)",
        app.backend,
        probe.tried,
        probe.per_route.len(),
        probe.per_route.values().min().unwrap_or(&0),
        probe.per_route.values().max().unwrap_or(&0),
    );
    probe.assert_clean("bad bodies, headers and ids");

    // Nothing was written by what was refused. Carried out were only requests that
    // are whole whatever came with them: a blank draft (`POST /forms` takes an optional
    // definition, so `{}` and unknown members make one), a second factor's setup (no
    // body), a signed audit head, a retention dry run (which writes nothing) and a
    // retention run (no body); and the audit log's export, a GET that logs itself.
    eprintln!("carried out despite the abuse: {:?}", probe.carried_out);
    let expected = [
        "POST /forms",
        "POST /auth/totp/setup",
        "POST /audit/heads",
        "POST /retention/dry-run",
        "POST /retention/runs",
    ];
    assert!(
        probe
            .carried_out
            .keys()
            .all(|r| expected.contains(&r.as_str())),
        "{:?}",
        probe.carried_out
    );
    let carried =
        |route: &str| i64::try_from(probe.carried_out.get(route).copied().unwrap_or(0)).unwrap();
    let drafts = carried("POST /forms");
    let after = table_counts(&app).await;
    for (table, n) in &after {
        let written = match table.as_str() {
            "forms" | "form_drafts" => drafts,
            "retention_runs" => carried("POST /retention/runs"),
            "user_totp" | "audit_log" | "leases" => continue,
            _ => 0,
        };
        assert_eq!(
            before.get(table).copied().unwrap_or(0) + written,
            *n,
            "rows of {table}"
        );
    }
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let logged: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT action FROM audit_log WHERE seq > $1")
            .bind(last_logged)
            .fetch_all(db.pool())
            .await
            .unwrap();
    db.close().await;
    assert!(
        logged.iter().all(|a| [
            "audit.export",
            "forms.create",
            "auth.totp_setup",
            "retention.run_started",
            "retention.run_finished",
        ]
        .contains(&a.as_str())),
        "logged: {logged:?}"
    );
});

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

story!(sync_batches_over_the_limit_are_refused_whole, |app| {
    let staff = app.collector(Role::Staff).await;
    let (device, _) = register_device(&staff, "phone").await;
    let mut probe = Probe::default();
    let batch = |records: &str| {
        format!(
            "{{\"device_id\":\"{}\",\"records\":[{records}]}}",
            device.id
        )
    };
    let cases = [
        ("1,001 empty records", batch(&vec!["{}"; 1_001].join(","))),
        (
            "five million empty records",
            batch(&vec!["{}"; 5_000_000].join(",")),
        ),
        (
            "a body over 32 MiB",
            batch(&vec!["{}"; 12_000_000].join(",")),
        ),
        (
            "a record of 200,000 answers",
            batch(&format!(
                "{{\"uuid\":\"x\",\"answers\":{{{}}}}}",
                (0..200_000)
                    .map(|i| format!("\"k{i}\":\"v\""))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
        ),
        ("records nested 100,000 deep", batch(&"[".repeat(100_000))),
        (
            "records that are not objects",
            batch("1, \"a\", null, [], true"),
        ),
    ];
    for (case, body) in cases {
        let req = staff
            .post("/sync")
            .header("content-type", "application/json")
            .body(body);
        probe.check(&app, "POST /sync", case, req).await;
    }
    probe.assert_clean("oversized sync batches");
    assert_eq!(app.count("SELECT COUNT(*) FROM records").await, 0);
});

/// The demo form's definition with every text in both languages replaced by `text`.
fn definition_saying(text: &str) -> Value {
    fn walk(v: &mut Value, text: &str) {
        match v {
            Value::Object(map) => {
                if map.contains_key("zh-CN") && map.contains_key("en") {
                    map.insert("zh-CN".into(), json!(text));
                    map.insert("en".into(), json!(text));
                    return;
                }
                map.values_mut().for_each(|v| walk(v, text));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, text)),
            _ => {}
        }
    }
    let mut def =
        serde_json::to_value(shared::schema::FormDefinition::demo_customer_registration()).unwrap();
    walk(&mut def, text);
    def
}

/// The status of `request`, checked by `probe`; the body when it succeeded.
async fn attempt(
    probe: &mut Probe,
    app: &TestApp,
    route: &str,
    case: &str,
    request: RequestBuilder,
) -> Option<Value> {
    probe.tried += 1;
    *probe.per_route.entry(route.to_owned()).or_default() += 1;
    let response = request.send().await.ok()?;
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap_or_default();
    if let Some(p) = problem(status, &body) {
        probe.defects.push(format!("{route} [{case}]: {p}"));
    }
    probe.still_serving(app, route, case).await;
    (200..300)
        .contains(&status)
        .then(|| serde_json::from_slice(&body).unwrap_or(Value::Null))
}

story!(hostile_text_is_stored_as_text_or_refused, |app| {
    let admin = app.admin().await;
    let mut probe = Probe::default();
    let version = app.demo_version().await;
    let staff = app.collector(Role::Staff).await;
    let (device, key) = register_device(&staff, "phone").await;
    let mut seq = 0;
    let mut stored_texts = Vec::new();
    let mut named = Vec::new();
    for (i, text) in PAYLOADS.iter().enumerate() {
        let case = format!("{text:?}");
        // Teams and accounts: stored as written, or refused.
        let team = attempt(
            &mut probe,
            &app,
            "POST /teams",
            &case,
            admin.post("/teams").json(&json!({ "name": text })),
        )
        .await;
        if let Some(team) = team {
            let team: TeamSummary = serde_json::from_value(team).unwrap();
            assert_eq!(team.name, *text);
            let renamed = format!("{text} {i}");
            attempt(
                &mut probe,
                &app,
                "PUT /teams/{id}",
                &case,
                admin
                    .put(&format!("/teams/{}", team.id))
                    .json(&json!({ "name": renamed })),
            )
            .await;
        }
        let user = attempt(
            &mut probe,
            &app,
            "POST /users",
            &case,
            admin.post("/users").json(&json!({
                "username": text, "display_name": text, "role": "staff"
            })),
        )
        .await;
        let user = match user {
            Some(u) => Some(serde_json::from_value::<IssuedPassword>(u).unwrap().user),
            // A user name with these characters is refused: try them in the display name.
            None => attempt(
                &mut probe,
                &app,
                "POST /users",
                &case,
                admin.post("/users").json(&json!({
                    "username": format!("hostile{i}"), "display_name": text, "role": "staff"
                })),
            )
            .await
            .map(|u| serde_json::from_value::<IssuedPassword>(u).unwrap().user),
        };
        if let Some(user) = user {
            assert_eq!(user.display_name, *text);
            attempt(
                &mut probe,
                &app,
                "PUT /users/{id}",
                &case,
                admin
                    .put(&format!("/users/{}", user.id))
                    .json(&json!({"display_name": format!("{text}!"), "role": "staff"})),
            )
            .await;
            named.push(*text);
        } else {
            eprintln!("no account can be named {text:?}");
        }

        // Forms: a draft whose every text is the payload, then published.
        let form = attempt(
            &mut probe,
            &app,
            "POST /forms",
            &case,
            admin
                .post("/forms")
                .json(&json!({ "definition": definition_saying(text) })),
        )
        .await;
        if let Some(form) = form {
            let form: FormDetail = serde_json::from_value(form).unwrap();
            assert_eq!(form.draft.title.en, *text);
            attempt(
                &mut probe,
                &app,
                "POST /forms/{id}/publish",
                &case,
                admin
                    .post(&format!("/forms/{}/publish", form.summary.id))
                    .json(&json!({"base_revision": form.summary.draft_revision})),
            )
            .await;
        }

        // Records: a customer's submission and a synced record with the payload in
        // every text answer.
        let today = time::OffsetDateTime::now_utc().date();
        let mut answers = demo_answers();
        answers.insert("full_name".into(), json!(text));
        let mut everywhere = answers.clone();
        everywhere.insert("signature".into(), json!(text));
        if let Some(address) = everywhere.get_mut("address") {
            address["detail"] = json!(text);
        }
        if version.definition.validate(&everywhere, today).is_ok() {
            answers = everywhere;
        }
        if version.definition.validate(&answers, today).is_ok() {
            let req = signed_submission(
                &version,
                &answers,
                &Choices::all_demo(),
                &new_key(),
                &uuid::Uuid::now_v7().to_string(),
            );
            attempt(
                &mut probe,
                &app,
                "POST /public/forms/{id}/submissions",
                &case,
                app.anonymous()
                    .post(&format!("/public/forms/{}/submissions", app.demo_form_id))
                    .json(&req),
            )
            .await;
            seq += 1;
            let record = signed_record(
                &version,
                &answers,
                &Choices::all_demo(),
                &device.id,
                &key,
                seq,
            );
            let answer = post_sync(
                &staff,
                &SyncBatch {
                    device_id: device.id,
                    records: vec![record],
                },
            )
            .await;
            assert!(
                matches!(answer.results[0].status, SyncStatus::Stored { .. }),
                "{answer:?}"
            );
            stored_texts.push(*text);
        } else {
            eprintln!("the demo form refuses {text:?} in its text answers");
        }

        // Searches and reasons.
        attempt(
            &mut probe,
            &app,
            "POST /records/lookup",
            &case,
            admin
                .post("/records/lookup")
                .json(&json!({"kind": "phone", "value": text})),
        )
        .await;
        attempt(
            &mut probe,
            &app,
            "GET /audit",
            &case,
            admin.get("/audit").query(&[("action", *text)]),
        )
        .await;
        attempt(
            &mut probe,
            &app,
            "GET /records",
            &case,
            admin.get("/records").query(&[("form_id", *text)]),
        )
        .await;
        attempt(
            &mut probe,
            &app,
            "POST /public/consents/status",
            &case,
            app.anonymous().post("/public/consents/status").json(
                &json!({"receipt_id": "00000000-0000-4000-8000-000000000000", "token": text}),
            ),
        )
        .await;
    }
    // Everything reads back as written, in every list that shows it.
    let users: Vec<UserSummary> = admin.get_json("/users", 200).await;
    for text in named {
        assert!(
            users.iter().any(|u| u.display_name == format!("{text}!")),
            "{text:?} in /users"
        );
    }
    let records: RecordPage = staff.get_json("/records?limit=200", 200).await;
    for text in stored_texts {
        assert!(
            records.records.iter().any(|r| r
                .values
                .values()
                .any(|v| v.display.as_deref() == Some(text))),
            "{text:?} reads back from /records"
        );
    }
    admin.get("/teams").expect_status(200).await;
    admin.get("/forms").expect_status(200).await;
    admin.get("/audit/export").expect_status(200).await;
    let _: VersionDetail = app.demo_version().await;
    probe.assert_clean("hostile text");
    assert!(
        app.count("SELECT COUNT(*) FROM users").await > 0,
        "the users table is still there"
    );
    eprintln!(
        "hostile text on {:?}: {} requests",
        app.backend, probe.tried
    );
});
