//! Hostile input on every endpoint (issue #18). Every API route in the server's own
//! route record, as a signed-in admin (with the CSRF token) and anonymously, gets
//! truncated and invalid JSON, invalid UTF-8, a body over the limit, 100,000 nested
//! arrays, wrong shapes and content types, duplicated, oversized and undecodable
//! headers, and hostile path ids and query strings; `/sync` gets batches over its
//! limit (static files: `hostile_static.rs`; hostile text in every text field:
//! `hostile_text.rs`). The answer is never a 5xx: a 4xx is the JSON `ApiError` (code
//! and message), the server answers `/healthz` after each request, and refused
//! requests write nothing.

use std::collections::BTreeMap;

use consentry_tests::{story, sync::register_device, Session, TestApp};
use reqwest::{header::HeaderValue, Method, RequestBuilder};
use serde_json::{json, Value};
use shared::api::{auth::Role, error::ApiError};

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

/// `request` on a connection of its own, closed after the answer: a pooled connection
/// left idle while a slow case ran may be closed by the server (its header timeout) just
/// as the next request goes out on it, which would read as "no answer".
fn fresh_connection(request: RequestBuilder) -> RequestBuilder {
    request.header(reqwest::header::CONNECTION, "close")
}

/// What was tried and what broke.
#[derive(Default)]
pub(crate) struct Probe {
    pub(crate) tried: usize,
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
        match fresh_connection(request).send().await {
            // A server may answer before reading a body over its limit (401, 413) and
            // close the connection; the client, still sending, may then miss the
            // answer. Only there is no answer acceptable.
            Err(_) if case.contains(OVER_LIMIT) => {}
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

    /// Sends `request` and checks the answer like [`Self::check`], without counting
    /// what it carried out; the body when it succeeded.
    pub(crate) async fn attempt(
        &mut self,
        app: &TestApp,
        route: &str,
        case: &str,
        request: RequestBuilder,
    ) -> Option<Value> {
        self.tried += 1;
        *self.per_route.entry(route.to_owned()).or_default() += 1;
        let response = fresh_connection(request).send().await.ok()?;
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap_or_default();
        if let Some(p) = problem(status, &body) {
            self.defects.push(format!("{route} [{case}]: {p}"));
        }
        self.still_serving(app, route, case).await;
        (200..300)
            .contains(&status)
            .then(|| serde_json::from_slice(&body).unwrap_or(Value::Null))
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

    pub(crate) fn assert_clean(&self, what: &str) {
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
pub(crate) fn problem(status: u16, body: &[u8]) -> Option<String> {
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
const OVERSIZED: &str = "a 2 MiB body, over the limit";
/// What the names of the cases whose body is over the server's limit say.
const OVER_LIMIT: &str = "over the limit";

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
    // body), a signed audit head, a retention dry run (which writes nothing), a
    // retention run (no body), a backup asked for (no body) and a trace of a leaked file (any bytes are text to
    // search; it writes only its audit entry); and the GETs that log themselves: the
    // audit log's export, the records of processing and the list of assessments.
    eprintln!("carried out despite the abuse: {:?}", probe.carried_out);
    let expected = [
        "POST /forms",
        "POST /auth/totp/setup",
        "POST /audit/heads",
        "POST /retention/dry-run",
        "POST /retention/runs",
        "POST /exports/trace",
        "POST /system/backups",
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
            // Backups are asked for (no body) and made by the worker meanwhile.
            "user_totp" | "audit_log" | "leases" | "backups" => continue,
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
            "exports.traced",
            "compliance.processing_read",
            "compliance.assessments_listed",
            "backup.requested",
            "backup.made",
        ]
        .contains(&a.as_str())),
        "logged: {logged:?}"
    );
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
            "a body of more than 32 MiB, over the limit",
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
