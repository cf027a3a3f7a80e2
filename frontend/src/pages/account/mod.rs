//! `/account`: the signed-in user's profile, password and two-step sign-in.
//!
//! Signed-out visitors are sent to the sign-in page, which brings them back here.

mod password;
mod totp;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use shared::api::auth::SessionInfo;

use crate::components::console_ui::{local_time, Loading};
use crate::i18n::{set_page_title, use_i18n};
use crate::session::{use_session, SessionState};
use password::ChangePasswordForm;
use totp::TotpSection;

/// The sign-in page, asked to come back here afterwards.
const SIGN_IN_AND_RETURN: &str = "/login?next=%2Faccount";

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move |_| set_page_title(i18n.t().account_title));
    // Arriving signed out: sign in first, then come back. Leaving the session from here
    // (signing out, or the session ending) is handled where it happens.
    Effect::new(move |was_signed_in: Option<bool>| {
        let state = session.state();
        let was_signed_in = was_signed_in.unwrap_or(false);
        if state == SessionState::SignedOut && !was_signed_in {
            navigate(
                SIGN_IN_AND_RETURN,
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            );
        }
        was_signed_in || matches!(state, SessionState::SignedIn(_))
    });
    view! {
        <section class="narrow">
            <h1>{move || i18n.t().account_title}</h1>
            <Show
                when=move || session.is_signed_in()
                fallback=|| view! { <Loading /> }
            >
                <MustChangeNotice />
                <Profile />
                <ChangePasswordForm />
                <Show when=move || !session.must_change_password()>
                    <TotpSection />
                </Show>
            </Show>
        </section>
    }
}

/// Why a user with a generated password has been brought here.
#[component]
fn MustChangeNotice() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <Show when=move || session.must_change_password()>
            <div class="alert alert-warning" role="status" data-testid="must-change-password">
                <p class="alert-title">{move || i18n.t().must_change_title}</p>
                <p class="alert-detail">{move || i18n.t().must_change_explanation}</p>
            </div>
        </Show>
    }
}

/// Who is signed in.
#[component]
fn Profile() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let field = move |get: fn(&SessionInfo) -> String| {
        move || session.info().map(|info| get(&info)).unwrap_or_default()
    };
    let role = move || {
        session
            .info()
            .map(|info| i18n.t().role(info.user.role))
            .unwrap_or_default()
    };
    let expires = move || {
        session
            .info()
            .map(|info| local_time(info.expires_at_ms, i18n.locale().tag()))
            .unwrap_or_default()
    };
    view! {
        <section class="card" aria-labelledby="profile-heading">
            <h2 id="profile-heading">{move || i18n.t().account_profile}</h2>
            <dl class="facts">
                <div>
                    <dt>{move || i18n.t().username}</dt>
                    <dd data-testid="account-username">{field(|i| i.user.username.clone())}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t().display_name}</dt>
                    <dd data-testid="account-display-name">
                        {field(|i| i.user.display_name.clone())}
                    </dd>
                </div>
                <div>
                    <dt>{move || i18n.t().role}</dt>
                    <dd data-testid="account-role">{role}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t().session_expires}</dt>
                    <dd>{expires}</dd>
                </div>
            </dl>
        </section>
    }
}
