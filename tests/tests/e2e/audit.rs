//! The audit log records sign-ins and password changes, only admins and auditors read
//! it, and the verifier names the first place where it was tampered with.

use consentry_tests::{story, Expect, TestApp};
use shared::{api::audit::AuditVerification, api::auth::Role, audit::ChainBreak};

async fn raw(app: &TestApp, sql: &str) {
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query(sql).execute(db.pool()).await.unwrap();
    db.close().await;
}

/// An admin, with at least ten entries in the log and a signed head over them.
async fn logged(app: &TestApp) -> consentry_tests::Session {
    let admin = app.admin().await;
    for _ in 0..8 {
        let _ = app.sign_in("nobody", "wrong password").await;
    }
    admin.post("/audit/heads").expect_status(200).await;
    admin
}

async fn verdict(admin: &consentry_tests::Session) -> AuditVerification {
    admin.get_json("/audit/verify", 200).await
}

story!(sign_ins_and_password_changes_are_recorded, |app| {
    let admin = logged(&app).await;
    // A prefix with an underscore matches literally.
    let changes = admin.audit_log("auth.password_").await;
    assert_eq!(changes.entries.len(), 1);
    assert_eq!(changes.entries[0].action, "auth.password_change");
    let page = admin.audit_log("auth.").await;
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"auth.sign_in"), "{actions:?}");
    assert!(actions.contains(&"auth.password_change"), "{actions:?}");
    assert!(actions.contains(&"auth.sign_in_failed"), "{actions:?}");
    // Newest first, with who, when and where, and no attempted user name.
    assert!(page.entries.windows(2).all(|w| w[0].seq > w[1].seq));
    let change = page
        .entries
        .iter()
        .find(|e| e.action == "auth.password_change")
        .unwrap();
    assert_eq!(
        change.actor_id.as_deref(),
        Some(admin.user().id.to_string().as_str())
    );
    assert_eq!(change.actor_role.as_deref(), Some("admin"));
    // Auditors read who acted by name, beside the id the entry's hash covers.
    assert_eq!(
        page.actor_names
            .get(admin.user().id.to_string().as_str())
            .map(String::as_str),
        Some("admin")
    );
    assert_eq!(change.ip.as_deref(), Some("127.0.0.1"));
    let raw_log = serde_json::to_string(&page).unwrap();
    assert!(!raw_log.contains("nobody"));
    assert!(!raw_log.contains("wrong password"));

    let v = verdict(&admin).await;
    assert_eq!(v.report.first_break, None, "{:?}", v.message);
    assert!(v.report.entries_checked >= 10);
    assert_eq!(v.report.heads_checked, 1);

    // Auditors read it; staff and managers do not.
    let auditor = app.user_with_role(Role::Auditor).await;
    auditor.get("/audit").expect_status(200).await;
    for role in [Role::Staff, Role::Manager] {
        let user = app.user_with_role(role).await;
        user.get("/audit").expect_status(403).await;
        user.get("/audit/verify").expect_status(403).await;
    }
});

story!(a_changed_entry_is_named, |app| {
    let admin = logged(&app).await;
    raw(
        &app,
        "UPDATE audit_log SET details_json = '{\"reason\":\"unknown_usex\"}' WHERE seq = 5",
    )
    .await;
    let v = verdict(&admin).await;
    assert_eq!(v.report.first_break, Some(ChainBreak::Altered { seq: 5 }));
    assert!(v.message.unwrap().contains("entry 5"));
});

story!(a_deleted_entry_is_named, |app| {
    let admin = logged(&app).await;
    raw(&app, "DELETE FROM audit_log WHERE seq = 4").await;
    let v = verdict(&admin).await;
    assert_eq!(
        v.report.first_break,
        Some(ChainBreak::OutOfSequence {
            expected: 4,
            found: 5
        })
    );
});

story!(reordered_entries_are_named, |app| {
    let admin = logged(&app).await;
    raw(&app, "UPDATE audit_log SET seq = -1 WHERE seq = 6").await;
    raw(&app, "UPDATE audit_log SET seq = 6 WHERE seq = 7").await;
    raw(&app, "UPDATE audit_log SET seq = 7 WHERE seq = -1").await;
    let v = verdict(&admin).await;
    assert_eq!(v.report.first_break, Some(ChainBreak::Altered { seq: 6 }));
});

story!(a_cut_tail_is_detected, |app| {
    let admin = logged(&app).await;
    let (last, _) = {
        let db = consentry_server::store::Db::connect(&app.database_url)
            .await
            .unwrap();
        let head = db.audit_chain_head().await.unwrap();
        db.close().await;
        head
    };
    raw(
        &app,
        &format!("DELETE FROM audit_log WHERE seq > {}", last - 3),
    )
    .await;
    let v = verdict(&admin).await;
    // Verifying adds no entries, so the log now ends three short of the signed head.
    assert_eq!(
        v.report.first_break,
        Some(ChainBreak::Truncated {
            last: last - 3,
            head_seq: last
        })
    );
});

story!(form_designer_changes_are_recorded, |app| {
    use shared::api::forms::{FormDetail, VersionDetail};
    let admin = app.admin().await;
    let mut def = shared::schema::FormDefinition::demo_customer_registration();
    def.title.en = "Audited".into();
    let created: FormDetail = admin
        .post_json("/forms", &serde_json::json!({ "definition": def }), 201)
        .await;
    let id = created.summary.id;
    def.title.en = "Audited, edited".into();
    admin
        .put(&format!("/forms/{id}/draft"))
        .json(&serde_json::json!({"definition": def, "base_revision": 1}))
        .expect_status(200)
        .await;
    let published: VersionDetail = admin
        .post_json(
            &format!("/forms/{id}/publish"),
            &serde_json::json!({"base_revision": 2}),
            201,
        )
        .await;
    for action in ["duplicate", "archive", "restore"] {
        let r = admin
            .post(&format!("/forms/{id}/{action}"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{action}: {}", r.status());
    }
    let page = admin.audit_log("forms.").await;
    let of_form = |action: &str| {
        page.entries
            .iter()
            .find(|e| e.action == action && e.target_id.as_deref() == Some(id.to_string().as_str()))
            .unwrap_or_else(|| panic!("no {action} of the form"))
    };
    let admin_id = admin.user().id;
    let publish = of_form("forms.publish");
    assert_eq!(publish.details["version"], 1);
    assert_eq!(publish.details["hash"], published.summary.hash.as_str());
    assert_eq!(
        publish.actor_id.as_deref(),
        Some(admin_id.to_string().as_str())
    );
    assert_eq!(of_form("forms.create").actor_role.as_deref(), Some("admin"));
    assert_eq!(of_form("forms.save_draft").details["draft_revision"], 2);
    of_form("forms.archive");
    of_form("forms.restore");
    let copy = page
        .entries
        .iter()
        .find(|e| e.action == "forms.duplicate")
        .unwrap();
    assert_eq!(copy.details["from"], id.to_string().as_str());
    // First-start seeding is nobody's action and is not recorded.
    assert!(!page
        .entries
        .iter()
        .any(|e| e.target_id.as_deref() == Some(app.demo_form_id.to_string().as_str())));
    let v = verdict(&admin).await;
    assert_eq!(v.report.first_break, None, "{:?}", v.message);
});

story!(auditors_export_the_log_as_csv, |app| {
    let _admin = logged(&app).await;
    // A sign-in whose User-Agent a spreadsheet would run as a formula.
    let r = reqwest::Client::new()
        .post(app.api("/auth/login"))
        .header("user-agent", "=HYPERLINK(\"http://evil.example\",\"x\")")
        .json(&serde_json::json!({"username": "nobody", "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let auditor = app.user_with_role(Role::Auditor).await;
    let r = auditor
        .get("/audit/export?action=auth.")
        .expect_status(200)
        .await;
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = r.text().await.unwrap();
    let mut lines = text.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("seq,at_ms,actor_id,actor_name,actor_role,"));
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() >= 10, "{text}");
    // Sign-ins by the admin name the account.
    assert!(
        rows.iter()
            .any(|r| r.contains(",admin,admin,auth.sign_in,")),
        "{text}"
    );
    // Oldest first, and the export is itself in the log.
    assert!(rows[0].starts_with("1,"));
    // It is written inert: quoted with a leading apostrophe, never as `=HYPERLINK`.
    assert!(text.contains("'=HYPERLINK("), "{text}");
    assert!(!text.contains(",=HYPERLINK(") && !text.contains(",\"=HYPERLINK("));
    assert_eq!(auditor.audit_log("audit.export").await.entries.len(), 1);
    let staff = app.collector(Role::Staff).await;
    staff.get("/audit/export").expect_status(403).await;
});
