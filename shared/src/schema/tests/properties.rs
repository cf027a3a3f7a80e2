//! Property tests: the rules hold for generated inputs, and nothing panics on hostile ones.

use proptest::prelude::*;
use serde_json::{Map, Value};
use time::Duration;

use super::TODAY;
use crate::schema::{
    check_character, validate, Answers, Decimal, FormDefinition, PhoneFormat, PhoneNumber,
    ResidentId,
};

/// A valid resident ID's first 17 characters: region 1-9xxxxx, a real past birth date, a sequence.
fn first17() -> impl Strategy<Value = String> {
    let days_back = 0i64..(TODAY - time::macros::date!(1900 - 01 - 01)).whole_days();
    ("[1-9][0-9]{5}", days_back, "[0-9]{3}").prop_map(|(region, back, seq)| {
        let d = TODAY - Duration::days(back);
        format!(
            "{region}{:04}{:02}{:02}{seq}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )
    })
}

/// Any JSON value, up to a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,24}".prop_map(Value::String),
        "[0-9X+ -]{0,20}".prop_map(Value::String),
        Just(Value::String("data:image/png;base64,iVBORw0KGgo=".into())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,8}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Answers keyed by the demo's real keys and by random ones.
fn any_answers() -> impl Strategy<Value = Answers> {
    let demo = FormDefinition::demo_customer_registration();
    let keys: Vec<String> = demo.fields().map(|f| f.key.as_str().to_owned()).collect();
    let key = prop_oneof![prop::sample::select(keys), "\\PC{0,10}"];
    prop::collection::btree_map(key, any_json(), 0..16)
}

proptest! {
    #[test]
    fn any_id_with_its_computed_check_character_is_valid(first in first17()) {
        let check = check_character(&first).unwrap();
        let id = format!("{first}{check}");
        prop_assert!(ResidentId::parse(&id, TODAY).is_ok(), "{}", id);
        prop_assert!(ResidentId::parse(&id.to_lowercase(), TODAY).is_ok());
    }

    #[test]
    fn changing_any_single_character_breaks_the_id(first in first17(), pos in 0usize..18, delta in 1u8..10) {
        let id = format!("{first}{}", check_character(&first).unwrap());
        let mut bytes = id.into_bytes();
        let old = if bytes[pos] == b'X' { 10 } else { bytes[pos] - b'0' };
        let new = (old + delta) % if pos == 17 { 11 } else { 10 };
        bytes[pos] = if new == 10 { b'X' } else { b'0' + new };
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(ResidentId::parse(&changed, TODAY).is_err(), "{}", changed);
    }

    #[test]
    fn mainland_mobiles_normalise_whatever_the_spacing(
        second in "[3-9]", rest in "[0-9]{9}", seps in prop::collection::vec(prop_oneof![Just(""), Just(" "), Just("-")], 11),
        prefix in prop_oneof![Just(""), Just("+86"), Just("+86 ")],
    ) {
        let digits = format!("1{second}{rest}");
        let spaced: String = digits.chars().zip(&seps).map(|(c, s)| format!("{c}{s}")).collect();
        let parsed = PhoneNumber::parse(&format!("{prefix}{spaced}"), &[PhoneFormat::CnMobile]).unwrap();
        prop_assert_eq!(parsed.as_str(), format!("+86{digits}"));
    }

    #[test]
    fn decimal_order_agrees_with_integers(a in any::<i64>(), b in any::<i64>()) {
        let da = Decimal::parse(&a.to_string()).unwrap();
        let db = Decimal::parse(&b.to_string()).unwrap();
        prop_assert_eq!(da.cmp(&db), a.cmp(&b));
    }

    #[test]
    fn validation_never_panics_on_arbitrary_answers(answers in any_answers()) {
        let demo = FormDefinition::demo_customer_registration();
        if let Ok(valid) = validate(&demo, &answers, TODAY) {
            // Whatever passes passes again in its normalised shape.
            prop_assert_eq!(validate(&demo, &valid.to_answers(), TODAY).ok(), Some(valid));
        }
    }

    #[test]
    fn definitions_from_arbitrary_json_never_panic(v in any_json()) {
        let _ = FormDefinition::from_json(&v.to_string());
        let mut with_version = v;
        if let Some(o) = with_version.as_object_mut() {
            o.insert("format_version".into(), Value::from(1));
        }
        if let Ok(def) = FormDefinition::from_json(&with_version.to_string()) {
            let _ = def.check();
        }
    }

    #[test]
    fn canonical_bytes_survive_a_json_round_trip(title in "\\PC{0,30}", label in "\\PC{0,30}", help in "[\\x00-\\x7f]{0,20}") {
        let mut def = FormDefinition::demo_customer_registration();
        def.title.zh_cn = title;
        def.sections[0].fields[0].label.en = label;
        def.sections[0].fields[0].help.zh_cn = help;
        let compact = def.to_json().unwrap();
        let pretty = serde_json::to_string_pretty(&def).unwrap();
        let canonical = String::from_utf8(def.canonical_bytes()).unwrap();
        for text in [compact, pretty, canonical] {
            let back = FormDefinition::from_json(&text).unwrap();
            prop_assert_eq!(back.canonical_bytes(), def.canonical_bytes());
            prop_assert_eq!(back.version_hash(), def.version_hash());
        }
    }
}
