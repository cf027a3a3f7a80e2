//! The records of processing and the impact assessment drafts (issue #23): for the seeded
//! form, with sensitive fields and minors and, in a new version, a transfer abroad, both
//! documents name its purposes, lawful bases, retention and roles, in JSON and in
//! printable HTML in either language, stamped with the audit head they were computed
//! at; their reads are audited with that stamp and the hash of the bytes sent. Who may
//! read them, and what is refused.

use consentry_tests::{story, Expect, Session, TestApp};
use serde_json::json;
use sha2::{Digest as _, Sha256};
use shared::{
    access::Visibility,
    api::{
        auth::Role,
        compliance::AuditStamp,
        error::{ApiError, ErrorCode},
        forms::FormDetail,
        processing::{
            AssessmentDraft, AssessmentList, AssessmentSectionKey as K, AssessmentTrigger,
            RecordsOfProcessing,
        },
        records::RecordSource,
    },
    i18n::LocalizedText,
    schema::{
        CrossBorderTransfer, FormDefinition, LawfulBasis, RetentionAction, RetentionPeriod,
        RetentionStart, Sensitivity,
    },
};

/// The audit chain's head, read straight from the database.
async fn head(app: &TestApp) -> AuditStamp {
    let db = consentry_server::store::Db::connect(&app.database_url)
        .await
        .unwrap();
    let (seq, hash) = db.audit_chain_head().await.unwrap();
    db.close().await;
    AuditStamp { seq, hash }
}

/// Publishes `def` as the newest version of form `id`.
async fn publish(admin: &Session, id: impl std::fmt::Display, def: &FormDefinition) {
    let detail: FormDetail = admin.get_json(&format!("/forms/{id}"), 200).await;
    let saved: FormDetail = admin
        .put_json(
            &format!("/forms/{id}/draft"),
            &json!({"definition": def, "base_revision": detail.summary.draft_revision}),
            200,
        )
        .await;
    admin
        .post(&format!("/forms/{id}/publish"))
        .json(&json!({"base_revision": saved.summary.draft_revision}))
        .expect_status(201)
        .await;
}

/// The demo form with a transfer abroad, and marketing kept a year.
fn demo_abroad() -> FormDefinition {
    let mut def = FormDefinition::demo_customer_registration();
    def.cross_border = Some(CrossBorderTransfer {
        recipient: "Example GmbH, privacy@example.de".to_owned(),
        country: "DE".to_owned(),
        purpose: LocalizedText::new("会员系统的境外托管", "Hosting of the membership system"),
    });
    def.purposes[1].retention = Some(RetentionPeriod {
        days: 365,
        action: RetentionAction::Delete,
        from: RetentionStart::Collection,
    });
    def
}

/// `GET path`: 200, the body's text and the response's headers.
async fn fetch(caller: &Session, path: &str) -> (reqwest::header::HeaderMap, String) {
    let r = caller.get(path).expect_status(200).await;
    let headers = r.headers().clone();
    (headers, r.text().await.unwrap())
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn has_all(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "{e:?} missing");
    }
}

story!(the_documents_describe_a_seeded_form, |app| {
    let admin = app.admin().await;
    let id = app.demo_form_id;
    app.submit_demo().await;
    app.submit_demo().await;
    publish(&admin, id, &demo_abroad()).await;
    let auditor = app.user_with_role(Role::Auditor).await;

    // The records of processing, as JSON: stamped with the head when computed.
    let before = head(&app).await;
    let (headers, text) = fetch(&auditor, "/compliance/processing").await;
    assert!(header(&headers, "content-type").starts_with("application/json"));
    let doc: RecordsOfProcessing = serde_json::from_str(&text).unwrap();
    assert_eq!(doc.audit_head, before);
    let a = doc
        .activities
        .iter()
        .find(|a| a.form_id == id)
        .expect("the demo form is recorded");
    assert_eq!(a.version.number, 2);
    assert_eq!(a.title.en, "Membership registration");
    let purposes: Vec<(&str, LawfulBasis)> = a
        .purposes
        .iter()
        .map(|p| (p.name.en.as_str(), p.lawful_basis))
        .collect();
    assert_eq!(
        purposes,
        [
            ("Membership service", LawfulBasis::Contract),
            ("Marketing", LawfulBasis::Consent),
            ("Identity verification", LawfulBasis::LegalObligation),
        ]
    );
    assert_eq!(
        a.purposes[1].retention_text.en,
        "365 days (1 year) from collection, then deleted"
    );
    let id_number = a
        .categories
        .iter()
        .find(|c| c.key.as_str() == "resident_id")
        .unwrap();
    assert_eq!(id_number.sensitivity, Sensitivity::Sensitive);
    assert_eq!(
        id_number.retention_text.zh_cn,
        "自收集之日起保存 1095 天（3 年），期满后删除"
    );
    let roles: Vec<Role> = a.access.iter().map(|r| r.role).collect();
    assert_eq!(roles, Role::ALL);
    let admin_access = &a.access[0];
    assert_eq!(admin_access.accounts, 1);
    assert!(admin_access
        .sees
        .iter()
        .any(|s| s.sensitivity == Sensitivity::Sensitive && s.visibility == Visibility::Hidden));
    let auditors = a.access.iter().find(|r| r.role == Role::Auditor).unwrap();
    assert_eq!(auditors.accounts, 1);
    assert_eq!(a.volume.live_records, 2);
    assert_eq!(a.volume.by_source.len(), 1);
    assert_eq!(a.volume.by_source[0].source, RecordSource::Web);
    assert_eq!(a.volume.by_source[0].records, 2);
    assert_eq!(
        a.recipients
            .cross_border
            .as_ref()
            .map(|c| c.country.as_str()),
        Some("DE")
    );
    assert_eq!(
        a.assessment_triggers,
        [
            AssessmentTrigger::SensitiveData,
            AssessmentTrigger::Minors,
            AssessmentTrigger::CrossBorderTransfer
        ]
    );
    assert!(!doc.security_measures.is_empty());

    // Its read is the next entry of the chain, with the stamp and the bytes' hash.
    let log = admin.audit_log("compliance.processing_read").await;
    let entry = &log.entries[0];
    assert_eq!(entry.seq, before.seq + 1);
    assert_eq!(entry.prev_hash, before.hash);
    assert_eq!(entry.details["audit_head_seq"], before.seq);
    assert_eq!(entry.details["format"], "json");
    assert_eq!(
        entry.details["sha256"],
        hex::encode(Sha256::digest(text.as_bytes()))
    );

    // As printable HTML in English and in Chinese.
    let (headers, en) = fetch(&auditor, "/compliance/processing?format=html&lang=en").await;
    assert_eq!(header(&headers, "content-type"), "text/html; charset=utf-8");
    assert!(header(&headers, "content-security-policy").contains("style-src 'sha256-"));
    assert!(header(&headers, "content-disposition").starts_with("inline"));
    assert!(en.starts_with("<!doctype html><html lang=\"en\">"));
    has_all(
        &en,
        &[
            "Records of processing activities",
            "audit head #",
            "Membership registration",
            "Identity verification",
            "Necessary to meet a legal duty",
            "Consent (PIPL Art. 13(1)(1)",
            "365 days (1 year) from collection, then deleted",
            "1095 days (3 years) from collection, then deleted",
            "Privacy officer",
            "Auditor",
            "Example GmbH",
            "Noto Sans CJK SC",
        ],
    );
    let (headers, zh) = fetch(
        &auditor,
        "/compliance/processing?format=html&lang=zh-CN&download=true",
    )
    .await;
    assert!(header(&headers, "content-disposition")
        .starts_with("attachment; filename=\"records-of-processing-"));
    assert!(header(&headers, "content-disposition").ends_with("-zh-CN.html\""));
    assert!(zh.starts_with("<!doctype html><html lang=\"zh-CN\">"));
    has_all(
        &zh,
        &[
            "个人信息处理活动记录",
            "审计日志链头 #",
            "会员注册",
            "身份核验",
            "为履行法定职责或者法定义务所必需",
            "自收集之日起保存 365 天（1 年），期满后删除",
            "个人信息保护负责人",
            "审计员",
        ],
    );
    let r = auditor
        .get("/compliance/processing?download=true")
        .expect_status(200)
        .await;
    assert!(header(r.headers(), "content-disposition").ends_with(".json\""));

    // The forms that need an assessment.
    let list: AssessmentList = auditor.get_json("/compliance/assessments", 200).await;
    let listed = list.forms.iter().find(|f| f.form_id == id).unwrap();
    assert_eq!(listed.triggers.len(), 3);
    assert_eq!(listed.version, 2);
    assert_eq!(listed.live_records, 2);

    // The draft: the same facts, in sections, the officer's marked.
    let before = head(&app).await;
    let draft: AssessmentDraft = admin
        .get_json(&format!("/compliance/assessments/{id}"), 200)
        .await;
    assert_eq!(draft.audit_head, before);
    assert_eq!(draft.form_id, id);
    assert_eq!(draft.triggers.len(), 3);
    let section = |key: K| draft.sections.iter().find(|s| s.key == key).unwrap();
    for key in [
        K::SensitiveData,
        K::Minors,
        K::CrossBorder,
        K::Risks,
        K::Conclusion,
    ] {
        assert!(section(key).officer_must_complete, "{key:?}");
    }
    assert!(!section(K::Scale).officer_must_complete);
    assert!(section(K::PurposesAndNecessity)
        .prefilled
        .iter()
        .any(|r| r.label.en == "Identity verification" && r.value.en.contains("legal duty")));
    assert!(section(K::Retention)
        .prefilled
        .iter()
        .any(|r| r.label.en == "Resident ID number" && r.value.en.starts_with("1095 days")));
    assert!(section(K::Access)
        .prefilled
        .iter()
        .any(|r| r.label.en == "Privacy officer"));
    assert!(section(K::CrossBorder)
        .prefilled
        .iter()
        .any(|r| r.value.en == "DE"));
    let log = admin.audit_log("compliance.assessment_read").await;
    assert_eq!(
        log.entries[0].target_id.as_deref(),
        Some(id.to_string().as_str())
    );
    assert_eq!(log.entries[0].prev_hash, before.hash);

    let (_, en) = fetch(
        &admin,
        &format!("/compliance/assessments/{id}?format=html&lang=en"),
    )
    .await;
    has_all(
        &en,
        &[
            "Personal information protection impact assessment (draft)",
            "To be completed by the privacy officer",
            "Identity verification",
            "Necessary to meet a legal duty",
            "1095 days (3 years) from collection, then deleted",
            "Privacy officer",
            "Example GmbH",
        ],
    );
    let (_, zh) = fetch(
        &admin,
        &format!("/compliance/assessments/{id}?format=html&lang=zh-CN"),
    )
    .await;
    has_all(
        &zh,
        &[
            "个人信息保护影响评估报告（草稿）",
            "须由个人信息保护负责人填写",
            "身份核验",
            "为履行法定职责或者法定义务所必需",
            "自收集之日起保存 1095 天（3 年），期满后删除",
            "个人信息保护负责人",
        ],
    );
});

/// A published form with nothing Art. 55 names: no sensitive field, no minors, nothing
/// sent abroad.
fn plain_form() -> FormDefinition {
    let mut def = FormDefinition::demo_customer_registration();
    def.title = LocalizedText::new("意见反馈", "Feedback");
    def.guardian_consent_under_age = None;
    def.sensitive_consent_text = LocalizedText::default();
    for section in &mut def.sections {
        section.fields.retain(|f| f.key.as_str() != "resident_id");
    }
    def
}

story!(who_may_read_them_and_what_is_refused, |app| {
    let admin = app.admin().await;
    let officer = app.user_with_role(Role::PrivacyOfficer).await;
    for role in [Role::Staff, Role::Manager] {
        let caller = app.user_with_role(role).await;
        for path in [
            "/compliance/processing".to_owned(),
            "/compliance/assessments".to_owned(),
            format!("/compliance/assessments/{}", app.demo_form_id),
        ] {
            let e: ApiError = caller.get_json(&path, 403).await;
            assert_eq!(e.code, ErrorCode::Forbidden, "{role:?} {path}");
        }
    }
    let _: ApiError = app
        .anonymous()
        .get_json("/compliance/processing", 401)
        .await;
    let _: RecordsOfProcessing = officer.get_json("/compliance/processing", 200).await;

    // Unknown, malformed and never-published forms are not found.
    let unknown = format!("/compliance/assessments/{}", uuid_like());
    let e: ApiError = officer.get_json(&unknown, 404).await;
    assert_eq!(e.code, ErrorCode::NotFound);
    let _: ApiError = officer
        .get_json("/compliance/assessments/not-an-id", 404)
        .await;
    let draft_only: FormDetail = admin
        .post_json("/forms", &json!({"definition": plain_form()}), 201)
        .await;
    let e: ApiError = officer
        .get_json(
            &format!("/compliance/assessments/{}", draft_only.summary.id),
            404,
        )
        .await;
    assert_eq!(e.code, ErrorCode::NotFound);

    // A form that needs no assessment is not listed, and still gets a draft.
    let plain = draft_only.summary.id;
    publish(&admin, plain, &plain_form()).await;
    let list: AssessmentList = officer.get_json("/compliance/assessments", 200).await;
    assert!(list.forms.iter().all(|f| f.form_id != plain));
    assert!(list.forms.iter().any(|f| f.form_id == app.demo_form_id));
    let draft: AssessmentDraft = officer
        .get_json(&format!("/compliance/assessments/{plain}"), 200)
        .await;
    assert!(draft.triggers.is_empty());
    assert!(draft.sections.iter().all(|s| s.key != K::SensitiveData));
    let doc: RecordsOfProcessing = officer.get_json("/compliance/processing", 200).await;
    assert_eq!(doc.activities.len(), 2);

    // Bad query values are named.
    for (query, field) in [
        ("format=pdf", "format"),
        ("lang=fr", "lang"),
        ("download=yes", "download"),
    ] {
        for path in [
            "/compliance/processing".to_owned(),
            format!("/compliance/assessments/{}", app.demo_form_id),
        ] {
            let e: ApiError = officer.get_json(&format!("{path}?{query}"), 422).await;
            assert_eq!(e.code, ErrorCode::ValidationFailed);
            assert!(
                e.details.is_some_and(|d| d.fields.contains_key(field)),
                "{path}?{query}"
            );
        }
    }
});

/// A well-formed id no form has.
fn uuid_like() -> String {
    "00000000-0000-4000-8000-000000000000".to_owned()
}
