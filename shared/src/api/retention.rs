//! Retention and erasure: what is due, dry runs, runs and their reports, legal holds,
//! and the end of a customer relationship recorded on a record.

use serde::{Deserialize, Serialize};

use crate::i18n::LocalizedText;
use crate::ids::{FormId, LegalHoldId, RecordId, RetentionRunId, UserId};
use crate::schema::RetentionAction;

use super::records::IdentifierKind;

/// What a retention run did to a value, kept on its record (`records.retention_json`)
/// and shown in its place: when, how, and what anonymising left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcessedValue {
    pub action: RetentionAction,
    pub at_ms: i64,
    /// What is left of an anonymised value; `None` when deleted, or when anonymising
    /// keeps nothing of its kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised: Option<crate::retention::Anonymised>,
}

/// How many values of one field will be due within 7, 30 and 90 days, and how many are
/// due now (the next run takes them), with what happens to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldForecast {
    pub field_key: String,
    pub label: LocalizedText,
    pub action: RetentionAction,
    pub due_now: u64,
    pub within_7_days: u64,
    pub within_30_days: u64,
    pub within_90_days: u64,
}

/// The forecast of one form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormForecast {
    pub form_id: FormId,
    pub title: LocalizedText,
    /// Records of the form still holding values.
    pub records: u64,
    /// Per field and action, only those with something due within 90 days.
    pub fields: Vec<FieldForecast>,
    /// Records whose clocks wait for the end of the customer relationship (no end
    /// recorded yet).
    pub waiting_for_relationship_end: u64,
    /// Records under a legal hold: skipped by runs.
    pub held_records: u64,
}

/// `GET /api/v1/retention/forecast`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionForecast {
    pub as_of_ms: i64,
    pub forms: Vec<FormForecast>,
    /// The schedule runs use.
    pub schedule: RetentionSchedule,
}

/// When runs start by themselves (server configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionSchedule {
    /// False when the scheduler is turned off (runs start only by hand).
    pub enabled: bool,
    /// Hours between runs.
    pub interval_hours: u32,
    /// The time of day (UTC, `HH:MM`) the first run of a day starts at.
    pub at_utc: String,
    /// How long values that served only withdrawn purposes are kept after the
    /// withdrawal, in days.
    pub withdrawal_grace_days: u32,
    /// When the next scheduled run starts.
    pub next_run_at_ms: Option<i64>,
}

/// One thing a run would do, or did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedAction {
    pub record_id: RecordId,
    pub form_id: FormId,
    pub field_key: String,
    pub label: LocalizedText,
    pub action: RetentionAction,
    pub due_at_ms: i64,
    /// Why: `field` (its own period), `purpose:<key>` or `withdrawn`.
    pub because: String,
}

/// `POST /api/v1/retention/dry-run`: exactly what a run now would do, changing nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionPlan {
    pub as_of_ms: i64,
    /// The first [`MAX_PLAN_ITEMS`] actions, oldest due first.
    pub actions: Vec<PlannedAction>,
    /// Every action, counted (also those past the list's end).
    pub lines: Vec<ReportLine>,
    /// Records skipped because of a legal hold, per form.
    pub held: Vec<HeldCount>,
    /// Records that cannot be processed (their form version is missing or unreadable).
    pub errors: Vec<RunError>,
}

/// The longest list of actions a dry run returns (the counts cover everything).
pub const MAX_PLAN_ITEMS: usize = 500;

/// A count of one field's values by action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportLine {
    pub form_id: FormId,
    pub form_title: LocalizedText,
    pub field_key: String,
    pub label: LocalizedText,
    pub action: RetentionAction,
    pub count: u64,
}

/// Records of a form a hold kept from being processed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldCount {
    pub form_id: FormId,
    pub form_title: LocalizedText,
    pub records: u64,
}

/// A record a run could not process, and why (ids and reasons only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunError {
    pub record_id: RecordId,
    pub message: String,
}

/// How a run started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunTrigger {
    /// By the scheduler inside the server.
    Schedule,
    /// By an admin, from the console.
    Manual,
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Working (or interrupted, to be resumed by the next holder of the lease).
    Running,
    /// Finished.
    Done,
}

/// A run in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunSummary {
    pub id: RetentionRunId,
    pub trigger: RunTrigger,
    pub started_by: Option<UserId>,
    pub started_by_name: Option<String>,
    pub status: RunStatus,
    pub started_at_ms: i64,
    pub finished_at_ms: Option<i64>,
    /// The moment values were judged due against.
    pub as_of_ms: i64,
    pub records: u64,
    pub deleted: u64,
    pub anonymised: u64,
    pub held_records: u64,
    pub errors: u64,
}

/// `GET /api/v1/retention/runs/{id}`: a run's execution report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunReport {
    pub summary: RunSummary,
    pub lines: Vec<ReportLine>,
    pub held: Vec<HeldCount>,
    pub errors: Vec<RunError>,
}

/// What a legal hold covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum HoldTarget {
    /// One record.
    Record { record_id: RecordId },
    /// Every record of a person, found by an identifier through the blind index.
    Person {
        kind: IdentifierKind,
        /// The identifier as typed; normalised like the forms do, never stored.
        value: String,
    },
    /// Every record of a form.
    Form { form_id: FormId },
}

/// `POST /api/v1/retention/holds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewHold {
    pub target: HoldTarget,
    /// Why (a case or matter reference); stored sealed.
    pub reason: String,
    /// The last day of the hold (`yyyy-mm-dd`, UTC), if it has one: the hold holds
    /// until that day ends (`LegalHold::ends_at_ms` is midnight UTC after it).
    #[serde(default)]
    pub ends_on: Option<String>,
}

/// The longest hold reason accepted.
pub const MAX_HOLD_REASON_CHARS: usize = 500;

/// How a hold's target is shown (a person's identifier never comes back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum HoldScope {
    Record {
        record_id: RecordId,
    },
    Person {
        kind: IdentifierKind,
        records: u64,
    },
    Form {
        form_id: FormId,
        form_title: LocalizedText,
    },
}

/// A legal hold as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalHold {
    pub id: LegalHoldId,
    pub scope: HoldScope,
    pub reason: String,
    pub created_by_name: Option<String>,
    pub created_at_ms: i64,
    /// The moment the hold ends by itself: midnight UTC after its last day.
    pub ends_at_ms: Option<i64>,
    pub lifted_at_ms: Option<i64>,
    pub lifted_by_name: Option<String>,
    /// Not lifted and not past its end.
    pub active: bool,
}

/// `PUT /api/v1/records/{id}/relationship-end`: the day the customer relationship
/// ended (`yyyy-mm-dd`), which starts the clocks counted from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelationshipEnd {
    /// Stored as midnight UTC of that day (`RecordView::relationship_ended_at_ms`).
    pub ended_on: String,
}
