//! The records of processing and the assessment drafts of the demo form and variants.

use super::*;
use crate::{
    access::Visibility,
    api::{
        compliance::SourceCount,
        processing::{AssessmentSectionKey as K, SecurityMeasureKey},
    },
    schema::{CrossBorderTransfer, FieldKey, LawfulBasis, RetentionAction, RetentionStart},
};

fn org() -> OrganisationFacts {
    OrganisationFacts {
        export_roles: vec![Role::Admin, Role::Manager, Role::PrivacyOfficer],
        approval_above_rows: 100,
        accounts: vec![(Role::Admin, 1), (Role::Staff, 4), (Role::Manager, 2)],
        withdrawal_grace_days: 7,
        retention_scheduled: true,
        retention_interval_hours: 24,
        retention_at_utc: "02:30".to_owned(),
        https: true,
        session_idle_minutes: 30,
        session_max_hours: 12,
    }
}

fn form_id(n: u8) -> FormId {
    FormId::from_random_bytes([n; 16])
}

fn facts(def: &FormDefinition, n: u8, status: FormStatus, live: u64) -> FormFacts<'_> {
    FormFacts {
        form_id: form_id(n),
        status,
        version: VersionStamp {
            number: 2,
            hash: "sha256:ab".to_owned(),
            published_at_ms: 1_800_000_000_000,
        },
        definition: def,
        volume: ProcessingVolume {
            live_records: live,
            by_source: if live > 0 {
                vec![SourceCount {
                    source: RecordSource::Web,
                    records: live,
                }]
            } else {
                Vec::new()
            },
            first_collected_at_ms: (live > 0).then_some(1_800_000_000_000),
            last_collected_at_ms: (live > 0).then_some(1_800_100_000_000),
            under_legal_hold: 0,
        },
        collectors: Collectors {
            accounts: 3,
            teams: 1,
        },
    }
}

/// Every text of a value, found by walking its JSON: `LocalizedText`s are the objects
/// with both a `zh-CN` and an `en` member.
fn texts(value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            if let (Some(zh), Some(en)) = (map.get("zh-CN"), map.get("en")) {
                out.push((
                    zh.as_str().unwrap_or_default().to_owned(),
                    en.as_str().unwrap_or_default().to_owned(),
                ));
            } else {
                map.values().for_each(|v| texts(v, out));
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| texts(v, out)),
        _ => {}
    }
}

#[test]
fn the_demo_form_is_recorded_with_its_purposes_bases_retention_and_roles() {
    let demo = FormDefinition::demo_customer_registration();
    let a = activity(&facts(&demo, 1, FormStatus::Active, 5), &org());
    assert_eq!(a.title.en, "Membership registration");
    assert_eq!(a.version.number, 2);

    let names: Vec<&str> = a.purposes.iter().map(|p| p.name.en.as_str()).collect();
    assert_eq!(
        names,
        ["Membership service", "Marketing", "Identity verification"]
    );
    let identity = &a.purposes[2];
    assert_eq!(identity.lawful_basis, LawfulBasis::LegalObligation);
    assert!(identity.basis_text.en.contains("PIPL Art. 13(1)(3)"));
    assert!(identity.basis_text.zh_cn.contains("法定义务"));
    assert_eq!(identity.retention_text.en, "As each of its fields states");
    assert!(identity.fields.iter().any(|f| f.as_str() == "resident_id"));

    // Notices hold no data; every other field is a category.
    assert!(a.categories.iter().all(|c| c.kind != "notice"));
    let id = a
        .categories
        .iter()
        .find(|c| c.key.as_str() == "resident_id")
        .unwrap();
    assert_eq!(id.sensitivity, Sensitivity::Sensitive);
    assert_eq!(
        id.retention_text.en,
        "1095 days (3 years) from collection, then deleted"
    );
    assert_eq!(
        id.retention_text.zh_cn,
        "自收集之日起保存 1095 天（3 年），期满后删除"
    );
    let mobile = a
        .categories
        .iter()
        .find(|c| c.key.as_str() == "mobile")
        .unwrap();
    assert_eq!(
        mobile.retention_text.en,
        "730 days (2 years) from collection, then anonymised"
    );
    assert!(a.retention.open_ended_fields.is_empty());

    // Roles: the one table of `access`, for the sensitivities the form holds.
    assert_eq!(a.access.len(), Role::ALL.len());
    let admin = &a.access[0];
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(admin.accounts, 1);
    assert!(admin.may_export && !admin.may_export_unmasked && !admin.may_reveal);
    let sensitive = admin
        .sees
        .iter()
        .find(|s| s.sensitivity == Sensitivity::Sensitive)
        .unwrap();
    assert_eq!(sensitive.visibility, Visibility::Hidden);
    let staff = a.access.iter().find(|r| r.role == Role::Staff).unwrap();
    assert!(!staff.may_export && staff.may_reveal);
    assert_eq!(staff.accounts, 4);
    let auditor = a.access.iter().find(|r| r.role == Role::Auditor).unwrap();
    assert_eq!(auditor.accounts, 0);

    assert_eq!(
        a.assessment_triggers,
        [AssessmentTrigger::SensitiveData, AssessmentTrigger::Minors]
    );
    assert!(a.recipients.cross_border.is_none());
    assert!(a.warnings.is_empty());
    // The demo has a resident ID field, from which the age is known.
    assert!(a
        .safeguards
        .iter()
        .any(|s| s.en.contains("under 14") && s.en.contains("resident ID number given")));
    assert!(a
        .safeguards
        .iter()
        .any(|s| s.en.contains("Resident ID number") && s.en.contains("separate consent")));
    assert_eq!(a.volume.live_records, 5);
    assert!(a.data_subjects.iter().any(|s| s.en.contains("online")));
    assert!(a
        .data_subjects
        .iter()
        .any(|s| s.en.contains("Minors under 14")));

    let mut all = Vec::new();
    texts(&serde_json::to_value(&a).unwrap(), &mut all);
    for (zh, en) in all {
        assert_eq!(zh.trim().is_empty(), en.trim().is_empty(), "{zh} / {en}");
    }
}

#[test]
fn a_field_is_kept_until_the_last_of_its_purposes_clocks() {
    let mut def = FormDefinition::demo_customer_registration();
    // Marketing keeps its answers a year after the relationship ends.
    def.purposes[1].retention = Some(RetentionPeriod {
        days: 365,
        action: RetentionAction::Delete,
        from: RetentionStart::RelationshipEnd,
    });
    let interests = def.field("interests").unwrap().clone();
    let clocks = field_clocks(&def, &interests).unwrap();
    assert_eq!(clocks.len(), 2, "{clocks:?}");
    let text = field_retention_text(Some(&clocks));
    assert!(text.en.starts_with("Whichever ends last of: 730 days"));
    assert!(text
        .en
        .contains("365 days (1 year) from the end of the customer relationship, then deleted"));
    assert!(text.zh_cn.contains("客户关系结束之日起保存 365 天（1 年）"));

    // A purpose and a field without any period: kept while the record exists.
    for section in &mut def.sections {
        for field in &mut section.fields {
            if field.key.as_str() == "email" {
                field.retention = None;
            }
        }
    }
    let email = def.field("email").unwrap().clone();
    assert_eq!(field_clocks(&def, &email), None);
    let a = activity(&facts(&def, 1, FormStatus::Active, 0), &org());
    assert_eq!(
        a.retention.open_ended_fields,
        [FieldKey::parse("email").unwrap()]
    );
    let draft = assessment_draft(
        &facts(&def, 1, FormStatus::Active, 0),
        &org(),
        0,
        AuditStamp::default(),
    );
    let retention = draft
        .sections
        .iter()
        .find(|s| s.key == K::Retention)
        .unwrap();
    assert!(retention.officer_must_complete);
}

fn cross_border_form() -> FormDefinition {
    let mut def = FormDefinition::demo_customer_registration();
    def.title = LocalizedText::new("海外会员", "Overseas membership");
    def.cross_border = Some(CrossBorderTransfer {
        recipient: "Example GmbH, privacy@example.de".to_owned(),
        country: "DE".to_owned(),
        purpose: LocalizedText::new("会员服务的境外托管", "Hosting of the membership service"),
    });
    def
}

fn plain_form() -> FormDefinition {
    let mut def = FormDefinition::demo_customer_registration();
    def.title = LocalizedText::new("反馈", "Feedback");
    def.guardian_consent_under_age = None;
    for section in &mut def.sections {
        for field in &mut section.fields {
            field.sensitivity = field.sensitivity.min(Sensitivity::Personal);
        }
    }
    def
}

#[test]
fn the_records_hold_active_forms_and_archived_ones_still_holding_data() {
    let demo = FormDefinition::demo_customer_registration();
    let abroad = cross_border_form();
    let plain = plain_form();
    let forms = [
        facts(&demo, 1, FormStatus::Archived, 3),
        facts(&abroad, 2, FormStatus::Active, 0),
        facts(&plain, 3, FormStatus::Archived, 0),
        facts(&plain, 4, FormStatus::Active, 1),
    ];
    let head = AuditStamp {
        seq: 42,
        hash: "sha256:cafe".to_owned(),
    };
    let records = records_of_processing(&forms, &org(), 7, head.clone());
    assert_eq!(records.audit_head, head);
    assert_eq!(records.computed_at_ms, 7);
    let order: Vec<(&str, FormStatus)> = records
        .activities
        .iter()
        .map(|a| (a.title.en.as_str(), a.status))
        .collect();
    assert_eq!(
        order,
        [
            ("Feedback", FormStatus::Active),
            ("Overseas membership", FormStatus::Active),
            ("Membership registration", FormStatus::Archived),
        ]
    );
    assert_eq!(records.controllers.len(), 1);
    let abroad = &records.activities[1];
    assert_eq!(
        abroad.assessment_triggers,
        [
            AssessmentTrigger::SensitiveData,
            AssessmentTrigger::Minors,
            AssessmentTrigger::CrossBorderTransfer
        ]
    );
    assert_eq!(
        abroad
            .recipients
            .cross_border
            .as_ref()
            .map(|c| c.country.as_str()),
        Some("DE")
    );
    assert!(abroad
        .safeguards
        .iter()
        .any(|s| s.en.contains("transfer to Example GmbH")));

    let keys: Vec<SecurityMeasureKey> = records.security_measures.iter().map(|m| m.key).collect();
    assert!(keys.contains(&SecurityMeasureKey::EncryptionAtRest));
    for m in &records.security_measures {
        let json = serde_json::to_value(m.key).unwrap();
        assert_eq!(json, measure_key_name(m.key));
        assert!(
            !m.title.is_blank() && !m.description.zh_cn.is_empty() && !m.description.en.is_empty()
        );
    }
    let transport = |https| {
        security_measures(&OrganisationFacts { https, ..org() })
            .into_iter()
            .find(|m| m.key == SecurityMeasureKey::Transport)
            .unwrap()
            .description
            .en
    };
    assert!(transport(true).contains("HSTS"));
    assert!(transport(false).contains("plain HTTP"));

    let list = assessment_list(&forms, 9);
    let listed: Vec<(&str, usize)> = list
        .forms
        .iter()
        .map(|f| (f.title.en.as_str(), f.triggers.len()))
        .collect();
    assert_eq!(
        listed,
        [("Overseas membership", 3), ("Membership registration", 2)]
    );
}

#[test]
fn the_draft_marks_what_the_officer_must_complete() {
    let abroad = cross_border_form();
    let head = AuditStamp {
        seq: 42,
        hash: "sha256:cafe".to_owned(),
    };
    let draft = assessment_draft(&facts(&abroad, 2, FormStatus::Active, 2), &org(), 7, head);
    let keys: Vec<K> = draft.sections.iter().map(|s| s.key).collect();
    assert_eq!(
        keys,
        [
            K::Overview,
            K::Triggers,
            K::DataInventory,
            K::PurposesAndNecessity,
            K::SensitiveData,
            K::Minors,
            K::CrossBorder,
            K::Scale,
            K::Access,
            K::Retention,
            K::SecurityMeasures,
            K::Risks,
            K::MeasuresEvaluation,
            K::Conclusion,
        ]
    );
    let must: Vec<K> = draft
        .sections
        .iter()
        .filter(|s| s.officer_must_complete)
        .map(|s| s.key)
        .collect();
    assert_eq!(
        must,
        [
            K::Triggers,
            K::PurposesAndNecessity,
            K::SensitiveData,
            K::Minors,
            K::CrossBorder,
            K::Risks,
            K::MeasuresEvaluation,
            K::Conclusion,
        ]
    );
    for s in &draft.sections {
        assert!(
            !s.title.zh_cn.is_empty() && !s.title.en.is_empty(),
            "{:?}",
            s.key
        );
        assert_eq!(s.officer_must_complete, !s.prompt.is_blank(), "{:?}", s.key);
        for r in &s.prefilled {
            assert!(
                !r.value.zh_cn.is_empty() && !r.value.en.is_empty(),
                "{:?}",
                s.key
            );
        }
    }
    let purposes = &draft.sections[3];
    assert!(purposes
        .prefilled
        .iter()
        .any(|r| r.label.en == "Identity verification" && r.value.en.contains("legal duty")));
    let cross = &draft.sections[6];
    assert!(cross.prefilled.iter().any(|r| r.value.en == "DE"));
    let conclusion = draft.sections.last().unwrap();
    assert!(conclusion.prefilled[0].value.en.contains("audit head #42"));
    assert_eq!(
        serde_json::to_value(K::PurposesAndNecessity).unwrap(),
        "purposes_and_necessity"
    );
    for t in AssessmentTrigger::ALL {
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
    }
}

#[test]
fn a_form_without_triggers_still_gets_a_draft_made_by_choice() {
    let plain = plain_form();
    let draft = assessment_draft(
        &facts(&plain, 3, FormStatus::Active, 0),
        &org(),
        7,
        AuditStamp::default(),
    );
    assert!(draft.triggers.is_empty());
    assert!(draft
        .sections
        .iter()
        .all(|s| !matches!(s.key, K::SensitiveData | K::Minors | K::CrossBorder)));
    assert!(draft.sections[1].prefilled[0]
        .value
        .en
        .contains("by choice"));
}

#[test]
fn a_guardian_age_without_an_id_field_is_said_to_go_unchecked() {
    let mut def = FormDefinition::demo_customer_registration();
    for section in &mut def.sections {
        section.fields.retain(|f| f.key.as_str() != "resident_id");
    }
    let a = activity(&facts(&def, 1, FormStatus::Active, 0), &org());
    assert!(a
        .safeguards
        .iter()
        .any(|s| s.en.contains("no resident ID field")));
    let draft = assessment_draft(
        &facts(&def, 1, FormStatus::Active, 0),
        &org(),
        0,
        AuditStamp::default(),
    );
    let minors = draft.sections.iter().find(|s| s.key == K::Minors).unwrap();
    assert!(minors.prefilled[1].value.en.starts_with("It cannot"));
}
