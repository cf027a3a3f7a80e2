//! The draft-against-published diff: each kind of change, moves, unsound drafts and messages.

use serde_json::json;

use crate::i18n::{Locale, LocalizedText};
use crate::mask::MaskStyle;
use crate::schema::{
    diff, Condition, DraftChange as D, FieldAttribute as FA, FieldKey, FieldKind, FormDefinition,
    FormSetting, LawfulBasis, PurposeAttribute, PurposeKey, RetentionAction, RetentionPeriod,
    SectionAttribute, SectionKey, Sensitivity,
};

fn demo() -> FormDefinition {
    FormDefinition::demo_customer_registration()
}

fn field_key(k: &str) -> FieldKey {
    FieldKey::parse(k).unwrap()
}

fn section_key(k: &str) -> SectionKey {
    SectionKey::parse(k).unwrap()
}

fn field_mut<'a>(def: &'a mut FormDefinition, key: &str) -> &'a mut crate::schema::Field {
    def.sections
        .iter_mut()
        .flat_map(|s| s.fields.iter_mut())
        .find(|f| f.key.as_str() == key)
        .unwrap()
}

/// The tags of the changes, for compact assertions.
fn tags(changes: &[D]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            serde_json::to_value(c).unwrap()["change"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn identical_definitions_have_no_changes() {
    assert!(diff(&demo(), &demo()).is_empty());
    let blank = FormDefinition::blank();
    assert!(diff(&blank, &blank.clone()).is_empty());
}

#[test]
fn form_settings_and_the_notice_are_reported() {
    let mut draft = demo();
    draft.title.en.push_str(" 2025");
    draft.controller.contact = "dpo@example.com".into();
    draft.guardian_consent_under_age = Some(16);
    draft.embed_origins.push("https://shop.example.com".into());
    draft.notice.zh_cn.push_str("另有说明。");
    assert_eq!(
        diff(&demo(), &draft),
        vec![
            D::SettingsChanged {
                settings: vec![
                    FormSetting::Title,
                    FormSetting::Controller,
                    FormSetting::EmbedOrigins,
                    FormSetting::GuardianConsentAge,
                ]
            },
            D::NoticeChanged,
        ]
    );
}

#[test]
fn purposes_added_removed_changed_and_reordered() {
    let mut draft = demo();
    // Published order: membership_service, marketing, identity_verification.
    let marketing = draft.purposes.remove(1);
    draft.purposes[0].lawful_basis = LawfulBasis::Consent;
    draft.purposes[0].required = false;
    draft.purposes.insert(0, draft.purposes[1].clone());
    draft.purposes.remove(2);
    let mut analytics = marketing;
    analytics.key = PurposeKey::parse("analytics").unwrap();
    draft.purposes.push(analytics);
    let changes = diff(&demo(), &draft);
    assert_eq!(
        tags(&changes),
        [
            "purpose_removed",
            "purpose_changed",
            "purpose_changed",
            "purpose_added"
        ]
    );
    assert!(matches!(&changes[0], D::PurposeRemoved { key, .. } if key.as_str() == "marketing"));
    // identity_verification now comes first: one of the two kept purposes moved.
    let attrs: Vec<(&str, Vec<PurposeAttribute>)> = changes
        .iter()
        .filter_map(|c| match c {
            D::PurposeChanged {
                key, attributes, ..
            } => Some((key.as_str(), attributes.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(attrs[0].0, "identity_verification");
    assert_eq!(attrs[1].0, "membership_service");
    let all: Vec<PurposeAttribute> = attrs.iter().flat_map(|(_, a)| a.clone()).collect();
    assert!(all.contains(&PurposeAttribute::LawfulBasis));
    assert!(all.contains(&PurposeAttribute::Required));
    assert_eq!(
        all.iter()
            .filter(|a| **a == PurposeAttribute::Position)
            .count(),
        1
    );
}

#[test]
fn sections_added_removed_and_changed() {
    let mut draft = demo();
    let removed = draft.sections.remove(2); // preferences
    draft.sections[0].title = LocalizedText::new("关于您", "About you");
    draft.sections[1].new_page = false;
    let mut extra = removed.clone();
    extra.key = section_key("extra");
    extra.fields.clear();
    draft.sections.push(extra);
    let changes = diff(&demo(), &draft);
    assert!(matches!(&changes[0], D::SectionRemoved { key, .. } if key.as_str() == "preferences"));
    assert!(changes.contains(&D::SectionChanged {
        key: section_key("basic"),
        title: LocalizedText::new("关于您", "About you"),
        attributes: vec![SectionAttribute::Title],
    }));
    assert!(changes.iter().any(|c| matches!(c,
        D::SectionChanged { key, attributes, .. }
            if key.as_str() == "identity" && *attributes == [SectionAttribute::NewPage])));
    assert!(changes
        .iter()
        .any(|c| matches!(c, D::SectionAdded { key, .. } if key.as_str() == "extra")));
    // The preferences section's fields went with it.
    let removed_fields = changes
        .iter()
        .filter(
            |c| matches!(c, D::FieldRemoved { section, .. } if section.as_str() == "preferences"),
        )
        .count();
    assert_eq!(removed_fields, removed.fields.len());
}

#[test]
fn every_field_attribute_is_named() {
    let mut draft = demo();
    let f = field_mut(&mut draft, "email");
    f.label.en = "Email address".into();
    f.help.zh_cn = "可选".into();
    f.kind = FieldKind::ShortText;
    f.rules.max_length = Some(80);
    f.required = true;
    f.default = Some(json!("someone@example.com"));
    f.visible_when = Some(Condition::IsFilled {
        field: field_key("mobile"),
    });
    f.sensitivity = Sensitivity::Sensitive;
    f.purposes.push(PurposeKey::parse("marketing").unwrap());
    f.retention = Some(RetentionPeriod {
        days: 30,
        action: RetentionAction::Delete,
        from: Default::default(),
    });
    f.mask = MaskStyle::Partial;
    let changes = diff(&demo(), &draft);
    assert_eq!(changes.len(), 1, "{changes:?}");
    let D::FieldChanged {
        key,
        label,
        attributes,
    } = &changes[0]
    else {
        panic!("{changes:?}")
    };
    assert_eq!(key.as_str(), "email");
    assert_eq!(label.en, "Email address");
    assert_eq!(attributes, FA::ALL);
}

#[test]
fn an_inserted_field_moves_nothing_else() {
    let mut draft = demo();
    let mut nickname = field_mut(&mut draft, "full_name").clone();
    nickname.key = field_key("nickname");
    draft.sections[0].fields.insert(1, nickname);
    draft.sections[3].fields.pop(); // signature
    assert_eq!(
        diff(&demo(), &draft),
        vec![
            D::FieldRemoved {
                key: field_key("signature"),
                label: LocalizedText::new("签名", "Signature"),
                section: section_key("confirmation"),
            },
            D::FieldAdded {
                key: field_key("nickname"),
                label: LocalizedText::new("姓名", "Full name"),
                section: section_key("basic"),
            },
        ]
    );
}

#[test]
fn reordering_and_moving_between_sections_are_moves() {
    let mut draft = demo();
    // Swap full_name and mobile: one of them counts as moved, not both.
    draft.sections[0].fields.swap(0, 1);
    // The address goes from preferences to the end of basic.
    let address = draft.sections[2].fields.pop().unwrap();
    draft.sections[0].fields.push(address);
    let changes = diff(&demo(), &draft);
    assert_eq!(
        tags(&changes),
        ["field_moved", "field_moved"],
        "{changes:?}"
    );
    assert!(changes.contains(&D::FieldMoved {
        key: field_key("address"),
        label: LocalizedText::new("收货地址", "Delivery address"),
        from_section: section_key("preferences"),
        to_section: section_key("basic"),
    }));
    assert!(changes.iter().any(|c| matches!(c,
        D::FieldMoved { key, from_section, to_section, .. }
            if (key.as_str() == "full_name" || key.as_str() == "mobile")
                && from_section == to_section)));
}

#[test]
fn unsound_drafts_are_compared_without_panicking() {
    let mut draft = demo();
    let dup = draft.sections[0].fields[0].clone();
    draft.sections[1].fields.push(dup.clone());
    draft.sections[0].fields.push(dup);
    draft.purposes.push(draft.purposes[0].clone());
    draft.sections.push(draft.sections[0].clone());
    let changes = diff(&demo(), &draft);
    // The duplicates add nothing by key, but the definitions differ.
    assert!(changes.iter().all(|c| !matches!(c, D::FieldAdded { .. })));
    assert!(diff(&draft, &demo())
        .iter()
        .all(|c| !matches!(c, D::FieldRemoved { .. })));
    let empty = FormDefinition::blank();
    assert!(!diff(&empty, &demo()).is_empty());
    assert!(!diff(&demo(), &empty).is_empty());
}

#[test]
fn changes_serialise_tagged_and_read_back() {
    let change = D::FieldChanged {
        key: field_key("mobile"),
        label: LocalizedText::new("手机号码", "Mobile number"),
        attributes: vec![FA::Rules, FA::Visibility],
    };
    let v = serde_json::to_value(&change).unwrap();
    assert_eq!(
        v,
        json!({"change": "field_changed", "key": "mobile",
               "label": {"zh-CN": "手机号码", "en": "Mobile number"},
               "attributes": ["rules", "visibility"]})
    );
    assert_eq!(serde_json::from_value::<D>(v).unwrap(), change);
    assert_eq!(
        serde_json::to_value(D::NoticeChanged).unwrap(),
        json!({"change": "notice_changed"})
    );
}

#[test]
fn messages_read_well_in_both_languages() {
    let change = D::FieldChanged {
        key: field_key("mobile"),
        label: LocalizedText::new("手机号码", "Mobile number"),
        attributes: vec![FA::Rules, FA::Visibility],
    };
    assert_eq!(
        change.message(Locale::En),
        "Field \"Mobile number\" changed: rules, visibility"
    );
    assert_eq!(
        change.message(Locale::ZhCn),
        "字段“手机号码”已修改：校验规则、显示条件"
    );
    let unnamed = D::SectionAdded {
        key: section_key("extra"),
        title: LocalizedText::default(),
    };
    assert_eq!(unnamed.message(Locale::En), "Section \"extra\" added");
    // Every change of a broad diff has a message in both languages without a full stop.
    let mut draft = FormDefinition::blank();
    draft.sections[0].new_page = true;
    for changes in [diff(&demo(), &draft), diff(&draft, &demo())] {
        assert!(!changes.is_empty());
        for c in changes {
            for locale in Locale::ALL {
                let m = c.message(locale);
                assert!(!m.trim().is_empty());
                assert!(!m.ends_with('.') && !m.ends_with('。'), "{m}");
            }
        }
    }
}
