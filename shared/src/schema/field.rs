//! One question of a form: what kind of answer it takes, its rules, and how its data is protected.

use std::fmt;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use time::Date;

use super::condition::Condition;
use super::contact::PhoneFormat;
use super::decimal::Decimal;
use super::keys::{FieldKey, OptionKey, PurposeKey};
use super::value::FieldValue;
use crate::i18n::{Locale, LocalizedText};
use crate::mask::MaskStyle;

/// A form field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The key answers use for this field.
    pub key: FieldKey,
    /// What kind of answer the field takes, with kind-specific settings.
    pub kind: FieldKind,
    /// The question or heading.
    pub label: LocalizedText,
    /// Help shown under the field; for a `notice` field, the text of the block.
    #[serde(default)]
    pub help: LocalizedText,
    /// Whether an answer is needed (only while the field is visible).
    #[serde(default)]
    pub required: bool,
    /// Limits on the answer; each applies only to the kinds its documentation names.
    #[serde(default)]
    pub rules: Rules,
    /// The answer the form starts with, in the same JSON shape as an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// Shown only when this holds; a hidden field must not be answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_when: Option<Condition>,
    /// How sensitive the data is under PIPL and GDPR; `personal` unless stated.
    #[serde(default)]
    pub sensitivity: Sensitivity,
    /// The purposes the answer is collected for (keys of the form's purposes).
    #[serde(default)]
    pub purposes: Vec<PurposeKey>,
    /// How long the answer is kept, and what happens to it then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionPeriod>,
    /// How the answer is masked in lists and exports.
    #[serde(default)]
    pub mask: MaskStyle,
    /// A key field: a change by staff or a manager (in an offline edit that syncs) waits
    /// for another person's approval instead of taking effect (hijacked or corrupted
    /// customer records start with an unchecked change of a phone or ID number). New
    /// phone, email and resident-ID fields start with it on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub needs_approval: bool,
}

impl Field {
    /// True when the field takes an answer (everything but a `notice` block).
    #[must_use]
    pub fn holds_value(&self) -> bool {
        !matches!(self.kind, FieldKind::Notice)
    }

    /// The choice options of a single- or multiple-choice field; empty for other kinds.
    #[must_use]
    pub fn options(&self) -> &[ChoiceOption] {
        match &self.kind {
            FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options } => options,
            _ => &[],
        }
    }

    /// The label of option `key` in `locale`, or the key itself when the form no longer
    /// has that option.
    #[must_use]
    pub fn option_label<'a>(&'a self, key: &'a str, locale: Locale) -> &'a str {
        self.options()
            .iter()
            .find(|o| o.key.as_str() == key)
            .map_or(key, |o| o.label.get(locale))
    }

    /// A value as one line for people, in `locale`: choices by their labels, yes/no in
    /// words, everything else as [`FieldValue::display_text`] writes it (before masking).
    #[must_use]
    pub fn value_text(&self, value: &FieldValue, locale: Locale) -> String {
        let zh = locale == Locale::ZhCn;
        match value {
            FieldValue::Choice(key) => self.option_label(key.as_str(), locale).to_owned(),
            FieldValue::Choices(keys) => keys
                .iter()
                .map(|k| self.option_label(k.as_str(), locale))
                .collect::<Vec<_>>()
                .join(if zh { "、" } else { ", " }),
            FieldValue::Bool(b) => match (b, zh) {
                (true, true) => "是",
                (false, true) => "否",
                (true, false) => "Yes",
                (false, false) => "No",
            }
            .to_owned(),
            other => other.display_text(),
        }
    }

    /// What anonymising kept of a value of this field, as one line in `locale`: a kept
    /// choice by its labels.
    #[must_use]
    pub fn anonymised_text(&self, kept: &crate::retention::Anonymised, locale: Locale) -> String {
        use crate::retention::Anonymised;
        use serde_json::Value;
        let zh = locale == Locale::ZhCn;
        match kept {
            Anonymised::Kept {
                value: Value::String(key),
            } if !self.options().is_empty() => self.option_label(key, locale).to_owned(),
            Anonymised::Kept {
                value: Value::Array(keys),
            } if !self.options().is_empty() => keys
                .iter()
                .filter_map(Value::as_str)
                .map(|k| self.option_label(k, locale))
                .collect::<Vec<_>>()
                .join(if zh { "、" } else { ", " }),
            Anonymised::Kept {
                value: Value::Bool(b),
            } => self.value_text(&FieldValue::Bool(*b), locale),
            other => other.display(zh),
        }
    }
}

/// The kind of a field and its kind-specific settings.
///
/// In JSON, an object tagged by `type`: `{"type": "number", "decimals": 2}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldKind {
    /// One line of text.
    ShortText,
    /// Several lines of text.
    LongText,
    /// A decimal number with at most `decimals` digits after the point.
    Number {
        /// The most digits allowed after the decimal point (0 for whole numbers).
        #[serde(default)]
        decimals: u8,
    },
    /// An email address.
    Email,
    /// A phone number in one of `formats`, stored in E.164 form.
    Phone {
        /// The accepted numbering plans; mainland mobile numbers unless stated.
        #[serde(default = "default_phone_formats")]
        formats: Vec<PhoneFormat>,
    },
    /// A mainland China resident identity card number.
    ResidentId,
    /// A calendar date, `yyyy-mm-dd`.
    Date,
    /// Exactly one of `options`, answered with its key.
    SingleChoice {
        /// The options, in display order.
        options: Vec<ChoiceOption>,
    },
    /// Any number of `options`, answered with an array of keys.
    MultipleChoice {
        /// The options, in display order.
        options: Vec<ChoiceOption>,
    },
    /// Yes or no, answered with `true` or `false`.
    YesNo,
    /// A mainland postal address: province, city, district and street detail.
    Address,
    /// A handwritten signature (PNG data URL) or a typed name.
    Signature,
    /// A read-only block of text (label and help); it holds no value.
    Notice,
}

fn default_phone_formats() -> Vec<PhoneFormat> {
    vec![PhoneFormat::CnMobile]
}

impl FieldKind {
    /// The stable JSON name of the kind, such as `single_choice`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            FieldKind::ShortText => "short_text",
            FieldKind::LongText => "long_text",
            FieldKind::Number { .. } => "number",
            FieldKind::Email => "email",
            FieldKind::Phone { .. } => "phone",
            FieldKind::ResidentId => "resident_id",
            FieldKind::Date => "date",
            FieldKind::SingleChoice { .. } => "single_choice",
            FieldKind::MultipleChoice { .. } => "multiple_choice",
            FieldKind::YesNo => "yes_no",
            FieldKind::Address => "address",
            FieldKind::Signature => "signature",
            FieldKind::Notice => "notice",
        }
    }
}

/// One option of a choice field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// The value answers use.
    pub key: OptionKey,
    /// What the person sees.
    pub label: LocalizedText,
}

/// Limits on an answer. Every rule is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Fewest characters (short and long text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Most characters (short and long text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Smallest value, inclusive (number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Decimal>,
    /// Largest value, inclusive (number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Decimal>,
    /// A regular expression the whole answer must match (short and long text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<Pattern>,
    /// Fewest options to pick (multiple choice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_selected: Option<u32>,
    /// Most options to pick (multiple choice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_selected: Option<u32>,
    /// Earliest date, inclusive (date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_min: Option<DateLimit>,
    /// Latest date, inclusive (date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_max: Option<DateLimit>,
}

impl Rules {
    /// The names of the rules that are set, as they appear in JSON.
    #[must_use]
    pub fn set_rule_names(&self) -> Vec<&'static str> {
        [
            ("min_length", self.min_length.is_some()),
            ("max_length", self.max_length.is_some()),
            ("min", self.min.is_some()),
            ("max", self.max.is_some()),
            ("pattern", self.pattern.is_some()),
            ("min_selected", self.min_selected.is_some()),
            ("max_selected", self.max_selected.is_some()),
            ("date_min", self.date_min.is_some()),
            ("date_max", self.date_max.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// A regular expression rule with the message shown when an answer does not match.
///
/// The syntax is that of the `regex-lite` crate (Perl-like, no look-around, Unicode
/// classes limited). The expression must match the whole answer: it is wrapped in
/// `^(?:…)$` before use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// The regular expression.
    pub regex: String,
    /// What the person is told when the answer does not match.
    pub message: LocalizedText,
}

impl Pattern {
    /// Compiles the expression, anchored at both ends.
    ///
    /// # Errors
    /// The compiler's error when the expression is not valid.
    pub fn compile(&self) -> Result<regex_lite::Regex, regex_lite::Error> {
        regex_lite::Regex::new(&format!("^(?:{})$", self.regex))
    }
}

/// A bound of a date rule: a fixed date, or the day the answer is validated.
///
/// In JSON, `"today"` or a `"yyyy-mm-dd"` string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateLimit {
    /// The validation day (for example "a birth date cannot be in the future").
    Today,
    /// A fixed calendar date.
    Fixed(Date),
}

impl DateLimit {
    /// The concrete date, given the validation day.
    #[must_use]
    pub fn resolve(self, today: Date) -> Date {
        match self {
            DateLimit::Today => today,
            DateLimit::Fixed(d) => d,
        }
    }
}

impl fmt::Display for DateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateLimit::Today => f.write_str("today"),
            DateLimit::Fixed(d) => f.write_str(&format_iso_date(*d)),
        }
    }
}

#[cfg(feature = "openapi")]
crate::openapi::manual_schema!(
    DateLimit,
    crate::openapi::string(
        None,
        Some("^(today|[0-9]{4}-[0-9]{2}-[0-9]{2})$"),
        "`today`, or a date as yyyy-mm-dd"
    )
);

impl Serialize for DateLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        if s == "today" {
            return Ok(DateLimit::Today);
        }
        parse_iso_date(&s)
            .map(DateLimit::Fixed)
            .ok_or_else(|| de::Error::custom("expected \"today\" or a date as yyyy-mm-dd"))
    }
}

/// Parses exactly `yyyy-mm-dd` (four-digit year, two-digit month and day) into a real date.
#[must_use]
pub fn parse_iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year: i32 = s[0..4].parse().ok()?;
    let month: u8 = s[5..7].parse().ok()?;
    let day: u8 = s[8..10].parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// Formats a date as `yyyy-mm-dd`.
#[must_use]
pub fn format_iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// How sensitive a field's data is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// Not about an identifiable person (for example a rating of the service).
    Ordinary,
    /// Personal information (PIPL Art. 4, GDPR Art. 4(1)).
    #[default]
    Personal,
    /// Sensitive personal information (PIPL Art. 28, GDPR Art. 9): needs separate consent.
    Sensitive,
}

/// How long an answer is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RetentionPeriod {
    /// Days after the clock starts (see `from`); at least 1.
    pub days: u32,
    /// What happens when the period ends.
    pub action: RetentionAction,
    /// When the clock starts: at collection unless stated.
    #[serde(default, skip_serializing_if = "RetentionStart::is_collection")]
    pub from: RetentionStart,
}

/// When a retention clock starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RetentionStart {
    /// When the record was collected.
    #[default]
    Collection,
    /// When the customer relationship ended, as staff or an admin record it on the
    /// record; until then the clock does not run.
    RelationshipEnd,
}

impl RetentionStart {
    /// True for the default, which the JSON leaves out.
    #[must_use]
    pub fn is_collection(&self) -> bool {
        *self == RetentionStart::Collection
    }
}

/// What happens to an answer when its retention period ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RetentionAction {
    /// The value is erased.
    Delete,
    /// The value is replaced so it no longer identifies the person.
    #[serde(alias = "anonymize")]
    Anonymise,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn kinds_are_tagged_by_type() {
        let k: FieldKind = serde_json::from_str(r#"{"type":"number","decimals":2}"#).unwrap();
        assert_eq!(k, FieldKind::Number { decimals: 2 });
        let k: FieldKind = serde_json::from_str(r#"{"type":"phone"}"#).unwrap();
        assert_eq!(
            k,
            FieldKind::Phone {
                formats: vec![PhoneFormat::CnMobile]
            }
        );
        assert_eq!(
            serde_json::to_value(FieldKind::YesNo).unwrap(),
            serde_json::json!({"type": "yes_no"})
        );
        assert!(serde_json::from_str::<FieldKind>(r#"{"type":"colour"}"#).is_err());
        // Unit kinds ignore extra members (a serde limitation); kinds with settings reject them.
        assert!(
            serde_json::from_str::<FieldKind>(r#"{"type":"number","decimals":0,"x":1}"#).is_err()
        );
    }

    #[test]
    fn iso_dates_are_strict() {
        assert_eq!(parse_iso_date("2024-02-29"), Some(date!(2024 - 02 - 29)));
        for s in [
            "2023-02-29",
            "2024-2-29",
            "24-02-29",
            "2024/02/29",
            "2024-13-01",
            "",
            "+024-01-01",
        ] {
            assert_eq!(parse_iso_date(s), None, "{s}");
        }
        assert_eq!(format_iso_date(date!(0999 - 01 - 05)), "0999-01-05");
    }

    #[test]
    fn date_limits_serialise_as_text() {
        let l: DateLimit = serde_json::from_str("\"today\"").unwrap();
        assert_eq!(l, DateLimit::Today);
        let l: DateLimit = serde_json::from_str("\"1900-01-01\"").unwrap();
        assert_eq!(serde_json::to_string(&l).unwrap(), "\"1900-01-01\"");
        assert!(serde_json::from_str::<DateLimit>("\"yesterday\"").is_err());
        assert_eq!(
            DateLimit::Today.resolve(date!(2025 - 01 - 01)),
            date!(2025 - 01 - 01)
        );
    }
}
