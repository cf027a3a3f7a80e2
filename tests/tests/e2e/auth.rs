//! Signing in, first-login password change, CSRF, back-off and sign-out.

use consentry_tests::{expect_json, story, Expect, ADMIN_PASSWORD};
use shared::api::{
    auth::{ChangePasswordRequest, LoginRequest, Role, SessionInfo},
    error::{ApiError, ErrorCode},
};

story!(first_admin_must_replace_the_generated_password, |app| {
    let first = app
        .sign_in("admin", &app.first_admin_password.clone())
        .await
        .unwrap();
    let info = first.info.clone().unwrap();
    assert_eq!(info.user.role, Role::Admin);
    assert!(info.user.must_change_password);

    let cookie = first.cookie.clone().unwrap();
    assert!(cookie.starts_with("__Host-consentry_session="));

    // A too-short password is refused next to its field.
    let too_short = ChangePasswordRequest {
        current_password: app.first_admin_password.clone(),
        new_password: "short".into(),
    };
    let e: ApiError = first.post_json("/auth/password", &too_short, 422).await;
    assert_eq!(e.field_issues("new_password")[0].code, "password_too_short");

    let admin = app.admin().await;
    assert!(!admin.user().must_change_password);
    // The generated password no longer works; the new one does.
    assert!(app
        .sign_in("admin", &app.first_admin_password)
        .await
        .is_err());
    let again = app.sign_in("admin", ADMIN_PASSWORD).await.unwrap();
    assert!(!again.info.unwrap().user.must_change_password);
});

story!(session_cookie_is_locked_down, |app| {
    let r = app
        .http
        .post(app.api("/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": app.first_admin_password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
});

story!(
    wrong_credentials_look_the_same_for_known_and_unknown_names,
    |app| {
        let known = app
            .sign_in("admin", "not the password at all")
            .await
            .unwrap_err();
        assert_eq!(known.status(), 401);
        let known: ApiError = known.json().await.unwrap();
        let unknown = app
            .sign_in("nobody", "not the password at all")
            .await
            .unwrap_err();
        assert_eq!(unknown.status(), 401);
        let unknown: ApiError = unknown.json().await.unwrap();
        assert_eq!(known, unknown);
        assert_eq!(known.code, ErrorCode::Unauthenticated);

        let empty = app.sign_in("", "x").await.unwrap_err();
        let e: ApiError = expect_json(empty, 422).await;
        assert_eq!(e.field_issues("username")[0].code, "required");
    }
);

story!(repeated_failures_make_the_address_wait_unannounced, |app| {
    let unknown = app
        .sign_in("nobody", "wrong password here")
        .await
        .unwrap_err();
    assert_eq!(unknown.status(), 401);
    let unknown = unknown.text().await.unwrap();
    for _ in 0..5 {
        let r = app
            .sign_in("admin", "wrong password here")
            .await
            .unwrap_err();
        assert_eq!(r.status(), 401);
    }
    // This address now waits, even with the right password, and is not told: the
    // answer is the one an unknown name gets (see `sign_in_backoff.rs`).
    let r = app
        .sign_in("admin", &app.first_admin_password)
        .await
        .unwrap_err();
    assert_eq!(r.status(), 401);
    assert_eq!(r.text().await.unwrap(), unknown);
});

story!(parallel_guesses_meet_the_back_off_like_serial_ones, |app| {
    // Sixteen wrong passwords at once from one address: only as many are checked as the
    // back-off allows; the others find the address waiting. All get the same answer.
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let request = app.http.post(app.api("/auth/login")).json(&LoginRequest {
            username: "admin".into(),
            password: "wrong password here".into(),
        });
        attempts.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let statuses = attempts.join_all().await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(app.count("SELECT failures FROM sign_in_backoff").await, 5);
    let failed = |reason: &str| {
        format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sign_in_failed' \
             AND details_json LIKE '%\"{reason}\"%'"
        )
    };
    assert_eq!(app.count(&failed("wrong_password")).await, 5);
    assert_eq!(app.count(&failed("backoff")).await, 11);
});

/// A sign-in refused for too many failures from one address: 429, with when to retry
/// (within 15 minutes).
pub(crate) async fn assert_rate_limited(r: reqwest::Response) {
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    let e: ApiError = r.json().await.unwrap();
    assert_eq!(e.code, ErrorCode::RateLimited);
}

/// A failed sign-in carrying `X-Forwarded-For: <forwarded>`.
async fn failed_sign_in_from(app: &consentry_tests::TestApp, forwarded: &str) -> u16 {
    app.http
        .post(app.api("/auth/login"))
        .header("x-forwarded-for", forwarded)
        .json(&LoginRequest {
            username: "nobody".into(),
            password: "wrong password here".into(),
        })
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

story!(
    a_forwarded_address_counts_only_from_a_trusted_proxy,
    |app| {
        // By default the header is anyone's to write: ignored.
        assert_eq!(failed_sign_in_from(&app, "203.0.113.7").await, 401);
        assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sign_in_failed' AND ip = '127.0.0.1'")
            .await,
        1
    );
        // Behind a trusted proxy (the tests' own address), each client is counted apart.
        let mut app = app;
        app.restart(|c| {
            c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
            c.sign_in_failures_per_ip = 2;
        })
        .await
        .unwrap();
        for _ in 0..2 {
            assert_eq!(failed_sign_in_from(&app, "1.2.3.4, 203.0.113.7").await, 401);
        }
        assert_eq!(failed_sign_in_from(&app, "203.0.113.7").await, 429);
        // Another client behind the same proxy is not locked out with it.
        assert_eq!(failed_sign_in_from(&app, "203.0.113.8").await, 401);
        assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sign_in_failed' AND ip = '203.0.113.7'")
            .await,
        2
    );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE ip = '1.2.3.4'")
                .await,
            0
        );
    }
);

story!(state_changes_need_the_csrf_token, |app| {
    let admin = app.admin().await;
    let body = ChangePasswordRequest {
        current_password: ADMIN_PASSWORD.into(),
        new_password: "yet another passphrase".into(),
    };
    // Cookie but no token: refused, and nothing changed.
    let without_token = || {
        app.http
            .post(app.api("/auth/password"))
            .header("cookie", admin.cookie.clone().unwrap())
            .json(&body)
    };
    let e: ApiError = without_token().expect_json(403).await;
    assert_eq!(e.code, ErrorCode::CsrfRejected);
    without_token()
        .header("x-csrf-token", "guessed")
        .expect_status(403)
        .await;
    assert!(app.sign_in("admin", ADMIN_PASSWORD).await.is_ok());
});

story!(requests_from_other_websites_are_refused, |app| {
    let sign_in_from = |origin: &str| {
        app.http
            .post(app.api("/auth/login"))
            .header("origin", origin)
            .json(&serde_json::json!({"username": "admin", "password": app.first_admin_password}))
    };
    let e: ApiError = sign_in_from("https://evil.example").expect_json(403).await;
    assert_eq!(e.code, ErrorCode::Forbidden);
    // The same request from our own origin works.
    sign_in_from(&app.address).expect_status(200).await;
});

story!(signing_out_ends_the_session, |app| {
    let admin = app.admin().await;
    let me: SessionInfo = admin.get_json("/auth/session", 200).await;
    assert_eq!(me.user.username, "admin");
    admin.post("/auth/logout").expect_status(204).await;
    let e: ApiError = admin.get_json("/auth/session", 401).await;
    assert_eq!(e.code, ErrorCode::Unauthenticated);
});

story!(
    changing_the_password_ends_every_session_and_rotates_the_callers,
    |app| {
        let mut admin = app.admin().await;
        let before = admin.clone();
        let other = app.sign_in("admin", ADMIN_PASSWORD).await.unwrap();
        admin
            .change_password(ADMIN_PASSWORD, "a brand new passphrase")
            .await;
        other.get("/auth/session").expect_status(401).await;
        // The caller's old token is dead too; it continues in the new session.
        before.get("/auth/session").expect_status(401).await;
        let me: SessionInfo = admin.get_json("/auth/session", 200).await;
        assert!(!me.user.must_change_password);
        assert_ne!(me.csrf_token, before.info.as_ref().unwrap().csrf_token);
        // The new session's CSRF token works for a state change.
        admin.post("/auth/logout").expect_status(204).await;
    }
);
