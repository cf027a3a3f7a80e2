//! `/login`: the sign-in form.
//!
//! On success the page goes to `?next=` when that is a path of this app, else to the
//! account page; a user who must replace a generated password always goes there.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use shared::api::auth::LoginRequest;
use shared::api::error::{ApiError, ErrorCode};

use crate::components::form::{local_validation, FormAlert, SubmitButton, TextField};
use crate::i18n::{set_page_title, use_i18n, Texts};
use crate::session::use_session;

/// Where to go after signing in: `next` when it is a path of this app, else the account.
#[must_use]
pub fn after_sign_in(next: Option<&str>, must_change_password: bool) -> String {
    match next {
        Some(path)
            if !must_change_password
                && path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\') =>
        {
            path.to_owned()
        }
        _ => "/account".to_owned(),
    }
}

/// The sign-in page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    Effect::new(move |_| set_page_title(i18n.t().login_title));

    // Signed in, whether just now or before coming here: move on.
    Effect::new(move |_| {
        if let Some(info) = session.info() {
            let next = query.with_untracked(|q| q.get("next"));
            let target = after_sign_in(next.as_deref(), info.user.must_change_password);
            navigate(
                &target,
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            );
        }
    });

    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let req = LoginRequest {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        let mut problems = Vec::new();
        if req.username.is_empty() {
            problems.push(("username", "required"));
        }
        if req.password.is_empty() {
            problems.push(("password", "required"));
        }
        if let Some(invalid) = local_validation(&problems) {
            error.set(Some(invalid));
            return;
        }
        error.set(None);
        pending.set(true);
        let api = session.client();
        spawn_local(async move {
            let result = api.login(&req).await;
            pending.set(false);
            match result {
                Ok(info) => {
                    password.set(String::new());
                    session.signed_in(info);
                }
                Err(e) => {
                    password.set(String::new());
                    error.set(Some(e));
                }
            }
        });
    };

    view! {
        <section class="narrow">
            <h1>{move || i18n.t().login_title}</h1>
            <p class="muted">{move || i18n.t().login_intro}</p>
            <form class="card form" on:submit=on_submit novalidate>
                <FormAlert error summary=login_summary />
                <TextField
                    id="login-username"
                    field="username"
                    label=|t| t.username
                    autocomplete="username"
                    value=username
                    error
                    testid="login-username"
                />
                <TextField
                    id="login-password"
                    field="password"
                    label=|t| t.password
                    input_type="password"
                    autocomplete="current-password"
                    value=password
                    error
                    testid="login-password"
                />
                <SubmitButton
                    label=|t| t.login_submit
                    pending_label=|t| t.login_pending
                    pending
                    testid="login-submit"
                />
            </form>
        </section>
    }
}

/// On the sign-in form, `unauthenticated` means the name or password was wrong.
fn login_summary(t: &Texts, error: &ApiError) -> Option<&'static str> {
    (error.code == ErrorCode::Unauthenticated).then_some(t.login_wrong_credentials)
}

#[cfg(test)]
mod tests {
    use super::after_sign_in;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(after_sign_in(Some("/forms"), false), "/forms");
        assert_eq!(after_sign_in(Some("//evil.example"), false), "/account");
        assert_eq!(
            after_sign_in(Some("https://evil.example"), false),
            "/account"
        );
        assert_eq!(after_sign_in(Some("/\\evil.example"), false), "/account");
        assert_eq!(after_sign_in(None, false), "/account");
    }

    #[test]
    fn a_generated_password_must_be_replaced_first() {
        assert_eq!(after_sign_in(Some("/forms"), true), "/account");
    }
}
