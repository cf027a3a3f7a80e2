//! Withdrawing consent: by the customer, with the token their receipt came with, or by
//! staff or an admin at the customer's request, with the customer's signature or a
//! stated reason (kept sealed under the record's key). Both are signed and receipted
//! alike, merged inside the write transaction (two withdrawals at one moment both
//! count), audited, and followed through by retention: the lookups of values that
//! served only withdrawn purposes go at once, the values after the grace period.

use std::collections::BTreeMap;

use shared::{
    api::{
        auth::CurrentUser,
        consent::{
            ConsentStatus, ConsentTokenRequest, PurposeState, RecordWithdrawalRequest,
            WithdrawalBody, WithdrawalReceipt, MAX_TYPED_SIGNATURE_CHARS,
            MAX_WITHDRAWAL_REASON_CHARS, MAX_WITHDRAWAL_SIGNATURE_BYTES,
            MIN_WITHDRAWAL_REASON_CHARS,
        },
    },
    consent::sha256_tagged,
    ids::RecordId,
};

use crate::{
    audit::{self, Event},
    auth::{constant_time_eq, Principal},
    error::{AppError, AppResult},
    extract::Origin,
    records::{
        sealed::{self, RecordKey},
        service::scope_of,
    },
    state::AppState,
    store::records::{receipt_locked, record_withdrawal, NewWithdrawal, ReceiptRow},
};

pub(crate) async fn receipt_for_token(
    state: &AppState,
    req: &ConsentTokenRequest,
) -> AppResult<ReceiptRow> {
    let not_found = || AppError::not_found("No consent matches this link");
    let row = state
        .db
        .receipt(req.receipt_id)
        .await?
        .ok_or_else(not_found)?;
    let presented = sha256_tagged(req.token.as_bytes());
    if !constant_time_eq(presented.as_bytes(), row.withdraw_token_hash.as_bytes()) {
        return Err(not_found());
    }
    Ok(row)
}

fn withdrawn_map(row: &ReceiptRow) -> BTreeMap<String, i64> {
    crate::records::service::withdrawn_times(Some(&row.purposes_withdrawn))
}

/// What a consent covers and what was withdrawn, by purpose.
pub(crate) async fn status_of(state: &AppState, row: &ReceiptRow) -> AppResult<ConsentStatus> {
    let version = state
        .versions
        .get_any(&state.db, row.form_id, row.form_version)
        .await?;
    let granted: Vec<String> = serde_json::from_str(&row.purposes_granted).unwrap_or_default();
    let withdrawn = withdrawn_map(row);
    Ok(ConsentStatus {
        receipt_id: row.receipt_id,
        form_title: version.definition.title.clone(),
        received_at_ms: row.received_at_ms,
        purposes: version
            .definition
            .purposes
            .iter()
            .map(|p| PurposeState {
                key: p.key.as_str().to_owned(),
                name: p.name.clone(),
                required: p.required,
                granted: granted.iter().any(|g| g == p.key.as_str()),
                withdrawn_at_ms: withdrawn.get(p.key.as_str()).copied(),
            })
            .collect(),
    })
}

/// The consent behind a withdrawal link.
pub async fn status(state: &AppState, req: &ConsentTokenRequest) -> AppResult<ConsentStatus> {
    let row = receipt_for_token(state, req).await?;
    status_of(state, &row).await
}

/// The consent of a record in the caller's scope (for staff recording a withdrawal).
pub async fn status_of_record(
    state: &AppState,
    caller: &Principal,
    record_id: RecordId,
) -> AppResult<ConsentStatus> {
    let row = receipt_in_scope(state, caller, record_id).await?;
    status_of(state, &row).await
}

async fn receipt_in_scope(
    state: &AppState,
    caller: &Principal,
    record_id: RecordId,
) -> AppResult<ReceiptRow> {
    let not_found = || AppError::not_found("No such record");
    let scope = scope_of(state, caller).await?;
    state
        .db
        .record_in_scope(&scope, record_id)
        .await?
        .ok_or_else(not_found)?;
    state
        .db
        .receipt_of_record(record_id)
        .await?
        .ok_or_else(not_found)
}

/// Who withdraws, and the evidence staff keep.
enum By<'a> {
    Customer,
    Staff {
        user: &'a CurrentUser,
        /// The reason and signature, sealed under the record's key.
        evidence: &'a RecordWithdrawalRequest,
    },
}

/// Withdraws consent to some purposes with the customer's token.
pub async fn withdraw(
    state: &AppState,
    req: &ConsentTokenRequest,
    client: &Origin,
) -> AppResult<WithdrawalReceipt> {
    let row = receipt_for_token(state, req).await?;
    withdraw_purposes(state, &row, &req.purposes, client, By::Customer).await
}

/// Records a customer's withdrawal on their request, as staff or an admin.
pub async fn record_for_customer(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    record_id: RecordId,
    req: &RecordWithdrawalRequest,
) -> AppResult<WithdrawalReceipt> {
    let row = receipt_in_scope(state, caller, record_id).await?;
    let reason = req
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let signature = req
        .signature
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if reason.is_none() && signature.is_none() {
        return Err(AppError::invalid_field(
            "reason",
            "required",
            "Give the customer's signature or say how they asked",
        ));
    }
    if let Some(reason) = reason {
        let n = reason.chars().count();
        if !(MIN_WITHDRAWAL_REASON_CHARS..=MAX_WITHDRAWAL_REASON_CHARS).contains(&n) {
            return Err(AppError::invalid_field(
                "reason",
                "length",
                format!(
                    "Between {MIN_WITHDRAWAL_REASON_CHARS} and {MAX_WITHDRAWAL_REASON_CHARS} characters"
                ),
            ));
        }
    }
    if let Some(signature) = signature {
        let drawn = signature.starts_with("data:image/png;base64,");
        if (drawn && signature.len() > MAX_WITHDRAWAL_SIGNATURE_BYTES)
            || (!drawn && signature.chars().count() > MAX_TYPED_SIGNATURE_CHARS)
        {
            return Err(AppError::invalid_field(
                "signature",
                "too_long",
                "The signature is too large",
            ));
        }
    }
    withdraw_purposes(
        state,
        &row,
        &req.purposes,
        origin,
        By::Staff {
            user: &caller.user,
            evidence: req,
        },
    )
    .await
}

async fn withdraw_purposes(
    state: &AppState,
    row: &ReceiptRow,
    purposes: &[String],
    origin: &Origin,
    by: By<'_>,
) -> AppResult<WithdrawalReceipt> {
    let granted: Vec<String> = serde_json::from_str(&row.purposes_granted).unwrap_or_default();
    if purposes.is_empty() {
        return Err(AppError::invalid_field(
            "purposes",
            "required",
            "Choose at least one purpose to withdraw",
        ));
    }
    for p in purposes {
        if !granted.contains(p) {
            return Err(AppError::invalid_field(
                "purposes",
                "not_granted",
                format!("Consent to {p} was not given, so it cannot be withdrawn"),
            ));
        }
    }
    let mut tx = state.db.begin_write().await?;
    let current = receipt_locked(&mut tx, state.db.kind(), row.receipt_id)
        .await?
        .ok_or_else(|| AppError::not_found("No consent matches this link"))?;
    let mut withdrawn = withdrawn_map(&current);
    let now = state.clock.now_ms();
    let mut newly: Vec<String> = purposes
        .iter()
        .filter(|p| !withdrawn.contains_key(*p))
        .cloned()
        .collect();
    newly.sort();
    newly.dedup();
    for p in &newly {
        withdrawn.insert(p.clone(), now);
    }
    let keys = state.keys.snapshot();
    let body = WithdrawalBody {
        receipt_id: row.receipt_id.to_string(),
        purposes_withdrawn: newly.clone(),
        withdrawn_at_ms: now,
        server_key_id: keys.current_id().to_owned(),
    };
    let receipt = WithdrawalReceipt {
        server_signature: keys.sign(&body.signing_bytes()),
        body,
    };
    if newly.is_empty() {
        tx.rollback().await?;
        return Ok(receipt);
    }
    let withdrawal_id = uuid::Uuid::now_v7().to_string();
    let (actor, evidence) = match &by {
        By::Customer => (None, None),
        By::Staff { user, evidence } => {
            let dek = sealed::data_key(state, row.record_id, &row.wrapped_key)?;
            let key = RecordKey::new(row.record_id, row.key_version, &dek);
            let json = serde_json::json!({
                "reason": evidence.reason,
                "signature": evidence.signature,
            });
            let sealed = key.seal_text(
                &format!("#withdrawal:{withdrawal_id}"),
                json.to_string().as_bytes(),
            );
            (Some(*user), Some(sealed))
        }
    };
    let withdrawn_json = serde_json::to_string(&withdrawn).unwrap_or_default();
    record_withdrawal(
        &mut tx,
        &NewWithdrawal {
            id: &withdrawal_id,
            receipt_id: row.receipt_id,
            withdrawn_json: &withdrawn_json,
            purposes: &serde_json::to_string(&newly).unwrap_or_default(),
            at_ms: now,
            receipt_json: &serde_json::to_string(&receipt).unwrap_or_default(),
            recorded_by: actor.map(|u| u.id),
            evidence: evidence.as_ref(),
        },
    )
    .await?;
    crate::retention::engine::drop_withdrawn_lookups(
        &mut tx,
        state,
        row.record_id,
        &withdrawn_json,
    )
    .await?;
    let details = match &by {
        By::Customer => serde_json::json!({"receipt_id": row.receipt_id, "purposes": newly}),
        By::Staff { evidence, .. } => serde_json::json!({
            "receipt_id": row.receipt_id,
            "purposes": newly,
            "on_behalf_of_customer": true,
            "with_signature": evidence.signature.as_deref().is_some_and(|s| !s.trim().is_empty()),
        }),
    };
    audit::record(
        &mut tx,
        origin,
        Event::new("consent.withdrawn", actor)
            .target("record", row.record_id)
            .details(details),
    )
    .await?;
    tx.commit().await?;
    Ok(receipt)
}
