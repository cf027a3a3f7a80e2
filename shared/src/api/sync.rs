//! Devices and the offline sync protocol (see `crate::sync` for what is signed).

use crate::ids::{DeviceId, UserId};
use serde::{Deserialize, Serialize};

use crate::{
    api::error::ErrorCode,
    consent::{ConsentStatement, SignedReceipt},
    schema::Answers,
};

/// The most records one sync request may carry.
pub const MAX_SYNC_BATCH: usize = 1000;
/// The largest sync request body, in bytes.
pub const MAX_SYNC_BODY_BYTES: usize = 32 * 1024 * 1024;

/// `POST /api/v1/devices`: registers this browser's public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterDevice {
    /// A name the staff member recognises, such as "Zhang's phone".
    pub name: String,
    /// The device's ed25519 public key, base64url.
    pub public_key: String,
}

/// A registered device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceInfo {
    pub id: DeviceId,
    pub name: String,
    pub user_id: UserId,
    pub public_key: String,
    pub created_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
    /// The highest sequence number the server has stored from it.
    pub last_seq: i64,
}

/// `GET /api/v1/devices/{id}/outbox-key`: the server's share of the key that seals the
/// device's outbox in the browser. The browser keeps its records sealed under a random
/// key of its own, wrapped twice: under this key (so that the owner, signed in and
/// online, opens the outbox without typing anything) and under a key derived from
/// their password (so that they can open it offline). It is the same for the life of
/// the device, given only to the device's owner and never once the device is revoked:
/// a lost phone's outbox then opens only with its owner's password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxKey {
    /// 32 bytes, base64url.
    pub key: String,
}

/// One record as a device sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncRecord {
    pub uuid: String,
    pub seq: i64,
    pub form_id: String,
    pub form_version: i64,
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = std::collections::BTreeMap<String, serde_json::Value>)
    )]
    pub answers: Answers,
    /// The customer's consent. The device's envelope signature binds it by its hash and
    /// is the consent's client signature in the receipt (see `crate::sync`).
    pub statement: ConsentStatement,
    /// The key of the statement's hashes (format 2), base64url; not sent with an edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_key: Option<String>,
    /// For an edit: the server version it started from. An edit carries the full
    /// edited answers and the record's original statement.
    #[serde(default)]
    pub base_version: Option<i64>,
    /// The device's signature over the envelope bytes, base64url.
    pub signature: String,
}

/// `POST /api/v1/sync`. Devices send [`SyncRecord`]s; the server reads the records as
/// [`Received`] when the batch does not parse as a whole, so that a malformed record is
/// refused on its own and the rest of the batch is still processed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(bound(deserialize = "R: Deserialize<'de>"))]
pub struct SyncBatch<R = SyncRecord> {
    pub device_id: DeviceId,
    /// Read up to one more than [`MAX_SYNC_BATCH`], so that an oversized batch is
    /// refused as such; the rest of the array is skipped without being kept, so a body
    /// of millions of tiny entries costs no more memory than a full batch.
    #[serde(deserialize_with = "at_most_a_batch")]
    pub records: Vec<R>,
}

/// The first `MAX_SYNC_BATCH + 1` elements of a JSON array; the others are read over.
fn at_most_a_batch<'de, D, R>(deserializer: D) -> Result<Vec<R>, D::Error>
where
    D: serde::Deserializer<'de>,
    R: Deserialize<'de>,
{
    struct Capped<R>(std::marker::PhantomData<R>);

    impl<'de, R: Deserialize<'de>> serde::de::Visitor<'de> for Capped<R> {
        type Value = Vec<R>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array of records")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<R>, A::Error> {
            let hint = seq.size_hint().unwrap_or(0).min(MAX_SYNC_BATCH + 1);
            let mut kept = Vec::with_capacity(hint);
            while kept.len() <= MAX_SYNC_BATCH {
                match seq.next_element()? {
                    Some(record) => kept.push(record),
                    None => return Ok(kept),
                }
            }
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(kept)
        }
    }

    deserializer.deserialize_seq(Capped(std::marker::PhantomData))
}

/// A record of a batch as the server reads it: well-formed, or not, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Record(Box<SyncRecord>),
    /// Not a record of the expected shape. `uuid` is its `uuid` when that much could
    /// be read (empty otherwise), so that the device can tell which record it was.
    Malformed {
        uuid: String,
        reason: String,
    },
}

impl Received {
    /// The record's UUID as sent (empty when none could be read).
    #[must_use]
    pub fn uuid(&self) -> &str {
        match self {
            Self::Record(r) => &r.uuid,
            Self::Malformed { uuid, .. } => uuid,
        }
    }
}

impl<'de> Deserialize<'de> for Received {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct UuidOnly {
            uuid: String,
        }
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        Ok(match serde_json::from_str::<SyncRecord>(raw.get()) {
            Ok(record) => Self::Record(Box::new(record)),
            Err(e) => Self::Malformed {
                uuid: serde_json::from_str::<UuidOnly>(raw.get())
                    .map(|u| u.uuid)
                    .unwrap_or_default(),
                reason: e.to_string(),
            },
        })
    }
}

impl From<SyncBatch> for SyncBatch<Received> {
    fn from(batch: SyncBatch) -> Self {
        Self {
            device_id: batch.device_id,
            records: batch
                .records
                .into_iter()
                .map(|r| Received::Record(Box::new(r)))
                .collect(),
        }
    }
}

/// Why the server refused a synced record: a stable code, the same on both sides, that
/// says whether sending the record again may succeed. Its JSON form is a plain string
/// (`"busy"`, `"validation_failed"`), so that devices that stored an older answer still
/// read it, and a code from a newer server is kept as [`RejectionCode::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RejectionCode {
    /// The record failed a check that any request would (its answers, its signature,
    /// the device's standing): one of the API's error codes.
    Api(ErrorCode),
    /// Not a record of the expected shape.
    MalformedRecord,
    /// The record's UUID is not a UUID, or differs from its consent's receipt id.
    UuidInvalid,
    /// The record names another form or version than its consent does, or than the
    /// synced record it edits.
    FormMismatch,
    /// The consent statement does not fit the form version.
    ConsentInvalid,
    /// An edit sets a field whose every purpose the customer withdrew.
    PurposeWithdrawn,
    /// An edit's base version is not a version of the record.
    BaseVersionInvalid,
    /// The record kept changing while an edit was applied; the server asks for it again.
    Busy,
    /// The device already sent another record under this sequence number: its storage
    /// was copied or restored, or it is not the device it says it is.
    SeqReused,
    /// The record's form is not assigned to the account that synced it (directly or
    /// through its team). Retryable: the device keeps the record and sends it again, so
    /// that it is stored once an admin or manager assigns the form again.
    FormNotAssigned,
    /// A code this build does not know (from a newer server).
    Other(String),
}

impl RejectionCode {
    /// True when sending the same record again may succeed: the failure was the
    /// server's or momentary, not the record's.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Busy | Self::FormNotAssigned => true,
            Self::Api(code) => code.is_retryable(),
            _ => false,
        }
    }

    /// The JSON name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Api(code) => code.as_str(),
            Self::MalformedRecord => "malformed_record",
            Self::UuidInvalid => "uuid_invalid",
            Self::FormMismatch => "form_mismatch",
            Self::ConsentInvalid => "consent_invalid",
            Self::PurposeWithdrawn => "purpose_withdrawn",
            Self::BaseVersionInvalid => "base_version_invalid",
            Self::Busy => "busy",
            Self::SeqReused => "seq_reused",
            Self::FormNotAssigned => "form_not_assigned",
            Self::Other(code) => code,
        }
    }

    /// Reads a code from its JSON name; an unknown name is kept as [`Self::Other`].
    #[must_use]
    pub fn parse(name: &str) -> Self {
        match name {
            "malformed_record" => Self::MalformedRecord,
            "uuid_invalid" => Self::UuidInvalid,
            "form_mismatch" => Self::FormMismatch,
            "consent_invalid" => Self::ConsentInvalid,
            "purpose_withdrawn" => Self::PurposeWithdrawn,
            "base_version_invalid" => Self::BaseVersionInvalid,
            "busy" => Self::Busy,
            "seq_reused" => Self::SeqReused,
            "form_not_assigned" => Self::FormNotAssigned,
            other => {
                ErrorCode::parse(other).map_or_else(|| Self::Other(other.to_owned()), Self::Api)
            }
        }
    }
}

impl std::fmt::Display for RejectionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares with a JSON name, as tests and logs spell codes.
impl PartialEq<str> for RejectionCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RejectionCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<ErrorCode> for RejectionCode {
    fn from(code: ErrorCode) -> Self {
        Self::Api(code)
    }
}

#[cfg(feature = "openapi")]
crate::openapi::manual_schema!(
    RejectionCode,
    crate::openapi::string(
        None,
        None,
        "Why a record was refused: one of the API's error codes, or malformed_record, uuid_invalid, form_mismatch, consent_invalid, purpose_withdrawn, base_version_invalid, busy, seq_reused"
    )
);

impl Serialize for RejectionCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RejectionCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::parse(&name))
    }
}

/// What became of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SyncStatus {
    /// Stored now, durably. `withdraw_token` is the customer's secret for withdrawing
    /// (the link `/withdraw#<receipt_id>.<token>`), for the device to hand to the
    /// customer with their receipt.
    Stored {
        receipt: Box<SignedReceipt>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        withdraw_token: Option<String>,
    },
    /// Stored before with the same content; nothing changed.
    AlreadyStored {
        receipt: Box<SignedReceipt>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        withdraw_token: Option<String>,
    },
    /// An edit of a synced record was merged (or its replay answered again): the
    /// server's copy is now at `version`. The device's changes to `merged_fields` are in
    /// it; those to `conflicted_fields` wait for a manager, and the server's values stay.
    Edited {
        version: i64,
        #[serde(default)]
        merged_fields: Vec<String>,
        #[serde(default)]
        conflicted_fields: Vec<String>,
        /// Key fields the edit changed that wait for approval (not applied yet).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pending_fields: Vec<String>,
    },
    /// Another record with this UUID but different content is stored; it is unchanged.
    Conflict { message: String },
    /// Refused; the device should keep it and show why.
    Rejected {
        code: RejectionCode,
        message: String,
        /// Per-field issues, when the answers are invalid.
        #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        fields: std::collections::BTreeMap<String, Vec<crate::api::error::FieldIssue>>,
    },
}

/// The result for one record, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncResult {
    pub uuid: String,
    #[serde(flatten)]
    pub status: SyncStatus,
}

/// The answer to a sync request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncResponse {
    pub results: Vec<SyncResult>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    const DEVICE: &str = "6f1c2d3e-4b5a-4978-8a6b-5c4d3e2f1a0b";

    #[test]
    fn a_huge_batch_is_read_only_as_far_as_the_limit() {
        let body = format!(
            r#"{{"device_id":"{DEVICE}","records":[{}]}}"#,
            vec!["{}"; 50_000].join(",")
        );
        let batch: super::SyncBatch<super::Received> = serde_json::from_str(&body).unwrap();
        assert_eq!(batch.records.len(), super::MAX_SYNC_BATCH + 1);
        let small: super::SyncBatch<super::Received> = serde_json::from_str(&format!(
            r#"{{"device_id":"{DEVICE}","records":[{{}},{{}}]}}"#
        ))
        .unwrap();
        assert_eq!(small.records.len(), 2);
        // Whatever follows the array is still checked.
        assert!(
            serde_json::from_str::<super::SyncBatch<super::Received>>(&format!(
                r#"{{"device_id":"{DEVICE}","records":[{{}},{{}},]}}"#
            ))
            .is_err()
        );
    }

    use super::*;

    #[test]
    fn rejection_codes_read_back_and_say_whether_to_retry() {
        let known = [
            RejectionCode::MalformedRecord,
            RejectionCode::UuidInvalid,
            RejectionCode::FormMismatch,
            RejectionCode::ConsentInvalid,
            RejectionCode::PurposeWithdrawn,
            RejectionCode::BaseVersionInvalid,
            RejectionCode::Busy,
            RejectionCode::SeqReused,
            RejectionCode::FormNotAssigned,
        ]
        .into_iter()
        .chain(ErrorCode::ALL.into_iter().map(RejectionCode::Api));
        for code in known {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<RejectionCode>(&json).unwrap(), code);
        }
        // The server asks for these again; the device must send them again.
        for retry in [
            "busy",
            "internal",
            "unavailable",
            "rate_limited",
            "form_not_assigned",
        ] {
            assert!(RejectionCode::parse(retry).is_retryable(), "{retry}");
        }
        for keep in [
            "validation_failed",
            "invalid_signature",
            "forbidden",
            "form_mismatch",
        ] {
            assert!(!RejectionCode::parse(keep).is_retryable(), "{keep}");
        }
        let newer: RejectionCode = serde_json::from_str("\"quota_exceeded\"").unwrap();
        assert_eq!(newer, RejectionCode::Other("quota_exceeded".into()));
        assert!(!newer.is_retryable());
        assert_eq!(serde_json::to_string(&newer).unwrap(), "\"quota_exceeded\"");
    }
}
