//! The structural check of `visible_when` conditions: earlier fields only, and values that fit.

use std::collections::BTreeMap;

use serde_json::Value;

use super::check::{ProblemCode, SchemaProblem};
use super::condition::Condition;
use super::decimal::Decimal;
use super::field::{Field, FieldKind};

/// The fields a condition may see: all fields (to tell "unknown" from "later") and those
/// before the field being checked.
pub(super) struct ConditionScope<'a> {
    pub(super) all: &'a BTreeMap<&'a str, &'a Field>,
    pub(super) earlier: &'a BTreeMap<&'a str, &'a Field>,
}

impl ConditionScope<'_> {
    pub(super) fn check(&self, cond: &Condition, path: &str, out: &mut Vec<SchemaProblem>) {
        match cond {
            Condition::All(items) | Condition::Any(items) => {
                let name = if matches!(cond, Condition::All(_)) {
                    "all"
                } else {
                    "any"
                };
                if items.is_empty() {
                    out.push(SchemaProblem::new(
                        format!("{path}.{name}"),
                        ProblemCode::EmptyCondition,
                    ));
                }
                for (i, c) in items.iter().enumerate() {
                    self.check(c, &format!("{path}.{name}[{i}]"), out);
                }
            }
            Condition::Not(inner) => self.check(inner, &format!("{path}.not"), out),
            Condition::Equals { field, value } => self.check_leaf(
                field.as_str(),
                &format!("{path}.equals"),
                &[value],
                false,
                out,
            ),
            Condition::NotEquals { field, value } => {
                self.check_leaf(
                    field.as_str(),
                    &format!("{path}.not_equals"),
                    &[value],
                    false,
                    out,
                );
            }
            Condition::OneOf { field, values } => {
                let refs: Vec<&Value> = values.iter().collect();
                self.check_leaf(field.as_str(), &format!("{path}.one_of"), &refs, false, out);
            }
            Condition::IsFilled { field } => self.check_leaf(
                field.as_str(),
                &format!("{path}.is_filled"),
                &[],
                false,
                out,
            ),
            Condition::Includes { field, value } => {
                let v = Value::String(value.clone());
                self.check_leaf(
                    field.as_str(),
                    &format!("{path}.includes"),
                    &[&v],
                    true,
                    out,
                );
            }
        }
    }

    fn check_leaf(
        &self,
        key: &str,
        path: &str,
        values: &[&Value],
        includes: bool,
        out: &mut Vec<SchemaProblem>,
    ) {
        let field_path = format!("{path}.field");
        let Some(field) = self.earlier.get(key) else {
            let code = if self.all.contains_key(key) {
                ProblemCode::ConditionFieldNotEarlier
            } else {
                ProblemCode::UnknownConditionField
            };
            out.push(SchemaProblem::new(field_path, code).with("field", key));
            return;
        };
        if !field.holds_value() {
            out.push(
                SchemaProblem::new(field_path, ProblemCode::ConditionFieldHoldsNoValue)
                    .with("field", key),
            );
            return;
        }
        let is_choice = matches!(
            field.kind,
            FieldKind::SingleChoice { .. } | FieldKind::MultipleChoice { .. }
        );
        if includes && !is_choice {
            out.push(
                SchemaProblem::new(field_path, ProblemCode::ConditionNotApplicable)
                    .with("field", key)
                    .with("kind", field.kind.name()),
            );
            return;
        }
        let value_path = if path.ends_with(".one_of") {
            format!("{path}.values")
        } else {
            format!("{path}.value")
        };
        for (i, value) in values.iter().enumerate() {
            let vpath = if path.ends_with(".one_of") {
                format!("{value_path}[{i}]")
            } else {
                value_path.clone()
            };
            if let Some(problem) = condition_value_problem(field, value, includes) {
                out.push(
                    SchemaProblem::new(vpath, problem.0)
                        .with("field", key)
                        .with("value", problem.1),
                );
            }
        }
    }
}

/// Whether `value` can be compared with answers of `field`; `None` when it can.
fn condition_value_problem(
    field: &Field,
    value: &Value,
    includes: bool,
) -> Option<(ProblemCode, String)> {
    let mismatch = Some((ProblemCode::ConditionValueMismatch, value.to_string()));
    let unknown = |k: &str| {
        (!field.options().iter().any(|o| o.key.as_str() == k))
            .then(|| (ProblemCode::ConditionUnknownOption, k.to_owned()))
    };
    match (&field.kind, value) {
        (FieldKind::SingleChoice { .. }, Value::String(k)) => unknown(k),
        (FieldKind::MultipleChoice { .. }, Value::String(k)) if includes => unknown(k),
        (FieldKind::MultipleChoice { .. }, Value::Array(items)) if !includes => items
            .iter()
            .find_map(|i| i.as_str().map_or(mismatch.clone(), unknown)),
        (FieldKind::YesNo, Value::Bool(_)) => None,
        (FieldKind::Number { .. }, v) => {
            Decimal::from_json(v).is_err().then_some(mismatch).flatten()
        }
        (FieldKind::Address | FieldKind::Signature, _) => mismatch,
        (
            FieldKind::SingleChoice { .. } | FieldKind::MultipleChoice { .. } | FieldKind::YesNo,
            _,
        ) => mismatch,
        (_, Value::String(_)) => None,
        _ => mismatch,
    }
}
