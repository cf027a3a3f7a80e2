//! The answer to a sync request, written with the receipts' JSON as it is stored.
//!
//! A sync answer of 1,000 records is mostly receipts. Each new receipt was already
//! serialised once, for storage, and a replayed one is read back as stored JSON; the
//! answer splices those bytes in rather than parsing and serialising every receipt
//! again. The bytes equal `serde_json`'s encoding of [`shared::api::sync::SyncResponse`] (tested), so the
//! wire format is the shared type's.

use axum::{
    http::header::CONTENT_TYPE,
    response::{IntoResponse, Response},
};
use shared::api::sync::{SyncResult, SyncStatus};

/// What became of one record: a receipt as stored JSON, or any other status.
pub enum Answer {
    /// `stored` (now) or `already_stored`, with the receipt's JSON and the customer's
    /// withdrawal token.
    Receipt {
        fresh: bool,
        json: String,
        withdraw_token: Option<String>,
    },
    Other(SyncStatus),
}

impl From<SyncStatus> for Answer {
    fn from(status: SyncStatus) -> Self {
        Self::Other(status)
    }
}

impl Answer {
    /// A receipt stored before, if its stored JSON is well-formed.
    pub fn stored_before(json: String) -> Self {
        match serde_json::from_str::<&serde_json::value::RawValue>(&json) {
            Ok(_) => Self::Receipt {
                fresh: false,
                json,
                withdraw_token: None,
            },
            Err(e) => Self::Other(super::verify::rejected_by(
                crate::error::AppError::internal("a stored receipt", e),
            )),
        }
    }
}

/// The answer to `POST /sync`: a status per record, in request order.
pub struct SyncAnswer(pub Vec<(String, Answer)>);

impl SyncAnswer {
    /// The JSON of the answer, the shared `SyncResponse`'s encoding.
    #[must_use]
    pub fn to_json(self) -> Vec<u8> {
        let receipts: usize = self
            .0
            .iter()
            .map(|(_, a)| match a {
                Answer::Receipt { json, .. } => json.len() + 96,
                Answer::Other(_) => 256,
            })
            .sum();
        let mut out = Vec::with_capacity(16 + receipts);
        out.extend_from_slice(b"{\"results\":[");
        for (i, (uuid, answer)) in self.0.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // Writing into memory cannot fail.
            match answer {
                Answer::Receipt {
                    fresh,
                    json,
                    withdraw_token,
                } => {
                    out.extend_from_slice(b"{\"uuid\":");
                    let _ = serde_json::to_writer(&mut out, &uuid);
                    out.extend_from_slice(if fresh {
                        b",\"status\":\"stored\",\"receipt\":".as_slice()
                    } else {
                        b",\"status\":\"already_stored\",\"receipt\":".as_slice()
                    });
                    out.extend_from_slice(json.as_bytes());
                    if let Some(token) = withdraw_token {
                        out.extend_from_slice(b",\"withdraw_token\":");
                        let _ = serde_json::to_writer(&mut out, &token);
                    }
                    out.push(b'}');
                }
                Answer::Other(status) => {
                    let _ = serde_json::to_writer(&mut out, &SyncResult { uuid, status });
                }
            }
        }
        out.extend_from_slice(b"]}");
        out
    }
}

impl IntoResponse for SyncAnswer {
    fn into_response(self) -> Response {
        ([(CONTENT_TYPE, "application/json")], self.to_json()).into_response()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use shared::{
        api::{
            error::ErrorCode,
            sync::{RejectionCode, SyncResponse},
        },
        consent::{ConsentStatement, ReceiptBody, SeparateConsents, SignedReceipt},
        i18n::Locale,
    };

    fn receipt(id: &str) -> SignedReceipt {
        let statement = ConsentStatement {
            format: 1,
            receipt_id: id.into(),
            form_id: "f\"1".into(),
            form_version: 2,
            form_version_hash: "sha256:aa".into(),
            notice_hash: "sha256:bb".into(),
            purposes_granted: vec!["service".into()],
            purposes_declined: vec![],
            separate_consents: SeparateConsents::default(),
            subject_hash: "sha256:cc".into(),
            subject_salt: None,
            signature_hash: "sha256:dd".into(),
            record_hash: "sha256:ee".into(),
            signed_at_ms: 1,
            locale: Locale::ZhCn,
        };
        ReceiptBody {
            statement,
            client_public_key: "k".into(),
            client_signature: "s".into(),
            device: None,
            received_at_ms: 3,
            server_key_id: "k1".into(),
        }
        .countersign(&ed25519_dalek::SigningKey::from_bytes(&[4; 32]))
    }

    #[test]
    fn the_spliced_answer_equals_the_shared_types_encoding() {
        let (a, b) = (receipt("r1"), receipt("r\u{2028}2"));
        let typed = SyncResponse {
            results: vec![
                SyncResult {
                    uuid: "u1".into(),
                    status: SyncStatus::Stored {
                        receipt: Box::new(a.clone()),
                        withdraw_token: Some("t\"1".into()),
                    },
                },
                SyncResult {
                    uuid: "u\"2".into(),
                    status: SyncStatus::AlreadyStored {
                        receipt: Box::new(b.clone()),
                        withdraw_token: None,
                    },
                },
                SyncResult {
                    uuid: "u3".into(),
                    status: super::super::verify::rejected(
                        RejectionCode::Api(ErrorCode::InvalidSignature),
                        "no",
                    ),
                },
                SyncResult {
                    uuid: "u4".into(),
                    status: SyncStatus::Edited {
                        version: 2,
                        merged_fields: vec!["a".into()],
                        conflicted_fields: vec![],
                        pending_fields: vec!["b".into()],
                    },
                },
            ],
        };
        let answer = SyncAnswer(vec![
            (
                "u1".into(),
                Answer::Receipt {
                    fresh: true,
                    json: serde_json::to_string(&a).unwrap(),
                    withdraw_token: Some("t\"1".into()),
                },
            ),
            (
                "u\"2".into(),
                Answer::stored_before(serde_json::to_string(&b).unwrap()),
            ),
            (
                "u3".into(),
                super::super::verify::rejected(
                    RejectionCode::Api(ErrorCode::InvalidSignature),
                    "no",
                )
                .into(),
            ),
            (
                "u4".into(),
                SyncStatus::Edited {
                    version: 2,
                    merged_fields: vec!["a".into()],
                    conflicted_fields: vec![],
                    pending_fields: vec!["b".into()],
                }
                .into(),
            ),
        ]);
        let bytes = answer.to_json();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            serde_json::to_string(&typed).unwrap()
        );
        assert_eq!(
            serde_json::from_slice::<SyncResponse>(&bytes).unwrap(),
            typed
        );
        assert_eq!(SyncAnswer(Vec::new()).to_json(), b"{\"results\":[]}");
    }

    #[test]
    fn an_unreadable_stored_receipt_is_a_retryable_rejection_not_bad_json() {
        let answer = SyncAnswer(vec![(
            "u".into(),
            Answer::stored_before("{\"body\":".into()),
        )]);
        let back: SyncResponse = serde_json::from_slice(&answer.to_json()).unwrap();
        assert!(matches!(
            &back.results[0].status,
            SyncStatus::Rejected { code, .. } if *code == RejectionCode::Api(shared::api::error::ErrorCode::Internal)
        ));
    }
}
