//! The end of the work: the answer package (prepared on the server, downloaded once by
//! a plain link so the browser saves the file), and closing the request as answered or
//! refused with the reason told to the requester.

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::requests::{PackageTicket, RequestAction, RequestDetail, MIN_REASON_CHARS};
use shared::api::API_PREFIX;

use super::draft::{note, reason};
use super::fields::{AreaField, StepButton};
use super::RequestState;
use crate::components::api_call::ApiCall;
use crate::components::console_ui::local_time;
use crate::components::form::{local_validation, FormAlert};
use crate::i18n::{fill, use_i18n};

/// When to look again after a download starts: the link is gone once the server has
/// handed the file over.
const REFRESH_AFTER: [Duration; 2] = [Duration::from_millis(1500), Duration::from_millis(5000)];

/// The answer package card.
#[component]
pub fn PackageCard(state: RequestState) -> impl IntoView {
    let i18n = use_i18n();
    let detail = state.detail;
    let id = state.id;
    let prepare = ApiCall::new(move |api, ()| async move { api.prepare_package(&id).await })
        .on_ok(move |d: &RequestDetail| state.show(d));
    let refresh = ApiCall::with_error(prepare.error(), move |api, ()| async move {
        api.request(&id).await
    })
    .on_ok(move |d: &RequestDetail| state.show(d));
    // Gone once the page is left: a late timer then does nothing.
    let alive = RwSignal::new(());
    let downloaded = move |_| {
        for delay in REFRESH_AFTER {
            set_timeout(
                move || {
                    if alive.try_get_untracked().is_some() {
                        refresh.run();
                    }
                },
                delay,
            );
        }
    };
    let package = move || detail.with(|d| d.package.clone());
    let ticket = move || {
        package().map(|p| view! { <Ticket ticket=p on_download=downloaded /> }.into_any())
            .unwrap_or_else(|| view! {
                <p class="muted" data-testid="package-none">{move || i18n.t().requests.package_none}</p>
            }.into_any())
    };
    view! {
        <section class="card" aria-labelledby="package-heading" data-testid="request-package">
            <h2 id="package-heading" class="small-heading">{move || i18n.t().requests.package_heading}</h2>
            <p class="muted">
                {move || {
                    let locale = detail.with(|d| d.requester.locale);
                    fill(i18n.t().requests.package_intro, &[("language", locale.native_name())])
                }}
            </p>
            {ticket}
            <FormAlert error=prepare.error() />
            <Show when=move || state.open()>
                <StepButton
                    label=|t| t.requests.package_prepare
                    pending_label=|t| t.requests.package_preparing
                    pending=prepare.pending()
                    kind="button"
                    class="button button-secondary"
                    on_click=Callback::new(move |()| prepare.run())
                    testid="package-prepare"
                />
            </Show>
        </section>
    }
}

/// A prepared package: its one-time link and when it expires, or when it was
/// downloaded, or that it expired unused.
#[component]
fn Ticket<F>(ticket: PackageTicket, on_download: F) -> impl IntoView
where
    F: Fn(leptos::ev::MouseEvent) + Copy + 'static,
{
    let i18n = use_i18n();
    let PackageTicket {
        prepared_at_ms,
        expires_at_ms,
        downloaded_at_ms,
        download_path,
    } = ticket;
    let time = move |ms: i64| local_time(ms, i18n.locale().tag());
    let prepared = move || {
        fill(
            i18n.t().requests.package_prepared,
            &[("time", &time(prepared_at_ms))],
        )
    };
    let state = match (download_path, downloaded_at_ms) {
        (Some(path), _) => view! {
            <p class="requests-download">
                <a
                    class="button button-primary"
                    href=format!("{API_PREFIX}{path}")
                    download
                    on:click=on_download
                    data-testid="package-download"
                >
                    {move || i18n.t().requests.package_download}
                </a>
                " "
                <span data-testid="package-expires">
                    {move || fill(i18n.t().requests.package_expires, &[("time", &time(expires_at_ms))])}
                </span>
            </p>
        }
        .into_any(),
        (None, Some(at)) => view! {
            <p class="requests-ok" data-testid="package-downloaded">
                <span aria-hidden="true">"✓ "</span>
                {move || fill(i18n.t().requests.package_downloaded, &[("time", &time(at))])}
            </p>
        }
        .into_any(),
        (None, None) => view! {
            <p data-testid="package-expired">
                {move || fill(i18n.t().requests.package_expired, &[("time", &time(expires_at_ms))])}
            </p>
        }
        .into_any(),
    };
    view! {
        <p class="muted">{prepared}</p>
        {state}
    }
}

/// Closing the request: answered (with an internal note) or refused (with the reason).
#[component]
pub fn CloseCard(state: RequestState) -> impl IntoView {
    let i18n = use_i18n();
    let detail = state.detail;
    let answer_note = RwSignal::new(String::new());
    let refusal = RwSignal::new(String::new());
    let answer = state.action_call(move |_| answer_note.set(String::new()));
    let refuse = state.action_call(move |_| refusal.set(String::new()));
    let submit_answer = move |ev: SubmitEvent| {
        ev.prevent_default();
        match note(&answer_note.get_untracked(), "note", false) {
            Ok(note) => answer.dispatch(RequestAction::Answer { note }),
            Err(problems) => answer.fail(local_validation(&problems)),
        }
    };
    let submit_refusal = move |ev: SubmitEvent| {
        ev.prevent_default();
        match reason(&refusal.get_untracked(), "reason") {
            Ok(reason) => refuse.dispatch(RequestAction::Refuse { reason }),
            Err(problems) => refuse.fail(local_validation(&problems)),
        }
    };
    let unverified = move || detail.with(|d| d.identity.is_none());
    view! {
        <Show when=move || state.open()>
            <section class="card" aria-labelledby="close-heading" data-testid="request-close">
                <h2 id="close-heading" class="small-heading">{move || i18n.t().requests.close_heading}</h2>
                <div class="requests-columns">
                    <form class="form" on:submit=submit_answer novalidate data-testid="answer-form">
                        <h3 class="small-heading requests-subheading">{move || i18n.t().requests.answer_heading}</h3>
                        <Show when=unverified>
                            <p class="alert alert-warning" data-testid="answer-unverified">
                                {move || i18n.t().requests.answer_unverified}
                            </p>
                        </Show>
                        <FormAlert error=answer.error() />
                        <AreaField
                            id="answer-note"
                            field="note"
                            label=|t| t.requests.answer_note
                            hint=|t| t.requests.answer_note_hint.to_owned()
                            value=answer_note
                            error=answer.error()
                            testid="answer-note"
                        />
                        <StepButton
                            label=|t| t.requests.answer_submit
                            pending_label=|t| t.requests.saving
                            pending=answer.pending()
                            testid="answer-submit"
                        />
                    </form>
                    <form class="form" on:submit=submit_refusal novalidate data-testid="refuse-form">
                        <h3 class="small-heading requests-subheading">{move || i18n.t().requests.refuse_heading}</h3>
                        <FormAlert error=refuse.error() />
                        <AreaField
                            id="refuse-reason"
                            field="reason"
                            label=|t| t.requests.refuse_reason
                            hint=|t| fill(t.requests.refuse_hint, &[("min", &MIN_REASON_CHARS.to_string())])
                            value=refusal
                            error=refuse.error()
                            required=true
                            testid="refuse-reason"
                        />
                        <StepButton
                            label=|t| t.requests.refuse_submit
                            pending_label=|t| t.requests.saving
                            pending=refuse.pending()
                            class="button button-primary requests-danger-button"
                            testid="refuse-submit"
                        />
                    </form>
                </div>
            </section>
        </Show>
    }
}
