//! Conditional visibility, hidden-field rejection, unknown fields and the demo form's story.

use serde_json::json;

use super::{answers, demo_answers, form_with, run, TODAY};
use crate::i18n::Locale;
use crate::schema::{validate_field, FormDefinition, IssueCode as C};

fn label() -> serde_json::Value {
    json!({"zh-CN": "字段", "en": "Field"})
}

/// `kind` (yes/no) → `plan` (single choice, shown when kind = true) → `detail` (text, shown
/// when plan is "pro" or "team") → `notes` (shown when not (kind = true and plan = "team")).
fn chained() -> FormDefinition {
    let opts = json!([{"key": "basic", "label": label()}, {"key": "pro", "label": label()},
                      {"key": "team", "label": label()}]);
    form_with(json!([
        {"key": "subscribe", "kind": {"type": "yes_no"}, "label": label()},
        {"key": "plan", "kind": {"type": "single_choice", "options": opts}, "label": label(), "required": true,
         "visible_when": {"equals": {"field": "subscribe", "value": true}}},
        {"key": "detail", "kind": {"type": "short_text"}, "label": label(), "required": true,
         "visible_when": {"one_of": {"field": "plan", "values": ["pro", "team"]}}},
        {"key": "notes", "kind": {"type": "short_text"}, "label": label(),
         "visible_when": {"not": {"all": [
             {"equals": {"field": "subscribe", "value": true}},
             {"equals": {"field": "plan", "value": "team"}}]}}},
        {"key": "either", "kind": {"type": "short_text"}, "label": label(),
         "visible_when": {"any": [{"is_filled": {"field": "detail"}}, {"is_filled": {"field": "notes"}}]}}
    ]))
}

fn visible(def: &FormDefinition, v: serde_json::Value) -> Vec<String> {
    def.visible_fields(&answers(v), TODAY)
        .into_iter()
        .map(String::from)
        .collect()
}

#[test]
fn chained_conditions_follow_the_answers() {
    let def = chained();
    assert!(def.check().is_empty(), "{:?}", def.check());
    assert_eq!(visible(&def, json!({})), ["notes", "subscribe"]);
    assert_eq!(
        visible(&def, json!({"subscribe": true})),
        ["notes", "plan", "subscribe"]
    );
    assert_eq!(
        visible(&def, json!({"subscribe": true, "plan": "pro"})),
        ["detail", "notes", "plan", "subscribe"]
    );
    assert_eq!(
        visible(
            &def,
            json!({"subscribe": true, "plan": "team", "detail": "x"})
        ),
        ["detail", "either", "plan", "subscribe"]
    );
    // Turning `subscribe` off hides the whole chain below it, whatever `plan` still says.
    assert_eq!(
        visible(&def, json!({"subscribe": false, "plan": "pro"})),
        ["notes", "subscribe"]
    );
}

#[test]
fn hidden_fields_are_not_required() {
    let def = chained();
    assert!(run(&def, json!({"subscribe": false})).is_ok());
    let err = run(&def, json!({"subscribe": true})).unwrap_err();
    assert_eq!(err.codes_for("plan"), vec![C::Required]);
    let err = run(&def, json!({"subscribe": true, "plan": "pro"})).unwrap_err();
    assert_eq!(err.codes_for("detail"), vec![C::Required]);
    let ok = run(
        &def,
        json!({"subscribe": true, "plan": "pro", "detail": "x"}),
    )
    .unwrap();
    assert_eq!(ok.len(), 3);
}

#[test]
fn values_for_hidden_fields_are_rejected_not_dropped() {
    let def = chained();
    let err = run(&def, json!({"subscribe": false, "plan": "pro"})).unwrap_err();
    assert_eq!(err.codes_for("plan"), vec![C::HiddenField]);
    // The chain: `detail` is hidden because `plan` is hidden.
    let err = run(
        &def,
        json!({"subscribe": false, "plan": "pro", "detail": "x"}),
    )
    .unwrap_err();
    assert_eq!(err.codes_for("detail"), vec![C::HiddenField]);
    // Blank values carry no data and are fine.
    assert!(run(
        &def,
        json!({"subscribe": false, "plan": null, "detail": ""})
    )
    .is_ok());
    // An invalid answer counts as unanswered for conditions below it.
    let err = run(
        &def,
        json!({"subscribe": true, "plan": "gold", "detail": "x"}),
    )
    .unwrap_err();
    assert_eq!(err.codes_for("plan"), vec![C::NotAnOption]);
    assert_eq!(err.codes_for("detail"), vec![C::HiddenField]);
}

#[test]
fn unknown_fields_are_rejected() {
    let def = chained();
    let err = run(
        &def,
        json!({"subscribe": false, "admin": true, "Bad Key": 1}),
    )
    .unwrap_err();
    assert_eq!(err.codes_for("admin"), vec![C::UnknownField]);
    assert_eq!(err.codes_for("Bad Key"), vec![C::UnknownField]);
    let api = err.to_api_error(Locale::En);
    assert_eq!(api.code, crate::api::error::ErrorCode::ValidationFailed);
    assert_eq!(api.field_issues("admin")[0].code, "unknown_field");
}

#[test]
fn single_field_validation_matches_the_whole_form() {
    let def = chained();
    let a = answers(json!({"subscribe": true, "plan": "gold", "detail": "x", "zzz": 1}));
    let whole = super::super::validate(&def, &a, TODAY).unwrap_err();
    for key in ["subscribe", "plan", "detail", "notes", "zzz"] {
        let one: Vec<C> = validate_field(&def, &a, key, TODAY)
            .iter()
            .map(|i| i.code)
            .collect();
        assert_eq!(one, whole.codes_for(key), "{key}");
    }
}

#[test]
fn the_demo_form_accepts_a_complete_registration() {
    let demo = FormDefinition::demo_customer_registration();
    let ok = run(&demo, demo_answers()).unwrap();
    assert_eq!(
        ok.get("mobile").and_then(|v| v.as_text()).as_deref(),
        Some("+8613800138000")
    );
    assert_eq!(ok.len(), 12);
}

#[test]
fn the_demo_form_hides_the_channel_without_marketing_consent() {
    let demo = FormDefinition::demo_customer_registration();
    let mut a = demo_answers();
    a["marketing_opt_in"] = json!(false);
    let err = run(&demo, a.clone()).unwrap_err();
    assert_eq!(err.codes_for("preferred_channel"), vec![C::HiddenField]);
    assert_eq!(err.codes_for("messages_per_month"), vec![C::HiddenField]);
    a["preferred_channel"] = json!(null);
    a["messages_per_month"] = json!(null);
    assert!(run(&demo, a).is_ok());
}

#[test]
fn the_demo_form_reports_every_problem_with_messages_in_both_languages() {
    let demo = FormDefinition::demo_customer_registration();
    let err = run(
        &demo,
        json!({"mobile": "12345", "resident_id": "110101199003071234", "interests": ["a"],
               "marketing_opt_in": true, "messages_per_month": 21, "date_of_birth": "2030-01-01"}),
    )
    .unwrap_err();
    let zh = err.to_field_issues(Locale::ZhCn);
    let en = err.to_field_issues(Locale::En);
    assert_eq!(zh["full_name"][0].code, "required");
    assert_eq!(zh["mobile"][0].code, "phone_invalid");
    assert_eq!(zh["resident_id"][0].code, "resident_id_checksum");
    assert_eq!(zh["interests"][0].code, "not_an_option");
    assert_eq!(zh["preferred_channel"][0].code, "required");
    assert_eq!(zh["messages_per_month"][0].code, "above_max");
    assert_eq!(en["messages_per_month"][0].message, "Enter 20 or less");
    assert_eq!(zh["messages_per_month"][0].message, "不能大于 20");
    assert_eq!(zh["date_of_birth"][0].code, "date_after_max");
    assert_eq!(zh["signature"][0].code, "required");
    for issues in zh.values().chain(en.values()) {
        for issue in issues {
            assert!(!issue.message.is_empty());
            assert!(!issue.message.ends_with('.'), "{}", issue.message);
        }
    }
}
