//! What a customer's browser does before it submits: validate the answers, build the
//! consent statement and sign it with a fresh per-submission key.

use ed25519_dalek::SigningKey;
use rand::RngCore as _;
use shared::{
    api::{consent::SubmitRequest, forms::VersionDetail},
    consent::{build_statement, sign_submission, ConsentStatement, HashKey, Signing},
    i18n::Locale,
    schema::Answers,
};

/// What the customer chose in the privacy pop-up: the type the customer app and staff
/// devices build their statements from.
pub use shared::consent::ConsentChoices as Choices;

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

/// Builds and signs a submission the way the customer's browser does.
#[must_use]
pub fn signed_submission(
    version: &VersionDetail,
    answers: &Answers,
    choices: &Choices,
    key: &SigningKey,
    receipt_id: &str,
) -> SubmitRequest {
    let (statement, hash_key) = statement(version, answers, choices, receipt_id);
    sign_submission(statement, &hash_key, answers.clone(), key)
}

/// The consent statement for `answers` (validated with the published definition, which
/// they must pass) as a browser builds it, or a staff device with the record's UUID as
/// `receipt_id`: a fresh key for its hashes (returned beside it), the current time, the
/// notice read in Chinese.
#[must_use]
pub fn statement(
    version: &VersionDetail,
    answers: &Answers,
    choices: &Choices,
    receipt_id: &str,
) -> (ConsentStatement, HashKey) {
    let today = time::OffsetDateTime::now_utc().date();
    let validated = version
        .definition
        .validate(answers, today)
        .unwrap_or_else(|e| panic!("test answers are invalid: {e:?}"));
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let hash_key = HashKey::from_bytes(key);
    let signing = Signing {
        receipt_id: receipt_id.to_owned(),
        hash_key: hash_key.clone(),
        signed_at_ms: i64::try_from(
            time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000,
        )
        .unwrap_or_default(),
        locale: Locale::ZhCn,
    };
    (
        build_statement(version, &validated, choices, signing),
        hash_key,
    )
}

/// A fresh per-submission key, as a browser makes one.
#[must_use]
pub fn new_key() -> SigningKey {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    SigningKey::from_bytes(&seed)
}
