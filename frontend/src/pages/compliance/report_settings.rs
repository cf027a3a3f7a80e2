//! The schedule of compliance reports and the checks' thresholds: a weekly and a
//! monthly report, whether scheduled reports go to the alerts' webhook and e-mail
//! recipients, after how many days without a sync a device fails its check, and within
//! how many hours the audit head must have been signed. Admins and privacy officers
//! change them (`ConfigureCompliance`); auditors read them.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::access::Permission;
use shared::api::compliance::ReportSettings;
use shared::api::error::FieldIssue;

use crate::components::api_call::ApiCall;
use crate::components::form::{local_validation, FieldIssues, FormAlert, SaveActions};
use crate::i18n::{fill, use_i18n, Texts};
use crate::session::use_session;

/// The range of days a device may go without syncing.
pub(crate) const IDLE_DAYS: (u32, u32) = (1, 90);
/// The range of hours within which the audit head must have been signed.
pub(crate) const HEAD_HOURS: (u32, u32) = (1, 720);

/// The settings as the form holds them: the switches, and the two numbers as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScheduleDraft {
    pub weekly: bool,
    pub monthly: bool,
    pub deliver: bool,
    pub idle_days: String,
    pub head_hours: String,
}

impl ScheduleDraft {
    pub fn of(s: &ReportSettings) -> Self {
        Self {
            weekly: s.weekly,
            monthly: s.monthly,
            deliver: s.deliver,
            idle_days: s.device_idle_days.to_string(),
            head_hours: s.head_signed_within_hours.to_string(),
        }
    }

    /// The settings to send, or the problems under their fields (the server's names).
    pub fn settings(&self) -> Result<ReportSettings, Vec<(&'static str, &'static str)>> {
        let within = |text: &str, (low, high): (u32, u32)| {
            text.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (low..=high).contains(n))
        };
        let idle = within(&self.idle_days, IDLE_DAYS);
        let hours = within(&self.head_hours, HEAD_HOURS);
        let mut problems = Vec::new();
        if idle.is_none() {
            problems.push(("device_idle_days", "out_of_range"));
        }
        if hours.is_none() {
            problems.push(("head_signed_within_hours", "out_of_range"));
        }
        match (idle, hours) {
            (Some(device_idle_days), Some(head_signed_within_hours)) => Ok(ReportSettings {
                weekly: self.weekly,
                monthly: self.monthly,
                deliver: self.deliver,
                device_idle_days,
                head_signed_within_hours,
            }),
            _ => Err(problems),
        }
    }
}

/// A number outside its range, as its field says it; another problem as usual.
fn range_issue(t: &Texts, issue: &FieldIssue, (low, high): (u32, u32)) -> String {
    match issue.code.as_str() {
        "out_of_range" | "invalid" | "required" => fill(
            t.compliance.range_issue,
            &[("min", &low.to_string()), ("max", &high.to_string())],
        ),
        _ => t.issue(issue),
    }
}

fn idle_issue(t: &Texts, issue: &FieldIssue) -> String {
    range_issue(t, issue, IDLE_DAYS)
}

fn hours_issue(t: &Texts, issue: &FieldIssue) -> String {
    range_issue(t, issue, HEAD_HOURS)
}

/// The schedule's card: the form for those who set it, the settings for the others.
#[component]
pub(super) fn ScheduleCard(settings: ReportSettings) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let configures = untrack(|| session.may(Permission::ConfigureCompliance));
    let body = if configures {
        view! { <ScheduleForm settings /> }.into_any()
    } else {
        view! { <ScheduleFacts settings /> }.into_any()
    };
    view! {
        <section class="card compliance-section" aria-labelledby="compliance-schedule-heading" data-testid="compliance-schedule">
            <h2 id="compliance-schedule-heading">{move || i18n.t().compliance.schedule_heading}</h2>
            <p class="muted">{move || i18n.t().compliance.schedule_intro}</p>
            {body}
        </section>
    }
}

/// The settings as facts, for those who read them only.
#[component]
fn ScheduleFacts(settings: ReportSettings) -> impl IntoView {
    let i18n = use_i18n();
    let yes_no = move |on: bool| {
        move || {
            let c = &i18n.t().compliance;
            if on {
                c.yes
            } else {
                c.no
            }
        }
    };
    let idle = settings.device_idle_days.to_string();
    let hours = settings.head_signed_within_hours.to_string();
    view! {
        <dl class="facts">
            <div>
                <dt>{move || i18n.t().compliance.weekly_label}</dt>
                <dd>{yes_no(settings.weekly)}</dd>
            </div>
            <div>
                <dt>{move || i18n.t().compliance.monthly_label}</dt>
                <dd>{yes_no(settings.monthly)}</dd>
            </div>
            <div>
                <dt>{move || i18n.t().compliance.deliver_label}</dt>
                <dd>{yes_no(settings.deliver)}</dd>
            </div>
            <div>
                <dt>{move || i18n.t().compliance.idle_days_label}</dt>
                <dd>{idle}</dd>
            </div>
            <div>
                <dt>{move || i18n.t().compliance.head_hours_label}</dt>
                <dd>{hours}</dd>
            </div>
        </dl>
    }
}

/// The settings' form.
#[component]
fn ScheduleForm(settings: ReportSettings) -> impl IntoView {
    let i18n = use_i18n();
    let draft = ScheduleDraft::of(&settings);
    let weekly = RwSignal::new(draft.weekly);
    let monthly = RwSignal::new(draft.monthly);
    let deliver = RwSignal::new(draft.deliver);
    let idle = RwSignal::new(draft.idle_days);
    let hours = RwSignal::new(draft.head_hours);
    let saved = RwSignal::new(false);
    let save = ApiCall::new(|api, settings: ReportSettings| async move {
        api.save_compliance_settings(&settings).await
    })
    .on_ok(move |s: &ReportSettings| {
        let now = ScheduleDraft::of(s);
        weekly.set(now.weekly);
        monthly.set(now.monthly);
        deliver.set(now.deliver);
        idle.set(now.idle_days);
        hours.set(now.head_hours);
        saved.set(true);
    });
    let error = save.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let draft = ScheduleDraft {
            weekly: weekly.get_untracked(),
            monthly: monthly.get_untracked(),
            deliver: deliver.get_untracked(),
            idle_days: idle.get_untracked(),
            head_hours: hours.get_untracked(),
        };
        match draft.settings() {
            Ok(settings) => save.dispatch(settings),
            Err(problems) => save.fail(local_validation(&problems)),
        }
    };
    let switch = move |id: &'static str,
                       label: fn(&Texts) -> &'static str,
                       hint: fn(&Texts) -> &'static str,
                       value: RwSignal<bool>| {
        let hint_id = format!("{id}-hint");
        view! {
            <div class="checkbox-field">
                <input
                    id=id
                    type="checkbox"
                    aria-describedby=hint_id.clone()
                    data-testid=id
                    prop:checked=move || value.get()
                    on:change=move |ev| {
                        saved.set(false);
                        value.set(event_target_checked(&ev));
                    }
                />
                <label for=id>{move || label(i18n.t())}</label>
                <p id=hint_id class="field-hint">{move || hint(i18n.t())}</p>
            </div>
        }
    };
    let number = move |id: &'static str,
                       field: &'static str,
                       value: RwSignal<String>,
                       label: fn(&Texts) -> &'static str,
                       (low, high): (u32, u32),
                       text: fn(&Texts, &FieldIssue) -> String| {
        let hint_id = format!("{id}-hint");
        let issues_id = format!("{id}-issues");
        let described = format!("{hint_id} {issues_id}");
        let invalid = move || {
            error.with(|e| {
                e.as_ref()
                    .is_some_and(|e| !e.field_issues(field).is_empty())
            })
        };
        view! {
            <div class="field" class:field-invalid=invalid>
                <label for=id>{move || label(i18n.t())}</label>
                <p id=hint_id class="field-hint">
                    {move || fill(i18n.t().compliance.range_hint, &[("min", &low.to_string()), ("max", &high.to_string())])}
                </p>
                <input
                    id=id
                    name=id
                    type="number"
                    inputmode="numeric"
                    min=low.to_string()
                    max=high.to_string()
                    step="1"
                    required
                    aria-invalid=move || invalid().to_string()
                    aria-describedby=described
                    bind:value=value
                    data-testid=id
                />
                <FieldIssues id=issues_id field error text />
            </div>
        }
    };
    view! {
        <form class="form compliance-schedule-form" on:submit=submit novalidate>
            <FormAlert error />
            <fieldset class="checkbox-group">
                <legend>{move || i18n.t().compliance.schedule_reports}</legend>
                {switch("compliance-weekly", |t| t.compliance.weekly_label, |t| t.compliance.weekly_hint, weekly)}
                {switch("compliance-monthly", |t| t.compliance.monthly_label, |t| t.compliance.monthly_hint, monthly)}
                {switch("compliance-deliver", |t| t.compliance.deliver_label, |t| t.compliance.deliver_hint, deliver)}
            </fieldset>
            {number("compliance-idle-days", "device_idle_days", idle, |t| t.compliance.idle_days_label, IDLE_DAYS, idle_issue)}
            {number("compliance-head-hours", "head_signed_within_hours", hours, |t| t.compliance.head_hours_label, HEAD_HOURS, hours_issue)}
            <SaveActions
                pending=save.pending()
                saved
                words=|t| (t.compliance.schedule_save, t.compliance.schedule_saving, t.compliance.schedule_saved)
                test_id="compliance-schedule"
            />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::EN;

    #[test]
    fn the_draft_sends_numbers_within_their_ranges() {
        let mut draft = ScheduleDraft::of(&ReportSettings::default());
        draft.weekly = false;
        draft.idle_days = " 14 ".to_owned();
        assert_eq!(
            draft.settings(),
            Ok(ReportSettings {
                weekly: false,
                device_idle_days: 14,
                ..ReportSettings::default()
            })
        );
        draft.idle_days = "0".to_owned();
        draft.head_hours = "721".to_owned();
        assert_eq!(
            draft.settings(),
            Err(vec![
                ("device_idle_days", "out_of_range"),
                ("head_signed_within_hours", "out_of_range")
            ])
        );
        draft.idle_days = "a week".to_owned();
        draft.head_hours = "24".to_owned();
        assert_eq!(
            draft.settings(),
            Err(vec![("device_idle_days", "out_of_range")])
        );
    }

    #[test]
    fn a_number_out_of_range_names_its_range() {
        let issue = FieldIssue {
            code: "out_of_range".to_owned(),
            params: std::collections::BTreeMap::new(),
            message: "x".to_owned(),
        };
        assert_eq!(
            idle_issue(&EN, &issue),
            "Enter a whole number from 1 to 90."
        );
        assert_eq!(
            hours_issue(&EN, &issue),
            "Enter a whole number from 1 to 720."
        );
    }
}
