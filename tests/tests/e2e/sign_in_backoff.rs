//! Repeated wrong passwords make the address that sent them wait before its next try is
//! checked (a back-off per account and address), without saying so: the answer is the
//! one an unknown user name gets. Nobody can lock an account out (the last admin
//! included) or learn which names exist; admins are alerted; the database keeps the
//! client's address only as a keyed hash.
//!
//! (Time passes by moving the stored waits back, rather than by waiting.)

use std::net::{IpAddr, Ipv4Addr};

use consentry_tests::{
    browser::Browser, story, Backend, Expect as _, Session, TestApp, ADMIN_PASSWORD, USER_PASSWORD,
};
use shared::api::{auth::Role, users::UserSummary};

const WRONG: &str = "not the password at all";

/// A client whose connections come from `127.0.0.<last>` (all of 127/8 is the loopback).
fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .build()
        .unwrap()
}

/// A sign-in from `http` that must be refused: its status and body, byte for byte.
async fn refused(
    app: &TestApp,
    http: &reqwest::Client,
    username: &str,
    password: &str,
) -> (u16, String) {
    let response = Session::sign_in(http, &app.address, username, password)
        .await
        .map(|_| ())
        .expect_err("the sign-in must be refused");
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A sign-in carrying `X-Forwarded-For: <client>` (believed only from a trusted proxy).
async fn sign_in_forwarded(app: &TestApp, client: &str, username: &str, password: &str) -> u16 {
    app.http
        .post(app.api("/auth/login"))
        .header("x-forwarded-for", client)
        .json(&shared::api::auth::LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        })
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// Runs one statement on the test's database (to let time pass).
async fn execute(app: &TestApp, sql: &str) {
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query(sql).execute(db.pool()).await.unwrap();
    db.close().await;
}

story!(
    wrong_passwords_make_only_that_address_wait_and_say_nothing,
    |app| {
        let admin = app.admin().await;
        let staff = app.user_with_role(Role::Staff).await;
        let name = staff.user().username.clone();
        let (here, elsewhere) = (client_from(1), client_from(2));
        let unknown = refused(&app, &here, "nobody-by-that-name", WRONG).await;
        assert_eq!(unknown.0, 401, "{}", unknown.1);
        for attempt in 1..=5 {
            assert_eq!(
                refused(&app, &here, &name, WRONG).await,
                unknown,
                "attempt {attempt}"
            );
        }
        // The address now waits: its next tries are not checked, the right password
        // included, and the answer is word for word the one an unknown name gets.
        assert_eq!(refused(&app, &here, &name, USER_PASSWORD).await, unknown);
        assert_eq!(refused(&app, &here, &name, WRONG).await, unknown);
        assert_eq!(
            refused(&app, &here, "nobody-by-that-name", WRONG).await,
            unknown
        );

        // The user, from another address, is not affected.
        let session = Session::sign_in(&elsewhere, &app.address, &name, USER_PASSWORD)
            .await
            .unwrap_or_else(|_| panic!("{name} cannot sign in from another address"));
        session.get("/auth/session").expect_status(200).await;

        // Admins see the account under attack …
        let users: Vec<UserSummary> = admin.get_json("/users", 200).await;
        let row = users.iter().find(|u| u.username == name).unwrap();
        let until = row.locked_until_ms.expect("the account shows its back-off");
        assert!(until > now_ms() && until <= now_ms() + 61_000, "{until}");
        // … and one alert in the audit log, naming neither the address nor the user.
        let alerts = admin.audit_log("auth.backoff").await.entries;
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let alert = &alerts[0];
        assert_eq!(alert.target_kind.as_deref(), Some("user"));
        assert_eq!(alert.target_id, Some(staff.user().id.to_string()));
        assert_eq!(
            (&alert.actor_id, &alert.ip, &alert.user_agent),
            (&None, &None, &None)
        );
        assert_eq!(alert.details["failures"], 5);
        assert_eq!(alert.details["backoff_secs"], 60);
        let text = serde_json::to_string(alert).unwrap();
        for secret in [name.as_str(), "127.0.0"] {
            assert!(!text.contains(secret), "{text} names {secret}");
        }
    }
);

/// The console's users page warns of an account some address waits for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_page_shows_accounts_whose_guessers_wait() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.admin().await;
    let staff = app.user_with_role(Role::Staff).await;
    let name = staff.user().username.clone();
    for _ in 0..5 {
        refused(&app, &client_from(6), &name, WRONG).await;
    }
    let browser = Browser::start().await;
    browser.sign_in(&app, "admin", ADMIN_PASSWORD).await;
    browser.open(&app, "/users").await;
    let notice = browser.text("[data-testid=backoff-notice]").await;
    assert!(notice.contains(&name), "{notice}");
    // Only the account some address waits for (one failure did not make one wait).
    assert!(!notice.contains("admin"), "{notice}");
    let row = browser
        .text(&format!("[data-testid=user-row][data-username='{name}']"))
        .await;
    assert!(row.contains("Sign-ins delayed"), "{row}");
    browser.close().await;
}

story!(the_last_admin_cannot_be_locked_out, |app| {
    let admin = app.admin().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE role = 'admin'")
            .await,
        1
    );
    let attacker = client_from(3);
    for _ in 0..12 {
        let (status, _) = refused(&app, &attacker, "admin", WRONG).await;
        assert_eq!(status, 401);
    }
    // The admin, at their own address, signs in and works as before.
    let again = app.sign_in("admin", ADMIN_PASSWORD).await.unwrap();
    again.get("/users").expect_status(200).await;
    // One alert, when the attacker's address first had to wait.
    assert_eq!(admin.audit_log("auth.backoff").await.entries.len(), 1);
});

story!(
    after_the_wait_one_try_is_checked_and_each_failure_doubles_it,
    |app| {
        let staff = app.user_with_role(Role::Staff).await;
        let name = staff.user().username.clone();
        let here = client_from(4);
        for _ in 0..5 {
            refused(&app, &here, &name, WRONG).await;
        }
        let wait = || async {
            app.count("SELECT MAX(blocked_until_ms) FROM sign_in_backoff")
                .await
                - now_ms()
        };
        let first = wait().await;
        assert!((55_000..=60_000).contains(&first), "{first}");
        // Let the minute pass: the next try is checked, and a wrong one doubles the wait.
        let pass = "UPDATE sign_in_backoff SET blocked_until_ms = blocked_until_ms - 61000, \
                last_failure_at_ms = last_failure_at_ms - 61000";
        execute(&app, pass).await;
        refused(&app, &here, &name, WRONG).await;
        let second = wait().await;
        assert!((115_000..=120_000).contains(&second), "{second}");
        // The right password once the wait is over signs in and forgets the failures.
        execute(&app, &pass.replace("61000", "121000")).await;
        Session::sign_in(&here, &app.address, &name, USER_PASSWORD)
            .await
            .unwrap_or_else(|_| panic!("{name} cannot sign in after the wait"));
        assert_eq!(app.count("SELECT COUNT(*) FROM sign_in_backoff").await, 0);
    }
);

/// The columns (`table.column`) of the sign-in tables holding `needle` in clear.
async fn sign_in_columns_holding(app: &TestApp, needle: &str) -> (Vec<String>, i64) {
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let tables: Vec<String> = sqlx::query_scalar(match app.backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%sign_in%'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name LIKE '%sign_in%'"
        }
    })
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert!(!tables.is_empty());
    let (mut holding, mut rows) = (Vec::new(), 0);
    for table in tables {
        rows += sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db.pool())
            .await
            .unwrap();
        let sql = match app.backend {
            Backend::Sqlite => format!("SELECT name FROM pragma_table_info('{table}')"),
            Backend::Postgres => format!(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = '{table}'"
            ),
        };
        let columns: Vec<String> = sqlx::query_scalar(&sql).fetch_all(db.pool()).await.unwrap();
        for column in columns {
            let n: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE $1"
            ))
            .bind(format!("%{needle}%"))
            .fetch_one(db.pool())
            .await
            .unwrap();
            if n > 0 {
                holding.push(format!("{table}.{column}"));
            }
        }
    }
    db.close().await;
    (holding, rows)
}

story!(
    addresses_are_kept_only_as_keyed_hashes_and_ipv6_by_its_64,
    |app| {
        let staff = app.user_with_role(Role::Staff).await;
        let name = staff.user().username.clone();
        refused(&app, &client_from(5), &name, WRONG).await;
        refused(&app, &client_from(5), "nobody-by-that-name", WRONG).await;
        let (holding, rows) = sign_in_columns_holding(&app, "127.0.0.5").await;
        assert!(rows > 0, "the failures are stored");
        assert!(
            holding.is_empty(),
            "the address is stored in clear in {holding:?}"
        );
        // Behind a trusted proxy, clients of one IPv6 /64 are one address.
        let mut app = app;
        app.restart(|c| c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()])
            .await
            .unwrap();
        for _ in 0..5 {
            assert_eq!(
                sign_in_forwarded(&app, "2001:db8::1", &name, WRONG).await,
                401
            );
        }
        assert_eq!(
            sign_in_forwarded(&app, "2001:db8::2", &name, USER_PASSWORD).await,
            401
        );
        assert_eq!(
            sign_in_forwarded(&app, "2001:db8:0:1::1", &name, USER_PASSWORD).await,
            200
        );
        assert_eq!(
            sign_in_forwarded(&app, "203.0.113.9", &name, WRONG).await,
            401
        );
        let (_, rows) = sign_in_columns_holding(&app, "").await;
        assert!(rows > 0, "the failures are stored");
        for address in ["127.0.0", "2001:db8", "203.0.113.9"] {
            let (holding, _) = sign_in_columns_holding(&app, address).await;
            assert!(
                holding.is_empty(),
                "{address} is stored in clear in {holding:?}"
            );
        }
    }
);
