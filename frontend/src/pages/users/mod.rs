//! `/users`: accounts (role, team, state, two-step sign-in), creating them, editing,
//! disabling and resetting passwords, and teams. A new account or a reset gets a
//! one-time password that is shown here once and never again.

mod create;
mod row;
mod teams;

use leptos::prelude::*;
use shared::access::Permission;
use shared::api::error::ApiError;
use shared::api::users::{IssuedPassword, TeamSummary, UserSummary};

use crate::components::api_call::api_resource;
use crate::components::console_ui::{CopyButton, ErrorAlert, LoadError, Loading, RolesOnly};
use crate::i18n::{fill, set_page_title, use_i18n};
use create::CreateUserForm;
use row::UserRow;
use teams::TeamsCard;

/// The accounts and the teams, loaded together.
#[derive(Debug, Clone)]
pub(crate) struct Directory {
    pub users: Vec<UserSummary>,
    pub teams: Vec<TeamSummary>,
}

/// What the page's parts share.
#[derive(Clone, Copy)]
pub(crate) struct UsersState {
    /// The accounts and teams, loaded again after each change.
    pub directory: LocalResource<Result<Directory, ApiError>>,
    /// The one-time password just issued, shown once.
    pub issued: RwSignal<Option<IssuedPassword>>,
    /// The error of the last action on a row of the table.
    pub error: RwSignal<Option<ApiError>>,
}

impl UsersState {
    /// Loads the accounts and teams again.
    pub fn reload(self) {
        self.directory.refetch();
    }

    /// The teams, none until they are loaded (tracked).
    pub fn teams(self) -> Vec<TeamSummary> {
        self.directory
            .with(|d| {
                d.as_ref()
                    .and_then(|d| d.as_ref().ok())
                    .map(|d| d.teams.clone())
            })
            .unwrap_or_default()
    }
}

/// The users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ManageUsers>
            <Users />
        </RolesOnly>
    }
}

#[component]
fn Users() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_page_title(i18n.t().console.users_title));
    let state = UsersState {
        directory: api_resource(|api| async move {
            Ok(Directory {
                users: api.users().await?,
                teams: api.teams().await?,
            })
        }),
        issued: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    let rows = move || {
        state.directory.get().map(|loaded| match loaded {
            Ok(Directory { users, .. }) if users.is_empty() => {
                view! { <p class="muted">{move || i18n.t().console.no_users}</p> }.into_any()
            }
            Ok(Directory { users, .. }) => view! {
                <div class="table-wrap">
                    <table class="table users-table" data-testid="users-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || i18n.t().username}</th>
                                <th scope="col">{move || i18n.t().role}</th>
                                <th scope="col">{move || i18n.t().console.team}</th>
                                <th scope="col">{move || i18n.t().console.status}</th>
                                <th scope="col">{move || i18n.t().console.two_step}</th>
                                <th scope="col">{move || i18n.t().console.col_actions}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {users
                                .into_iter()
                                .map(|user| view! { <UserRow user state /> })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any(),
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section class="console-page">
            <h1>{move || i18n.t().console.users_title}</h1>
            <p class="muted">{move || i18n.t().console.users_intro}</p>
            <IssuedNotice state />
            <BackoffNotice state />
            <LoadError error=state.error />
            <Transition fallback=|| view! { <Loading /> }>{rows}</Transition>
            <div class="console-tools">
                <CreateUserForm state />
                <TeamsCard state />
            </div>
        </section>
    }
}

/// The one-time password just issued, with a copy button and the "shown once" note.
#[component]
fn IssuedNotice(state: UsersState) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        state.issued.get().map(|issued| {
            let user = issued.user.username.clone();
            let password = issued.one_time_password;
            view! {
                <div class="alert alert-warning otp-notice" role="alert" data-testid="otp-notice">
                    <p class="alert-title">{move || i18n.t().console.otp_title}</p>
                    <p>{move || fill(i18n.t().console.otp_for, &[("user", &user)])}</p>
                    <p class="otp-row">
                        <code class="otp" data-testid="one-time-password">
                            {password.clone()}
                        </code>
                        <CopyButton text=password testid="otp-copy" />
                    </p>
                    <p class="alert-detail">
                        <strong>{move || i18n.t().console.otp_once}</strong>
                    </p>
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        on:click=move |_| state.issued.set(None)
                    >
                        {move || i18n.t().console.close}
                    </button>
                </div>
            }
        })
    }
}

/// The accounts some address must wait to try again after repeated wrong passwords: a
/// sign that someone may be guessing their passwords.
#[component]
fn BackoffNotice(state: UsersState) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let now = js_sys::Date::now() as i64;
        let names: Vec<String> = state
            .directory
            .with(|d| {
                d.as_ref().and_then(|d| d.as_ref().ok()).map(|d| {
                    d.users
                        .iter()
                        .filter(|u| u.locked_until_ms.is_some_and(|until| until > now))
                        .map(|u| u.username.clone())
                        .collect()
                })
            })
            .unwrap_or_default();
        (!names.is_empty()).then(|| {
            let users = names.join(", ");
            view! {
                <div class="alert alert-warning" role="status" data-testid="backoff-notice">
                    <p class="alert-title">{move || i18n.t().console.backoff_title}</p>
                    <p>{move || fill(i18n.t().console.backoff_detail, &[("users", &users)])}</p>
                </div>
            }
        })
    }
}
