//! The audit log records sign-ins and password changes, only admins and auditors read
//! it, and the verifier names the first place where it was tampered with.

use consentry_tests::{expect_json, story, TestApp};
use shared::{
    api::audit::{AuditPage, AuditVerification},
    api::auth::Role,
    audit::ChainBreak,
};

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
    let r = admin.post("/audit/heads").send().await.unwrap();
    assert_eq!(r.status(), 200);
    admin
}

async fn verdict(admin: &consentry_tests::Session) -> AuditVerification {
    expect_json(admin.get("/audit/verify").send().await.unwrap(), 200).await
}

story!(sign_ins_and_password_changes_are_recorded, |app| {
    let admin = logged(&app).await;
    let page: AuditPage =
        expect_json(admin.get("/audit?action=auth.").send().await.unwrap(), 200).await;
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
        Some(admin.info.as_ref().unwrap().user.id.as_str())
    );
    assert_eq!(change.actor_role.as_deref(), Some("admin"));
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
    assert_eq!(auditor.get("/audit").send().await.unwrap().status(), 200);
    for role in [Role::Staff, Role::Manager] {
        let user = app.user_with_role(role).await;
        assert_eq!(user.get("/audit").send().await.unwrap().status(), 403);
        assert_eq!(
            user.get("/audit/verify").send().await.unwrap().status(),
            403
        );
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
