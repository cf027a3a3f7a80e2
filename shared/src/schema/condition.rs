//! Conditions that show a field only when earlier answers call for it.
//!
//! In JSON a condition is an object with one key naming its kind:
//!
//! ```json
//! {"all": [
//!   {"equals": {"field": "marketing", "value": true}},
//!   {"not": {"includes": {"field": "channels", "value": "sms"}}}
//! ]}
//! ```
//!
//! Conditions see only the valid answers of *visible* fields that come earlier in the form:
//! an answer that is hidden, blank or invalid counts as "not filled". So a chain of
//! conditions hides everything below a hidden field, and the browser and the server
//! always agree on what is visible.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::keys::FieldKey;
use super::value::FieldValue;

/// When a field is visible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The field's answer equals `value` (see [`FieldValue::matches`]).
    Equals {
        /// The field whose answer is tested.
        field: FieldKey,
        /// The expected answer.
        value: serde_json::Value,
    },
    /// The field's answer does not equal `value`; true as well when the field is not filled.
    NotEquals {
        /// The field whose answer is tested.
        field: FieldKey,
        /// The answer that hides the field.
        value: serde_json::Value,
    },
    /// The field has a valid answer.
    IsFilled {
        /// The field whose answer is tested.
        field: FieldKey,
    },
    /// The field's answer equals one of `values`.
    OneOf {
        /// The field whose answer is tested.
        field: FieldKey,
        /// The accepted answers.
        values: Vec<serde_json::Value>,
    },
    /// The choice field's answer includes the option `value`.
    Includes {
        /// The choice field whose answer is tested.
        field: FieldKey,
        /// The option key.
        value: String,
    },
    /// Every condition holds (true when the list is empty).
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    All(Vec<Condition>),
    /// At least one condition holds (false when the list is empty).
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    Any(Vec<Condition>),
    /// The condition does not hold.
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    Not(Box<Condition>),
}

impl Condition {
    /// Evaluates the condition against the valid answers of the visible fields so far.
    #[must_use]
    pub fn evaluate(&self, values: &BTreeMap<FieldKey, FieldValue>) -> bool {
        match self {
            Condition::Equals { field, value } => {
                values.get(field).is_some_and(|v| v.matches(value))
            }
            Condition::NotEquals { field, value } => {
                !values.get(field).is_some_and(|v| v.matches(value))
            }
            Condition::IsFilled { field } => values.contains_key(field),
            Condition::OneOf {
                field,
                values: wanted,
            } => values
                .get(field)
                .is_some_and(|v| wanted.iter().any(|w| v.matches(w))),
            Condition::Includes { field, value } => {
                values.get(field).is_some_and(|v| v.includes(value))
            }
            Condition::All(items) => items.iter().all(|c| c.evaluate(values)),
            Condition::Any(items) => items.iter().any(|c| c.evaluate(values)),
            Condition::Not(inner) => !inner.evaluate(values),
        }
    }

    /// Every field the condition refers to, in order of appearance (with repeats).
    #[must_use]
    pub fn referenced_fields(&self) -> Vec<&FieldKey> {
        let mut out = Vec::new();
        self.collect_fields(&mut out);
        out
    }

    fn collect_fields<'a>(&'a self, out: &mut Vec<&'a FieldKey>) {
        match self {
            Condition::Equals { field, .. }
            | Condition::NotEquals { field, .. }
            | Condition::IsFilled { field }
            | Condition::OneOf { field, .. }
            | Condition::Includes { field, .. } => out.push(field),
            Condition::All(items) | Condition::Any(items) => {
                for c in items {
                    c.collect_fields(out);
                }
            }
            Condition::Not(inner) => inner.collect_fields(out),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::schema::keys::OptionKey;
    use serde_json::json;

    fn key(s: &str) -> FieldKey {
        FieldKey::parse(s).unwrap()
    }

    fn values() -> BTreeMap<FieldKey, FieldValue> {
        let mut m = BTreeMap::new();
        m.insert(key("marketing"), FieldValue::Bool(true));
        m.insert(
            key("gender"),
            FieldValue::Choice(OptionKey::parse("female").unwrap()),
        );
        m.insert(
            key("interests"),
            FieldValue::Choices(vec![
                OptionKey::parse("books").unwrap(),
                OptionKey::parse("travel").unwrap(),
            ]),
        );
        m
    }

    fn cond(j: serde_json::Value) -> Condition {
        serde_json::from_value(j).unwrap()
    }

    #[test]
    fn leaf_conditions() {
        let v = values();
        assert!(cond(json!({"equals": {"field": "marketing", "value": true}})).evaluate(&v));
        assert!(!cond(json!({"equals": {"field": "marketing", "value": false}})).evaluate(&v));
        assert!(cond(json!({"not_equals": {"field": "gender", "value": "male"}})).evaluate(&v));
        assert!(cond(json!({"not_equals": {"field": "missing", "value": "x"}})).evaluate(&v));
        assert!(cond(json!({"is_filled": {"field": "gender"}})).evaluate(&v));
        assert!(!cond(json!({"is_filled": {"field": "missing"}})).evaluate(&v));
        assert!(
            cond(json!({"one_of": {"field": "gender", "values": ["male", "female"]}})).evaluate(&v)
        );
        assert!(!cond(json!({"one_of": {"field": "gender", "values": []}})).evaluate(&v));
        assert!(cond(json!({"includes": {"field": "interests", "value": "travel"}})).evaluate(&v));
        assert!(!cond(json!({"includes": {"field": "interests", "value": "music"}})).evaluate(&v));
        assert!(!cond(json!({"equals": {"field": "missing", "value": null}})).evaluate(&v));
    }

    #[test]
    fn combinators() {
        let v = values();
        let t = json!({"is_filled": {"field": "gender"}});
        let f = json!({"is_filled": {"field": "missing"}});
        assert!(cond(json!({"all": [t, t]})).evaluate(&v));
        assert!(!cond(json!({"all": [t, f]})).evaluate(&v));
        assert!(cond(json!({"any": [f, t]})).evaluate(&v));
        assert!(!cond(json!({"any": [f, f]})).evaluate(&v));
        assert!(cond(json!({"all": []})).evaluate(&v));
        assert!(!cond(json!({"any": []})).evaluate(&v));
        assert!(cond(json!({"not": f})).evaluate(&v));
        assert!(cond(json!({"not": {"not": t}})).evaluate(&v));
        let nested = cond(json!({"any": [{"all": [t, {"not": t}]}, {"not": {"any": [f]}}]}));
        assert!(nested.evaluate(&v));
        assert_eq!(nested.referenced_fields().len(), 3);
    }

    #[test]
    fn malformed_conditions_are_rejected() {
        assert!(serde_json::from_value::<Condition>(
            json!({"equals": {"field": "Bad Key", "value": 1}})
        )
        .is_err());
        assert!(serde_json::from_value::<Condition>(json!({"sometimes": {}})).is_err());
        assert!(
            serde_json::from_value::<Condition>(json!({"is_filled": {"field": "a", "x": 1}}))
                .is_err()
        );
    }
}
