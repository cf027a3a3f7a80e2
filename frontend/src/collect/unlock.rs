//! The locked console: this user's records on the device are sealed and the vault is
//! not open (offline after a reload, or the device was revoked). The password they last
//! signed in with here opens it; without one, signing in online does.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::error::ApiError;

use crate::components::form::{local_validation, SubmitButton, TextField};
use crate::i18n::{fill, use_i18n};
use crate::offline::use_collector;

/// The unlock form for `waiting` sealed records.
#[component]
pub fn UnlockPanel(waiting: usize, by_password: bool) -> impl IntoView {
    let i18n = use_i18n();
    let c = use_collector();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let typed = password.get_untracked();
        if typed.is_empty() {
            error.set(local_validation(&[("password", "required")]));
            return;
        }
        error.set(None);
        pending.set(true);
        spawn_local(async move {
            // Let the "Opening…" label paint before Argon2 takes the thread.
            after_paint().await;
            if c.unlock(&typed).await {
                password.set(String::new());
            } else {
                error.set(local_validation(&[("password", "vault_password_wrong")]));
            }
            pending.set(false);
        });
    };
    let intro = move || {
        fill(
            i18n.t().collect.locked_intro,
            &[("waiting", &waiting.to_string())],
        )
    };
    view! {
        <section class="card collect-locked" data-testid="collect-locked" aria-labelledby="locked-heading">
            <h2 id="locked-heading">{move || i18n.t().collect.locked_heading}</h2>
            <p data-testid="locked-waiting" data-waiting=waiting.to_string()>{intro}</p>
            {if by_password {
                view! {
                    <form class="form" on:submit=on_submit novalidate>
                        <p class="muted">{move || i18n.t().collect.locked_by_password}</p>
                        <TextField
                            id="unlock-password"
                            field="password"
                            label=|t| t.collect.unlock_password
                            input_type="password"
                            autocomplete="current-password"
                            value=password
                            error
                            testid="unlock-password"
                        />
                        <SubmitButton
                            label=|t| t.collect.unlock
                            pending_label=|t| t.collect.unlocking
                            pending
                            testid="unlock-submit"
                        />
                    </form>
                }
                .into_any()
            } else {
                view! {
                    <p class="alert alert-info" data-testid="locked-online-only">
                        {move || i18n.t().collect.locked_online_only}
                    </p>
                }
                .into_any()
            }}
        </section>
    }
}

/// Resolves after the browser has had a moment to paint.
async fn after_paint() {
    let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 30);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
