//! The structural check of a form definition: every problem, with its path and a stable code.
//!
//! Paths name the offending part of the JSON, such as `sections[0].fields[2].rules.max_length`
//! or `sections[1].fields[0].visible_when.all[1].equals.field`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use super::condition_check::ConditionScope;
use super::decimal::Decimal;
use super::definition::{FormDefinition, FORMAT_VERSION};
use super::field::{DateLimit, Field, FieldKind};
use super::messages;
use super::parse::parse_answer;
use super::value::is_blank;
use crate::i18n::Locale;

/// The most decimals a number field may allow.
pub const MAX_DECIMALS: u8 = 18;

/// A stable code for one structural problem. Its JSON form is the `snake_case` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// `format_version` is not the supported one.
    UnsupportedFormatVersion,
    /// Text that must be given in at least one language is blank.
    BlankText,
    /// An embed origin is not `scheme://host[:port]` with scheme http or https.
    InvalidOrigin,
    /// The guardian-consent age is 0 or above 18.
    InvalidGuardianAge,
    /// Two purposes share a key.
    DuplicatePurposeKey,
    /// Two sections share a key.
    DuplicateSectionKey,
    /// Two fields share a key (anywhere in the form).
    DuplicateFieldKey,
    /// Two options of one field share a key.
    DuplicateOptionKey,
    /// The form has no fields.
    NoFields,
    /// A field refers to a purpose the form does not declare.
    UnknownPurpose,
    /// A choice field has no options.
    NoOptions,
    /// A phone field accepts no format.
    NoPhoneFormat,
    /// A number field allows more than [`MAX_DECIMALS`] decimals.
    InvalidDecimals,
    /// A notice is marked required, but it takes no answer.
    NoticeRequired,
    /// A rule is set on a kind of field it does not apply to.
    RuleNotApplicable,
    /// A lower limit is above its upper limit.
    MinAboveMax,
    /// A pattern is not a valid regular expression.
    InvalidPattern,
    /// The default value is not a valid answer for the field.
    InvalidDefault,
    /// A retention period of zero days.
    InvalidRetention,
    /// A condition names a field the form does not have.
    UnknownConditionField,
    /// A condition names the field itself or a later field.
    ConditionFieldNotEarlier,
    /// A condition names a notice, which has no answer.
    ConditionFieldHoldsNoValue,
    /// A condition value cannot be an answer of the field it tests.
    ConditionValueMismatch,
    /// A condition names an option the choice field does not have.
    ConditionUnknownOption,
    /// `includes` used on a field that is not a choice field.
    ConditionNotApplicable,
    /// An empty `all` or `any`.
    EmptyCondition,
}

impl ProblemCode {
    /// Every code, in declaration order (for translation tables and tests).
    pub const ALL: [ProblemCode; 26] = [
        ProblemCode::UnsupportedFormatVersion,
        ProblemCode::BlankText,
        ProblemCode::InvalidOrigin,
        ProblemCode::InvalidGuardianAge,
        ProblemCode::DuplicatePurposeKey,
        ProblemCode::DuplicateSectionKey,
        ProblemCode::DuplicateFieldKey,
        ProblemCode::DuplicateOptionKey,
        ProblemCode::NoFields,
        ProblemCode::UnknownPurpose,
        ProblemCode::NoOptions,
        ProblemCode::NoPhoneFormat,
        ProblemCode::InvalidDecimals,
        ProblemCode::NoticeRequired,
        ProblemCode::RuleNotApplicable,
        ProblemCode::MinAboveMax,
        ProblemCode::InvalidPattern,
        ProblemCode::InvalidDefault,
        ProblemCode::InvalidRetention,
        ProblemCode::UnknownConditionField,
        ProblemCode::ConditionFieldNotEarlier,
        ProblemCode::ConditionFieldHoldsNoValue,
        ProblemCode::ConditionValueMismatch,
        ProblemCode::ConditionUnknownOption,
        ProblemCode::ConditionNotApplicable,
        ProblemCode::EmptyCondition,
    ];

    /// The stable JSON name of the code.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ProblemCode::UnsupportedFormatVersion => "unsupported_format_version",
            ProblemCode::BlankText => "blank_text",
            ProblemCode::InvalidOrigin => "invalid_origin",
            ProblemCode::InvalidGuardianAge => "invalid_guardian_age",
            ProblemCode::DuplicatePurposeKey => "duplicate_purpose_key",
            ProblemCode::DuplicateSectionKey => "duplicate_section_key",
            ProblemCode::DuplicateFieldKey => "duplicate_field_key",
            ProblemCode::DuplicateOptionKey => "duplicate_option_key",
            ProblemCode::NoFields => "no_fields",
            ProblemCode::UnknownPurpose => "unknown_purpose",
            ProblemCode::NoOptions => "no_options",
            ProblemCode::NoPhoneFormat => "no_phone_format",
            ProblemCode::InvalidDecimals => "invalid_decimals",
            ProblemCode::NoticeRequired => "notice_required",
            ProblemCode::RuleNotApplicable => "rule_not_applicable",
            ProblemCode::MinAboveMax => "min_above_max",
            ProblemCode::InvalidPattern => "invalid_pattern",
            ProblemCode::InvalidDefault => "invalid_default",
            ProblemCode::InvalidRetention => "invalid_retention",
            ProblemCode::UnknownConditionField => "unknown_condition_field",
            ProblemCode::ConditionFieldNotEarlier => "condition_field_not_earlier",
            ProblemCode::ConditionFieldHoldsNoValue => "condition_field_holds_no_value",
            ProblemCode::ConditionValueMismatch => "condition_value_mismatch",
            ProblemCode::ConditionUnknownOption => "condition_unknown_option",
            ProblemCode::ConditionNotApplicable => "condition_not_applicable",
            ProblemCode::EmptyCondition => "empty_condition",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One structural problem of a definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchemaProblem {
    /// Where in the definition, such as `sections[0].fields[2].rules.max_length`.
    pub path: String,
    /// What is wrong.
    pub code: ProblemCode,
    /// Values the message refers to.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl SchemaProblem {
    pub(super) fn new(path: impl Into<String>, code: ProblemCode) -> Self {
        Self {
            path: path.into(),
            code,
            params: BTreeMap::new(),
        }
    }

    pub(super) fn with(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.params.insert(name.to_owned(), value.to_string());
        self
    }

    /// The message for the designer, in `locale`.
    #[must_use]
    pub fn message(&self, locale: Locale) -> String {
        messages::problem_message(self.code, &self.params, locale)
    }
}

impl fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message(Locale::En))
    }
}

/// True for `http(s)://host[:port]`: lower-case host name labels or an IPv4 address, no
/// path, query, user information or trailing slash.
#[must_use]
pub fn is_valid_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    if !matches!(scheme, "http" | "https") {
        return false;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let port_ok = port.is_none_or(|p| {
        !p.is_empty() && !p.starts_with('0') && p.len() <= 5 && p.parse::<u16>().is_ok()
    });
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    port_ok && !host.is_empty() && host.len() <= 253 && host.split('.').all(label_ok)
}

impl FormDefinition {
    /// Checks the definition's structure and returns every problem found (empty when sound).
    #[must_use]
    pub fn check(&self) -> Vec<SchemaProblem> {
        let mut out = Vec::new();
        if self.format_version != FORMAT_VERSION {
            out.push(
                SchemaProblem::new("format_version", ProblemCode::UnsupportedFormatVersion)
                    .with("version", self.format_version),
            );
        }
        for (path, text) in [
            ("title", &self.title),
            ("controller.name", &self.controller.name),
            ("notice", &self.notice),
        ] {
            if text.is_blank() {
                out.push(SchemaProblem::new(path, ProblemCode::BlankText));
            }
        }
        if self.controller.contact.trim().is_empty() {
            out.push(SchemaProblem::new(
                "controller.contact",
                ProblemCode::BlankText,
            ));
        }
        for (i, origin) in self.embed_origins.iter().enumerate() {
            if !is_valid_origin(origin) {
                out.push(SchemaProblem::new(
                    format!("embed_origins[{i}]"),
                    ProblemCode::InvalidOrigin,
                ));
            }
        }
        if let Some(age) = self
            .guardian_consent_under_age
            .filter(|a| *a == 0 || *a > 18)
        {
            out.push(
                SchemaProblem::new(
                    "guardian_consent_under_age",
                    ProblemCode::InvalidGuardianAge,
                )
                .with("age", age),
            );
        }
        let mut seen = BTreeSet::new();
        for (i, p) in self.purposes.iter().enumerate() {
            let path = format!("purposes[{i}]");
            if !seen.insert(p.key.as_str()) {
                out.push(
                    SchemaProblem::new(format!("{path}.key"), ProblemCode::DuplicatePurposeKey)
                        .with("key", &p.key),
                );
            }
            if p.name.is_blank() {
                out.push(SchemaProblem::new(
                    format!("{path}.name"),
                    ProblemCode::BlankText,
                ));
            }
            if p.retention.is_some_and(|r| r.days == 0) {
                out.push(SchemaProblem::new(
                    format!("{path}.retention.days"),
                    ProblemCode::InvalidRetention,
                ));
            }
        }
        self.check_sections(&mut out);
        out
    }

    fn check_sections(&self, out: &mut Vec<SchemaProblem>) {
        let all: BTreeMap<&str, &Field> = self.fields().map(|f| (f.key.as_str(), f)).collect();
        let mut earlier: BTreeMap<&str, &Field> = BTreeMap::new();
        let mut sections = BTreeSet::new();
        if self.fields().next().is_none() {
            out.push(SchemaProblem::new("sections", ProblemCode::NoFields));
        }
        for (s, section) in self.sections.iter().enumerate() {
            if !sections.insert(section.key.as_str()) {
                out.push(
                    SchemaProblem::new(
                        format!("sections[{s}].key"),
                        ProblemCode::DuplicateSectionKey,
                    )
                    .with("key", &section.key),
                );
            }
            for (i, field) in section.fields.iter().enumerate() {
                let path = format!("sections[{s}].fields[{i}]");
                if earlier.contains_key(field.key.as_str()) {
                    out.push(
                        SchemaProblem::new(format!("{path}.key"), ProblemCode::DuplicateFieldKey)
                            .with("key", &field.key),
                    );
                }
                self.check_field(field, &path, out);
                if let Some(cond) = &field.visible_when {
                    let ctx = ConditionScope {
                        all: &all,
                        earlier: &earlier,
                    };
                    ctx.check(cond, &format!("{path}.visible_when"), out);
                }
                earlier.entry(field.key.as_str()).or_insert(field);
            }
        }
    }

    fn check_field(&self, field: &Field, path: &str, out: &mut Vec<SchemaProblem>) {
        let blank = if field.holds_value() {
            field.label.is_blank()
        } else {
            field.label.is_blank() && field.help.is_blank()
        };
        if blank {
            out.push(SchemaProblem::new(
                format!("{path}.label"),
                ProblemCode::BlankText,
            ));
        }
        for (k, purpose) in field.purposes.iter().enumerate() {
            if self.purpose(purpose.as_str()).is_none() {
                out.push(
                    SchemaProblem::new(
                        format!("{path}.purposes[{k}]"),
                        ProblemCode::UnknownPurpose,
                    )
                    .with("purpose", purpose),
                );
            }
        }
        match &field.kind {
            FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options } => {
                if options.is_empty() {
                    out.push(SchemaProblem::new(
                        format!("{path}.kind.options"),
                        ProblemCode::NoOptions,
                    ));
                }
                let mut seen = BTreeSet::new();
                for (k, o) in options.iter().enumerate() {
                    let opath = format!("{path}.kind.options[{k}]");
                    if !seen.insert(o.key.as_str()) {
                        out.push(
                            SchemaProblem::new(
                                format!("{opath}.key"),
                                ProblemCode::DuplicateOptionKey,
                            )
                            .with("key", &o.key),
                        );
                    }
                    if o.label.is_blank() {
                        out.push(SchemaProblem::new(
                            format!("{opath}.label"),
                            ProblemCode::BlankText,
                        ));
                    }
                }
            }
            FieldKind::Phone { formats } if formats.is_empty() => {
                out.push(SchemaProblem::new(
                    format!("{path}.kind.formats"),
                    ProblemCode::NoPhoneFormat,
                ));
            }
            FieldKind::Number { decimals } if *decimals > MAX_DECIMALS => {
                out.push(
                    SchemaProblem::new(
                        format!("{path}.kind.decimals"),
                        ProblemCode::InvalidDecimals,
                    )
                    .with("max", MAX_DECIMALS),
                );
            }
            FieldKind::Notice if field.required => {
                out.push(SchemaProblem::new(
                    format!("{path}.required"),
                    ProblemCode::NoticeRequired,
                ));
            }
            _ => {}
        }
        check_rules(field, path, out);
        if let Some(default) = field.default.as_ref().filter(|d| !is_blank(d)) {
            // Defaults are checked for shape only; rules such as "not after today" depend on the day.
            if let Err(issue) = parse_answer(field, default, Date::MAX) {
                out.push(
                    SchemaProblem::new(format!("{path}.default"), ProblemCode::InvalidDefault)
                        .with("code", issue.code),
                );
            }
        }
        if field.retention.is_some_and(|r| r.days == 0) {
            out.push(SchemaProblem::new(
                format!("{path}.retention.days"),
                ProblemCode::InvalidRetention,
            ));
        }
    }
}

/// Which rules apply to which kinds.
fn rule_applies(rule: &str, kind: &FieldKind) -> bool {
    match rule {
        "min_length" | "max_length" | "pattern" => {
            matches!(kind, FieldKind::ShortText | FieldKind::LongText)
        }
        "min" | "max" => matches!(kind, FieldKind::Number { .. }),
        "min_selected" | "max_selected" => matches!(kind, FieldKind::MultipleChoice { .. }),
        "date_min" | "date_max" => matches!(kind, FieldKind::Date),
        _ => false,
    }
}

fn check_rules(field: &Field, path: &str, out: &mut Vec<SchemaProblem>) {
    let rules = &field.rules;
    for name in rules.set_rule_names() {
        if !rule_applies(name, &field.kind) {
            out.push(
                SchemaProblem::new(
                    format!("{path}.rules.{name}"),
                    ProblemCode::RuleNotApplicable,
                )
                .with("rule", name)
                .with("kind", field.kind.name()),
            );
        }
    }
    let mut min_max = |upper: &str, min: Option<String>, max: Option<String>, bad: bool| {
        if let (Some(min), Some(max), true) = (min, max, bad) {
            out.push(
                SchemaProblem::new(format!("{path}.rules.{upper}"), ProblemCode::MinAboveMax)
                    .with("min", min)
                    .with("max", max),
            );
        }
    };
    let gt = |a: Option<u32>, b: Option<u32>| a.zip(b).is_some_and(|(a, b)| a > b);
    let s = |v: Option<u32>| v.map(|n| n.to_string());
    min_max(
        "max_length",
        s(rules.min_length),
        s(rules.max_length),
        gt(rules.min_length, rules.max_length),
    );
    min_max(
        "max_selected",
        s(rules.min_selected),
        s(rules.max_selected),
        gt(rules.min_selected, rules.max_selected),
    );
    let dec_bad = rules
        .min
        .as_ref()
        .zip(rules.max.as_ref())
        .is_some_and(|(a, b)| a > b);
    min_max(
        "max",
        rules.min.as_ref().map(Decimal::to_string),
        rules.max.as_ref().map(Decimal::to_string),
        dec_bad,
    );
    if let (Some(DateLimit::Fixed(a)), Some(DateLimit::Fixed(b))) = (rules.date_min, rules.date_max)
    {
        min_max("date_max", Some(a.to_string()), Some(b.to_string()), a > b);
    }
    if let Some(pattern) = &rules.pattern {
        if let Err(e) = pattern.compile() {
            out.push(
                SchemaProblem::new(
                    format!("{path}.rules.pattern.regex"),
                    ProblemCode::InvalidPattern,
                )
                .with("error", e),
            );
        }
        if pattern.message.is_blank() {
            out.push(SchemaProblem::new(
                format!("{path}.rules.pattern.message"),
                ProblemCode::BlankText,
            ));
        }
    }
}
