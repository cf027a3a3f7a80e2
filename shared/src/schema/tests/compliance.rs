//! Compliance warnings point at legal gaps, with paths and messages in both languages.

use serde_json::json;

use super::form_with;
use crate::i18n::{Locale, LocalizedText};
use crate::schema::{
    compliance_warnings, CrossBorderTransfer, FormDefinition, PurposeKey, Sensitivity,
    WarningCode as W,
};

fn warnings(def: &FormDefinition) -> Vec<(String, W)> {
    compliance_warnings(def)
        .into_iter()
        .map(|w| (w.path, w.code))
        .collect()
}

fn has(def: &FormDefinition, path: &str, code: W) {
    let found = warnings(def);
    assert!(
        found.iter().any(|(p, c)| p == path && *c == code),
        "expected {code:?} at {path}, found {found:?}"
    );
}

fn label() -> serde_json::Value {
    json!({"zh-CN": "字段", "en": "Field"})
}

#[test]
fn field_level_warnings() {
    let mut def = form_with(json!([
        {"key": "id", "kind": {"type": "resident_id"}, "label": label(), "sensitivity": "sensitive"},
        {"key": "id2", "kind": {"type": "resident_id"}, "label": label(), "purposes": ["service"]},
        {"key": "name", "kind": {"type": "short_text"}, "label": label()},
        {"key": "rating", "kind": {"type": "number"}, "label": label(), "sensitivity": "ordinary"},
        {"key": "intro", "kind": {"type": "notice"}, "label": label()},
        {"key": "ghost", "kind": {"type": "short_text"}, "label": label(), "purposes": ["profiling"]}
    ]));
    def.sensitive_consent_text = LocalizedText::default();
    has(
        &def,
        "sections[0].fields[0].purposes",
        W::SensitiveFieldWithoutPurpose,
    );
    has(
        &def,
        "sections[0].fields[0].retention",
        W::SensitiveFieldWithoutRetention,
    );
    has(
        &def,
        "sections[0].fields[1].sensitivity",
        W::ResidentIdNotSensitive,
    );
    has(
        &def,
        "sections[0].fields[2].purposes",
        W::PersonalFieldWithoutPurpose,
    );
    has(
        &def,
        "sections[0].fields[5].purposes[0]",
        W::PurposeNotDeclared,
    );
    has(
        &def,
        "sensitive_consent_text",
        W::SensitiveConsentTextMissing,
    );
    // Ordinary fields and notices need no purpose.
    assert!(!warnings(&def)
        .iter()
        .any(|(p, _)| p.starts_with("sections[0].fields[3]")));
    assert!(!warnings(&def)
        .iter()
        .any(|(p, _)| p.starts_with("sections[0].fields[4]")));
}

#[test]
fn form_level_warnings() {
    let mut def = FormDefinition::demo_customer_registration();
    def.notice = LocalizedText::new("我们收集信息", "We collect data for MARKETING");
    def.purposes[0].lawful_basis = crate::schema::LawfulBasis::Consent;
    def.cross_border = Some(CrossBorderTransfer {
        recipient: " ".into(),
        country: String::new(),
        purpose: LocalizedText::new("客服", "Support"),
    });
    def.guardian_consent_under_age = Some(12);
    has(&def, "purposes[0].name", W::PurposeNotInNotice);
    has(&def, "purposes[2].name", W::PurposeNotInNotice);
    // "Marketing" is mentioned (case is ignored in English).
    assert!(!warnings(&def).iter().any(|(p, _)| p == "purposes[1].name"));
    has(
        &def,
        "purposes[0].required",
        W::RequiredPurposeReliesOnConsent,
    );
    has(
        &def,
        "cross_border.recipient",
        W::CrossBorderRecipientMissing,
    );
    has(&def, "cross_border.country", W::CrossBorderCountryMissing);
    has(&def, "guardian_consent_under_age", W::GuardianAgeBelowPipl);
    for w in compliance_warnings(&def) {
        for locale in Locale::ALL {
            let m = w.message(locale);
            assert!(
                !m.is_empty() && !m.ends_with('.') && !m.contains('?'),
                "{m}"
            );
        }
    }
}

#[test]
fn the_demo_stays_clean_and_fixes_clear_warnings() {
    let mut def = FormDefinition::demo_customer_registration();
    assert!(compliance_warnings(&def).is_empty());
    let id = def.sections[1]
        .fields
        .iter_mut()
        .find(|f| f.key.as_str() == "resident_id");
    let id = id.map(|f| {
        f.retention = None;
        f.purposes = vec![PurposeKey::parse("identity_verification").unwrap()];
        f.sensitivity = Sensitivity::Sensitive;
    });
    assert!(id.is_some());
    assert_eq!(
        warnings(&def),
        vec![(
            "sections[1].fields[1].retention".to_owned(),
            W::SensitiveFieldWithoutRetention
        )]
    );
}
