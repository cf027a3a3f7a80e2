//! Version, health, error shape and security headers.

use consentry_tests::{story, Expect};
use shared::api::{
    error::{ApiError, ErrorCode},
    system::{DatabaseKind, HealthStatus, VersionInfo},
};

story!(version_names_the_backend, |app| {
    let info: VersionInfo = app.anonymous().get_json("/system/version", 200).await;
    assert_eq!(info.name, "Consentry");
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    let expected = match app.backend {
        consentry_tests::Backend::Sqlite => DatabaseKind::Sqlite,
        consentry_tests::Backend::Postgres => DatabaseKind::Postgres,
    };
    assert_eq!(info.database, expected);
});

story!(health_and_readiness, |app| {
    let health: HealthStatus = app.fetch("/healthz").expect_json(200).await;
    assert_eq!(health.status, "ok");
    let ready: HealthStatus = app.fetch("/readyz").expect_json(200).await;
    assert_eq!(ready.database, Some(true));
    assert_eq!(ready.writer, Some(true));
});

story!(a_query_string_that_does_not_parse_is_a_json_error, |app| {
    let admin = app.admin().await;
    for path in [
        "/audit?limit=abc",
        "/audit/export?from_ms=yesterday",
        "/records?limit=soon",
    ] {
        let e: ApiError = admin.get_json(path, 400).await;
        assert_eq!(e.code, ErrorCode::BadRequest, "{path}");
        assert!(e.message.contains("query string"), "{path}: {}", e.message);
    }
});

story!(unknown_api_routes_answer_in_the_error_shape, |app| {
    let e: ApiError = app.anonymous().get_json("/no/such/route", 404).await;
    assert_eq!(e.code, ErrorCode::NotFound);
    let e: ApiError = app
        .anonymous()
        .delete("/system/version")
        .expect_json(405)
        .await;
    assert_eq!(e.code, ErrorCode::MethodNotAllowed);
});

story!(malformed_bodies_are_4xx_with_a_code, |app| {
    let anon = app.anonymous();
    let login_with = |body: String| {
        anon.post("/auth/login")
            .header("content-type", "application/json")
            .body(body)
    };
    let e: ApiError = login_with("{not json".into()).expect_json(400).await;
    assert_eq!(e.code, ErrorCode::InvalidJson);
    let e: ApiError = anon
        .post("/auth/login")
        .body("username=a")
        .expect_json(415)
        .await;
    assert_eq!(e.code, ErrorCode::UnsupportedMediaType);
    let e: ApiError = anon
        .post_json("/auth/login", &serde_json::json!({"username": 5}), 400)
        .await;
    assert_eq!(e.code, ErrorCode::InvalidJson);
    let huge = format!(
        "{{\"username\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let e: ApiError = login_with(huge).expect_json(413).await;
    assert_eq!(e.code, ErrorCode::PayloadTooLarge);
});

story!(every_response_carries_security_headers, |app| {
    for url in [
        app.api("/system/version"),
        format!("{}/", app.address),
        format!("{}/healthz", app.address),
    ] {
        let r = app.http.get(&url).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{url}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{url}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{url}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{url}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{url}");
        assert_eq!(h["x-frame-options"], "DENY", "{url}");
    }
    let r = app
        .http
        .get(app.api("/system/version"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
});

story!(the_web_app_is_served_with_spa_fallback_and_caching, |app| {
    let index = app.fetch("/").expect_status(200).await;
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let html = index.text().await.unwrap();
    // Trunk's inline loader has been moved out so that the CSP needs no 'unsafe-inline'.
    assert!(!html.contains("<script type=\"module\">"), "{html}");
    let boot = html
        .split("src=\"")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.starts_with("/_app/boot/"))
        .expect("the page loads its boot script from /_app/boot/");
    let r = app.fetch(boot).expect_status(200).await;
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));

    // A client-side route gets the app; a missing file does not.
    let deep = app.fetch("/account").expect_status(200).await;
    assert_eq!(deep.text().await.unwrap(), html);
    app.fetch("/missing-0123456789abcdef.js")
        .expect_status(404)
        .await;

    // The WASM is served as such, compressed and cached for a year.
    let wasm = std::fs::read_dir(consentry_tests::dist_dir())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".wasm"))
        .expect("dist/ has a .wasm file");
    let r = app
        .fetch(&format!("/{wasm}"))
        .header("accept-encoding", "gzip, br")
        .expect_status(200)
        .await;
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert!(r.headers().contains_key("content-encoding"));
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
});
