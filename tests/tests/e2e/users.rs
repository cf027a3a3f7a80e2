//! User administration: accounts with one-time passwords, disabling, the last admin,
//! password resets, teams, and record assignment within a manager's team.

use consentry_tests::{story, Expect, Session, TestApp, ADMIN_PASSWORD};
use shared::ids::{TeamId, UserId};
use shared::{
    api::{
        auth::Role,
        error::{ApiError, ErrorCode},
        records::RecordPage,
        users::{AssignRecordResponse, IssuedPassword, TeamSummary, UserSummary},
    },
    audit::AuditEntry,
};

/// The password each account here chooses after its first sign-in.
const OWN_PASSWORD: &str = "my very own passphrase";

async fn create_user(
    admin: &Session,
    username: &str,
    role: Role,
    team: Option<&TeamId>,
) -> IssuedPassword {
    let body = serde_json::json!({
        "username": username,
        "display_name": format!("Display {username}"),
        "role": role,
        "team_id": team,
    });
    admin.post_json("/users", &body, 201).await
}

/// Signs in with the one-time password and replaces it with [`OWN_PASSWORD`].
async fn activate(app: &TestApp, issued: &IssuedPassword) -> Session {
    let mut session = app
        .sign_in(&issued.user.username, &issued.one_time_password)
        .await
        .unwrap();
    assert!(session.user().must_change_password);
    session
        .change_password(&issued.one_time_password, OWN_PASSWORD)
        .await;
    session
}

async fn audit(admin: &Session, action: &str) -> Vec<AuditEntry> {
    admin.audit_log(action).await.entries
}

story!(
    an_admin_creates_an_account_with_a_one_time_password,
    |app| {
        let admin = app.admin().await;
        let issued = create_user(&admin, "li.wei", Role::Staff, None).await;
        assert!(issued.user.must_change_password);
        assert_eq!(issued.user.role, Role::Staff);
        assert_eq!(issued.one_time_password.chars().count(), 23);

        // The one-time password signs in once, and only to choose a new password.
        let first = app
            .sign_in("li.wei", &issued.one_time_password)
            .await
            .unwrap();
        first.get("/records").expect_status(403).await;
        activate(&app, &issued).await;
        assert_eq!(
            app.sign_in("li.wei", &issued.one_time_password)
                .await
                .unwrap_err()
                .status(),
            401
        );
        let me = app.sign_in("li.wei", OWN_PASSWORD).await.unwrap();
        me.get("/records").expect_status(200).await;

        // Names are unique and follow the rules.
        let taken =
            serde_json::json!({"username": "li.wei", "display_name": "Other", "role": "staff"});
        let e: ApiError = admin.post_json("/users", &taken, 409).await;
        assert_eq!(e.code, ErrorCode::Conflict);
        let spaced =
            serde_json::json!({"username": "Li Wei", "display_name": "x", "role": "staff"});
        let e: ApiError = admin.post_json("/users", &spaced, 422).await;
        assert_eq!(e.field_issues("username")[0].code, "username_invalid");

        // The list has no password hashes; only admins read or change it.
        let r = admin.get("/users").send().await.unwrap();
        let text = r.text().await.unwrap();
        assert!(!text.contains("argon2") && !text.contains("password_hash"));
        let users: Vec<UserSummary> = serde_json::from_str(&text).unwrap();
        assert!(users
            .iter()
            .any(|u| u.username == "li.wei" && !u.must_change_password));
        for role in [Role::Auditor, Role::Manager, Role::Staff] {
            let user = app.user_with_role(role).await;
            user.get("/users").expect_status(403).await;
            let r = user
            .post("/users")
            .json(&serde_json::json!({"username": "sneaky", "display_name": "x", "role": "admin"}))
            .send()
            .await
            .unwrap();
            assert_eq!(r.status(), 403, "{role:?}");
        }
        assert!(app.sign_in("sneaky", "anything at all").await.is_err());

        // Audited with ids and attribute names: no names, no passwords.
        let created = audit(&admin, "users.create").await;
        assert_eq!(created.len(), 1);
        assert_eq!(
            created[0].target_id.as_deref(),
            Some(issued.user.id.to_string().as_str())
        );
        let raw = serde_json::to_string(&created).unwrap();
        assert!(!raw.contains("li.wei") && !raw.contains("Display"));
        assert!(!raw.contains(&issued.one_time_password));
    }
);

story!(disabling_an_account_ends_its_sessions_and_sign_ins, |app| {
    let admin = app.admin().await;
    let issued = create_user(&admin, "zhang.min", Role::Staff, None).await;
    let staff = activate(&app, &issued).await;
    let path = format!("/users/{}", issued.user.id);

    let user: UserSummary = admin
        .post(&format!("{path}/disable"))
        .expect_json(200)
        .await;
    assert!(user.disabled);
    staff.get("/auth/session").expect_status(401).await;
    assert_eq!(
        app.sign_in("zhang.min", OWN_PASSWORD)
            .await
            .unwrap_err()
            .status(),
        401
    );

    let user: UserSummary = admin.post(&format!("{path}/enable")).expect_json(200).await;
    assert!(!user.disabled);
    assert!(app.sign_in("zhang.min", OWN_PASSWORD).await.is_ok());
    let disabled = audit(&admin, "users.disable").await;
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0].details["sessions_ended"], 1);
    assert_eq!(audit(&admin, "users.enable").await.len(), 1);
});

story!(the_last_admin_cannot_be_demoted_or_disabled, |app| {
    let admin = app.admin().await;
    let me = admin.user().clone();
    let path = format!("/users/{}", me.id);
    let demote = serde_json::json!({"display_name": "Administrator", "role": "staff"});
    let e: ApiError = admin.put_json(&path, &demote, 409).await;
    assert_eq!(e.code, ErrorCode::Conflict);
    let e: ApiError = admin
        .post(&format!("{path}/disable"))
        .expect_json(409)
        .await;
    assert_eq!(e.code, ErrorCode::Conflict);

    // With a second admin, either may demote the other, but not themself.
    let other = create_user(&admin, "ops.admin", Role::Admin, None).await;
    let other_session = activate(&app, &other).await;
    other_session
        .put(&format!("/users/{}", other.user.id))
        .json(&demote)
        .expect_status(409)
        .await;
    let user: UserSummary = other_session.put_json(&path, &demote, 200).await;
    assert_eq!(user.role, Role::Staff);
    // The demoted account is no admin any more; the one left cannot go.
    admin.get("/users").expect_status(403).await;
    other_session
        .post(&format!("/users/{}/disable", other.user.id))
        .expect_status(409)
        .await;
    let updates = audit(&other_session, "users.update").await;
    assert_eq!(updates[0].details["changed"], serde_json::json!(["role"]));
    assert_eq!(updates[0].details["role"]["to"], "staff");
    assert!(app.sign_in("admin", ADMIN_PASSWORD).await.is_ok());
});

story!(a_password_reset_issues_a_new_one_time_password, |app| {
    let admin = app.admin().await;
    let issued = create_user(&admin, "wang.fang", Role::Manager, None).await;
    let manager = activate(&app, &issued).await;
    for _ in 0..5 {
        let _ = app.sign_in("wang.fang", "not my password").await;
    }
    // This address waits now: not even the right password is checked.
    assert_eq!(
        app.sign_in("wang.fang", OWN_PASSWORD)
            .await
            .unwrap_err()
            .status(),
        401
    );
    let users: Vec<UserSummary> = admin.get_json("/users", 200).await;
    let listed = users.iter().find(|u| u.id == issued.user.id).unwrap();
    assert!(listed.locked_until_ms.is_some(), "{listed:?}");
    let reset: IssuedPassword = admin
        .post(&format!("/users/{}/reset-password", issued.user.id))
        .expect_json(200)
        .await;
    assert!(reset.user.must_change_password);
    assert_ne!(reset.one_time_password, issued.one_time_password);
    manager.get("/auth/session").expect_status(401).await;
    // The wait is over; the old password is gone; the new one must be replaced.
    assert!(app.sign_in("wang.fang", OWN_PASSWORD).await.is_err());
    let again = app
        .sign_in("wang.fang", &reset.one_time_password)
        .await
        .unwrap();
    assert!(again.info.unwrap().user.must_change_password);
    let users: Vec<UserSummary> = admin.get_json("/users", 200).await;
    let listed = users.iter().find(|u| u.id == issued.user.id).unwrap();
    assert_eq!(listed.locked_until_ms, None);
    // (The audit search drops `_` from prefixes, so ask for `users.reset`.)
    let log = audit(&admin, "users.reset").await;
    assert_eq!(log.len(), 1);
    assert!(!serde_json::to_string(&log)
        .unwrap()
        .contains(&reset.one_time_password));
});

async fn record_ids(caller: &Session) -> Vec<shared::ids::RecordId> {
    let page: RecordPage = caller.get_json("/records", 200).await;
    page.records.into_iter().map(|r| r.id).collect()
}

async fn create_team(admin: &Session, name: &str) -> TeamSummary {
    admin
        .post_json("/teams", &serde_json::json!({ "name": name }), 201)
        .await
}

// Records nobody owns yet (customers' web submissions) reach admins, and the managers
// of the intake team once one is configured, not every manager; giving a record to
// someone takes it from whoever had it, the staff member who collected it included.
story!(
    unassigned_records_reach_only_admins_and_the_intake_team,
    |app| {
        let mut app = app;
        let admin = app.admin().await;
        let north = create_team(&admin, "North").await;
        let south = create_team(&admin, "South").await;
        let m1 = create_user(&admin, "north.manager", Role::Manager, Some(&north.id)).await;
        let m2 = create_user(&admin, "south.manager", Role::Manager, Some(&south.id)).await;
        let s1 = create_user(&admin, "north.staff", Role::Staff, Some(&north.id)).await;
        app.submit_demo().await;
        let record = record_ids(&admin).await.remove(0);
        let (north_manager, south_manager) = (activate(&app, &m1).await, activate(&app, &m2).await);
        assert!(record_ids(&north_manager).await.is_empty());
        assert!(record_ids(&south_manager).await.is_empty());

        app.restart(|c| c.intake_team = Some("North".into()))
            .await
            .unwrap();
        let admin = app.admin().await;
        let north_manager = app.sign_in("north.manager", OWN_PASSWORD).await.unwrap();
        let south_manager = app.sign_in("south.manager", OWN_PASSWORD).await.unwrap();
        assert_eq!(record_ids(&north_manager).await, vec![record]);
        assert!(record_ids(&south_manager).await.is_empty());

        // The intake manager gives it to a member; a reassignment elsewhere takes it away
        // from both of them.
        let staff = activate(&app, &s1).await;
        north_manager
            .post(&format!("/records/{record}/assign"))
            .json(&serde_json::json!({ "owner_id": s1.user.id }))
            .expect_status(200)
            .await;
        assert_eq!(record_ids(&staff).await, vec![record]);
        admin
            .post(&format!("/records/{record}/assign"))
            .json(&serde_json::json!({ "owner_id": m2.user.id }))
            .expect_status(200)
            .await;
        assert!(record_ids(&staff).await.is_empty());
        assert!(record_ids(&north_manager).await.is_empty());
        assert_eq!(record_ids(&south_manager).await, vec![record]);
        staff
            .get(&format!("/records/{record}"))
            .expect_status(404)
            .await;
    }
);

story!(managers_see_and_assign_within_their_team, |app| {
    let admin = app.admin().await;
    let north = create_team(&admin, "North").await;
    let south = create_team(&admin, "South").await;
    admin
        .post("/teams")
        .json(&serde_json::json!({"name": "North"}))
        .expect_status(409)
        .await;
    let renamed: TeamSummary = admin
        .put_json(
            &format!("/teams/{}", south.id),
            &serde_json::json!({"name": "South-East"}),
            200,
        )
        .await;
    assert_eq!(renamed.name, "South-East");

    let m1 = create_user(&admin, "north.manager", Role::Manager, Some(&north.id)).await;
    let s1 = create_user(&admin, "north.staff", Role::Staff, Some(&north.id)).await;
    let s2 = create_user(&admin, "south.staff", Role::Staff, Some(&south.id)).await;
    let (manager, staff1, staff2) = (
        activate(&app, &m1).await,
        activate(&app, &s1).await,
        activate(&app, &s2).await,
    );
    let teams: Vec<TeamSummary> = admin.get_json("/teams", 200).await;
    let members: Vec<(String, i64)> = teams.into_iter().map(|t| (t.name, t.members)).collect();
    assert_eq!(
        members,
        vec![("North".to_owned(), 2), ("South-East".to_owned(), 1)]
    );

    app.submit_demo().await;
    let record = record_ids(&admin).await.remove(0);
    assert!(record_ids(&staff1).await.is_empty());
    let path = format!("/records/{record}/assign");
    let assign = |caller: &Session, owner: &UserId| {
        caller
            .post(&path)
            .json(&serde_json::json!({ "owner_id": owner }))
    };
    let done: AssignRecordResponse = assign(&admin, &s1.user.id).expect_json(200).await;
    assert_eq!(done.previous_owner_id, None);
    assert_eq!(record_ids(&staff1).await, vec![record]);
    assert_eq!(record_ids(&manager).await, vec![record]);
    assert!(record_ids(&staff2).await.is_empty());

    // A manager gives records only to their own team; staff give none.
    let e: ApiError = assign(&manager, &s2.user.id).expect_json(403).await;
    assert_eq!(e.code, ErrorCode::Forbidden);
    assign(&staff1, &s1.user.id).expect_status(403).await;
    let done: AssignRecordResponse = assign(&manager, &m1.user.id).expect_json(200).await;
    assert_eq!(done.previous_owner_id, Some(s1.user.id));

    // Moved to the other team with the record, the manager no longer sees it.
    assign(&admin, &s2.user.id).expect_status(200).await;
    assert!(record_ids(&manager).await.is_empty());
    assert_eq!(record_ids(&staff2).await, vec![record]);
    assign(&manager, &m1.user.id).expect_status(404).await;

    // Team membership changes through the account.
    let moved: UserSummary = admin
        .put_json(
            &format!("/users/{}", s2.user.id),
            &serde_json::json!({"display_name": "South staff", "role": "staff", "team_id": north.id}),
            200,
        )
        .await;
    assert_eq!(moved.team.unwrap().name, "North");
    assert_eq!(record_ids(&manager).await, vec![record]);

    let log = audit(&admin, "records.assign").await;
    assert_eq!(log.len(), 3);
    assert_eq!(log[2].details["from"], serde_json::Value::Null);
    assert_eq!(log[2].details["to"], s1.user.id.to_string().as_str());
    assert_eq!(
        log[1].actor_id.as_deref(),
        Some(m1.user.id.to_string().as_str())
    );
    assert_eq!(audit(&admin, "teams.create").await.len(), 2);
    assert_eq!(audit(&admin, "teams.update").await.len(), 1);
    let update = &audit(&admin, "users.update").await[0];
    assert_eq!(
        update.details["changed"],
        serde_json::json!(["display_name", "team"])
    );
});
