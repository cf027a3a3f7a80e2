//! The strings of alerts on unusual behaviour (the exports console's "Alerts" tab): the
//! list, handling an alert, and the rules' settings; values in `alerts_en` and
//! `alerts_zh`.

use shared::api::alerts::{AlertChannel, AlertRule, AlertStatus};

pub use super::alerts_en::EN;
pub use super::alerts_zh::ZH_CN;

/// Strings of alerts. Templates name their parameters in braces.
#[derive(Debug)]
pub struct AlertsTexts {
    pub tab: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    /// After the number of open alerts on a badge, for screen readers.
    pub badge_open: &'static str,
    pub filter_label: &'static str,
    pub filter_open: &'static str,
    pub filter_all: &'static str,
    pub empty_open: &'static str,
    pub empty_all: &'static str,

    // One alert.
    pub rule_export_above_history: &'static str,
    pub rule_daily_export_limit: &'static str,
    pub rule_off_hours_export: &'static str,
    pub rule_reveal_burst: &'static str,
    pub rule_view_burst: &'static str,
    pub person: &'static str,
    pub raised: &'static str,
    pub observed: &'static str,
    pub limit: &'static str,
    /// Mentions `{count}`.
    pub count_rows: &'static str,
    /// Mentions `{count}`.
    pub count_reveals: &'static str,
    /// Mentions `{count}`.
    pub count_views: &'static str,
    pub unknown_person: &'static str,
    pub status: &'static str,
    pub status_open: &'static str,
    pub status_acknowledged: &'static str,
    pub status_dismissed: &'static str,
    /// Mentions `{name}` and `{time}`.
    pub handled_by: &'static str,
    pub note_heading: &'static str,
    pub suspended_active: &'static str,
    pub suspended_lifted: &'static str,

    // What happened.
    pub events_heading: &'static str,
    pub col_time: &'static str,
    pub col_action: &'static str,
    pub col_count: &'static str,
    pub col_subject: &'static str,
    pub action_export_requested: &'static str,
    pub action_export_downloaded: &'static str,
    pub action_reveal: &'static str,
    pub action_read: &'static str,
    pub none: &'static str,

    // Where it was sent.
    pub deliveries_heading: &'static str,
    pub deliveries_none: &'static str,
    pub channel_webhook: &'static str,
    pub channel_email: &'static str,
    pub delivery_pending: &'static str,
    /// Mentions `{time}`.
    pub delivery_next: &'static str,
    pub delivery_sent: &'static str,
    /// Mentions `{attempts}` and `{error}`.
    pub delivery_failed: &'static str,
    /// Mentions `{attempts}`.
    pub delivery_failed_plain: &'static str,

    // Handling (admins).
    pub note: &'static str,
    pub lift: &'static str,
    pub lift_hint: &'static str,
    pub acknowledge: &'static str,
    pub dismiss: &'static str,
    pub handling: &'static str,
    pub handled_elsewhere: &'static str,

    // Settings (admins).
    pub settings_heading: &'static str,
    pub settings_intro: &'static str,
    pub history_legend: &'static str,
    pub history_multiplier: &'static str,
    pub history_multiplier_hint: &'static str,
    pub history_days: &'static str,
    pub history_days_hint: &'static str,
    pub history_min_rows: &'static str,
    pub history_min_rows_hint: &'static str,
    pub daily_legend: &'static str,
    pub daily_row_limit: &'static str,
    pub daily_row_limit_hint: &'static str,
    pub hours_legend: &'static str,
    pub work_start_hour: &'static str,
    pub work_start_hour_hint: &'static str,
    pub work_end_hour: &'static str,
    pub work_end_hour_hint: &'static str,
    pub utc_offset: &'static str,
    pub utc_offset_hint: &'static str,
    pub weekends_off: &'static str,
    pub bursts_legend: &'static str,
    pub reveal_burst: &'static str,
    pub reveal_burst_hint: &'static str,
    pub view_burst: &'static str,
    pub view_burst_hint: &'static str,
    pub burst_minutes: &'static str,
    pub burst_minutes_hint: &'static str,
    pub suspend_legend: &'static str,
    pub suspend_hint: &'static str,
    pub delivery_legend: &'static str,
    pub webhook_url: &'static str,
    pub webhook_url_hint: &'static str,
    pub webhook_secret: &'static str,
    pub webhook_secret_hint: &'static str,
    pub secret_set: &'static str,
    pub secret_unset: &'static str,
    pub email_to: &'static str,
    pub email_to_hint: &'static str,
    pub no_smtp: &'static str,
    pub save: &'static str,
    pub saving: &'static str,
    pub saved: &'static str,

    // Field issues.
    pub issue_number: &'static str,
    pub issue_offset: &'static str,
    /// Mentions `{min}` and `{max}`.
    pub issue_range: &'static str,
    pub issue_range_plain: &'static str,
    pub issue_url: &'static str,
    /// Mentions `{min}`.
    pub issue_secret_short: &'static str,
    pub issue_secret_required: &'static str,
    pub issue_email: &'static str,
    /// Mentions `{address}`.
    pub issue_email_named: &'static str,
    pub issue_too_many: &'static str,
    /// Mentions `{max}`.
    pub issue_too_long: &'static str,
}

impl AlertsTexts {
    /// A rule in words.
    #[must_use]
    pub const fn rule(&self, rule: AlertRule) -> &'static str {
        match rule {
            AlertRule::ExportAboveHistory => self.rule_export_above_history,
            AlertRule::DailyExportLimit => self.rule_daily_export_limit,
            AlertRule::OffHoursExport => self.rule_off_hours_export,
            AlertRule::RevealBurst => self.rule_reveal_burst,
            AlertRule::ViewBurst => self.rule_view_burst,
        }
    }

    /// The template of a count of what `rule` counts (rows, reveals or records viewed);
    /// mentions `{count}`.
    #[must_use]
    pub const fn count(&self, rule: AlertRule) -> &'static str {
        match rule {
            AlertRule::ExportAboveHistory
            | AlertRule::DailyExportLimit
            | AlertRule::OffHoursExport => self.count_rows,
            AlertRule::RevealBurst => self.count_reveals,
            AlertRule::ViewBurst => self.count_views,
        }
    }

    /// An alert's status in words.
    #[must_use]
    pub const fn status(&self, status: AlertStatus) -> &'static str {
        match status {
            AlertStatus::Open => self.status_open,
            AlertStatus::Acknowledged => self.status_acknowledged,
            AlertStatus::Dismissed => self.status_dismissed,
        }
    }

    /// A delivery channel in words.
    #[must_use]
    pub const fn channel(&self, channel: AlertChannel) -> &'static str {
        match channel {
            AlertChannel::Webhook => self.channel_webhook,
            AlertChannel::Email => self.channel_email,
        }
    }

    /// An audit action behind an alert in words, when it is one an alert counts.
    #[must_use]
    pub fn action(&self, action: &str) -> Option<&'static str> {
        match action {
            "exports.request" | "exports.requested" => Some(self.action_export_requested),
            "exports.download" | "exports.downloaded" => Some(self.action_export_downloaded),
            "records.reveal" => Some(self.action_reveal),
            "records.read" => Some(self.action_read),
            _ => None,
        }
    }
}
