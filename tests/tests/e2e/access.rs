//! Every API route, called by every role and by nobody: allowed or refused exactly as
//! its declared permission says. A route added without an entry here fails the test.

use consentry_server::auth::Permission;
use consentry_tests::{story, Session};
use reqwest::Method;
use shared::api::auth::Role;

/// The expected permission of every API route, and the status a caller it allows gets
/// for the request this test makes (a made-up id, an empty JSON object as the body):
/// so a route that fails with a 500 for an allowed role fails here. Keep in step with
/// the server.
const EXPECTED: &[(&str, &str, Permission, u16)] = &[
    ("GET", "/system/version", Permission::Public, 200),
    ("GET", "/openapi.json", Permission::Public, 200),
    ("POST", "/auth/login", Permission::Public, 400),
    ("GET", "/auth/session", Permission::OwnAccount, 200),
    ("POST", "/auth/logout", Permission::OwnAccount, 204),
    ("POST", "/auth/password", Permission::OwnAccount, 400),
    ("POST", "/auth/totp/setup", Permission::OwnAccount, 200),
    ("POST", "/auth/totp/enable", Permission::OwnAccount, 400),
    ("POST", "/auth/totp/disable", Permission::OwnAccount, 400),
    ("GET", "/users", Permission::ManageUsers, 200),
    ("POST", "/users", Permission::ManageUsers, 400),
    ("PUT", "/users/{id}", Permission::ManageUsers, 400),
    ("POST", "/users/{id}/disable", Permission::ManageUsers, 404),
    ("POST", "/users/{id}/enable", Permission::ManageUsers, 404),
    (
        "POST",
        "/users/{id}/reset-password",
        Permission::ManageUsers,
        404,
    ),
    ("GET", "/teams", Permission::ManageUsers, 200),
    ("POST", "/teams", Permission::ManageUsers, 400),
    ("PUT", "/teams/{id}", Permission::ManageUsers, 400),
    ("GET", "/audit", Permission::ViewAudit, 200),
    ("GET", "/audit/verify", Permission::ViewAudit, 200),
    ("GET", "/audit/actors", Permission::ViewAudit, 200),
    ("POST", "/audit/heads", Permission::ViewAudit, 200),
    ("GET", "/audit/export", Permission::ViewAudit, 200),
    ("GET", "/keys", Permission::Public, 200),
    (
        "POST",
        "/public/forms/{id}/submissions",
        Permission::Public,
        400,
    ),
    ("POST", "/public/receipts/verify", Permission::Public, 400),
    ("POST", "/public/consents/status", Permission::Public, 400),
    ("POST", "/public/consents/withdraw", Permission::Public, 400),
    ("GET", "/records", Permission::ViewRecords, 200),
    ("GET", "/records/forms", Permission::ViewRecords, 200),
    ("GET", "/records/people", Permission::ViewRecords, 200),
    ("GET", "/records/{id}", Permission::ViewRecords, 404),
    ("GET", "/conflicts", Permission::ResolveConflicts, 200),
    (
        "POST",
        "/conflicts/{id}/resolve",
        Permission::ResolveConflicts,
        400,
    ),
    ("POST", "/records/lookup", Permission::ViewRecords, 400),
    (
        "POST",
        "/records/{id}/reveal",
        Permission::RevealValues,
        400,
    ),
    (
        "POST",
        "/records/{id}/assign",
        Permission::AssignRecords,
        400,
    ),
    ("POST", "/devices", Permission::CollectRecords, 400),
    ("GET", "/devices", Permission::SignedIn, 200),
    ("POST", "/devices/{id}/revoke", Permission::SignedIn, 404),
    (
        "GET",
        "/devices/{id}/outbox-key",
        Permission::CollectRecords,
        404,
    ),
    ("POST", "/sync", Permission::CollectRecords, 400),
    ("GET", "/forms", Permission::ManageForms, 200),
    ("POST", "/forms", Permission::ManageForms, 201),
    ("GET", "/forms/{id}", Permission::ManageForms, 404),
    ("PUT", "/forms/{id}/draft", Permission::ManageForms, 400),
    (
        "POST",
        "/forms/{id}/duplicate",
        Permission::ManageForms,
        404,
    ),
    ("POST", "/forms/{id}/archive", Permission::ManageForms, 404),
    ("POST", "/forms/{id}/restore", Permission::ManageForms, 404),
    ("POST", "/forms/{id}/publish", Permission::ManageForms, 400),
    ("GET", "/forms/{id}/versions", Permission::ManageForms, 404),
    (
        "GET",
        "/forms/{id}/versions/{number}",
        Permission::ManageForms,
        404,
    ),
    (
        "PUT",
        "/forms/{id}/versions/{number}",
        Permission::ManageForms,
        409,
    ),
    (
        "DELETE",
        "/forms/{id}/versions/{number}",
        Permission::ManageForms,
        409,
    ),
    ("GET", "/form-assignments", Permission::AssignForms, 200),
    (
        "PUT",
        "/form-assignments/{id}",
        Permission::AssignForms,
        404,
    ),
    ("GET", "/my-forms", Permission::CollectRecords, 200),
    (
        "GET",
        "/retention/forecast",
        Permission::ManageRetention,
        200,
    ),
    (
        "POST",
        "/retention/dry-run",
        Permission::ManageRetention,
        200,
    ),
    ("GET", "/retention/runs", Permission::ManageRetention, 200),
    ("POST", "/retention/runs", Permission::ManageRetention, 202),
    (
        "GET",
        "/retention/runs/{id}",
        Permission::ManageRetention,
        404,
    ),
    ("GET", "/retention/holds", Permission::ManageRetention, 200),
    ("POST", "/retention/holds", Permission::ManageRetention, 400),
    (
        "POST",
        "/retention/holds/{id}/lift",
        Permission::ManageRetention,
        404,
    ),
    ("GET", "/records/{id}/consent", Permission::ViewRecords, 404),
    (
        "POST",
        "/records/{id}/withdrawals",
        Permission::RecordWithdrawals,
        400,
    ),
    (
        "PUT",
        "/records/{id}/relationship-end",
        Permission::EndRelationships,
        400,
    ),
    ("GET", "/records/{id}/history", Permission::ViewRecords, 404),
    ("GET", "/requests", Permission::ManageRequests, 200),
    ("POST", "/requests", Permission::ManageRequests, 400),
    (
        "GET",
        "/requests/assignees",
        Permission::ManageRequests,
        200,
    ),
    ("GET", "/requests/{id}", Permission::ManageRequests, 404),
    (
        "POST",
        "/requests/{id}/actions",
        Permission::ManageRequests,
        400,
    ),
    (
        "POST",
        "/requests/{id}/corrections",
        Permission::ManageRequests,
        400,
    ),
    (
        "POST",
        "/requests/{id}/erasure",
        Permission::ManageRequests,
        404,
    ),
    (
        "POST",
        "/requests/{id}/package",
        Permission::ManageRequests,
        404,
    ),
    (
        "GET",
        "/requests/{id}/package/{package}",
        Permission::ManageRequests,
        404,
    ),
    ("POST", "/public/requests", Permission::Public, 400),
    ("GET", "/exports", Permission::ViewRecords, 200),
    ("POST", "/exports", Permission::ViewRecords, 400),
    ("GET", "/exports/settings", Permission::ManageUsers, 200),
    ("PUT", "/exports/settings", Permission::ManageUsers, 400),
    (
        "POST",
        "/exports/{id}/decision",
        Permission::DecideExports,
        400,
    ),
    ("POST", "/exports/{id}/cancel", Permission::ViewRecords, 404),
    ("GET", "/exports/{id}/file", Permission::ViewRecords, 404),
    ("POST", "/exports/trace", Permission::ViewAudit, 200),
    ("GET", "/alerts", Permission::ViewAudit, 200),
    ("GET", "/alerts/settings", Permission::ManageUsers, 200),
    ("PUT", "/alerts/settings", Permission::ManageUsers, 400),
    ("POST", "/alerts/{id}/handle", Permission::ManageUsers, 400),
    ("POST", "/alerts/{id}/lift", Permission::ManageUsers, 404),
    ("GET", "/compliance", Permission::ViewCompliance, 200),
    (
        "GET",
        "/compliance/checks/{check}",
        Permission::ViewCompliance,
        404,
    ),
    ("GET", "/compliance/charts", Permission::ViewCompliance, 200),
    (
        "GET",
        "/compliance/reports",
        Permission::ComplianceReports,
        200,
    ),
    (
        "POST",
        "/compliance/reports",
        Permission::ComplianceReports,
        400,
    ),
    (
        "GET",
        "/compliance/reports/{id}",
        Permission::ComplianceReports,
        404,
    ),
    (
        "PUT",
        "/compliance/settings",
        Permission::ConfigureCompliance,
        400,
    ),
    (
        "GET",
        "/compliance/processing",
        Permission::ComplianceReports,
        200,
    ),
    (
        "GET",
        "/compliance/assessments",
        Permission::ComplianceReports,
        200,
    ),
    (
        "GET",
        "/compliance/assessments/{form_id}",
        Permission::ComplianceReports,
        404,
    ),
    ("GET", "/system/backups", Permission::ViewBackups, 200),
    ("POST", "/system/backups", Permission::ManageBackups, 202),
    ("POST", "/imports/preview", Permission::ImportRecords, 415),
    ("POST", "/imports", Permission::ImportRecords, 415),
    ("GET", "/imports", Permission::ImportRecords, 200),
    ("GET", "/imports/settings", Permission::ManageUsers, 200),
    ("PUT", "/imports/settings", Permission::ManageUsers, 400),
    ("GET", "/imports/{id}", Permission::ImportRecords, 404),
    (
        "GET",
        "/imports/{id}/report",
        Permission::ImportRecords,
        404,
    ),
    ("POST", "/imports/{id}/undo", Permission::ImportRecords, 404),
    (
        "POST",
        "/records/{id}/consent-request",
        Permission::RecordWithdrawals,
        404,
    ),
    (
        "POST",
        "/public/consent-requests/open",
        Permission::Public,
        400,
    ),
    (
        "POST",
        "/public/consent-requests/accept",
        Permission::Public,
        400,
    ),
    ("GET", "/public/forms/{id}", Permission::Public, 404),
    (
        "POST",
        "/public/forms/{id}/versions/{number}/check",
        Permission::Public,
        400,
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
        .map(|(m, p, perm, _)| ((*m).to_owned(), (*p).to_owned(), *perm))
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
    for role in [
        Role::Auditor,
        Role::Manager,
        Role::Staff,
        Role::PrivacyOfficer,
    ] {
        callers.push((Some(role), app.user_with_role(role).await));
    }
    for (method, path, permission, allowed) in EXPECTED {
        // Signing out would end the caller's session for the routes after it.
        if *path == "/auth/logout" {
            continue;
        }
        for (role, caller) in &callers {
            let status = status_of(caller, method, path).await;
            if permission.allows(*role) {
                // A run another role started may still be going: then this one is 409.
                if *path == "/retention/runs" && *method == "POST" && status == 409 {
                    continue;
                }
                // Managers import only once an admin allows it (imports_commit.rs).
                if *permission == Permission::ImportRecords
                    && *role == Some(Role::Manager)
                    && status == 403
                {
                    continue;
                }
                // A manager's figures are their team's; in no team, none (compliance.rs).
                if *permission == Permission::ViewCompliance
                    && *role == Some(Role::Manager)
                    && status == 403
                {
                    continue;
                }
                assert_eq!(status, *allowed, "{role:?} {method} {path}");
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
