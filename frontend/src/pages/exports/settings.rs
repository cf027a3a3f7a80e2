//! "Export settings" (admins): which roles may export (admins always may), above how
//! many rows an unmasked export needs a second person's approval, and how many hours a
//! file may be downloaded.

use std::collections::BTreeSet;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::auth::Role;
use shared::api::exports::ExportSettings;

use super::{issue_text, NOT_A_NUMBER};
use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{ErrorAlert, Loading};
use crate::components::form::{local_validation, FieldIssues, FormAlert, SaveActions};
use crate::i18n::use_i18n;

/// The roles an admin chooses from: every role but admins, who always may.
fn choosable() -> impl Iterator<Item = Role> {
    Role::ALL.into_iter().filter(|r| *r != Role::Admin)
}

/// The settings as the form holds them: the roles ticked, and the two numbers as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SettingsDraft {
    roles: BTreeSet<&'static str>,
    threshold: String,
    hours: String,
}

impl SettingsDraft {
    fn of(settings: &ExportSettings) -> Self {
        Self {
            roles: settings.roles.iter().map(|r| r.as_str()).collect(),
            threshold: settings.approval_above_rows.to_string(),
            hours: settings.valid_hours.to_string(),
        }
    }

    /// The settings to send, or the problems under their fields. The server checks the
    /// hours' range (`valid_hours`, `out_of_range`).
    fn settings(&self) -> Result<ExportSettings, Vec<(&'static str, &'static str)>> {
        let threshold = self.threshold.trim().parse::<u64>();
        let hours = self.hours.trim().parse::<u32>();
        let mut problems = Vec::new();
        if threshold.is_err() {
            problems.push(("approval_above_rows", NOT_A_NUMBER));
        }
        if hours.is_err() {
            problems.push(("valid_hours", NOT_A_NUMBER));
        }
        match (threshold, hours) {
            (Ok(approval_above_rows), Ok(valid_hours)) => Ok(ExportSettings {
                roles: std::iter::once(Role::Admin)
                    .chain(choosable().filter(|r| self.roles.contains(r.as_str())))
                    .collect(),
                approval_above_rows,
                valid_hours,
            }),
            _ => Err(problems),
        }
    }
}

/// The settings card: loads the settings, then shows the form.
#[component]
pub(super) fn ExportSettingsCard() -> impl IntoView {
    let i18n = use_i18n();
    let loaded = api_resource(|api| async move { api.export_settings().await });
    let form = move || {
        loaded.get().map(|loaded| match loaded {
            Ok(settings) => view! { <SettingsForm settings /> }.into_any(),
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section
            class="card exports-section exports-settings"
            aria-labelledby="exports-settings-heading"
            data-testid="export-settings"
        >
            <h2 id="exports-settings-heading">{move || i18n.t().exports.settings_heading}</h2>
            <p class="muted">{move || i18n.t().exports.settings_intro}</p>
            <Suspense fallback=|| view! { <Loading /> }>{form}</Suspense>
        </section>
    }
}

#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn SettingsForm(settings: ExportSettings) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(SettingsDraft::of(&settings));
    let threshold = RwSignal::new(draft.with_untracked(|d| d.threshold.clone()));
    let hours = RwSignal::new(draft.with_untracked(|d| d.hours.clone()));
    let saved = RwSignal::new(false);
    let save = ApiCall::new(|api, settings: ExportSettings| async move {
        api.save_export_settings(&settings).await
    })
    .on_ok(move |s: &ExportSettings| {
        let now = SettingsDraft::of(s);
        threshold.set(now.threshold.clone());
        hours.set(now.hours.clone());
        draft.set(now);
        saved.set(true);
    });
    let pending = save.pending();
    let error = save.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        draft.update(|d| {
            d.threshold = threshold.get_untracked();
            d.hours = hours.get_untracked();
        });
        match draft.with_untracked(SettingsDraft::settings) {
            Ok(settings) => save.dispatch(settings),
            Err(problems) => save.fail(local_validation(&problems)),
        }
    };
    let role_box = move |role: Role| {
        let id = format!("export-role-{}", role.as_str());
        let name = role.as_str();
        view! {
            <div class="checkbox-field">
                <input
                    id=id.clone()
                    type="checkbox"
                    data-testid="export-settings-role"
                    data-role=name
                    prop:checked=move || draft.with(|d| d.roles.contains(name))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        saved.set(false);
                        draft.update(|d| {
                            if on {
                                d.roles.insert(name);
                            } else {
                                d.roles.remove(name);
                            }
                        });
                    }
                />
                <label for=id>{move || i18n.t().role(role)}</label>
            </div>
        }
    };
    let number = move |id: &'static str,
                       field: &'static str,
                       value: RwSignal<String>,
                       label: fn(&crate::i18n::Texts) -> &'static str,
                       hint: fn(&crate::i18n::Texts) -> &'static str| {
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
                <p id=hint_id class="field-hint">{move || hint(i18n.t())}</p>
                <input
                    id=id
                    name=id
                    type="number"
                    inputmode="numeric"
                    min="0"
                    step="1"
                    required
                    aria-invalid=move || invalid().to_string()
                    aria-describedby=described
                    bind:value=value
                    data-testid=id
                />
                <FieldIssues id=issues_id field error text=issue_text />
            </div>
        }
    };
    view! {
        <form class="form exports-settings-form" on:submit=submit novalidate>
            <FormAlert error />
            <fieldset class="checkbox-group">
                <legend>{move || i18n.t().exports.settings_roles}</legend>
                <p class="field-hint" data-testid="export-settings-admins">
                    {move || i18n.t().exports.settings_admins}
                </p>
                {choosable().map(role_box).collect_view()}
            </fieldset>
            {number(
                "export-settings-threshold",
                "approval_above_rows",
                threshold,
                |t| t.exports.settings_threshold,
                |t| t.exports.settings_threshold_hint,
            )}
            {number(
                "export-settings-hours",
                "valid_hours",
                hours,
                |t| t.exports.settings_hours,
                |t| t.exports.settings_hours_hint,
            )}
            <SaveActions pending saved words=|t| (t.exports.settings_save, t.exports.settings_saving, t.exports.settings_saved) test_id="export-settings" />
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_draft_sends_admins_and_the_roles_ticked() {
        let mut draft = SettingsDraft::of(&ExportSettings::default());
        assert_eq!(
            draft.roles,
            BTreeSet::from(["admin", "manager", "privacy_officer"])
        );
        draft.roles.remove("manager");
        draft.roles.insert("staff");
        draft.threshold = " 250 ".to_owned();
        assert_eq!(
            draft.settings(),
            Ok(ExportSettings {
                roles: vec![Role::Admin, Role::Staff, Role::PrivacyOfficer],
                approval_above_rows: 250,
                valid_hours: 24,
            })
        );
    }

    #[test]
    fn numbers_that_are_not_numbers_are_named_at_their_fields() {
        let mut draft = SettingsDraft::of(&ExportSettings::default());
        draft.threshold = "-1".to_owned();
        draft.hours = "a day".to_owned();
        assert_eq!(
            draft.settings(),
            Err(vec![
                ("approval_above_rows", NOT_A_NUMBER),
                ("valid_hours", NOT_A_NUMBER)
            ])
        );
    }
}
