//! Submitting a form with consent, verifying receipts, and withdrawing consent.

use crate::ids::ReceiptId;
use serde::{Deserialize, Serialize};

use crate::{
    consent::{ConsentStatement, SignedReceipt},
    schema::Answers,
};

/// `POST /api/v1/public/forms/{id}/submissions`: the answers and the consent statement
/// the customer's browser signed with its per-submission key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmitRequest {
    pub statement: ConsentStatement,
    /// The key of the statement's hashes (format 2), base64url: checked, then stored
    /// sealed with the record; it is not part of the signed receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_key: Option<String>,
    /// The browser's ed25519 public key, base64url.
    pub client_public_key: String,
    /// Its signature over the statement bytes, base64url.
    pub client_signature: String,
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = std::collections::BTreeMap<String, serde_json::Value>)
    )]
    pub answers: Answers,
}

/// The answer to a submission: the countersigned receipt and how to withdraw later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmitResponse {
    pub receipt: SignedReceipt,
    /// Secret token for withdrawing; the link is `/withdraw#<receipt_id>.<token>`.
    pub withdraw_token: String,
    /// True when this submission had been stored before (a retry).
    pub replayed: bool,
}

/// `POST /api/v1/public/receipts/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptVerification {
    pub valid: bool,
    /// Why not, when not valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// `POST /api/v1/public/consents/status` and `/withdraw` identify the consent by its
/// receipt id and secret token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentTokenRequest {
    pub receipt_id: ReceiptId,
    pub token: String,
    /// For `/withdraw`: the purposes to withdraw.
    #[serde(default)]
    pub purposes: Vec<String>,
}

impl std::fmt::Debug for ConsentTokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsentTokenRequest")
            .field("receipt_id", &self.receipt_id)
            .field("purposes", &self.purposes)
            .finish_non_exhaustive()
    }
}

/// One purpose of a consent, as the withdrawal page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurposeState {
    pub key: String,
    pub name: crate::i18n::LocalizedText,
    pub required: bool,
    pub granted: bool,
    /// When it was withdrawn, if it was.
    pub withdrawn_at_ms: Option<i64>,
}

/// The consent behind a receipt, for its subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentStatus {
    pub receipt_id: ReceiptId,
    pub form_title: crate::i18n::LocalizedText,
    pub received_at_ms: i64,
    pub purposes: Vec<PurposeState>,
}

/// What a withdrawal covered, signed by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawalBody {
    pub receipt_id: String,
    pub purposes_withdrawn: Vec<String>,
    pub withdrawn_at_ms: i64,
    pub server_key_id: String,
}

/// The receipt of a withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithdrawalReceipt {
    pub body: WithdrawalBody,
    /// ed25519 over `b"consentry-withdrawal-v1\n" || canonical_json(body)`, base64url.
    pub server_signature: String,
}

impl WithdrawalBody {
    /// The bytes the server signs.
    #[must_use]
    pub fn signing_bytes(&self) -> Vec<u8> {
        let value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        let mut out = b"consentry-withdrawal-v1\n".to_vec();
        out.extend_from_slice(&crate::schema::canonical_json_bytes(&value));
        out
    }
}

/// A receipt as the customer downloads it: the signed receipt plus the server key it
/// names, so it can be checked offline (compare the key with the published one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptDocument {
    /// Always `consentry-receipt-v1`.
    pub format: String,
    pub receipt: SignedReceipt,
    pub server_key: crate::consent::PublishedKey,
    /// The key of the statement's hashes: with it, whoever holds this document can
    /// check that the receipt names a given phone number, email or ID number. The
    /// customer's own copy carries it; remove it to show the receipt to someone who
    /// must not learn that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_key: Option<String>,
}

/// The `format` of a [`ReceiptDocument`].
pub const RECEIPT_DOCUMENT_FORMAT: &str = "consentry-receipt-v1";

/// The shortest reason staff may give for a withdrawal they record.
pub const MIN_WITHDRAWAL_REASON_CHARS: usize = 5;
/// The longest reason staff may give for a withdrawal they record.
pub const MAX_WITHDRAWAL_REASON_CHARS: usize = 200;
/// The longest typed-name signature a recorded withdrawal may carry.
pub const MAX_TYPED_SIGNATURE_CHARS: usize = 100;
/// The largest signature (a PNG data URL) a recorded withdrawal may carry.
pub const MAX_WITHDRAWAL_SIGNATURE_BYTES: usize = 256 * 1024;

/// `POST /api/v1/records/{id}/withdrawals`: staff or an admin record a customer's
/// withdrawal at the customer's request (in person, by phone), with the customer's
/// signature or a stated reason (at least one). Signed and receipted like the
/// customer's own; the reason and signature are stored sealed under the record's key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordWithdrawalRequest {
    pub purposes: Vec<String>,
    /// How the customer asked (e.g. "by phone on 3 December, identity checked").
    #[serde(default)]
    pub reason: Option<String>,
    /// The customer's signature: a `data:image/png;base64,…` URL or a typed name.
    #[serde(default)]
    pub signature: Option<String>,
}

impl std::fmt::Debug for RecordWithdrawalRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordWithdrawalRequest")
            .field("purposes", &self.purposes)
            .field("reason", &self.reason.as_ref().map(|_| "…"))
            .field("signature", &self.signature.as_ref().map(|_| "…"))
            .finish()
    }
}
