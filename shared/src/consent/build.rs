//! The one way a consent statement is put together from a published form version, the
//! validated answers and the customer's choices. The customer app, staff devices and the
//! test client all call [`build_statement`], and the server checks what they send with
//! [`check_statement`](super::check_statement), so the two cannot drift apart.

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;

use super::keyed::HashKey;
use super::receipt::RECEIPT_FORMAT;
use super::statement::{ConsentStatement, SeparateConsents};
use super::submission::{notice_hash, subject_identifier};
use crate::api::{consent::SubmitRequest, forms::VersionDetail};
use crate::i18n::Locale;
use crate::schema::{Answers, FormDefinition, ValidatedAnswers};

/// What the customer chose in the privacy pop-up (and the guardian step).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentChoices {
    /// Purpose keys consented to.
    pub granted: Vec<String>,
    /// Purpose keys declined.
    pub declined: Vec<String>,
    pub separate: SeparateConsents,
}

impl ConsentChoices {
    /// Each purpose of `def`, in the form's order, granted when `decisions` holds `true`
    /// for it and declined otherwise (a purpose not decided is declined).
    #[must_use]
    pub fn from_decisions(
        def: &FormDefinition,
        decisions: &BTreeMap<String, bool>,
        separate: SeparateConsents,
    ) -> Self {
        let (mut granted, mut declined) = (Vec::new(), Vec::new());
        for p in &def.purposes {
            let key = p.key.as_str().to_owned();
            if decisions.get(&key).copied().unwrap_or(false) {
                granted.push(key);
            } else {
                declined.push(key);
            }
        }
        Self {
            granted,
            declined,
            separate,
        }
    }

    /// Every purpose of [`FormDefinition::demo_customer_registration`] granted, with
    /// separate consent to sensitive information (for tests, the bench and examples).
    #[must_use]
    pub fn all_demo() -> Self {
        Self {
            granted: vec![
                "identity_verification".into(),
                "marketing".into(),
                "membership_service".into(),
            ],
            declined: vec![],
            separate: SeparateConsents {
                sensitive: true,
                ..SeparateConsents::default()
            },
        }
    }

    /// [`Self::all_demo`] with marketing declined.
    #[must_use]
    pub fn without_marketing() -> Self {
        Self {
            granted: vec!["identity_verification".into(), "membership_service".into()],
            declined: vec!["marketing".into()],
            ..Self::all_demo()
        }
    }
}

/// What makes one statement unique, chosen by the caller because `shared` has neither a
/// clock nor a random source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    /// A fresh UUID for a customer's submission; the record's UUID on a staff device.
    pub receipt_id: String,
    /// A fresh random key for the statement's hashes, sent beside it.
    pub hash_key: HashKey,
    /// The signer's clock, Unix milliseconds.
    pub signed_at_ms: i64,
    /// The language the customer read the notice in.
    pub locale: Locale,
}

/// The consent statement for `validated` answers to `version` (checked with its
/// published definition) and the customer's `choices`: the hashes of the form version,
/// notice, and the answers, signature and subject's identifier hashed with the key of
/// `signing` (the subject `none` when the answers name no phone, email or resident ID).
#[must_use]
pub fn build_statement(
    version: &VersionDetail,
    validated: &ValidatedAnswers,
    choices: &ConsentChoices,
    signing: Signing,
) -> ConsentStatement {
    let hashes = StatementHashes::of(&version.definition, validated, &signing.hash_key);
    build_statement_over(
        version,
        &hashes,
        choices,
        signing.receipt_id,
        (signing.signed_at_ms, signing.locale),
    )
}

/// The hashes a statement carries of the record it covers: its subject's identifier,
/// its signature and its answers, each keyed (format 2).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementHashes {
    pub subject_hash: String,
    pub signature_hash: String,
    pub record_hash: String,
}

impl StatementHashes {
    /// The hashes of `validated` answers to `def` under `key`.
    #[must_use]
    pub fn of(def: &FormDefinition, validated: &ValidatedAnswers, key: &HashKey) -> Self {
        Self {
            subject_hash: subject_identifier(def, validated)
                .map_or_else(|| "none".to_owned(), |id| key.subject_hash(&id)),
            signature_hash: key.signature_hash(validated),
            record_hash: key.record_hash(validated),
        }
    }
}

/// The consent statement for a record already held (a consent request for an imported
/// record): the person's `choices` over the record's `hashes`, which the server made
/// with a key it keeps, signed at `signed_at_ms` by someone reading in `locale`.
#[must_use]
pub fn build_statement_over(
    version: &VersionDetail,
    hashes: &StatementHashes,
    choices: &ConsentChoices,
    receipt_id: String,
    (signed_at_ms, locale): (i64, Locale),
) -> ConsentStatement {
    ConsentStatement {
        format: RECEIPT_FORMAT,
        receipt_id,
        form_id: version.form_id.to_string(),
        form_version: version.summary.number,
        form_version_hash: version.summary.hash.clone(),
        notice_hash: notice_hash(&version.definition),
        purposes_granted: choices.granted.clone(),
        purposes_declined: choices.declined.clone(),
        separate_consents: choices.separate.clone(),
        subject_hash: hashes.subject_hash.clone(),
        subject_salt: None,
        signature_hash: hashes.signature_hash.clone(),
        record_hash: hashes.record_hash.clone(),
        signed_at_ms,
        locale,
    }
}

/// A customer's submission: `statement` signed with the browser's per-submission `key`,
/// the key of its hashes, and the `answers` it covers (as sent, before normalisation).
#[must_use]
pub fn sign_submission(
    statement: ConsentStatement,
    hash_key: &HashKey,
    answers: Answers,
    key: &SigningKey,
) -> SubmitRequest {
    let (client_public_key, client_signature) = statement.sign(key);
    SubmitRequest {
        statement,
        hash_key: Some(hash_key.to_text()),
        client_public_key,
        client_signature,
        answers,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::{Date, Month};

    use super::*;
    use crate::api::forms::VersionSummary;
    use crate::consent::{
        b64, check_statement, record_hash, signature_hash, subject_hash, ReceiptBody,
        StatementContext, StatementProblem, SALTED_FORMAT,
    };

    fn today() -> Date {
        Date::from_calendar_date(2026, Month::June, 1).unwrap()
    }

    fn demo_version() -> VersionDetail {
        let definition = FormDefinition::demo_customer_registration();
        VersionDetail {
            summary: VersionSummary {
                number: 3,
                hash: definition.version_hash(),
                published_at_ms: 0,
                published_by: None,
            },
            form_id: "0b6e1f0a-8a55-4b8e-9c1e-2d3c4b5a6978".parse().unwrap(),
            definition,
        }
    }

    fn signing() -> Signing {
        Signing {
            receipt_id: "r1".into(),
            hash_key: HashKey::from_bytes([3; 32]),
            signed_at_ms: 1_795_000_000_000,
            locale: Locale::ZhCn,
        }
    }

    fn problems(
        version: &VersionDetail,
        validated: &ValidatedAnswers,
        statement: &ConsentStatement,
    ) -> Vec<crate::consent::StatementProblem> {
        let def = &version.definition;
        let ctx = StatementContext {
            form_id: version.form_id,
            form_version: version.summary.number,
            version_hash: &version.summary.hash,
            notice_hash: &notice_hash(def),
            definition: def,
            answers: validated,
            today: today(),
            hash_key: Some(&signing().hash_key),
        };
        check_statement(&ctx, statement)
    }

    #[test]
    fn a_built_statement_holds_every_hash_and_passes_the_servers_check() {
        let version = demo_version();
        let def = &version.definition;
        let validated = def
            .validate(&FormDefinition::demo_answers(), today())
            .unwrap();
        let choices = ConsentChoices::all_demo();
        let statement = build_statement(&version, &validated, &choices, signing());
        let key = signing().hash_key;
        let subject = subject_identifier(def, &validated).unwrap();
        assert_eq!(
            statement,
            ConsentStatement {
                format: RECEIPT_FORMAT,
                receipt_id: "r1".into(),
                form_id: version.form_id.to_string(),
                form_version: 3,
                form_version_hash: def.version_hash(),
                notice_hash: notice_hash(def),
                purposes_granted: choices.granted,
                purposes_declined: vec![],
                separate_consents: choices.separate,
                subject_hash: key.subject_hash(&subject),
                subject_salt: None,
                signature_hash: key.signature_hash(&validated),
                record_hash: key.record_hash(&validated),
                signed_at_ms: 1_795_000_000_000,
                locale: Locale::ZhCn,
            }
        );
        assert_ne!(statement.signature_hash, "none");
        assert_eq!(problems(&version, &validated, &statement), vec![]);
    }

    #[test]
    fn a_keyed_statement_needs_its_own_key() {
        let version = demo_version();
        let def = &version.definition;
        let validated = def
            .validate(&FormDefinition::demo_answers(), today())
            .unwrap();
        let statement =
            build_statement(&version, &validated, &ConsentChoices::all_demo(), signing());
        let ctx = |key| StatementContext {
            form_id: version.form_id,
            form_version: 3,
            version_hash: &version.summary.hash,
            notice_hash: "",
            definition: def,
            answers: &validated,
            today: today(),
            hash_key: key,
        };
        let notice = StatementProblem::WrongNoticeHash;
        assert_eq!(
            check_statement(&ctx(None), &statement),
            vec![notice.clone(), StatementProblem::HashKeyMissing]
        );
        let other = HashKey::from_bytes([4; 32]);
        assert_eq!(
            check_statement(&ctx(Some(&other)), &statement),
            vec![
                notice,
                StatementProblem::WrongRecordHash,
                StatementProblem::WrongSignatureHash,
                StatementProblem::WrongSubjectHash,
            ]
        );
    }

    #[test]
    fn a_salted_statement_of_format_1_still_passes_the_check() {
        let version = demo_version();
        let def = &version.definition;
        let validated = def
            .validate(&FormDefinition::demo_answers(), today())
            .unwrap();
        let salt = b"0123456789abcdef";
        let subject = subject_identifier(def, &validated).unwrap();
        let mut statement =
            build_statement(&version, &validated, &ConsentChoices::all_demo(), signing());
        statement.format = SALTED_FORMAT;
        statement.subject_hash = subject_hash(salt, &subject);
        statement.subject_salt = Some(b64(salt));
        statement.signature_hash = signature_hash(&validated);
        statement.record_hash = record_hash(&validated);
        assert_eq!(problems(&version, &validated, &statement), vec![]);
        statement.subject_salt = Some(b64(b"short"));
        assert_eq!(
            problems(&version, &validated, &statement),
            vec![StatementProblem::WrongSubjectHash]
        );
    }

    #[test]
    fn a_statement_without_an_identifier_names_no_subject() {
        let version = demo_version();
        let validated = ValidatedAnswers::from_values(BTreeMap::new());
        let statement =
            build_statement(&version, &validated, &ConsentChoices::all_demo(), signing());
        assert_eq!(statement.subject_hash, "none");
        assert_eq!(statement.signature_hash, "none");
        assert_eq!(
            statement.record_hash,
            signing().hash_key.record_hash(&validated)
        );
    }

    #[test]
    fn a_signed_submission_verifies_as_the_receipts_client_signature() {
        let version = demo_version();
        let answers = FormDefinition::demo_answers();
        let validated = version.definition.validate(&answers, today()).unwrap();
        let statement = build_statement(
            &version,
            &validated,
            &ConsentChoices::without_marketing(),
            signing(),
        );
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let hash_key = signing().hash_key;
        let request = sign_submission(statement.clone(), &hash_key, answers.clone(), &key);
        assert_eq!(request.statement, statement);
        assert_eq!(request.hash_key, Some(hash_key.to_text()));
        assert_eq!(request.answers, answers);
        assert_eq!(
            request.client_public_key,
            b64(key.verifying_key().as_bytes())
        );
        let body = ReceiptBody {
            statement: request.statement,
            client_public_key: request.client_public_key,
            client_signature: request.client_signature,
            device: None,
            received_at_ms: 0,
            server_key_id: "k".into(),
        };
        assert_eq!(body.verify_client_signature(), Ok(()));
    }

    #[test]
    fn choices_follow_the_forms_purposes_and_decline_what_was_not_decided() {
        let def = FormDefinition::demo_customer_registration();
        let decisions = BTreeMap::from([
            ("identity_verification".to_owned(), true),
            ("marketing".to_owned(), false),
            ("not_a_purpose".to_owned(), true),
        ]);
        let separate = SeparateConsents {
            cross_border: true,
            ..SeparateConsents::default()
        };
        let choices = ConsentChoices::from_decisions(&def, &decisions, separate.clone());
        assert_eq!(
            choices,
            ConsentChoices {
                granted: vec!["identity_verification".into()],
                declined: vec!["membership_service".into(), "marketing".into()],
                separate,
            }
        );
    }
}
