//! "Import settings" (admins): whether managers may import, and for how many days an
//! import can be undone.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::error::FieldIssue;
use shared::api::imports::{ImportSettings, MAX_UNDO_DAYS};

use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{ErrorAlert, Loading};
use crate::components::form::{local_validation, FieldIssues, FormAlert, SaveActions};
use crate::i18n::{fill, use_i18n, Texts};

/// The issue code of days out of range, the server's too.
const OUT_OF_RANGE: &str = "out_of_range";

/// The settings to send, from the box and the days as typed, or the problem under its
/// field.
pub(super) fn settings_of(
    managers_may_import: bool,
    days: &str,
) -> Result<ImportSettings, (&'static str, &'static str)> {
    match days.trim().parse::<u32>() {
        Ok(undo_days) if (1..=MAX_UNDO_DAYS).contains(&undo_days) => Ok(ImportSettings {
            managers_may_import,
            undo_days,
        }),
        _ => Err(("undo_days", OUT_OF_RANGE)),
    }
}

/// A problem with the days, in words.
fn days_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        OUT_OF_RANGE | "invalid" | "required" => {
            fill(t.imports.issue_days, &[("max", &MAX_UNDO_DAYS.to_string())])
        }
        _ => t.issue(issue),
    }
}

/// The settings card: loads the settings, then shows the form.
#[component]
pub(super) fn ImportSettingsCard() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = api_resource(|api| async move { api.import_settings().await });
    let form = move || {
        loaded.get().map(|loaded| match loaded {
            Ok(settings) => view! { <SettingsForm settings /> }.into_any(),
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section
            class="card imports-section imports-settings"
            aria-labelledby="imports-settings-heading"
            data-testid="import-settings"
        >
            <h2 id="imports-settings-heading">{move || i18n.t().imports.settings_heading}</h2>
            <p class="muted">{move || i18n.t().imports.settings_intro}</p>
            <Suspense fallback=|| view! { <Loading /> }>{form}</Suspense>
        </section>
    }
}

#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn SettingsForm(settings: ImportSettings) -> impl IntoView {
    let i18n = use_i18n();
    let managers = RwSignal::new(settings.managers_may_import);
    let days = RwSignal::new(settings.undo_days.to_string());
    let saved = RwSignal::new(false);
    let save = ApiCall::new(|api, settings: ImportSettings| async move {
        api.save_import_settings(&settings).await
    })
    .on_ok(move |s: &ImportSettings| {
        managers.set(s.managers_may_import);
        days.set(s.undo_days.to_string());
        saved.set(true);
    });
    let pending = save.pending();
    let error = save.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        match settings_of(managers.get_untracked(), &days.get_untracked()) {
            Ok(settings) => save.dispatch(settings),
            Err(problem) => save.fail(local_validation(&[problem])),
        }
    };
    let invalid = move || {
        error.with(|e| {
            e.as_ref()
                .is_some_and(|e| !e.field_issues("undo_days").is_empty())
        })
    };
    view! {
        <form class="form imports-settings-form" on:submit=submit novalidate>
            <FormAlert error />
            <div class="checkbox-field">
                <input
                    id="import-settings-managers"
                    type="checkbox"
                    aria-describedby="import-settings-managers-hint"
                    prop:checked=move || managers.get()
                    on:change=move |ev| {
                        saved.set(false);
                        managers.set(event_target_checked(&ev));
                    }
                    data-testid="import-settings-managers"
                />
                <label for="import-settings-managers">{move || i18n.t().imports.managers_may_import}</label>
                <p id="import-settings-managers-hint" class="field-hint">
                    {move || i18n.t().imports.managers_hint}
                </p>
            </div>
            <div class="field" class:field-invalid=invalid>
                <label for="import-settings-days">{move || i18n.t().imports.undo_days}</label>
                <p id="import-settings-days-hint" class="field-hint">
                    {move || fill(i18n.t().imports.undo_days_hint, &[("max", &MAX_UNDO_DAYS.to_string())])}
                </p>
                <input
                    id="import-settings-days"
                    name="undo_days"
                    type="number"
                    inputmode="numeric"
                    min="1"
                    max=MAX_UNDO_DAYS.to_string()
                    step="1"
                    required
                    aria-invalid=move || invalid().to_string()
                    aria-describedby="import-settings-days-hint import-settings-days-issues"
                    bind:value=days
                    data-testid="import-settings-days"
                />
                <FieldIssues id="import-settings-days-issues".to_owned() field="undo_days" error text=days_issue />
            </div>
            <SaveActions pending saved words=|t| (t.imports.settings_save, t.imports.settings_saving, t.imports.settings_saved) test_id="import-settings" />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};

    #[test]
    fn the_undo_window_is_one_to_the_most_days() {
        assert_eq!(
            settings_of(true, " 14 "),
            Ok(ImportSettings {
                managers_may_import: true,
                undo_days: 14,
            })
        );
        assert!(settings_of(false, &MAX_UNDO_DAYS.to_string()).is_ok());
        for bad in ["0", "-1", "a week", "", &(MAX_UNDO_DAYS + 1).to_string()] {
            assert_eq!(
                settings_of(false, bad),
                Err(("undo_days", OUT_OF_RANGE)),
                "{bad}"
            );
        }
        let issue = FieldIssue {
            code: OUT_OF_RANGE.to_owned(),
            params: std::collections::BTreeMap::new(),
            message: "from the server".to_owned(),
        };
        assert_eq!(
            days_issue(&EN, &issue),
            format!("Enter a whole number of days from 1 to {MAX_UNDO_DAYS}.")
        );
        assert_eq!(
            days_issue(&ZH_CN, &issue),
            format!("请填写 1 至 {MAX_UNDO_DAYS} 之间的整数天数。")
        );
    }
}
