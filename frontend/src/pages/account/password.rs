//! The change-password form of the account page.
//!
//! The new password is checked in the browser with the same rule the server applies
//! (`shared::api::auth::password_problem`) before anything is sent.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use shared::api::auth::{password_problem, ChangePasswordRequest, SessionInfo, MIN_PASSWORD_CHARS};

use super::SIGN_IN_AND_RETURN;
use crate::components::api_call::ApiCall;
use crate::components::form::{local_validation, FormAlert, SubmitButton, TextField};
use crate::i18n::{fill, use_i18n};
use crate::offline::{collects, use_collector};
use crate::session::use_session;

/// The problems with a proposed change, found before sending, as `(field, issue code)`.
#[must_use]
pub fn change_problems(
    current: &str,
    new: &str,
    confirm: &str,
    username: &str,
) -> Vec<(&'static str, &'static str)> {
    let mut problems = Vec::new();
    if current.is_empty() {
        problems.push(("current_password", "required"));
    }
    if new.is_empty() {
        problems.push(("new_password", "required"));
    } else if let Some(code) = password_problem(new, username) {
        problems.push(("new_password", code));
    } else if new == current {
        problems.push(("new_password", "password_unchanged"));
    }
    if confirm != new {
        problems.push(("confirm_password", "passwords_differ"));
    }
    problems
}

/// Current password, new password twice, and the result.
#[component]
pub fn ChangePasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let collector = use_collector();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let done = RwSignal::new(false);
    let change = ApiCall::new(move |api, req: ChangePasswordRequest| async move {
        let info = api.change_password(&req).await?;
        // Records on this device open offline with the new password from now.
        if collects(info.user.role) {
            collector.offer_password(req.new_password);
            collector.reload();
        }
        Ok(info)
    })
    .on_ok(move |info: &SessionInfo| {
        for field in [current, new, confirm] {
            field.set(String::new());
        }
        session.signed_in(info.clone());
        done.set(true);
    })
    .handle_error(move |e| {
        // The session ended: sign in again, then come back.
        let ended = session.note_error(e);
        if ended {
            navigate(SIGN_IN_AND_RETURN, NavigateOptions::default());
        }
        ended
    });
    let error = change.error();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        let username = session.username_untracked().unwrap_or_default();
        let req = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        let problems = change_problems(
            &req.current_password,
            &req.new_password,
            &confirm.get_untracked(),
            &username,
        );
        match local_validation(&problems) {
            Some(invalid) => change.fail(Some(invalid)),
            None => change.dispatch(req),
        }
    };

    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">{move || i18n.t().change_password_title}</h2>
            <form class="form" on:submit=on_submit novalidate>
                <FormAlert error />
                <Show when=move || done.get()>
                    <div class="alert alert-success" role="status" data-testid="password-changed">
                        <p class="alert-title">{move || i18n.t().password_changed}</p>
                    </div>
                </Show>
                <TextField
                    id="current-password"
                    field="current_password"
                    label=|t| t.current_password
                    input_type="password"
                    autocomplete="current-password"
                    value=current
                    error
                    testid="current-password"
                />
                <TextField
                    id="new-password"
                    field="new_password"
                    label=|t| t.new_password
                    input_type="password"
                    autocomplete="new-password"
                    value=new
                    error
                    testid="new-password"
                    hint=|t| fill(t.new_password_hint, &[("min", &MIN_PASSWORD_CHARS.to_string())])
                />
                <TextField
                    id="confirm-password"
                    field="confirm_password"
                    label=|t| t.confirm_password
                    input_type="password"
                    autocomplete="new-password"
                    value=confirm
                    error
                    testid="confirm-password"
                />
                <SubmitButton
                    label=|t| t.change_password_submit
                    pending_label=|t| t.change_password_pending
                    pending=change.pending()
                    testid="change-password-submit"
                />
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::change_problems;

    #[test]
    fn problems_are_found_before_sending() {
        assert_eq!(
            change_problems("", "", "", "admin"),
            [
                ("current_password", "required"),
                ("new_password", "required")
            ]
        );
        assert_eq!(
            change_problems("old", "short", "short", "admin"),
            [("new_password", "password_too_short")]
        );
        assert_eq!(
            change_problems(
                "same passphrase!",
                "same passphrase!",
                "same passphrase!",
                "zz"
            ),
            [("new_password", "password_unchanged")]
        );
        assert_eq!(
            change_problems("old", "a long new passphrase", "different", "admin"),
            [("confirm_password", "passwords_differ")]
        );
        assert!(change_problems(
            "old",
            "a long new passphrase",
            "a long new passphrase",
            "admin"
        )
        .is_empty());
    }
}
