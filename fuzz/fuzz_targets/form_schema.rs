//! A form definition (JSON) and answers to it (JSON), split at the first NUL byte: the
//! definition is read and checked as the designer and the server read one, and answers
//! are validated against it as the browser and the server validate them. Nothing may
//! panic; a definition that reads must survive its own JSON and hash unchanged, and
//! answers that validate must validate again, to the same values, once normalised.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use shared::{
    i18n::Locale,
    mask::mask,
    schema::{compliance_warnings, diff, validate_field, Answers, FormDefinition},
};

fuzz_target!(|data: &[u8]| {
    let (definition, answers) = match data.iter().position(|&b| b == fuzz_support::SCHEMA_END) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(definition) = std::str::from_utf8(definition) else {
        return;
    };
    let Ok(def) = FormDefinition::from_json(definition) else {
        return;
    };
    let checked = read_as_the_designer_does(&def);
    // Answers as a browser sends them (the server reads them from a request body).
    let Ok(answers) = serde_json::from_slice::<Answers>(answers) else {
        return;
    };
    // The designer's preview validates drafts that do not pass `check` yet, so any
    // definition that reads is validated; the invariants hold for checked ones.
    validate_as_both_sides_do(&def, &answers, checked);
});

/// What the designer does with a draft: its problems, warnings, hash and changes.
/// Returns whether the definition passes `check` (the server publishes only those).
fn read_as_the_designer_does(def: &FormDefinition) -> bool {
    let problems = def.check();
    for problem in &problems {
        let _ = problem.message(Locale::ZhCn);
        let _ = problem.message(Locale::En);
    }
    for warning in compliance_warnings(def) {
        let _ = warning.message(Locale::En);
    }
    let hash = def.version_hash();
    let Ok(json) = def.to_json() else {
        panic!("a definition that was read could not be written");
    };
    match FormDefinition::from_json(&json) {
        Ok(back) => {
            assert_eq!(&back, def, "a definition changed through its own JSON");
            assert_eq!(back.version_hash(), hash, "the version hash changed");
        }
        Err(e) => panic!("a definition's own JSON does not read: {e}\n{json}"),
    }
    for change in diff(&fuzz_support::demo().0.definition, def) {
        let _ = change.message(Locale::ZhCn);
    }
    problems.is_empty()
}

fn validate_as_both_sides_do(def: &FormDefinition, answers: &Answers, checked: bool) {
    let today = fuzz_support::today();
    let visible = def.visible_fields(answers, today);
    let result = def.validate(answers, today);
    // Per-field validation as the person types gives exactly what the whole form gives.
    let keys: BTreeSet<&str> = answers
        .keys()
        .map(String::as_str)
        .chain(def.fields().map(|f| f.key.as_str()))
        .collect();
    for key in keys {
        let issues = validate_field(def, answers, key, today);
        let expected: Vec<_> = match &result {
            Ok(_) => Vec::new(),
            Err(e) => e
                .issues
                .iter()
                .filter(|i| i.field == key)
                .cloned()
                .collect(),
        };
        assert_eq!(
            issues, expected,
            "validate_field disagrees with validate on {key}"
        );
    }
    let validated = match result {
        Ok(validated) => validated,
        Err(errors) => {
            let _ = errors.to_api_error(Locale::ZhCn);
            for issue in &errors.issues {
                let _ = issue.message(Locale::En);
            }
            return;
        }
    };
    for (key, value) in validated.iter() {
        assert!(
            visible.contains(key),
            "a hidden field {key:?} holds a value"
        );
        let text = value.display_text();
        if let Some(field) = def.field(key.as_str()) {
            let _ = mask(field.mask, &text);
        }
    }
    let _ = shared::consent::record_hash(&validated);
    let _ = shared::consent::signature_hash(&validated);
    let _ = shared::consent::subject_identifier(def, &validated);
    if checked {
        // Normalised answers (what a receipt's record hash covers) are valid as they are.
        match def.validate(&validated.to_answers(), today) {
            Ok(again) => assert_eq!(again, validated, "normalising changed the values"),
            Err(e) => panic!("normalised answers do not validate: {e:?}"),
        }
    }
}
