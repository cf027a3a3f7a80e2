//! Validating a set of answers against a form: the one engine the browser and the server both run.
//!
//! Fields are visited in form order. For each field:
//!
//! 1. its `visible_when` condition is evaluated against the valid answers of the visible
//!    fields before it (see [`Condition`](super::Condition));
//! 2. a hidden field must have no answer (`hidden_field`): the value is rejected, never
//!    silently dropped, so nothing is collected that the person was not asked for;
//! 3. a notice takes no answer (`read_only`);
//! 4. a visible required field must have one (`required`);
//! 5. an answer is parsed by the field's kind, then every rule is checked.
//!
//! Answers for keys the form does not have are rejected (`unknown_field`). Blank answers
//! (`null`, `""`, `[]`) count as no answer. "Today", used by date rules and resident ID
//! birth dates, is always a parameter: this crate never reads the clock.

use std::collections::{BTreeMap, BTreeSet};

use time::Date;

use super::definition::FormDefinition;
use super::issue::{IssueCode, ValidationErrors, ValidationIssue};
use super::keys::FieldKey;
use super::parse::{check_rules, parse_answer};
use super::value::{is_blank, Answers, FieldValue, ValidatedAnswers};

/// The outcome of walking the whole form once.
struct Walk {
    values: BTreeMap<FieldKey, FieldValue>,
    visible: BTreeSet<FieldKey>,
    issues: Vec<ValidationIssue>,
}

fn walk(def: &FormDefinition, answers: &Answers, today: Date) -> Walk {
    let mut out = Walk {
        values: BTreeMap::new(),
        visible: BTreeSet::new(),
        issues: Vec::new(),
    };
    for field in def.fields() {
        let key = field.key.as_str();
        let visible = field
            .visible_when
            .as_ref()
            .is_none_or(|c| c.evaluate(&out.values));
        if visible {
            out.visible.insert(field.key.clone());
        }
        let raw = answers.get(key).filter(|v| !is_blank(v));
        if !field.holds_value() {
            if raw.is_some() {
                out.issues
                    .push(ValidationIssue::new(key, IssueCode::ReadOnly));
            }
            continue;
        }
        match (visible, raw) {
            (false, Some(_)) => out
                .issues
                .push(ValidationIssue::new(key, IssueCode::HiddenField)),
            (false, None) => {}
            (true, None) => {
                if field.required {
                    out.issues
                        .push(ValidationIssue::new(key, IssueCode::Required));
                }
            }
            (true, Some(raw)) => match parse_answer(field, raw, today) {
                Ok(value) => {
                    let failed = check_rules(field, &value, today);
                    if failed.is_empty() {
                        out.values.insert(field.key.clone(), value);
                    } else {
                        out.issues.extend(failed);
                    }
                }
                Err(issue) => out.issues.push(issue),
            },
        }
    }
    for key in answers.keys() {
        if def.field(key).is_none() {
            out.issues
                .push(ValidationIssue::new(key.as_str(), IssueCode::UnknownField));
        }
    }
    out
}

/// Validates every answer of a form, as of `today`.
///
/// # Errors
/// [`ValidationErrors`] listing every problem, per field, in form order.
pub fn validate(
    def: &FormDefinition,
    answers: &Answers,
    today: Date,
) -> Result<ValidatedAnswers, ValidationErrors> {
    let walk = walk(def, answers, today);
    if walk.issues.is_empty() {
        Ok(ValidatedAnswers::from_values(walk.values))
    } else {
        Err(ValidationErrors {
            issues: walk.issues,
        })
    }
}

/// The problems with one field given the whole form's answers so far, for validation as
/// the person types. Gives exactly what [`validate`] reports for that key.
#[must_use]
pub fn validate_field(
    def: &FormDefinition,
    answers: &Answers,
    key: &str,
    today: Date,
) -> Vec<ValidationIssue> {
    walk(def, answers, today)
        .issues
        .into_iter()
        .filter(|i| i.field == key)
        .collect()
}

impl FormDefinition {
    /// The keys of the fields visible with these answers; the UI shows only these.
    #[must_use]
    pub fn visible_fields(&self, answers: &Answers, today: Date) -> BTreeSet<FieldKey> {
        walk(self, answers, today).visible
    }

    /// Validates answers against this form; see [`validate`].
    ///
    /// # Errors
    /// [`ValidationErrors`] listing every problem.
    pub fn validate(
        &self,
        answers: &Answers,
        today: Date,
    ) -> Result<ValidatedAnswers, ValidationErrors> {
        validate(self, answers, today)
    }
}
