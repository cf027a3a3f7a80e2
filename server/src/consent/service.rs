//! Submissions with consent: check everything, seal the personal values, countersign,
//! store through the batching writer; verify receipts; withdraw consent.

use std::collections::BTreeMap;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use hmac::Mac as _;
use shared::{
    api::{
        auth::Role,
        consent::{ReceiptVerification, SubmitRequest, SubmitResponse},
        error::{ApiError, ErrorCode, FieldIssue},
    },
    consent::{
        check_statement, sha256_tagged, CollectingDevice, HashKey, ReceiptBody, SignedReceipt,
        StatementProblem,
    },
    i18n::Locale,
    ids::{DeviceId, ReceiptId, RecordId, UserId},
    schema::ValidatedAnswers,
};

use super::{versions::CachedVersion, writer::Outcome};
use crate::{
    crypto::{DataKey, SealedText, SubkeyRoot},
    error::{AppError, AppResult},
    extract::Origin,
    records::sealed::{self, Place, RecordKey},
    state::AppState,
    store::{
        audit::NewAuditEntry,
        now_ms,
        records::{DeviceSignature, NewSubmission, ReceiptRow, RecordSource},
    },
};

/// How far the browser's clock may be from ours.
pub(crate) const MAX_CLOCK_SKEW_MS: i64 = 24 * 3_600_000;
/// The version of a record's data key when first sealed.
pub(crate) const FIRST_KEY_VERSION: i64 = 1;

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// The withdrawal token of a receipt: a keyed hash of its id, so that a retried
/// submission gets the same token back and nobody without the key can make one.
pub fn withdraw_token(subkeys: &SubkeyRoot, receipt_id: ReceiptId) -> String {
    let mut mac = subkeys.mac("withdraw-token");
    mac.update(receipt_id.to_string().as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// A version 7 UUID (milliseconds, then random bits from the thread's CSPRNG).
pub(crate) fn time_ordered_id() -> RecordId {
    use rand::RngCore as _;
    let mut random = [0u8; 10];
    rand::thread_rng().fill_bytes(&mut random);
    let ms = u64::try_from(now_ms()).unwrap_or_default();
    RecordId::from_uuid(uuid::Builder::from_unix_timestamp_millis(ms, &random).into_uuid())
}

pub(crate) fn statement_error(problems: &[StatementProblem]) -> AppError {
    let mut fields: BTreeMap<String, Vec<FieldIssue>> = BTreeMap::new();
    for p in problems {
        let key = match p {
            StatementProblem::FieldWithoutConsent { field } => field.clone(),
            _ => "consent".to_owned(),
        };
        let code = serde_json::to_value(p)
            .ok()
            .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
            .unwrap_or_else(|| "consent_invalid".to_owned());
        fields.entry(key).or_default().push(FieldIssue {
            code,
            params: BTreeMap::new(),
            message: p.message(),
        });
    }
    AppError::Client(ApiError::validation(
        "The consent does not match the form or the answers",
        fields,
    ))
}

/// Checks that a request from `origin` may submit this form.
fn check_origin(state: &AppState, version: &CachedVersion, origin: Option<&str>) -> AppResult<()> {
    match origin {
        None => Ok(()),
        Some(o) if o == state.config.public_origin() => Ok(()),
        Some(o)
            if version
                .definition
                .embed_origins
                .iter()
                .any(|allowed| allowed == o) =>
        {
            Ok(())
        }
        Some(_) => Err(AppError::client(
            ErrorCode::Forbidden,
            "This website is not allowed to submit this form",
        )),
    }
}

/// Who sent a submission.
pub enum Source {
    /// A customer's browser; the record gets a fresh id.
    Web,
    /// A staff member's device; the record keeps the device's UUID. The device's
    /// signature over the record's envelope (which binds the statement's hash) was
    /// already checked, in a batch with the rest of the sync request; it is the
    /// receipt's client signature.
    Staff {
        record_id: RecordId,
        collected_by: UserId,
        /// The collector's role, for the audit entry (staff or a manager collecting).
        collector_role: Role,
        device_id: DeviceId,
        seq: i64,
        /// The statement's signing bytes.
        statement_bytes: Vec<u8>,
        /// Their `sha256:` hash, as the device's envelope named it.
        statement_hash: String,
    },
}

/// Everything about a submission, checked and sealed, ready to store.
pub struct Prepared {
    pub submission: NewSubmission,
    pub audit: NewAuditEntry,
    pub receipt: SignedReceipt,
    /// The receipt's JSON, as sealed into `submission` (and answered to a device).
    pub receipt_json: String,
    pub withdraw_token: String,
}

/// Checks a submission and prepares what to store. Nothing is stored here.
pub fn prepare(
    state: &AppState,
    version: &CachedVersion,
    req: SubmitRequest,
    http_origin: Option<&str>,
    client: &Origin,
    locale: Locale,
) -> AppResult<Prepared> {
    check_origin(state, version, http_origin)?;
    prepare_from(state, version, req, client, locale, Source::Web)
}

/// Checks a submission from any source and prepares what to store.
pub fn prepare_from(
    state: &AppState,
    version: &CachedVersion,
    req: SubmitRequest,
    client: &Origin,
    locale: Locale,
    source: Source,
) -> AppResult<Prepared> {
    let unsigned = check_and_seal(state, version, req, client, locale, source)?;
    countersign_together(state, vec![unsigned])
        .pop()
        .ok_or_else(|| AppError::invariant("no receipt was countersigned"))
}

/// A checked and sealed submission whose receipt is not countersigned yet.
pub struct Unsigned {
    submission: NewSubmission,
    audit: NewAuditEntry,
    body: ReceiptBody,
    statement_bytes: Vec<u8>,
    withdraw_token: String,
    /// The record's data key, which seals the receipt once countersigned.
    dek: DataKey,
}

/// Countersigns the receipts of checked submissions (see
/// [`shared::consent::countersign_batch`]: one signature per group of receipts, or a
/// plain signature for a receipt alone) and completes what to store.
#[must_use]
pub fn countersign_together(state: &AppState, unsigned: Vec<Unsigned>) -> Vec<Prepared> {
    let mut bodies = Vec::with_capacity(unsigned.len());
    let mut rest = Vec::with_capacity(unsigned.len());
    for u in unsigned {
        bodies.push((u.body, u.statement_bytes));
        rest.push((u.submission, u.audit, u.withdraw_token, u.dek));
    }
    let receipts = countersign_bodies(state, bodies);
    rest.into_iter()
        .zip(receipts)
        .map(|((mut submission, audit, withdraw_token, dek), receipt)| {
            let receipt_json = serde_json::to_string(&receipt).unwrap_or_default();
            let key = RecordKey::new(submission.record_id, submission.key_version, &dek);
            submission.receipt = key.seal_text(sealed::RECEIPT, receipt_json.as_bytes());
            Prepared {
                receipt_json,
                submission,
                audit,
                receipt,
                withdraw_token,
            }
        })
        .collect()
}

/// Countersigns receipt bodies, each with the bytes of its statement as signed, under
/// one reading of the keys (each receipt names the key that signs it).
pub(crate) fn countersign_bodies(
    state: &AppState,
    bodies: Vec<(ReceiptBody, Vec<u8>)>,
) -> Vec<SignedReceipt> {
    let keys = state.keys.snapshot();
    let bodies = bodies
        .into_iter()
        .map(|(mut body, statement_bytes)| {
            body.server_key_id = keys.current_id().to_owned();
            let bytes = body
                .signing_bytes_with(&statement_bytes)
                .unwrap_or_else(|| body.signing_bytes());
            (body, bytes)
        })
        .collect();
    shared::consent::countersign_batch(keys.current(), bodies)
}

/// Checks a submission from any source and seals its values; the receipt is left to
/// countersign.
pub fn check_and_seal(
    state: &AppState,
    version: &CachedVersion,
    req: SubmitRequest,
    client: &Origin,
    locale: Locale,
    mut source: Source,
) -> AppResult<Unsigned> {
    let today = today();
    let answers = version
        .definition
        .validate(&req.answers, today)
        .map_err(|e| AppError::Client(e.to_api_error(locale)))?;
    let hash_key = match req.hash_key.as_deref().map(HashKey::parse) {
        None => None,
        Some(Some(key)) => Some(key),
        Some(None) => {
            return Err(AppError::invalid_field(
                "hash_key",
                "hash_key_invalid",
                "The statement's hash key must be 32 bytes of base64url",
            ))
        }
    };
    let received_at_ms = now_ms();
    let device = match &source {
        Source::Web => None,
        Source::Staff { device_id, seq, .. } => Some(CollectingDevice {
            id: device_id.to_string(),
            seq: *seq,
        }),
    };
    let body = ReceiptBody {
        statement: req.statement,
        client_public_key: req.client_public_key,
        client_signature: req.client_signature,
        device,
        received_at_ms,
        // Named when countersigned, by the key that signs.
        server_key_id: String::new(),
    };
    let (statement_bytes, statement_hash) = match &mut source {
        // The device's envelope already named them, and its signature was checked.
        Source::Staff {
            statement_bytes,
            statement_hash,
            ..
        } => (
            std::mem::take(statement_bytes),
            std::mem::take(statement_hash),
        ),
        Source::Web => {
            let bytes = body.statement.signing_bytes();
            body.verify_client_signature_over(&bytes).map_err(|e| {
                AppError::client(
                    ErrorCode::InvalidSignature,
                    format!("The consent statement's signature is not valid: {e}"),
                )
            })?;
            let hash = sha256_tagged(&bytes);
            (bytes, hash)
        }
    };
    let receipt_id = check_consent(version, &answers, &body, hash_key.as_ref(), &source, today)?;
    let (submission, audit, withdraw_token, dek) = seal(
        state,
        version,
        &answers,
        &body,
        Sealing {
            source,
            receipt_id,
            statement_hash,
            hash_key,
        },
        client,
    );
    Ok(Unsigned {
        submission,
        audit,
        body,
        statement_bytes,
        withdraw_token,
        dek,
    })
}

/// The statement covers the answers and the form version (its hashes checked with
/// `hash_key`), was signed recently enough, and names a UUID receipt, which is returned.
fn check_consent(
    version: &CachedVersion,
    answers: &ValidatedAnswers,
    body: &ReceiptBody,
    hash_key: Option<&HashKey>,
    source: &Source,
    today: time::Date,
) -> AppResult<ReceiptId> {
    let statement = &body.statement;
    let mut context = version.statement_context(answers, today);
    context.hash_key = hash_key;
    let problems = check_statement(&context, statement);
    if !problems.is_empty() {
        return Err(statement_error(&problems));
    }
    // A browser submits at once, so its clock must be close to ours. A staff device may
    // have collected the consent offline days ago: only a time in the future is refused.
    let skew = statement.signed_at_ms - body.received_at_ms;
    let stale = match source {
        Source::Web => skew.abs() > MAX_CLOCK_SKEW_MS,
        Source::Staff { .. } => skew > MAX_CLOCK_SKEW_MS,
    };
    if stale {
        return Err(AppError::invalid_field(
            "consent",
            "statement_stale",
            "The consent statement was signed too long ago or in the future; sign again",
        ));
    }
    ReceiptId::parse(&statement.receipt_id).map_err(|_| {
        AppError::invalid_field(
            "consent",
            "receipt_id_invalid",
            "The receipt id must be a UUID",
        )
    })
}

/// Where a checked submission came from, and the ids and hash it is stored under.
struct Sealing {
    source: Source,
    receipt_id: ReceiptId,
    statement_hash: String,
    hash_key: Option<HashKey>,
}

/// The record to store for checked answers, every personal or sensitive value (and the
/// statement's hash key) sealed under a fresh data key, with its audit entry, the
/// customer's withdrawal token and the data key, which seals the receipt later.
fn seal(
    state: &AppState,
    version: &CachedVersion,
    answers: &ValidatedAnswers,
    body: &ReceiptBody,
    sealing: Sealing,
    client: &Origin,
) -> (NewSubmission, NewAuditEntry, String, DataKey) {
    let Sealing {
        source,
        receipt_id,
        statement_hash,
        hash_key,
    } = sealing;
    let statement = &body.statement;
    let (record_id, source, collector, device) = match source {
        // Time-ordered ids keep new rows together at the end of the table's index.
        Source::Web => (time_ordered_id(), RecordSource::Web, None, None),
        Source::Staff {
            record_id,
            collected_by,
            collector_role,
            device_id,
            seq,
            ..
        } => (
            record_id,
            RecordSource::Staff,
            Some((collected_by, collector_role)),
            // The record keeps the device's signature: the receipt's client signature.
            Some(DeviceSignature {
                device_id,
                seq,
                signature: body.client_signature.clone(),
            }),
        ),
    };
    let record_text = record_id.to_string();
    let dek = DataKey::generate();
    let wrapped_key = dek.wrap(state.master.as_ref(), &record_text);
    let key = RecordKey::new(record_id, FIRST_KEY_VERSION, &dek);
    let values = key.seal_all(&version.definition, Place::Record, answers);
    let hash_key = hash_key.map(|k| key.seal_text(sealed::HASH_KEY, k.to_text().as_bytes()));
    let lookups = sealed::lookups(state, answers);

    let audit = NewAuditEntry {
        at_ms: body.received_at_ms,
        actor_role: collector.as_ref().map(|(_, role)| role.as_str().to_owned()),
        actor_id: collector.as_ref().map(|(id, _)| id.to_string()),
        action: "consent.given".to_owned(),
        target_kind: Some("record".to_owned()),
        target_id: Some(record_text),
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
        details: serde_json::json!({
            "receipt_id": receipt_id,
            "form_id": version.form_id,
            "form_version": version.number,
            "granted": statement.purposes_granted,
            "declined": statement.purposes_declined,
        }),
    };
    let token = withdraw_token(&state.subkeys, receipt_id);
    let submission = NewSubmission {
        record_id,
        source,
        collected_by: collector.map(|(id, _)| id),
        device,
        form_id: version.form_id,
        form_version: version.number,
        key_version: FIRST_KEY_VERSION,
        wrapped_key,
        values,
        lookups,
        receipt_id,
        statement_hash,
        // Sealed once countersigned (`countersign_together`).
        receipt: SealedText::from_column(String::new()),
        hash_key,
        withdraw_token_hash: sha256_tagged(token.as_bytes()),
        purposes_granted: serde_json::to_string(&statement.purposes_granted).unwrap_or_default(),
        sensitive_consent: statement.separate_consents.sensitive,
        received_at_ms: body.received_at_ms,
    };
    (submission, audit, token, dek)
}

/// Stores a prepared submission and answers only after the commit.
pub async fn store(state: &AppState, prepared: Prepared) -> AppResult<SubmitResponse> {
    let Prepared {
        submission,
        audit,
        receipt,
        withdraw_token,
        ..
    } = prepared;
    let outcome = state
        .writer
        .write(submission, audit)
        .await
        .map_err(|e| AppError::internal("storing a submission", e))?;
    match outcome {
        Outcome::Stored => Ok(SubmitResponse {
            receipt,
            withdraw_token,
            replayed: false,
        }),
        Outcome::Replayed(stored) => Ok(SubmitResponse {
            receipt: serde_json::from_str(&stored_receipt_json(state, &stored)?)
                .map_err(|e| AppError::internal("a stored receipt", e))?,
            withdraw_token,
            replayed: true,
        }),
        Outcome::Conflict => Err(AppError::conflict(
            "A different submission with this receipt id was already stored",
        )),
    }
}

/// The JSON of a stored receipt, opened with its record's data key (or, in a row a
/// server wrote before receipts were sealed, as it is until `upgrade.rs` seals it).
pub fn stored_receipt_json(state: &AppState, row: &ReceiptRow) -> AppResult<String> {
    if row.receipt.as_str().is_empty() {
        // Erased by retention (`store::retention::shred_key`): the customer's copy is
        // the only one, and it still verifies.
        return Err(AppError::client(
            ErrorCode::Conflict,
            "This consent's record was erased under the retention policy; its receipt is \
             no longer kept on the server",
        ));
    }
    if row.receipt.as_str().starts_with('{') {
        return Ok(row.receipt.as_str().to_owned());
    }
    let dek = sealed::data_key(state, row.record_id, &row.wrapped_key)?;
    let json = RecordKey::new(row.record_id, row.key_version, &dek)
        .open_text(sealed::RECEIPT, &row.receipt)?;
    String::from_utf8(json.to_vec()).map_err(|e| AppError::internal("a stored receipt", e))
}

/// Verifies a receipt against this server's published keys, read again first when the
/// receipt names a key they lack (one another replica made since they were read).
pub async fn verify_receipt(
    state: &AppState,
    receipt: &SignedReceipt,
) -> AppResult<ReceiptVerification> {
    let keys = state.keys.knowing(&receipt.body.server_key_id).await?;
    Ok(match receipt.verify(keys.published()) {
        Ok(()) => ReceiptVerification {
            valid: true,
            problem: None,
        },
        Err(e) => ReceiptVerification {
            valid: false,
            problem: Some(e.to_string()),
        },
    })
}
