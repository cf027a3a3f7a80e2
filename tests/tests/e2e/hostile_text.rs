//! Hostile text (issue #18): SQL metacharacters, script and characters some databases
//! cannot store, in every text field of teams, accounts, forms, customer submissions
//! and synced records. Each is stored as written or refused with a 4xx, never a 5xx,
//! and shows as text wherever it is rendered later (`injected_script.rs`).

use consentry_tests::{
    consent::{demo_answers, new_key, signed_submission, Choices},
    story,
    sync::{post_sync, register_device, signed_record},
    Expect,
};
use serde_json::{json, Value};
use shared::api::{
    auth::Role,
    forms::{FormDetail, VersionDetail},
    records::RecordPage,
    sync::{SyncBatch, SyncStatus},
    users::{IssuedPassword, TeamSummary, UserSummary},
};

use crate::hostile::{Probe, PAYLOADS};

/// The demo form's definition with every text in both languages replaced by `text`.
fn definition_saying(text: &str) -> Value {
    fn walk(v: &mut Value, text: &str) {
        match v {
            Value::Object(map) => {
                if map.contains_key("zh-CN") && map.contains_key("en") {
                    map.insert("zh-CN".into(), json!(text));
                    map.insert("en".into(), json!(text));
                    return;
                }
                map.values_mut().for_each(|v| walk(v, text));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, text)),
            _ => {}
        }
    }
    let mut def =
        serde_json::to_value(shared::schema::FormDefinition::demo_customer_registration()).unwrap();
    walk(&mut def, text);
    def
}

story!(hostile_text_is_stored_as_text_or_refused, |app| {
    let admin = app.admin().await;
    let mut probe = Probe::default();
    let version = app.demo_version().await;
    let staff = app.collector(Role::Staff).await;
    let (device, key) = register_device(&staff, "phone").await;
    let mut seq = 0;
    let mut stored_texts = Vec::new();
    let mut named = Vec::new();
    for (i, text) in PAYLOADS.iter().enumerate() {
        let case = format!("{text:?}");
        // Teams and accounts: stored as written, or refused.
        let team = probe
            .attempt(
                &app,
                "POST /teams",
                &case,
                admin.post("/teams").json(&json!({ "name": text })),
            )
            .await;
        if let Some(team) = team {
            let team: TeamSummary = serde_json::from_value(team).unwrap();
            assert_eq!(team.name, *text);
            let renamed = format!("{text} {i}");
            probe
                .attempt(
                    &app,
                    "PUT /teams/{id}",
                    &case,
                    admin
                        .put(&format!("/teams/{}", team.id))
                        .json(&json!({ "name": renamed })),
                )
                .await;
        }
        let user = probe
            .attempt(
                &app,
                "POST /users",
                &case,
                admin.post("/users").json(&json!({
                    "username": text, "display_name": text, "role": "staff"
                })),
            )
            .await;
        let user = match user {
            Some(u) => Some(serde_json::from_value::<IssuedPassword>(u).unwrap().user),
            // A user name with these characters is refused: try them in the display name.
            None => probe
                .attempt(
                    &app,
                    "POST /users",
                    &case,
                    admin.post("/users").json(&json!({
                        "username": format!("hostile{i}"), "display_name": text, "role": "staff"
                    })),
                )
                .await
                .map(|u| serde_json::from_value::<IssuedPassword>(u).unwrap().user),
        };
        if let Some(user) = user {
            assert_eq!(user.display_name, *text);
            probe
                .attempt(
                    &app,
                    "PUT /users/{id}",
                    &case,
                    admin
                        .put(&format!("/users/{}", user.id))
                        .json(&json!({"display_name": format!("{text}!"), "role": "staff"})),
                )
                .await;
            named.push(*text);
        } else {
            eprintln!("no account can be named {text:?}");
        }

        // Forms: a draft whose every text is the payload, then published.
        let form = probe
            .attempt(
                &app,
                "POST /forms",
                &case,
                admin
                    .post("/forms")
                    .json(&json!({ "definition": definition_saying(text) })),
            )
            .await;
        if let Some(form) = form {
            let form: FormDetail = serde_json::from_value(form).unwrap();
            assert_eq!(form.draft.title.en, *text);
            probe
                .attempt(
                    &app,
                    "POST /forms/{id}/publish",
                    &case,
                    admin
                        .post(&format!("/forms/{}/publish", form.summary.id))
                        .json(&json!({"base_revision": form.summary.draft_revision})),
                )
                .await;
        }

        // Records: a customer's submission and a synced record with the payload in
        // every text answer.
        let today = time::OffsetDateTime::now_utc().date();
        let mut answers = demo_answers();
        answers.insert("full_name".into(), json!(text));
        let mut everywhere = answers.clone();
        everywhere.insert("signature".into(), json!(text));
        if let Some(address) = everywhere.get_mut("address") {
            address["detail"] = json!(text);
        }
        if version.definition.validate(&everywhere, today).is_ok() {
            answers = everywhere;
        }
        if version.definition.validate(&answers, today).is_ok() {
            let req = signed_submission(
                &version,
                &answers,
                &Choices::all_demo(),
                &new_key(),
                &uuid::Uuid::now_v7().to_string(),
            );
            probe
                .attempt(
                    &app,
                    "POST /public/forms/{id}/submissions",
                    &case,
                    app.anonymous()
                        .post(&format!("/public/forms/{}/submissions", app.demo_form_id))
                        .json(&req),
                )
                .await;
            seq += 1;
            let record = signed_record(
                &version,
                &answers,
                &Choices::all_demo(),
                &device.id,
                &key,
                seq,
            );
            let answer = post_sync(
                &staff,
                &SyncBatch {
                    device_id: device.id,
                    records: vec![record],
                },
            )
            .await;
            assert!(
                matches!(answer.results[0].status, SyncStatus::Stored { .. }),
                "{answer:?}"
            );
            stored_texts.push(*text);
        } else {
            eprintln!("the demo form refuses {text:?} in its text answers");
        }

        // Searches and reasons.
        probe
            .attempt(
                &app,
                "POST /records/lookup",
                &case,
                admin
                    .post("/records/lookup")
                    .json(&json!({"kind": "phone", "value": text})),
            )
            .await;
        probe
            .attempt(
                &app,
                "GET /audit",
                &case,
                admin.get("/audit").query(&[("action", *text)]),
            )
            .await;
        probe
            .attempt(
                &app,
                "GET /records",
                &case,
                admin.get("/records").query(&[("form_id", *text)]),
            )
            .await;
        probe
            .attempt(
                &app,
                "POST /public/consents/status",
                &case,
                app.anonymous().post("/public/consents/status").json(
                    &json!({"receipt_id": "00000000-0000-4000-8000-000000000000", "token": text}),
                ),
            )
            .await;
    }
    // Everything reads back as written, in every list that shows it.
    let users: Vec<UserSummary> = admin.get_json("/users", 200).await;
    for text in named {
        assert!(
            users.iter().any(|u| u.display_name == format!("{text}!")),
            "{text:?} in /users"
        );
    }
    let records: RecordPage = staff.get_json("/records?limit=200", 200).await;
    for text in stored_texts {
        assert!(
            records.records.iter().any(|r| r
                .values
                .values()
                .any(|v| v.display.as_deref() == Some(text))),
            "{text:?} reads back from /records"
        );
    }
    admin.get("/teams").expect_status(200).await;
    admin.get("/forms").expect_status(200).await;
    admin.get("/audit/export").expect_status(200).await;
    let _: VersionDetail = app.demo_version().await;
    probe.assert_clean("hostile text");
    assert!(
        app.count("SELECT COUNT(*) FROM users").await > 0,
        "the users table is still there"
    );
    eprintln!(
        "hostile text on {:?}: {} requests",
        app.backend, probe.tried
    );
});
