//! Form definitions and the validation engine that the browser and the server both run.
//!
//! The server never trusts the browser: it validates submitted answers with exactly this
//! code, and the browser runs the same code as the person types, so both report identical
//! per-field issues.
//!
//! # The JSON format of a definition (`format_version: 1`)
//!
//! ```json
//! {
//!   "format_version": 1,
//!   "title": {"zh-CN": "报名", "en": "Sign-up"},
//!   "description": {"zh-CN": "", "en": ""},
//!   "controller": {"name": {"zh-CN": "示例公司", "en": "Example Ltd"},
//!                  "contact": "privacy@example.com"},
//!   "purposes": [{"key": "service", "name": {"zh-CN": "提供服务", "en": "Service"},
//!                 "description": {"zh-CN": "", "en": ""},
//!                 "lawful_basis": "contract", "required": true}],
//!   "notice": {"zh-CN": "我们为提供服务收集……", "en": "We collect … for the Service"},
//!   "sensitive_consent_text": {"zh-CN": "", "en": ""},
//!   "embed_origins": ["https://shop.example.com"],
//!   "cross_border": {"recipient": "Example GmbH", "country": "DE",
//!                    "purpose": {"zh-CN": "…", "en": "…"}},
//!   "guardian_consent_under_age": 14,
//!   "sections": [{"key": "main", "title": {"zh-CN": "", "en": ""}, "new_page": false,
//!     "fields": [
//!       {"key": "mobile", "kind": {"type": "phone", "formats": ["cn_mobile", "e164"]},
//!        "label": {"zh-CN": "手机号码", "en": "Mobile number"}, "required": true,
//!        "sensitivity": "personal", "purposes": ["service"], "mask": "phone",
//!        "retention": {"days": 730, "action": "anonymise"}},
//!       {"key": "channel", "kind": {"type": "single_choice", "options": [
//!          {"key": "sms", "label": {"zh-CN": "短信", "en": "Text message"}}]},
//!        "label": {"zh-CN": "联系方式", "en": "Channel"},
//!        "visible_when": {"is_filled": {"field": "mobile"}},
//!        "rules": {}, "purposes": ["service"]}
//!     ]}]
//! }
//! ```
//!
//! Unknown members are rejected, so a typo never passes silently. Optional members:
//! `description`, `sensitive_consent_text`, `embed_origins`, `cross_border`,
//! `guardian_consent_under_age`, a section's `title` and `new_page`, and a field's `help`,
//! `required` (false), `rules`, `default`, `visible_when`, `sensitivity` (`personal`),
//! `purposes`, `retention` and `mask` (`none`). Field kinds are listed on [`FieldKind`],
//! rules on [`Rules`], conditions on [`Condition`], answer shapes on [`Answers`].
//!
//! # Entry points
//!
//! - [`FormDefinition::parse`] reads and checks a definition; [`FormDefinition::check`]
//!   lists structural problems; [`compliance_warnings`] lists legal gaps.
//! - [`validate`] checks a whole submission; [`validate_field`] checks one field as the
//!   person types; [`FormDefinition::visible_fields`] says what to show.
//! - [`FormDefinition::version_hash`] identifies a published version (see `canonical`).
//! - [`diff`] lists what a draft changes compared with the published version.

mod canonical;
mod change_messages;
mod check;
mod compliance;
mod condition;
mod condition_check;
mod contact;
mod decimal;
mod definition;
mod demo;
mod diff;
mod field;
mod issue;
mod keys;
pub mod messages;
mod parse;
mod resident_id;
mod validate;
mod value;

#[cfg(test)]
mod tests;

pub use canonical::{
    canonical_json, canonical_json_bytes, write_canonical_bytes, VERSION_HASH_PREFIX,
};
pub(crate) use canonical::{write_member, write_scalar};
pub use check::{is_valid_origin, ProblemCode, SchemaProblem, MAX_DECIMALS};
pub use compliance::{compliance_warnings, ComplianceWarning, WarningCode, PIPL_GUARDIAN_AGE};
pub use condition::Condition;
pub use contact::{EmailAddress, EmailError, PhoneError, PhoneFormat, PhoneNumber};
pub use decimal::{Decimal, DecimalError, MAX_DECIMAL_LEN};
pub use definition::{
    Controller, CrossBorderTransfer, FormDefinition, LawfulBasis, Purpose, SchemaError, Section,
    FORMAT_VERSION,
};
pub use diff::{
    diff, DraftChange, FieldAttribute, FormSetting, PurposeAttribute, SectionAttribute,
};
pub use field::{
    format_iso_date, parse_iso_date, ChoiceOption, DateLimit, Field, FieldKind, Pattern,
    RetentionAction, RetentionPeriod, RetentionStart, Rules, Sensitivity,
};
pub use issue::{IssueCode, ValidationErrors, ValidationIssue};
pub use keys::{FieldKey, KeyError, OptionKey, PurposeKey, SectionKey, MAX_KEY_LEN};
pub use parse::{
    ADDRESS_DETAIL_MAX_CHARS, ADDRESS_PART_MAX_CHARS, LONG_TEXT_MAX_CHARS, PNG_DATA_URL_PREFIX,
    SHORT_TEXT_MAX_CHARS, SIGNATURE_MAX_BYTES, TYPED_SIGNATURE_MAX_CHARS,
};
pub use resident_id::{check_character, ResidentId, ResidentIdError};
pub use validate::{validate, validate_field};
pub use value::{is_blank, Address, Answers, FieldValue, Signature, ValidatedAnswers};
