//! Answers as the browser sends them, and the typed values validation turns them into.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use super::contact::{EmailAddress, PhoneNumber};
use super::decimal::Decimal;
use super::field::{format_iso_date, parse_iso_date};
use super::keys::{FieldKey, OptionKey};
use super::resident_id::ResidentId;

/// Answers as sent by the browser: field key to JSON value.
///
/// The JSON shape per field kind: text, email, phone, resident ID, date (`yyyy-mm-dd`) and
/// single choice (the option key) are strings; a number is a JSON number or a decimal
/// string; multiple choice is an array of option keys; yes/no is `true` or `false`; an
/// address is `{"province", "city", "district", "detail"}`; a signature is a
/// `data:image/png;base64,…` URL or a typed name. `null`, blank strings, empty arrays and
/// objects whose values are all blank count as "no answer".
pub type Answers = BTreeMap<String, serde_json::Value>;

/// True when a raw answer carries no data (see [`Answers`]).
#[must_use]
pub fn is_blank(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_blank),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// A postal address in mainland China.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Province, autonomous region or municipality (省).
    pub province: String,
    /// City (市).
    pub city: String,
    /// District or county (区/县); may be empty where there is none.
    #[serde(default)]
    pub district: String,
    /// Street, building and room.
    pub detail: String,
}

impl Address {
    /// The address on one line, largest unit first, parts separated by spaces.
    #[must_use]
    pub fn one_line(&self) -> String {
        [&self.province, &self.city, &self.district, &self.detail]
            .into_iter()
            .filter(|p| !p.is_empty())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A signature: a drawn image or a typed name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Signature {
    /// Drawn on a canvas and sent as a PNG data URL.
    Drawn {
        /// Lower-case hex SHA-256 of the decoded PNG bytes.
        image_sha256: String,
        /// The data URL as sent: `data:image/png;base64,…`.
        data: String,
    },
    /// The person's name typed as a signature.
    Typed {
        /// The typed name, trimmed.
        name: String,
    },
}

/// A validated answer, typed by its field's kind.
///
/// Stored as `{"type": "phone", "value": "+8613800138000"}`; [`FieldValue::to_answer`] gives
/// the plain answer shape back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    /// Short or long text, trimmed.
    Text(String),
    /// An exact decimal number (see [`Decimal`]).
    Number(Decimal),
    /// An email address, domain lower-cased.
    Email(EmailAddress),
    /// A phone number in E.164 form.
    Phone(PhoneNumber),
    /// A resident ID number, upper-case `X`.
    ResidentId(ResidentId),
    /// A calendar date.
    Date(#[serde(with = "iso_date")] Date),
    /// The key of the chosen option.
    Choice(OptionKey),
    /// The keys of the chosen options, in the form's option order.
    Choices(Vec<OptionKey>),
    /// Yes (`true`) or no (`false`).
    Bool(bool),
    /// A postal address.
    Address(Address),
    /// A signature.
    Signature(Signature),
}

impl FieldValue {
    /// The value in the shape a browser sends it; validating it again gives the same value.
    #[must_use]
    pub fn to_answer(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            FieldValue::Number(d) => Value::String(d.to_string()),
            FieldValue::Choices(keys) => Value::Array(
                keys.iter()
                    .map(|k| Value::String(k.as_str().to_owned()))
                    .collect(),
            ),
            FieldValue::Bool(b) => Value::Bool(*b),
            FieldValue::Address(a) => serde_json::json!({
                "province": a.province, "city": a.city,
                "district": a.district, "detail": a.detail,
            }),
            FieldValue::Signature(Signature::Drawn { data, .. }) => Value::String(data.clone()),
            FieldValue::Signature(Signature::Typed { name }) => Value::String(name.clone()),
            _ => Value::String(self.as_text().unwrap_or_default()),
        }
    }

    /// The value as one string, for values that are naturally text (text, email, phone,
    /// resident ID, date, choice, number).
    #[must_use]
    pub fn as_text(&self) -> Option<String> {
        match self {
            FieldValue::Text(s) => Some(s.clone()),
            FieldValue::Number(d) => Some(d.to_string()),
            FieldValue::Email(e) => Some(e.as_str().to_owned()),
            FieldValue::Phone(p) => Some(p.as_str().to_owned()),
            FieldValue::ResidentId(r) => Some(r.as_str().to_owned()),
            FieldValue::Date(d) => Some(format_iso_date(*d)),
            FieldValue::Choice(k) => Some(k.as_str().to_owned()),
            FieldValue::Choices(_)
            | FieldValue::Bool(_)
            | FieldValue::Address(_)
            | FieldValue::Signature(_) => None,
        }
    }

    /// A one-line rendering for lists and exports (before masking).
    #[must_use]
    pub fn display_text(&self) -> String {
        match self {
            FieldValue::Choices(keys) => keys
                .iter()
                .map(OptionKey::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            FieldValue::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
            FieldValue::Address(a) => a.one_line(),
            FieldValue::Signature(Signature::Drawn { image_sha256, .. }) => {
                format!("sha256:{image_sha256}")
            }
            FieldValue::Signature(Signature::Typed { name }) => name.clone(),
            other => other.as_text().unwrap_or_default(),
        }
    }

    /// Whether the value equals `expected` as a condition states it: a string for text-like
    /// values and single choice, a number or decimal string for numbers, a boolean for yes/no,
    /// an array of keys (in any order) for multiple choice. Addresses and signatures never match.
    #[must_use]
    pub fn matches(&self, expected: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (self, expected) {
            (FieldValue::Bool(b), Value::Bool(e)) => b == e,
            (FieldValue::Number(n), e) => Decimal::from_json(e).is_ok_and(|d| d == *n),
            (FieldValue::Choices(keys), Value::Array(items)) => {
                let mut want: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
                let mut have: Vec<&str> = keys.iter().map(OptionKey::as_str).collect();
                want.sort_unstable();
                want.dedup();
                have.sort_unstable();
                want.len() == items.len() && want == have
            }
            (FieldValue::Address(_) | FieldValue::Signature(_), _) => false,
            (value, Value::String(s)) => value.as_text().is_some_and(|t| t == *s),
            _ => false,
        }
    }

    /// Whether a choice value contains the option `key`.
    #[must_use]
    pub fn includes(&self, key: &str) -> bool {
        match self {
            FieldValue::Choices(keys) => keys.iter().any(|k| k.as_str() == key),
            FieldValue::Choice(k) => k.as_str() == key,
            _ => false,
        }
    }
}

/// (De)serialises a date as `yyyy-mm-dd`.
mod iso_date {
    use serde::{de, Deserialize, Deserializer, Serializer};
    use time::Date;

    pub(super) fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_iso_date(*d))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_iso_date(&s).ok_or_else(|| de::Error::custom("expected a date as yyyy-mm-dd"))
    }
}

/// The answers of a form after validation: only visible fields, only valid typed values,
/// in key order. Fields left blank are absent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ValidatedAnswers {
    values: BTreeMap<FieldKey, FieldValue>,
}

impl ValidatedAnswers {
    /// Wraps values that were validated elsewhere (for example read back from storage).
    #[must_use]
    pub fn from_values(values: BTreeMap<FieldKey, FieldValue>) -> Self {
        Self { values }
    }

    /// The value of one field, if it was answered.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&FieldValue> {
        self.values.get(key)
    }

    /// Every answered field and its value, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&FieldKey, &FieldValue)> {
        self.values.iter()
    }

    /// How many fields were answered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no field was answered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values as a map.
    #[must_use]
    pub fn into_values(self) -> BTreeMap<FieldKey, FieldValue> {
        self.values
    }

    /// The values in the shape a browser sends them (see [`FieldValue::to_answer`]).
    #[must_use]
    pub fn to_answers(&self) -> Answers {
        self.values
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_answer()))
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blank_answers() {
        for v in [
            json!(null),
            json!(""),
            json!("  "),
            json!([]),
            json!({}),
            json!({"city": ""}),
        ] {
            assert!(is_blank(&v), "{v}");
        }
        for v in [
            json!(false),
            json!(0),
            json!("x"),
            json!(["a"]),
            json!({"city": "北京"}),
        ] {
            assert!(!is_blank(&v), "{v}");
        }
    }

    #[test]
    fn values_serialise_with_a_type_tag() {
        let v = FieldValue::Date(time::macros::date!(2000 - 01 - 31));
        let j = serde_json::to_value(&v).unwrap();
        assert_eq!(j, json!({"type": "date", "value": "2000-01-31"}));
        assert_eq!(serde_json::from_value::<FieldValue>(j).unwrap(), v);
        let s = FieldValue::Signature(Signature::Typed {
            name: "张三".into(),
        });
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            json!({"type": "signature", "value": {"method": "typed", "name": "张三"}})
        );
    }

    #[test]
    fn matching_condition_values() {
        let yes = FieldValue::Bool(true);
        assert!(yes.matches(&json!(true)));
        assert!(!yes.matches(&json!("true")));
        let n = FieldValue::Number(Decimal::parse("2.50").unwrap());
        assert!(n.matches(&json!(2.5)));
        assert!(n.matches(&json!("2.5")));
        let c = FieldValue::Choices(vec![
            OptionKey::parse("a").unwrap(),
            OptionKey::parse("b").unwrap(),
        ]);
        assert!(c.matches(&json!(["b", "a"])));
        assert!(!c.matches(&json!(["a"])));
        assert!(!c.matches(&json!(["a", "b", "b"])));
        assert!(c.includes("a") && !c.includes("z"));
        assert!(FieldValue::Text("x".into()).matches(&json!("x")));
    }
}
