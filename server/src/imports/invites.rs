//! Consent requests for imported records. An imported record is held on the basis its
//! import stated; staff can hand the person a link (`/consent#<token>`) that asks for
//! proper consent. The person's page shows the form's notice and purposes and signs a
//! consent statement over the record as stored — its hashes, keyed with a key the
//! server keeps, so that the page learns nothing of the values — and the server
//! countersigns it into a receipt like any other, which from then on rules the record
//! (withdrawal included). Values that served only purposes the person declined are
//! deleted at once.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use shared::{
    api::{
        consent::SubmitResponse,
        error::ErrorCode,
        forms::VersionDetail,
        imports::{AcceptInvitation, ConsentInvitation, ConsentInvite, CONSENT_INVITE_DAYS},
    },
    consent::{
        check_statement, sha256_tagged, HashKey, ReceiptBody, StatementHashes, StatementProblem,
    },
    ids::{ConsentInviteId, ReceiptId, RecordId},
    schema::ValidatedAnswers,
};

use super::sealer;
use crate::{
    audit::{self, Event},
    auth::Principal,
    consent::service::{countersign_bodies, statement_error, withdraw_token, MAX_CLOCK_SKEW_MS},
    error::{AppError, AppResult},
    extract::Origin,
    records::{
        sealed::{self, Place, RecordKey},
        service::scope_of,
    },
    retention::engine::erase_fields,
    state::AppState,
    store::{
        imports::{answer_invite, insert_invite, InviteAnswer, InviteRow},
        records::{RecordRow, Scope},
    },
};

const DAY_MS: i64 = 86_400_000;

fn random_bytes<const N: usize>() -> [u8; N] {
    use rand::RngCore as _;
    let mut bytes = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

fn token_hash(token: &str) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()))
}

/// A link asking the person behind an imported record (in the caller's reach, held on
/// an import's basis, not consented yet) for their consent. Audited.
///
/// # Errors
/// 404 outside the caller's reach; 409 for a record that is not imported or whose
/// person has consented already.
pub async fn create(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    record_id: RecordId,
) -> AppResult<ConsentInvite> {
    let scope = scope_of(state, caller).await?;
    let row = state
        .db
        .record_in_scope(&scope, record_id)
        .await?
        .ok_or_else(|| AppError::not_found("No such record"))?;
    if row.erased {
        return Err(AppError::conflict(
            "This record was erased: there is nothing to ask consent for",
        ));
    }
    match &row.imported {
        None => {
            return Err(AppError::conflict(
                "This record was collected with consent; only imported records are sent a consent request",
            ))
        }
        Some(b) if b.consented_at_ms.is_some() => {
            return Err(AppError::client(
                ErrorCode::AlreadyResolved,
                "The person has given consent for this record already",
            ))
        }
        Some(_) => {}
    }
    let now = state.clock.now_ms();
    let id = ConsentInviteId::from_uuid(uuid::Uuid::new_v4());
    let token = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
    let hash_key = HashKey::from_bytes(random_bytes::<32>());
    let sealer = sealer(state)?;
    let invite = InviteRow {
        id,
        record_id,
        token_hash: token_hash(&token),
        receipt_id: ReceiptId::from_uuid(uuid::Uuid::new_v4()),
        hash_key_sealed: sealer.seal(&id.to_string(), "#hash_key", &hash_key.to_text()),
        created_by: Some(caller.user.id),
        created_at_ms: now,
        expires_at_ms: now + CONSENT_INVITE_DAYS * DAY_MS,
        used_at_ms: None,
    };
    let mut tx = state.db.begin_write().await?;
    insert_invite(&mut tx, &invite).await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("imports.consent_requested", Some(&caller.user))
            .target("record", record_id)
            .details(
                serde_json::json!({ "request_id": id, "expires_at_ms": invite.expires_at_ms }),
            ),
    )
    .await?;
    tx.commit().await?;
    Ok(ConsentInvite {
        link: format!("/consent#{token}"),
        expires_at_ms: invite.expires_at_ms,
    })
}

/// A request found by its token, with its record, the record's answers and the key of
/// the statement's hashes.
struct Opened {
    invite: InviteRow,
    record: RecordRow,
    version: std::sync::Arc<crate::consent::versions::CachedVersion>,
    answers: ValidatedAnswers,
    hash_key: HashKey,
}

/// The request named by `token`, still open.
///
/// # Errors
/// 404 for an unknown token; 410 when it has expired; 409 once answered.
async fn open_token(state: &AppState, token: &str) -> AppResult<Opened> {
    let invite = state
        .db
        .invite_by_token(&token_hash(token.trim()))
        .await?
        .ok_or_else(|| AppError::not_found("This consent request link is not valid"))?;
    if invite.used_at_ms.is_some() {
        return Err(AppError::client(
            ErrorCode::AlreadyResolved,
            "This consent request was answered already",
        ));
    }
    if state.clock.now_ms() > invite.expires_at_ms {
        return Err(AppError::client(
            ErrorCode::Gone,
            "This consent request link has expired: ask for a new one",
        ));
    }
    let record = state
        .db
        .record_in_scope(&Scope::All, invite.record_id)
        .await?
        .filter(|r| {
            r.imported
                .as_ref()
                .is_some_and(|b| b.consented_at_ms.is_none())
        })
        .ok_or_else(|| AppError::not_found("This consent request link is not valid"))?;
    let version = state
        .versions
        .get_any(&state.db, record.form_id, record.form_version)
        .await?;
    let dek = sealed::data_key(state, record.id, &record.wrapped_key)?;
    let answers = RecordKey::new(record.id, record.key_version, &dek).open_all(
        &version.definition,
        Place::Record,
        &record.values,
    )?;
    let hash_key = sealer(state)?
        .open(&invite.id.to_string(), "#hash_key", &invite.hash_key_sealed)
        .and_then(|text| HashKey::parse(&text))
        .ok_or_else(|| AppError::invariant("a consent request's hash key does not open"))?;
    Ok(Opened {
        invite,
        record,
        version,
        answers,
        hash_key,
    })
}

/// What the person's page shows and signs over.
pub async fn open(state: &AppState, token: &str) -> AppResult<ConsentInvitation> {
    let o = open_token(state, token).await?;
    let summary = crate::forms::service::version(
        &state.db,
        o.record.form_id,
        &o.record.form_version.to_string(),
    )
    .await?
    .summary;
    let basis = o
        .record
        .imported
        .clone()
        .ok_or_else(|| AppError::invariant("an opened request's record is not imported"))?;
    Ok(ConsentInvitation {
        version: VersionDetail {
            summary: shared::api::forms::VersionSummary {
                published_by: None,
                ..summary
            },
            form_id: o.record.form_id,
            definition: o.version.definition.clone(),
        },
        receipt_id: o.invite.receipt_id,
        hashes: StatementHashes::of(&o.version.definition, &o.answers, &o.hash_key),
        basis: basis.basis,
        purposes_held: basis.purposes,
        answered_fields: o
            .answers
            .iter()
            .map(|(k, _)| k.as_str().to_owned())
            .collect(),
        expires_at_ms: o.invite.expires_at_ms,
    })
}

/// The person's consent: checked like a submission's (signature, form version, notice,
/// purposes, separate consents, the record's hashes), countersigned and stored as the
/// record's receipt; values that served only declined purposes are deleted. Audited.
///
/// # Errors
/// As [`open_token`]; 400 for a bad signature; 422 for a statement that does not fit.
pub async fn accept(
    state: &AppState,
    origin: &Origin,
    req: AcceptInvitation,
) -> AppResult<SubmitResponse> {
    let o = open_token(state, &req.token).await?;
    let statement = req.statement;
    if statement.receipt_id != o.invite.receipt_id.to_string() {
        return Err(AppError::invalid_field(
            "consent",
            "receipt_id_invalid",
            "The statement must carry the receipt id of the request",
        ));
    }
    let now = state.clock.now_ms();
    let body = ReceiptBody {
        statement,
        client_public_key: req.client_public_key,
        client_signature: req.client_signature,
        device: None,
        received_at_ms: now,
        server_key_id: String::new(),
    };
    let bytes = body.statement.signing_bytes();
    body.verify_client_signature_over(&bytes).map_err(|e| {
        AppError::client(
            ErrorCode::InvalidSignature,
            format!("The consent statement's signature is not valid: {e}"),
        )
    })?;
    let today = time::OffsetDateTime::from_unix_timestamp(now / 1000)
        .map(time::OffsetDateTime::date)
        .map_err(|e| AppError::internal("today", e))?;
    let mut context = o.version.statement_context(&o.answers, today);
    context.hash_key = Some(&o.hash_key);
    // Data held for a purpose the person declines is deleted below, not refused.
    let problems: Vec<StatementProblem> = check_statement(&context, &body.statement)
        .into_iter()
        .filter(|p| !matches!(p, StatementProblem::FieldWithoutConsent { .. }))
        .collect();
    if !problems.is_empty() {
        return Err(statement_error(&problems));
    }
    if (body.statement.signed_at_ms - now).abs() > MAX_CLOCK_SKEW_MS {
        return Err(AppError::invalid_field(
            "consent",
            "statement_stale",
            "The consent statement was signed too long ago or in the future; sign again",
        ));
    }
    let granted = body.statement.purposes_granted.clone();
    let sensitive_consent = body.statement.separate_consents.sensitive;
    let declined = body.statement.purposes_declined.clone();
    let statement_hash = sha256_tagged(&bytes);
    let receipt = countersign_bodies(state, vec![(body, bytes)])
        .pop()
        .ok_or_else(|| AppError::invariant("no receipt was countersigned"))?;
    let receipt_json = serde_json::to_string(&receipt).unwrap_or_default();
    let record = &o.record;
    let dek = sealed::data_key(state, record.id, &record.wrapped_key)?;
    let key = RecordKey::new(record.id, record.key_version, &dek);
    let token = withdraw_token(&state.subkeys, o.invite.receipt_id);
    let receipt_sealed = key.seal_text(sealed::RECEIPT, receipt_json.as_bytes());
    let hash_key_sealed = key.seal_text(sealed::HASH_KEY, o.hash_key.to_text().as_bytes());
    let answer = InviteAnswer {
        invite: &o.invite,
        form_id: record.form_id,
        form_version: record.form_version,
        statement_hash: &statement_hash,
        receipt_sealed: receipt_sealed.as_str(),
        hash_key_sealed: hash_key_sealed.as_str(),
        withdraw_token_hash: &sha256_tagged(token.as_bytes()),
        purposes_granted: &serde_json::to_string(&granted).unwrap_or_default(),
        sensitive_consent,
        at_ms: now,
    };
    let mut tx = state.db.begin_write().await?;
    if !answer_invite(&mut tx, &answer).await? {
        return Err(AppError::client(
            ErrorCode::AlreadyResolved,
            "This consent request was answered already",
        ));
    }
    let dropped = erase_fields(&mut tx, state, record.id, |f| {
        !f.purposes.is_empty() && !f.purposes.iter().any(|p| granted.contains(&p.to_string()))
    })
    .await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("consent.given", None)
            .target("record", record.id)
            .details(serde_json::json!({
                "receipt_id": o.invite.receipt_id,
                "form_id": record.form_id,
                "form_version": record.form_version,
                "granted": granted,
                "declined": declined,
                "via": "consent_request",
                "request_id": o.invite.id,
                "fields_deleted": dropped.map(|d| d.fields).unwrap_or_default(),
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(SubmitResponse {
        receipt,
        withdraw_token: token,
        replayed: false,
    })
}
