//! The form that creates an account and shows its one-time password once.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::auth::Role;
use shared::api::users::CreateUserRequest;
use shared::ids::TeamId;

use super::UsersState;
use crate::components::api_call::ApiCall;
use crate::components::form::{local_validation, FormAlert, SubmitButton, TextField};
use crate::i18n::{use_i18n, Texts};

/// Every role, in the order the pickers list them.
pub const ROLES: [Role; 5] = [
    Role::Staff,
    Role::Manager,
    Role::Auditor,
    Role::PrivacyOfficer,
    Role::Admin,
];

/// A `<select>` of roles bound to `value` (a role's name).
#[component]
pub fn RoleSelect(id: &'static str, value: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=id>{move || i18n.t().role}</label>
            <select id=id bind:value=value data-testid=id>
                {ROLES
                    .into_iter()
                    .map(|r| view! { <option value=r.as_str()>{move || i18n.t().role(r)}</option> })
                    .collect_view()}
            </select>
        </div>
    }
}

/// A `<select>` of teams (or none) bound to `value` (a team id, empty for none).
#[component]
pub fn TeamSelect(id: &'static str, value: RwSignal<String>, state: UsersState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=id>{move || i18n.t().console.team}</label>
            <select id=id bind:value=value>
                <option value="">{move || i18n.t().console.no_team}</option>
                {move || {
                    state
                        .teams()
                        .into_iter()
                        .map(|t| view! { <option value=t.id.to_string()>{t.name}</option> })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// The hint under the user name.
fn username_hint(t: &Texts) -> String {
    t.console.username_hint.to_owned()
}

/// Creates an account.
#[component]
pub fn CreateUserForm(state: UsersState) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Staff.as_str().to_owned());
    let team = RwSignal::new(String::new());
    let create =
        ApiCall::new(|api, req: CreateUserRequest| async move { api.create_user(&req).await })
            .on_ok(move |issued| {
                username.set(String::new());
                display_name.set(String::new());
                state.issued.set(Some(issued.clone()));
                state.reload();
            });
    let error = create.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let req = CreateUserRequest {
            username: username.get_untracked().trim().to_owned(),
            display_name: display_name.get_untracked().trim().to_owned(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::Staff),
            team_id: TeamId::parse(&team.get_untracked()).ok(),
        };
        let mut problems = Vec::new();
        // Other problems come back from the server, in the user's language.
        if req.username.is_empty() {
            problems.push(("username", "required"));
        }
        if req.display_name.is_empty() {
            problems.push(("display_name", "required"));
        }
        match local_validation(&problems) {
            Some(invalid) => create.fail(Some(invalid)),
            None => create.dispatch(req),
        }
    };
    let i18n = use_i18n();
    view! {
        <form class="card form" on:submit=submit novalidate data-testid="create-user-form">
            <h2 class="small-heading">{move || i18n.t().console.create_user}</h2>
            <FormAlert error />
            <TextField
                id="new-username"
                field="username"
                label=|t| t.username
                autocomplete="off"
                value=username
                error
                hint=username_hint
                testid="new-username"
            />
            <TextField
                id="new-display-name"
                field="display_name"
                label=|t| t.display_name
                autocomplete="off"
                value=display_name
                error
                testid="new-display-name"
            />
            <RoleSelect id="new-role" value=role />
            <TeamSelect id="new-team" value=team state />
            <SubmitButton
                label=|t| t.console.create_user
                pending_label=|t| t.console.creating_user
                pending=create.pending()
                testid="create-user-submit"
            />
        </form>
    }
}
