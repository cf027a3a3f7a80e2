//! Version, health, error shape and security headers.

use consentry_tests::{expect_json, story};
use shared::api::{
    error::{ApiError, ErrorCode},
    system::{DatabaseKind, HealthStatus, VersionInfo},
};

story!(version_names_the_backend, |app| {
    let info: VersionInfo = expect_json(
        app.anonymous().get("/system/version").send().await.unwrap(),
        200,
    )
    .await;
    assert_eq!(info.name, "Consentry");
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    let expected = match app.backend {
        consentry_tests::Backend::Sqlite => DatabaseKind::Sqlite,
        consentry_tests::Backend::Postgres => DatabaseKind::Postgres,
    };
    assert_eq!(info.database, expected);
});

story!(health_and_readiness, |app| {
    let health: HealthStatus = expect_json(
        app.http
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(health.status, "ok");
    let ready: HealthStatus = expect_json(
        app.http
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(ready.database, Some(true));
});

story!(unknown_api_routes_answer_in_the_error_shape, |app| {
    let e: ApiError = expect_json(
        app.anonymous().get("/no/such/route").send().await.unwrap(),
        404,
    )
    .await;
    assert_eq!(e.code, ErrorCode::NotFound);
    let e: ApiError = expect_json(
        app.anonymous()
            .delete("/system/version")
            .send()
            .await
            .unwrap(),
        405,
    )
    .await;
    assert_eq!(e.code, ErrorCode::MethodNotAllowed);
});

story!(malformed_bodies_are_4xx_with_a_code, |app| {
    let anon = app.anonymous();
    let e: ApiError = expect_json(
        anon.post("/auth/login")
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(e.code, ErrorCode::InvalidJson);
    let e: ApiError = expect_json(
        anon.post("/auth/login")
            .body("username=a")
            .send()
            .await
            .unwrap(),
        415,
    )
    .await;
    assert_eq!(e.code, ErrorCode::UnsupportedMediaType);
    let e: ApiError = expect_json(
        anon.post("/auth/login")
            .json(&serde_json::json!({"username": 5}))
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(e.code, ErrorCode::InvalidJson);
    let huge = format!(
        "{{\"username\":\"{}\",\"password\":\"x\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let e: ApiError = expect_json(
        anon.post("/auth/login")
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .unwrap(),
        413,
    )
    .await;
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
    let index = app
        .http
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(index.status(), 200);
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let html = index.text().await.unwrap();
    // Trunk's inline loader has been moved out so that the CSP needs no 'unsafe-inline'.
    assert!(!html.contains("<script type=\"module\">"), "{html}");
    let boot = html
        .split("src=\"")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.starts_with("/_app/boot/"))
        .expect("the page loads its boot script from /_app/boot/");
    let r = app
        .http
        .get(format!("{}{boot}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));

    // A client-side route gets the app; a missing file does not.
    let deep = app
        .http
        .get(format!("{}/account", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(deep.status(), 200);
    assert_eq!(deep.text().await.unwrap(), html);
    let missing = app
        .http
        .get(format!("{}/missing-0123456789abcdef.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    // The WASM is served as such, compressed and cached for a year.
    let wasm = std::fs::read_dir(consentry_tests::dist_dir())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".wasm"))
        .expect("dist/ has a .wasm file");
    let r = app
        .http
        .get(format!("{}/{wasm}", app.address))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/wasm");
    assert!(r.headers().contains_key("content-encoding"));
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
});
