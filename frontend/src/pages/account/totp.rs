//! The Two-step sign-in section of the account page: set up an authenticator app
//! (secret and `otpauth://` link as text), confirm it with a code, or turn it off with
//! the password and a code.
//!
//! The session does not say whether two-step sign-in is on, so the section offers both
//! actions and remembers what was done here.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::auth::{TotpDisableRequest, TotpEnableRequest};
use shared::api::error::ApiError;

use crate::components::api_call::ApiCall;
use crate::components::console_ui::CopyButton;
use crate::components::form::{local_validation, FormAlert, SubmitButton, TextField};
use crate::i18n::{use_i18n, Texts};

/// The hint under a code field.
fn code_hint(t: &Texts) -> String {
    t.console.totp_code_hint.to_owned()
}

/// Set up, confirm, and turn off two-step sign-in.
#[component]
pub fn TotpSection() -> impl IntoView {
    let i18n = use_i18n();
    let status = RwSignal::new(None::<bool>);
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // One alert for both steps: starting the set-up and confirming it with a code.
    let error = RwSignal::new(None::<ApiError>);
    let start = ApiCall::with_error(error, |api, ()| async move { api.totp_setup().await });
    let enable = ApiCall::with_error(error, |api, req: TotpEnableRequest| async move {
        api.totp_enable(&req).await
    })
    .on_ok(move |()| {
        start.clear();
        status.set(Some(true));
    });
    let pending = Signal::derive(move || start.pending().get() || enable.pending().get());
    let on_start = move |_| {
        if !pending.get_untracked() {
            status.set(None);
            start.run();
        }
    };
    let confirm = move |ev: SubmitEvent| {
        ev.prevent_default();
        let req = TotpEnableRequest {
            password: password.get_untracked(),
            code: code.get_untracked().trim().to_owned(),
        };
        code.set(String::new());
        password.set(String::new());
        let mut missing = Vec::new();
        if req.password.is_empty() {
            missing.push(("password", "required"));
        }
        if req.code.is_empty() {
            missing.push(("code", "required"));
        }
        if !missing.is_empty() {
            enable.fail(local_validation(&missing));
        } else {
            enable.dispatch(req);
        }
    };
    let secret_view = move || {
        start.value().map(|s| {
            view! {
                <dl class="facts">
                    <div>
                        <dt>{move || i18n.t().console.totp_secret}</dt>
                        <dd>
                            <code class="totp-secret" data-testid="totp-secret">
                                {s.secret.clone()}
                            </code>
                            " "
                            <CopyButton text=s.secret.clone() />
                        </dd>
                    </div>
                    <div>
                        <dt>{move || i18n.t().console.totp_uri}</dt>
                        <dd>
                            <code class="totp-secret" data-testid="totp-uri">
                                {s.otpauth_uri.clone()}
                            </code>
                            " "
                            <CopyButton text=s.otpauth_uri />
                        </dd>
                    </div>
                </dl>
                <form class="form" on:submit=confirm novalidate>
                    <p>{move || i18n.t().console.totp_enter_code}</p>
                    <TextField
                        id="totp-password"
                        field="password"
                        label=|t| t.password
                        input_type="password"
                        autocomplete="current-password"
                        value=password
                        error
                        testid="totp-password"
                    />
                    <TextField
                        id="totp-code"
                        field="code"
                        label=|t| t.console.totp_code
                        autocomplete="one-time-code"
                        value=code
                        error
                        hint=code_hint
                        testid="totp-code"
                    />
                    <SubmitButton
                        label=|t| t.console.totp_enable
                        pending_label=|t| t.console.saving
                        pending=enable.pending()
                        testid="totp-enable"
                    />
                </form>
            }
        })
    };
    view! {
        <section class="card" aria-labelledby="totp-heading" data-testid="totp-section">
            <h2 id="totp-heading">{move || i18n.t().console.totp_heading}</h2>
            <p class="muted">{move || i18n.t().console.totp_intro}</p>
            {move || {
                status
                    .get()
                    .map(|on| {
                        let t = &i18n.t().console;
                        view! {
                            <p class="alert alert-success" role="status" data-testid="totp-status">
                                {if on { t.totp_enabled } else { t.totp_disabled }}
                            </p>
                        }
                    })
            }}
            <FormAlert error />
            <Show when=move || start.value().is_none()>
                <button
                    type="button"
                    class="button button-primary"
                    disabled=pending
                    on:click=on_start
                    data-testid="totp-setup"
                >
                    {move || {
                        let t = &i18n.t().console;
                        if start.pending().get() { t.totp_setup_pending } else { t.totp_setup }
                    }}
                </button>
            </Show>
            {secret_view}
            <TotpDisableForm status />
        </section>
    }
}

/// Turns two-step sign-in off with the password and a current code.
#[component]
fn TotpDisableForm(status: RwSignal<Option<bool>>) -> impl IntoView {
    let i18n = use_i18n();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let disable =
        ApiCall::new(|api, req: TotpDisableRequest| async move { api.totp_disable(&req).await })
            .on_ok(move |()| status.set(Some(false)));
    let error = disable.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let req = TotpDisableRequest {
            password: password.get_untracked(),
            code: code.get_untracked().trim().to_owned(),
        };
        let mut problems = Vec::new();
        if req.password.is_empty() {
            problems.push(("password", "required"));
        }
        if req.code.is_empty() {
            problems.push(("code", "required"));
        }
        if let Some(invalid) = local_validation(&problems) {
            disable.fail(Some(invalid));
            return;
        }
        password.set(String::new());
        code.set(String::new());
        disable.dispatch(req);
    };
    view! {
        <details class="totp-disable">
            <summary>{move || i18n.t().console.totp_disable}</summary>
            <form class="form" on:submit=submit novalidate>
                <p>{move || i18n.t().console.totp_disable_intro}</p>
                <FormAlert error />
                <TextField
                    id="totp-off-password"
                    field="password"
                    label=|t| t.password
                    input_type="password"
                    autocomplete="current-password"
                    value=password
                    error
                />
                <TextField
                    id="totp-off-code"
                    field="code"
                    label=|t| t.console.totp_code
                    autocomplete="one-time-code"
                    value=code
                    error
                    hint=code_hint
                />
                <SubmitButton
                    label=|t| t.console.totp_disable
                    pending_label=|t| t.console.saving
                    pending=disable.pending()
                />
            </form>
        </details>
    }
}
