//! Data-subject requests: the register a privacy officer works from, what customers
//! file themselves with their receipt, and the answer package.

use serde::{Deserialize, Serialize};

use crate::api::records::{IdentifierKind, RecordView};
use crate::i18n::Locale;
use crate::ids::{ReceiptId, RecordId, SubjectRequestId, UserId};
use crate::requests::RequestPolicy;

/// What the person asks for (PIPL Art. 44–47; GDPR Art. 15–21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// To know what is held and why.
    Access,
    /// A copy in a machine-readable form (portability).
    Copy,
    /// To correct what is wrong.
    Correction,
    /// To have it erased.
    Erasure,
    /// To withdraw consent.
    Withdrawal,
    /// To restrict or object to processing.
    Restriction,
}

impl RequestKind {
    pub const ALL: [RequestKind; 6] = [
        Self::Access,
        Self::Copy,
        Self::Correction,
        Self::Erasure,
        Self::Withdrawal,
        Self::Restriction,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Copy => "copy",
            Self::Correction => "correction",
            Self::Erasure => "erasure",
            Self::Withdrawal => "withdrawal",
            Self::Restriction => "restriction",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Its name for people.
    #[must_use]
    pub fn label(self, locale: Locale) -> &'static str {
        let (zh, en) = match self {
            Self::Access => ("查阅", "Access"),
            Self::Copy => ("复制（可携带）", "Copy (portability)"),
            Self::Correction => ("更正", "Correction"),
            Self::Erasure => ("删除", "Erasure"),
            Self::Withdrawal => ("撤回同意", "Withdrawal of consent"),
            Self::Restriction => ("限制或拒绝处理", "Restriction or objection"),
        };
        if locale == Locale::ZhCn {
            zh
        } else {
            en
        }
    }
}

/// Where a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Arrived; nobody has looked at it yet.
    New,
    /// Waiting for the requester to prove who they are.
    IdentityCheck,
    /// Identity checked; being worked on.
    InProgress,
    /// Answered (closed).
    Answered,
    /// Refused with a reason (closed).
    Refused,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 5] = [
        Self::New,
        Self::IdentityCheck,
        Self::InProgress,
        Self::Answered,
        Self::Refused,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::IdentityCheck => "identity_check",
            Self::InProgress => "in_progress",
            Self::Answered => "answered",
            Self::Refused => "refused",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Answered or refused: nothing more happens to it.
    #[must_use]
    pub const fn is_closed(self) -> bool {
        matches!(self, Self::Answered | Self::Refused)
    }
}

/// How the requester's identity was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdentityMethod {
    /// They hold the receipt's secret withdrawal token (customers filing online).
    ReceiptToken,
    /// An identity document was seen (never copied into the request).
    IdDocument,
    /// A code sent to the phone number or email address the records hold was returned.
    KnownContact,
    /// In person, by staff who know them.
    InPerson,
    /// Another way, described in the note.
    Other,
}

impl IdentityMethod {
    pub const ALL: [IdentityMethod; 5] = [
        Self::ReceiptToken,
        Self::IdDocument,
        Self::KnownContact,
        Self::InPerson,
        Self::Other,
    ];

    /// The JSON name, which is also the stored one.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ReceiptToken => "receipt_token",
            Self::IdDocument => "id_document",
            Self::KnownContact => "known_contact",
            Self::InPerson => "in_person",
            Self::Other => "other",
        }
    }

    /// Reads a name written by [`Self::as_str`].
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// Who made the request and how to answer them. Stored sealed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Requester {
    pub name: String,
    /// A phone number, email or postal address to answer to.
    pub contact: String,
    /// The language to answer in (the summary of the answer package).
    pub locale: Locale,
}

impl std::fmt::Debug for Requester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Requester")
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

/// The longest name or contact.
pub const MAX_REQUESTER_CHARS: usize = 200;
/// The longest description of a request, internal note or reason.
pub const MAX_REQUEST_TEXT_CHARS: usize = 2000;
/// The shortest reason for a refusal or an extension.
pub const MIN_REASON_CHARS: usize = 10;

/// How identity was checked, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityCheck {
    pub method: IdentityMethod,
    /// `None` when the server checked it (a receipt's token).
    pub checked_by_name: Option<String>,
    pub at_ms: i64,
    pub note: String,
}

/// The deadline's extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Extension {
    pub reason: String,
    pub by_name: Option<String>,
    pub at_ms: i64,
}

/// One line of a request's history: a note, or what someone did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestEvent {
    pub at_ms: i64,
    /// `None` for the customer or the server.
    pub by_name: Option<String>,
    /// What happened: `filed`, `registered`, `note`, `assigned`, `identity_checked`,
    /// `status`, `extended`, `records_found`, `record_unlinked`, `corrected`, `erased`,
    /// `erasure_blocked`, `package_prepared`, `package_downloaded`.
    pub kind: String,
    /// The note, or words for what happened (the new status, the number of records…).
    pub text: String,
}

/// A row of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestSummary {
    pub id: SubjectRequestId,
    /// A short reference to quote to the requester (`SR-` and the id's first eight
    /// characters, upper case).
    pub reference: String,
    pub kind: RequestKind,
    pub status: RequestStatus,
    /// True when the customer filed it online with their receipt.
    pub filed_by_customer: bool,
    pub requester_name: String,
    pub received_at_ms: i64,
    pub due_at_ms: i64,
    pub overdue: bool,
    /// Whole days until due (negative once overdue).
    pub days_left: i64,
    pub extended: bool,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    /// Records linked to the request.
    pub records: u32,
}

impl SubjectRequestId {
    /// The reference quoted to the requester.
    #[must_use]
    pub fn reference(&self) -> String {
        format!("SR-{}", &self.to_string()[..8].to_uppercase())
    }
}

/// A record linked to a request, as the officer sees it, with its consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkedRecord {
    pub record: RecordView,
    /// The consent receipt, when the record has one.
    pub receipt_id: Option<ReceiptId>,
    /// The consent by purpose (as the customer's own consent page shows it).
    pub purposes: Vec<crate::api::consent::PurposeState>,
    /// How the record was found: `receipt` (the customer's own) or the identifier kind.
    pub found_by: String,
    /// All values erased.
    pub erased: bool,
    /// Legal holds in force that block erasure of this record, with their reasons.
    pub holds: Vec<String>,
}

/// The download of an answer package, once prepared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PackageTicket {
    pub prepared_at_ms: i64,
    pub expires_at_ms: i64,
    pub downloaded_at_ms: Option<i64>,
    /// The one-time path to fetch it from (relative to the API prefix) while it may be
    /// downloaded; `None` once downloaded or expired.
    pub download_path: Option<String>,
}

/// `GET /api/v1/requests/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestDetail {
    pub summary: RequestSummary,
    pub requester: Requester,
    /// What they ask, in their words.
    pub details: String,
    pub identity: Option<IdentityCheck>,
    pub extension: Option<Extension>,
    pub refusal_reason: Option<String>,
    pub closed_at_ms: Option<i64>,
    pub records: Vec<LinkedRecord>,
    pub events: Vec<RequestEvent>,
    pub package: Option<PackageTicket>,
    /// The organisation's deadlines, to say whether an extension is possible.
    pub policy: RequestPolicy,
}

/// `GET /api/v1/requests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestList {
    pub requests: Vec<RequestSummary>,
    /// Open requests past their due date, among all (not only this list).
    pub overdue: u32,
    /// Open requests due within [`crate::requests::DUE_SOON_DAYS`] days.
    pub due_soon: u32,
    pub policy: RequestPolicy,
}

/// An identifier to find a person's records by.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonIdentifier {
    pub kind: IdentifierKind,
    pub value: String,
}

impl std::fmt::Debug for PersonIdentifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonIdentifier")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// `POST /api/v1/requests`: a request received by letter, email, phone or in person,
/// registered by the privacy officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRequest {
    pub kind: RequestKind,
    pub requester: Requester,
    pub details: String,
    /// The day it arrived (`yyyy-mm-dd`), today when absent; the deadline counts from it.
    #[serde(default)]
    pub received_on: Option<String>,
    /// Identifiers to find the person's records by at once.
    #[serde(default)]
    pub identifiers: Vec<PersonIdentifier>,
}

/// `POST /api/v1/public/requests`: a customer files a request about the consent whose
/// receipt and secret token they hold.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerRequest {
    pub receipt_id: ReceiptId,
    pub token: String,
    pub kind: RequestKind,
    pub requester: Requester,
    #[serde(default)]
    pub details: String,
}

impl std::fmt::Debug for CustomerRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerRequest")
            .field("receipt_id", &self.receipt_id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// The answer to a customer's request: what to quote, and by when they will hear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestFiled {
    pub id: SubjectRequestId,
    pub reference: String,
    pub received_at_ms: i64,
    pub due_at_ms: i64,
}

/// `POST /api/v1/requests/{id}/actions`: one step of the work on a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RequestAction {
    /// Give it to an admin or privacy officer (`None`: nobody).
    Assign { assignee: Option<UserId> },
    /// Record how identity was checked; an open request moves on to in progress.
    CheckIdentity {
        method: IdentityMethod,
        note: String,
    },
    /// Ask the requester to prove who they are.
    AwaitIdentity,
    /// An internal note (kept sealed).
    Note { text: String },
    /// Extend the deadline by the policy's extension, with a reason.
    Extend { reason: String },
    /// Find the person's records by an identifier across all forms and link them.
    FindPerson { identifier: PersonIdentifier },
    /// Take a record off the request (found by a similar identifier, not theirs).
    Unlink { record_id: RecordId },
    /// Answered: what was asked is done (identity must have been checked).
    Answer { note: String },
    /// Refused, with the reason told to the requester.
    Refuse { reason: String },
}

/// `POST /api/v1/requests/{id}/corrections`: correct one value of a linked record; a new
/// version of the record, with the request as its reason.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Correction {
    pub record_id: RecordId,
    pub field: String,
    /// The new answer, as the form takes it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub value: serde_json::Value,
}

impl std::fmt::Debug for Correction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Correction")
            .field("record_id", &self.record_id)
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

/// `POST /api/v1/requests/{id}/erasure`: erase every value of the linked records (or
/// of those named).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureOrder {
    #[serde(default)]
    pub record_ids: Option<Vec<RecordId>>,
}

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureOutcome {
    pub erased: Vec<RecordId>,
    /// Records a legal hold kept, with the holds' reasons.
    pub held: Vec<HeldRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldRecord {
    pub record_id: RecordId,
    pub reasons: Vec<String>,
}

/// `GET /api/v1/requests/assignees`: who a request can be given to (enabled admins and
/// privacy officers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignee {
    pub id: UserId,
    pub name: String,
}
