//! The structural check finds every problem and names where it is.

use serde_json::json;

use super::form_with;
use crate::i18n::Locale;
use crate::schema::{FormDefinition, ProblemCode as P, SchemaError};

fn label() -> serde_json::Value {
    json!({"zh-CN": "字段", "en": "Field"})
}

fn problems(def: &FormDefinition) -> Vec<(String, P)> {
    def.check().into_iter().map(|p| (p.path, p.code)).collect()
}

fn has(def: &FormDefinition, path: &str, code: P) -> bool {
    let found = problems(def);
    let ok = found.iter().any(|(p, c)| p == path && *c == code);
    assert!(ok, "expected {code:?} at {path}, found {found:?}");
    ok
}

#[test]
fn the_demo_is_sound() {
    let demo = FormDefinition::demo_customer_registration();
    assert_eq!(demo.check(), vec![]);
    assert_eq!(demo.compliance_warnings(), vec![]);
}

#[test]
fn duplicate_keys_are_found_everywhere() {
    let mut def = form_with(json!([
        {"key": "a", "kind": {"type": "single_choice", "options": [
            {"key": "x", "label": label()}, {"key": "x", "label": label()}]}, "label": label()},
        {"key": "a", "kind": {"type": "short_text"}, "label": label()}
    ]));
    def.purposes.push(def.purposes[0].clone());
    def.sections.push(def.sections[0].clone());
    has(
        &def,
        "sections[0].fields[0].kind.options[1].key",
        P::DuplicateOptionKey,
    );
    has(&def, "sections[0].fields[1].key", P::DuplicateFieldKey);
    has(&def, "purposes[1].key", P::DuplicatePurposeKey);
    has(&def, "sections[1].key", P::DuplicateSectionKey);
    has(&def, "sections[1].fields[0].key", P::DuplicateFieldKey);
}

#[test]
fn conditions_must_refer_to_earlier_fields_and_real_options() {
    let opts = json!([{"key": "yes", "label": label()}]);
    let def = form_with(json!([
        {"key": "a", "kind": {"type": "single_choice", "options": opts}, "label": label(),
         "visible_when": {"is_filled": {"field": "a"}}},
        {"key": "b", "kind": {"type": "short_text"}, "label": label(),
         "visible_when": {"all": [{"equals": {"field": "c", "value": "x"}},
                                  {"equals": {"field": "nope", "value": "x"}},
                                  {"equals": {"field": "a", "value": "no"}},
                                  {"includes": {"field": "a", "value": "yes"}}]}},
        {"key": "c", "kind": {"type": "yes_no"}, "label": label(),
         "visible_when": {"any": [{"equals": {"field": "a", "value": true}},
                                  {"includes": {"field": "b", "value": "x"}},
                                  {"not": {"any": []}},
                                  {"one_of": {"field": "a", "values": ["yes", "maybe"]}},
                                  {"is_filled": {"field": "n"}}]}},
        {"key": "n", "kind": {"type": "notice"}, "label": label()},
        {"key": "d", "kind": {"type": "short_text"}, "label": label(),
         "visible_when": {"equals": {"field": "n", "value": "x"}}}
    ]));
    has(
        &def,
        "sections[0].fields[0].visible_when.is_filled.field",
        P::ConditionFieldNotEarlier,
    );
    has(
        &def,
        "sections[0].fields[1].visible_when.all[0].equals.field",
        P::ConditionFieldNotEarlier,
    );
    has(
        &def,
        "sections[0].fields[1].visible_when.all[1].equals.field",
        P::UnknownConditionField,
    );
    has(
        &def,
        "sections[0].fields[1].visible_when.all[2].equals.value",
        P::ConditionUnknownOption,
    );
    assert!(!problems(&def).iter().any(|(p, _)| p.contains("all[3]")));
    has(
        &def,
        "sections[0].fields[2].visible_when.any[0].equals.value",
        P::ConditionValueMismatch,
    );
    has(
        &def,
        "sections[0].fields[2].visible_when.any[1].includes.field",
        P::ConditionNotApplicable,
    );
    has(
        &def,
        "sections[0].fields[2].visible_when.any[2].not.any",
        P::EmptyCondition,
    );
    has(
        &def,
        "sections[0].fields[2].visible_when.any[3].one_of.values[1]",
        P::ConditionUnknownOption,
    );
    has(
        &def,
        "sections[0].fields[2].visible_when.any[4].is_filled.field",
        P::ConditionFieldNotEarlier,
    );
    has(
        &def,
        "sections[0].fields[4].visible_when.equals.field",
        P::ConditionFieldHoldsNoValue,
    );
}

#[test]
fn rules_limits_kinds_and_defaults_are_checked() {
    let def = form_with(json!([
        {"key": "t", "kind": {"type": "short_text"}, "label": label(),
         "rules": {"min_length": 5, "max_length": 2, "min": 1,
                   "pattern": {"regex": "(", "message": {"zh-CN": "", "en": ""}}}},
        {"key": "n", "kind": {"type": "number", "decimals": 30}, "label": label(),
         "rules": {"min": "10", "max": "9.5"}, "default": "abc"},
        {"key": "m", "kind": {"type": "multiple_choice", "options": []}, "label": label(),
         "rules": {"min_selected": 3, "max_selected": 1}},
        {"key": "d", "kind": {"type": "date"}, "label": label(),
         "rules": {"date_min": "2020-01-02", "date_max": "2020-01-01"}, "default": "2020-01-01"},
        {"key": "p", "kind": {"type": "phone", "formats": []}, "label": {"zh-CN": "", "en": " "},
         "purposes": ["nope"], "retention": {"days": 0, "action": "delete"}},
        {"key": "x", "kind": {"type": "notice"}, "label": label(), "required": true}
    ]));
    has(
        &def,
        "sections[0].fields[0].rules.max_length",
        P::MinAboveMax,
    );
    has(
        &def,
        "sections[0].fields[0].rules.min",
        P::RuleNotApplicable,
    );
    has(
        &def,
        "sections[0].fields[0].rules.pattern.regex",
        P::InvalidPattern,
    );
    has(
        &def,
        "sections[0].fields[0].rules.pattern.message",
        P::BlankText,
    );
    has(
        &def,
        "sections[0].fields[1].kind.decimals",
        P::InvalidDecimals,
    );
    has(&def, "sections[0].fields[1].rules.max", P::MinAboveMax);
    has(&def, "sections[0].fields[1].default", P::InvalidDefault);
    has(&def, "sections[0].fields[2].kind.options", P::NoOptions);
    has(
        &def,
        "sections[0].fields[2].rules.max_selected",
        P::MinAboveMax,
    );
    has(&def, "sections[0].fields[3].rules.date_max", P::MinAboveMax);
    assert!(!problems(&def)
        .iter()
        .any(|(p, _)| p == "sections[0].fields[3].default"));
    has(&def, "sections[0].fields[4].kind.formats", P::NoPhoneFormat);
    has(&def, "sections[0].fields[4].label", P::BlankText);
    has(&def, "sections[0].fields[4].purposes[0]", P::UnknownPurpose);
    has(
        &def,
        "sections[0].fields[4].retention.days",
        P::InvalidRetention,
    );
    has(&def, "sections[0].fields[5].required", P::NoticeRequired);
}

#[test]
fn form_level_problems() {
    let mut def = form_with(json!([]));
    def.format_version = 2;
    def.title = crate::i18n::LocalizedText::default();
    def.controller.contact = " ".into();
    def.embed_origins = vec![
        "https://shop.example.com".into(),
        "http://localhost:8080".into(),
        "https://shop.example.com/".into(),
        "ftp://example.com".into(),
        "https://Example.com".into(),
        "https://example.com:0".into(),
        "https://user@example.com".into(),
        "example.com".into(),
    ];
    def.guardian_consent_under_age = Some(30);
    def.purposes[0].retention = Some(crate::schema::RetentionPeriod {
        days: 0,
        action: crate::schema::RetentionAction::Delete,
        from: crate::schema::RetentionStart::RelationshipEnd,
    });
    has(&def, "purposes[0].retention.days", P::InvalidRetention);
    has(&def, "format_version", P::UnsupportedFormatVersion);
    has(&def, "title", P::BlankText);
    has(&def, "controller.contact", P::BlankText);
    has(&def, "sections", P::NoFields);
    has(&def, "guardian_consent_under_age", P::InvalidGuardianAge);
    let bad: Vec<String> = def
        .check()
        .into_iter()
        .filter(|p| p.code == P::InvalidOrigin)
        .map(|p| p.path)
        .collect();
    assert_eq!(
        bad,
        (2..8)
            .map(|i| format!("embed_origins[{i}]"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn parse_returns_every_problem_and_messages_are_translated() {
    let mut def = FormDefinition::demo_customer_registration();
    def.sections[0].fields[1].key = def.sections[0].fields[0].key.clone();
    def.purposes.clear();
    let json = def.to_json().unwrap();
    match FormDefinition::parse(&json) {
        Err(SchemaError::Invalid(problems)) => {
            assert!(problems.len() > 5, "{problems:?}");
            for p in &problems {
                for locale in Locale::ALL {
                    let m = p.message(locale);
                    assert!(
                        !m.is_empty() && !m.ends_with('.') && !m.contains('?'),
                        "{m}"
                    );
                }
            }
            assert!(problems[0].to_string().contains(": "));
        }
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn malformed_definitions_are_errors_not_panics() {
    let e =
        FormDefinition::from_json(r#"{"format_version": 1, "title": {"en": "x"}, "colour": 1}"#);
    assert!(matches!(e, Err(SchemaError::Malformed(_))));
    let bad_key = json!({"format_version": 1, "title": {}, "controller": {"name": {}, "contact": ""},
                         "purposes": [], "notice": {}, "sections": [{"key": "Main", "fields": []}]});
    let e = FormDefinition::from_json(&bad_key.to_string());
    let msg = e.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("must start with a lower-case letter"), "{msg}");
}
