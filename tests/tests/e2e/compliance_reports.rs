//! Compliance reports (issue #23): the weekly report made when the clock passes
//! Monday, sent once to the webhook (signed) and kept sealed; reports on demand, bad
//! periods and settings refused, downloads in both formats.

use std::time::Duration;

use consentry_tests::{story, Expect};
use serde_json::json;
use shared::{
    api::{
        compliance::{ComplianceReport, ReportKind, ReportList, ReportNotice, ReportSettings},
        error::ApiError,
    },
    compliance::{week_start, CheckId},
};

use crate::alerts::{receiver, settings as alert_settings, wait_for, SECRET};

use crate::compliance::*;

story!(scheduled_reports_reach_the_webhook_and_download, |app| {
    let admin = app.admin().await;
    let (url, got) = receiver(vec![]).await;
    admin
        .put("/alerts/settings")
        .json(&alert_settings(&url))
        .expect_status(200)
        .await;
    let _ = web_record(&app).await;

    // Bad periods: reversed, in the future.
    let now = app.clock.now_ms();
    for (from, to) in [(now - DAY, now - 2 * DAY), (now + DAY, now + 2 * DAY)] {
        let e: ApiError = admin
            .post_json(
                "/compliance/reports",
                &json!({"period_from_ms": from, "period_to_ms": to}),
                422,
            )
            .await;
        assert!(e.details.unwrap().fields.contains_key("period"));
    }
    let bad: ApiError = admin
        .put("/compliance/settings")
        .json(&json!({"weekly": true, "monthly": false, "deliver": true,
            "device_idle_days": 0, "head_signed_within_hours": 24}))
        .expect_json(422)
        .await;
    assert!(bad.details.unwrap().fields.contains_key("device_idle_days"));
    let _: ReportSettings = admin
        .put_json(
            "/compliance/settings",
            &json!({"weekly": true, "monthly": false, "deliver": true,
                "device_idle_days": 7, "head_signed_within_hours": 24}),
            200,
        )
        .await;

    // On demand: kept, not sent.
    let made: shared::api::compliance::ReportEntry = admin
        .post_json(
            "/compliance/reports",
            &json!({"period_from_ms": now - 7 * DAY, "period_to_ms": now}),
            201,
        )
        .await;
    assert_eq!(made.kind, ReportKind::OnDemand);
    let report: ComplianceReport = admin
        .get_json(&format!("/compliance/reports/{}?format=json", made.id), 200)
        .await;
    assert_eq!(report.activity.records_collected, 1);
    assert_eq!(report.checks.len(), CheckId::ALL.len());
    admin
        .get(&format!("/compliance/reports/{}?format=pdf", made.id))
        .expect_status(422)
        .await;
    admin
        .get("/compliance/reports/no-such-report")
        .expect_status(404)
        .await;

    // Nothing scheduled yet; the week ends, and the weekly report is made and sent.
    assert!(got.lock().unwrap().is_empty());
    let next_monday = week_start(now) + 7 * DAY;
    app.clock.advance(next_monday - now + 60_000);
    wait_for(&got, 1).await;
    let (headers, body) = got.lock().unwrap()[0].clone();
    let ts = &headers["x-consentry-timestamp"];
    let expected =
        consentry_server::alerts::delivery::signature(SECRET, ts.parse().unwrap(), &body);
    assert_eq!(headers["x-consentry-signature"], expected);
    let notice: ReportNotice = serde_json::from_slice(&body).unwrap();
    assert_eq!(notice.event, "compliance_report");
    assert_eq!(notice.report.kind, ReportKind::Weekly);
    assert_eq!(notice.report.period_to_ms, next_monday);
    assert_eq!(notice.report.period_from_ms, next_monday - 7 * DAY);
    assert_eq!(notice.report.checks.len(), CheckId::ALL.len());
    let list: ReportList = admin.get_json("/compliance/reports", 200).await;
    assert_eq!(list.reports.len(), 2);
    let weekly = list
        .reports
        .iter()
        .find(|r| r.kind == ReportKind::Weekly)
        .unwrap();
    assert_eq!(weekly.deliveries.len(), 1);
    // The sender marks it sent just after the webhook answers.
    for _ in 0..50 {
        let list: ReportList = admin.get_json("/compliance/reports", 200).await;
        let w = list
            .reports
            .iter()
            .find(|r| r.kind == ReportKind::Weekly)
            .unwrap();
        if w.deliveries[0].status == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Made once, whatever the ticks.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM compliance_reports WHERE kind = 'weekly'")
            .await,
        1
    );
    // Sealed: the stored report is not its JSON.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM compliance_reports WHERE report_sealed LIKE '%lawful_basis%'"
        )
        .await,
        0
    );
});
