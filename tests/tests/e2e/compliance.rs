//! The compliance dashboard (issue #23): every check over seeded data with one known
//! violation each, the rate equal to a hand computation, drill-downs, fixing a
//! violation, the daily snapshots, a manager's team view, and bad input (the reports:
//! `compliance_reports.rs`).

use std::{collections::BTreeMap, time::Duration};

use consentry_tests::{
    consent::{demo_answers, Choices},
    story,
    sync::{post_sync, register_device, signed_record},
    Expect, Session, TestApp,
};
use serde_json::json;
use shared::{
    api::{
        auth::Role,
        compliance::{
            CheckDrillDown, ComplianceCharts, ComplianceOverview, Figure, ReportSettings, ViewScope,
        },
        error::ApiError,
        forms::FormDetail,
        records::RecordSource,
        sync::SyncBatch,
    },
    compliance::CheckId,
    ids::RecordId,
};

pub(crate) const DAY: i64 = 86_400_000;

/// A web submission of the demo form; its record id.
pub(crate) async fn web_record(app: &TestApp) -> RecordId {
    let r = app.submit_demo().await;
    let id = app
        .count(&format!(
            "SELECT COUNT(*) FROM consent_receipts WHERE receipt_id = '{}'",
            r.receipt.body.statement.receipt_id
        ))
        .await;
    assert_eq!(id, 1);
    record_of(app, &r.receipt.body.statement.receipt_id).await
}

pub(crate) async fn record_of(app: &TestApp, receipt_id: &str) -> RecordId {
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let id: String =
        sqlx::query_scalar("SELECT record_id FROM consent_receipts WHERE receipt_id = $1")
            .bind(receipt_id)
            .fetch_one(db.pool())
            .await
            .unwrap();
    db.close().await;
    RecordId::parse(&id).unwrap()
}

pub(crate) fn figures(o: &ComplianceOverview) -> BTreeMap<CheckId, Figure> {
    o.checks.iter().map(|c| (c.check, c.figure)).collect()
}

pub(crate) async fn drill(caller: &Session, check: CheckId) -> CheckDrillDown {
    caller
        .get_json(&format!("/compliance/checks/{}", check.as_str()), 200)
        .await
}

/// The ids a check's drill-down lists.
pub(crate) async fn failing_ids(caller: &Session, check: CheckId) -> Vec<String> {
    let d = drill(caller, check).await;
    assert_eq!(d.items.len() as u64, d.figure.failing(), "{check:?}");
    d.items.into_iter().map(|i| i.id).collect()
}

/// Runs retention now and waits for it.
pub(crate) async fn run_retention(admin: &Session) {
    use shared::api::retention::{RunReport, RunStatus, RunSummary};
    let started: RunSummary = admin.post_json("/retention/runs", &json!({}), 202).await;
    for _ in 0..600 {
        let report: RunReport = admin
            .get_json(&format!("/retention/runs/{}", started.id), 200)
            .await;
        if report.summary.status == RunStatus::Done {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("retention did not finish");
}

/// Waits until `sql` counts at least `n`.
pub(crate) async fn wait_count(app: &TestApp, sql: &str, n: i64) {
    for _ in 0..150 {
        if app.count(sql).await >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{sql} did not reach {n}");
}

story!(
    each_check_finds_its_seeded_violation_and_the_rate_is_their_sum,
    |app| {
        let admin = app.admin().await;
        let admin_id = admin.user_id().await;

        // Nothing collected yet: the record checks count 0 of 0, never a division by zero.
        let empty: ComplianceOverview = admin.get_json("/compliance", 200).await;
        assert_eq!(empty.scope, ViewScope::Organisation);
        for c in [
            CheckId::LawfulBasis,
            CheckId::SensitiveConsent,
            CheckId::RetentionOnTime,
            CheckId::WithdrawalsFollowed,
            CheckId::RequestsOnTime,
            CheckId::UnmaskedExportsApproved,
            CheckId::ExportsTraced,
            CheckId::DevicesSynced,
        ] {
            assert_eq!(figures(&empty)[&c], Figure::new(0, 0), "{c:?}");
        }
        assert_eq!(empty.checks.len(), CheckId::ALL.len());

        // Four customer records, each to be given one violation.
        let no_basis = web_record(&app).await;
        let no_separate = web_record(&app).await;
        let overdue = web_record(&app).await;
        let submitted = app.submit_demo().await;
        let withdrawn = record_of(&app, &submitted.receipt.body.statement.receipt_id).await;
        // Lawful basis: the consent to marketing gone, its values still there.
        app.execute(&format!(
            "UPDATE consent_receipts SET purposes_granted = '[]' WHERE record_id = '{no_basis}'"
        ))
        .await;
        // Sensitive data without the separate consent's evidence.
        app.execute(&format!(
            "UPDATE consent_receipts SET sensitive_consent = 0 WHERE record_id = '{no_separate}'"
        ))
        .await;
        // Collected four years ago: the resident ID's three years are over.
        app.execute(&format!(
            "UPDATE records SET created_at_ms = created_at_ms - {}, retention_due_at_ms = 0 \
         WHERE id = '{overdue}'",
            4 * 365 * DAY
        ))
        .await;
        // Marketing withdrawn; the grace period passes below.
        admin
            .post("/public/consents/withdraw")
            .json(&json!({
                "receipt_id": submitted.receipt.body.statement.receipt_id,
                "token": submitted.withdraw_token,
                "purposes": ["marketing"],
            }))
            .expect_status(200)
            .await;

        // Two staff devices, each syncing one record.
        let staff = app.collector(Role::Staff).await;
        let version = app.demo_version().await;
        let mut devices = Vec::new();
        for name in ["idle phone", "busy phone"] {
            let (device, key) = register_device(&staff, name).await;
            let record = signed_record(
                &version,
                &demo_answers(),
                &Choices::all_demo(),
                &device.id,
                &key,
                1,
            );
            post_sync(
                &staff,
                &SyncBatch {
                    device_id: device.id,
                    records: vec![record],
                },
            )
            .await;
            devices.push((device, key));
        }

        // An overdue subject request and an unmasked export without a reason or a ledger.
        let now = app.clock.now_ms();
        let request_id = uuid::Uuid::now_v7();
        app.execute(&format!(
            "INSERT INTO subject_requests (id, kind, status, filed_by_customer, requester_sealed, \
         received_at_ms, due_at_ms, created_at_ms) VALUES ('{request_id}', 'access', 'new', 1, \
         'sealed', {}, {}, {})",
            now - 20 * DAY,
            now - 5 * DAY,
            now - 20 * DAY
        ))
        .await;
        let export_id = uuid::Uuid::now_v7();
        app.execute(&format!(
            "INSERT INTO exports (id, requested_by, requested_at_ms, form_id, format, unmasked, \
         locale, row_count, status, file_sha256, downloaded_at_ms) VALUES ('{export_id}', \
         '{admin_id}', {now}, '{}', 'csv', 1, 'en', 3, 'downloaded', 'sha256:00', {now})",
            app.demo_form_id
        ))
        .await;

        // A second form with a sensitive field and no retention for it.
        let mut def = shared::schema::FormDefinition::demo_customer_registration();
        def.title.en = "Without retention".into();
        for section in &mut def.sections {
            for field in &mut section.fields {
                if field.sensitivity == shared::schema::Sensitivity::Sensitive {
                    field.retention = None;
                }
            }
        }
        let careless: FormDetail = admin
            .post_json("/forms", &json!({ "definition": def }), 201)
            .await;
        admin
            .post(&format!("/forms/{}/publish", careless.summary.id))
            .json(&json!({"base_revision": 1}))
            .expect_status(201)
            .await;

        // A disabled account that still holds a session.
        let leaver = app.user_with_role(Role::Staff).await;
        let leaver_id = leaver.user_id().await;
        app.execute(&format!(
            "UPDATE users SET disabled = 1 WHERE id = '{leaver_id}'"
        ))
        .await;

        // The audit log altered in place.
        app.execute("UPDATE audit_log SET details_json = '{\"altered\":true}' WHERE seq = 1")
            .await;

        // Ten days later the withdrawal's grace period is over; one device synced again.
        app.clock.advance(10 * DAY);
        let (busy, busy_key) = &devices[1];
        let again = signed_record(
            &version,
            &demo_answers(),
            &Choices::all_demo(),
            &busy.id,
            busy_key,
            2,
        );
        post_sync(
            &staff,
            &SyncBatch {
                device_id: busy.id,
                records: vec![again],
            },
        )
        .await;

        // Seven records: four from the web, three from the devices. The hand computation:
        let records = 7;
        let expected: BTreeMap<CheckId, Figure> = [
            (CheckId::LawfulBasis, Figure::new(records - 1, records)),
            (CheckId::SensitiveConsent, Figure::new(records - 1, records)),
            (CheckId::RetentionOnTime, Figure::new(records - 1, records)),
            (CheckId::WithdrawalsFollowed, Figure::new(0, 1)),
            (CheckId::RequestsOnTime, Figure::new(0, 1)),
            (CheckId::UnmaskedExportsApproved, Figure::new(0, 1)),
            (CheckId::ExportsTraced, Figure::new(0, 1)),
            (CheckId::AuditChain, Figure::new(1, 2)),
            (CheckId::DevicesSynced, Figure::new(1, 2)),
            (CheckId::FormsWithoutWarnings, Figure::new(1, 2)),
            (CheckId::AdminsSecondFactor, Figure::new(0, 1)),
            (CheckId::DisabledWithoutSessions, Figure::new(0, 1)),
            // No backup was made (tests/tests/e2e/backups.rs checks the passing case).
            (CheckId::BackupsCurrent, Figure::new(0, 1)),
        ]
        .into_iter()
        .collect();
        // The head signed now (the server signs it every 30 s; the test does not wait).
        admin.post("/audit/heads").expect_status(200).await;
        let o: ComplianceOverview = admin.get_json("/compliance", 200).await;
        assert_eq!(figures(&o), expected);
        // 6+6+6+0+0+0+0+1+1+1+0+0+0 = 21 passed of 7·3+1+1+1+1+2+2+2+1+1+1 = 34.
        assert_eq!(o.rate, Figure::new(21, 34));
        let (seq, hash) = {
            let db = consentry_server::store::Db::connect(&app.database_url)
                .await
                .unwrap();
            let head = db.audit_chain_head().await.unwrap();
            db.close().await;
            head
        };
        assert_eq!((o.audit_head.seq, o.audit_head.hash.clone()), (seq, hash));
        // Critical first: the audit chain and the record checks, then the rest.
        assert_eq!(o.fix_first.len(), 13);
        assert!(o.fix_first[..5].contains(&CheckId::AuditChain));
        // Per form: the demo form holds the seven records.
        let demo = o
            .forms
            .iter()
            .find(|f| f.form_id == app.demo_form_id)
            .unwrap();
        assert_eq!(demo.records, records);

        // Each drill-down lists exactly its violation.
        assert_eq!(
            failing_ids(&admin, CheckId::LawfulBasis).await,
            [no_basis.to_string()]
        );
        assert_eq!(
            failing_ids(&admin, CheckId::SensitiveConsent).await,
            [no_separate.to_string()]
        );
        assert_eq!(
            failing_ids(&admin, CheckId::RetentionOnTime).await,
            [overdue.to_string()]
        );
        assert_eq!(
            failing_ids(&admin, CheckId::WithdrawalsFollowed).await,
            [withdrawn.to_string()]
        );
        assert_eq!(
            failing_ids(&admin, CheckId::RequestsOnTime).await,
            [request_id.to_string()]
        );
        for c in [CheckId::UnmaskedExportsApproved, CheckId::ExportsTraced] {
            assert_eq!(
                failing_ids(&admin, c).await,
                [export_id.to_string()],
                "{c:?}"
            );
        }
        assert_eq!(
            failing_ids(&admin, CheckId::DevicesSynced).await,
            [devices[0].0.id.to_string()]
        );
        assert_eq!(
            failing_ids(&admin, CheckId::FormsWithoutWarnings).await,
            [careless.summary.id.to_string()]
        );
        assert_eq!(
            failing_ids(&admin, CheckId::AdminsSecondFactor).await,
            [admin_id.to_string()]
        );
        assert_eq!(
            failing_ids(&admin, CheckId::DisabledWithoutSessions).await,
            [leaver_id.to_string()]
        );
        assert_eq!(failing_ids(&admin, CheckId::AuditChain).await.len(), 1);
        // A drill-down names labels, never values.
        let d = drill(&admin, CheckId::RetentionOnTime).await;
        let reason = &d.items[0].reason;
        assert!(reason.en.contains("Retention ended on"), "{reason:?}");
        let answers = demo_answers();
        for v in answers.values() {
            if let Some(s) = v.as_str() {
                if s.len() > 3 {
                    assert!(!reason.en.contains(s) && !reason.zh_cn.contains(s), "{s}");
                }
            }
        }
        // An unknown check: 404.
        admin
            .get("/compliance/checks/nope")
            .expect_status(404)
            .await;

        // Charts: records by source and sensitivity, retention due.
        let charts: ComplianceCharts = admin.get_json("/compliance/charts", 200).await;
        let by_source: Vec<(RecordSource, u64)> = charts
            .by_source
            .iter()
            .map(|s| (s.source, s.records))
            .collect();
        assert_eq!(
            by_source,
            [
                (RecordSource::Web, 4),
                (RecordSource::Staff, 3),
                (RecordSource::Import, 0)
            ]
        );
        assert_eq!(
            charts.by_sensitivity.iter().map(|s| s.records).sum::<u64>(),
            records
        );
        assert!(charts.retention_due.now >= 1);
        assert_eq!(charts.withdrawals.iter().sum::<u64>(), 1);
        let marketing = charts
            .consents
            .iter()
            .find(|s| s.purpose_key == "marketing")
            .unwrap();
        assert_eq!(marketing.granted.iter().sum::<u64>(), records - 1);
        assert_eq!(marketing.declined.iter().sum::<u64>(), 1);

        // Fixing: retention deletes the overdue resident ID and the withdrawn values.
        run_retention(&admin).await;
        let fixed: ComplianceOverview = admin.get_json("/compliance", 200).await;
        let f = figures(&fixed);
        // Four years on, every value of the overdue record was past its period: the record
        // is erased whole and no longer counts.
        let live = app
            .count("SELECT COUNT(*) FROM records WHERE status <> 'erased'")
            .await;
        assert_eq!(live, 6);
        let live = records - 1;
        assert_eq!(f[&CheckId::RetentionOnTime], Figure::new(live, live));
        assert_eq!(f[&CheckId::WithdrawalsFollowed], Figure::new(1, 1));
        assert_eq!(f[&CheckId::SensitiveConsent], Figure::new(live - 1, live));
        assert_eq!(f[&CheckId::LawfulBasis], Figure::new(live - 1, live));
        // (5+5+6) + 1 + 0+0+0 + 1+1+1 + 0+0+0 = 20 of 6·3 + 1 + 1+1+1 + 2+2+2 + 1+1+1 = 31.
        assert_eq!(fixed.rate, Figure::new(20, 31));
        assert!(
            fixed.rate.permille() > o.rate.permille(),
            "{:?} then {:?}",
            o.rate,
            fixed.rate
        );

        // The daily snapshots: one taken when the server started, and one the next day.
        let today = shared::compliance::day_start(app.clock.now_ms());
        app.clock.advance(DAY);
        wait_count(
            &app,
            &format!(
            "SELECT COUNT(*) FROM compliance_snapshots WHERE scope = 'all' AND day_ms > {today}"
        ),
            1,
        )
        .await;
        let next: ComplianceOverview = admin.get_json("/compliance", 200).await;
        assert!(next.trend.len() >= 2, "{:?}", next.trend);
        let first = next.trend[0];
        assert!(first.day_ms < today);
        assert_eq!(first.rate.total, empty.rate.total, "the start-up snapshot");
        assert_eq!(next.trend.last().unwrap().rate, fixed.rate);
        let previous = next
            .checks
            .iter()
            .find(|c| c.check == CheckId::RetentionOnTime)
            .unwrap();
        assert!(
            previous.previous.is_some(),
            "the change since the last snapshot"
        );
    }
);

story!(a_manager_sees_their_team_and_staff_see_nothing, |app| {
    let admin = app.admin().await;
    let manager = app.collector(Role::Manager).await;
    let staff = app.collector(Role::Staff).await;
    let auditor = app.user_with_role(Role::Auditor).await;
    // No team yet: refused with a reason.
    let e: ApiError = manager.get_json("/compliance", 403).await;
    assert!(e.message.contains("team"), "{}", e.message);
    let team: shared::api::users::TeamSummary = admin
        .post_json("/teams", &json!({"name": "East"}), 201)
        .await;
    for (who, role) in [(&manager, Role::Manager), (&staff, Role::Staff)] {
        admin
            .put(&format!("/users/{}", who.user_id().await))
            .json(&json!({"display_name": "East member", "role": role, "team_id": team.id}))
            .expect_status(200)
            .await;
    }
    // A record of the team (by the staff member's device) and one of nobody's.
    let version = app.demo_version().await;
    let (device, key) = register_device(&staff, "team phone").await;
    let record = signed_record(
        &version,
        &demo_answers(),
        &Choices::all_demo(),
        &device.id,
        &key,
        1,
    );
    post_sync(
        &staff,
        &SyncBatch {
            device_id: device.id,
            records: vec![record],
        },
    )
    .await;
    let _ = web_record(&app).await;

    let mine: ComplianceOverview = manager.get_json("/compliance", 200).await;
    assert_eq!(
        mine.scope,
        ViewScope::Team {
            team_id: team.id,
            name: "East".into()
        }
    );
    assert!(mine.teams.is_empty());
    assert!(mine.checks.iter().all(|c| c.check.per_team()));
    let f = figures(&mine);
    assert_eq!(
        f[&CheckId::LawfulBasis],
        Figure::new(1, 1),
        "the team's record only"
    );
    assert!(!f.contains_key(&CheckId::AuditChain));
    // Organisation-wide checks are not theirs; nor other teams.
    manager
        .get("/compliance/checks/audit_chain")
        .expect_status(403)
        .await;
    manager
        .get(&format!("/compliance?team={}", uuid::Uuid::now_v7()))
        .expect_status(403)
        .await;
    let _: CheckDrillDown = manager
        .get_json("/compliance/checks/lawful_basis", 200)
        .await;
    manager.get("/compliance/reports").expect_status(403).await;
    staff.get("/compliance").expect_status(403).await;
    staff.get("/compliance/charts").expect_status(403).await;

    // The organisation sees both records and the team's row.
    let all: ComplianceOverview = auditor.get_json("/compliance", 200).await;
    assert_eq!(figures(&all)[&CheckId::LawfulBasis], Figure::new(2, 2));
    let east = all.teams.iter().find(|t| t.team_id == team.id).unwrap();
    assert!(east.rate.total >= 1);
    // An admin narrows to the team; to a form.
    let narrowed: ComplianceOverview = admin
        .get_json(&format!("/compliance?team={}", team.id), 200)
        .await;
    assert_eq!(figures(&narrowed)[&CheckId::LawfulBasis], Figure::new(1, 1));
    let by_form: ComplianceOverview = admin
        .get_json(&format!("/compliance?form={}", app.demo_form_id), 200)
        .await;
    assert!(by_form.checks.iter().all(|c| c.check.per_form()));
    admin
        .get(&format!("/compliance?form={}", uuid::Uuid::now_v7()))
        .expect_status(404)
        .await;
    auditor
        .put("/compliance/settings")
        .json(&ReportSettings::default())
        .expect_status(403)
        .await;
});
