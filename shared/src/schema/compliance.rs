//! Compliance warnings for the form designer: legal gaps a structurally sound form can still have.
//!
//! Warnings do not block publishing (the lead engineer's server decides that); they point
//! at PIPL and GDPR duties the form appears to miss. A purpose counts as "in the notice"
//! when the notice mentions the purpose's name in Chinese (exact text) or in English
//! (ignoring case).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::definition::{FormDefinition, LawfulBasis, Purpose};
use super::field::{FieldKind, Sensitivity};
use super::messages;
use crate::i18n::Locale;

/// The age below which PIPL Art. 31 requires a guardian's consent.
pub const PIPL_GUARDIAN_AGE: u8 = 14;

/// A stable code for one compliance warning. Its JSON form is the `snake_case` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// A sensitive field names no purpose.
    SensitiveFieldWithoutPurpose,
    /// A personal field names no purpose.
    PersonalFieldWithoutPurpose,
    /// A field names a purpose the form does not declare.
    PurposeNotDeclared,
    /// The notice does not mention a purpose by name.
    PurposeNotInNotice,
    /// A sensitive field has no retention period.
    SensitiveFieldWithoutRetention,
    /// The form has sensitive fields but no separate-consent wording.
    SensitiveConsentTextMissing,
    /// A cross-border transfer without a recipient.
    CrossBorderRecipientMissing,
    /// A cross-border transfer without a country.
    CrossBorderCountryMissing,
    /// A purpose marked required whose lawful basis is consent (bundled consent).
    RequiredPurposeReliesOnConsent,
    /// A resident ID field not marked sensitive.
    ResidentIdNotSensitive,
    /// A guardian-consent age below the PIPL minimum of 14.
    GuardianAgeBelowPipl,
}

impl WarningCode {
    /// Every code, in declaration order (for translation tables and tests).
    pub const ALL: [WarningCode; 11] = [
        WarningCode::SensitiveFieldWithoutPurpose,
        WarningCode::PersonalFieldWithoutPurpose,
        WarningCode::PurposeNotDeclared,
        WarningCode::PurposeNotInNotice,
        WarningCode::SensitiveFieldWithoutRetention,
        WarningCode::SensitiveConsentTextMissing,
        WarningCode::CrossBorderRecipientMissing,
        WarningCode::CrossBorderCountryMissing,
        WarningCode::RequiredPurposeReliesOnConsent,
        WarningCode::ResidentIdNotSensitive,
        WarningCode::GuardianAgeBelowPipl,
    ];

    /// The stable JSON name of the code.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            WarningCode::SensitiveFieldWithoutPurpose => "sensitive_field_without_purpose",
            WarningCode::PersonalFieldWithoutPurpose => "personal_field_without_purpose",
            WarningCode::PurposeNotDeclared => "purpose_not_declared",
            WarningCode::PurposeNotInNotice => "purpose_not_in_notice",
            WarningCode::SensitiveFieldWithoutRetention => "sensitive_field_without_retention",
            WarningCode::SensitiveConsentTextMissing => "sensitive_consent_text_missing",
            WarningCode::CrossBorderRecipientMissing => "cross_border_recipient_missing",
            WarningCode::CrossBorderCountryMissing => "cross_border_country_missing",
            WarningCode::RequiredPurposeReliesOnConsent => "required_purpose_relies_on_consent",
            WarningCode::ResidentIdNotSensitive => "resident_id_not_sensitive",
            WarningCode::GuardianAgeBelowPipl => "guardian_age_below_pipl",
        }
    }
}

impl fmt::Display for WarningCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One compliance warning, with the path of the part of the definition it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplianceWarning {
    /// Where in the definition, such as `sections[0].fields[3].retention`.
    pub path: String,
    /// What looks wrong.
    pub code: WarningCode,
    /// Values the message refers to.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl ComplianceWarning {
    fn new(path: impl Into<String>, code: WarningCode) -> Self {
        Self {
            path: path.into(),
            code,
            params: BTreeMap::new(),
        }
    }

    fn with(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.params.insert(name.to_owned(), value.to_string());
        self
    }

    /// The message for the designer, in `locale`.
    #[must_use]
    pub fn message(&self, locale: Locale) -> String {
        messages::warning_message(self.code, &self.params, locale)
    }
}

/// True when the notice names the purpose in either language.
fn notice_mentions(def: &FormDefinition, purpose: &Purpose) -> bool {
    let zh = purpose.name.zh_cn.trim();
    let en = purpose.name.en.trim().to_lowercase();
    (!zh.is_empty() && def.notice.zh_cn.contains(zh))
        || (!en.is_empty() && def.notice.en.to_lowercase().contains(&en))
}

/// Every compliance warning for a definition, in definition order.
#[must_use]
pub fn compliance_warnings(def: &FormDefinition) -> Vec<ComplianceWarning> {
    let mut out = Vec::new();
    if let Some(age) = def
        .guardian_consent_under_age
        .filter(|a| *a < PIPL_GUARDIAN_AGE)
    {
        out.push(
            ComplianceWarning::new(
                "guardian_consent_under_age",
                WarningCode::GuardianAgeBelowPipl,
            )
            .with("age", age),
        );
    }
    if let Some(transfer) = &def.cross_border {
        if transfer.recipient.trim().is_empty() {
            out.push(ComplianceWarning::new(
                "cross_border.recipient",
                WarningCode::CrossBorderRecipientMissing,
            ));
        }
        if transfer.country.trim().is_empty() {
            out.push(ComplianceWarning::new(
                "cross_border.country",
                WarningCode::CrossBorderCountryMissing,
            ));
        }
    }
    if def.has_sensitive_fields() && def.sensitive_consent_text.is_blank() {
        out.push(ComplianceWarning::new(
            "sensitive_consent_text",
            WarningCode::SensitiveConsentTextMissing,
        ));
    }
    for (i, purpose) in def.purposes.iter().enumerate() {
        let name = purpose.name.get(Locale::En);
        if !notice_mentions(def, purpose) {
            out.push(
                ComplianceWarning::new(
                    format!("purposes[{i}].name"),
                    WarningCode::PurposeNotInNotice,
                )
                .with("purpose", &purpose.key)
                .with("name", name),
            );
        }
        if purpose.required && purpose.lawful_basis == LawfulBasis::Consent {
            out.push(
                ComplianceWarning::new(
                    format!("purposes[{i}].required"),
                    WarningCode::RequiredPurposeReliesOnConsent,
                )
                .with("purpose", &purpose.key),
            );
        }
    }
    for (s, section) in def.sections.iter().enumerate() {
        for (f, field) in section.fields.iter().enumerate() {
            if !field.holds_value() {
                continue;
            }
            let path = format!("sections[{s}].fields[{f}]");
            if matches!(field.kind, FieldKind::ResidentId)
                && field.sensitivity != Sensitivity::Sensitive
            {
                out.push(ComplianceWarning::new(
                    format!("{path}.sensitivity"),
                    WarningCode::ResidentIdNotSensitive,
                ));
            }
            match (field.sensitivity, field.purposes.is_empty()) {
                (Sensitivity::Sensitive, true) => {
                    out.push(ComplianceWarning::new(
                        format!("{path}.purposes"),
                        WarningCode::SensitiveFieldWithoutPurpose,
                    ));
                }
                (Sensitivity::Personal, true) => {
                    out.push(ComplianceWarning::new(
                        format!("{path}.purposes"),
                        WarningCode::PersonalFieldWithoutPurpose,
                    ));
                }
                _ => {}
            }
            for (k, key) in field.purposes.iter().enumerate() {
                if def.purpose(key.as_str()).is_none() {
                    out.push(
                        ComplianceWarning::new(
                            format!("{path}.purposes[{k}]"),
                            WarningCode::PurposeNotDeclared,
                        )
                        .with("purpose", key),
                    );
                }
            }
            if field.sensitivity == Sensitivity::Sensitive && field.retention.is_none() {
                out.push(ComplianceWarning::new(
                    format!("{path}.retention"),
                    WarningCode::SensitiveFieldWithoutRetention,
                ));
            }
        }
    }
    out
}

impl FormDefinition {
    /// Every compliance warning for this definition; see [`compliance_warnings`].
    #[must_use]
    pub fn compliance_warnings(&self) -> Vec<ComplianceWarning> {
        compliance_warnings(self)
    }
}
