//! Edits made offline to records that were already synced: merged field by field with
//! what the server changed since, idempotent replays, forged, foreign or late edits
//! refused (conflicts and their resolution: `conflicts.rs`).

use consentry_tests::{
    consent::{demo_answers, new_key},
    story,
    sync::{post_sync, register_device, signed_edit},
    Expect, Session, TestApp,
};
use ed25519_dalek::SigningKey;

use crate::sync::demo_record;
use shared::api::{
    auth::Role,
    forms::VersionDetail,
    records::RecordView,
    sync::{DeviceInfo, SyncBatch, SyncRecord, SyncStatus},
};

pub(crate) async fn device(staff: &Session) -> (DeviceInfo, SigningKey) {
    register_device(staff, "phone").await
}

pub(crate) async fn sync(
    staff: &Session,
    device: &DeviceInfo,
    records: Vec<SyncRecord>,
) -> Vec<SyncStatus> {
    let batch = SyncBatch {
        device_id: device.id,
        records,
    };
    let r = post_sync(staff, &batch).await;
    r.results.into_iter().map(|r| r.status).collect()
}

pub(crate) async fn detail(caller: &Session, id: &str) -> RecordView {
    caller.get_json(&format!("/records/{id}"), 200).await
}

pub(crate) fn display<'a>(r: &'a RecordView, key: &str) -> Option<&'a str> {
    r.values[key].display.as_deref()
}

pub(crate) fn edited(status: &SyncStatus) -> (i64, Vec<String>, Vec<String>) {
    match status {
        SyncStatus::Edited {
            version,
            merged_fields,
            conflicted_fields,
            ..
        } => (*version, merged_fields.clone(), conflicted_fields.clone()),
        other => panic!("expected an edit, got {other:?}"),
    }
}

pub(crate) fn rejected_code(status: &SyncStatus) -> &str {
    match status {
        SyncStatus::Rejected { code, .. } => code.as_str(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A staff member with a device and one synced demo record.
pub(crate) struct Collected {
    pub staff: Session,
    pub device: DeviceInfo,
    pub key: SigningKey,
    pub version: VersionDetail,
    pub record: SyncRecord,
}

impl Collected {
    /// An edit of the record from the staff member's first device, as its `seq`th
    /// record, made to the copy of version `base`.
    pub(crate) fn edit(
        &self,
        answers: &shared::schema::Answers,
        seq: i64,
        base: i64,
    ) -> SyncRecord {
        signed_edit(
            &self.version,
            &self.record,
            answers,
            &self.device.id,
            &self.key,
            seq,
            base,
        )
    }
}

pub(crate) async fn collect(app: &TestApp, staff: Session) -> Collected {
    let version = app.demo_version().await;
    let (device, key) = device(&staff).await;
    let record = demo_record(&version, &device.id, &key, 1);
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

pub(crate) fn with(key: &str, value: serde_json::Value) -> shared::schema::Answers {
    let mut a = demo_answers();
    a.insert(key.to_owned(), value);
    a
}

story!(an_edit_of_an_unchanged_record_is_applied, |app| {
    let staff = app.collector(Role::Staff).await;
    let c = collect(&app, staff).await;
    let edit = c.edit(&with("full_name", serde_json::json!("张三丰")), 2, 1);
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
    assert_eq!(app.count("SELECT COUNT(*) FROM record_versions").await, 2);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM record_versions WHERE values_json LIKE '%张三%' \
             OR values_json LIKE '%13800138000%'"
        )
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM records WHERE values_json LIKE '%张三丰%'")
            .await,
        0
    );
    let devices: Vec<DeviceInfo> = c.staff.get_json("/devices", 200).await;
    assert_eq!(devices[0].last_seq, 2);
});

/// The staff member's first device edits version 1 with `first` (becoming version 2),
/// then a second device of theirs, still holding version 1, sends `second`: its result,
/// and that second device.
pub(crate) async fn two_devices_edit(
    c: &Collected,
    first: &shared::schema::Answers,
    second: &shared::schema::Answers,
) -> (SyncStatus, DeviceInfo) {
    let (tablet, tablet_key) = device(&c.staff).await;
    let edit = c.edit(first, 2, 1);
    assert_eq!(edited(&sync(&c.staff, &c.device, vec![edit]).await[0]).0, 2);
    let edit = signed_edit(&c.version, &c.record, second, &tablet.id, &tablet_key, 1, 1);
    (sync(&c.staff, &tablet, vec![edit]).await.remove(0), tablet)
}

story!(
    edits_of_different_fields_from_the_same_base_both_merge,
    |app| {
        let staff = app.collector(Role::Staff).await;
        let c = collect(&app, staff).await;
        // The same staff member's second device holds the same copy (version 1).
        let (r, _) = two_devices_edit(
            &c,
            &with("full_name", serde_json::json!("张三丰")),
            &with("date_of_birth", serde_json::json!("1991-02-03")),
        )
        .await;
        assert_eq!(
            edited(&r),
            (3, vec!["date_of_birth".to_owned()], Vec::<String>::new())
        );
        let view = detail(&c.staff, &c.record.uuid).await;
        assert_eq!(view.version, 3);
        assert_eq!(view.open_conflicts, 0);
        // Neither change undid the other.
        assert_eq!(display(&view, "full_name"), Some("张三丰"));
        assert_eq!(display(&view, "date_of_birth"), Some("1991-02-03"));
        assert_eq!(app.count("SELECT COUNT(*) FROM record_conflicts").await, 0);
    }
);

story!(a_replayed_edit_changes_nothing, |app| {
    let staff = app.collector(Role::Staff).await;
    let c = collect(&app, staff).await;
    let edit = c.edit(&with("full_name", serde_json::json!("张三丰")), 2, 1);
    let first = sync(&c.staff, &c.device, vec![edit.clone()]).await;
    let versions = app.count("SELECT COUNT(*) FROM record_versions").await;
    let audit_rows = app.count("SELECT COUNT(*) FROM audit_log").await;
    for _ in 0..3 {
        // The record and its edit in one batch again, as a device whose answers were lost.
        let again = sync(&c.staff, &c.device, vec![c.record.clone(), edit.clone()]).await;
        assert!(matches!(again[0], SyncStatus::AlreadyStored { .. }));
        assert_eq!(again[1], first[0]);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM record_versions").await,
        versions
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log").await,
        audit_rows
    );

    // The same sequence number with other answers is a conflict and changes nothing.
    let other = c.edit(&with("full_name", serde_json::json!("李四")), 2, 1);
    let r = sync(&c.staff, &c.device, vec![other]).await;
    assert!(matches!(r[0], SyncStatus::Conflict { .. }), "{r:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log").await,
        audit_rows
    );
    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!(view.version, 2);
    assert_eq!(display(&view, "full_name"), Some("张三丰"));
});

story!(forged_foreign_and_future_edits_are_refused, |app| {
    let staff = app.collector(Role::Staff).await;
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
    let mut tampered = c.edit(&answers, 3, 1);
    tampered
        .answers
        .insert("email".into(), serde_json::json!("x@example.com"));
    // From a version the server never had.
    let future = c.edit(&answers, 4, 5);
    // Invalid values.
    let mut invalid = c.edit(&demo_answers(), 5, 1);
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
    let other = app.collector(Role::Staff).await;
    let (dev2, key2) = device(&other).await;
    let foreign = signed_edit(&c.version, &c.record, &answers, &dev2.id, &key2, 1, 1);
    let r = sync(&other, &dev2, vec![foreign]).await;
    assert_eq!(rejected_code(&r[0]), "not_found");

    let view = detail(&c.staff, &c.record.uuid).await;
    assert_eq!(view.version, 1);
    assert_eq!(display(&view, "full_name"), Some("张三"));
    assert_eq!(app.count("SELECT COUNT(*) FROM record_versions").await, 0);
    other
        .get(&format!("/records/{}", c.record.uuid))
        .expect_status(404)
        .await;
});

story!(fields_whose_purpose_was_withdrawn_cannot_be_edited, |app| {
    let staff = app.collector(Role::Staff).await;
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
    let edit = c.edit(&with("messages_per_month", serde_json::json!(6)), 2, 1);
    let r = sync(&c.staff, &c.device, vec![edit]).await;
    assert_eq!(rejected_code(&r[0]), "purpose_withdrawn");
    match &r[0] {
        SyncStatus::Rejected { fields, .. } => {
            assert!(fields.contains_key("messages_per_month"));
        }
        other => panic!("{other:?}"),
    }
    // Other fields still can be.
    let edit = c.edit(&with("full_name", serde_json::json!("张三丰")), 3, 1);
    let r = sync(&c.staff, &c.device, vec![edit]).await;
    assert_eq!(edited(&r[0]).0, 2);
});

story!(an_edit_may_follow_its_record_in_the_same_batch, |app| {
    // A device that collected and then corrected a record offline sends both at once.
    let staff = app.collector(Role::Staff).await;
    let version = app.demo_version().await;
    let (device, key) = device(&staff).await;
    let record = demo_record(&version, &device.id, &key, 1);
    let edit = signed_edit(
        &version,
        &record,
        &with("full_name", serde_json::json!("李四")),
        &device.id,
        &key,
        2,
        1,
    );
    let r = sync(&staff, &device, vec![record.clone(), edit.clone()]).await;
    assert!(matches!(r[0], SyncStatus::Stored { .. }), "{r:?}");
    assert_eq!(edited(&r[1]), (2, vec!["full_name".to_owned()], vec![]));
    let view = detail(&staff, &record.uuid).await;
    assert_eq!(
        (view.version, display(&view, "full_name")),
        (2, Some("李四"))
    );
    // Sent again, both are known and nothing changes.
    let r = sync(&staff, &device, vec![record.clone(), edit]).await;
    assert!(matches!(r[0], SyncStatus::AlreadyStored { .. }), "{r:?}");
    assert_eq!(edited(&r[1]).0, 2);
    assert_eq!(detail(&staff, &record.uuid).await.version, 2);
});
