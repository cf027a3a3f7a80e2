//! Edit conflicts: a staff device edited a field offline that the server's copy also
//! changed since the device's base version. Managers (their team's records and
//! unassigned ones) and admins resolve them.

use crate::ids::{ConflictId, DeviceId, FormId, RecordId, UserId};
use serde::{Deserialize, Serialize};

use crate::{access::Visibility, i18n::LocalizedText, schema::Sensitivity};

/// What waits for a manager: a conflict between two edits, or a change of a key field
/// that needs approval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// The device and the server both changed the field.
    #[default]
    Conflict,
    /// A change of a key field (`Field::needs_approval`) by staff or a manager: taking
    /// the device's value approves it, keeping the server's rejects it; its author may
    /// not decide it.
    Approval,
}

impl ConflictKind {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Conflict => "conflict",
            Self::Approval => "approval",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Conflict, Self::Approval]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

/// The longest comment on a decision.
pub const MAX_DECISION_COMMENT_CHARS: usize = 500;

/// One open conflict or change waiting for approval, with both values as the caller may
/// see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConflictView {
    pub id: ConflictId,
    #[serde(default)]
    pub kind: ConflictKind,
    /// The author's user name.
    #[serde(default)]
    pub author_name: Option<String>,
    /// The record's form title.
    #[serde(default)]
    pub form_title: LocalizedText,
    /// For a change waiting for approval: the field changed on the server since the
    /// change's base, or another change of it waits too; deciding one does not decide
    /// the other.
    #[serde(default)]
    pub contested: bool,
    pub record_id: RecordId,
    pub form_id: FormId,
    pub form_version: i64,
    pub field_key: String,
    pub field_label: LocalizedText,
    pub sensitivity: Sensitivity,
    /// How both values are shown to the caller (`shared::access::visibility`).
    pub visibility: Visibility,
    /// The version the device's edit started from.
    pub base_version: i64,
    /// The server's version when the conflict arose.
    pub server_version: i64,
    /// The record's version now.
    pub current_version: i64,
    /// The staff member whose device made the edit.
    pub author_id: UserId,
    pub device_id: DeviceId,
    pub device_seq: i64,
    pub created_at_ms: i64,
    /// The server's value now: in full, masked, or `None` when hidden or not answered.
    pub server_value: Option<String>,
    /// The device's value, shown the same way; `None` also when the device cleared it.
    pub device_value: Option<String>,
    /// True when the device cleared the field.
    pub device_cleared: bool,
}

/// `GET /api/v1/conflicts`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConflictList {
    pub conflicts: Vec<ConflictView>,
}

/// Which value wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Take {
    /// Keep the server's value; the device's is dropped.
    Server,
    /// Apply the device's value as a new version of the record.
    Device,
}

impl Take {
    /// The JSON name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Take::Server => "server",
            Take::Device => "device",
        }
    }
}

/// `POST /api/v1/conflicts/{id}/resolve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolveConflict {
    pub take: Take,
    /// Why (kept with the decision, sealed); at most [`MAX_DECISION_COMMENT_CHARS`].
    #[serde(default)]
    pub comment: Option<String>,
}

/// The resolved conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConflictResolved {
    pub id: ConflictId,
    pub record_id: RecordId,
    pub take: Take,
    /// The record's version after the resolution.
    pub version: i64,
}
