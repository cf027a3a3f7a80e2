//! The dialog that gives a record to a user: admins pick from the accounts, managers
//! paste the user ID of a member of their team.

use leptos::ev::SubmitEvent;
use leptos::html::Dialog;
use leptos::prelude::*;
use shared::api::auth::Role;
use shared::api::users::AssignRecordRequest;
use shared::ids::UserId;

use super::RecordsState;
use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{close_dialog, open_dialog, ErrorAlert};
use crate::components::form::{local_validation, FormAlert};
use crate::i18n::use_i18n;
use crate::session::use_session;

/// Assigns the record in `state.assign_target`.
#[component]
pub fn AssignDialog(state: RecordsState) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let dialog = NodeRef::<Dialog>::new();
    let owner = RwSignal::new(String::new());
    let done = RwSignal::new(false);
    // Read once (see `value.rs`).
    let is_admin_now = untrack(|| session.info().is_some_and(|i| i.user.role == Role::Admin));
    let is_admin = move || is_admin_now;
    // Admins pick from the enabled accounts, loaded each time the dialog opens.
    let users = api_resource(move |api| {
        let wanted = state.assign_target.with(Option::is_some) && is_admin();
        async move {
            if !wanted {
                return Ok(Vec::new());
            }
            let list = api.users().await?;
            Ok(list.into_iter().filter(|u| !u.disabled).collect::<Vec<_>>())
        }
    });
    let assign = ApiCall::new(
        |api, (record_id, req): (String, AssignRecordRequest)| async move {
            api.assign_record(&record_id, &req).await
        },
    )
    .on_ok(move |_| {
        done.set(true);
        close_dialog(dialog);
        state.assign_target.set(None);
        state.reload();
    });
    let pending = assign.pending();
    let error = assign.error();
    Effect::new(move |_| {
        if state.assign_target.with(Option::is_some) {
            owner.set(String::new());
            error.set(None);
            done.set(false);
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
        // The owner comes from the list of accounts; nothing picked is nothing to send.
        match UserId::parse(owner.get_untracked().trim()) {
            Ok(owner_id) => assign.dispatch((record_id, AssignRecordRequest { owner_id })),
            Err(_) => assign.fail(local_validation(&[("owner_id", "required")])),
        }
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
                            .and_then(Result::ok)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|u| {
                                let label = format!("{} ({})", u.display_name, u.username);
                                view! { <option value=u.id.to_string()>{label}</option> }
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
                {move || {
                    users.get().and_then(Result::err).map(|e| view! { <ErrorAlert code=e.code /> })
                }}
                <div class="field">
                    <label for="assign-owner">{move || i18n.t().console.assign_owner}</label>
                    {picker}
                    <ul id="assign-owner-issues" class="field-issues" aria-live="polite">
                        {move || issues().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                    </ul>
                </div>
                <div class="row-actions">
                    <button type="submit" class="button button-primary" disabled=move || pending.get()>
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
