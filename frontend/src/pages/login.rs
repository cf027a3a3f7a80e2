//! `/login`: the sign-in form.
//!
//! On success the page goes to `?next=` when that is a path of this app, else to the
//! compliance dashboard for those who see it (`ViewCompliance`) and to the account page
//! for the others; a user who must replace a generated password always goes there. When the
//! account has two-step sign-in, the server answers `totp_required` once the password is
//! right, and the form then asks for the authenticator's code as well.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use shared::access::Permission;
use shared::api::auth::{LoginRequest, Role, SessionInfo, SignInRequest};
use shared::api::error::{ApiError, ErrorCode};

use wasm_bindgen::JsCast;

use crate::components::api_call::ApiCall;
use crate::components::form::{local_validation, FormAlert, SubmitButton, TextField};
use crate::i18n::{set_page_title, use_i18n, Texts};
use crate::offline::{collects, use_collector};
use crate::session::use_session;

/// Where to go after signing in: `next` when it is a path of this app, else the
/// compliance dashboard for a role that sees it (the page that answers "how compliant
/// are we?"), else the account.
#[must_use]
pub fn after_sign_in(next: Option<&str>, must_change_password: bool, role: Role) -> String {
    match next {
        _ if must_change_password => "/account".to_owned(),
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ if Permission::ViewCompliance.allows(Some(role)) => "/compliance".to_owned(),
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
            let target = after_sign_in(
                next.as_deref(),
                info.user.must_change_password,
                info.user.role,
            );
            navigate(
                &target,
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            );
        }
    });

    let collector = use_collector();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let needs_code = RwSignal::new(false);
    let sign_in = ApiCall::new(move |api, req: SignInRequest| async move {
        let info = api.login(&req).await?;
        // Their records on this device open offline with this password.
        if collects(info.user.role) {
            collector.offer_password(req.credentials.password);
        }
        Ok(info)
    })
    .on_ok(move |info: &SessionInfo| {
        password.set(String::new());
        code.set(String::new());
        session.signed_in(info.clone());
    })
    .handle_error(move |e| {
        let with_code = needs_code.get_untracked();
        if e.code == ErrorCode::TotpRequired && !with_code {
            // The password was right; keep it and ask for the code too.
            needs_code.set(true);
            focus_code_field();
            return true;
        }
        if with_code && e.code == ErrorCode::Unauthenticated {
            // Name, password or code was wrong: start again from the password.
            needs_code.set(false);
        }
        password.set(String::new());
        code.set(String::new());
        false
    });
    let error = sign_in.error();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let with_code = needs_code.get_untracked();
        let req = SignInRequest {
            credentials: LoginRequest {
                username: username.get_untracked().trim().to_owned(),
                password: password.get_untracked(),
            },
            totp_code: with_code.then(|| code.get_untracked().trim().to_owned()),
        };
        let mut problems = Vec::new();
        if req.credentials.username.is_empty() {
            problems.push(("username", "required"));
        }
        if req.credentials.password.is_empty() {
            problems.push(("password", "required"));
        }
        if req.totp_code.as_deref() == Some("") {
            problems.push(("totp_code", "required"));
        }
        match local_validation(&problems) {
            Some(invalid) => sign_in.fail(Some(invalid)),
            None => sign_in.dispatch(req),
        }
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
                <Show when=move || needs_code.get()>
                    <p class="field-hint" role="status" data-testid="login-totp-intro">
                        {move || i18n.t().console.login_totp_intro}
                    </p>
                    <TextField
                        id="login-totp"
                        field="totp_code"
                        label=|t| t.console.totp_code
                        autocomplete="one-time-code"
                        value=code
                        error
                        testid="login-totp"
                    />
                </Show>
                <SubmitButton
                    label=|t| t.login_submit
                    pending_label=|t| t.login_pending
                    pending=sign_in.pending()
                    testid="login-submit"
                />
            </form>
        </section>
    }
}

/// On the sign-in form, `unauthenticated` means the name, password or code was wrong.
fn login_summary(t: &Texts, error: &ApiError) -> Option<&'static str> {
    match error.code {
        ErrorCode::Unauthenticated => Some(t.login_wrong_credentials),
        ErrorCode::TotpRequired => Some(t.console.login_totp_wrong),
        _ => None,
    }
}

/// Moves focus to the code field once it is shown.
fn focus_code_field() {
    request_animation_frame(|| {
        if let Some(input) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("login-totp"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = input.focus();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::after_sign_in;
    use shared::api::auth::Role;

    #[test]
    fn only_local_paths_are_followed() {
        let go = |next| after_sign_in(next, false, Role::Staff);
        assert_eq!(go(Some("/forms")), "/forms");
        assert_eq!(go(Some("//evil.example")), "/account");
        assert_eq!(go(Some("https://evil.example")), "/account");
        assert_eq!(go(Some("/\\evil.example")), "/account");
        assert_eq!(go(None), "/account");
    }

    #[test]
    fn those_who_see_compliance_land_on_the_dashboard() {
        for role in [
            Role::Admin,
            Role::Auditor,
            Role::Manager,
            Role::PrivacyOfficer,
        ] {
            assert_eq!(after_sign_in(None, false, role), "/compliance", "{role:?}");
            assert_eq!(
                after_sign_in(Some("//evil.example"), false, role),
                "/compliance"
            );
            assert_eq!(after_sign_in(Some("/records"), false, role), "/records");
        }
        assert_eq!(after_sign_in(None, false, Role::Staff), "/account");
    }

    #[test]
    fn a_generated_password_must_be_replaced_first() {
        assert_eq!(after_sign_in(Some("/forms"), true, Role::Staff), "/account");
        assert_eq!(after_sign_in(None, true, Role::Admin), "/account");
    }
}
