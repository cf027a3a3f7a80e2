//! The strings of the compliance dashboard (issue #23): the rate and its change, the
//! checks and what to fix first, the rates per form and per team, the charts and their
//! text alternatives, a check's drill-down, and the reports with their schedule and the
//! records of processing; values in `compliance_en` and `compliance_zh`. The checks' own
//! titles, explanations, laws and remedies are `shared::compliance::CheckId`'s, which
//! the reports use too.

use shared::api::compliance::{ItemKind, ReportKind};
use shared::api::records::RecordSource;
use shared::compliance::Severity;
use shared::schema::Sensitivity;

pub use super::compliance_en::EN;
pub use super::compliance_zh::ZH_CN;

/// Strings of the compliance pages. Templates name their parameters in braces.
#[derive(Debug)]
pub struct ComplianceTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub home_cta: &'static str,
    pub tabs_label: &'static str,
    pub tab_dashboard: &'static str,
    pub tab_reports: &'static str,

    // The filter and the scope.
    pub filter_form: &'static str,
    pub all_forms: &'static str,
    pub filter_team: &'static str,
    pub all_teams: &'static str,
    pub clear_filter: &'static str,
    /// A manager's view refused: in no team, or asking for another team.
    pub no_team: &'static str,
    pub scope_label: &'static str,
    pub scope_organisation: &'static str,
    /// Mentions `{name}`.
    pub scope_team: &'static str,
    /// Mentions `{title}`.
    pub scope_form: &'static str,

    // Figures.
    pub rate_heading: &'static str,
    /// Mentions `{passed}` and `{total}`.
    pub passed_of_total: &'static str,
    /// Mentions `{failing}` and `{total}`.
    pub failing_of: &'static str,
    pub nothing_to_measure: &'static str,
    /// Mentions `{points}` and `{when}`.
    pub change_up: &'static str,
    /// Mentions `{points}` and `{when}`.
    pub change_down: &'static str,
    /// Mentions `{when}`.
    pub change_same: &'static str,
    pub since_yesterday: &'static str,

    // What to fix first, and the checks.
    pub fix_first_heading: &'static str,
    pub fix_first_none: &'static str,
    pub see_what_fails: &'static str,
    pub open_check: &'static str,
    pub severity_critical: &'static str,
    pub severity_high: &'static str,
    pub severity_medium: &'static str,
    pub checks_heading: &'static str,
    pub what_and_why: &'static str,
    pub law_label: &'static str,
    pub remedy_label: &'static str,

    // Per form and per team.
    pub forms_heading: &'static str,
    pub forms_hint: &'static str,
    pub teams_heading: &'static str,
    pub teams_hint: &'static str,
    pub col_form: &'static str,
    pub col_team: &'static str,
    pub col_rate: &'static str,
    pub col_items: &'static str,
    pub col_records: &'static str,

    // Charts.
    pub charts_heading: &'static str,
    pub show_table: &'static str,
    pub show_chart: &'static str,
    pub trend_caption: &'static str,
    /// Mentions `{days}`, `{first}`, `{from}`, `{last}`, `{to}`, `{low}` and `{high}`.
    pub trend_summary: &'static str,
    /// Mentions `{date}` and `{rate}`.
    pub trend_summary_one: &'static str,
    /// Mentions `{purpose}`.
    pub consents_caption: &'static str,
    pub purpose_label: &'static str,
    pub all_purposes: &'static str,
    pub granted: &'static str,
    pub declined: &'static str,
    pub withdrawals_caption: &'static str,
    pub withdrawals: &'static str,
    pub sensitivity_caption: &'static str,
    pub sens_ordinary: &'static str,
    pub sens_personal: &'static str,
    pub sens_sensitive: &'static str,
    pub source_caption: &'static str,
    pub source_web: &'static str,
    pub source_staff: &'static str,
    pub source_import: &'static str,
    pub retention_caption: &'static str,
    pub due_now: &'static str,
    pub due_30: &'static str,
    pub due_90: &'static str,
    pub requests_caption: &'static str,
    /// Mentions `{count}`.
    pub overdue_note: &'static str,
    pub exports_caption: &'static str,
    pub exports: &'static str,
    pub alerts: &'static str,
    pub col_day: &'static str,
    pub col_week: &'static str,
    pub col_count: &'static str,
    pub col_sensitivity: &'static str,
    pub col_source: &'static str,
    pub col_when: &'static str,
    pub col_status: &'static str,
    /// Mentions `{caption}` and `{items}`.
    pub summary_counts: &'static str,
    /// Mentions `{caption}`, `{weeks}` and `{totals}`.
    pub summary_weeks: &'static str,
    /// Mentions `{weeks}`.
    pub summary_by_week: &'static str,
    pub summary_none: &'static str,
    /// Between the items of a list.
    pub separator: &'static str,
    /// Between the weeks of a list.
    pub week_separator: &'static str,
    /// Between a name and what follows it.
    pub colon: &'static str,

    // The page's footer.
    /// Mentions `{time}` and `{seq}`.
    pub computed_at: &'static str,
    /// Mentions `{time}`.
    pub computed_at_short: &'static str,
    pub server_status: &'static str,

    // A check's drill-down.
    pub back: &'static str,
    pub drill_figure_heading: &'static str,
    pub drill_items_heading: &'static str,
    pub drill_none: &'static str,
    /// Mentions `{shown}` and `{total}`.
    pub drill_more: &'static str,
    pub drill_forbidden: &'static str,
    pub col_item: &'static str,
    pub col_reason: &'static str,
    pub col_date: &'static str,
    pub col_open: &'static str,
    pub open: &'static str,
    pub kind_record: &'static str,
    pub kind_request: &'static str,
    pub kind_export: &'static str,
    pub kind_device: &'static str,
    pub kind_form: &'static str,
    pub kind_account: &'static str,
    pub kind_audit_log: &'static str,
    pub kind_backup: &'static str,

    // Reports.
    pub reports_title: &'static str,
    pub reports_intro: &'static str,
    pub make_heading: &'static str,
    pub make_intro: &'static str,
    pub period_label: &'static str,
    pub period_from: &'static str,
    pub period_to: &'static str,
    pub make_submit: &'static str,
    pub making: &'static str,
    /// Mentions `{period}`.
    pub made: &'static str,
    pub period_reversed: &'static str,
    pub period_future: &'static str,
    /// Mentions `{days}`.
    pub period_too_long: &'static str,
    pub period_invalid: &'static str,
    /// Mentions `{from}` and `{to}`.
    pub period_range: &'static str,
    pub reports_heading: &'static str,
    pub reports_empty: &'static str,
    pub col_period: &'static str,
    pub col_kind: &'static str,
    pub col_made: &'static str,
    pub col_delivery: &'static str,
    pub col_download: &'static str,
    pub report_weekly: &'static str,
    pub report_monthly: &'static str,
    pub report_on_demand: &'static str,
    pub not_sent: &'static str,
    pub channel_webhook: &'static str,
    pub channel_email: &'static str,
    pub delivery_pending: &'static str,
    pub delivery_sent: &'static str,
    pub delivery_failed: &'static str,
    /// Mentions `{count}`.
    pub attempts: &'static str,
    pub new_tab: &'static str,
    pub pdf_hint: &'static str,

    // The schedule.
    pub schedule_heading: &'static str,
    pub schedule_intro: &'static str,
    pub schedule_reports: &'static str,
    pub weekly_label: &'static str,
    pub weekly_hint: &'static str,
    pub monthly_label: &'static str,
    pub monthly_hint: &'static str,
    pub deliver_label: &'static str,
    pub deliver_hint: &'static str,
    pub idle_days_label: &'static str,
    pub head_hours_label: &'static str,
    /// Mentions `{min}` and `{max}`.
    pub range_hint: &'static str,
    /// Mentions `{min}` and `{max}`.
    pub range_issue: &'static str,
    pub schedule_save: &'static str,
    pub schedule_saving: &'static str,
    pub schedule_saved: &'static str,
    pub yes: &'static str,
    pub no: &'static str,

    // The records of processing.
    pub processing_heading: &'static str,
    pub processing_intro: &'static str,
    pub both_languages: &'static str,

    // Impact assessments.
    pub assessments_heading: &'static str,
    pub assessments_intro: &'static str,
    pub assessments_empty: &'static str,
    pub col_why: &'static str,
    pub col_draft: &'static str,
    pub trigger_sensitive: &'static str,
    pub trigger_minors: &'static str,
    pub trigger_cross_border: &'static str,
    /// Mentions `{number}`.
    pub version_n: &'static str,
    pub archived: &'static str,
}

impl ComplianceTexts {
    /// How urgent a failing check is, in words.
    #[must_use]
    pub const fn severity(&self, severity: Severity) -> &'static str {
        match severity {
            Severity::Critical => self.severity_critical,
            Severity::High => self.severity_high,
            Severity::Medium => self.severity_medium,
        }
    }

    /// A sensitivity, as the records chart names it.
    #[must_use]
    pub const fn sensitivity(&self, sensitivity: Sensitivity) -> &'static str {
        match sensitivity {
            Sensitivity::Ordinary => self.sens_ordinary,
            Sensitivity::Personal => self.sens_personal,
            Sensitivity::Sensitive => self.sens_sensitive,
        }
    }

    /// Where records came from, as the records chart names it.
    #[must_use]
    pub const fn source(&self, source: RecordSource) -> &'static str {
        match source {
            RecordSource::Web => self.source_web,
            RecordSource::Staff => self.source_staff,
            RecordSource::Import => self.source_import,
        }
    }

    /// What a failing item is.
    #[must_use]
    pub const fn item_kind(&self, kind: ItemKind) -> &'static str {
        match kind {
            ItemKind::Record => self.kind_record,
            ItemKind::Request => self.kind_request,
            ItemKind::Export => self.kind_export,
            ItemKind::Device => self.kind_device,
            ItemKind::Form => self.kind_form,
            ItemKind::Account => self.kind_account,
            ItemKind::AuditLog => self.kind_audit_log,
            ItemKind::Backup => self.kind_backup,
        }
    }

    /// Why a report was made.
    #[must_use]
    pub const fn report_kind(&self, kind: ReportKind) -> &'static str {
        match kind {
            ReportKind::Weekly => self.report_weekly,
            ReportKind::Monthly => self.report_monthly,
            ReportKind::OnDemand => self.report_on_demand,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_name_their_parameters_in_both_languages() {
        for t in [&EN, &ZH_CN] {
            let templates = [
                (t.scope_team, "{name}"),
                (t.scope_form, "{title}"),
                (t.passed_of_total, "{passed}"),
                (t.passed_of_total, "{total}"),
                (t.failing_of, "{failing}"),
                (t.failing_of, "{total}"),
                (t.change_up, "{points}"),
                (t.change_up, "{when}"),
                (t.change_down, "{points}"),
                (t.change_down, "{when}"),
                (t.change_same, "{when}"),
                (t.trend_summary, "{days}"),
                (t.trend_summary, "{first}"),
                (t.trend_summary, "{from}"),
                (t.trend_summary, "{last}"),
                (t.trend_summary, "{to}"),
                (t.trend_summary, "{low}"),
                (t.trend_summary, "{high}"),
                (t.trend_summary_one, "{date}"),
                (t.trend_summary_one, "{rate}"),
                (t.consents_caption, "{purpose}"),
                (t.overdue_note, "{count}"),
                (t.summary_counts, "{caption}"),
                (t.summary_counts, "{items}"),
                (t.summary_weeks, "{caption}"),
                (t.summary_weeks, "{weeks}"),
                (t.summary_weeks, "{totals}"),
                (t.summary_by_week, "{weeks}"),
                (t.computed_at, "{time}"),
                (t.computed_at, "{seq}"),
                (t.computed_at_short, "{time}"),
                (t.drill_more, "{shown}"),
                (t.drill_more, "{total}"),
                (t.made, "{period}"),
                (t.period_too_long, "{days}"),
                (t.period_range, "{from}"),
                (t.period_range, "{to}"),
                (t.attempts, "{count}"),
                (t.range_hint, "{min}"),
                (t.range_hint, "{max}"),
                (t.range_issue, "{min}"),
                (t.range_issue, "{max}"),
                (t.version_n, "{number}"),
            ];
            for (template, name) in templates {
                assert!(template.contains(name), "{template:?} lacks {name}");
            }
        }
    }

    #[test]
    fn the_two_languages_differ_where_words_are_shown() {
        assert_eq!(EN.nav, "Compliance");
        assert_eq!(ZH_CN.nav, "合规");
        assert_eq!(EN.source(RecordSource::Staff), "staff device");
        assert_eq!(ZH_CN.source(RecordSource::Staff), "员工设备");
        assert_eq!(ZH_CN.severity(Severity::Critical), "严重");
        assert_ne!(EN.nothing_to_measure, ZH_CN.nothing_to_measure);
        assert_eq!(EN.report_kind(ReportKind::OnDemand), "On demand");
    }
}
