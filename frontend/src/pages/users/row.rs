//! One account in the list: its facts, and editing, disabling and resetting it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::auth::Role;
use shared::api::users::{IssuedPassword, UpdateUserRequest, UserSummary};
use shared::ids::TeamId;

use super::create::{RoleSelect, TeamSelect};
use super::UsersState;
use crate::components::api_call::ApiCall;
use crate::components::form::{local_validation, FormAlert, SubmitButton, TextField};
use crate::i18n::use_i18n;

/// What the buttons of a row change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AccountChange {
    /// Disables (true) or enables (false) the account.
    Disable(bool),
    /// Issues a new one-time password.
    ResetPassword,
}

/// A row of the users table, and under it the edit form while editing.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
pub fn UserRow(user: UserSummary, state: UsersState) -> impl IntoView {
    let i18n = use_i18n();
    let editing = RwSignal::new(false);
    let id = StoredValue::new(user.id);
    let disabled = user.disabled;
    // Some address waits after repeated wrong passwords (the account is not locked).
    let delayed = user
        .locked_until_ms
        .is_some_and(|until| until > js_sys::Date::now() as i64);
    let must_change = user.must_change_password;
    let totp = user.totp_enabled;
    let role = user.role;
    // Errors show above the table, where the page shows them.
    let change = ApiCall::with_error(state.error, move |api, change: AccountChange| {
        let id = id.get_value();
        async move {
            match change {
                AccountChange::ResetPassword => api.reset_password(&id).await.map(Some),
                AccountChange::Disable(disabled) => {
                    api.set_user_disabled(&id, disabled).await.map(|_| None)
                }
            }
        }
    })
    .on_ok(move |issued: &Option<IssuedPassword>| {
        if let Some(issued) = issued {
            state.issued.set(Some(issued.clone()));
        }
        state.reload();
    });
    let busy = change.pending();
    let act = move |action: AccountChange| {
        if action == AccountChange::ResetPassword {
            let confirmed = web_sys::window()
                .and_then(|w| w.confirm_with_message(i18n.t().console.reset_confirm).ok())
                .unwrap_or(false);
            if !confirmed {
                return;
            }
        }
        change.dispatch(action);
    };
    let status = move || {
        let t = &i18n.t().console;
        let mut words = vec![if disabled { t.disabled } else { t.active }];
        if delayed {
            words.push(t.sign_ins_delayed);
        }
        if must_change {
            words.push(t.must_change);
        }
        words.join(" · ")
    };
    let user_for_edit = StoredValue::new(user.clone());
    view! {
        <tr data-testid="user-row" data-username=user.username>
            <td>
                <strong>{user.display_name.clone()}</strong>
                <br />
                <code>{user.username.clone()}</code>
            </td>
            <td>{move || i18n.t().role(role)}</td>
            <td>
                {match user.team.clone() {
                    Some(team) => view! { <span>{team.name}</span> }.into_any(),
                    None => view! { <span>{move || i18n.t().console.none}</span> }.into_any(),
                }}
            </td>
            <td>
                <span class:state-disabled=disabled>
                    <span aria-hidden="true">{if disabled { "⊘ " } else { "● " }}</span>
                    {status}
                </span>
            </td>
            <td>
                {move || {
                    let t = &i18n.t().console;
                    if totp { t.two_step_on } else { t.two_step_off }
                }}
            </td>
            <td>
                <div class="row-actions">
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        aria-expanded=move || if editing.get() { "true" } else { "false" }
                        on:click=move |_| editing.update(|e| *e = !*e)
                    >
                        {move || i18n.t().console.edit}
                    </button>
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        disabled=move || busy.get()
                        on:click=move |_| act(AccountChange::Disable(!disabled))
                    >
                        {move || {
                            let t = &i18n.t().console;
                            if disabled { t.enable } else { t.disable }
                        }}
                    </button>
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        disabled=move || busy.get()
                        on:click=move |_| act(AccountChange::ResetPassword)
                    >
                        {move || i18n.t().console.reset_password}
                    </button>
                </div>
            </td>
        </tr>
        <Show when=move || editing.get()>
            <tr class="edit-row">
                <td colspan="6">
                    <EditUser user=user_for_edit.get_value() state editing />
                </td>
            </tr>
        </Show>
    }
}

/// Changes an account's display name, role and team.
#[component]
fn EditUser(user: UserSummary, state: UsersState, editing: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(user.id);
    let display_name = RwSignal::new(user.display_name.clone());
    let role = RwSignal::new(user.role.as_str().to_owned());
    let team = RwSignal::new(user.team.map(|t| t.id.to_string()).unwrap_or_default());
    let save = ApiCall::new(move |api, req: UpdateUserRequest| {
        let id = id.get_value();
        async move { api.update_user(&id, &req).await }
    })
    .on_ok(move |_| {
        editing.set(false);
        state.reload();
    });
    let error = save.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let req = UpdateUserRequest {
            display_name: display_name.get_untracked().trim().to_owned(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::Staff),
            team_id: TeamId::parse(&team.get_untracked()).ok(),
        };
        if req.display_name.is_empty() {
            save.fail(local_validation(&[("display_name", "required")]));
        } else {
            save.dispatch(req);
        }
    };
    view! {
        <form class="form edit-user" on:submit=submit novalidate>
            <h3 class="small-heading">{move || i18n.t().console.edit_user}</h3>
            <FormAlert error />
            <TextField
                id="edit-display-name"
                field="display_name"
                label=|t| t.display_name
                autocomplete="off"
                value=display_name
                error
            />
            <RoleSelect id="edit-role" value=role />
            <TeamSelect id="edit-team" value=team state />
            <div class="row-actions">
                <SubmitButton
                    label=|t| t.console.save
                    pending_label=|t| t.console.saving
                    pending=save.pending()
                />
                <button
                    type="button"
                    class="button button-secondary"
                    on:click=move |_| editing.set(false)
                >
                    {move || i18n.t().console.cancel}
                </button>
            </div>
        </form>
    }
}
