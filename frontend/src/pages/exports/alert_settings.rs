//! "Alert rules and delivery" (admins): the limits of each alert rule (0 turns a rule
//! off), working hours and their time zone, the rules that also suspend a person's
//! export permission, and where alerts go: a signed webhook (its secret is write-only:
//! sent only when a new one is typed) and e-mail recipients (sent only when the server
//! has SMTP settings). The server's issues show at their fields.

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

/// Issue codes of the checks made before sending.
const OUT_OF_RANGE: &str = "out_of_range";
const BAD_OFFSET: &str = "bad_offset";

/// The API's name of the time zone's field.
const OFFSET_FIELD: &str = "utc_offset_minutes";

/// The largest offset from UTC, in minutes (UTC+14:00).
const MAX_OFFSET_MINUTES: u32 = 14 * 60;

/// The number fields, by their API names, in the order of the form.
const NUMBERS: [&str; 9] = [
    "history_multiplier",
    "history_days",
    "history_min_rows",
    "daily_row_limit",
    "work_start_hour",
    "work_end_hour",
    "reveal_burst",
    "view_burst",
    "burst_minutes",
];

/// An offset from UTC in minutes as people write it: `+08:00`, `-05:30`, `+00:00`.
#[must_use]
pub(crate) fn format_utc_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let abs = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
}

/// An offset from UTC as typed (`+8`, `+08:00`, `-5:30`, `UTC+8`, a full-width colon),
/// in minutes; `None` when it is not one.
#[must_use]
pub(crate) fn parse_utc_offset(text: &str) -> Option<i32> {
    let text = text.trim();
    let upper = text.to_ascii_uppercase();
    let text = if upper.starts_with("UTC") || upper.starts_with("GMT") {
        text.get(3..)?.trim_start()
    } else {
        text
    };
    if text.is_empty() {
        return Some(0);
    }
    let (negative, rest) = match text.chars().next()? {
        '+' | '＋' => (false, &text[text.chars().next()?.len_utf8()..]),
        '-' | '−' | '－' => (true, &text[text.chars().next()?.len_utf8()..]),
        _ => (false, text),
    };
    let (hours, minutes) = match rest.split_once([':', '：']) {
        Some((h, m)) => (h, m),
        None => (rest, "0"),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(hours) || !digits(minutes) {
        return None;
    }
    let hours: u32 = hours.parse().ok()?;
    let minutes: u32 = minutes.parse().ok()?;
    let total = hours * 60 + minutes;
    if minutes >= 60 || total > MAX_OFFSET_MINUTES {
        return None;
    }
    let total = i32::try_from(total).ok()?;
    Some(if negative { -total } else { total })
}

/// E-mail addresses as typed: one per line (commas and semicolons separate too).
#[must_use]
pub(crate) fn parse_recipients(text: &str) -> Vec<String> {
    text.split(['\n', ',', ';', '，', '；'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The settings as the form holds them: numbers and text as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AlertDraft {
    /// By the API's field name (`NUMBERS`).
    numbers: Vec<(&'static str, String)>,
    utc_offset: String,
    weekends_off: bool,
    suspend_on: BTreeSet<AlertRule>,
    webhook_url: String,
    /// A new secret, or empty to keep the one set.
    webhook_secret: String,
    email_to: String,
}

impl AlertDraft {
    fn of(s: &AlertSettings) -> Self {
        let number = |field: &str| -> String {
            match field {
                "history_multiplier" => s.history_multiplier.to_string(),
                "history_days" => s.history_days.to_string(),
                "history_min_rows" => s.history_min_rows.to_string(),
                "daily_row_limit" => s.daily_row_limit.to_string(),
                "work_start_hour" => s.work_start_hour.to_string(),
                "work_end_hour" => s.work_end_hour.to_string(),
                "reveal_burst" => s.reveal_burst.to_string(),
                "view_burst" => s.view_burst.to_string(),
                "burst_minutes" => s.burst_minutes.to_string(),
                _ => String::new(),
            }
        };
        Self {
            numbers: NUMBERS.iter().map(|f| (*f, number(f))).collect(),
            utc_offset: format_utc_offset(s.utc_offset_minutes),
            weekends_off: s.weekends_off,
            suspend_on: s.suspend_on.iter().copied().collect(),
            webhook_url: s.webhook_url.clone().unwrap_or_default(),
            webhook_secret: String::new(),
            email_to: s.email_to.join("\n"),
        }
    }

    /// The number typed in `field`, or its problem pushed onto `problems`.
    fn number<T: TryFrom<u64>>(
        &self,
        field: &'static str,
        problems: &mut Vec<(&'static str, &'static str)>,
    ) -> Option<T> {
        let typed = self
            .numbers
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.trim().parse::<u64>());
        match typed {
            Some(Ok(n)) => {
                let fits = T::try_from(n).ok();
                if fits.is_none() {
                    problems.push((field, OUT_OF_RANGE));
                }
                fits
            }
            _ => {
                problems.push((field, NOT_A_NUMBER));
                None
            }
        }
    }

    /// The settings to send, or the problems under their fields. `loaded` gives the
    /// read-only parts; the server checks ranges, the address and the recipients.
    fn settings(
        &self,
        loaded: &AlertSettings,
    ) -> Result<AlertSettings, Vec<(&'static str, &'static str)>> {
        let mut problems = Vec::new();
        let history_multiplier = self.number("history_multiplier", &mut problems);
        let history_days = self.number("history_days", &mut problems);
        let history_min_rows = self.number("history_min_rows", &mut problems);
        let daily_row_limit = self.number("daily_row_limit", &mut problems);
        let work_start_hour = self.number("work_start_hour", &mut problems);
        let work_end_hour = self.number("work_end_hour", &mut problems);
        let utc_offset_minutes = parse_utc_offset(&self.utc_offset);
        if utc_offset_minutes.is_none() {
            problems.push((OFFSET_FIELD, BAD_OFFSET));
        }
        let reveal_burst = self.number("reveal_burst", &mut problems);
        let view_burst = self.number("view_burst", &mut problems);
        let burst_minutes = self.number("burst_minutes", &mut problems);
        let (
            Some(history_multiplier),
            Some(history_days),
            Some(history_min_rows),
            Some(daily_row_limit),
            Some(work_start_hour),
            Some(work_end_hour),
            Some(utc_offset_minutes),
            Some(reveal_burst),
            Some(view_burst),
            Some(burst_minutes),
        ) = (
            history_multiplier,
            history_days,
            history_min_rows,
            daily_row_limit,
            work_start_hour,
            work_end_hour,
            utc_offset_minutes,
            reveal_burst,
            view_burst,
            burst_minutes,
        )
        else {
            return Err(problems);
        };
        let url = self.webhook_url.trim();
        Ok(AlertSettings {
            history_multiplier,
            history_days,
            history_min_rows,
            daily_row_limit,
            work_start_hour,
            work_end_hour,
            utc_offset_minutes,
            weekends_off: self.weekends_off,
            reveal_burst,
            view_burst,
            burst_minutes,
            suspend_on: self.suspend_on.iter().copied().collect(),
            webhook_url: (!url.is_empty()).then(|| url.to_owned()),
            webhook_secret: (!self.webhook_secret.trim().is_empty())
                .then(|| self.webhook_secret.clone()),
            webhook_secret_set: loaded.webhook_secret_set,
            email_to: parse_recipients(&self.email_to),
            email_available: loaded.email_available,
        })
    }
}

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
    fn offsets_are_read_as_people_write_them() {
        assert_eq!(parse_utc_offset("+08:00"), Some(480));
        assert_eq!(parse_utc_offset("8"), Some(480));
        assert_eq!(parse_utc_offset("UTC+8"), Some(480));
        assert_eq!(parse_utc_offset("utc -5:30"), Some(-330));
        assert_eq!(parse_utc_offset("＋08：00"), Some(480));
        assert_eq!(parse_utc_offset("−03:00"), Some(-180));
        assert_eq!(parse_utc_offset("UTC"), Some(0));
        assert_eq!(parse_utc_offset("+14:00"), Some(840));
        for bad in ["+15", "+08:60", "eight", "+8:5:0", "+123", "+08:", "GMT+"] {
            assert_eq!(parse_utc_offset(bad), None, "{bad}");
        }
    }

    #[test]
    fn offsets_are_written_with_sign_hours_and_minutes() {
        assert_eq!(format_utc_offset(480), "+08:00");
        assert_eq!(format_utc_offset(-330), "-05:30");
        assert_eq!(format_utc_offset(0), "+00:00");
        for minutes in [-720, -330, 0, 345, 480, 840] {
            assert_eq!(parse_utc_offset(&format_utc_offset(minutes)), Some(minutes));
        }
    }

    #[test]
    fn recipients_are_one_per_line() {
        assert_eq!(
            parse_recipients(" dpo@example.cn \n\nsec@example.cn, it@example.cn；\n"),
            ["dpo@example.cn", "sec@example.cn", "it@example.cn"]
        );
        assert!(parse_recipients("  \n").is_empty());
    }

    #[test]
    fn the_draft_of_the_defaults_sends_them_back() {
        let defaults = AlertSettings::default();
        let draft = AlertDraft::of(&defaults);
        assert_eq!(draft.utc_offset, "+08:00");
        assert_eq!(draft.settings(&defaults), Ok(defaults));
    }

    #[test]
    fn the_secret_is_sent_only_when_typed_and_read_only_parts_are_kept() {
        let loaded = AlertSettings {
            webhook_url: Some("https://hooks.example.cn/a".to_owned()),
            webhook_secret_set: true,
            email_available: true,
            ..AlertSettings::default()
        };
        let mut draft = AlertDraft::of(&loaded);
        assert_eq!(draft.webhook_secret, "");
        let sent = draft.settings(&loaded);
        assert_eq!(sent.as_ref().map(|s| s.webhook_secret.clone()), Ok(None));
        assert_eq!(sent.map(|s| s.webhook_secret_set), Ok(true));
        draft.webhook_secret = "a new secret of 24 chars".to_owned();
        draft.webhook_url = "  ".to_owned();
        draft.email_to = "dpo@example.cn\n".to_owned();
        draft.suspend_on = BTreeSet::from([AlertRule::RevealBurst]);
        draft.weekends_off = true;
        let sent = draft.settings(&loaded).expect("valid");
        assert_eq!(
            sent.webhook_secret.as_deref(),
            Some("a new secret of 24 chars")
        );
        assert_eq!(sent.webhook_url, None);
        assert_eq!(sent.email_to, ["dpo@example.cn"]);
        assert_eq!(sent.suspend_on, [AlertRule::RevealBurst]);
        assert!(sent.weekends_off);
    }

    #[test]
    fn problems_are_named_at_their_fields() {
        let loaded = AlertSettings::default();
        let mut draft = AlertDraft::of(&loaded);
        let set = |draft: &mut AlertDraft, field: &str, value: &str| {
            if let Some((_, v)) = draft.numbers.iter_mut().find(|(f, _)| *f == field) {
                *v = value.to_owned();
            }
        };
        set(&mut draft, "history_days", "thirty");
        set(&mut draft, "work_start_hour", "300");
        set(&mut draft, "daily_row_limit", "-1");
        draft.utc_offset = "Beijing".to_owned();
        assert_eq!(
            draft.settings(&loaded),
            Err(vec![
                ("history_days", NOT_A_NUMBER),
                ("daily_row_limit", NOT_A_NUMBER),
                ("work_start_hour", OUT_OF_RANGE),
                (OFFSET_FIELD, BAD_OFFSET),
            ])
        );
        // 0 turns a rule off: it is a number like any other.
        set(&mut draft, "history_days", "0");
        set(&mut draft, "work_start_hour", "0");
        set(&mut draft, "daily_row_limit", "0");
        draft.utc_offset = "+8".to_owned();
        assert_eq!(
            draft
                .settings(&loaded)
                .map(|s| (s.daily_row_limit, s.work_start_hour)),
            Ok((0, 0))
        );
    }

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
