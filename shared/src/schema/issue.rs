//! What is wrong with an answer: stable codes with parameters, turned into API field issues.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::messages;
use crate::api::error::{ApiError, FieldIssue};
use crate::i18n::{Locale, LocalizedText};

/// A stable code for one problem with one answer. Its JSON form is the `snake_case` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode {
    /// A visible required field has no answer.
    Required,
    /// The answer names a field the form does not have.
    UnknownField,
    /// The field is hidden by its condition, so it must not be answered.
    HiddenField,
    /// The field is a read-only notice and takes no answer.
    ReadOnly,
    /// The JSON type does not fit the field (for example a number for a text field).
    WrongType,
    /// Fewer characters than `min`.
    TooShort,
    /// More characters than `max`.
    TooLong,
    /// The text contains control characters.
    InvalidCharacters,
    /// A number below `min`.
    BelowMin,
    /// A number above `max`.
    AboveMax,
    /// The text does not match the field's pattern.
    PatternMismatch,
    /// A choice that is not one of the options (`value`).
    NotAnOption,
    /// The same option picked twice (`value`).
    DuplicateOption,
    /// Fewer options picked than `min`.
    TooFewSelected,
    /// More options picked than `max`.
    TooManySelected,
    /// Not an email address.
    EmailInvalid,
    /// Not a phone number in an accepted format.
    PhoneInvalid,
    /// A resident ID number of the wrong length or characters.
    ResidentIdInvalid,
    /// A resident ID number whose check character does not match.
    ResidentIdChecksum,
    /// A resident ID number whose birth date is impossible or in the future.
    ResidentIdBirthDate,
    /// Not a real date written as `yyyy-mm-dd`.
    DateInvalid,
    /// A date before `min`.
    DateBeforeMin,
    /// A date after `max`.
    DateAfterMax,
    /// Not a decimal number.
    NumberInvalid,
    /// More than `max` digits after the decimal point.
    TooManyDecimals,
    /// An address without one of its required parts (`part`).
    AddressIncomplete,
    /// A signature image with no content.
    SignatureMissing,
    /// A signature that is neither a PNG data URL nor a typed name.
    SignatureInvalid,
    /// A signature image larger than `max` bytes.
    SignatureTooLarge,
}

impl IssueCode {
    /// Every code, in declaration order (for translation tables and tests).
    pub const ALL: [IssueCode; 29] = [
        IssueCode::Required,
        IssueCode::UnknownField,
        IssueCode::HiddenField,
        IssueCode::ReadOnly,
        IssueCode::WrongType,
        IssueCode::TooShort,
        IssueCode::TooLong,
        IssueCode::InvalidCharacters,
        IssueCode::BelowMin,
        IssueCode::AboveMax,
        IssueCode::PatternMismatch,
        IssueCode::NotAnOption,
        IssueCode::DuplicateOption,
        IssueCode::TooFewSelected,
        IssueCode::TooManySelected,
        IssueCode::EmailInvalid,
        IssueCode::PhoneInvalid,
        IssueCode::ResidentIdInvalid,
        IssueCode::ResidentIdChecksum,
        IssueCode::ResidentIdBirthDate,
        IssueCode::DateInvalid,
        IssueCode::DateBeforeMin,
        IssueCode::DateAfterMax,
        IssueCode::NumberInvalid,
        IssueCode::TooManyDecimals,
        IssueCode::AddressIncomplete,
        IssueCode::SignatureMissing,
        IssueCode::SignatureInvalid,
        IssueCode::SignatureTooLarge,
    ];

    /// The stable JSON name of the code.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            IssueCode::Required => "required",
            IssueCode::UnknownField => "unknown_field",
            IssueCode::HiddenField => "hidden_field",
            IssueCode::ReadOnly => "read_only",
            IssueCode::WrongType => "wrong_type",
            IssueCode::TooShort => "too_short",
            IssueCode::TooLong => "too_long",
            IssueCode::InvalidCharacters => "invalid_characters",
            IssueCode::BelowMin => "below_min",
            IssueCode::AboveMax => "above_max",
            IssueCode::PatternMismatch => "pattern_mismatch",
            IssueCode::NotAnOption => "not_an_option",
            IssueCode::DuplicateOption => "duplicate_option",
            IssueCode::TooFewSelected => "too_few_selected",
            IssueCode::TooManySelected => "too_many_selected",
            IssueCode::EmailInvalid => "email_invalid",
            IssueCode::PhoneInvalid => "phone_invalid",
            IssueCode::ResidentIdInvalid => "resident_id_invalid",
            IssueCode::ResidentIdChecksum => "resident_id_checksum",
            IssueCode::ResidentIdBirthDate => "resident_id_birth_date",
            IssueCode::DateInvalid => "date_invalid",
            IssueCode::DateBeforeMin => "date_before_min",
            IssueCode::DateAfterMax => "date_after_max",
            IssueCode::NumberInvalid => "number_invalid",
            IssueCode::TooManyDecimals => "too_many_decimals",
            IssueCode::AddressIncomplete => "address_incomplete",
            IssueCode::SignatureMissing => "signature_missing",
            IssueCode::SignatureInvalid => "signature_invalid",
            IssueCode::SignatureTooLarge => "signature_too_large",
        }
    }
}

impl fmt::Display for IssueCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with the answer to one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationIssue {
    /// The field key as sent (it may not be a valid key when the code is `unknown_field`).
    pub field: String,
    /// What is wrong.
    pub code: IssueCode,
    /// Values the message refers to, such as `{"min": "2"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    /// The designer's own wording, which replaces the standard message (pattern rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_message: Option<LocalizedText>,
}

impl ValidationIssue {
    /// An issue without parameters.
    #[must_use]
    pub fn new(field: impl Into<String>, code: IssueCode) -> Self {
        Self {
            field: field.into(),
            code,
            params: BTreeMap::new(),
            custom_message: None,
        }
    }

    /// Adds a parameter.
    #[must_use]
    pub fn with(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.params.insert(name.to_owned(), value.to_string());
        self
    }

    /// The message for people, in `locale`.
    #[must_use]
    pub fn message(&self, locale: Locale) -> String {
        match &self.custom_message {
            Some(text) if !text.is_blank() => text.get(locale).to_owned(),
            _ => messages::issue_message(self.code, &self.params, locale),
        }
    }

    /// The API shape of this issue, with its message in `locale`.
    #[must_use]
    pub fn to_field_issue(&self, locale: Locale) -> FieldIssue {
        FieldIssue {
            code: self.code.as_str().to_owned(),
            params: self.params.clone(),
            message: self.message(locale),
        }
    }
}

/// Every problem found while validating a set of answers; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("the answers have {} problems", .issues.len())]
pub struct ValidationErrors {
    /// The problems, in form order (unknown fields last).
    pub issues: Vec<ValidationIssue>,
}

impl ValidationErrors {
    /// The problems with one field.
    pub fn for_field<'a>(
        &'a self,
        field: &'a str,
    ) -> impl Iterator<Item = &'a ValidationIssue> + 'a {
        self.issues.iter().filter(move |i| i.field == field)
    }

    /// The codes reported for one field, in order.
    #[must_use]
    pub fn codes_for(&self, field: &str) -> Vec<IssueCode> {
        self.for_field(field).map(|i| i.code).collect()
    }

    /// The issues grouped by field key, with messages in `locale`, ready for
    /// [`ApiError::validation`].
    #[must_use]
    pub fn to_field_issues(&self, locale: Locale) -> BTreeMap<String, Vec<FieldIssue>> {
        let mut map: BTreeMap<String, Vec<FieldIssue>> = BTreeMap::new();
        for issue in &self.issues {
            map.entry(issue.field.clone())
                .or_default()
                .push(issue.to_field_issue(locale));
        }
        map
    }

    /// A `validation_failed` API error carrying every issue, in `locale`.
    #[must_use]
    pub fn to_api_error(&self, locale: Locale) -> ApiError {
        ApiError::validation(
            messages::validation_failed(locale),
            self.to_field_issues(locale),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_to_their_names() {
        for code in [
            IssueCode::Required,
            IssueCode::ResidentIdBirthDate,
            IssueCode::TooManyDecimals,
        ] {
            assert_eq!(
                serde_json::to_string(&code).ok(),
                Some(format!("\"{}\"", code.as_str()))
            );
        }
    }

    #[test]
    fn custom_messages_replace_the_standard_one() {
        let mut issue = ValidationIssue::new("code", IssueCode::PatternMismatch);
        assert!(!issue.message(Locale::En).is_empty());
        issue.custom_message = Some(LocalizedText::new("请输入6位数字", "Enter 6 digits"));
        assert_eq!(issue.message(Locale::ZhCn), "请输入6位数字");
        assert_eq!(issue.to_field_issue(Locale::En).message, "Enter 6 digits");
    }

    #[test]
    fn errors_group_by_field_for_the_api() {
        let errors = ValidationErrors {
            issues: vec![
                ValidationIssue::new("name", IssueCode::Required),
                ValidationIssue::new("age", IssueCode::BelowMin).with("min", 18),
                ValidationIssue::new("age", IssueCode::TooManyDecimals).with("max", 0),
            ],
        };
        let api = errors.to_api_error(Locale::ZhCn);
        assert_eq!(api.field_issues("age").len(), 2);
        assert_eq!(
            api.field_issues("age")[0]
                .params
                .get("min")
                .map(String::as_str),
            Some("18")
        );
        assert_eq!(api.field_issues("name")[0].code, "required");
        assert_eq!(
            errors.codes_for("age"),
            vec![IssueCode::BelowMin, IssueCode::TooManyDecimals]
        );
    }
}
