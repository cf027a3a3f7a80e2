//! Retention and erasure (issue #19): values expire on their field's day, are deleted or
//! anonymised for real (record, history, lookups, and the data key once nothing sealed
//! is left), holds keep data from runs, withdrawals follow through after the grace
//! period with their lookups gone at once, and two withdrawals at one moment both count.
//! The server's clock is moved forward instead of waiting for the days.

use std::time::Duration;

use consentry_tests::{story, Expect, Session, TestApp};
use serde_json::json;
use shared::{
    api::{
        consent::{ConsentStatus, SubmitResponse},
        error::{ApiError, ErrorCode},
        records::{RecordPage, RecordView},
        retention::{
            LegalHold, RetentionForecast, RetentionPlan, RunReport, RunStatus, RunSummary,
        },
    },
    retention::Anonymised,
    schema::RetentionAction,
};

use crate::at_rest::{assert_no_markers, everything_stored, marked_submission, MARKERS};

const DAY: i64 = 86_400_000;

/// Starts a run and waits for its report.
async fn run_now(admin: &Session) -> RunReport {
    let started: RunSummary = admin.post_json("/retention/runs", &json!({}), 202).await;
    for _ in 0..600 {
        let report: RunReport = admin
            .get_json(&format!("/retention/runs/{}", started.id), 200)
            .await;
        if report.summary.status == RunStatus::Done {
            return report;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the retention run did not finish within a minute");
}

async fn dry_run(admin: &Session) -> RetentionPlan {
    admin.post_json("/retention/dry-run", &json!({}), 200).await
}

fn count(
    lines: &[shared::api::retention::ReportLine],
    field: &str,
    action: RetentionAction,
) -> u64 {
    lines
        .iter()
        .filter(|l| l.field_key == field && l.action == action)
        .map(|l| l.count)
        .sum()
}

/// A marked customer submission, its record id and the record as an admin sees it.
async fn submit_marked(app: &TestApp) -> (SubmitResponse, shared::ids::RecordId) {
    let version = app.demo_version().await;
    let response: SubmitResponse = app
        .submit(&marked_submission(&version, 1))
        .await
        .json()
        .await
        .unwrap();
    let record = stored_column(
        app,
        &format!(
            "SELECT record_id FROM consent_receipts WHERE receipt_id = '{}'",
            response.receipt.body.statement.receipt_id
        ),
    )
    .await;
    (response, shared::ids::RecordId::parse(&record[0]).unwrap())
}

async fn stored_column(app: &TestApp, sql: &str) -> Vec<String> {
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(db.pool()).await.unwrap();
    db.close().await;
    rows
}

/// Every sealed value (`"c": "…"`) in a stored values object.
fn ciphertexts(values_json: &str) -> Vec<String> {
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(values_json).unwrap();
    map.values()
        .filter_map(|e| e.get("c").and_then(|c| c.as_str()).map(str::to_owned))
        .collect()
}

story!(
    values_expire_on_their_day_and_are_deleted_or_anonymised,
    |app| {
        let admin = app.admin().await;
        let (submitted, id) = submit_marked(&app).await;
        let sealed = ciphertexts(
            &stored_column(
                &app,
                &format!("SELECT values_json FROM records WHERE id = '{id}'"),
            )
            .await[0],
        );
        assert!(sealed.len() >= 5, "{sealed:?}");
        let indexes = stored_column(&app, "SELECT blind_index FROM record_lookup").await;
        assert_eq!(indexes.len(), 3, "phone, email and ID number are looked up");

        // The day before: nothing due, but the forecast sees it coming within a week.
        app.clock.advance(729 * DAY);
        assert!(dry_run(&admin).await.actions.is_empty());
        let forecast: RetentionForecast = admin.get_json("/retention/forecast", 200).await;
        let demo = forecast
            .forms
            .iter()
            .find(|f| f.form_id == app.demo_form_id)
            .unwrap();
        let mobile = demo
            .fields
            .iter()
            .find(|f| f.field_key == "mobile")
            .unwrap();
        assert_eq!((mobile.due_now, mobile.within_7_days), (0, 1));
        assert_eq!(mobile.action, RetentionAction::Anonymise);
        assert!(demo.fields.iter().all(|f| f.field_key != "resident_id"));

        // On the day (730): everything but the ID number is anonymised.
        app.clock.advance(DAY);
        let plan = dry_run(&admin).await;
        assert!(plan.actions.iter().any(|a| a.field_key == "mobile"));
        assert!(plan.actions.iter().all(|a| a.field_key != "resident_id"));
        let report = run_now(&admin).await;
        assert_eq!(report.summary.records, 1);
        assert_eq!(
            count(&report.lines, "mobile", RetentionAction::Anonymise),
            1
        );
        assert_eq!(count(&plan.lines, "mobile", RetentionAction::Anonymise), 1);
        assert_eq!(report.summary.anonymised, plan.actions.len() as u64);
        let record: RecordView = admin.get_json(&format!("/records/{id}"), 200).await;
        let mark = |key: &str| record.values[key].retention.clone().unwrap();
        assert_eq!(
            mark("date_of_birth").anonymised,
            Some(Anonymised::Year { year: 1949 })
        );
        assert_eq!(mark("mobile").anonymised, None);
        assert_eq!(mark("mobile").action, RetentionAction::Anonymise);
        assert!(matches!(
            mark("address").anonymised,
            Some(Anonymised::City { .. })
        ));
        assert!(record.values["resident_id"].retention.is_none());
        // What retention processed can never be revealed.
        let auditor = app.user_with_role(shared::api::auth::Role::Auditor).await;
        let e: ApiError = auditor
            .post_json(
                &format!("/records/{id}/reveal"),
                &json!({"field": "mobile", "reason": "Checking a complaint"}),
                409,
            )
            .await;
        assert_eq!(e.code, ErrorCode::Conflict);
        assert_eq!(
            stored_column(&app, "SELECT kind FROM record_lookup").await,
            ["resident_id"]
        );
        // A second run the same day changes nothing.
        let again = run_now(&admin).await;
        assert_eq!(again.summary.records, 0);

        // Three years after collection, the ID number is deleted and the data key with it.
        app.clock.advance(365 * DAY);
        let report = run_now(&admin).await;
        assert_eq!(
            count(&report.lines, "resident_id", RetentionAction::Delete),
            1
        );
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM records WHERE id = '{id}' AND status = 'erased'"
            ))
            .await,
            1
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM record_lookup").await, 0);

        // Nothing of the values is left: no marker, ciphertext, blind index or plain hash.
        let stored = everything_stored(&app).await;
        let place = format!("the {:?} database after erasure", app.backend);
        assert_no_markers(&stored, &place);
        let contains = |needle: &str| stored.windows(needle.len()).any(|w| w == needle.as_bytes());
        for c in &sealed {
            assert!(
                !contains(c),
                "a ciphertext of an erased value is left in {place}"
            );
        }
        for index in &indexes {
            assert!(
                !contains(index),
                "a blind index of an erased value is left in {place}"
            );
        }
        for marker in MARKERS {
            let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(marker.as_bytes()));
            assert!(!contains(&hash), "the SHA-256 of {marker} is in {place}");
        }
        // The customer's receipt still verifies, and the audit chain holds.
        assert!(app.verify_receipt(&submitted.receipt).await.valid);
        let verified: serde_json::Value = admin.get_json("/audit/verify", 200).await;
        assert_eq!(verified["report"]["first_break"], json!(null), "{verified}");
        assert!(verified["report"]["entries_checked"].as_i64().unwrap() >= 8);
        let applied = admin.audit_log("retention.applied").await;
        assert_eq!(applied.entries.len(), 2);
    }
);

story!(
    a_legal_hold_keeps_a_persons_data_from_runs_until_lifted,
    |app| {
        let admin = app.admin().await;
        let (_, id) = submit_marked(&app).await;
        // Bad holds are refused next to their field.
        for (body, status, field) in [
            (
                json!({"target": {"scope": "person", "kind": "phone", "value": "12"}, "reason": "Case 7"}),
                422,
                Some("target.value"),
            ),
            (
                json!({"target": {"scope": "record", "record_id": uuid::Uuid::new_v4()}, "reason": "Case 7"}),
                404,
                None,
            ),
            (
                json!({"target": {"scope": "form", "form_id": app.demo_form_id}, "reason": "  "}),
                422,
                Some("reason"),
            ),
            (
                json!({"target": {"scope": "form", "form_id": app.demo_form_id}, "reason": "Case 7", "ends_on": "2001-01-01"}),
                422,
                Some("ends_on"),
            ),
        ] {
            let e: ApiError = admin.post_json("/retention/holds", &body, status).await;
            if let Some(field) = field {
                assert_eq!(e.code, ErrorCode::ValidationFailed);
                assert!(e.details.unwrap().fields.contains_key(field), "{body}");
            }
        }
        let hold: LegalHold = admin
            .post_json(
                "/retention/holds",
                &json!({"target": {"scope": "person", "kind": "phone", "value": "139 1234 5678"},
                    "reason": "Litigation hold, case 2026-17"}),
                201,
            )
            .await;
        assert!(hold.active);
        assert_eq!(hold.reason, "Litigation hold, case 2026-17");
        assert!(matches!(
            hold.scope,
            shared::api::retention::HoldScope::Person { records: 1, .. }
        ));
        // The reason is stored sealed.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM legal_holds WHERE reason_sealed LIKE '%Litigation%'")
                .await,
            0
        );

        app.clock.advance(2000 * DAY);
        let plan = dry_run(&admin).await;
        assert!(plan.actions.is_empty());
        assert_eq!(plan.held.iter().map(|h| h.records).sum::<u64>(), 1);
        let report = run_now(&admin).await;
        assert_eq!(
            (report.summary.records, report.summary.held_records),
            (0, 1)
        );
        let forecast: RetentionForecast = admin.get_json("/retention/forecast", 200).await;
        assert_eq!(forecast.forms[0].held_records, 1);

        let lifted: LegalHold = admin
            .post_json(
                &format!("/retention/holds/{}/lift", hold.id),
                &json!({}),
                200,
            )
            .await;
        assert!(!lifted.active);
        admin
            .post(&format!("/retention/holds/{}/lift", hold.id))
            .json(&json!({}))
            .expect_status(409)
            .await;
        let report = run_now(&admin).await;
        assert_eq!(report.summary.records, 1);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM records WHERE id = '{id}' AND status = 'erased'"
            ))
            .await,
            1
        );
        for action in ["retention.hold_placed", "retention.hold_lifted"] {
            assert_eq!(admin.audit_log(action).await.entries.len(), 1, "{action}");
        }
    }
);

story!(
    withdrawn_values_lose_their_lookups_at_once_and_go_after_the_grace_period,
    |app| {
        let admin = app.admin().await;
        let (submitted, id) = submit_marked(&app).await;
        let token = json!({
            "receipt_id": submitted.receipt.body.statement.receipt_id,
            "token": submitted.withdraw_token,
        });
        let with = |purposes: &[&str]| {
            let mut body = token.clone();
            body["purposes"] = json!(purposes);
            body
        };
        // Two withdrawals at the same moment: both count.
        let anonymous = app.anonymous();
        let (a, b) = tokio::join!(
            anonymous
                .post("/public/consents/withdraw")
                .json(&with(&["identity_verification"]))
                .expect_status(200),
            anonymous
                .post("/public/consents/withdraw")
                .json(&with(&["marketing"]))
                .expect_status(200),
        );
        let _ = (a, b);
        let status: ConsentStatus = anonymous
            .post_json("/public/consents/status", &token, 200)
            .await;
        for key in ["identity_verification", "marketing"] {
            let p = status.purposes.iter().find(|p| p.key == key).unwrap();
            assert!(p.withdrawn_at_ms.is_some(), "{key} was lost");
        }
        // The ID number served only identity verification: no longer found by it.
        let found: RecordPage = admin
            .post_json(
                "/records/lookup",
                &json!({"kind": "resident_id", "value": "11010519491231002X"}),
                200,
            )
            .await;
        assert!(found.records.is_empty());
        let found: RecordPage = admin
            .post_json(
                "/records/lookup",
                &json!({"kind": "phone", "value": "13912345678"}),
                200,
            )
            .await;
        assert_eq!(found.records.len(), 1);

        // The grace period (7 days): still there on day 6, gone on day 7.
        app.clock.advance(6 * DAY);
        assert_eq!(run_now(&admin).await.summary.records, 0);
        app.clock.advance(DAY);
        let report = run_now(&admin).await;
        assert_eq!(
            count(&report.lines, "resident_id", RetentionAction::Delete),
            1
        );
        // Marketing-only answers go too; the membership service keeps the rest.
        assert_eq!(
            count(&report.lines, "marketing_opt_in", RetentionAction::Delete),
            1
        );
        assert_eq!(
            count(&report.lines, "interests", RetentionAction::Delete),
            0
        );
        assert_eq!(count(&report.lines, "mobile", RetentionAction::Delete), 0);
        let record: RecordView = admin.get_json(&format!("/records/{id}"), 200).await;
        assert_eq!(
            record.values["resident_id"]
                .retention
                .as_ref()
                .unwrap()
                .action,
            RetentionAction::Delete
        );
    }
);

story!(the_end_of_a_relationship_is_recorded_with_checks, |app| {
    let admin = app.admin().await;
    let (_, id) = submit_marked(&app).await;
    let path = format!("/records/{id}/relationship-end");
    let today = time::OffsetDateTime::now_utc().date();
    let day = |d: time::Date| format!("{d}");
    for (ended_on, code) in [
        (day(today + time::Duration::days(1)), "in_future"),
        (day(today - time::Duration::days(1)), "before_collection"),
        ("03/12/2026".to_owned(), "invalid"),
    ] {
        let e: ApiError = admin
            .put(&path)
            .json(&json!({ "ended_on": ended_on }))
            .expect_json(422)
            .await;
        assert_eq!(e.details.unwrap().fields["ended_on"][0].code, code);
    }
    let record: RecordView = admin
        .put_json(&path, &json!({ "ended_on": day(today) }), 200)
        .await;
    assert!(record.relationship_ended_at_ms.is_some());
    assert_eq!(
        admin
            .audit_log("record.relationship_ended")
            .await
            .entries
            .len(),
        1
    );
    // Staff cannot reach a record that is not theirs.
    let staff = app.user_with_role(shared::api::auth::Role::Staff).await;
    staff
        .put(&path)
        .json(&json!({ "ended_on": day(today) }))
        .expect_status(404)
        .await;
});

story!(the_scheduler_starts_a_run_by_itself_at_its_time, |app| {
    let mut app = app;
    let (_, id) = submit_marked(&app).await;
    app.restart(|c| c.retention.scheduled = true).await.unwrap();
    let admin = app.admin().await;
    let runs: Vec<RunSummary> = admin.get_json("/retention/runs", 200).await;
    assert!(
        runs.is_empty(),
        "a server that just started waits for its time"
    );
    // Two thousand days later the day's moment has passed: the worker (every 5 s) starts
    // a scheduled run and carries it out.
    app.clock.advance(2000 * DAY);
    let mut runs: Vec<RunSummary> = Vec::new();
    for _ in 0..300 {
        runs = admin.get_json("/retention/runs", 200).await;
        if runs.first().is_some_and(|r| r.status == RunStatus::Done) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(
        runs[0].trigger,
        shared::api::retention::RunTrigger::Schedule
    );
    assert_eq!(runs[0].records, 1);
    let forecast: RetentionForecast = admin.get_json("/retention/forecast", 200).await;
    assert!(forecast.schedule.enabled);
    assert!(forecast.schedule.next_run_at_ms.unwrap() > app.clock.now_ms());
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM records WHERE id = '{id}' AND status = 'erased'"
        ))
        .await,
        1
    );
});

story!(
    a_record_whose_form_version_cannot_be_read_is_reported_and_left_alone,
    |app| {
        let mut app = app;
        let (_, id) = submit_marked(&app).await;
        app.execute("UPDATE form_versions SET definition_json = '{\"format_version\": 1}'")
            .await;
        // A fresh start, so that no parsed copy of the version is cached.
        app.restart(|_| {}).await.unwrap();
        app.clock.advance(2000 * DAY);
        let admin = app.admin().await;
        let plan = dry_run(&admin).await;
        assert_eq!(plan.errors.len(), 1);
        let report = run_now(&admin).await;
        assert_eq!(report.summary.errors, 1);
        assert_eq!(report.errors[0].record_id, id);
        assert_eq!(report.summary.records, 0);
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM records WHERE id = '{id}' AND retention_json IS NULL"
            ))
            .await,
            1
        );
        // The next run reports it again rather than forgetting it.
        assert_eq!(run_now(&admin).await.summary.errors, 1);
    }
);
