//! Conflicts that offline edits leave: listed for the managers who may resolve them,
//! masked per role, resolved once in the API and in the console, and audited.

use consentry_tests::{
    browser::Browser,
    story,
    sync::{register_device, signed_edit},
    Backend, Expect, Session, TestApp, USER_PASSWORD,
};
use shared::{
    access::Visibility,
    api::{
        auth::Role,
        conflicts::{ConflictKind, ConflictList, ConflictResolved},
        error::{ApiError, ErrorCode},
        records::{RecordHistory, VersionCause},
        sync::SyncStatus,
        users::TeamSummary,
    },
};

use crate::sync_edits::{
    collect, detail, display, edited, sync, two_devices_edit, with, Collected,
};

pub(crate) async fn put_in_one_team(app: &TestApp, admin: &Session, members: &[&Session]) {
    let team: TeamSummary = admin
        .post_json("/teams", &serde_json::json!({"name": "North"}), 201)
        .await;
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    for m in members {
        sqlx::query("UPDATE users SET team_id = $1 WHERE id = $2")
            .bind(team.id.to_string())
            .bind(m.user().id.to_string())
            .execute(db.pool())
            .await
            .unwrap();
    }
    db.close().await;
}

/// `POST /conflicts/{id}/resolve`, keeping the `take` side ("server" or "device").
fn resolve(caller: &Session, id: impl std::fmt::Display, take: &str) -> reqwest::RequestBuilder {
    caller
        .post(&format!("/conflicts/{id}/resolve"))
        .json(&serde_json::json!({ "take": take }))
}

async fn audit(admin: &Session, action: &str) -> usize {
    admin.audit_log(action).await.entries.len()
}

async fn conflicts(caller: &Session) -> ConflictList {
    caller.get_json("/conflicts", 200).await
}

story!(the_same_field_changed_twice_waits_for_a_manager, |app| {
    let admin = app.admin().await;
    let staff = app.collector(Role::Staff).await;
    let manager = app.collector(Role::Manager).await;
    let outsider = app.collector(Role::Manager).await;
    put_in_one_team(&app, &admin, &[&staff, &manager]).await;
    let c = collect(&app, staff).await;

    // Both devices change the name and the resident ID from version 1.
    let mut a = with("full_name", serde_json::json!("张三丰"));
    a.insert(
        "resident_id".into(),
        serde_json::json!("11010119900307125X"),
    );
    let mut b = with("full_name", serde_json::json!("张小三"));
    b.insert(
        "resident_id".into(),
        serde_json::json!("110101199003071209"),
    );
    b.insert("gender".into(), serde_json::json!("female"));
    let (status, tablet) = two_devices_edit(&c, &a, &b).await;
    let r = [status];
    // The gender merges; the name waits as a conflict. The resident ID is a key field:
    // each device's change of it waits for approval, and the server's value stays.
    assert_eq!(
        edited(&r[0]),
        (3, vec!["gender".to_owned()], vec!["full_name".to_owned()])
    );
    let SyncStatus::Edited { pending_fields, .. } = &r[0] else {
        unreachable!()
    };
    assert_eq!(pending_fields, &["resident_id".to_owned()]);
    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!((view.version, view.open_conflicts), (3, 1));
    assert_eq!(view.pending_fields, vec!["resident_id".to_owned()]);
    assert_eq!(display(&view, "full_name"), Some("张三丰"));
    assert_eq!(display(&view, "resident_id"), Some("1101**********1233"));

    // Staff and auditors may not resolve; a manager of another team sees nothing.
    c.staff.get("/conflicts").expect_status(403).await;
    let auditor = app.user_with_role(Role::Auditor).await;
    auditor.get("/conflicts").expect_status(403).await;
    assert!(conflicts(&outsider).await.conflicts.is_empty());

    // The manager sees both values, masked as the policy says.
    let list = conflicts(&manager).await;
    assert_eq!(list.conflicts.len(), 3);
    let name = list
        .conflicts
        .iter()
        .find(|k| k.field_key == "full_name")
        .unwrap();
    assert_eq!(name.kind, ConflictKind::Conflict);
    assert_eq!(name.record_id.to_string(), c.record.uuid);
    assert_eq!(
        (name.base_version, name.server_version, name.current_version),
        (1, 3, 3)
    );
    assert_eq!(name.visibility, Visibility::Full);
    assert_eq!(name.server_value.as_deref(), Some("张三丰"));
    assert_eq!(name.device_value.as_deref(), Some("张小三"));
    assert_eq!(name.device_id, tablet.id);
    assert_eq!(name.field_label.en, "Full name");
    let approvals: Vec<_> = list
        .conflicts
        .iter()
        .filter(|k| k.field_key == "resident_id")
        .collect();
    assert_eq!(approvals.len(), 2);
    assert!(approvals
        .iter()
        .all(|k| k.kind == ConflictKind::Approval && k.contested));
    assert!(approvals
        .iter()
        .all(|k| k.author_name.as_deref() == Some(c.staff.user().username.as_str())));
    let from_tablet = approvals.iter().find(|k| k.device_id == tablet.id).unwrap();
    let from_phone = approvals.iter().find(|k| k.device_id != tablet.id).unwrap();
    assert_eq!(from_tablet.visibility, Visibility::Masked);
    assert_eq!(
        from_tablet.server_value.as_deref(),
        Some("1101**********1233")
    );
    assert_eq!(
        from_tablet.device_value.as_deref(),
        Some("1101**********1209")
    );
    assert_eq!(
        from_phone.device_value.as_deref(),
        Some("1101**********125X")
    );
    // Admins see every conflict, with personal data masked and sensitive hidden.
    let all = conflicts(&admin).await;
    let name_a = all
        .conflicts
        .iter()
        .find(|k| k.field_key == "full_name")
        .unwrap();
    assert_eq!(name_a.server_value.as_deref(), Some("张**"));
    assert_eq!(name_a.device_value.as_deref(), Some("张**"));
    let id_a = all
        .conflicts
        .iter()
        .find(|k| k.field_key == "resident_id")
        .unwrap();
    assert_eq!(
        (id_a.server_value.as_deref(), id_a.device_value.as_deref()),
        (None, None)
    );
    // No value reaches the database in clear.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM record_conflicts WHERE device_value LIKE '%张小三%'")
            .await,
        0
    );

    // A manager of another team cannot resolve it.
    resolve(&outsider, name.id, "device")
        .expect_status(404)
        .await;
    let done: ConflictResolved = resolve(&manager, name.id, "device").expect_json(200).await;
    assert_eq!(done.version, 4);
    // The tablet's ID is approved (a new version, the staff member's, approved by the
    // manager); the phone's is rejected.
    let approved: ConflictResolved = resolve(&manager, from_tablet.id, "device")
        .expect_json(200)
        .await;
    assert_eq!(approved.version, 5);
    let rejected: ConflictResolved = resolve(&manager, from_phone.id, "server")
        .expect_json(200)
        .await;
    assert_eq!(rejected.version, 5);
    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!((view.version, view.open_conflicts), (5, 0));
    assert!(view.pending_fields.is_empty());
    assert_eq!(display(&view, "full_name"), Some("张小三"));
    assert_eq!(display(&view, "gender"), Some("Female"));
    assert_eq!(display(&view, "resident_id"), Some("1101**********1209"));
    let history: RecordHistory = manager
        .get_json(&format!("/records/{}/history", c.record.uuid), 200)
        .await;
    let v5 = &history.versions[4];
    assert_eq!(v5.cause, VersionCause::ApprovedChange);
    assert_eq!(
        v5.by_name.as_deref(),
        Some(c.staff.user().username.as_str())
    );
    assert_eq!(
        v5.approved_by_name.as_deref(),
        Some(manager.user().username.as_str())
    );
    assert_eq!(v5.changed, vec!["resident_id".to_owned()]);

    let e: ApiError = resolve(&manager, name.id, "server").expect_json(409).await;
    assert_eq!(e.code, ErrorCode::AlreadyResolved);
    let e: ApiError = resolve(&manager, from_phone.id, "device")
        .expect_json(409)
        .await;
    assert_eq!(e.code, ErrorCode::AlreadyResolved);
    assert!(conflicts(&manager).await.conflicts.is_empty());

    assert_eq!(audit(&admin, "records.edit").await, 2);
    assert_eq!(audit(&admin, "records.conflict.resolve").await, 1);
    assert_eq!(audit(&admin, "records.change.approved").await, 1);
    assert_eq!(audit(&admin, "records.change.rejected").await, 1);
});

// A manager's own change of a key field waits too, and another manager or an admin
// decides it: never its author.
story!(nobody_approves_their_own_change, |app| {
    let admin = app.admin().await;
    let manager = app.collector(Role::Manager).await;
    let other = app.collector(Role::Manager).await;
    put_in_one_team(&app, &admin, &[&manager, &other]).await;
    let c = collect(&app, manager).await;
    let edit = c.edit(&with("mobile", serde_json::json!("13700001111")), 2, 1);
    let r = sync(&c.staff, &c.device, vec![edit]).await;
    assert_eq!(edited(&r[0]), (1, vec![], vec![]));
    let list = conflicts(&c.staff).await;
    let change = &list.conflicts[0];
    assert_eq!(
        (change.kind, change.field_key.as_str()),
        (ConflictKind::Approval, "mobile")
    );
    let e: ApiError = resolve(&c.staff, change.id, "device")
        .expect_json(403)
        .await;
    assert_eq!(e.code, ErrorCode::Forbidden);
    let done: ConflictResolved = resolve(&other, change.id, "device").expect_json(200).await;
    assert_eq!(done.version, 2);
    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!(display(&view, "mobile"), Some("+8613700001111"));
    let e: ApiError = resolve(&admin, change.id, "server").expect_json(409).await;
    assert_eq!(e.code, ErrorCode::AlreadyResolved);
});

story!(a_conflict_met_again_is_not_filed_twice, |app| {
    let staff = app.collector(Role::Staff).await;
    let c = collect(&app, staff).await;
    let (tablet, tablet_key) = register_device(&c.staff, "tablet").await;
    let edit = |answers: &shared::schema::Answers, seq: i64| {
        signed_edit(
            &c.version,
            &c.record,
            answers,
            &tablet.id,
            &tablet_key,
            seq,
            1,
        )
    };
    let phone = c.edit(&with("full_name", serde_json::json!("张三丰")), 2, 1);
    assert_eq!(
        edited(&sync(&c.staff, &c.device, vec![phone]).await[0]).0,
        2
    );
    let open = || app.count("SELECT COUNT(*) FROM record_conflicts WHERE resolved_at_ms IS NULL");

    // The tablet, still at version 1, renames: a conflict.
    let name = with("full_name", serde_json::json!("张小三"));
    let r = sync(&c.staff, &tablet, vec![edit(&name, 1)]).await;
    assert_eq!(edited(&r[0]).2, ["full_name"]);
    assert_eq!(open().await, 1);

    // It edits another field from the same copy: that merges, and the name's conflict,
    // met again with the same value, stays the one conflict.
    let mut more = name.clone();
    more.insert("gender".into(), serde_json::json!("female"));
    let r = sync(&c.staff, &tablet, vec![edit(&more, 2)]).await;
    let (version, _, conflicted) = edited(&r[0]);
    assert_eq!((version, conflicted), (3, vec!["full_name".to_owned()]));
    assert_eq!(open().await, 1);
    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!(display(&view, "gender"), Some("Female"));
    assert_eq!(display(&view, "full_name"), Some("张三丰"));

    // Another name from the tablet is another proposal: both wait for a manager.
    let mut other = more.clone();
    other.insert("full_name".into(), serde_json::json!("张小四"));
    let r = sync(&c.staff, &tablet, vec![edit(&other, 3)]).await;
    assert_eq!(edited(&r[0]).2, ["full_name"]);
    assert_eq!(open().await, 2);
});

/// Two devices of one staff member change the name from version 1: one conflict.
async fn one_conflict(app: &TestApp, staff: Session) -> Collected {
    let c = collect(app, staff).await;
    let (r, _) = two_devices_edit(
        &c,
        &with("full_name", serde_json::json!("张三丰")),
        &with("full_name", serde_json::json!("张小三")),
    )
    .await;
    assert_eq!(edited(&r).2, ["full_name"]);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_resolves_conflicts_in_the_console() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let admin = app.admin().await;
    let staff = app.collector(Role::Staff).await;
    let manager = app.collector(Role::Manager).await;
    put_in_one_team(&app, &admin, &[&staff, &manager]).await;
    let c = one_conflict(&app, staff).await;
    let stale = one_conflict(&app, c.staff.clone()).await;
    let username = manager.user().username.clone();

    let browser = Browser::start().await;
    browser.sign_in(&app, &username, USER_PASSWORD).await;
    browser.click("[data-testid=nav-conflicts]").await;
    browser.find("[data-testid=conflicts-page]").await;

    // Both values side by side.
    let item = format!(
        "[data-testid=conflict][data-id='{}']",
        conflict_id(&manager, &c.record.uuid).await
    );
    browser
        .wait_for_text(
            &format!("{item} [data-testid=conflict-server-value]"),
            "张三丰",
        )
        .await;
    browser
        .wait_for_text(
            &format!("{item} [data-testid=conflict-device-value]"),
            "张小三",
        )
        .await;
    browser.axe("console: conflicts").await;

    // Someone else resolves the other one meanwhile: the error shows at that item.
    let other = conflict_id(&manager, &stale.record.uuid).await;
    resolve(&manager, other, "server").expect_status(200).await;
    let other_item = format!("[data-testid=conflict][data-id='{other}']");
    browser
        .click(&format!("{other_item} [data-testid=conflict-take-device]"))
        .await;
    browser
        .find(&format!("{other_item} [data-testid=form-error]"))
        .await;
    browser.axe("console: conflicts, an error").await;

    // Taking the device's value makes a new version; the list then has nothing left.
    browser
        .click(&format!("{item} [data-testid=conflict-take-device]"))
        .await;
    browser.find("[data-testid=no-conflicts]").await;
    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!((view.version, view.open_conflicts), (3, 0));
    assert_eq!(display(&view, "full_name"), Some("张小三"));
    browser.close().await;
}

async fn conflict_id(manager: &Session, record_id: &str) -> shared::ids::ConflictId {
    conflicts(manager)
        .await
        .conflicts
        .into_iter()
        .find(|k| k.record_id.to_string() == record_id)
        .unwrap()
        .id
}
