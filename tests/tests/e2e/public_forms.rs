//! The public form: anyone gets the latest published version of an active form, and the
//! server checks answers itself, in the caller's language.

use consentry_tests::{story, Expect, Session};
use reqwest::RequestBuilder;
use serde_json::{json, Value};
use shared::{
    api::{
        error::{ApiError, ErrorCode},
        forms::{AppFileKind, NoticePage, VersionDetail, NOTICE_PAGE_ELEMENT, VERSION_ELEMENT},
    },
    consent::notice::PrivacyNotice,
    schema::FormDefinition,
};

use crate::forms::demo_form_id;

/// A complete, valid set of answers to the demo form.
fn valid_answers() -> Value {
    serde_json::to_value(shared::schema::FormDefinition::demo_answers()).unwrap_or_default()
}

/// Asks the server to check `body` against version `number`, in language `lang`.
fn check(caller: &Session, id: &str, number: &str, body: &Value, lang: &str) -> RequestBuilder {
    caller
        .post(&format!("/public/forms/{id}/versions/{number}/check"))
        .header("accept-language", lang)
        .json(body)
}

story!(anyone_gets_the_latest_published_version, |app| {
    let admin = app.admin().await;
    let id = demo_form_id(&admin).await.to_string();
    let anon = app.anonymous();
    let public = format!("/public/forms/{id}");
    let v1: VersionDetail = anon.get_json(&public, 200).await;
    let demo = FormDefinition::demo_customer_registration();
    assert_eq!(v1.summary.number, 1);
    assert_eq!(v1.summary.hash, demo.version_hash());
    assert_eq!(v1.definition, demo);
    assert_eq!(v1.form_id.to_string(), id);
    // Who published it is staff information, not shown to the public.
    assert_eq!(v1.summary.published_by, None);

    // A new version replaces it; an unpublished draft never shows.
    let mut def = demo.clone();
    def.description.en = "Join us".into();
    admin
        .put(&format!("/forms/{id}/draft"))
        .json(&json!({"definition": def, "base_revision": 1}))
        .expect_status(200)
        .await;
    let still: VersionDetail = anon.get_json(&public, 200).await;
    assert_eq!(still.summary.number, 1);
    admin
        .post(&format!("/forms/{id}/publish"))
        .json(&json!({"base_revision": 2}))
        .expect_status(201)
        .await;
    let v2: VersionDetail = anon.get_json(&public, 200).await;
    assert_eq!(v2.summary.number, 2);
    assert_eq!(v2.definition, def);

    // A form never published, and ids that do not exist, are not found.
    let draft_only: Value = admin.post_json("/forms", &json!({}), 201).await;
    let draft_id = draft_only["summary"]["id"].as_str().unwrap().to_owned();
    for path in [
        format!("/public/forms/{draft_id}"),
        "/public/forms/00000000-0000-4000-8000-000000000000".to_owned(),
        "/public/forms/x".to_owned(),
    ] {
        let e: ApiError = anon.get_json(&path, 404).await;
        assert_eq!(e.code, ErrorCode::NotFound, "{path}");
    }
});

story!(the_server_checks_answers_itself, |app| {
    let admin = app.admin().await;
    let id = demo_form_id(&admin).await.to_string();
    let anon = app.anonymous();
    let valid = json!({ "answers": valid_answers() });
    check(&anon, &id, "1", &valid, "en")
        .expect_status(204)
        .await;

    let mut answers = valid_answers();
    let a = answers.as_object_mut().unwrap();
    a.remove("full_name");
    a.insert("mobile".into(), json!("12345"));
    a.insert("resident_id".into(), json!("110101199003071234"));
    a.insert("marketing_opt_in".into(), json!(false));
    a.remove("messages_per_month");
    a.insert("shoe_size".into(), json!(42));
    let body = json!({ "answers": answers });

    let e: ApiError = check(&anon, &id, "1", &body, "en-GB,en;q=0.9")
        .expect_json(422)
        .await;
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    let expected = [
        ("full_name", "required"),
        ("mobile", "phone_invalid"),
        ("resident_id", "resident_id_checksum"),
        ("preferred_channel", "hidden_field"),
        ("shoe_size", "unknown_field"),
    ];
    for (field, code) in expected {
        let issues = e.field_issues(field);
        assert!(issues.iter().any(|i| i.code == code), "{field}: {issues:?}");
    }
    let fields = &e.details.as_ref().unwrap().fields;
    assert_eq!(fields.len(), expected.len(), "{fields:?}");
    assert_eq!(
        e.field_issues("full_name")[0].message,
        "This field is required"
    );

    let zh: ApiError = check(&anon, &id, "1", &body, "zh-CN,zh;q=0.9")
        .expect_json(422)
        .await;
    assert_eq!(zh.field_issues("full_name")[0].message, "此项为必填项");
    assert_eq!(zh.message, "部分填写内容有误，请检查后重新提交");
    assert_eq!(
        zh.field_issues("resident_id")[0].message,
        "身份证号码校验位不正确，请核对"
    );
    // No language given, or one we do not have: English.
    let plain: ApiError = anon
        .post_json(&format!("/public/forms/{id}/versions/1/check"), &body, 422)
        .await;
    assert_eq!(
        plain.field_issues("full_name")[0].message,
        "This field is required"
    );
});

story!(checks_name_an_existing_version, |app| {
    let admin = app.admin().await;
    let id = demo_form_id(&admin).await.to_string();
    let anon = app.anonymous();
    let valid = json!({ "answers": valid_answers() });
    for (form, number) in [
        (id.as_str(), "2"),
        (id.as_str(), "0"),
        (id.as_str(), "one"),
        ("00000000-0000-4000-8000-000000000000", "1"),
        ("not-an-id", "1"),
    ] {
        let e: ApiError = check(&anon, form, number, &valid, "en")
            .expect_json(404)
            .await;
        assert_eq!(e.code, ErrorCode::NotFound, "{form} {number}");
    }
    for body in [json!({}), json!({"answers": [1, 2]}), json!("answers")] {
        let e: ApiError = check(&anon, &id, "1", &body, "en").expect_json(400).await;
        assert_eq!(e.code, ErrorCode::InvalidJson, "{body}");
    }
    // An archived form takes no answers.
    admin
        .post(&format!("/forms/{id}/archive"))
        .expect_status(200)
        .await;
    check(&anon, &id, "1", &valid, "en")
        .expect_status(404)
        .await;
});

/// The HTML of the form page `/f/{id}`.
async fn form_page(app: &consentry_tests::TestApp, id: &str) -> String {
    let response = app.fetch(&format!("/f/{id}")).expect_status(200).await;
    response.text().await.unwrap()
}

/// The JSON of `<script type="application/json" id="{id}">` in `page`, if there is one.
fn page_json(page: &str, id: &str) -> Option<Value> {
    let open = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = page.find(&open)? + open.len();
    let end = start + page[start..].find("</script>")?;
    Some(serde_json::from_str(&page[start..end]).expect("the page's JSON reads"))
}

story!(
    the_form_page_carries_its_privacy_notice_and_version,
    |app| {
        let admin = app.admin().await;
        let id = demo_form_id(&admin).await.to_string();
        // A notice whose text would close a script element if it were written as it is.
        let mut def = FormDefinition::demo_customer_registration();
        def.notice.en = "We keep it safe.</script><script>alert(1)</script>".into();
        admin
            .put(&format!("/forms/{id}/draft"))
            .json(&json!({"definition": def, "base_revision": 1}))
            .expect_status(200)
            .await;
        admin
            .post(&format!("/forms/{id}/publish"))
            .json(&json!({"base_revision": 2}))
            .expect_status(201)
            .await;
        let public: VersionDetail = app
            .anonymous()
            .get_json(&format!("/public/forms/{id}"), 200)
            .await;

        let page = form_page(&app, &id).await;
        assert_eq!(page.matches("</script><script>alert(1)").count(), 0);
        let notice: NoticePage =
            serde_json::from_value(page_json(&page, NOTICE_PAGE_ELEMENT).unwrap()).unwrap();
        assert_eq!(notice.form_id, id);
        assert_eq!(
            notice.notice,
            Some(PrivacyNotice::of(&public.definition, &public.summary.hash))
        );
        assert_eq!(
            notice.notice.unwrap().notice.en,
            "We keep it safe.</script><script>alert(1)</script>"
        );
        // The version is the public API's, so the form app need not ask again.
        let version: VersionDetail =
            serde_json::from_value(page_json(&page, VERSION_ELEMENT).unwrap()).unwrap();
        assert_eq!(version, public);
        // The form app's start script is ours, and loads the form app.
        assert!(notice.app.starts_with("/_app/boot/"), "{}", notice.app);
        let boot = app
            .fetch(&notice.app)
            .expect_status(200)
            .await
            .text()
            .await
            .unwrap();
        assert!(boot.contains("/embed/form/consentry-embed"), "{boot}");
        // The files the start script loads, which the first stage preloads with it.
        let kinds: Vec<AppFileKind> = notice.preload.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, [AppFileKind::Module, AppFileKind::Wasm]);
        for file in &notice.preload {
            assert!(file.href.starts_with("/embed/form/"), "{file:?}");
            assert!(boot.contains(&file.href), "{file:?} not in {boot}");
            assert!(file
                .integrity
                .as_deref()
                .is_some_and(|i| i.starts_with("sha384-")));
        }
        // The page itself loads only the first stage, never the form app: outside its
        // JSON data, nothing names the form app.
        let markup: String = page
            .split("<script type=\"application/json\"")
            .enumerate()
            .map(|(i, part)| match i {
                0 => part,
                _ => part.split_once("</script>").map_or("", |(_, rest)| rest),
            })
            .collect();
        assert!(markup.contains("/embed/consentry-notice"), "{markup}");
        assert!(!markup.contains("/embed/form/"), "{markup}");

        // An unknown form: no notice and no version; the form app will say so.
        for unknown in [uuid::Uuid::new_v4().to_string(), "not-an-id".to_owned()] {
            let page = form_page(&app, &unknown).await;
            let notice: NoticePage =
                serde_json::from_value(page_json(&page, NOTICE_PAGE_ELEMENT).unwrap()).unwrap();
            assert_eq!(notice.notice, None);
            assert_eq!(notice.form_id, unknown);
            assert!(page_json(&page, VERSION_ELEMENT).is_none());
        }
    }
);
