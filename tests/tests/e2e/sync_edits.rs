//! Edits made offline to records that were already synced: merged field by field with
//! what the server changed since, conflicts left to a manager, idempotent replays,
//! forged or foreign edits refused; and a manager resolving conflicts in the console.

use consentry_tests::{
    browser::Browser,
    consent::{demo_answers, new_key, Choices},
    expect_json, story,
    sync::{device_public_key, signed_edit, signed_record},
    Backend, Session, TestApp,
};
use ed25519_dalek::SigningKey;
use shared::{
    access::Visibility,
    api::{
        audit::AuditPage,
        auth::Role,
        conflicts::{ConflictList, ConflictResolved},
        error::{ApiError, ErrorCode},
        forms::VersionDetail,
        records::RecordView,
        sync::{DeviceInfo, SyncBatch, SyncRecord, SyncResponse, SyncStatus},
        users::TeamSummary,
    },
};

async fn device(staff: &Session) -> (DeviceInfo, SigningKey) {
    let key = new_key();
    let info: DeviceInfo = expect_json(
        staff
            .post("/devices")
            .json(&serde_json::json!({"name": "phone", "public_key": device_public_key(&key)}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    (info, key)
}

async fn sync(staff: &Session, device: &DeviceInfo, records: Vec<SyncRecord>) -> Vec<SyncStatus> {
    let batch = SyncBatch {
        device_id: device.id.clone(),
        records,
    };
    let r: SyncResponse =
        expect_json(staff.post("/sync").json(&batch).send().await.unwrap(), 200).await;
    r.results.into_iter().map(|r| r.status).collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap();
    db.close().await;
    n
}

async fn detail(caller: &Session, id: &str) -> RecordView {
    expect_json(
        caller.get(&format!("/records/{id}")).send().await.unwrap(),
        200,
    )
    .await
}

fn display<'a>(r: &'a RecordView, key: &str) -> Option<&'a str> {
    r.values[key].display.as_deref()
}

fn edited(status: &SyncStatus) -> (i64, Vec<String>, Vec<String>) {
    match status {
        SyncStatus::Edited {
            version,
            merged_fields,
            conflicted_fields,
        } => (*version, merged_fields.clone(), conflicted_fields.clone()),
        other => panic!("expected an edit, got {other:?}"),
    }
}

fn rejected_code(status: &SyncStatus) -> &str {
    match status {
        SyncStatus::Rejected { code, .. } => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A staff member with a device and one synced demo record.
struct Collected {
    staff: Session,
    device: DeviceInfo,
    key: SigningKey,
    version: VersionDetail,
    record: SyncRecord,
}

async fn collect(app: &TestApp, staff: Session) -> Collected {
    let version = app.demo_version().await;
    let (device, key) = device(&staff).await;
    let record = signed_record(
        &version,
        &demo_answers(),
        &Choices::all_demo(),
        &device.id,
        &key,
        1,
    );
    let r = sync(&staff, &device, vec![record.clone()]).await;
    assert!(matches!(r[0], SyncStatus::Stored { .. }), "{r:?}");
    Collected {
        staff,
        device,
        key,
        version,
        record,
    }
}

fn with(key: &str, value: serde_json::Value) -> shared::schema::Answers {
    let mut a = demo_answers();
    a.insert(key.to_owned(), value);
    a
}

story!(an_edit_of_an_unchanged_record_is_applied, |app| {
    let staff = app.user_with_role(Role::Staff).await;
    let c = collect(&app, staff).await;
    let edit = signed_edit(
        &c.version,
        &c.record,
        &with("full_name", serde_json::json!("张三丰")),
        &c.device.id,
        &c.key,
        2,
        1,
    );
    let r = sync(&c.staff, &c.device, vec![edit]).await;
    assert_eq!(
        edited(&r[0]),
        (2, vec!["full_name".to_owned()], Vec::<String>::new())
    );
    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!(view.version, 2);
    assert_eq!(view.open_conflicts, 0);
    assert_eq!(display(&view, "full_name"), Some("张三丰"));
    assert_eq!(display(&view, "mobile"), Some("+8613800138000"));
    // The history keeps both versions, sealed like the record itself.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM record_versions").await, 2);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM record_versions WHERE values_json LIKE '%张三%' \
             OR values_json LIKE '%13800138000%'"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM records WHERE values_json LIKE '%张三丰%'"
        )
        .await,
        0
    );
    let devices: Vec<DeviceInfo> =
        expect_json(c.staff.get("/devices").send().await.unwrap(), 200).await;
    assert_eq!(devices[0].last_seq, 2);
});

/// The staff member's first device edits version 1 with `first` (becoming version 2),
/// then a second device of theirs, still holding version 1, sends `second`: its result,
/// and that second device.
async fn two_devices_edit(
    c: &Collected,
    first: &shared::schema::Answers,
    second: &shared::schema::Answers,
) -> (SyncStatus, DeviceInfo) {
    let (tablet, tablet_key) = device(&c.staff).await;
    let edit = signed_edit(&c.version, &c.record, first, &c.device.id, &c.key, 2, 1);
    assert_eq!(edited(&sync(&c.staff, &c.device, vec![edit]).await[0]).0, 2);
    let edit = signed_edit(&c.version, &c.record, second, &tablet.id, &tablet_key, 1, 1);
    (sync(&c.staff, &tablet, vec![edit]).await.remove(0), tablet)
}

story!(
    edits_of_different_fields_from_the_same_base_both_merge,
    |app| {
        let staff = app.user_with_role(Role::Staff).await;
        let c = collect(&app, staff).await;
        // The same staff member's second device holds the same copy (version 1).
        let (r, _) = two_devices_edit(
            &c,
            &with("full_name", serde_json::json!("张三丰")),
            &with("email", serde_json::json!("san.zhang@example.com")),
        )
        .await;
        assert_eq!(
            edited(&r),
            (3, vec!["email".to_owned()], Vec::<String>::new())
        );
        let view = detail(&c.staff, &c.record.uuid).await;
        assert_eq!(view.version, 3);
        assert_eq!(view.open_conflicts, 0);
        // Neither change undid the other.
        assert_eq!(display(&view, "full_name"), Some("张三丰"));
        assert_eq!(display(&view, "email"), Some("san.zhang@example.com"));
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM record_conflicts").await,
            0
        );
    }
);

async fn put_in_one_team(app: &TestApp, admin: &Session, members: &[&Session]) {
    let team: TeamSummary = expect_json(
        admin
            .post("/teams")
            .json(&serde_json::json!({"name": "North"}))
            .send()
            .await
            .unwrap(),
        201,
    )
    .await;
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    for m in members {
        sqlx::query("UPDATE users SET team_id = $1 WHERE id = $2")
            .bind(&team.id)
            .bind(&m.info.as_ref().unwrap().user.id)
            .execute(db.pool())
            .await
            .unwrap();
    }
    db.close().await;
}

async fn audit(admin: &Session, action: &str) -> usize {
    let page: AuditPage = expect_json(
        admin
            .get(&format!("/audit?action={action}"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    page.entries.len()
}

story!(the_same_field_changed_twice_waits_for_a_manager, |app| {
    let admin = app.admin().await;
    let staff = app.user_with_role(Role::Staff).await;
    let manager = app.user_with_role(Role::Manager).await;
    let outsider = app.user_with_role(Role::Manager).await;
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
    // The gender merges; the name and ID wait, and the server's values stay.
    assert_eq!(
        edited(&r[0]),
        (
            3,
            vec!["gender".to_owned()],
            vec!["full_name".to_owned(), "resident_id".to_owned()]
        )
    );
    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!((view.version, view.open_conflicts), (3, 2));
    assert_eq!(display(&view, "full_name"), Some("张三丰"));

    // Staff and auditors may not resolve; a manager of another team sees nothing.
    let r = c.staff.get("/conflicts").send().await.unwrap();
    assert_eq!(r.status(), 403);
    let auditor = app.user_with_role(Role::Auditor).await;
    assert_eq!(
        auditor.get("/conflicts").send().await.unwrap().status(),
        403
    );
    let none: ConflictList =
        expect_json(outsider.get("/conflicts").send().await.unwrap(), 200).await;
    assert!(none.conflicts.is_empty());

    // The manager sees both values, masked as the policy says.
    let list: ConflictList =
        expect_json(manager.get("/conflicts").send().await.unwrap(), 200).await;
    assert_eq!(list.conflicts.len(), 2);
    let name = list
        .conflicts
        .iter()
        .find(|k| k.field_key == "full_name")
        .unwrap();
    assert_eq!(name.record_id, c.record.uuid);
    assert_eq!(
        (name.base_version, name.server_version, name.current_version),
        (1, 3, 3)
    );
    assert_eq!(name.visibility, Visibility::Full);
    assert_eq!(name.server_value.as_deref(), Some("张三丰"));
    assert_eq!(name.device_value.as_deref(), Some("张小三"));
    assert_eq!(name.device_id, tablet.id);
    assert_eq!(name.field_label.en, "Full name");
    let id = list
        .conflicts
        .iter()
        .find(|k| k.field_key == "resident_id")
        .unwrap();
    assert_eq!(id.visibility, Visibility::Masked);
    assert_eq!(id.server_value.as_deref(), Some("1101**********125X"));
    assert_eq!(id.device_value.as_deref(), Some("1101**********1209"));
    // Admins see every conflict, with personal data masked and sensitive hidden.
    let all: ConflictList = expect_json(admin.get("/conflicts").send().await.unwrap(), 200).await;
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
        count(
            &app,
            "SELECT COUNT(*) FROM record_conflicts WHERE device_value LIKE '%张小三%'"
        )
        .await,
        0
    );

    // A manager of another team cannot resolve it.
    let r = outsider
        .post(&format!("/conflicts/{}/resolve", name.id))
        .json(&serde_json::json!({"take": "device"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let done: ConflictResolved = expect_json(
        manager
            .post(&format!("/conflicts/{}/resolve", name.id))
            .json(&serde_json::json!({"take": "device"}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(done.version, 4);
    let kept: ConflictResolved = expect_json(
        manager
            .post(&format!("/conflicts/{}/resolve", id.id))
            .json(&serde_json::json!({"take": "server"}))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(kept.version, 4);
    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!((view.version, view.open_conflicts), (4, 0));
    assert_eq!(display(&view, "full_name"), Some("张小三"));
    assert_eq!(display(&view, "gender"), Some("female"));
    assert_eq!(display(&view, "resident_id"), Some("1101**********125X"));

    let again = manager
        .post(&format!("/conflicts/{}/resolve", name.id))
        .json(&serde_json::json!({"take": "server"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let e: ApiError = again.json().await.unwrap();
    assert_eq!(e.code, ErrorCode::AlreadyResolved);
    let list: ConflictList =
        expect_json(manager.get("/conflicts").send().await.unwrap(), 200).await;
    assert!(list.conflicts.is_empty());

    assert_eq!(audit(&admin, "records.edit").await, 2);
    assert_eq!(audit(&admin, "records.conflict.resolve").await, 2);
});

story!(a_replayed_edit_changes_nothing, |app| {
    let staff = app.user_with_role(Role::Staff).await;
    let c = collect(&app, staff).await;
    let edit = signed_edit(
        &c.version,
        &c.record,
        &with("full_name", serde_json::json!("张三丰")),
        &c.device.id,
        &c.key,
        2,
        1,
    );
    let first = sync(&c.staff, &c.device, vec![edit.clone()]).await;
    let versions = count(&app, "SELECT COUNT(*) FROM record_versions").await;
    let audit_rows = count(&app, "SELECT COUNT(*) FROM audit_log").await;
    for _ in 0..3 {
        // The record and its edit in one batch again, as a device whose answers were lost.
        let again = sync(&c.staff, &c.device, vec![c.record.clone(), edit.clone()]).await;
        assert!(matches!(again[0], SyncStatus::AlreadyStored { .. }));
        assert_eq!(again[1], first[0]);
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM record_versions").await,
        versions
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log").await,
        audit_rows
    );

    // The same sequence number with other answers is a conflict and changes nothing.
    let other = signed_edit(
        &c.version,
        &c.record,
        &with("full_name", serde_json::json!("李四")),
        &c.device.id,
        &c.key,
        2,
        1,
    );
    let r = sync(&c.staff, &c.device, vec![other]).await;
    assert!(matches!(r[0], SyncStatus::Conflict { .. }), "{r:?}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log").await,
        audit_rows
    );
    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!(view.version, 2);
    assert_eq!(display(&view, "full_name"), Some("张三丰"));
});

story!(forged_foreign_and_future_edits_are_refused, |app| {
    let staff = app.user_with_role(Role::Staff).await;
    let c = collect(&app, staff).await;
    let answers = with("full_name", serde_json::json!("王五"));
    // Signed by a key that is not the device's.
    let forged = signed_edit(
        &c.version,
        &c.record,
        &answers,
        &c.device.id,
        &new_key(),
        2,
        1,
    );
    // Signed properly, but the answers changed after signing.
    let mut tampered = signed_edit(&c.version, &c.record, &answers, &c.device.id, &c.key, 3, 1);
    tampered
        .answers
        .insert("email".into(), serde_json::json!("x@example.com"));
    // From a version the server never had.
    let future = signed_edit(&c.version, &c.record, &answers, &c.device.id, &c.key, 4, 5);
    // Invalid values.
    let invalid = signed_edit(
        &c.version,
        &c.record,
        &demo_answers(),
        &c.device.id,
        &c.key,
        5,
        1,
    );
    let mut invalid = invalid;
    invalid
        .answers
        .insert("mobile".into(), serde_json::json!("12345"));
    let r = sync(&c.staff, &c.device, vec![forged, tampered, future, invalid]).await;
    assert_eq!(rejected_code(&r[0]), "invalid_signature");
    assert_eq!(rejected_code(&r[1]), "invalid_signature");
    assert_eq!(rejected_code(&r[2]), "base_version_invalid");
    assert_eq!(rejected_code(&r[3]), "validation_failed");
    match &r[3] {
        SyncStatus::Rejected { fields, .. } => assert!(fields.contains_key("mobile")),
        other => panic!("{other:?}"),
    }

    // Another staff member's device cannot edit this record, even signing properly.
    let other = app.user_with_role(Role::Staff).await;
    let (dev2, key2) = device(&other).await;
    let foreign = signed_edit(&c.version, &c.record, &answers, &dev2.id, &key2, 1, 1);
    let r = sync(&other, &dev2, vec![foreign]).await;
    assert_eq!(rejected_code(&r[0]), "not_found");

    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!(view.version, 1);
    assert_eq!(display(&view, "full_name"), Some("张三"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM record_versions").await, 0);
    let r = other
        .get(&format!("/records/{}", c.record.uuid))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
});

story!(fields_whose_purpose_was_withdrawn_cannot_be_edited, |app| {
    let staff = app.user_with_role(Role::Staff).await;
    let c = collect(&app, staff).await;
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query("UPDATE consent_receipts SET purposes_withdrawn = $1 WHERE receipt_id = $2")
        .bind(r#"{"marketing": 1}"#)
        .bind(&c.record.uuid)
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    let edit = signed_edit(
        &c.version,
        &c.record,
        &with("messages_per_month", serde_json::json!(6)),
        &c.device.id,
        &c.key,
        2,
        1,
    );
    let r = sync(&c.staff, &c.device, vec![edit]).await;
    assert_eq!(rejected_code(&r[0]), "purpose_withdrawn");
    match &r[0] {
        SyncStatus::Rejected { fields, .. } => {
            assert!(fields.contains_key("messages_per_month"));
        }
        other => panic!("{other:?}"),
    }
    // Other fields still can be.
    let edit = signed_edit(
        &c.version,
        &c.record,
        &with("full_name", serde_json::json!("张三丰")),
        &c.device.id,
        &c.key,
        3,
        1,
    );
    let r = sync(&c.staff, &c.device, vec![edit]).await;
    assert_eq!(edited(&r[0]).0, 2);
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
    let staff = app.user_with_role(Role::Staff).await;
    let manager = app.user_with_role(Role::Manager).await;
    put_in_one_team(&app, &admin, &[&staff, &manager]).await;
    let c = one_conflict(&app, staff).await;
    let stale = one_conflict(&app, c.staff.clone()).await;
    let username = manager.info.as_ref().unwrap().user.username.clone();

    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/login", app.address))
        .await
        .unwrap();
    for (css, text) in [
        ("[data-testid=login-username]", username.as_str()),
        (
            "[data-testid=login-password]",
            "another long test passphrase",
        ),
    ] {
        let input = browser.find(css).await;
        input.clear().await.unwrap();
        input.send_keys(text).await.unwrap();
    }
    browser
        .find("[data-testid=login-submit]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_for_text("[data-testid=account-username]", &username)
        .await;
    browser
        .find("[data-testid=nav-conflicts]")
        .await
        .click()
        .await
        .unwrap();
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

    // Someone else resolves the other one meanwhile: the error shows at that item.
    let other = conflict_id(&manager, &stale.record.uuid).await;
    let r = manager
        .post(&format!("/conflicts/{other}/resolve"))
        .json(&serde_json::json!({"take": "server"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let other_item = format!("[data-testid=conflict][data-id='{other}']");
    browser
        .find(&format!("{other_item} [data-testid=conflict-take-device]"))
        .await
        .click()
        .await
        .unwrap();
    browser
        .find(&format!("{other_item} [data-testid=form-error]"))
        .await;

    // Taking the device's value makes a new version; the list then has nothing left.
    browser
        .find(&format!("{item} [data-testid=conflict-take-device]"))
        .await
        .click()
        .await
        .unwrap();
    browser.find("[data-testid=no-conflicts]").await;
    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!((view.version, view.open_conflicts), (3, 0));
    assert_eq!(display(&view, "full_name"), Some("张小三"));
    browser.close().await;
}

async fn conflict_id(manager: &Session, record_id: &str) -> String {
    let list: ConflictList =
        expect_json(manager.get("/conflicts").send().await.unwrap(), 200).await;
    list.conflicts
        .into_iter()
        .find(|k| k.record_id == record_id)
        .unwrap()
        .id
}
