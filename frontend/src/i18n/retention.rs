//! The strings of data retention: the retention page (what is due, dry runs, runs,
//! legal holds), retention on the records page, and the designer's retention settings;
//! values in `retention_en` and `retention_zh`.

use shared::api::retention::{RunStatus, RunTrigger};
use shared::retention::AnonymisationRule;
use shared::schema::{RetentionAction, RetentionStart};

use super::fill;
pub use super::retention_en::EN;
pub use super::retention_zh::ZH_CN;

/// Strings of data retention. Templates name their parameters in braces.
#[derive(Debug)]
pub struct RetentionTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,

    pub schedule_heading: &'static str,
    /// Mentions `{hours}` and `{time}`.
    pub schedule_on: &'static str,
    pub schedule_off: &'static str,
    /// Mentions `{days}`.
    pub grace: &'static str,
    pub next_run: &'static str,
    pub next_run_none: &'static str,

    pub forecast_heading: &'static str,
    /// Mentions `{time}`.
    pub as_of: &'static str,
    pub forecast_empty: &'static str,
    pub form_nothing_due: &'static str,
    /// Mentions `{count}`.
    pub form_records: &'static str,
    /// Mentions `{count}`.
    pub waiting: &'static str,
    /// Mentions `{count}`.
    pub held_records: &'static str,
    pub col_field: &'static str,
    pub col_action: &'static str,
    pub col_due_now: &'static str,
    pub col_d7: &'static str,
    pub col_d30: &'static str,
    pub col_d90: &'static str,
    pub action_delete: &'static str,
    pub action_anonymise: &'static str,

    pub dry_run_heading: &'static str,
    pub dry_run_intro: &'static str,
    pub dry_run: &'static str,
    pub dry_running: &'static str,
    pub plan_empty: &'static str,
    pub totals: &'static str,
    pub col_form: &'static str,
    pub col_count: &'static str,
    /// Mentions `{shown}` and `{total}`.
    pub plan_first: &'static str,
    pub col_record: &'static str,
    pub col_due: &'static str,
    pub col_because: &'static str,
    pub because_field: &'static str,
    /// Mentions `{key}`.
    pub because_purpose: &'static str,
    pub because_withdrawn: &'static str,
    pub held_heading: &'static str,
    /// Mentions `{form}` and `{count}`.
    pub held_line: &'static str,
    pub errors_heading: &'static str,

    pub run_heading: &'static str,
    pub run_intro: &'static str,
    pub run_now: &'static str,
    pub run_confirm_title: &'static str,
    pub run_confirm_text: &'static str,
    pub run_confirm: &'static str,
    pub run_starting: &'static str,
    pub run_conflict: &'static str,
    pub runs_heading: &'static str,
    pub runs_empty: &'static str,
    pub col_started: &'static str,
    pub col_trigger: &'static str,
    pub col_status: &'static str,
    pub col_records: &'static str,
    pub col_deleted: &'static str,
    pub col_anonymised: &'static str,
    pub col_held: &'static str,
    pub col_errors: &'static str,
    pub trigger_schedule: &'static str,
    /// Mentions `{name}`.
    pub trigger_manual_by: &'static str,
    pub trigger_manual: &'static str,
    pub status_running: &'static str,
    pub status_done: &'static str,
    pub open_report: &'static str,
    pub report_heading: &'static str,
    /// Mentions `{time}`.
    pub report_started: &'static str,
    /// Mentions `{time}`.
    pub report_finished: &'static str,
    pub report_running: &'static str,
    pub report_empty: &'static str,

    pub holds_heading: &'static str,
    pub holds_intro: &'static str,
    pub holds_empty: &'static str,
    pub col_scope: &'static str,
    pub col_reason: &'static str,
    pub col_placed: &'static str,
    pub col_ends: &'static str,
    pub col_lifted: &'static str,
    /// Mentions `{id}`.
    pub scope_record: &'static str,
    /// Mentions `{kind}` and `{count}`.
    pub scope_person: &'static str,
    /// Mentions `{title}`.
    pub scope_form: &'static str,
    pub hold_active: &'static str,
    pub hold_inactive: &'static str,
    pub no_end: &'static str,
    pub lift: &'static str,
    pub lift_title: &'static str,
    pub lift_text: &'static str,
    pub lift_confirm: &'static str,
    pub lifting: &'static str,
    pub new_hold_heading: &'static str,
    pub hold_scope: &'static str,
    pub scope_opt_record: &'static str,
    pub scope_opt_person: &'static str,
    pub scope_opt_form: &'static str,
    pub hold_record: &'static str,
    pub hold_record_hint: &'static str,
    pub hold_kind: &'static str,
    pub hold_value: &'static str,
    pub hold_value_hint: &'static str,
    pub hold_form: &'static str,
    pub hold_form_choose: &'static str,
    pub hold_reason: &'static str,
    /// Mentions `{max}`.
    pub hold_reason_hint: &'static str,
    pub hold_ends: &'static str,
    pub hold_ends_hint: &'static str,
    pub hold_submit: &'static str,
    pub hold_pending: &'static str,
    pub hold_placed: &'static str,
    pub issue_record_id: &'static str,
    /// Mentions `{max}`.
    pub issue_reason_long: &'static str,
    pub issue_date: &'static str,

    pub value_anonymised: &'static str,
    /// Mentions `{date}`.
    pub value_anonymised_on: &'static str,
    /// Mentions `{date}`.
    pub value_erased: &'static str,
    /// Mentions `{date}`.
    pub relationship_ended: &'static str,
    pub relationship_end_label: &'static str,
    pub relationship_end_hint: &'static str,
    pub relationship_end_save: &'static str,
    pub relationship_end_saving: &'static str,
    pub relationship_end_saved: &'static str,
    pub hold_link: &'static str,

    pub from: &'static str,
    pub from_collection: &'static str,
    pub from_relationship_end: &'static str,
    pub rule_label: &'static str,
    pub rule_removed: &'static str,
    pub rule_birth_year_and_province: &'static str,
    pub rule_city_only: &'static str,
    pub rule_year_only: &'static str,
    pub rule_kept: &'static str,
    pub purpose_retention: &'static str,
    pub purpose_retention_days: &'static str,
    pub longest_clock_wins: &'static str,
    pub days_invalid: &'static str,
}

impl RetentionTexts {
    /// The name of what happens to a value.
    #[must_use]
    pub const fn action(&self, action: RetentionAction) -> &'static str {
        match action {
            RetentionAction::Delete => self.action_delete,
            RetentionAction::Anonymise => self.action_anonymise,
        }
    }

    /// When a clock starts.
    #[must_use]
    pub const fn start(&self, from: RetentionStart) -> &'static str {
        match from {
            RetentionStart::Collection => self.from_collection,
            RetentionStart::RelationshipEnd => self.from_relationship_end,
        }
    }

    /// What anonymising keeps of a field kind.
    #[must_use]
    pub const fn rule(&self, rule: AnonymisationRule) -> &'static str {
        match rule {
            AnonymisationRule::Removed => self.rule_removed,
            AnonymisationRule::BirthYearAndProvince => self.rule_birth_year_and_province,
            AnonymisationRule::CityOnly => self.rule_city_only,
            AnonymisationRule::YearOnly => self.rule_year_only,
            AnonymisationRule::Kept => self.rule_kept,
        }
    }

    /// Where a run stands.
    #[must_use]
    pub const fn status(&self, status: RunStatus) -> &'static str {
        match status {
            RunStatus::Running => self.status_running,
            RunStatus::Done => self.status_done,
        }
    }

    /// How a run started, and by whom when someone started it.
    #[must_use]
    pub fn trigger(&self, trigger: RunTrigger, by: Option<&str>) -> String {
        match (trigger, by) {
            (RunTrigger::Schedule, _) => self.trigger_schedule.to_owned(),
            (RunTrigger::Manual, Some(name)) => fill(self.trigger_manual_by, &[("name", name)]),
            (RunTrigger::Manual, None) => self.trigger_manual.to_owned(),
        }
    }

    /// Why a value is due, from the API's `because`: `field`, `purpose:<key>` or
    /// `withdrawn`; anything else as it came.
    #[must_use]
    pub fn because(&self, because: &str) -> String {
        match because {
            "field" => self.because_field.to_owned(),
            "withdrawn" => self.because_withdrawn.to_owned(),
            other => match other.strip_prefix("purpose:") {
                Some(key) => fill(self.because_purpose, &[("key", key)]),
                None => other.to_owned(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn because_names_the_clock_that_ended_last() {
        assert_eq!(EN.because("field"), "the field’s period");
        assert_eq!(EN.because("purpose:marketing"), "purpose marketing");
        assert_eq!(ZH_CN.because("purpose:marketing"), "处理目的 marketing");
        assert_eq!(ZH_CN.because("withdrawn"), "已撤回同意");
        assert_eq!(EN.because("something_new"), "something_new");
    }

    #[test]
    fn a_manual_run_names_who_started_it() {
        assert_eq!(
            EN.trigger(RunTrigger::Manual, Some("Wang Admin")),
            "Wang Admin, by hand"
        );
        assert_eq!(EN.trigger(RunTrigger::Manual, None), "By hand");
        assert_eq!(ZH_CN.trigger(RunTrigger::Schedule, Some("x")), "定时执行");
    }

    #[test]
    fn every_anonymisation_rule_has_words_in_both_languages() {
        for rule in [
            AnonymisationRule::Removed,
            AnonymisationRule::BirthYearAndProvince,
            AnonymisationRule::CityOnly,
            AnonymisationRule::YearOnly,
            AnonymisationRule::Kept,
        ] {
            assert!(!EN.rule(rule).is_empty());
            assert!(!ZH_CN.rule(rule).is_empty());
        }
        assert_eq!(
            EN.rule(AnonymisationRule::BirthYearAndProvince),
            "keeps the birth year and province"
        );
    }
}
