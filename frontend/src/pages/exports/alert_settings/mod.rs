//! "Alert rules and delivery" (admins): the limits of each alert rule (0 turns a rule
//! off), working hours and their time zone, the rules that also suspend a person's
//! export permission, and where alerts go: a signed webhook (its secret is write-only:
//! sent only when a new one is typed) and e-mail recipients (sent only when the server
//! has SMTP settings). The server's issues show at their fields.

mod draft;

use std::collections::BTreeSet;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::alerts::{AlertRule, AlertSettings};
use shared::api::error::FieldIssue;

use super::NOT_A_NUMBER;
use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{ErrorAlert, Loading};
use crate::components::form::{local_validation, FieldIssues, FormAlert, IssueText, SaveActions};
use crate::i18n::{fill, use_i18n, Texts};
use draft::{AlertDraft, BAD_OFFSET, NUMBERS, OFFSET_FIELD, OUT_OF_RANGE};

/// An issue of the alert settings in words: the checks made before sending, and the
/// server's codes for these fields; any other code keeps the server's message.
fn settings_issue(t: &Texts, issue: &FieldIssue) -> String {
    let a = &t.alerts;
    let param = |name: &str| issue.params.get(name).map(String::as_str);
    match issue.code.as_str() {
        NOT_A_NUMBER => a.issue_number.to_owned(),
        BAD_OFFSET => a.issue_offset.to_owned(),
        OUT_OF_RANGE => match (param("min"), param("max")) {
            (Some(min), Some(max)) => fill(a.issue_range, &[("min", min), ("max", max)]),
            _ => a.issue_range_plain.to_owned(),
        },
        "too_short" => fill(
            a.issue_secret_short,
            &[("min", param("min").unwrap_or("16"))],
        ),
        _ => t.issue(issue),
    }
}

/// An issue of the webhook's address in words.
fn url_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        "invalid" => t.alerts.issue_url.to_owned(),
        _ => settings_issue(t, issue),
    }
}

/// An issue of the webhook's secret in words (`required`: an address without one).
fn secret_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        "required" => t.alerts.issue_secret_required.to_owned(),
        _ => settings_issue(t, issue),
    }
}

/// An issue of the e-mail recipients in words, naming the address when the server does.
fn email_issue(t: &Texts, issue: &FieldIssue) -> String {
    let a = &t.alerts;
    match (issue.code.as_str(), issue.params.get("address")) {
        ("invalid", Some(address)) => fill(a.issue_email_named, &[("address", address)]),
        ("invalid", None) => a.issue_email.to_owned(),
        ("too_many", _) => a.issue_too_many.to_owned(),
        _ => settings_issue(t, issue),
    }
}

/// The settings card: loads the settings, then shows the form.
#[component]
pub(super) fn AlertSettingsCard() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = api_resource(|api| async move { api.alert_settings().await });
    let form = move || {
        loaded.get().map(|loaded| match loaded {
            Ok(settings) => view! { <SettingsForm settings /> }.into_any(),
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section
            class="card exports-section alerts-settings"
            aria-labelledby="alert-settings-heading"
            data-testid="alert-settings"
        >
            <h2 id="alert-settings-heading">{move || i18n.t().alerts.settings_heading}</h2>
            <p class="muted">{move || i18n.t().alerts.settings_intro}</p>
            <Suspense fallback=|| view! { <Loading /> }>{form}</Suspense>
        </section>
    }
}

/// The inputs of the form, one signal each (bound to their inputs).
#[derive(Clone, Copy)]
struct Inputs {
    numbers: [(&'static str, RwSignal<String>); 9],
    utc_offset: RwSignal<String>,
    weekends_off: RwSignal<bool>,
    suspend_on: RwSignal<BTreeSet<AlertRule>>,
    webhook_url: RwSignal<String>,
    webhook_secret: RwSignal<String>,
    email_to: RwSignal<String>,
}

impl Inputs {
    fn new(draft: &AlertDraft) -> Self {
        let inputs = Self {
            numbers: NUMBERS.map(|f| (f, RwSignal::new(String::new()))),
            utc_offset: RwSignal::new(String::new()),
            weekends_off: RwSignal::new(false),
            suspend_on: RwSignal::new(BTreeSet::new()),
            webhook_url: RwSignal::new(String::new()),
            webhook_secret: RwSignal::new(String::new()),
            email_to: RwSignal::new(String::new()),
        };
        inputs.show(draft);
        inputs
    }

    /// Puts `draft` into the inputs.
    fn show(self, draft: &AlertDraft) {
        for (field, value) in &draft.numbers {
            if let Some((_, signal)) = self.numbers.iter().find(|(f, _)| f == field) {
                signal.set(value.clone());
            }
        }
        self.utc_offset.set(draft.utc_offset.clone());
        self.weekends_off.set(draft.weekends_off);
        self.suspend_on.set(draft.suspend_on.clone());
        self.webhook_url.set(draft.webhook_url.clone());
        self.webhook_secret.set(draft.webhook_secret.clone());
        self.email_to.set(draft.email_to.clone());
    }

    /// What the inputs hold now.
    fn draft(self) -> AlertDraft {
        AlertDraft {
            numbers: self
                .numbers
                .iter()
                .map(|(f, v)| (*f, v.get_untracked()))
                .collect(),
            utc_offset: self.utc_offset.get_untracked(),
            weekends_off: self.weekends_off.get_untracked(),
            suspend_on: self.suspend_on.get_untracked(),
            webhook_url: self.webhook_url.get_untracked(),
            webhook_secret: self.webhook_secret.get_untracked(),
            email_to: self.email_to.get_untracked(),
        }
    }

    fn number(self, field: &str) -> RwSignal<String> {
        self.numbers
            .iter()
            .find(|(f, _)| *f == field)
            .map_or_else(|| RwSignal::new(String::new()), |(_, v)| *v)
    }
}

/// A label and a hint from the translation table.
type Words = fn(&Texts) -> &'static str;

#[component]
#[allow(clippy::needless_pass_by_value, clippy::too_many_lines)] // Component props are owned.
fn SettingsForm(settings: AlertSettings) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = RwSignal::new(settings);
    let inputs = Inputs::new(&loaded.with_untracked(AlertDraft::of));
    let saved = RwSignal::new(false);
    let save = ApiCall::new(|api, settings: AlertSettings| async move {
        api.save_alert_settings(&settings).await
    })
    .on_ok(move |s: &AlertSettings| {
        inputs.show(&AlertDraft::of(s));
        loaded.set(s.clone());
        saved.set(true);
    });
    let pending = save.pending();
    let error = save.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let draft = inputs.draft();
        match loaded.with_untracked(|l| draft.settings(l)) {
            Ok(settings) => save.dispatch(settings),
            Err(problems) => save.fail(local_validation(&problems)),
        }
    };
    let invalid = move |field: &'static str| {
        move || {
            error.with(|e| {
                e.as_ref()
                    .is_some_and(|e| !e.field_issues(field).is_empty())
            })
        }
    };
    // A labelled input with its hint and issues; `kind` is its `type`.
    let input = move |field: &'static str,
                      kind: &'static str,
                      value: RwSignal<String>,
                      label: Words,
                      hint: Words,
                      text: IssueText| {
        let id = format!("alert-settings-{field}");
        let hint_id = format!("{id}-hint");
        let issues_id = format!("{id}-issues");
        let described = format!("{hint_id} {issues_id}");
        let numeric = kind == "number";
        view! {
            <div class="field" class:field-invalid=invalid(field)>
                <label for=id.clone()>{move || label(i18n.t())}</label>
                <p id=hint_id class="field-hint">{move || hint(i18n.t())}</p>
                <input
                    id=id.clone()
                    name=field
                    type=kind
                    inputmode=numeric.then_some("numeric")
                    min=numeric.then_some("0")
                    step=numeric.then_some("1")
                    autocomplete="off"
                    aria-invalid=move || invalid(field)().to_string()
                    aria-describedby=described
                    bind:value=value
                    data-testid=id
                />
                <FieldIssues id=issues_id field error text />
            </div>
        }
    };
    let number = move |field: &'static str, label: Words, hint: Words| {
        input(
            field,
            "number",
            inputs.number(field),
            label,
            hint,
            settings_issue,
        )
    };
    let rule_box = move |rule: AlertRule| {
        let id = format!("alert-settings-suspend-{}", rule.as_str());
        view! {
            <div class="checkbox-field">
                <input
                    id=id.clone()
                    type="checkbox"
                    data-testid="alert-settings-suspend"
                    data-rule=rule.as_str()
                    prop:checked=move || inputs.suspend_on.with(|s| s.contains(&rule))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        saved.set(false);
                        inputs.suspend_on.update(|s| {
                            if on {
                                s.insert(rule);
                            } else {
                                s.remove(&rule);
                            }
                        });
                    }
                />
                <label for=id>{move || i18n.t().alerts.rule(rule)}</label>
            </div>
        }
    };
    let secret_state = move || {
        let t = &i18n.t().alerts;
        if loaded.with(|l| l.webhook_secret_set) {
            t.secret_set
        } else {
            t.secret_unset
        }
    };
    view! {
        <form class="form alerts-settings-form" on:submit=submit novalidate>
            <FormAlert error />
            <fieldset class="alerts-settings-group">
                <legend>{move || i18n.t().alerts.history_legend}</legend>
                {number("history_multiplier", |t| t.alerts.history_multiplier, |t| t.alerts.history_multiplier_hint)}
                {number("history_days", |t| t.alerts.history_days, |t| t.alerts.history_days_hint)}
                {number("history_min_rows", |t| t.alerts.history_min_rows, |t| t.alerts.history_min_rows_hint)}
            </fieldset>
            <fieldset class="alerts-settings-group">
                <legend>{move || i18n.t().alerts.daily_legend}</legend>
                {number("daily_row_limit", |t| t.alerts.daily_row_limit, |t| t.alerts.daily_row_limit_hint)}
            </fieldset>
            <fieldset class="alerts-settings-group">
                <legend>{move || i18n.t().alerts.hours_legend}</legend>
                {number("work_start_hour", |t| t.alerts.work_start_hour, |t| t.alerts.work_start_hour_hint)}
                {number("work_end_hour", |t| t.alerts.work_end_hour, |t| t.alerts.work_end_hour_hint)}
                {input(OFFSET_FIELD, "text", inputs.utc_offset, |t| t.alerts.utc_offset, |t| t.alerts.utc_offset_hint, settings_issue)}
                <div class="checkbox-field">
                    <input
                        id="alert-settings-weekends-off"
                        type="checkbox"
                        bind:checked=inputs.weekends_off
                        data-testid="alert-settings-weekends-off"
                    />
                    <label for="alert-settings-weekends-off">{move || i18n.t().alerts.weekends_off}</label>
                </div>
            </fieldset>
            <fieldset class="alerts-settings-group">
                <legend>{move || i18n.t().alerts.bursts_legend}</legend>
                {number("reveal_burst", |t| t.alerts.reveal_burst, |t| t.alerts.reveal_burst_hint)}
                {number("view_burst", |t| t.alerts.view_burst, |t| t.alerts.view_burst_hint)}
                {number("burst_minutes", |t| t.alerts.burst_minutes, |t| t.alerts.burst_minutes_hint)}
            </fieldset>
            <fieldset class="checkbox-group alerts-settings-group" aria-describedby="alert-settings-suspend-hint">
                <legend>{move || i18n.t().alerts.suspend_legend}</legend>
                <p id="alert-settings-suspend-hint" class="field-hint">{move || i18n.t().alerts.suspend_hint}</p>
                {AlertRule::ALL.into_iter().map(rule_box).collect::<Vec<_>>()}
                <FieldIssues id="alert-settings-suspend_on-issues".to_owned() field="suspend_on" error text=settings_issue />
            </fieldset>
            <fieldset class="alerts-settings-group">
                <legend>{move || i18n.t().alerts.delivery_legend}</legend>
                {input("webhook_url", "url", inputs.webhook_url, |t| t.alerts.webhook_url, |t| t.alerts.webhook_url_hint, url_issue)}
                <div class="field" class:field-invalid=invalid("webhook_secret")>
                    <label for="alert-settings-webhook_secret">{move || i18n.t().alerts.webhook_secret}</label>
                    <p id="alert-settings-webhook_secret-hint" class="field-hint">
                        <span data-testid="alert-settings-secret-state" data-set=move || loaded.with(|l| l.webhook_secret_set).to_string()>
                            {secret_state}
                        </span>
                        " "
                        {move || i18n.t().alerts.webhook_secret_hint}
                    </p>
                    <input
                        id="alert-settings-webhook_secret"
                        name="webhook_secret"
                        type="password"
                        autocomplete="new-password"
                        aria-invalid=move || invalid("webhook_secret")().to_string()
                        aria-describedby="alert-settings-webhook_secret-hint alert-settings-webhook_secret-issues"
                        bind:value=inputs.webhook_secret
                        data-testid="alert-settings-webhook_secret"
                    />
                    <FieldIssues id="alert-settings-webhook_secret-issues".to_owned() field="webhook_secret" error text=secret_issue />
                </div>
                <div class="field" class:field-invalid=invalid("email_to")>
                    <label for="alert-settings-email_to">{move || i18n.t().alerts.email_to}</label>
                    <p id="alert-settings-email_to-hint" class="field-hint">{move || i18n.t().alerts.email_to_hint}</p>
                    <Show when=move || !loaded.with(|l| l.email_available)>
                        <p class="alerts-no-smtp" role="note" data-testid="alert-settings-no-smtp">
                            <span aria-hidden="true">"⚠ "</span>
                            {move || i18n.t().alerts.no_smtp}
                        </p>
                    </Show>
                    <textarea
                        id="alert-settings-email_to"
                        name="email_to"
                        rows="3"
                        spellcheck="false"
                        autocomplete="off"
                        aria-invalid=move || invalid("email_to")().to_string()
                        aria-describedby="alert-settings-email_to-hint alert-settings-email_to-issues"
                        bind:value=inputs.email_to
                        data-testid="alert-settings-email_to"
                    ></textarea>
                    <FieldIssues id="alert-settings-email_to-issues".to_owned() field="email_to" error text=email_issue />
                </div>
            </fieldset>
            <SaveActions pending saved words=|t| (t.alerts.save, t.alerts.saving, t.alerts.saved) test_id="alert-settings" />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::i18n::{EN, ZH_CN};

    #[test]
    fn issues_of_the_settings_are_worded() {
        let issue = |code: &str, params: &[(&str, &str)]| FieldIssue {
            code: code.to_owned(),
            params: params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            message: "from the server".to_owned(),
        };
        assert_eq!(
            settings_issue(&EN, &issue(OUT_OF_RANGE, &[("min", "0"), ("max", "23")])),
            "Enter a value between 0 and 23."
        );
        assert_eq!(
            settings_issue(&ZH_CN, &issue(OUT_OF_RANGE, &[])),
            "该值超出允许范围。"
        );
        assert_eq!(
            settings_issue(&EN, &issue("too_short", &[])),
            "Use at least 16 characters."
        );
        assert_eq!(
            settings_issue(&ZH_CN, &issue(BAD_OFFSET, &[])),
            "请按 +08:00 的格式填写时差。"
        );
        assert_eq!(
            settings_issue(&EN, &issue("surprise", &[])),
            "from the server"
        );
        assert_eq!(
            url_issue(&ZH_CN, &issue("invalid", &[])),
            ZH_CN.alerts.issue_url
        );
        assert_eq!(
            secret_issue(&EN, &issue("required", &[])),
            EN.alerts.issue_secret_required
        );
        assert_eq!(
            email_issue(&EN, &issue("invalid", &[("address", "dpo@")])),
            "Not an e-mail address: dpo@"
        );
        assert_eq!(
            email_issue(&ZH_CN, &issue("invalid", &[])),
            ZH_CN.alerts.issue_email
        );
    }
}
