//! Alerts on unusual behaviour: rules over exports, reveals and record views, what an
//! alert shows an admin, how it is handled, and where it is sent.

use serde::{Deserialize, Serialize};

use crate::ids::{AlertId, UserId};

/// A rule that raises alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertRule {
    /// An export far larger than the user's own history (a multiple of the median rows
    /// of their exports over the last days).
    ExportAboveHistory,
    /// More rows exported by one user in a day than a fixed limit.
    DailyExportLimit,
    /// An export asked for outside working hours.
    OffHoursExport,
    /// Many masked values revealed in a short time.
    RevealBurst,
    /// Many records viewed in a short time.
    ViewBurst,
}

impl AlertRule {
    pub const ALL: [AlertRule; 5] = [
        Self::ExportAboveHistory,
        Self::DailyExportLimit,
        Self::OffHoursExport,
        Self::RevealBurst,
        Self::ViewBurst,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ExportAboveHistory => "export_above_history",
            Self::DailyExportLimit => "daily_export_limit",
            Self::OffHoursExport => "off_hours_export",
            Self::RevealBurst => "reveal_burst",
            Self::ViewBurst => "view_burst",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Whether the rule is about exports (and so may hold one).
    #[must_use]
    pub const fn is_export_rule(self) -> bool {
        matches!(
            self,
            Self::ExportAboveHistory | Self::DailyExportLimit | Self::OffHoursExport
        )
    }
}

/// Where an alert is in its handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    Open,
    /// Looked into and confirmed worth attention.
    Acknowledged,
    /// Looked into and found harmless.
    Dismissed,
}

impl AlertStatus {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Dismissed => "dismissed",
        }
    }

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Open, Self::Acknowledged, Self::Dismissed]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// One event that made an alert fire (from the audit log: ids and counts, no values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertEvent {
    pub at_ms: i64,
    /// The audit action (`exports.requested`, `records.reveal`, `records.read`).
    pub action: String,
    /// Rows exported, values revealed or records viewed by this event.
    pub count: u64,
    /// The export or record concerned, when there is one.
    pub subject_id: Option<String>,
}

/// Where an alert was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertChannel {
    Webhook,
    Email,
}

/// How sending an alert went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not sent yet, or to be tried again at `next_attempt_ms`.
    Pending,
    Sent,
    /// Given up after the last attempt.
    Failed,
}

/// One delivery of an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertDelivery {
    pub channel: AlertChannel,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_ms: Option<i64>,
    /// Why the last attempt failed (the receiver's status or the network error).
    pub last_error: Option<String>,
}

/// An alert, as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertEntry {
    pub id: AlertId,
    pub rule: AlertRule,
    pub at_ms: i64,
    /// Whose behaviour it is about.
    pub user_id: UserId,
    pub user_name: Option<String>,
    /// What was observed (rows, reveals, records) against the rule's limit.
    pub observed: u64,
    pub limit: u64,
    /// The events that caused it.
    pub events: Vec<AlertEvent>,
    /// The rule suspended the user's export permission (until an admin lifts it).
    pub suspended: bool,
    /// The suspension is still in force.
    pub suspension_active: bool,
    pub status: AlertStatus,
    pub handled_by_name: Option<String>,
    pub handled_at_ms: Option<i64>,
    pub note: Option<String>,
    pub deliveries: Vec<AlertDelivery>,
}

/// `GET /api/v1/alerts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertList {
    pub alerts: Vec<AlertEntry>,
    /// Open alerts (for the menu's badge).
    pub open: u64,
}

/// The longest note on an alert's handling.
pub const MAX_ALERT_NOTE_CHARS: usize = 500;

/// `POST /api/v1/alerts/{id}/handle` (admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandleAlert {
    /// `acknowledged` or `dismissed`.
    pub status: AlertStatus,
    #[serde(default)]
    pub note: Option<String>,
    /// Give the user back their export permission.
    #[serde(default)]
    pub lift_suspension: bool,
}

/// The alert rules' limits and where alerts go (`GET`/`PUT /api/v1/alerts/settings`,
/// admins). A limit of 0 turns its rule off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertSettings {
    /// An export of more than this many times the user's median export (over
    /// `history_days`) fires `export_above_history`…
    pub history_multiplier: u32,
    pub history_days: u32,
    /// …when it has at least this many rows (small exports never fire it).
    pub history_min_rows: u64,
    /// More rows than this exported by one user in a day fires `daily_export_limit`.
    pub daily_row_limit: u64,
    /// Working hours, local time (`utc_offset_minutes`), start inclusive, end exclusive;
    /// an export outside them, or on a weekend when `weekends_off`, fires
    /// `off_hours_export`. Equal hours turn the rule off.
    pub work_start_hour: u8,
    pub work_end_hour: u8,
    pub utc_offset_minutes: i32,
    pub weekends_off: bool,
    /// More reveals than this within `burst_minutes` fires `reveal_burst`.
    pub reveal_burst: u32,
    /// More records viewed than this within `burst_minutes` fires `view_burst`.
    pub view_burst: u32,
    pub burst_minutes: u32,
    /// Rules that also suspend the user's export permission (and hold the export that
    /// fired them for an admin's approval).
    pub suspend_on: Vec<AlertRule>,
    /// Alerts are POSTed here as JSON (`AlertNotice`), signed with HMAC-SHA-256 under
    /// the secret over `<timestamp>.<body>` (headers `X-Consentry-Timestamp: <ms>` and
    /// `X-Consentry-Signature: sha256=<hex>`), retried with back-off. `https://`, or
    /// `http://` to this machine only.
    pub webhook_url: Option<String>,
    /// Write only: a new secret for the webhook (at least 16 characters). Never returned.
    #[serde(default)]
    pub webhook_secret: Option<String>,
    /// Read only: a secret is set.
    #[serde(default)]
    pub webhook_secret_set: bool,
    /// Alerts are e-mailed to these addresses (through the server's SMTP settings).
    pub email_to: Vec<String>,
    /// Read only: the server has SMTP settings, so e-mail can be sent.
    #[serde(default)]
    pub email_available: bool,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            history_multiplier: 10,
            history_days: 30,
            history_min_rows: 100,
            daily_row_limit: 10_000,
            work_start_hour: 7,
            work_end_hour: 21,
            utc_offset_minutes: 8 * 60,
            weekends_off: false,
            reveal_burst: 20,
            view_burst: 2_000,
            burst_minutes: 10,
            suspend_on: vec![AlertRule::ExportAboveHistory, AlertRule::DailyExportLimit],
            webhook_url: None,
            webhook_secret: None,
            webhook_secret_set: false,
            email_to: Vec::new(),
            email_available: false,
        }
    }
}

/// The JSON a webhook receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertNotice {
    pub alert_id: AlertId,
    pub rule: AlertRule,
    pub at_ms: i64,
    pub user_id: UserId,
    pub observed: u64,
    pub limit: u64,
    pub suspended: bool,
    /// Where an admin sees it (relative to the console's address).
    pub console_path: String,
}
