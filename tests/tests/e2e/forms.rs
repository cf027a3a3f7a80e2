//! Designing forms: the seeded demo, drafts with optimistic concurrency, publishing
//! immutable versions, duplicating and archiving, and who may do it.

use consentry_tests::{expect_json, story, Expect, Session};
use reqwest::Response;
use serde_json::json;
use shared::{
    api::{
        auth::Role,
        error::{ApiError, ErrorCode},
        forms::{
            FormDetail, FormStatus, FormSummary, PublishRequest, SaveDraftRequest, VersionDetail,
            VersionSummary,
        },
    },
    schema::{DraftChange, FieldAttribute, FormDefinition},
};

/// The id of the demo form seeded at first start (the only form of a fresh database).
pub async fn demo_form_id(admin: &Session) -> shared::ids::FormId {
    let forms: Vec<FormSummary> = admin.get_json("/forms", 200).await;
    assert_eq!(forms.len(), 1, "{forms:?}");
    forms[0].id
}

/// Creates a form whose draft is `definition` (or the blank starter).
async fn create(admin: &Session, definition: Option<&FormDefinition>) -> FormDetail {
    admin
        .post_json("/forms", &json!({ "definition": definition }), 201)
        .await
}

async fn save(
    admin: &Session,
    id: impl std::fmt::Display,
    definition: &FormDefinition,
    base: i64,
) -> Response {
    admin
        .put(&format!("/forms/{id}/draft"))
        .json(&SaveDraftRequest {
            definition: definition.clone(),
            base_revision: base,
        })
        .send()
        .await
        .unwrap()
}

async fn publish(admin: &Session, id: impl std::fmt::Display, base: i64) -> Response {
    admin
        .post(&format!("/forms/{id}/publish"))
        .json(&PublishRequest {
            base_revision: base,
        })
        .send()
        .await
        .unwrap()
}

async fn detail(admin: &Session, id: impl std::fmt::Display) -> FormDetail {
    admin.get_json(&format!("/forms/{id}"), 200).await
}

/// The published versions of the form, newest first.
async fn versions(admin: &Session, id: impl std::fmt::Display) -> Vec<VersionSummary> {
    admin.get_json(&format!("/forms/{id}/versions"), 200).await
}

story!(the_demo_form_is_seeded_with_version_1, |app| {
    let admin = app.admin().await;
    let id = demo_form_id(&admin).await;
    let demo = FormDefinition::demo_customer_registration();
    let d = detail(&admin, &id).await;
    assert_eq!(d.draft, demo);
    assert_eq!(d.summary.status, FormStatus::Active);
    assert!(!d.summary.has_unpublished_changes);
    assert!(d.problems.is_empty() && d.warnings.is_empty() && d.changes.is_empty());
    let v1 = d.summary.latest_version.unwrap();
    assert_eq!(v1.number, 1);
    assert_eq!(v1.hash, demo.version_hash());
    assert_eq!(v1.published_by.as_deref(), Some("Administrator"));

    assert_eq!(versions(&admin, &id).await, std::slice::from_ref(&v1));
    let version: VersionDetail = admin
        .get_json(&format!("/forms/{id}/versions/1"), 200)
        .await;
    assert_eq!(version.definition, demo);
    assert_eq!(version.definition.version_hash(), v1.hash);
    assert_eq!(version.form_id, id);
});

story!(
    a_form_is_drafted_published_edited_and_published_again,
    |app| {
        let admin = app.admin().await;
        let blank = create(&admin, None).await;
        assert_eq!(blank.summary.draft_revision, 1);
        assert_eq!(blank.draft, FormDefinition::blank());
        assert!(!blank.problems.is_empty(), "the blank starter needs work");
        assert!(blank.summary.latest_version.is_none());
        assert!(blank.summary.has_unpublished_changes);
        let id = blank.summary.id;

        let mut def = FormDefinition::demo_customer_registration();
        def.title.en = "Newsletter sign-up".into();
        let saved: FormDetail = expect_json(save(&admin, &id, &def, 1).await, 200).await;
        assert_eq!(saved.summary.draft_revision, 2);
        assert!(saved.problems.is_empty(), "{:?}", saved.problems);

        let v1: VersionDetail = expect_json(publish(&admin, &id, 2).await, 201).await;
        assert_eq!(v1.summary.number, 1);
        assert_eq!(v1.summary.hash, def.version_hash());
        assert_eq!(v1.definition, def);

        // An edit shows up as an unpublished change, named attribute by attribute.
        def.sections[0].fields[1].label.en = "Mobile phone".into();
        let edited: FormDetail = expect_json(save(&admin, &id, &def, 2).await, 200).await;
        assert_eq!(edited.summary.draft_revision, 3);
        assert!(edited.summary.has_unpublished_changes);
        assert_eq!(
            edited.changes,
            [DraftChange::FieldChanged {
                key: def.sections[0].fields[1].key.clone(),
                label: def.sections[0].fields[1].label.clone(),
                attributes: vec![FieldAttribute::Label],
            }]
        );

        // A stale base revision is refused, for saving and for publishing.
        let e: ApiError = expect_json(save(&admin, &id, &def, 2).await, 409).await;
        assert_eq!(e.code, ErrorCode::Conflict);
        assert!(e.message.contains("revision 3"), "{}", e.message);
        let e: ApiError = expect_json(publish(&admin, &id, 2).await, 409).await;
        assert_eq!(e.code, ErrorCode::Conflict);

        let v2: VersionDetail = expect_json(publish(&admin, &id, 3).await, 201).await;
        assert_eq!(v2.summary.number, 2);
        assert_ne!(v2.summary.hash, v1.summary.hash);
        let after = detail(&admin, &id).await;
        assert!(!after.summary.has_unpublished_changes);
        assert!(after.changes.is_empty());
        assert_eq!(after.summary.latest_version, Some(v2.summary.clone()));

        // Publishing again without a change is refused and names the version.
        let e: ApiError = expect_json(publish(&admin, &id, 3).await, 409).await;
        assert!(e.message.contains("version 2"), "{}", e.message);
        // So is going back to the content of an earlier version.
        def.sections[0].fields[1].label.en = "Mobile number".into();
        let reverted: FormDetail = expect_json(save(&admin, &id, &def, 3).await, 200).await;
        assert_eq!(reverted.summary.latest_version.unwrap().number, 2);
        let e: ApiError = expect_json(publish(&admin, &id, 4).await, 409).await;
        assert!(e.message.contains("version 1"), "{}", e.message);

        let numbers: Vec<i64> = versions(&admin, &id)
            .await
            .iter()
            .map(|v| v.number)
            .collect();
        assert_eq!(numbers, [2, 1]);
        // The list shows the most recently changed form first.
        let forms: Vec<FormSummary> = admin.get_json("/forms", 200).await;
        assert_eq!(forms.len(), 2);
        assert_eq!(forms[0].id, id);
    }
);

story!(published_versions_cannot_be_changed_or_deleted, |app| {
    let admin = app.admin().await;
    let id = demo_form_id(&admin).await;
    let path = format!("/forms/{id}/versions/1");
    let stored = || async {
        admin
            .get(&path)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    };
    let before = stored().await;
    let mut tampered = FormDefinition::demo_customer_registration();
    tampered.notice.en = "We sell your data".into();
    for change in [
        admin.put(&path).json(&json!({ "definition": tampered })),
        admin.delete(&path),
        admin.delete(&format!("/forms/{id}/versions/7")),
    ] {
        let e: ApiError = change.expect_json(409).await;
        assert_eq!(e.code, ErrorCode::Conflict);
        assert_eq!(
            e.message,
            "Published versions are immutable; edit the draft and publish a new version"
        );
    }
    assert_eq!(before, stored().await);
    assert_eq!(versions(&admin, &id).await.len(), 1);
});

story!(a_draft_with_problems_is_saved_but_not_published, |app| {
    let admin = app.admin().await;
    let mut def = FormDefinition::demo_customer_registration();
    def.notice = shared::i18n::LocalizedText::default();
    let twin = def.sections[0].fields[0].clone();
    def.sections[1].fields.push(twin);
    let d = create(&admin, Some(&def)).await;
    let id = d.summary.id;
    let paths: Vec<&str> = d.problems.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.contains(&"notice"), "{paths:?}");
    assert!(paths.contains(&"sections[1].fields[2].key"), "{paths:?}");

    // Autosave keeps working while problems remain.
    let saved: FormDetail = expect_json(save(&admin, &id, &def, 1).await, 200).await;
    assert_eq!(saved.problems, d.problems);

    let e: ApiError = expect_json(publish(&admin, &id, 2).await, 422).await;
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    for p in &saved.problems {
        let issues = e.field_issues(&p.path);
        assert!(
            issues.iter().any(|i| i.code == p.code.as_str()),
            "{}",
            p.path
        );
    }
    let zh: ApiError = admin
        .post(&format!("/forms/{id}/publish"))
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
        .json(&PublishRequest { base_revision: 2 })
        .expect_json(422)
        .await;
    assert_eq!(
        zh.field_issues("notice")[0].message,
        "请至少用一种语言填写此文本"
    );
    assert!(versions(&admin, &id).await.is_empty());
});

story!(malformed_drafts_and_ids_are_client_errors, |app| {
    let admin = app.admin().await;
    let id = demo_form_id(&admin).await;
    let mut v2 = serde_json::to_value(FormDefinition::demo_customer_registration()).unwrap();
    v2["format_version"] = json!(2);
    let e: ApiError = admin
        .put_json(
            &format!("/forms/{id}/draft"),
            &json!({"definition": v2, "base_revision": 1}),
            422,
        )
        .await;
    assert_eq!(
        e.field_issues("definition.format_version")[0].code,
        "unsupported_format_version"
    );
    for body in [
        json!({"definition": 5, "base_revision": 1}),
        json!({"definition": {"format_version": 1}, "base_revision": 1}),
        json!({"base_revision": 1}),
        json!({}),
    ] {
        let e: ApiError = admin
            .put_json(&format!("/forms/{id}/draft"), &body, 400)
            .await;
        assert_eq!(e.code, ErrorCode::InvalidJson, "{body}");
    }
    let e: ApiError = admin
        .post_json("/forms", &json!({"definition": {"title": 1}}), 400)
        .await;
    assert_eq!(e.code, ErrorCode::InvalidJson);
    // The draft was left alone.
    assert_eq!(detail(&admin, &id).await.summary.draft_revision, 1);

    for path in [
        "/forms/not-a-uuid".to_owned(),
        "/forms/00000000-0000-4000-8000-000000000000".to_owned(),
        "/forms/%FF%FE".to_owned(),
        format!("/forms/{id}/versions/0"),
        format!("/forms/{id}/versions/x"),
        format!("/forms/{id}/versions/2"),
        "/forms/nope/versions".to_owned(),
    ] {
        let e: ApiError = admin.get_json(&path, 404).await;
        assert_eq!(e.code, ErrorCode::NotFound, "{path}");
    }
    let e: ApiError = expect_json(publish(&admin, "nope", 1).await, 404).await;
    assert_eq!(e.code, ErrorCode::NotFound);
    let e: ApiError = admin.get_json("/forms?status=deleted", 400).await;
    assert_eq!(e.code, ErrorCode::BadRequest);
});

story!(forms_are_duplicated_archived_and_restored, |app| {
    let admin = app.admin().await;
    let id = demo_form_id(&admin).await;
    let copy: FormDetail = admin
        .post(&format!("/forms/{id}/duplicate"))
        .expect_json(201)
        .await;
    assert_ne!(copy.summary.id, id);
    assert_eq!(copy.summary.title.en, "Membership registration (copy)");
    assert_eq!(copy.summary.title.zh_cn, "会员注册（副本）");
    assert!(copy.summary.latest_version.is_none());
    let mut expected = FormDefinition::demo_customer_registration();
    expected.title = copy.summary.title.clone();
    assert_eq!(copy.draft, expected);
    assert!(versions(&admin, &copy.summary.id).await.is_empty());

    let archived: FormSummary = admin
        .post(&format!("/forms/{id}/archive"))
        .expect_json(200)
        .await;
    assert_eq!(archived.status, FormStatus::Archived);
    let listed = |status: &'static str| {
        let admin = admin.clone();
        async move {
            let forms: Vec<FormSummary> = admin
                .get_json(&format!("/forms?status={status}"), 200)
                .await;
            forms.into_iter().map(|f| f.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(listed("archived").await, std::slice::from_ref(&id));
    assert_eq!(
        listed("active").await,
        std::slice::from_ref(&copy.summary.id)
    );
    assert_eq!(listed("").await, std::slice::from_ref(&copy.summary.id));
    // Archived forms are neither served nor published.
    app.anonymous()
        .get(&format!("/public/forms/{id}"))
        .expect_status(404)
        .await;
    let mut def = FormDefinition::demo_customer_registration();
    def.title.en = "Changed".into();
    let saved: FormDetail = expect_json(save(&admin, &id, &def, 1).await, 200).await;
    let e: ApiError = expect_json(
        publish(&admin, &id, saved.summary.draft_revision).await,
        409,
    )
    .await;
    assert!(e.message.contains("Archived"), "{}", e.message);

    let restored: FormSummary = admin
        .post(&format!("/forms/{id}/restore"))
        .expect_json(200)
        .await;
    assert_eq!(restored.status, FormStatus::Active);
    app.anonymous()
        .get(&format!("/public/forms/{id}"))
        .expect_status(200)
        .await;
});

story!(publishing_twice_at_once_makes_one_version, |app| {
    let admin = app.admin().await;
    let mut def = FormDefinition::demo_customer_registration();
    def.title.en = "Race".into();
    let form = create(&admin, Some(&def)).await;
    let id = form.summary.id;
    let attempts: Vec<_> = (0..4)
        .map(|_| {
            let (admin, id) = (admin.clone(), id);
            tokio::spawn(async move { publish(&admin, &id, 1).await.status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    assert_eq!(versions(&admin, &id).await.len(), 1);
});

story!(only_admins_manage_forms, |app| {
    let admin = app.admin().await;
    let id = demo_form_id(&admin).await;
    for role in [Role::Auditor, Role::Manager, Role::Staff] {
        let user = app.user_with_role(role).await;
        for r in [
            user.get("/forms").send().await.unwrap(),
            user.get(&format!("/forms/{id}")).send().await.unwrap(),
            user.post("/forms").json(&json!({})).send().await.unwrap(),
            publish(&user, &id, 1).await,
        ] {
            let e: ApiError = expect_json(r, 403).await;
            assert_eq!(e.code, ErrorCode::Forbidden, "{role:?}");
        }
    }
    app.anonymous().get("/forms").expect_status(401).await;
    // Nothing was created by the refused calls.
    demo_form_id(&admin).await;
});

story!(a_taken_version_number_is_a_conflict_not_an_error, |app| {
    use consentry_server::store::{
        forms::{NewVersion, PublishOutcome},
        Db,
    };
    let admin = app.admin().await;
    let id = demo_form_id(&admin).await;
    // Another replica publishing number 1 at the same moment, as the store sees it.
    let db = Db::connect(&app.database_url).await.unwrap();
    let mut def = FormDefinition::demo_customer_registration();
    def.title.en = "Other".into();
    let outcome = db
        .insert_version(
            &NewVersion {
                form_id: id,
                number: 1,
                hash: &def.version_hash(),
                definition_json: &def.to_json().unwrap(),
                published_by: None,
                draft_revision: 1,
            },
            0,
        )
        .await
        .unwrap();
    assert_eq!(outcome, PublishOutcome::Taken);
    db.close().await;
    let published = versions(&admin, &id).await;
    assert_eq!(published.len(), 1);
    assert_eq!(
        published[0].hash,
        FormDefinition::demo_customer_registration().version_hash()
    );
});
