//! What a customer's browser does before it submits: validate the answers, build the
//! consent statement and sign it with a fresh per-submission key.

use ed25519_dalek::SigningKey;
use rand::RngCore as _;
use shared::{
    api::{consent::SubmitRequest, forms::VersionDetail},
    consent::{
        b64, notice_hash, record_hash, signature_hash, subject_hash, subject_identifier,
        ConsentStatement, SeparateConsents, RECEIPT_FORMAT,
    },
    i18n::Locale,
    schema::Answers,
};

/// A complete, valid set of answers to the demo form (marketing accepted).
#[must_use]
pub fn demo_answers() -> Answers {
    shared::schema::FormDefinition::demo_answers()
}

/// The demo answers without the fields that serve only marketing, for a customer who
/// declines marketing.
#[must_use]
pub fn demo_answers_without_marketing() -> Answers {
    let mut a = demo_answers();
    for key in [
        "marketing_opt_in",
        "preferred_channel",
        "messages_per_month",
    ] {
        a.remove(key);
    }
    a
}

/// What the customer chose in the privacy pop-up.
#[derive(Debug, Clone)]
pub struct Choices {
    pub granted: Vec<String>,
    pub declined: Vec<String>,
    pub separate: SeparateConsents,
}

impl Choices {
    /// Every purpose of the demo form accepted, with separate consent to sensitive data.
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

    /// Marketing declined.
    #[must_use]
    pub fn without_marketing() -> Self {
        Self {
            granted: vec!["identity_verification".into(), "membership_service".into()],
            declined: vec!["marketing".into()],
            ..Self::all_demo()
        }
    }
}

/// Builds and signs a submission the way the customer's browser does.
#[must_use]
pub fn signed_submission(
    version: &VersionDetail,
    answers: &Answers,
    choices: &Choices,
    key: &SigningKey,
    receipt_id: &str,
) -> SubmitRequest {
    let def = &version.definition;
    let today = time::OffsetDateTime::now_utc().date();
    let validated = def
        .validate(answers, today)
        .unwrap_or_else(|e| panic!("test answers are invalid: {e:?}"));
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let subject = subject_identifier(def, &validated)
        .map_or_else(|| "none".to_owned(), |id| subject_hash(&salt, &id));
    let statement = ConsentStatement {
        format: RECEIPT_FORMAT,
        receipt_id: receipt_id.to_owned(),
        form_id: version.form_id.clone(),
        form_version: version.summary.number,
        form_version_hash: version.summary.hash.clone(),
        notice_hash: notice_hash(def),
        purposes_granted: choices.granted.clone(),
        purposes_declined: choices.declined.clone(),
        separate_consents: choices.separate.clone(),
        subject_hash: subject,
        subject_salt: b64(&salt),
        signature_hash: signature_hash(&validated),
        record_hash: record_hash(&validated),
        signed_at_ms: i64::try_from(
            time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000,
        )
        .unwrap_or_default(),
        locale: Locale::ZhCn,
    };
    let (client_public_key, client_signature) = statement.sign(key);
    SubmitRequest {
        statement,
        client_public_key,
        client_signature,
        answers: answers.clone(),
    }
}

/// A fresh per-submission key, as a browser makes one.
#[must_use]
pub fn new_key() -> SigningKey {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    SigningKey::from_bytes(&seed)
}
