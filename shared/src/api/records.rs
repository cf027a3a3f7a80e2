//! Collected records as staff, managers, admins and auditors see them.

use std::collections::BTreeMap;

use crate::ids::{FormId, RecordId, UserId};
use serde::{Deserialize, Serialize};

use crate::{access::Visibility, i18n::LocalizedText, schema::Sensitivity};

/// One field of a record in a view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewValue {
    pub sensitivity: Sensitivity,
    /// What the viewer gets.
    pub visibility: Visibility,
    /// The text shown: in full, masked, or `None` when hidden or withdrawn.
    pub display: Option<String>,
    /// True when consent to every purpose of this field was withdrawn: the value is
    /// no longer shown to anyone.
    pub withdrawn: bool,
    /// True when the stored value does not decrypt (it was altered or moved): nothing
    /// is shown, and the server logs it.
    #[serde(default)]
    pub unreadable: bool,
    /// What retention did to this field's value, when it did: deleted, or anonymised
    /// (with what was left, shown instead of the value). Never revealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<super::retention::ProcessedValue>,
}

/// Where a record was collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordSource {
    /// A customer's browser, through the embedded form.
    Web,
    /// A staff member's device, through offline collection and sync.
    Staff,
}

impl RecordSource {
    /// The name on the wire and in the database.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RecordSource::Web => "web",
            RecordSource::Staff => "staff",
        }
    }

    /// Reads a name written by [`Self::as_str`].
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "web" => Some(RecordSource::Web),
            "staff" => Some(RecordSource::Staff),
            _ => None,
        }
    }
}

/// A record in a list or detail view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordView {
    pub id: RecordId,
    /// When the customer relationship ended, once recorded (clocks counted from it run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_ended_at_ms: Option<i64>,
    pub form_id: FormId,
    pub form_version: i64,
    pub source: RecordSource,
    pub owner_id: Option<UserId>,
    /// The owner's user name, so that a list names people rather than ids.
    #[serde(default)]
    pub owner_name: Option<String>,
    pub created_at_ms: i64,
    pub values: BTreeMap<String, ViewValue>,
    /// The form's title, so that a list names the form rather than its id.
    #[serde(default)]
    pub form_title: LocalizedText,
    /// The label of each field in `values`, by field key, so that a list shows labels
    /// rather than keys.
    #[serde(default)]
    pub labels: BTreeMap<String, LocalizedText>,
    /// The server's version of the record: 1 when collected, one more per merged edit.
    #[serde(default = "first_version")]
    pub version: i64,
    /// Edit conflicts on this record that wait for a manager.
    #[serde(default)]
    pub open_conflicts: i64,
    /// Fields with a change waiting for approval (the value shown is the one in force).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_fields: Vec<String>,
    /// The keys of `values` in the form's order, to show them as the form asks them.
    #[serde(default)]
    pub field_order: Vec<String>,
}

impl RecordView {
    /// Takes the values out in the form's order (any `field_order` does not name follow,
    /// by key).
    pub fn take_ordered_values(&mut self) -> Vec<(String, ViewValue)> {
        let mut values = std::mem::take(&mut self.values);
        let mut out: Vec<(String, ViewValue)> = self
            .field_order
            .iter()
            .filter_map(|k| values.remove(k).map(|v| (k.clone(), v)))
            .collect();
        out.extend(values);
        out
    }
}

fn first_version() -> i64 {
    1
}

/// `GET /api/v1/records`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordPage {
    pub records: Vec<RecordView>,
    /// Pass as `before` for the next page.
    pub next_before: Option<i64>,
}

/// `GET /api/v1/records/forms`: one of the forms that records in the caller's reach
/// were collected with, to filter the list by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordForm {
    pub id: FormId,
    /// The title of the newest version any of those records was collected with.
    pub title: LocalizedText,
}

/// The shortest reason for a reveal the server accepts.
pub const MIN_REVEAL_REASON_CHARS: usize = 5;
/// The longest: a reason stays in the audit log for good, so it is a sentence, not a
/// place for notes that may themselves hold personal data.
pub const MAX_REVEAL_REASON_CHARS: usize = 200;

/// `POST /api/v1/records/{id}/reveal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevealRequest {
    pub field: String,
    /// Why the person needs to see it (kept in the audit log).
    pub reason: String,
}

/// The revealed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevealResponse {
    pub field: String,
    pub value: String,
}

/// What kind of identifier a lookup searches by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    Phone,
    Email,
    ResidentId,
}

impl IdentifierKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [IdentifierKind; 3] = [Self::Phone, Self::Email, Self::ResidentId];

    /// The JSON name, which is also the blind index's kind.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Email => "email",
            Self::ResidentId => "resident_id",
        }
    }

    /// Reads a name written by [`Self::as_str`].
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// `POST /api/v1/records/lookup`: find a person's records by an identifier, for a
/// data-subject request or to spot duplicates, without decrypting anything.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LookupRequest {
    pub kind: IdentifierKind,
    pub value: String,
}

impl std::fmt::Debug for LookupRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LookupRequest")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Why a version of a record was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VersionCause {
    /// As collected.
    Collected,
    /// An edit synced from a staff device, merged.
    DeviceEdit,
    /// A conflict resolved by taking the device's value.
    ConflictResolved,
    /// A correction made for a data-subject request.
    RequestCorrection,
    /// A change of a key field, approved by a manager or an admin.
    ApprovedChange,
}

impl VersionCause {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Collected => "collected",
            Self::DeviceEdit => "device_edit",
            Self::ConflictResolved => "conflict_resolved",
            Self::RequestCorrection => "request_correction",
            Self::ApprovedChange => "approved_change",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Collected,
            Self::DeviceEdit,
            Self::ConflictResolved,
            Self::RequestCorrection,
            Self::ApprovedChange,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

/// One version of a record in its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordVersionView {
    pub version: i64,
    pub at_ms: i64,
    /// Who made it (`None`: the customer, or the collector of version 1 when unknown).
    pub by_name: Option<String>,
    /// The device it was synced from, when it was.
    pub device_id: Option<crate::ids::DeviceId>,
    pub cause: VersionCause,
    /// The request it was made for, for a correction.
    pub request_id: Option<crate::ids::SubjectRequestId>,
    /// For an approved change: who approved it, and their comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by_name: Option<String>,
    /// The fields this version changed (empty for version 1).
    pub changed: Vec<String>,
    /// The values as the viewer may see them, masked as elsewhere.
    pub values: BTreeMap<String, ViewValue>,
}

/// `GET /api/v1/records/{id}/history`: every version, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordHistory {
    pub record_id: RecordId,
    /// Where the record was collected: version 1 of a web record was made by the
    /// customer.
    pub source: RecordSource,
    pub form_title: LocalizedText,
    /// Field labels by key, in form order of appearance.
    pub labels: BTreeMap<String, LocalizedText>,
    /// The form's field keys in form order, to lay values out.
    pub field_order: Vec<String>,
    pub versions: Vec<RecordVersionView>,
}
