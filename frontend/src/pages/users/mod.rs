//! `/users`: accounts (role, team, state, two-step sign-in), creating them, editing,
//! disabling and resetting passwords, and teams. A new account or a reset gets a
//! one-time password that is shown here once and never again.

mod create;
mod row;
mod teams;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::access::Permission;
use shared::api::error::ApiError;
use shared::api::users::{IssuedPassword, TeamSummary, UserSummary};

use crate::components::console_ui::{CopyButton, LoadError, RolesOnly};
use crate::i18n::{fill, set_page_title, use_i18n};
use crate::session::{use_session, Session};
use create::CreateUserForm;
use row::UserRow;
use teams::TeamsCard;

/// What the page's parts share.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UsersState {
    pub session: Session,
    pub users: RwSignal<Vec<UserSummary>>,
    pub teams: RwSignal<Vec<TeamSummary>>,
    /// The one-time password just issued, shown once.
    pub issued: RwSignal<Option<IssuedPassword>>,
    pub error: RwSignal<Option<ApiError>>,
}

impl UsersState {
    /// Loads the accounts and teams again.
    pub fn reload(self) {
        let session = self.session;
        let api = session.client();
        spawn_local(async move {
            let (users, teams) = (api.users().await, api.teams().await);
            match users.and_then(|u| teams.map(|t| (u, t))) {
                Ok((u, t)) => {
                    self.users.set(u);
                    self.teams.set(t);
                }
                Err(e) => {
                    session.note_error(&e);
                    self.error.set(Some(e));
                }
            }
        });
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
        session: use_session(),
        users: RwSignal::new(Vec::new()),
        teams: RwSignal::new(Vec::new()),
        issued: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    state.reload();
    let rows = move || {
        let list = state.users.get();
        if list.is_empty() {
            return view! { <p class="muted">{move || i18n.t().console.no_users}</p> }.into_any();
        }
        view! {
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
                        {list.into_iter().map(|user| view! { <UserRow user state /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="console-page">
            <h1>{move || i18n.t().console.users_title}</h1>
            <p class="muted">{move || i18n.t().console.users_intro}</p>
            <IssuedNotice state />
            <LoadError error=state.error />
            {rows}
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
