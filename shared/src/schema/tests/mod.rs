//! Tests of the schema module as a whole: validation stories, structural checks, compliance and properties.

// Helpers take `json!` values by value so that calls read naturally.
#![allow(clippy::unwrap_used, clippy::needless_pass_by_value)]

mod check;
mod compliance;
mod diff;
mod kinds;
mod properties;
mod visibility;

use serde_json::{json, Value};
use time::macros::date;
use time::Date;

use super::{Answers, FormDefinition, IssueCode, ValidatedAnswers, ValidationErrors};

/// The validation day used throughout.
const TODAY: Date = date!(2025 - 06 - 01);

/// A minimal sound definition around `fields` (one section, purpose `service`).
fn form_with(fields: Value) -> FormDefinition {
    let def = json!({
        "format_version": 1,
        "title": {"zh-CN": "测试", "en": "Test"},
        "controller": {"name": {"zh-CN": "测试公司", "en": "Test Ltd"}, "contact": "dpo@example.com"},
        "purposes": [{"key": "service", "name": {"zh-CN": "服务", "en": "Service"},
                      "lawful_basis": "contract", "required": true}],
        "notice": {"zh-CN": "我们为服务收集信息", "en": "We collect data for the Service"},
        "sensitive_consent_text": {"zh-CN": "我同意", "en": "I agree"},
        "sections": [{"key": "main", "fields": fields}]
    });
    FormDefinition::from_json(&def.to_string()).unwrap()
}

/// A one-field form: `kind` plus extra members merged into the field.
fn one_field(kind: Value, extra: Value) -> FormDefinition {
    let mut field = json!({"key": "f", "kind": kind, "label": {"zh-CN": "字段", "en": "Field"},
                           "purposes": ["service"]});
    if let (Some(f), Some(e)) = (field.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            f.insert(k.clone(), v.clone());
        }
    }
    form_with(json!([field]))
}

fn answers(v: Value) -> Answers {
    serde_json::from_value(v).unwrap()
}

fn run(def: &FormDefinition, v: Value) -> Result<ValidatedAnswers, ValidationErrors> {
    super::validate(def, &answers(v), TODAY)
}

/// The codes reported for field `f` when answering `value`; empty when valid.
fn codes(def: &FormDefinition, value: Value) -> Vec<IssueCode> {
    match run(def, json!({ "f": value })) {
        Ok(_) => Vec::new(),
        Err(e) => e.codes_for("f"),
    }
}

/// A complete, valid set of answers to the demo form.
fn demo_answers() -> Value {
    serde_json::to_value(FormDefinition::demo_answers()).unwrap_or_default()
}
