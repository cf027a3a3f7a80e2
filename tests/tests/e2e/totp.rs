//! Sign-in protection: the optional TOTP second factor (setup, confirmation, sign-in
//! with a code, codes that work once, turning it off) and throttling per address.

use consentry_server::{
    auth::totp::{code_at, decode_base32, step_at},
    store::now_ms,
};
use consentry_tests::{story, Expect, Session, TestApp, ADMIN_PASSWORD, USER_PASSWORD};
use shared::api::{
    auth::{LoginRequest, Role, SignInRequest, TotpSetup},
    error::{ApiError, ErrorCode},
    users::UserSummary,
};

use crate::auth::assert_rate_limited;

/// A step to use a code of: newer than `last` and inside the server's window of one
/// step either way. Waits out the last second of a step, so the server and the test
/// see the same one.
async fn next_step(last: Option<i64>) -> i64 {
    if now_ms().rem_euclid(30_000) > 29_000 {
        tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    }
    let now = step_at(now_ms());
    last.map_or(now - 1, |l| (l + 1).max(now - 1))
}

/// A code that is wrong for every step the server could accept now.
fn wrong_code(secret: &[u8]) -> String {
    let now = step_at(now_ms());
    let taken: Vec<String> = ((now - 2)..=(now + 2))
        .map(|s| code_at(secret, s))
        .collect();
    (0..)
        .map(|n| format!("{:06}", 123_456 + n))
        .find(|c| !taken.contains(c))
        .unwrap()
}

/// Signs in with the password and `code`.
fn sign_in_with(app: &TestApp, username: &str, code: Option<String>) -> reqwest::RequestBuilder {
    app.http.post(app.api("/auth/login")).json(&SignInRequest {
        credentials: LoginRequest {
            username: username.to_owned(),
            password: USER_PASSWORD.to_owned(),
        },
        totp_code: code,
    })
}

/// Turns the second factor on with the password and a `code` of the authenticator just
/// set up.
fn enable(user: &Session, code: &str) -> reqwest::RequestBuilder {
    user.post("/auth/totp/enable")
        .json(&serde_json::json!({ "password": USER_PASSWORD, "code": code }))
}

/// Turns the second factor off with the `password` and a `code`.
fn disable(user: &Session, password: &str, code: &str) -> reqwest::RequestBuilder {
    user.post("/auth/totp/disable")
        .json(&serde_json::json!({ "password": password, "code": code }))
}

story!(a_second_factor_guards_sign_in, |app| {
    let admin = app.admin().await;
    let user = app.user_with_role(Role::Staff).await;
    let username = user.user().username.clone();

    let setup: TotpSetup = user.post("/auth/totp/setup").expect_json(200).await;
    assert!(setup.otpauth_uri.starts_with(&format!(
        "otpauth://totp/Consentry:{username}?secret={}&issuer=Consentry",
        setup.secret
    )));
    let secret = decode_base32(&setup.secret).unwrap();
    assert_eq!(secret.len(), 20);
    // Not on until confirmed.
    sign_in_with(&app, &username, None).expect_status(200).await;

    let e: ApiError = enable(&user, &wrong_code(&secret)).expect_json(422).await;
    assert_eq!(e.field_issues("code")[0].code, "totp_wrong");
    // A session alone cannot turn it on: the password is asked again.
    let e: ApiError = user
        .post("/auth/totp/enable")
        .json(&serde_json::json!({
            "password": "not the password",
            "code": code_at(&secret, next_step(None).await),
        }))
        .expect_json(422)
        .await;
    assert_eq!(e.field_issues("password")[0].code, "password_wrong");
    sign_in_with(&app, &username, None).expect_status(200).await;
    let first = next_step(None).await;
    enable(&user, &code_at(&secret, first))
        .expect_status(204)
        .await;

    // No code: a distinct answer, so the UI asks for one.
    let e: ApiError = sign_in_with(&app, &username, None).expect_json(401).await;
    assert_eq!(e.code, ErrorCode::TotpRequired);
    // A wrong code, or one already used, is like a wrong password.
    let e: ApiError = sign_in_with(&app, &username, Some(wrong_code(&secret)))
        .expect_json(401)
        .await;
    assert_eq!(e.code, ErrorCode::Unauthenticated);
    sign_in_with(&app, &username, Some(code_at(&secret, first)))
        .expect_status(401)
        .await;
    let second = next_step(Some(first)).await;
    sign_in_with(&app, &username, Some(code_at(&secret, second)))
        .expect_status(200)
        .await;
    // A code works once.
    sign_in_with(&app, &username, Some(code_at(&secret, second)))
        .expect_status(401)
        .await;

    user.post("/auth/totp/setup").expect_status(409).await;
    let users: Vec<UserSummary> = admin.get_json("/users", 200).await;
    assert!(users
        .iter()
        .any(|u| u.username == username && u.totp_enabled));

    // Turning it off takes the password and a fresh code.
    let third = next_step(Some(second)).await;
    let e: ApiError = disable(&user, "wrong", &code_at(&secret, third))
        .expect_json(422)
        .await;
    assert_eq!(e.field_issues("password")[0].code, "password_wrong");
    let e: ApiError = disable(&user, USER_PASSWORD, &code_at(&secret, second))
        .expect_json(422)
        .await;
    assert_eq!(e.field_issues("code")[0].code, "totp_wrong");
    disable(&user, USER_PASSWORD, &code_at(&secret, third))
        .expect_status(204)
        .await;
    sign_in_with(&app, &username, None).expect_status(200).await;

    let page = admin.audit_log("auth.").await;
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    for action in ["auth.totp_setup", "auth.totp_enable", "auth.totp_disable"] {
        assert!(
            actions.contains(&action),
            "{action} missing from {actions:?}"
        );
    }
    assert!(page
        .entries
        .iter()
        .any(|e| e.action == "auth.sign_in_failed" && e.details["reason"] == "wrong_totp_code"));
    assert!(!serde_json::to_string(&page)
        .unwrap()
        .contains(&setup.secret));
    // The secret is stored sealed, not as the base32 the user saw.
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT secret_wrapped FROM user_totp")
        .fetch_all(db.pool())
        .await
        .unwrap();
    db.close().await;
    assert!(stored.is_empty(), "turned off, so nothing is kept");
});

story!(a_password_reset_removes_the_second_factor, |app| {
    let admin = app.admin().await;
    let user = app.user_with_role(Role::Manager).await;
    let info = user.info.clone().unwrap();
    let setup: TotpSetup = user.post("/auth/totp/setup").expect_json(200).await;
    let secret = decode_base32(&setup.secret).unwrap();
    let step = next_step(None).await;
    enable(&user, &code_at(&secret, step))
        .expect_status(204)
        .await;
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let stored: String = sqlx::query_scalar("SELECT secret_wrapped FROM user_totp")
        .fetch_one(db.pool())
        .await
        .unwrap();
    db.close().await;
    assert!(!stored.contains(&setup.secret));
    let reset: shared::api::users::IssuedPassword = admin
        .post(&format!("/users/{}/reset-password", info.user.id))
        .expect_json(200)
        .await;
    assert!(!reset.user.totp_enabled);
    assert!(app
        .sign_in(&info.user.username, &reset.one_time_password)
        .await
        .is_ok());
});

story!(too_many_failures_from_one_address_are_throttled, |app| {
    // Signing the admin in tries the final password first: one failure already.
    let admin = app.admin().await;
    for i in 1..20 {
        let r = app
            .sign_in(&format!("nobody-{i}"), "wrong password here")
            .await
            .unwrap_err();
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    // Refused now even with the right password, and told when to come back.
    let r = app.sign_in("admin", ADMIN_PASSWORD).await.unwrap_err();
    assert_rate_limited(r).await;
    // Sessions already open are not affected.
    admin.get("/auth/session").expect_status(200).await;
});
