//! Alerts on unusual behaviour (issue #21): an export far above the user's own history
//! raises an alert, holds the export for an admin, suspends the user's export
//! permission until an admin lifts it, and reaches a webhook started here, signed with
//! HMAC-SHA-256; a failed delivery is tried again after its back-off.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use consentry_tests::{story, Expect, Session};
use hmac::{Hmac, Mac as _};
use serde_json::json;
use sha2::Sha256;
use shared::api::{
    alerts::{AlertList, AlertNotice, AlertRule, AlertSettings, DeliveryStatus},
    auth::Role,
    error::{ApiError, ErrorCode},
    exports::{ExportEntry, ExportStatus},
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::exports::{download, export, submit_named};

pub(crate) const SECRET: &str = "the-test-webhook-secret";

/// What the webhook received: headers (lower-case names) and body.
pub(crate) type Received = Arc<Mutex<Vec<(HashMap<String, String>, Vec<u8>)>>>;

/// A webhook receiver on 127.0.0.1 answering each request with the next of `statuses`
/// (then 200).
pub(crate) async fn receiver(statuses: Vec<u16>) -> (String, Received) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got: Received = Arc::default();
    let kept = got.clone();
    tokio::spawn(async move {
        let mut statuses = statuses.into_iter();
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let head_end = loop {
                let n = socket.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(i + 4);
                }
            };
            let Some(head_end) = head_end else { continue };
            let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
            let headers: HashMap<String, String> = head
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
                .collect();
            let length: usize = headers
                .get("content-length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            while buf.len() < head_end + length {
                let n = socket.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            kept.lock()
                .unwrap()
                .push((headers, buf[head_end..].to_vec()));
            let status = statuses.next().unwrap_or(200);
            let _ = socket
                .write_all(
                    format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    )
                    .as_bytes(),
                )
                .await;
        }
    });
    (url, got)
}

/// Waits (up to 15 s) until the receiver holds `n` requests.
pub(crate) async fn wait_for(got: &Received, n: usize) {
    for _ in 0..150 {
        if got.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the webhook got {} requests, not {n}",
        got.lock().unwrap().len()
    );
}

/// Checks a received request's signature and reads its notice.
fn verified(headers: &HashMap<String, String>, body: &[u8]) -> AlertNotice {
    let ts = &headers["x-consentry-timestamp"];
    let mut mac = <Hmac<Sha256>>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(headers["x-consentry-signature"], expected, "the signature");
    serde_json::from_slice(body).unwrap()
}

pub(crate) fn settings(url: &str) -> serde_json::Value {
    json!({
        "history_multiplier": 10, "history_days": 30, "history_min_rows": 5,
        "daily_row_limit": 0, "work_start_hour": 0, "work_end_hour": 0,
        "utc_offset_minutes": 480, "weekends_off": false,
        "reveal_burst": 0, "view_burst": 0, "burst_minutes": 10,
        "suspend_on": ["export_above_history"],
        "webhook_url": url, "webhook_secret": SECRET, "email_to": [],
    })
}

async fn alerts(caller: &Session, status: &str) -> AlertList {
    caller
        .get_json(&format!("/alerts?status={status}"), 200)
        .await
}

story!(
    an_export_far_above_ones_history_alerts_suspends_and_reaches_the_webhook,
    |app| {
        let admin = app.admin().await;
        let officer = app.user_with_role(Role::PrivacyOfficer).await;
        let (url, got) = receiver(vec![200, 500, 200]).await;

        // Settings are checked: where alerts go, and with what secret.
        for (bad, field) in [
            (
                json!({"webhook_url": "http://hooks.example.com/x"}),
                "webhook_url",
            ),
            (json!({"webhook_secret": "short"}), "webhook_secret"),
            (json!({"email_to": ["not an address"]}), "email_to"),
            (json!({"work_start_hour": 24}), "work_start_hour"),
        ] {
            let mut body = settings(&url);
            for (k, v) in bad.as_object().unwrap() {
                body[k] = v.clone();
            }
            let e: ApiError = admin
                .put("/alerts/settings")
                .json(&body)
                .expect_json(422)
                .await;
            assert!(e.details.unwrap().fields.contains_key(field), "{field}");
        }
        let saved: AlertSettings = admin
            .put("/alerts/settings")
            .json(&settings(&url))
            .expect_json(200)
            .await;
        assert!(saved.webhook_secret_set && saved.webhook_secret.is_none());
        assert!(!saved.email_available, "no SMTP settings in tests");
        // Only admins change them.
        officer
            .put("/alerts/settings")
            .json(&settings(&url))
            .expect_status(403)
            .await;

        // A history of small exports: two of two rows.
        let _ = submit_named(&app, "甲").await;
        let _ = submit_named(&app, "乙").await;
        let ask = json!({"form_id": app.demo_form_id, "format": "csv", "locale": "en"});
        for _ in 0..2 {
            let e = export(&officer, ask.clone(), 201).await;
            assert_eq!(
                (e.status, e.rows, e.held_by_alert),
                (ExportStatus::Ready, 2, None)
            );
        }
        for i in 0..28 {
            let _ = submit_named(&app, &format!("客户{i}")).await;
        }
        // Thirty rows against a median of two (limit 20): held, and the permission
        // suspended.
        let big = export(&officer, ask.clone(), 201).await;
        assert_eq!(big.status, ExportStatus::AwaitingApproval);
        let alert_id = big.held_by_alert.expect("held by the alert");
        assert!(big.download_path.is_none());
        let e: ApiError = officer.post_json("/exports", &ask, 403).await;
        assert_eq!(e.code, ErrorCode::Forbidden);
        assert!(e.message.contains("suspended"), "{}", e.message);

        // The webhook got it, signed.
        wait_for(&got, 1).await;
        let (headers, body) = got.lock().unwrap()[0].clone();
        let notice = verified(&headers, &body);
        assert_eq!(notice.alert_id, alert_id);
        assert_eq!(notice.rule, AlertRule::ExportAboveHistory);
        assert_eq!((notice.observed, notice.limit), (30, 20));
        assert_eq!(notice.user_id, officer.user().id);
        assert!(notice.suspended);

        // Admins (and auditors, privacy officers) see it with its events and delivery.
        let list = alerts(&admin, "open").await;
        assert_eq!(list.open, 1);
        let alert = &list.alerts[0];
        assert_eq!(alert.id, alert_id);
        assert!(alert.suspended && alert.suspension_active);
        assert_eq!(alert.events[0].count, 30);
        assert_eq!(
            alert.events[0].subject_id.as_deref(),
            Some(big.id.to_string().as_str())
        );
        assert_eq!(alert.events.len(), 3, "the export and the two before it");
        for _ in 0..50 {
            if alerts(&admin, "open").await.alerts[0].deliveries[0].status == DeliveryStatus::Sent {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let d = &alerts(&admin, "open").await.alerts[0].deliveries[0];
        assert_eq!((d.status, d.attempts), (DeliveryStatus::Sent, 1));
        let _ = alerts(&app.user_with_role(Role::Auditor).await, "all").await;
        app.collector(Role::Manager)
            .await
            .get("/alerts")
            .expect_status(403)
            .await;

        // The held export waits for an admin like any approval; the suspension stays until
        // an admin lifts it while handling the alert (never the person concerned).
        officer
            .post(&format!("/alerts/{alert_id}/handle"))
            .json(&json!({"status": "dismissed", "lift_suspension": true}))
            .expect_status(403)
            .await;
        let approved: ExportEntry = admin
            .post_json(
                &format!("/exports/{}/decision", big.id),
                &json!({"approve": true, "comment": "Annual review, agreed"}),
                200,
            )
            .await;
        assert_eq!(approved.status, ExportStatus::Ready);
        let (text, _) = download(
            &officer,
            &ExportEntry {
                download_path: Some(format!("/exports/{}/file", big.id)),
                ..approved
            },
        )
        .await;
        assert!(text.contains("客户27"));
        let e: ApiError = admin
            .post_json(
                &format!("/alerts/{alert_id}/handle"),
                &json!({"status": "open"}),
                422,
            )
            .await;
        assert!(e.details.unwrap().fields.contains_key("status"));
        let handled: shared::api::alerts::AlertEntry = admin
            .post_json(
                &format!("/alerts/{alert_id}/handle"),
                &json!({"status": "acknowledged", "note": "Spoke with them: annual review",
                    "lift_suspension": true}),
                200,
            )
            .await;
        assert!(!handled.suspension_active);
        assert_eq!(
            handled.note.as_deref(),
            Some("Spoke with them: annual review")
        );
        let _: ApiError = admin
            .post_json(
                &format!("/alerts/{alert_id}/handle"),
                &json!({"status": "dismissed"}),
                409,
            )
            .await;
        assert_eq!(alerts(&admin, "open").await.open, 0);
        // Lifting needs a suspension in force.
        let _: ApiError = admin
            .post_json(&format!("/alerts/{alert_id}/lift"), &json!({}), 409)
            .await;
        // Exporting works again (a small export fires nothing).
        let small = export(
        &officer,
        json!({"form_id": app.demo_form_id, "format": "csv", "locale": "en", "to": "2000-01-01"}),
        201,
    )
    .await;
        assert_eq!((small.status, small.rows), (ExportStatus::Ready, 0));

        // A delivery that fails is tried again after its back-off (a minute), then sent.
        let again = export(&officer, ask.clone(), 201).await;
        let second = again.held_by_alert.expect("held again");
        wait_for(&got, 2).await;
        let pending = alerts(&admin, "open").await;
        let d = &pending
            .alerts
            .iter()
            .find(|a| a.id == second)
            .unwrap()
            .deliveries[0];
        assert_eq!(d.status, DeliveryStatus::Pending);
        assert_eq!(
            d.last_error.as_deref(),
            Some("the webhook answered 500 Internal Server Error")
        );
        assert!(d.next_attempt_ms.unwrap() > app.clock.now_ms() + 30_000);
        app.clock.advance(61_000);
        wait_for(&got, 3).await;
        let (headers, body) = got.lock().unwrap()[2].clone();
        assert_eq!(verified(&headers, &body).alert_id, second);
        // Handled without lifting, the suspension stays until an admin lifts it later.
        let handled: shared::api::alerts::AlertEntry = admin
            .post_json(
                &format!("/alerts/{second}/handle"),
                &json!({"status": "acknowledged"}),
                200,
            )
            .await;
        assert!(handled.suspension_active);
        let _: ApiError = officer.post_json("/exports", &ask, 403).await;
        let lifted: shared::api::alerts::AlertEntry = admin
            .post_json(&format!("/alerts/{second}/lift"), &json!({}), 200)
            .await;
        assert!(!lifted.suspension_active);
        assert_eq!(
            admin
                .audit_log("alerts.suspension_lifted")
                .await
                .entries
                .len(),
            1
        );

        // Raising and handling are audited; nothing in the alert tables is personal.
        assert_eq!(admin.audit_log("alerts.raised").await.entries.len(), 2);
        assert_eq!(admin.audit_log("alerts.handled").await.entries.len(), 2);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM alerts WHERE note_sealed LIKE '%annual%'")
                .await,
            0
        );
    }
);

story!(exports_outside_working_hours_alert_without_holding, |app| {
    let admin = app.admin().await;
    let (url, _got) = receiver(vec![]).await;
    // Working hours that exclude the present hour (China time) and the next, should
    // the hour turn during the test.
    let hour = (app.clock.now_ms() / 3_600_000 + 8).rem_euclid(24);
    let mut body = settings(&url);
    body["work_start_hour"] = json!((hour + 2) % 24);
    body["work_end_hour"] = json!((hour + 3) % 24);
    let _: AlertSettings = admin
        .put("/alerts/settings")
        .json(&body)
        .expect_json(200)
        .await;
    let _ = submit_named(&app, "丙").await;
    let officer = app.user_with_role(Role::PrivacyOfficer).await;
    let e = export(
        &officer,
        json!({"form_id": app.demo_form_id, "format": "csv", "locale": "en"}),
        201,
    )
    .await;
    assert_eq!((e.status, e.held_by_alert), (ExportStatus::Ready, None));
    let list = alerts(&admin, "open").await;
    assert_eq!(list.alerts.len(), 1);
    assert_eq!(list.alerts[0].rule, AlertRule::OffHoursExport);
    assert!(!list.alerts[0].suspended);
});

/// An SMTP server on 127.0.0.1 that accepts every message and keeps its data.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let kept = got.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = tokio::io::BufReader::new(read);
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut line = String::new();
                loop {
                    line.clear();
                    if tokio::io::AsyncBufReadExt::read_line(&mut lines, &mut line)
                        .await
                        .unwrap_or(0)
                        == 0
                    {
                        return;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "DATA" => {
                            let _ = write.write_all(b"354 go on\r\n").await;
                            let mut data = String::new();
                            loop {
                                line.clear();
                                if tokio::io::AsyncBufReadExt::read_line(&mut lines, &mut line)
                                    .await
                                    .unwrap_or(0)
                                    == 0
                                    || line == ".\r\n"
                                {
                                    break;
                                }
                                data.push_str(&line);
                            }
                            kept.lock().unwrap().push(data);
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, got)
}

story!(
    alerts_are_emailed_through_the_configured_smtp_server,
    |app| {
        let (port, mail) = smtp_sink().await;
        let mut app = app;
        app.restart(|c| {
            c.smtp = Some(consentry_server::config::Smtp {
                url: format!("smtp://127.0.0.1:{port}"),
                from: "Consentry <alerts@example.com>".to_owned(),
            });
        })
        .await
        .unwrap();
        let admin = app.admin().await;
        let mut body = settings("");
        body["webhook_url"] = json!(null);
        body["email_to"] = json!(["dpo@example.com", "security@example.com"]);
        let saved: AlertSettings = admin
            .put("/alerts/settings")
            .json(&body)
            .expect_json(200)
            .await;
        assert!(saved.email_available);
        for i in 0..6 {
            let _ = submit_named(&app, &format!("客户{i}")).await;
        }
        let officer = app.user_with_role(Role::PrivacyOfficer).await;
        let big = export(
            &officer,
            json!({"form_id": app.demo_form_id, "format": "csv", "locale": "en"}),
            201,
        )
        .await;
        assert!(
            big.held_by_alert.is_some(),
            "6 rows with no history is above 5"
        );
        for _ in 0..150 {
            if !mail.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let message = mail.lock().unwrap().first().cloned().expect("an e-mail");
        assert!(message.contains("export_above_history"), "{message}");
        assert!(message.contains(&officer.user().username), "{message}");
        assert!(message.contains("dpo@example.com") && message.contains("security@example.com"));
        assert!(!message.contains("客户"), "no personal data in the e-mail");
        let list = alerts(&admin, "open").await;
        assert_eq!(list.alerts[0].deliveries.len(), 1);
    }
);
