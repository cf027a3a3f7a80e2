//! Every API route, called by every role and by nobody: allowed or refused exactly as
//! its declared permission says. A route added without an entry here fails the test.

use consentry_server::auth::Permission;
use consentry_tests::{story, Session};
use reqwest::Method;
use shared::api::auth::Role;

/// The expected permission of every API route. Keep in step with the server.
const EXPECTED: &[(&str, &str, Permission)] = &[
    ("GET", "/system/version", Permission::Public),
    ("POST", "/auth/login", Permission::Public),
    ("GET", "/auth/session", Permission::OwnAccount),
    ("POST", "/auth/logout", Permission::OwnAccount),
    ("POST", "/auth/password", Permission::OwnAccount),
    ("POST", "/auth/totp/setup", Permission::OwnAccount),
    ("POST", "/auth/totp/enable", Permission::OwnAccount),
    ("POST", "/auth/totp/disable", Permission::OwnAccount),
    ("GET", "/users", Permission::ManageUsers),
    ("POST", "/users", Permission::ManageUsers),
    ("PUT", "/users/{id}", Permission::ManageUsers),
    ("POST", "/users/{id}/disable", Permission::ManageUsers),
    ("POST", "/users/{id}/enable", Permission::ManageUsers),
    (
        "POST",
        "/users/{id}/reset-password",
        Permission::ManageUsers,
    ),
    ("GET", "/teams", Permission::ManageUsers),
    ("POST", "/teams", Permission::ManageUsers),
    ("PUT", "/teams/{id}", Permission::ManageUsers),
    ("GET", "/audit", Permission::ViewAudit),
    ("GET", "/audit/verify", Permission::ViewAudit),
    ("POST", "/audit/heads", Permission::ViewAudit),
    ("GET", "/audit/export", Permission::ViewAudit),
    ("GET", "/keys", Permission::Public),
    ("POST", "/public/forms/{id}/submissions", Permission::Public),
    ("POST", "/public/receipts/verify", Permission::Public),
    ("POST", "/public/consents/status", Permission::Public),
    ("POST", "/public/consents/withdraw", Permission::Public),
    ("GET", "/records", Permission::ViewRecords),
    ("GET", "/records/{id}", Permission::ViewRecords),
    ("GET", "/conflicts", Permission::ResolveConflicts),
    (
        "POST",
        "/conflicts/{id}/resolve",
        Permission::ResolveConflicts,
    ),
    ("POST", "/records/lookup", Permission::ViewRecords),
    ("POST", "/records/{id}/reveal", Permission::RevealValues),
    ("POST", "/records/{id}/assign", Permission::AssignRecords),
    ("POST", "/devices", Permission::CollectRecords),
    ("GET", "/devices", Permission::SignedIn),
    ("POST", "/devices/{id}/revoke", Permission::SignedIn),
    (
        "GET",
        "/devices/{id}/outbox-key",
        Permission::CollectRecords,
    ),
    ("POST", "/sync", Permission::CollectRecords),
    ("GET", "/forms", Permission::ManageForms),
    ("POST", "/forms", Permission::ManageForms),
    ("GET", "/forms/{id}", Permission::ManageForms),
    ("PUT", "/forms/{id}/draft", Permission::ManageForms),
    ("POST", "/forms/{id}/duplicate", Permission::ManageForms),
    ("POST", "/forms/{id}/archive", Permission::ManageForms),
    ("POST", "/forms/{id}/restore", Permission::ManageForms),
    ("POST", "/forms/{id}/publish", Permission::ManageForms),
    ("GET", "/forms/{id}/versions", Permission::ManageForms),
    (
        "GET",
        "/forms/{id}/versions/{number}",
        Permission::ManageForms,
    ),
    (
        "PUT",
        "/forms/{id}/versions/{number}",
        Permission::ManageForms,
    ),
    (
        "DELETE",
        "/forms/{id}/versions/{number}",
        Permission::ManageForms,
    ),
    ("GET", "/form-assignments", Permission::AssignForms),
    ("PUT", "/form-assignments/{id}", Permission::AssignForms),
    ("GET", "/my-forms", Permission::CollectRecords),
    ("GET", "/public/forms/{id}", Permission::Public),
    (
        "POST",
        "/public/forms/{id}/versions/{number}/check",
        Permission::Public,
    ),
];

#[test]
fn every_route_is_in_the_table() {
    let mut actual: Vec<(String, String, Permission)> = consentry_server::api_routes()
        .table()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned(), r.permission))
        .collect();
    let mut expected: Vec<(String, String, Permission)> = EXPECTED
        .iter()
        .map(|(m, p, perm)| ((*m).to_owned(), (*p).to_owned(), *perm))
        .collect();
    actual.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    expected.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    assert_eq!(
        actual, expected,
        "a route's permission changed or a route is missing from EXPECTED"
    );
}

/// A concrete path for a route pattern (path parameters get a made-up id).
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                "00000000-0000-4000-8000-000000000000"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn status_of(caller: &Session, method: &str, path: &str) -> u16 {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = caller.request(method.clone(), &concrete(path));
    if method != Method::GET {
        req = req.json(&serde_json::json!({}));
    }
    req.send().await.unwrap().status().as_u16()
}

story!(each_role_reaches_exactly_its_routes, |app| {
    let mut callers: Vec<(Option<Role>, Session)> = vec![
        (None, app.anonymous()),
        (Some(Role::Admin), app.admin().await),
    ];
    for role in [Role::Auditor, Role::Manager, Role::Staff] {
        callers.push((Some(role), app.user_with_role(role).await));
    }
    for (method, path, permission) in EXPECTED {
        // Signing out would end the caller's session for the routes after it.
        if *path == "/auth/logout" {
            continue;
        }
        for (role, caller) in &callers {
            let status = status_of(caller, method, path).await;
            if permission.allows(*role) {
                assert!(
                    status != 401 && status != 403,
                    "{role:?} {method} {path} was refused ({status})"
                );
            } else {
                let expected = if role.is_none() { 401 } else { 403 };
                assert_eq!(status, expected, "{role:?} {method} {path}");
            }
        }
    }
    // Sign-out last: allowed for each signed-in role, refused for nobody.
    for (role, caller) in &callers {
        let status = status_of(caller, "POST", "/auth/logout").await;
        assert_eq!(
            status,
            if role.is_some() { 204 } else { 401 },
            "{role:?} sign-out"
        );
    }
});
