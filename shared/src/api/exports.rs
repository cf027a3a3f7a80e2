//! Governed exports of records: who may export, what each role's file holds (what it
//! sees on screen), unmasked exports with a reason and, above a number of rows, a second
//! person's approval, a ledger of every export, and one-time downloads.

use serde::{Deserialize, Serialize};

use crate::api::{auth::Role, records::RecordFilter};
use crate::i18n::{Locale, LocalizedText};
use crate::ids::{AlertId, ExportId, FormId, UserId};

/// The file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// UTF-8 with a byte-order mark, so that Excel reads Chinese.
    Csv,
    /// An Excel workbook (every cell a string).
    Xlsx,
}

impl ExportFormat {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Csv, Self::Xlsx]
            .into_iter()
            .find(|f| f.as_str() == name)
    }
}

/// Where an export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    /// Unmasked and above the threshold: waits for an admin or privacy officer.
    AwaitingApproval,
    /// May be downloaded once by who asked, until it expires.
    Ready,
    /// Downloaded (the one download).
    Downloaded,
    /// The approval was refused.
    Rejected,
    /// Not downloaded in time.
    Expired,
    /// Cancelled by who asked.
    Cancelled,
}

impl ExportStatus {
    pub const ALL: [ExportStatus; 6] = [
        Self::AwaitingApproval,
        Self::Ready,
        Self::Downloaded,
        Self::Rejected,
        Self::Expired,
        Self::Cancelled,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingApproval => "awaiting_approval",
            Self::Ready => "ready",
            Self::Downloaded => "downloaded",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// The longest reason for an unmasked export.
pub const MAX_EXPORT_REASON_CHARS: usize = 500;
/// The shortest.
pub const MIN_EXPORT_REASON_CHARS: usize = 10;

/// `POST /api/v1/exports`: export the records of one form that the caller may see, with
/// the records list's filter (its `form_id` is required here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewExport {
    #[serde(flatten)]
    pub filter: RecordFilter,
    pub format: ExportFormat,
    /// Values the caller sees masked come out in full (only roles that may reveal
    /// values; a reason is required, and approval above the threshold).
    #[serde(default)]
    pub unmasked: bool,
    #[serde(default)]
    pub reason: Option<String>,
    /// The language of the headers (field labels).
    pub locale: Locale,
}

/// One export in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportEntry {
    pub id: ExportId,
    pub requested_by: UserId,
    pub requested_by_name: Option<String>,
    pub requested_at_ms: i64,
    pub form_id: FormId,
    pub form_title: LocalizedText,
    pub format: ExportFormat,
    pub unmasked: bool,
    pub reason: Option<String>,
    /// The filter it was asked with (its form is `form_id`).
    pub filter: RecordFilter,
    /// The names of the filter's team and owner, when it names them.
    pub filter_team_name: Option<String>,
    pub filter_owner_name: Option<String>,
    /// Records matched when it was asked for.
    pub rows: u64,
    /// Records written so far while the file is being downloaded (progress).
    pub rows_written: Option<u64>,
    pub status: ExportStatus,
    /// The alert that held this export for an admin's approval, when a rule did.
    pub held_by_alert: Option<AlertId>,
    pub decided_by_name: Option<String>,
    pub decided_at_ms: Option<i64>,
    pub decision_comment: Option<String>,
    pub expires_at_ms: Option<i64>,
    pub downloaded_at_ms: Option<i64>,
    /// The address it was downloaded from.
    pub downloaded_from: Option<String>,
    /// SHA-256 of the file as sent.
    pub file_sha256: Option<String>,
    /// For who asked, while it may be downloaded: the path to fetch it from (relative to
    /// the API prefix).
    pub download_path: Option<String>,
}

/// `GET /api/v1/exports`: the caller's own exports, or every export for admins and
/// auditors (`?all=true`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportList {
    pub exports: Vec<ExportEntry>,
}

/// `POST /api/v1/exports/{id}/decision`: an admin or privacy officer, never who asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportDecision {
    pub approve: bool,
    #[serde(default)]
    pub comment: Option<String>,
}

/// The organisation's export settings (`GET`/`PUT /api/v1/exports/settings`, admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportSettings {
    /// Roles that may export (admins always may).
    pub roles: Vec<Role>,
    /// An unmasked export of more rows than this needs a second person's approval.
    pub approval_above_rows: u64,
    /// How long a ready export may be downloaded.
    pub valid_hours: u32,
}

impl Default for ExportSettings {
    fn default() -> Self {
        Self {
            roles: vec![Role::Admin, Role::Manager, Role::PrivacyOfficer],
            approval_above_rows: 100,
            valid_hours: 24,
        }
    }
}

/// The largest file a trace reads, in MiB.
pub const MAX_TRACE_MB: u32 = 50;

/// `POST /api/v1/exports/trace` (body: a leaked file, CSV or XLSX, or rows of it pasted
/// as text): the exports whose invisible marks the file carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceReport {
    /// Rows read from what was given.
    pub rows_read: u64,
    /// Best first; empty when no export's marks are in the file.
    pub matches: Vec<TraceMatch>,
}

/// One export a traced file comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceMatch {
    pub export: ExportEntry,
    /// Marks of this export found in the file.
    pub marks_found: u32,
    /// Marks this export's file carried.
    pub marks_in_file: u32,
    pub confidence: TraceConfidence,
}

/// How sure a trace is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TraceConfidence {
    /// A mark's record id was found: a chance match is below one in 2^64.
    Certain,
    /// Two or more of a mark's values were found in one row.
    High,
    /// One value of a mark was found: worth a closer look, not proof.
    Possible,
}

impl TraceConfidence {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Certain => "certain",
            Self::High => "high",
            Self::Possible => "possible",
        }
    }
}
