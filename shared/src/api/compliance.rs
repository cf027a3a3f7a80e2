//! The compliance dashboard: the checks' figures and the overall rate, per form and per
//! team, their trend, the drill-down of a check, the charts, the kept compliance reports
//! and their schedule. What each check means and how the rate is computed is in
//! [`crate::compliance`].

use serde::{Deserialize, Serialize};

use crate::{
    api::{records::RecordSource, requests::RequestStatus},
    compliance::CheckId,
    i18n::LocalizedText,
    ids::{FormId, TeamId},
    schema::Sensitivity,
};

/// The audit chain's head at the moment a figure or report was computed, so that an
/// auditor can tie it to the log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditStamp {
    /// The newest entry's sequence number (0 for an empty log).
    pub seq: i64,
    /// The newest entry's hash (`sha256:<hex>`).
    pub hash: String,
}

/// Passed out of total: a check's figure, or the overall rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    pub passed: u64,
    pub total: u64,
}

impl Figure {
    #[must_use]
    pub const fn new(passed: u64, total: u64) -> Self {
        Self { passed, total }
    }

    /// What fails: total less passed.
    #[must_use]
    pub const fn failing(self) -> u64 {
        self.total.saturating_sub(self.passed)
    }

    /// The share passed in tenths of a percent (0–1000), or `None` for 0 of 0: nothing
    /// to measure, which is neither compliant nor not.
    #[must_use]
    pub fn permille(self) -> Option<u32> {
        (self.total > 0).then(|| {
            let p = (u128::from(self.passed.min(self.total)) * 1000 + u128::from(self.total) / 2)
                / u128::from(self.total);
            u32::try_from(p).unwrap_or(1000)
        })
    }

    /// The sum of two figures.
    #[must_use]
    pub const fn plus(self, other: Figure) -> Figure {
        Figure {
            passed: self.passed.saturating_add(other.passed),
            total: self.total.saturating_add(other.total),
        }
    }
}

/// One check's figure in a view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckFigure {
    pub check: CheckId,
    pub figure: Figure,
    /// The figure of the last daily snapshot before today, for the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Figure>,
}

/// Whose figures a view holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ViewScope {
    /// Everything (admins, privacy officers, auditors).
    Organisation,
    /// One team's records, exports, devices and accounts (a manager sees their own).
    Team { team_id: TeamId, name: String },
    /// One form's records, exports and definition.
    Form {
        form_id: FormId,
        title: LocalizedText,
    },
}

/// The rate of one form or team, in the overview's tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormRate {
    pub form_id: FormId,
    pub title: LocalizedText,
    pub rate: Figure,
    /// Live records of the form in the view.
    pub records: u64,
}

/// The rate of one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamRate {
    pub team_id: TeamId,
    pub name: String,
    pub rate: Figure,
}

/// One day of the rate's trend (from the daily snapshots, and today's live figure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendPoint {
    /// The day's start (UTC midnight, ms since the epoch).
    pub day_ms: i64,
    pub rate: Figure,
}

/// `GET /compliance`: the dashboard's answer to "how compliant are we, and what do I
/// fix first?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplianceOverview {
    pub computed_at_ms: i64,
    pub audit_head: AuditStamp,
    pub scope: ViewScope,
    /// The overall rate: the sum of every check's passed over the sum of their totals.
    pub rate: Figure,
    /// Every check the viewer may see, in [`CheckId::ALL`] order.
    pub checks: Vec<CheckFigure>,
    /// The checks that fail, most urgent first (by severity, then by what fails).
    pub fix_first: Vec<CheckId>,
    /// Per form (record, export and form checks over that form), largest first.
    pub forms: Vec<FormRate>,
    /// Per team (empty for a manager, whose view is their team).
    pub teams: Vec<TeamRate>,
    /// The last 90 days of snapshots, oldest first, ending with today's live figure.
    pub trend: Vec<TrendPoint>,
}

/// `GET /compliance` and the drill-down's query: an optional form or team.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
pub struct ComplianceQuery {
    /// Only this form's records, exports and definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<FormId>,
    /// Only this team (admins; a manager's view is always their team).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamId>,
}

/// What a failing item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Record,
    Request,
    Export,
    Device,
    Form,
    Account,
    AuditLog,
    /// The newest backup (its id; the Backups page).
    Backup,
}

/// One thing that fails a check. It names no personal value: what the viewer may see of
/// a record is on the record's page, under their masking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailingItem {
    pub kind: ItemKind,
    /// The record, request, export, device, form or account id (the sequence number for
    /// the audit log).
    pub id: String,
    /// What it is: a form's title, a device's or account's name, a request's kind.
    pub title: LocalizedText,
    /// Why it fails (field labels and dates, never a value).
    pub reason: LocalizedText,
    /// The moment that matters (collected, due, requested, last synced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<i64>,
    /// Where in the console to fix it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// The longest list a drill-down returns (its count covers everything).
pub const MAX_DRILL_ITEMS: usize = 200;

/// `GET /compliance/checks/{check}`: what fails one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckDrillDown {
    pub check: CheckId,
    pub scope: ViewScope,
    pub figure: Figure,
    /// The first [`MAX_DRILL_ITEMS`] failing items, oldest first.
    pub items: Vec<FailingItem>,
    pub computed_at_ms: i64,
}

/// Granted and declined consents of one purpose, per week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PurposeSeries {
    pub purpose_key: String,
    /// The purpose's name in the newest form version that declares it.
    pub name: LocalizedText,
    /// One value per week of [`ComplianceCharts::weeks`].
    pub granted: Vec<u64>,
    pub declined: Vec<u64>,
}

/// Live records of one sensitivity: the most sensitive value they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SensitivityCount {
    pub sensitivity: Sensitivity,
    pub records: u64,
}

/// Live records from one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceCount {
    pub source: RecordSource,
    pub records: u64,
}

/// Subject requests in one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    pub status: RequestStatus,
    pub requests: u64,
    /// Of those, open past their due date.
    pub overdue: u64,
}

/// Live records with a value that falls due (deleted or anonymised) soon: by each
/// record's next retention moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionDue {
    /// Past due now and not yet processed (the next run processes them).
    pub now: u64,
    pub within_30_days: u64,
    pub within_90_days: u64,
}

/// The number of weeks the weekly charts cover.
pub const CHART_WEEKS: usize = 12;

/// `GET /compliance/charts`: what the dashboard draws, in the viewer's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplianceCharts {
    pub computed_at_ms: i64,
    pub scope: ViewScope,
    /// The start of each week charted (Monday 00:00 UTC), oldest first,
    /// [`CHART_WEEKS`] of them, the last one this week.
    pub weeks: Vec<i64>,
    pub consents: Vec<PurposeSeries>,
    /// Withdrawals recorded per week.
    pub withdrawals: Vec<u64>,
    pub by_sensitivity: Vec<SensitivityCount>,
    pub by_source: Vec<SourceCount>,
    pub retention_due: RetentionDue,
    /// Empty for a manager (requests are the organisation's).
    pub requests: Vec<StatusCount>,
    /// Exports asked for per week.
    pub exports: Vec<u64>,
    /// Alerts raised per week.
    pub alerts: Vec<u64>,
}

/// Why a compliance report was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Weekly,
    Monthly,
    /// Asked for in the console for a chosen period.
    OnDemand,
}

impl ReportKind {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
            Self::OnDemand => "on_demand",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Weekly, Self::Monthly, Self::OnDemand]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One check in a report, with the figure of the previous report of its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportCheck {
    pub check: CheckId,
    pub figure: Figure,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Figure>,
}

/// An open request past its due date, in a report (no requester's detail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueRequest {
    pub request_id: crate::ids::SubjectRequestId,
    pub kind: crate::api::requests::RequestKind,
    pub received_at_ms: i64,
    pub due_at_ms: i64,
}

/// What happened in a report's period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodActivity {
    pub records_collected: u64,
    pub consents_received: u64,
    pub withdrawals: u64,
    pub requests_received: u64,
    pub requests_closed: u64,
    pub exports: u64,
    pub alerts: u64,
    pub retention_runs: u64,
}

/// A compliance report, as kept and as downloaded in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplianceReport {
    pub id: String,
    pub kind: ReportKind,
    /// The period covered: from (inclusive) to (exclusive), ms since the epoch.
    pub period_from_ms: i64,
    pub period_to_ms: i64,
    pub computed_at_ms: i64,
    pub audit_head: AuditStamp,
    pub rate: Figure,
    /// The previous report of the same kind's rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_rate: Option<Figure>,
    pub checks: Vec<ReportCheck>,
    pub activity: PeriodActivity,
    /// Alerts still open when the report was made.
    pub open_alerts: u64,
    pub overdue_requests: Vec<OverdueRequest>,
}

/// How a report reached a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportDelivery {
    /// `webhook` or `email`.
    pub channel: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// A kept report in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportEntry {
    pub id: String,
    pub kind: ReportKind,
    pub period_from_ms: i64,
    pub period_to_ms: i64,
    pub computed_at_ms: i64,
    pub rate: Figure,
    pub deliveries: Vec<ReportDelivery>,
}

/// `GET /compliance/reports`: the kept reports, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportList {
    pub reports: Vec<ReportEntry>,
    pub settings: ReportSettings,
}

/// `POST /compliance/reports`: a report for a chosen period, now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewReport {
    pub period_from_ms: i64,
    pub period_to_ms: i64,
}

/// The schedule of compliance reports and the checks' thresholds (admins set them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportSettings {
    /// A report every Monday for the week before.
    pub weekly: bool,
    /// A report on the first of each month for the month before.
    pub monthly: bool,
    /// Send each scheduled report to the alerts' webhook and e-mail recipients.
    pub deliver: bool,
    /// A staff device that has not synced for this many days fails its check (1–90).
    pub device_idle_days: u32,
    /// The audit head must have been signed within this many hours (1–720).
    pub head_signed_within_hours: u32,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            weekly: true,
            monthly: true,
            deliver: true,
            device_idle_days: 7,
            head_signed_within_hours: 24,
        }
    }
}

/// What a scheduled report's webhook receives (signed like an alert's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportNotice {
    /// Always `compliance_report`, to tell it from an alert.
    pub event: String,
    pub report: ComplianceReport,
    /// Where in the console the report is kept.
    pub console_path: String,
}
