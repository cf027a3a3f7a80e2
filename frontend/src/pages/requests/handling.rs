//! Who handles the request, and the deadline's extension (with its reason) where the
//! organisation's policy allows one.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::requests::{Extension, RequestAction, MIN_REASON_CHARS};
use shared::ids::UserId;

use super::draft::reason;
use super::fields::{AreaField, StepButton};
use super::RequestState;
use crate::components::api_call::api_resource;
use crate::components::console_ui::local_time;
use crate::components::form::{local_validation, FormAlert};
use crate::i18n::{fill, use_i18n};

/// The handling card: the assignee and the deadline.
#[component]
pub fn HandlingCard(state: RequestState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="request-handling-heading">
            <h2 id="request-handling-heading" class="small-heading">
                {move || i18n.t().requests.handling_heading}
            </h2>
            <div class="requests-columns">
                <AssigneePicker state />
                <ExtensionPart state />
            </div>
        </section>
    }
}

/// The assignee: a picker while the request is open (a choice is saved at once), else
/// the name.
#[component]
fn AssigneePicker(state: RequestState) -> impl IntoView {
    let i18n = use_i18n();
    let detail = state.detail;
    let assignees = api_resource(|api| async move { api.request_assignees().await });
    let assign = state.action_call(|_| {});
    // After a failed choice the picker shows the assignee the request still has.
    let failed = Memo::new(move |_| assign.error().with(Option::is_some));
    let current = move || {
        detail.with(|d| {
            d.summary
                .assignee_id
                .map(|id| id.to_string())
                .unwrap_or_default()
        })
    };
    let current_name = move || detail.with(|d| d.summary.assignee_name.clone());
    let pick = move |value: String| {
        assign.dispatch(RequestAction::Assign {
            assignee: UserId::parse(&value).ok(),
        });
    };
    let options = move || {
        let now = current();
        let mut list: Vec<(String, String)> = assignees
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.id.to_string(), a.name))
            .collect();
        // Someone no longer offered (disabled since) still shows as the assignee.
        if !now.is_empty() && !list.iter().any(|(id, _)| *id == now) {
            list.push((now.clone(), current_name().unwrap_or_else(|| now.clone())));
        }
        list.into_iter()
            .map(|(id, name)| {
                let selected = id == now;
                view! { <option value=id selected=selected>{name}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="requests-part">
            <Show
                when=move || state.open()
                fallback=move || view! {
                    <p>
                        <strong>{move || i18n.t().requests.assignee_label}</strong>
                        ": "
                        <span data-testid="assignee-name">
                            {move || current_name().unwrap_or_else(|| i18n.t().requests.nobody.to_owned())}
                        </span>
                    </p>
                }
            >
                <div class="field">
                    <label for="request-assignee">{move || i18n.t().requests.assignee_label}</label>
                    <p id="request-assignee-hint" class="field-hint">{move || i18n.t().requests.assignee_hint}</p>
                    <select
                        id="request-assignee"
                        prop:value=move || {
                            failed.track();
                            current()
                        }
                        disabled=move || assign.pending().get()
                        aria-describedby="request-assignee-hint"
                        on:change=move |ev| pick(event_target_value(&ev))
                        data-testid="assignee"
                    >
                        <option value="" selected=move || current().is_empty()>
                            {move || i18n.t().requests.nobody}
                        </option>
                        {options}
                    </select>
                    <p class="muted" role="status">
                        {move || assign.pending().get().then(|| i18n.t().requests.saving)}
                    </p>
                </div>
                <FormAlert error=assign.error() />
            </Show>
        </div>
    }
}

/// The deadline's extension: how it was extended, or the form to extend it while that
/// is possible.
#[component]
fn ExtensionPart(state: RequestState) -> impl IntoView {
    let i18n = use_i18n();
    let detail = state.detail;
    let text = RwSignal::new(String::new());
    let extend = state.action_call(move |_| text.set(String::new()));
    let error = extend.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match reason(&text.get_untracked(), "reason") {
            Ok(reason) => extend.dispatch(RequestAction::Extend { reason }),
            Err(problems) => extend.fail(local_validation(&problems)),
        }
    };
    let extension = move || detail.with(|d| d.extension.clone());
    let allowed = move || detail.with(|d| d.policy.extension);
    let may_extend = move || state.open() && extension().is_none() && allowed().is_some();
    let none_possible = move || state.open() && extension().is_none() && allowed().is_none();
    view! {
        <div class="requests-part">
            <h3 class="small-heading requests-subheading">{move || i18n.t().requests.deadline_heading}</h3>
            {move || extension().map(|e| view! { <Extended extension=e /> })}
            <Show when=none_possible>
                <p class="muted" data-testid="extend-impossible">{move || i18n.t().requests.extend_impossible}</p>
            </Show>
            <Show when=may_extend>
                <form class="form" on:submit=submit novalidate data-testid="extend-form">
                    <FormAlert error />
                    <p class="field-hint">
                        {move || {
                            let t = i18n.t();
                            let period = allowed().map(|p| t.requests.period(p)).unwrap_or_default();
                            fill(t.requests.extend_intro, &[("period", &period)])
                        }}
                    </p>
                    <AreaField
                        id="extend-reason"
                        field="reason"
                        label=|t| t.requests.extend_reason
                        hint=|t| fill(t.requests.reason_hint, &[("min", &MIN_REASON_CHARS.to_string())])
                        value=text
                        error
                        required=true
                        testid="extend-reason"
                    />
                    <StepButton
                        label=|t| t.requests.extend_submit
                        pending_label=|t| t.requests.saving
                        pending=extend.pending()
                        testid="extend-submit"
                    />
                </form>
            </Show>
        </div>
    }
}

/// How the deadline was extended.
#[component]
fn Extended(extension: Extension) -> impl IntoView {
    let i18n = use_i18n();
    let Extension {
        reason,
        by_name,
        at_ms,
    } = extension;
    let line = move || {
        let t = &i18n.t().requests;
        let at = local_time(at_ms, i18n.locale().tag());
        match &by_name {
            Some(name) => fill(t.extended_by, &[("name", name), ("time", &at)]),
            None => fill(t.extended_at, &[("time", &at)]),
        }
    };
    view! {
        <div data-testid="request-extension">
            <p>{line}</p>
            <p class="preserve-lines requests-quote">{reason}</p>
        </div>
    }
}
