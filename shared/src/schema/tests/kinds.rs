//! Each field kind parses its answers, and each rule reports its own code.

use base64::Engine as _;
use serde_json::json;

use super::{codes, one_field, run};
use crate::schema::{FieldValue, IssueCode as C, Signature, PNG_DATA_URL_PREFIX};

#[test]
fn short_text_trims_and_checks_lengths_and_pattern() {
    let def = one_field(
        json!({"type": "short_text"}),
        json!({"rules": {"min_length": 2, "max_length": 4,
                         "pattern": {"regex": "[A-Z]+", "message": {"zh-CN": "大写字母", "en": "Capitals"}}}}),
    );
    assert_eq!(codes(&def, json!("  AB  ")), vec![]);
    let ok = run(&def, json!({"f": " ABC "})).unwrap();
    assert_eq!(ok.get("f"), Some(&FieldValue::Text("ABC".into())));
    assert_eq!(codes(&def, json!("A")), vec![C::TooShort]);
    assert_eq!(codes(&def, json!("ABCDE")), vec![C::TooLong]);
    assert_eq!(codes(&def, json!("ab")), vec![C::PatternMismatch]);
    // Every failing rule is reported, and the pattern must match the whole answer.
    assert_eq!(
        codes(&def, json!("a")),
        vec![C::TooShort, C::PatternMismatch]
    );
    assert_eq!(codes(&def, json!("AB1")), vec![C::PatternMismatch]);
    assert_eq!(codes(&def, json!(12)), vec![C::WrongType]);
    assert_eq!(codes(&def, json!("A\u{0}B")), vec![C::InvalidCharacters]);
    assert_eq!(codes(&def, json!("A\nB")), vec![C::InvalidCharacters]);
    // Lengths count characters, not bytes.
    let zh = one_field(
        json!({"type": "short_text"}),
        json!({"rules": {"max_length": 2}}),
    );
    assert_eq!(codes(&zh, json!("张三")), vec![]);
    assert_eq!(codes(&zh, json!("张三丰")), vec![C::TooLong]);
}

#[test]
fn pattern_mismatch_carries_the_designers_message() {
    let def = one_field(
        json!({"type": "short_text"}),
        json!({"rules": {"pattern": {"regex": "\\d{6}", "message": {"zh-CN": "请输入6位邮编", "en": "Enter a 6-digit postcode"}}}}),
    );
    let err = run(&def, json!({"f": "12345"})).unwrap_err();
    let issues = err.to_field_issues(crate::i18n::Locale::ZhCn);
    assert_eq!(issues["f"][0].code, "pattern_mismatch");
    assert_eq!(issues["f"][0].message, "请输入6位邮编");
}

#[test]
fn long_text_keeps_newlines_and_has_a_hard_cap() {
    let def = one_field(json!({"type": "long_text"}), json!({}));
    assert_eq!(codes(&def, json!("line one\nline two\ttab")), vec![]);
    assert_eq!(codes(&def, json!("x".repeat(10_001))), vec![C::TooLong]);
    let short = one_field(json!({"type": "short_text"}), json!({}));
    assert_eq!(codes(&short, json!("x".repeat(501))), vec![C::TooLong]);
}

#[test]
fn numbers_are_exact_and_check_decimals_and_limits() {
    let def = one_field(
        json!({"type": "number", "decimals": 2}),
        json!({"rules": {"min": 0, "max": "100.5"}}),
    );
    assert_eq!(codes(&def, json!(12.25)), vec![]);
    assert_eq!(codes(&def, json!("12.50")), vec![]);
    assert_eq!(codes(&def, json!("100.5")), vec![]);
    assert_eq!(codes(&def, json!("100.51")), vec![C::AboveMax]);
    assert_eq!(codes(&def, json!(-0.01)), vec![C::BelowMin]);
    assert_eq!(codes(&def, json!("1.234")), vec![C::TooManyDecimals]);
    assert_eq!(codes(&def, json!("abc")), vec![C::NumberInvalid]);
    assert_eq!(codes(&def, json!("1e3")), vec![C::NumberInvalid]);
    assert_eq!(codes(&def, json!(true)), vec![C::WrongType]);
    let v = run(&def, json!({"f": "007.10"})).unwrap();
    assert_eq!(
        v.get("f").and_then(FieldValue::as_text).as_deref(),
        Some("7.1")
    );
    let whole = one_field(json!({"type": "number"}), json!({}));
    assert_eq!(codes(&whole, json!(3)), vec![]);
    assert_eq!(codes(&whole, json!(3.5)), vec![C::TooManyDecimals]);
}

#[test]
fn email_and_phone() {
    let email = one_field(json!({"type": "email"}), json!({}));
    assert_eq!(codes(&email, json!("a@example.com")), vec![]);
    assert_eq!(codes(&email, json!("not-an-email")), vec![C::EmailInvalid]);
    let phone = one_field(json!({"type": "phone"}), json!({}));
    let v = run(&phone, json!({"f": "+86 138-0013-8000"})).unwrap();
    assert_eq!(
        v.get("f").and_then(FieldValue::as_text).as_deref(),
        Some("+8613800138000")
    );
    assert_eq!(codes(&phone, json!("+442079460958")), vec![C::PhoneInvalid]);
    assert_eq!(codes(&phone, json!(13800138000_u64)), vec![C::WrongType]);
    let intl = one_field(json!({"type": "phone", "formats": ["e164"]}), json!({}));
    assert_eq!(codes(&intl, json!("+442079460958")), vec![]);
    assert_eq!(codes(&intl, json!("13800138000")), vec![C::PhoneInvalid]);
}

#[test]
fn resident_id_reports_each_failure_separately() {
    let def = one_field(json!({"type": "resident_id"}), json!({}));
    let v = run(&def, json!({"f": "11010519491231002x"})).unwrap();
    assert_eq!(
        v.get("f").and_then(FieldValue::as_text).as_deref(),
        Some("11010519491231002X")
    );
    assert_eq!(
        codes(&def, json!("110101199003071234")),
        vec![C::ResidentIdChecksum]
    );
    assert_eq!(
        codes(&def, json!("1101011990030712")),
        vec![C::ResidentIdInvalid]
    );
    // 2030-01-01 is after the validation day; the check digit is right.
    let first17 = "11010120300101123";
    let future = format!(
        "{first17}{}",
        crate::schema::check_character(first17).unwrap()
    );
    assert_eq!(codes(&def, json!(future)), vec![C::ResidentIdBirthDate]);
}

#[test]
fn dates_are_strict_and_limited() {
    let def = one_field(
        json!({"type": "date"}),
        json!({"rules": {"date_min": "2000-01-01", "date_max": "today"}}),
    );
    assert_eq!(codes(&def, json!("2000-01-01")), vec![]);
    assert_eq!(codes(&def, json!("2025-06-01")), vec![]);
    assert_eq!(codes(&def, json!("2025-06-02")), vec![C::DateAfterMax]);
    assert_eq!(codes(&def, json!("1999-12-31")), vec![C::DateBeforeMin]);
    assert_eq!(codes(&def, json!("2023-02-29")), vec![C::DateInvalid]);
    assert_eq!(codes(&def, json!("2024/02/29")), vec![C::DateInvalid]);
    let err = run(&def, json!({"f": "1999-12-31"})).unwrap_err();
    assert_eq!(
        err.issues[0].params.get("min").map(String::as_str),
        Some("2000-01-01")
    );
}

#[test]
fn single_and_multiple_choice() {
    let opts = json!([{"key": "a", "label": {"zh-CN": "甲", "en": "A"}},
                      {"key": "b", "label": {"zh-CN": "乙", "en": "B"}},
                      {"key": "c", "label": {"zh-CN": "丙", "en": "C"}}]);
    let single = one_field(json!({"type": "single_choice", "options": opts}), json!({}));
    assert_eq!(codes(&single, json!("b")), vec![]);
    assert_eq!(codes(&single, json!("z")), vec![C::NotAnOption]);
    assert_eq!(codes(&single, json!(["a"])), vec![C::WrongType]);
    let multi = one_field(
        json!({"type": "multiple_choice", "options": opts}),
        json!({"rules": {"min_selected": 2, "max_selected": 2}}),
    );
    let v = run(&multi, json!({"f": ["c", "a"]})).unwrap();
    // Stored in the form's option order.
    assert_eq!(v.get("f").unwrap().to_answer(), json!(["a", "c"]));
    assert_eq!(codes(&multi, json!(["a"])), vec![C::TooFewSelected]);
    assert_eq!(
        codes(&multi, json!(["a", "b", "c"])),
        vec![C::TooManySelected]
    );
    assert_eq!(codes(&multi, json!(["a", "a"])), vec![C::DuplicateOption]);
    assert_eq!(codes(&multi, json!(["a", "x"])), vec![C::NotAnOption]);
    assert_eq!(codes(&multi, json!("a")), vec![C::WrongType]);
    assert_eq!(codes(&multi, json!(["a", 1])), vec![C::WrongType]);
}

#[test]
fn yes_no_takes_booleans_only() {
    let def = one_field(json!({"type": "yes_no"}), json!({"required": true}));
    assert_eq!(codes(&def, json!(false)), vec![]);
    assert_eq!(codes(&def, json!("yes")), vec![C::WrongType]);
    assert_eq!(codes(&def, json!(null)), vec![C::Required]);
}

#[test]
fn address_needs_province_city_and_detail() {
    let def = one_field(json!({"type": "address"}), json!({}));
    let full = json!({"province": "广东省", "city": "深圳市", "district": "南山区", "detail": "科技园 1 栋"});
    assert_eq!(codes(&def, full), vec![]);
    assert_eq!(
        codes(
            &def,
            json!({"province": "北京市", "city": "北京市", "detail": "长安街 1 号"})
        ),
        vec![]
    );
    let err = run(
        &def,
        json!({"f": {"province": "广东省", "city": "", "detail": "x"}}),
    )
    .unwrap_err();
    assert_eq!(err.issues[0].code, C::AddressIncomplete);
    assert_eq!(
        err.issues[0].params.get("part").map(String::as_str),
        Some("city")
    );
    assert_eq!(
        codes(
            &def,
            json!({"province": "a", "city": "b", "detail": "c", "zip": "1"})
        ),
        vec![C::WrongType]
    );
    assert_eq!(
        codes(&def, json!({"province": "a", "city": 1, "detail": "c"})),
        vec![C::WrongType]
    );
    assert_eq!(codes(&def, json!("广东省深圳市")), vec![C::WrongType]);
    assert_eq!(
        codes(
            &def,
            json!({"province": "a", "city": "b", "detail": "x".repeat(201)})
        ),
        vec![C::TooLong]
    );
}

#[test]
fn signatures_drawn_or_typed() {
    let def = one_field(json!({"type": "signature"}), json!({"required": true}));
    let png = b"\x89PNG\r\n\x1a\nrest-of-image";
    let url = format!(
        "{PNG_DATA_URL_PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    );
    let v = run(&def, json!({ "f": url })).unwrap();
    match v.get("f") {
        Some(FieldValue::Signature(Signature::Drawn { image_sha256, data })) => {
            assert_eq!(image_sha256.len(), 64);
            assert_eq!(data, &url);
        }
        other => panic!("unexpected {other:?}"),
    }
    let typed = run(&def, json!({"f": " Zhang San "})).unwrap();
    assert_eq!(
        typed.get("f"),
        Some(&FieldValue::Signature(Signature::Typed {
            name: "Zhang San".into()
        }))
    );
    assert_eq!(
        codes(&def, json!(PNG_DATA_URL_PREFIX)),
        vec![C::SignatureMissing]
    );
    assert_eq!(
        codes(&def, json!("data:image/jpeg;base64,AAAA")),
        vec![C::SignatureInvalid]
    );
    assert_eq!(
        codes(&def, json!(format!("{PNG_DATA_URL_PREFIX}not base64!"))),
        vec![C::SignatureInvalid]
    );
    let not_png = format!(
        "{PNG_DATA_URL_PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(b"GIF89a")
    );
    assert_eq!(codes(&def, json!(not_png)), vec![C::SignatureInvalid]);
    let huge = format!("{PNG_DATA_URL_PREFIX}{}", "A".repeat(700_000));
    assert_eq!(codes(&def, json!(huge)), vec![C::SignatureTooLarge]);
    assert_eq!(codes(&def, json!("")), vec![C::Required]);
}

#[test]
fn notices_take_no_answer() {
    let def = one_field(json!({"type": "notice"}), json!({"purposes": []}));
    assert_eq!(codes(&def, json!("anything")), vec![C::ReadOnly]);
    assert!(run(&def, json!({})).unwrap().is_empty());
    assert!(run(&def, json!({"f": null})).is_ok());
}

#[test]
fn validated_values_round_trip_through_the_answer_shape() {
    let demo = crate::schema::FormDefinition::demo_customer_registration();
    let first = run(&demo, super::demo_answers()).unwrap();
    let again = super::super::validate(&demo, &first.to_answers(), super::TODAY).unwrap();
    assert_eq!(first, again);
    let stored = serde_json::to_string(&first).unwrap();
    let back: crate::schema::ValidatedAnswers = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, first);
}
