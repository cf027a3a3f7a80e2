//! A whole form: who collects the data, why, under which notice, and the fields in their sections.

use serde::{Deserialize, Serialize};

use super::check::SchemaProblem;
use super::field::{Field, RetentionPeriod};
use super::keys::{PurposeKey, SectionKey};
use crate::i18n::LocalizedText;

/// The format version this crate reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A form definition, as designed in the back office and published as a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    /// The version of this JSON format; always [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The form's title.
    pub title: LocalizedText,
    /// A short introduction shown under the title.
    #[serde(default)]
    pub description: LocalizedText,
    /// Who decides why and how the data is processed (PIPL "personal information handler").
    pub controller: Controller,
    /// Why the data is collected.
    pub purposes: Vec<Purpose>,
    /// The privacy notice shown before submission.
    ///
    /// Restricted rich text: paragraphs separated by blank lines, `**bold**`, lines starting
    /// with `- ` as list items, and `[text](https://…)` links. The UI renders it itself and
    /// never as HTML, so markup in the text is shown literally.
    pub notice: LocalizedText,
    /// The wording of the separate consent for sensitive personal information (PIPL Art. 29).
    #[serde(default)]
    pub sensitive_consent_text: LocalizedText,
    /// Web origins (`https://shop.example.com`) allowed to embed the form in a frame.
    #[serde(default)]
    pub embed_origins: Vec<String>,
    /// A transfer of the data outside mainland China, if any (PIPL Art. 38-39).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_border: Option<CrossBorderTransfer>,
    /// Below this age a guardian must consent (PIPL Art. 31 sets 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_consent_under_age: Option<u8>,
    /// The fields, grouped in sections.
    pub sections: Vec<Section>,
}

/// The organisation responsible for the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Controller {
    /// The organisation's name.
    pub name: LocalizedText,
    /// How to reach it about personal data: an email address, phone number or postal address.
    pub contact: String,
}

/// A reason for processing, which people consent to (or are told about) separately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Purpose {
    /// The key fields and consents use.
    pub key: PurposeKey,
    /// A short name, as the notice and the consent screen show it.
    pub name: LocalizedText,
    /// What is done with the data for this purpose.
    #[serde(default)]
    pub description: LocalizedText,
    /// The legal ground for processing.
    pub lawful_basis: LawfulBasis,
    /// True when the service cannot be provided without this purpose.
    #[serde(default)]
    pub required: bool,
    /// How long this purpose needs the answers of its fields, when it states its own
    /// period (else each field's own). A field goes only when none of its purposes
    /// still needs it: the longest clock wins (see `crate::retention`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionPeriod>,
}

/// The legal ground of a purpose (PIPL Art. 13, GDPR Art. 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LawfulBasis {
    /// The person's consent (PIPL 13(1), GDPR 6(1)(a)).
    Consent,
    /// Needed to make or perform a contract with the person (PIPL 13(2), GDPR 6(1)(b)).
    Contract,
    /// Needed for human-resources management under labour rules (PIPL 13(2)).
    Employment,
    /// Needed to meet a legal duty (PIPL 13(3), GDPR 6(1)(c)).
    LegalObligation,
    /// Needed to protect someone's life, health or property (PIPL 13(4), GDPR 6(1)(d)).
    VitalInterests,
    /// Needed for news reporting or other public-interest tasks (PIPL 13(5), GDPR 6(1)(e)).
    PublicInterest,
    /// The controller's legitimate interests (GDPR 6(1)(f); PIPL has no such ground).
    LegitimateInterests,
}

impl LawfulBasis {
    /// The stable JSON name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LawfulBasis::Consent => "consent",
            LawfulBasis::Contract => "contract",
            LawfulBasis::Employment => "employment",
            LawfulBasis::LegalObligation => "legal_obligation",
            LawfulBasis::VitalInterests => "vital_interests",
            LawfulBasis::PublicInterest => "public_interest",
            LawfulBasis::LegitimateInterests => "legitimate_interests",
        }
    }

    /// Its name for people (the answer to a data-subject request says it).
    #[must_use]
    pub fn label(self, locale: crate::i18n::Locale) -> &'static str {
        let (zh, en) = match self {
            LawfulBasis::Consent => ("您的同意", "your consent"),
            LawfulBasis::Contract => ("订立或履行合同所必需", "needed for a contract with you"),
            LawfulBasis::Employment => (
                "人力资源管理所必需",
                "needed for human-resources management",
            ),
            LawfulBasis::LegalObligation => ("履行法定义务所必需", "needed to meet a legal duty"),
            LawfulBasis::VitalInterests => (
                "保护生命健康和财产安全所必需",
                "needed to protect life, health or property",
            ),
            LawfulBasis::PublicInterest => ("为公共利益实施", "in the public interest"),
            LawfulBasis::LegitimateInterests => ("合法利益", "legitimate interests"),
        };
        if locale == crate::i18n::Locale::ZhCn {
            zh
        } else {
            en
        }
    }
}

/// A transfer of personal data abroad, which the notice must disclose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CrossBorderTransfer {
    /// The overseas recipient's name and contact.
    pub recipient: String,
    /// The country or region of the recipient.
    pub country: String,
    /// Why the data goes there.
    pub purpose: LocalizedText,
}

/// A group of fields, optionally starting a new page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The section's key.
    pub key: SectionKey,
    /// The heading; may be blank.
    #[serde(default)]
    pub title: LocalizedText,
    /// Whether the section starts a new page in a multi-page form.
    #[serde(default)]
    pub new_page: bool,
    /// The fields, in display order.
    pub fields: Vec<Field>,
}

/// Why a form definition could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The text is not JSON, or not a JSON object.
    #[error("the form definition is not a JSON object: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The object has no `format_version`.
    #[error("the form definition has no format_version")]
    MissingFormatVersion,
    /// The `format_version` is not one this crate reads.
    #[error("format_version {0} is not supported; this version reads format {FORMAT_VERSION}")]
    UnsupportedFormatVersion(String),
    /// The JSON does not have the shape of a form definition.
    #[error("the form definition is malformed: {0}")]
    Malformed(#[source] serde_json::Error),
    /// The definition is well-formed but breaks structural rules.
    #[error("the form definition has {} problems", .0.len())]
    Invalid(Vec<SchemaProblem>),
}

impl FormDefinition {
    /// Reads a definition from JSON, checking its format version first; structural rules
    /// are not checked (see [`FormDefinition::parse`]).
    ///
    /// # Errors
    /// A [`SchemaError`] naming what is wrong; never panics on any input.
    pub fn from_json(json: &str) -> Result<Self, SchemaError> {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(json).map_err(SchemaError::NotJson)?;
        match object.get("format_version") {
            None => return Err(SchemaError::MissingFormatVersion),
            Some(v) if v.as_u64() != Some(u64::from(FORMAT_VERSION)) => {
                return Err(SchemaError::UnsupportedFormatVersion(v.to_string()));
            }
            Some(_) => {}
        }
        serde_json::from_str(json).map_err(SchemaError::Malformed)
    }

    /// Reads a definition from JSON and checks its structure.
    ///
    /// # Errors
    /// As [`FormDefinition::from_json`], or [`SchemaError::Invalid`] with every problem found.
    pub fn parse(json: &str) -> Result<Self, SchemaError> {
        let def = Self::from_json(json)?;
        let problems = def.check();
        if problems.is_empty() {
            Ok(def)
        } else {
            Err(SchemaError::Invalid(problems))
        }
    }

    /// The definition as JSON text (keys in declaration order; see `canonical` for hashing).
    ///
    /// # Errors
    /// Only if serialisation fails, which these types do not do.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// Every field in form order, across sections.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    /// The field with `key`, if any.
    #[must_use]
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields().find(|f| f.key.as_str() == key)
    }

    /// The purpose with `key`, if any.
    #[must_use]
    pub fn purpose(&self, key: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.key.as_str() == key)
    }

    /// The path of a field in the definition, such as `sections[0].fields[2]`.
    #[must_use]
    pub fn field_path(&self, key: &str) -> Option<String> {
        self.sections.iter().enumerate().find_map(|(s, section)| {
            section
                .fields
                .iter()
                .position(|f| f.key.as_str() == key)
                .map(|i| format!("sections[{s}].fields[{i}]"))
        })
    }

    /// A starting point for a new form: a bilingual title, one empty section, and nothing
    /// else. It is deliberately unfinished: [`FormDefinition::check`] asks for the
    /// controller, the notice and at least one field before it can be published.
    #[must_use]
    pub fn blank() -> Self {
        FormDefinition {
            format_version: FORMAT_VERSION,
            title: LocalizedText::new("未命名表单", "Untitled form"),
            description: LocalizedText::default(),
            controller: Controller {
                name: LocalizedText::default(),
                contact: String::new(),
            },
            purposes: Vec::new(),
            notice: LocalizedText::default(),
            sensitive_consent_text: LocalizedText::default(),
            embed_origins: Vec::new(),
            cross_border: None,
            guardian_consent_under_age: None,
            sections: vec![Section {
                key: SectionKey::from_static("main"),
                title: LocalizedText::default(),
                new_page: false,
                fields: Vec::new(),
            }],
        }
    }

    /// True when any field holds sensitive personal information.
    #[must_use]
    pub fn has_sensitive_fields(&self) -> bool {
        self.fields()
            .any(|f| f.holds_value() && f.sensitivity == super::field::Sensitivity::Sensitive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_gives_clear_errors_not_panics() {
        assert!(matches!(
            FormDefinition::from_json(""),
            Err(SchemaError::NotJson(_))
        ));
        assert!(matches!(
            FormDefinition::from_json("[1, 2]"),
            Err(SchemaError::NotJson(_))
        ));
        assert!(matches!(
            FormDefinition::from_json("{}"),
            Err(SchemaError::MissingFormatVersion)
        ));
        let e = FormDefinition::from_json(r#"{"format_version": 2}"#);
        assert!(matches!(&e, Err(SchemaError::UnsupportedFormatVersion(v)) if v == "2"));
        assert!(matches!(
            FormDefinition::from_json(r#"{"format_version": "1"}"#),
            Err(SchemaError::UnsupportedFormatVersion(_))
        ));
        let e = FormDefinition::from_json(r#"{"format_version": 1, "title": {}}"#);
        assert!(matches!(&e, Err(SchemaError::Malformed(_))));
        let msg = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("missing field"), "{msg}");
        assert!(!msg.ends_with('.'));
    }

    #[test]
    fn the_blank_form_round_trips_and_asks_for_what_is_missing() {
        let blank = FormDefinition::blank();
        let json = blank.to_json().ok().unwrap_or_default();
        assert!(matches!(FormDefinition::from_json(&json), Ok(d) if d == blank));
        let paths: Vec<String> = blank.check().into_iter().map(|p| p.path).collect();
        for expected in ["controller.name", "controller.contact", "notice"] {
            assert!(paths.iter().any(|p| p == expected), "{paths:?}");
        }
        assert!(blank
            .check()
            .iter()
            .any(|p| p.code == crate::schema::ProblemCode::NoFields));
    }

    #[test]
    fn the_demo_round_trips_through_json() {
        let demo = FormDefinition::demo_customer_registration();
        let json = demo.to_json().ok().unwrap_or_default();
        let back = FormDefinition::parse(&json);
        assert!(matches!(&back, Ok(d) if *d == demo), "{back:?}");
        assert!(demo.field("mobile").is_some());
        assert_eq!(
            demo.field_path("mobile").as_deref(),
            Some("sections[0].fields[1]")
        );
        assert!(demo.has_sensitive_fields());
    }
}
