//! Form assignments: admins give published forms to teams and accounts, managers within
//! their own team only; staff list the forms assigned to them (directly or through their
//! team) in the shape the public form has, and nothing archived or unassigned.

use consentry_tests::{story, Expect, Session, TestApp};
use shared::api::{
    assignments::{AssignableForm, AssignedForm, AssignmentBoard},
    auth::Role,
    error::{ApiError, ErrorCode},
    forms::{FormDetail, VersionDetail},
    users::TeamSummary,
};
use shared::ids::{FormId, TeamId, UserId};

async fn create_team(admin: &Session, name: &str) -> TeamId {
    let team: TeamSummary = admin
        .post_json("/teams", &serde_json::json!({ "name": name }), 201)
        .await;
    team.id
}

/// A signed-in account of `role` in `team`.
async fn member(app: &TestApp, admin: &Session, role: Role, team: Option<&TeamId>) -> Session {
    let session = app.user_with_role(role).await;
    if team.is_some() {
        let user = session.user();
        admin
            .put(&format!("/users/{}", user.id))
            .json(&serde_json::json!({
                "display_name": user.display_name,
                "role": role,
                "team_id": team,
            }))
            .expect_status(200)
            .await;
    }
    session
}

fn id_of(session: &Session) -> UserId {
    session.user().id
}

/// `PUT /form-assignments/{form}`: the form given to exactly these accounts and teams.
fn assign(
    caller: &Session,
    form: impl std::fmt::Display,
    users: &[&dyn std::fmt::Display],
    teams: &[&dyn std::fmt::Display],
) -> reqwest::RequestBuilder {
    let text =
        |ids: &[&dyn std::fmt::Display]| ids.iter().map(|id| id.to_string()).collect::<Vec<_>>();
    caller
        .put(&format!("/form-assignments/{form}"))
        .json(&serde_json::json!({ "users": text(users), "teams": text(teams) }))
}

async fn my_forms(caller: &Session) -> Vec<AssignedForm> {
    caller.get_json("/my-forms", 200).await
}

async fn my_form_ids(caller: &Session) -> Vec<FormId> {
    my_forms(caller)
        .await
        .into_iter()
        .map(|f| f.version.form_id)
        .collect()
}

async fn board(caller: &Session) -> AssignmentBoard {
    caller.get_json("/form-assignments", 200).await
}

/// A second published form: a copy of the demo, published.
async fn second_form(admin: &Session, demo: impl std::fmt::Display) -> FormId {
    let copy: FormDetail = admin
        .post(&format!("/forms/{demo}/duplicate"))
        .expect_json(201)
        .await;
    let id = copy.summary.id;
    admin
        .post(&format!("/forms/{id}/publish"))
        .json(&serde_json::json!({ "base_revision": copy.summary.draft_revision }))
        .expect_status(201)
        .await;
    id
}

story!(an_admin_assigns_forms_to_a_team_and_to_an_account, |app| {
    let admin = app.admin().await;
    let north = create_team(&admin, "North").await;
    let south = create_team(&admin, "South").await;
    let n1 = member(&app, &admin, Role::Staff, Some(&north)).await;
    let s1 = member(&app, &admin, Role::Staff, Some(&south)).await;
    let loner = member(&app, &admin, Role::Staff, None).await;
    let demo = app.demo_form_id;
    assert!(my_forms(&n1).await.is_empty());

    // To a team: its members get the form, exactly as the public endpoint shows it.
    let done: AssignableForm = assign(&admin, demo, &[], &[&north]).expect_json(200).await;
    assert_eq!(done.assignments.teams, vec![north.to_string()]);
    assert!(done.assignments.users.is_empty());
    let mine = my_forms(&n1).await;
    assert_eq!(mine.len(), 1);
    assert!(mine[0].via_team && !mine[0].direct);
    assert_eq!(mine[0].version, app.demo_version().await);
    assert!(my_forms(&s1).await.is_empty());
    assert!(my_forms(&loner).await.is_empty());

    // To an account directly, team or not.
    let loner_id = id_of(&loner);
    assign(&admin, demo, &[&loner_id, &loner_id], &[&north])
        .expect_status(200)
        .await;
    let mine = my_forms(&loner).await;
    assert_eq!(mine.len(), 1);
    assert!(mine[0].direct && !mine[0].via_team);
    assert!(my_forms(&s1).await.is_empty());

    // A second form for the other team; each sees their own.
    let other = second_form(&admin, &demo).await;
    assign(&admin, other, &[], &[&south])
        .expect_status(200)
        .await;
    assert_eq!(my_form_ids(&s1).await, vec![other]);
    assert_eq!(my_form_ids(&n1).await, vec![demo]);
    let b = board(&admin).await;
    assert_eq!(b.forms.len(), 2);
    assert_eq!(b.teams.len(), 2);
    assert!(b.own_team.is_none());
    let on_board = b.forms.iter().find(|f| f.form_id == demo).unwrap();
    assert_eq!(on_board.assignments.users, vec![loner_id.to_string()]);
    assert_eq!(on_board.assigned_elsewhere, 0);

    // Taking them away.
    assign(&admin, demo, &[], &[]).expect_status(200).await;
    assert!(my_forms(&n1).await.is_empty());
    assert!(my_forms(&loner).await.is_empty());
    assert_eq!(my_form_ids(&s1).await, vec![other]);

    // Every change is audited with ids only; a repeat that changes nothing is not.
    assign(&admin, demo, &[], &[]).expect_status(200).await;
    let log = admin.audit_log("forms.assign").await.entries;
    assert_eq!(log.len(), 4);
    assert_eq!(log[3].target_id, Some(demo.to_string()));
    assert_eq!(log[3].details["added"]["teams"], serde_json::json!([north]));
    assert_eq!(
        log[2].details["added"]["users"],
        serde_json::json!([loner_id])
    );
    assert_eq!(
        log[0].details["removed"],
        serde_json::json!({"users": [loner_id], "teams": [north]})
    );
    let text = serde_json::to_string(&log).unwrap();
    let username = &loner.user().username;
    assert!(!text.contains(username.as_str()), "{text}");
});

story!(managers_assign_only_within_their_own_team, |app| {
    let admin = app.admin().await;
    let north = create_team(&admin, "North").await;
    let south = create_team(&admin, "South").await;
    let manager = member(&app, &admin, Role::Manager, Some(&north)).await;
    let n1 = member(&app, &admin, Role::Staff, Some(&north)).await;
    let s1 = member(&app, &admin, Role::Staff, Some(&south)).await;
    let demo = app.demo_form_id;
    let (n1_id, s1_id) = (id_of(&n1), id_of(&s1));
    assign(&admin, demo, &[&s1_id], &[&south])
        .expect_status(200)
        .await;

    // The manager sees their own team and its members, not the other assignments.
    let b = board(&manager).await;
    assert_eq!(b.own_team.as_ref().map(|t| t.id), Some(north));
    assert_eq!(b.teams.len(), 1);
    let mut users: Vec<UserId> = b.users.iter().map(|u| u.id).collect();
    users.sort();
    let mut expected = vec![id_of(&manager), n1_id];
    expected.sort();
    assert_eq!(users, expected);
    assert!(b.forms[0].assignments.is_empty());
    assert_eq!(b.forms[0].assigned_elsewhere, 2);

    // Within the team: fine, and the other team keeps its assignments.
    let done: AssignableForm = assign(&manager, demo, &[&n1_id], &[&north])
        .expect_json(200)
        .await;
    assert_eq!(done.assignments.users, vec![n1_id.to_string()]);
    assert_eq!(done.assigned_elsewhere, 2);
    assert_eq!(my_form_ids(&n1).await, vec![demo]);
    assert_eq!(my_form_ids(&manager).await, vec![demo]);
    assert_eq!(my_form_ids(&s1).await, vec![demo]);

    // Outside it: refused with the ids named, and nothing changes.
    let e: ApiError = assign(&manager, demo, &[], &[&south])
        .expect_json(403)
        .await;
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(e.field_issues("teams")[0].code, "outside_team");
    assert_eq!(e.field_issues("teams")[0].params["id"], south.to_string());
    let e: ApiError = assign(&manager, demo, &[&n1_id, &s1_id], &[])
        .expect_json(403)
        .await;
    assert_eq!(e.field_issues("users").len(), 1);
    assert_eq!(e.field_issues("users")[0].params["id"], s1_id.to_string());
    assert_eq!(my_form_ids(&n1).await, vec![demo]);

    // Clearing touches only the manager's team.
    assign(&manager, demo, &[], &[]).expect_status(200).await;
    assert!(my_forms(&n1).await.is_empty());
    assert_eq!(my_form_ids(&s1).await, vec![demo]);
    let b = board(&admin).await;
    assert_eq!(b.forms[0].assignments.users, vec![s1_id.to_string()]);
    assert_eq!(b.forms[0].assignments.teams, vec![south.to_string()]);

    // A manager without a team reaches nobody; staff and auditors cannot assign.
    let teamless = member(&app, &admin, Role::Manager, None).await;
    let b = board(&teamless).await;
    assert!(b.own_team.is_none() && b.teams.is_empty() && b.users.is_empty());
    assign(&teamless, demo, &[&id_of(&teamless)], &[])
        .expect_status(403)
        .await;
    assign(&n1, demo, &[], &[]).expect_status(403).await;
    let auditor = app.user_with_role(Role::Auditor).await;
    auditor.get("/form-assignments").expect_status(403).await;
    auditor.get("/my-forms").expect_status(403).await;

    let log = admin.audit_log("forms.assign").await.entries;
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].actor_id, Some(id_of(&manager).to_string()));
});

story!(
    archived_unpublished_and_unknown_forms_are_not_assigned,
    |app| {
        let admin = app.admin().await;
        let team = create_team(&admin, "North").await;
        let staff = member(&app, &admin, Role::Staff, Some(&team)).await;
        let demo = app.demo_form_id;
        assign(&admin, demo, &[], &[&team]).expect_status(200).await;
        assert_eq!(my_form_ids(&staff).await, vec![demo]);

        // Archived: gone from the lists and refused; restored, the assignment is back.
        admin
            .post(&format!("/forms/{demo}/archive"))
            .expect_status(200)
            .await;
        assert!(my_forms(&staff).await.is_empty());
        assert!(board(&admin).await.forms.is_empty());
        let e: ApiError = assign(&admin, demo, &[], &[]).expect_json(409).await;
        assert_eq!(e.code, ErrorCode::Conflict);
        admin
            .post(&format!("/forms/{demo}/restore"))
            .expect_status(200)
            .await;
        assert_eq!(my_form_ids(&staff).await, vec![demo]);

        // A second form, given to the account directly: both listed, each as published.
        let other = second_form(&admin, &demo).await;
        assign(&admin, other, &[&id_of(&staff)], &[])
            .expect_status(200)
            .await;
        let mine = my_forms(&staff).await;
        assert_eq!(mine.len(), 2);
        let v: VersionDetail = app
            .anonymous()
            .get_json(&format!("/public/forms/{other}"), 200)
            .await;
        assert!(mine.iter().any(|f| f.version == v));

        // Never published: refused.
        let draft: FormDetail = admin.post_json("/forms", &serde_json::json!({}), 201).await;
        assign(&admin, draft.summary.id, &[], &[&team])
            .expect_status(409)
            .await;
        assert!(board(&admin)
            .await
            .forms
            .iter()
            .all(|f| f.form_id != draft.summary.id));

        // Unknown forms are 404, unknown ids 422 per field, never 500.
        let missing = uuid::Uuid::new_v4().to_string();
        assign(&admin, &missing, &[], &[]).expect_status(404).await;
        assign(&admin, "not-a-form", &[], &[])
            .expect_status(404)
            .await;
        let e: ApiError = assign(&admin, demo, &[&missing, &"nobody"], &[&missing])
            .expect_json(422)
            .await;
        assert_eq!(e.code, ErrorCode::ValidationFailed);
        assert_eq!(e.field_issues("users").len(), 2);
        assert_eq!(e.field_issues("users")[0].code, "unknown_user");
        assert_eq!(e.field_issues("teams")[0].code, "unknown_team");
        let admin_id = id_of(&admin);
        let e: ApiError = assign(&admin, demo, &[&admin_id], &[])
            .expect_json(422)
            .await;
        assert_eq!(e.field_issues("users")[0].code, "not_a_collector");
        let e: ApiError = admin
            .put_json(
                &format!("/form-assignments/{demo}"),
                &serde_json::json!({ "users": "everyone" }),
                400,
            )
            .await;
        assert_eq!(e.code, ErrorCode::InvalidJson);
        assert_eq!(my_form_ids(&staff).await.len(), 2);
    }
);
