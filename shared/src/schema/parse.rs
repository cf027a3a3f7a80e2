//! Turning one raw JSON answer into a typed value, then checking the field's rules on it.

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::Date;

use super::contact::{EmailAddress, PhoneNumber};
use super::decimal::Decimal;
use super::field::{format_iso_date, parse_iso_date, Field, FieldKind};
use super::issue::{IssueCode, ValidationIssue};
use super::keys::OptionKey;
use super::resident_id::{ResidentId, ResidentIdError};
use super::value::{Address, FieldValue, Signature};

/// The most characters of a short text answer, whatever the rules say.
pub const SHORT_TEXT_MAX_CHARS: usize = 500;
/// The most characters of a long text answer, whatever the rules say.
pub const LONG_TEXT_MAX_CHARS: usize = 10_000;
/// The most characters of each address part except the detail.
pub const ADDRESS_PART_MAX_CHARS: usize = 50;
/// The most characters of the street detail of an address.
pub const ADDRESS_DETAIL_MAX_CHARS: usize = 200;
/// The most characters of a typed signature.
pub const TYPED_SIGNATURE_MAX_CHARS: usize = 100;
/// The longest signature data URL, in bytes (about 512 KiB of PNG).
pub const SIGNATURE_MAX_BYTES: usize = 700_000;
/// The prefix of a drawn signature.
pub const PNG_DATA_URL_PREFIX: &str = "data:image/png;base64,";

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
/// How much of an offending value an issue may echo back.
const ECHO_MAX_CHARS: usize = 64;

type Parsed = Result<FieldValue, ValidationIssue>;

/// Parses a non-blank answer for `field` into its typed value. Rules are not checked here.
pub(crate) fn parse_answer(field: &Field, raw: &Value, today: Date) -> Parsed {
    let key = field.key.as_str();
    let issue = |code| ValidationIssue::new(key, code);
    let text = || raw.as_str().ok_or_else(|| issue(IssueCode::WrongType));
    match &field.kind {
        FieldKind::ShortText => parse_text(key, text()?, SHORT_TEXT_MAX_CHARS, false),
        FieldKind::LongText => parse_text(key, text()?, LONG_TEXT_MAX_CHARS, true),
        FieldKind::Number { .. } => match raw {
            Value::Number(_) | Value::String(_) => Decimal::from_json(raw)
                .map(FieldValue::Number)
                .map_err(|_| issue(IssueCode::NumberInvalid)),
            _ => Err(issue(IssueCode::WrongType)),
        },
        FieldKind::Email => EmailAddress::parse(text()?)
            .map(FieldValue::Email)
            .map_err(|_| issue(IssueCode::EmailInvalid)),
        FieldKind::Phone { formats } => PhoneNumber::parse(text()?, formats)
            .map(FieldValue::Phone)
            .map_err(|_| issue(IssueCode::PhoneInvalid)),
        FieldKind::ResidentId => ResidentId::parse(text()?, today)
            .map(FieldValue::ResidentId)
            .map_err(|e| {
                issue(match e {
                    ResidentIdError::Invalid => IssueCode::ResidentIdInvalid,
                    ResidentIdError::Checksum => IssueCode::ResidentIdChecksum,
                    ResidentIdError::BirthDate => IssueCode::ResidentIdBirthDate,
                })
            }),
        FieldKind::Date => parse_iso_date(text()?.trim())
            .map(FieldValue::Date)
            .ok_or_else(|| issue(IssueCode::DateInvalid)),
        FieldKind::SingleChoice { .. } => {
            let chosen = text()?;
            field
                .options()
                .iter()
                .find(|o| o.key.as_str() == chosen)
                .map(|o| FieldValue::Choice(o.key.clone()))
                .ok_or_else(|| issue(IssueCode::NotAnOption).with("value", echo(chosen)))
        }
        FieldKind::MultipleChoice { .. } => parse_choices(field, raw),
        FieldKind::YesNo => raw
            .as_bool()
            .map(FieldValue::Bool)
            .ok_or_else(|| issue(IssueCode::WrongType)),
        FieldKind::Address => parse_address(key, raw),
        FieldKind::Signature => parse_signature(key, text()?),
        FieldKind::Notice => Err(issue(IssueCode::ReadOnly)),
    }
}

/// At most [`ECHO_MAX_CHARS`] characters of a value, for an issue parameter.
fn echo(s: &str) -> String {
    s.chars().take(ECHO_MAX_CHARS).collect()
}

fn has_bad_controls(s: &str, multiline: bool) -> bool {
    s.chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

fn parse_text(key: &str, s: &str, cap: usize, multiline: bool) -> Parsed {
    let s = s.trim();
    if has_bad_controls(s, multiline) {
        return Err(ValidationIssue::new(key, IssueCode::InvalidCharacters));
    }
    if s.chars().count() > cap {
        return Err(ValidationIssue::new(key, IssueCode::TooLong).with("max", cap));
    }
    Ok(FieldValue::Text(s.to_owned()))
}

fn parse_choices(field: &Field, raw: &Value) -> Parsed {
    let key = field.key.as_str();
    let items = raw
        .as_array()
        .ok_or_else(|| ValidationIssue::new(key, IssueCode::WrongType))?;
    let mut picked: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        let chosen = item
            .as_str()
            .ok_or_else(|| ValidationIssue::new(key, IssueCode::WrongType))?;
        if !field.options().iter().any(|o| o.key.as_str() == chosen) {
            return Err(
                ValidationIssue::new(key, IssueCode::NotAnOption).with("value", echo(chosen))
            );
        }
        if picked.contains(&chosen) {
            return Err(ValidationIssue::new(key, IssueCode::DuplicateOption).with("value", chosen));
        }
        picked.push(chosen);
    }
    let in_form_order: Vec<OptionKey> = field
        .options()
        .iter()
        .filter(|o| picked.contains(&o.key.as_str()))
        .map(|o| o.key.clone())
        .collect();
    Ok(FieldValue::Choices(in_form_order))
}

fn parse_address(key: &str, raw: &Value) -> Parsed {
    const PARTS: [&str; 4] = ["province", "city", "district", "detail"];
    let wrong_type = || ValidationIssue::new(key, IssueCode::WrongType);
    let object = raw.as_object().ok_or_else(wrong_type)?;
    if object.keys().any(|k| !PARTS.contains(&k.as_str())) {
        return Err(wrong_type());
    }
    let mut parts = [String::new(), String::new(), String::new(), String::new()];
    for (slot, name) in parts.iter_mut().zip(PARTS) {
        let text = match object.get(name) {
            None | Some(Value::Null) => "",
            Some(Value::String(s)) => s.trim(),
            Some(_) => return Err(wrong_type()),
        };
        let cap = if name == "detail" {
            ADDRESS_DETAIL_MAX_CHARS
        } else {
            ADDRESS_PART_MAX_CHARS
        };
        if has_bad_controls(text, false) {
            return Err(ValidationIssue::new(key, IssueCode::InvalidCharacters).with("part", name));
        }
        if text.chars().count() > cap {
            return Err(ValidationIssue::new(key, IssueCode::TooLong)
                .with("part", name)
                .with("max", cap));
        }
        if text.is_empty() && name != "district" {
            return Err(ValidationIssue::new(key, IssueCode::AddressIncomplete).with("part", name));
        }
        *slot = text.to_owned();
    }
    let [province, city, district, detail] = parts;
    Ok(FieldValue::Address(Address {
        province,
        city,
        district,
        detail,
    }))
}

fn parse_signature(key: &str, s: &str) -> Parsed {
    let issue = |code| ValidationIssue::new(key, code);
    let s = s.trim();
    if s.starts_with("data:") {
        if s.len() > SIGNATURE_MAX_BYTES {
            return Err(issue(IssueCode::SignatureTooLarge).with("max", SIGNATURE_MAX_BYTES));
        }
        let payload = s
            .strip_prefix(PNG_DATA_URL_PREFIX)
            .ok_or_else(|| issue(IssueCode::SignatureInvalid))?;
        if payload.is_empty() {
            return Err(issue(IssueCode::SignatureMissing));
        }
        let png = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .map_err(|_| issue(IssueCode::SignatureInvalid))?;
        if !png.starts_with(PNG_MAGIC) {
            return Err(issue(IssueCode::SignatureInvalid));
        }
        return Ok(FieldValue::Signature(Signature::Drawn {
            image_sha256: hex::encode(Sha256::digest(&png)),
            data: s.to_owned(),
        }));
    }
    if has_bad_controls(s, false) {
        return Err(issue(IssueCode::InvalidCharacters));
    }
    if s.chars().count() > TYPED_SIGNATURE_MAX_CHARS {
        return Err(issue(IssueCode::TooLong).with("max", TYPED_SIGNATURE_MAX_CHARS));
    }
    Ok(FieldValue::Signature(Signature::Typed {
        name: s.to_owned(),
    }))
}

/// Checks the field's rules on a parsed value; returns every rule that fails.
pub(crate) fn check_rules(field: &Field, value: &FieldValue, today: Date) -> Vec<ValidationIssue> {
    let key = field.key.as_str();
    let rules = &field.rules;
    let mut issues = Vec::new();
    let mut fail = |issue: ValidationIssue| issues.push(issue);
    match (&field.kind, value) {
        (FieldKind::ShortText | FieldKind::LongText, FieldValue::Text(s)) => {
            let len = s.chars().count();
            if let Some(min) = rules.min_length.filter(|m| len < *m as usize) {
                fail(ValidationIssue::new(key, IssueCode::TooShort).with("min", min));
            }
            if let Some(max) = rules.max_length.filter(|m| len > *m as usize) {
                fail(ValidationIssue::new(key, IssueCode::TooLong).with("max", max));
            }
            if let Some(pattern) = &rules.pattern {
                // A pattern that does not compile fails closed; `check` reports it to the designer.
                if !pattern.compile().is_ok_and(|re| re.is_match(s)) {
                    let mut issue = ValidationIssue::new(key, IssueCode::PatternMismatch);
                    issue.custom_message = Some(pattern.message.clone());
                    fail(issue);
                }
            }
        }
        (FieldKind::Number { decimals }, FieldValue::Number(n)) => {
            if n.decimals() > usize::from(*decimals) {
                fail(ValidationIssue::new(key, IssueCode::TooManyDecimals).with("max", decimals));
            }
            if let Some(min) = rules.min.as_ref().filter(|m| n < *m) {
                fail(ValidationIssue::new(key, IssueCode::BelowMin).with("min", min));
            }
            if let Some(max) = rules.max.as_ref().filter(|m| n > *m) {
                fail(ValidationIssue::new(key, IssueCode::AboveMax).with("max", max));
            }
        }
        (FieldKind::MultipleChoice { .. }, FieldValue::Choices(picked)) => {
            let n = picked.len();
            if let Some(min) = rules.min_selected.filter(|m| n < *m as usize) {
                fail(ValidationIssue::new(key, IssueCode::TooFewSelected).with("min", min));
            }
            if let Some(max) = rules.max_selected.filter(|m| n > *m as usize) {
                fail(ValidationIssue::new(key, IssueCode::TooManySelected).with("max", max));
            }
        }
        (FieldKind::Date, FieldValue::Date(d)) => {
            if let Some(min) = rules.date_min.map(|l| l.resolve(today)).filter(|m| d < m) {
                fail(
                    ValidationIssue::new(key, IssueCode::DateBeforeMin)
                        .with("min", format_iso_date(min)),
                );
            }
            if let Some(max) = rules.date_max.map(|l| l.resolve(today)).filter(|m| d > m) {
                fail(
                    ValidationIssue::new(key, IssueCode::DateAfterMax)
                        .with("max", format_iso_date(max)),
                );
            }
        }
        _ => {}
    }
    issues
}
