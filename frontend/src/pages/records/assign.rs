//! The dialog that gives a record to a user: admins pick from the accounts, managers
//! paste the user ID of a member of their team.

use leptos::ev::SubmitEvent;
use leptos::html::Dialog;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::auth::Role;
use shared::api::error::ApiError;
use shared::api::users::{AssignRecordRequest, UserSummary};

use super::RecordsState;
use crate::components::console_ui::{close_dialog, open_dialog};
use crate::components::form::FormAlert;
use crate::i18n::use_i18n;
use crate::session::use_session;

/// Assigns the record in `state.assign_target`.
#[component]
pub fn AssignDialog(state: RecordsState) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let dialog = NodeRef::<Dialog>::new();
    let owner = RwSignal::new(String::new());
    let users = RwSignal::new(Vec::<UserSummary>::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(false);
    let is_admin = move || session.info().is_some_and(|i| i.user.role == Role::Admin);
    Effect::new(move |_| {
        if state.assign_target.with(Option::is_some) {
            owner.set(String::new());
            error.set(None);
            done.set(false);
            if is_admin() {
                let api = session.client();
                spawn_local(async move {
                    match api.users().await {
                        Ok(list) => users.set(list.into_iter().filter(|u| !u.disabled).collect()),
                        Err(e) => error.set(Some(e)),
                    }
                });
            }
            open_dialog(dialog);
        }
    });
    let cancel = move |_| {
        close_dialog(dialog);
        state.assign_target.set(None);
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(record_id) = state.assign_target.get_untracked() else {
            return;
        };
        if pending.get_untracked() {
            return;
        }
        let req = AssignRecordRequest {
            owner_id: owner.get_untracked().trim().to_owned(),
        };
        if let Some(invalid) = crate::components::form::local_validation(
            &(req.owner_id.is_empty())
                .then_some(("owner_id", "required"))
                .into_iter()
                .collect::<Vec<_>>(),
        ) {
            error.set(Some(invalid));
            return;
        }
        pending.set(true);
        error.set(None);
        let api = session.client();
        spawn_local(async move {
            let result = api.assign_record(&record_id, &req).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    done.set(true);
                    close_dialog(dialog);
                    state.assign_target.set(None);
                    state.reload.update(|n| *n += 1);
                }
                Err(e) => {
                    session.note_error(&e);
                    error.set(Some(e));
                }
            }
        });
    };
    let issues = move || {
        let t = i18n.t();
        error.with(|e| {
            e.as_ref()
                .map(|e| {
                    e.field_issues("owner_id")
                        .iter()
                        .map(|i| t.issue(i))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let picker = move || {
        if is_admin() {
            view! {
                <select id="assign-owner" bind:value=owner aria-describedby="assign-owner-issues">
                    <option value="">{move || i18n.t().console.assign_choose}</option>
                    {move || {
                        users
                            .get()
                            .into_iter()
                            .map(|u| {
                                let label = format!("{} ({})", u.display_name, u.username);
                                view! { <option value=u.id>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            }
            .into_any()
        } else {
            view! {
                <p id="assign-owner-hint" class="field-hint">
                    {move || i18n.t().console.assign_owner_id_hint}
                </p>
                <input
                    id="assign-owner"
                    type="text"
                    autocomplete="off"
                    required
                    aria-describedby="assign-owner-hint assign-owner-issues"
                    bind:value=owner
                />
            }
            .into_any()
        }
    };
    view! {
        <Show when=move || done.get()>
            <p class="alert alert-success" role="status">
                {move || i18n.t().console.assign_done}
            </p>
        </Show>
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby="assign-title"
            on:close=move |_| state.assign_target.set(None)
        >
            <form class="form" on:submit=submit novalidate>
                <h2 id="assign-title">{move || i18n.t().console.assign_title}</h2>
                <FormAlert error />
                <div class="field">
                    <label for="assign-owner">{move || i18n.t().console.assign_owner}</label>
                    {picker}
                    <ul id="assign-owner-issues" class="field-issues" aria-live="polite">
                        {move || issues().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                    </ul>
                </div>
                <div class="row-actions">
                    <button type="submit" class="button button-primary" disabled=pending>
                        {move || {
                            let t = &i18n.t().console;
                            if pending.get() { t.assign_pending } else { t.assign_submit }
                        }}
                    </button>
                    <button type="button" class="button button-secondary" on:click=cancel>
                        {move || i18n.t().console.cancel}
                    </button>
                </div>
            </form>
        </dialog>
    }
}
