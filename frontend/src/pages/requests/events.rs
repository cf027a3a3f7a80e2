//! The request's internal notes and history: adding a note while the request is open,
//! and every event with its time, who acted and what happened, in words.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::requests::{RequestAction, RequestEvent};

use super::draft::note;
use super::fields::{AreaField, StepButton};
use super::RequestState;
use crate::components::console_ui::local_time;
use crate::components::form::{local_validation, FormAlert};
use crate::i18n::use_i18n;

/// The notes and history card.
#[component]
pub fn NotesCard(state: RequestState) -> impl IntoView {
    let i18n = use_i18n();
    let detail = state.detail;
    let text = RwSignal::new(String::new());
    let add = state.action_call(move |_| text.set(String::new()));
    let error = add.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match note(&text.get_untracked(), "text", true) {
            Ok(text) => add.dispatch(RequestAction::Note { text }),
            Err(problems) => add.fail(local_validation(&problems)),
        }
    };
    let events = move || {
        let events = detail.with(|d| d.events.clone());
        if events.is_empty() {
            return view! { <p class="muted">{move || i18n.t().requests.events_none}</p> }
                .into_any();
        }
        view! {
            <ol class="requests-events" data-testid="events">
                {events.into_iter().map(|event| view! { <EventLine event /> }).collect_view()}
            </ol>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="events-heading" data-testid="request-events">
            <h2 id="events-heading" class="small-heading">{move || i18n.t().requests.events_heading}</h2>
            <Show when=move || state.open()>
                <form class="form requests-note-form" on:submit=submit novalidate data-testid="note-form">
                    <FormAlert error />
                    <AreaField
                        id="note-text"
                        field="text"
                        label=|t| t.requests.note_label
                        hint=|t| t.requests.note_hint.to_owned()
                        value=text
                        error
                        required=true
                        rows=2
                        testid="note-text"
                    />
                    <StepButton
                        label=|t| t.requests.note_submit
                        pending_label=|t| t.requests.saving
                        pending=add.pending()
                        class="button button-secondary"
                        testid="note-submit"
                    />
                </form>
            </Show>
            {events}
        </section>
    }
}

/// One event: when, who, what, and its text.
#[component]
fn EventLine(event: RequestEvent) -> impl IntoView {
    let i18n = use_i18n();
    let RequestEvent {
        at_ms,
        by_name,
        kind,
        text,
    } = event;
    let who = {
        let kind = kind.clone();
        move || match &by_name {
            Some(name) => name.clone(),
            None => i18n.t().requests.event_by_nobody(&kind).to_owned(),
        }
    };
    let what = {
        let kind = kind.clone();
        move || i18n.t().requests.event_kind(&kind)
    };
    let text = {
        let kind = kind.clone();
        move || {
            let text = i18n.t().requests.event_text(&kind, &text);
            (!text.trim().is_empty()).then(|| {
                view! { <p class="preserve-lines requests-event-text" data-testid="event-text">{text}</p> }
            })
        }
    };
    view! {
        <li class="requests-event" data-testid="event" data-kind=kind>
            <p class="requests-event-head">
                <time class="muted">{move || local_time(at_ms, i18n.locale().tag())}</time>
                " · "
                <strong data-testid="event-kind">{what}</strong>
                " · "
                <span data-testid="event-by">{who}</span>
            </p>
            {text}
        </li>
    }
}
