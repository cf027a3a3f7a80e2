//! The records of processing (PIPL Art. 54–55, GDPR Art. 30) and the personal-information
//! impact assessment drafts (PIPL Art. 55–56): what `GET /compliance/processing`,
//! `GET /compliance/assessments` and `GET /compliance/assessments/{form_id}` answer.
//!
//! `crate::processing` builds them from each form's newest published definition and the
//! facts the server counts. Every text a person reads is a [`LocalizedText`], so one JSON
//! document serves both languages; the machine-readable values (keys, enums, counts,
//! periods) stand beside the texts. Every document is stamped with the moment it was
//! computed and the audit chain's head then, so an auditor can tie it to the log.

use serde::{Deserialize, Serialize};

use crate::{
    access::Visibility,
    api::{
        auth::Role,
        compliance::{AuditStamp, SourceCount},
        forms::FormStatus,
    },
    i18n::LocalizedText,
    ids::FormId,
    schema::{
        Controller, CrossBorderTransfer, FieldKey, LawfulBasis, PurposeKey, RetentionPeriod,
        Sensitivity,
    },
};

/// `GET /compliance/processing`: one processing activity per form that collects or still
/// holds personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordsOfProcessing {
    pub computed_at_ms: i64,
    pub audit_head: AuditStamp,
    /// Every controller the forms name, once each, in the order first named.
    pub controllers: Vec<Controller>,
    /// Active forms with a published version, then archived forms that still hold live
    /// records; each by title.
    pub activities: Vec<ProcessingActivity>,
    /// The technical and organisational measures that protect every activity (GDPR Art.
    /// 30(1)(g), PIPL Art. 51): what the system itself does.
    pub security_measures: Vec<SecurityMeasure>,
}

/// One form as a processing activity: what its newest published version collects, why,
/// on which basis, for how long, who sees it, where it goes and how much is held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcessingActivity {
    pub form_id: FormId,
    pub title: LocalizedText,
    pub description: LocalizedText,
    /// Active (collecting) or archived (no longer collecting, still holding records).
    pub status: FormStatus,
    pub version: VersionStamp,
    pub controller: Controller,
    /// Whose data it is (GDPR Art. 30(1)(c)).
    pub data_subjects: Vec<LocalizedText>,
    pub purposes: Vec<ProcessingPurpose>,
    /// The fields that take an answer, in form order (GDPR Art. 30(1)(c)).
    pub categories: Vec<DataCategory>,
    pub recipients: Recipients,
    pub retention: RetentionPolicy,
    /// What each role may see and do with the records, in [`Role::ALL`] order.
    pub access: Vec<RoleAccess>,
    pub collectors: Collectors,
    pub volume: ProcessingVolume,
    /// Protections that come from this form's design (separate consents, guardian
    /// consent, approval of key-field changes, withdrawal).
    pub safeguards: Vec<LocalizedText>,
    /// Below this age a guardian must consent (PIPL Art. 31).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_consent_under_age: Option<u8>,
    /// The designer's compliance warnings on this version (empty when none).
    pub warnings: Vec<LocalizedText>,
    /// Why PIPL Art. 55 asks for an impact assessment of this form (empty when it
    /// does not, as far as the form's design shows).
    pub assessment_triggers: Vec<AssessmentTrigger>,
}

/// The published version a document describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionStamp {
    pub number: i64,
    /// `sha256:…` of the version's canonical definition.
    pub hash: String,
    pub published_at_ms: i64,
}

/// A purpose of the form with its lawful basis and retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcessingPurpose {
    pub key: PurposeKey,
    pub name: LocalizedText,
    pub description: LocalizedText,
    pub lawful_basis: LawfulBasis,
    /// The basis in words, with the articles (PIPL Art. 13, GDPR Art. 6).
    pub basis_text: LocalizedText,
    /// The service cannot be provided without it.
    pub required: bool,
    /// The purpose's own period, if it states one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionPeriod>,
    pub retention_text: LocalizedText,
    /// The fields collected for it.
    pub fields: Vec<FieldKey>,
}

/// One field: a category of personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataCategory {
    pub key: FieldKey,
    pub label: LocalizedText,
    /// The field kind's stable name (`phone`, `resident_id`, …).
    pub kind: String,
    pub kind_name: LocalizedText,
    pub sensitivity: Sensitivity,
    pub sensitivity_name: LocalizedText,
    pub required: bool,
    pub purposes: Vec<PurposeKey>,
    /// The field's own period, if it states one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionPeriod>,
    /// How long an answer is really kept: the latest of its purposes' clocks (see
    /// `crate::retention`).
    pub retention_text: LocalizedText,
    /// No clock ends it: kept as long as the record exists.
    pub open_ended: bool,
}

/// Where the data goes beyond the controller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recipients {
    /// A transfer outside mainland China (PIPL Art. 38–39).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_border: Option<CrossBorderTransfer>,
    /// The websites that embed the form (where the data is collected).
    pub embed_origins: Vec<String>,
    /// What the system itself discloses, and what it cannot know.
    pub note: LocalizedText,
}

/// How and when stored answers go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionPolicy {
    /// Days values serving only withdrawn purposes are kept after a withdrawal.
    pub withdrawal_grace_days: u32,
    /// When retention runs delete or anonymise due values.
    pub runs: LocalizedText,
    /// Fields no clock ends (kept while the record exists).
    pub open_ended_fields: Vec<FieldKey>,
}

/// What one role sees and may do with the form's records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleAccess {
    pub role: Role,
    pub name: LocalizedText,
    /// Whose records the role reaches.
    pub scope: LocalizedText,
    /// How the role sees each sensitivity the form holds.
    pub sees: Vec<SensitivityAccess>,
    /// May reveal a masked value, with a reason, audited.
    pub may_reveal: bool,
    /// May export records (the export settings decide; admins always may).
    pub may_export: bool,
    /// May export values unmasked (with a reason; above the threshold after approval).
    pub may_export_unmasked: bool,
    /// Enabled accounts with the role.
    pub accounts: u64,
}

/// How a role sees values of one sensitivity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SensitivityAccess {
    pub sensitivity: Sensitivity,
    pub visibility: Visibility,
}

/// Who collects with the form (staff devices and managers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Collectors {
    /// Enabled staff and manager accounts given the form, directly or through a team.
    pub accounts: u64,
    /// Teams given the form.
    pub teams: u64,
}

/// How much of the form's data is held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcessingVolume {
    /// Records not erased.
    pub live_records: u64,
    /// The live records by how they arrived (sources with none left out).
    pub by_source: Vec<SourceCount>,
    /// The oldest live record's collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_collected_at_ms: Option<i64>,
    /// The newest live record's collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_collected_at_ms: Option<i64>,
    /// Live records a legal hold keeps from deletion.
    pub under_legal_hold: u64,
}

/// A protection the system applies, stated as the code does it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecurityMeasure {
    pub key: SecurityMeasureKey,
    pub title: LocalizedText,
    pub description: LocalizedText,
}

/// The stable name of a security measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SecurityMeasureKey {
    EncryptionAtRest,
    BlindIndexes,
    AccessControl,
    Authentication,
    AuditTrail,
    SignedConsent,
    GovernedExports,
    Retention,
    OfflineDevices,
    Alerts,
    Transport,
}

/// A circumstance for which PIPL Art. 55 requires an impact assessment beforehand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssessmentTrigger {
    /// A field holds sensitive personal information (Art. 55(1)).
    SensitiveData,
    /// The form expects minors: a guardian-consent age is set. Minors' information under
    /// 14 is sensitive (Art. 28), so Art. 55(1) applies.
    Minors,
    /// The data is transferred outside mainland China (Art. 55(4)).
    CrossBorderTransfer,
}

/// `GET /compliance/assessments`: the forms that need an impact assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentList {
    pub computed_at_ms: i64,
    /// Forms with at least one trigger, by title.
    pub forms: Vec<AssessmentCandidate>,
}

/// A form that needs an impact assessment, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentCandidate {
    pub form_id: FormId,
    pub title: LocalizedText,
    pub status: FormStatus,
    /// The newest published version, which the draft describes.
    pub version: i64,
    pub triggers: Vec<AssessmentTrigger>,
    pub live_records: u64,
}

/// `GET /compliance/assessments/{form_id}`: an impact assessment's draft, pre-filled from
/// the form's newest published version and the data held, with the sections the
/// personal-information protection officer must complete marked as such.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentDraft {
    pub computed_at_ms: i64,
    pub audit_head: AuditStamp,
    pub form_id: FormId,
    pub title: LocalizedText,
    /// Why the assessment is required; empty when the form's design shows no Art. 55
    /// circumstance (the draft is then for an assessment made by choice).
    pub triggers: Vec<AssessmentTrigger>,
    /// The facts the sections are written from.
    pub activity: ProcessingActivity,
    pub sections: Vec<AssessmentSection>,
}

/// One section of an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentSection {
    pub key: AssessmentSectionKey,
    pub title: LocalizedText,
    /// The articles the section answers to.
    pub law: LocalizedText,
    /// What the system could fill in, as label and value.
    pub prefilled: Vec<AssessmentRow>,
    /// The officer must write this section's judgement before the assessment is done.
    pub officer_must_complete: bool,
    /// What the officer is asked to write (blank when nothing is asked).
    pub prompt: LocalizedText,
}

/// One pre-filled line of a section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentRow {
    pub label: LocalizedText,
    pub value: LocalizedText,
}

/// The stable name of an assessment section, in the order a draft has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssessmentSectionKey {
    /// The form, its version and the controller.
    Overview,
    /// Why an assessment is required (Art. 55).
    Triggers,
    /// The personal data collected.
    DataInventory,
    /// Purposes, lawful bases and necessity (Art. 56(1)).
    PurposesAndNecessity,
    /// Sensitive personal information (Art. 28–29); only when the form holds some.
    SensitiveData,
    /// Minors (Art. 31); only when a guardian-consent age is set.
    Minors,
    /// The transfer abroad (Art. 38–39); only when the form declares one.
    CrossBorder,
    /// How much is held and who collects it.
    Scale,
    /// Who can see and export it.
    Access,
    /// How long it is kept (Art. 19, 47).
    Retention,
    /// The measures in place (Art. 51).
    SecurityMeasures,
    /// The impact on people and the security risks (Art. 56(2)).
    Risks,
    /// Whether the measures are lawful, effective and proportionate (Art. 56(3)).
    MeasuresEvaluation,
    /// The conclusion and approval.
    Conclusion,
}
