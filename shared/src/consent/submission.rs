//! The rules that tie a consent statement to the form and the answers it covers.
//!
//! The browser builds its statement with these functions and the server re-checks it
//! with the same ones ([`check_statement`]) before storing anything.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use super::{
    keyed::HashKey,
    receipt::{sha256_tagged, RECEIPT_FORMAT, SALTED_FORMAT},
    statement::ConsentStatement,
};
use crate::schema::{
    canonical_json_bytes, FieldValue, FormDefinition, Sensitivity, Signature, ValidatedAnswers,
};

/// `sha256:` of the canonical JSON of what the privacy pop-up shows: the controller,
/// the notice, the purposes, the separate-consent wording and any cross-border transfer.
#[must_use]
pub fn notice_hash(def: &FormDefinition) -> String {
    let shown = serde_json::json!({
        "controller": def.controller,
        "notice": def.notice,
        "purposes": def.purposes,
        "sensitive_consent_text": def.sensitive_consent_text,
        "cross_border": def.cross_border,
        "guardian_consent_under_age": def.guardian_consent_under_age,
    });
    sha256_tagged(&canonical_json_bytes(&shown))
}

/// `sha256:` of the canonical JSON of the validated answers (in the shape a browser
/// sends them, after normalisation): a format-1 statement's `record_hash`, and the
/// payload hash of a device's edit.
#[must_use]
pub fn record_hash(answers: &ValidatedAnswers) -> String {
    sha256_tagged(&record_bytes(answers))
}

/// The canonical JSON of the validated answers, as `answers.to_answers()` would
/// encode, written straight from the values (field keys iterate in the same byte order
/// a JSON object's keys sort in; tested).
#[must_use]
pub fn record_bytes(answers: &ValidatedAnswers) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.push(b'{');
    for (i, (key, value)) in answers.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        crate::schema::write_scalar(key.as_str(), &mut out);
        out.push(b':');
        crate::schema::write_canonical_bytes(&value.to_answer(), &mut out);
    }
    out.push(b'}');
    out
}

/// A format-1 statement's `signature_hash`: the drawn PNG's hash, or the SHA-256 of the
/// typed name; `none` when the form has no signature answer.
#[must_use]
pub fn signature_hash(answers: &ValidatedAnswers) -> String {
    answers
        .iter()
        .find_map(|(_, v)| match v {
            FieldValue::Signature(Signature::Drawn { image_sha256, .. }) => {
                Some(format!("sha256:{image_sha256}"))
            }
            FieldValue::Signature(Signature::Typed { name }) => {
                Some(sha256_tagged(name.as_bytes()))
            }
            _ => None,
        })
        .unwrap_or_else(|| "none".to_owned())
}

/// The subject's identifier: the first phone, email or resident ID answered, in form
/// order, normalised (E.164, lower-case domain, upper-case X).
#[must_use]
pub fn subject_identifier(def: &FormDefinition, answers: &ValidatedAnswers) -> Option<String> {
    def.fields()
        .find_map(|f| match answers.get(f.key.as_str())? {
            FieldValue::Phone(p) => Some(p.as_str().to_owned()),
            FieldValue::Email(e) => Some(e.as_str().to_owned()),
            FieldValue::ResidentId(id) => Some(id.as_str().to_owned()),
            _ => None,
        })
}

/// True when an answered resident ID shows the subject is younger than the form's
/// guardian age on `today`.
#[must_use]
pub fn needs_guardian(def: &FormDefinition, answers: &ValidatedAnswers, today: Date) -> bool {
    let Some(limit) = def.guardian_consent_under_age else {
        return false;
    };
    answers.iter().any(|(_, v)| match v {
        FieldValue::ResidentId(id) => id.birth_date().is_some_and(|born| {
            let mut age = today.year() - born.year();
            if (today.month() as u8, today.day()) < (born.month() as u8, born.day()) {
                age -= 1;
            }
            age < i32::from(limit)
        }),
        _ => false,
    })
}

/// Field keys whose answers need the separate consent for sensitive information.
#[must_use]
pub fn answered_sensitive_fields(def: &FormDefinition, answers: &ValidatedAnswers) -> Vec<String> {
    def.fields()
        .filter(|f| {
            f.sensitivity == Sensitivity::Sensitive && answers.get(f.key.as_str()).is_some()
        })
        .map(|f| f.key.as_str().to_owned())
        .collect()
}

/// Something in a statement that does not fit its form or answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum StatementProblem {
    UnsupportedFormat,
    WrongForm,
    WrongVersionHash,
    WrongNoticeHash,
    /// Every purpose must be either granted or declined, once.
    PurposesIncomplete,
    /// A purpose the service needs was declined.
    RequiredPurposeDeclined {
        purpose: String,
    },
    /// An answer was given for a field none of whose purposes was granted.
    FieldWithoutConsent {
        field: String,
    },
    SensitiveConsentMissing,
    CrossBorderConsentMissing,
    GuardianConsentMissing,
    /// A format-2 statement came without its 32-byte hash key.
    HashKeyMissing,
    WrongRecordHash,
    WrongSignatureHash,
    WrongSubjectHash,
}

impl StatementProblem {
    /// A sentence for people.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::UnsupportedFormat => "The consent statement has an unsupported format".into(),
            Self::WrongForm => "The consent statement names another form or version".into(),
            Self::WrongVersionHash => {
                "The consent statement names another version of this form".into()
            }
            Self::WrongNoticeHash => "The consent statement names another privacy notice".into(),
            Self::PurposesIncomplete => "Each purpose must be either accepted or declined".into(),
            Self::RequiredPurposeDeclined { purpose } => {
                format!("The purpose {purpose} is needed to provide the service and was declined")
            }
            Self::FieldWithoutConsent { field } => {
                format!("The field {field} was answered but none of its purposes was accepted")
            }
            Self::SensitiveConsentMissing => {
                "Sensitive personal information needs separate consent".into()
            }
            Self::CrossBorderConsentMissing => "The transfer abroad needs separate consent".into(),
            Self::GuardianConsentMissing => "A guardian must consent for a minor".into(),
            Self::WrongRecordHash => "The consent statement does not match the answers".into(),
            Self::WrongSignatureHash => "The consent statement does not match the signature".into(),
            Self::WrongSubjectHash => {
                "The consent statement does not match the person's identifier".into()
            }
            Self::HashKeyMissing => {
                "The consent statement's hash key is missing or not 32 bytes of base64url".into()
            }
        }
    }
}

/// What the statement must agree with.
pub struct StatementContext<'a> {
    pub form_id: crate::ids::FormId,
    pub form_version: i64,
    pub version_hash: &'a str,
    /// [`notice_hash`] of the definition (callers that check often keep it).
    pub notice_hash: &'a str,
    pub definition: &'a FormDefinition,
    pub answers: &'a ValidatedAnswers,
    pub today: Date,
    /// The key of a format-2 statement's hashes, sent beside it.
    pub hash_key: Option<&'a HashKey>,
}

/// Every problem of `statement` against its context (empty when it fits).
#[must_use]
pub fn check_statement(
    ctx: &StatementContext<'_>,
    statement: &ConsentStatement,
) -> Vec<StatementProblem> {
    let def = ctx.definition;
    let mut problems = Vec::new();
    if !super::is_known_format(statement.format) {
        problems.push(StatementProblem::UnsupportedFormat);
    }
    if statement.form_id != ctx.form_id.to_string() || statement.form_version != ctx.form_version {
        problems.push(StatementProblem::WrongForm);
    }
    if statement.form_version_hash != ctx.version_hash {
        problems.push(StatementProblem::WrongVersionHash);
    }
    if statement.notice_hash != ctx.notice_hash {
        problems.push(StatementProblem::WrongNoticeHash);
    }
    let all: BTreeSet<&str> = def.purposes.iter().map(|p| p.key.as_str()).collect();
    let granted: BTreeSet<&str> = statement
        .purposes_granted
        .iter()
        .map(String::as_str)
        .collect();
    let declined: BTreeSet<&str> = statement
        .purposes_declined
        .iter()
        .map(String::as_str)
        .collect();
    let listed_once = granted.len() == statement.purposes_granted.len()
        && declined.len() == statement.purposes_declined.len()
        && granted.is_disjoint(&declined);
    if !listed_once || granted.union(&declined).copied().collect::<BTreeSet<_>>() != all {
        problems.push(StatementProblem::PurposesIncomplete);
    }
    for p in def.purposes.iter().filter(|p| p.required) {
        if !granted.contains(p.key.as_str()) {
            problems.push(StatementProblem::RequiredPurposeDeclined {
                purpose: p.key.as_str().to_owned(),
            });
        }
    }
    for f in def.fields() {
        let answered = ctx.answers.get(f.key.as_str()).is_some();
        let consented =
            f.purposes.is_empty() || f.purposes.iter().any(|p| granted.contains(p.as_str()));
        if answered && !consented {
            problems.push(StatementProblem::FieldWithoutConsent {
                field: f.key.as_str().to_owned(),
            });
        }
    }
    let sc = &statement.separate_consents;
    if !answered_sensitive_fields(def, ctx.answers).is_empty() && !sc.sensitive {
        problems.push(StatementProblem::SensitiveConsentMissing);
    }
    if def.cross_border.is_some() && !sc.cross_border {
        problems.push(StatementProblem::CrossBorderConsentMissing);
    }
    if needs_guardian(def, ctx.answers, ctx.today) && !sc.guardian {
        problems.push(StatementProblem::GuardianConsentMissing);
    }
    let subject = subject_identifier(def, ctx.answers);
    let (record, signature, subject_ok) = match (statement.format, ctx.hash_key) {
        (RECEIPT_FORMAT, Some(key)) => (
            key.record_hash(ctx.answers),
            key.signature_hash(ctx.answers),
            statement.subject_salt.is_none()
                && subject.map_or_else(|| "none".to_owned(), |id| key.subject_hash(&id))
                    == statement.subject_hash,
        ),
        (RECEIPT_FORMAT, None) => {
            problems.push(StatementProblem::HashKeyMissing);
            return problems;
        }
        (SALTED_FORMAT, _) => (
            record_hash(ctx.answers),
            signature_hash(ctx.answers),
            salted_subject_matches(statement, subject.as_deref()),
        ),
        _ => return problems,
    };
    if statement.record_hash != record {
        problems.push(StatementProblem::WrongRecordHash);
    }
    if statement.signature_hash != signature {
        problems.push(StatementProblem::WrongSignatureHash);
    }
    if !subject_ok {
        problems.push(StatementProblem::WrongSubjectHash);
    }
    problems
}

/// Whether a format-1 statement's salted subject hash names `identifier` (or `none`).
fn salted_subject_matches(statement: &ConsentStatement, identifier: Option<&str>) -> bool {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
    match identifier {
        Some(id) => statement
            .subject_salt
            .as_deref()
            .and_then(|salt| URL_SAFE_NO_PAD.decode(salt).ok())
            .is_some_and(|salt| {
                salt.len() >= 16 && super::subject_hash(&salt, id) == statement.subject_hash
            }),
        None => statement.subject_hash == "none",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod record_hash_tests {
    use super::*;
    use crate::schema::{FieldKey, OptionKey};

    #[test]
    fn the_record_hash_is_the_canonical_json_of_the_answers_as_sent() {
        let values = [
            ("b", FieldValue::Text("引号\"\\\u{2028}".into())),
            ("a_1", FieldValue::Bool(true)),
            ("a", FieldValue::Choice(OptionKey::parse("yes").unwrap())),
            (
                "a1",
                FieldValue::Choices(vec![
                    OptionKey::parse("z").unwrap(),
                    OptionKey::parse("b").unwrap(),
                ]),
            ),
            ("z9", FieldValue::Text(String::new())),
        ]
        .into_iter()
        .map(|(k, v)| (FieldKey::parse(k).unwrap(), v))
        .collect();
        let answers = ValidatedAnswers::from_values(values);
        let generic = serde_json::to_value(answers.to_answers()).unwrap();
        assert_eq!(
            record_hash(&answers),
            sha256_tagged(&canonical_json_bytes(&generic))
        );
        assert_eq!(
            record_hash(&ValidatedAnswers::from_values(Default::default())),
            sha256_tagged(b"{}")
        );
    }
}
