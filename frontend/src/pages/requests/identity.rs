//! How the requester's identity was checked, or the form that records it and the button
//! that asks them for proof.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::requests::{IdentityCheck, IdentityMethod, RequestAction, RequestStatus};

use super::draft::note;
use super::fields::{AreaField, StepButton};
use super::RequestState;
use crate::components::console_ui::local_time;
use crate::components::form::{local_validation, FormAlert};
use crate::i18n::use_i18n;

/// A method's value in the select (its JSON name).
pub(crate) const fn method_key(method: IdentityMethod) -> &'static str {
    method.as_str()
}

/// The methods staff record (a receipt's token is checked by the server alone).
fn staff_methods() -> impl Iterator<Item = IdentityMethod> {
    IdentityMethod::ALL
        .into_iter()
        .filter(|m| *m != IdentityMethod::ReceiptToken)
}

/// Reads a select value; "other" for anything unknown.
fn parse_method(key: &str) -> IdentityMethod {
    staff_methods()
        .find(|m| method_key(*m) == key)
        .unwrap_or(IdentityMethod::Other)
}

/// The identity card.
#[component]
pub fn IdentityCard(state: RequestState) -> impl IntoView {
    let i18n = use_i18n();
    let detail = state.detail;
    let method = RwSignal::new(method_key(IdentityMethod::IdDocument).to_owned());
    let note_text = RwSignal::new(String::new());
    let check = state.action_call(move |_| note_text.set(String::new()));
    let ask = state.action_call(|_| {});
    let error = check.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match note(&note_text.get_untracked(), "note", false) {
            Ok(note) => check.dispatch(RequestAction::CheckIdentity {
                method: parse_method(&method.get_untracked()),
                note,
            }),
            Err(problems) => check.fail(local_validation(&problems)),
        }
    };
    let identity = move || detail.with(|d| d.identity.clone());
    let unchecked = move || identity().is_none();
    let waiting = move || detail.with(|d| d.summary.status == RequestStatus::IdentityCheck);
    let checked = move || identity().map(|check| view! { <CheckedIdentity check /> });
    let method_options = move || {
        staff_methods()
            .map(|m| {
                view! { <option value=method_key(m)>{move || i18n.t().requests.method(m)}</option> }
            })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="request-identity-heading" data-testid="request-identity">
            <h2 id="request-identity-heading" class="small-heading">
                {move || i18n.t().requests.identity_heading}
            </h2>
            {checked}
            <Show when=move || unchecked() && !state.open()>
                <p class="muted">{move || i18n.t().requests.identity_never}</p>
            </Show>
            <Show when=move || unchecked() && state.open()>
                <p class="muted">
                    {move || {
                        let t = &i18n.t().requests;
                        if waiting() { t.identity_waiting } else { t.identity_unchecked }
                    }}
                </p>
                <form class="form" on:submit=submit novalidate data-testid="identity-form">
                    <FormAlert error />
                    <div class="field">
                        <label for="identity-method">{move || i18n.t().requests.identity_method}</label>
                        <select id="identity-method" bind:value=method data-testid="identity-method">
                            {method_options()}
                        </select>
                    </div>
                    <AreaField
                        id="identity-note"
                        field="note"
                        label=|t| t.requests.identity_note
                        hint=|t| t.requests.identity_note_hint.to_owned()
                        value=note_text
                        error
                        rows=2
                        testid="identity-note"
                    />
                    <StepButton
                        label=|t| t.requests.identity_save
                        pending_label=|t| t.requests.saving
                        pending=check.pending()
                        testid="identity-save"
                    />
                </form>
                <Show when=move || !waiting()>
                    <div class="requests-aside">
                        <p class="field-hint">{move || i18n.t().requests.identity_ask_hint}</p>
                        <FormAlert error=ask.error() />
                        <StepButton
                            label=|t| t.requests.identity_ask
                            pending_label=|t| t.requests.saving
                            pending=ask.pending()
                            kind="button"
                            class="button button-secondary"
                            on_click=Callback::new(move |()| ask.dispatch(RequestAction::AwaitIdentity))
                            testid="identity-await"
                        />
                    </div>
                </Show>
            </Show>
        </section>
    }
}

/// A recorded check: the method, who checked and when, and the note.
#[component]
fn CheckedIdentity(check: IdentityCheck) -> impl IntoView {
    let i18n = use_i18n();
    let IdentityCheck {
        method,
        checked_by_name,
        at_ms,
        note,
    } = check;
    let by = move || {
        checked_by_name
            .clone()
            .unwrap_or_else(|| i18n.t().requests.identity_by_server.to_owned())
    };
    let note = (!note.trim().is_empty()).then(|| {
        view! {
            <div>
                <dt>{move || i18n.t().requests.identity_note}</dt>
                <dd class="preserve-lines" data-testid="identity-checked-note">{note}</dd>
            </div>
        }
    });
    view! {
        <p class="requests-ok" data-testid="identity-checked" data-method=method_key(method)>
            <span aria-hidden="true">"✓ "</span>
            {move || i18n.t().requests.identity_checked}
        </p>
        <dl class="facts">
            <div>
                <dt>{move || i18n.t().requests.identity_method}</dt>
                <dd data-testid="identity-checked-method">{move || i18n.t().requests.method(method)}</dd>
            </div>
            <div>
                <dt>{move || i18n.t().requests.identity_by}</dt>
                <dd data-testid="identity-checked-by">{by}</dd>
            </div>
            <div>
                <dt>{move || i18n.t().requests.identity_at}</dt>
                <dd>{move || local_time(at_ms, i18n.locale().tag())}</dd>
            </div>
            {note}
        </dl>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_pick_every_method_but_the_receipts_token() {
        let keys: Vec<_> = staff_methods().map(method_key).collect();
        assert_eq!(keys, ["id_document", "known_contact", "in_person", "other"]);
        assert_eq!(parse_method("in_person"), IdentityMethod::InPerson);
        assert_eq!(parse_method("receipt_token"), IdentityMethod::Other);
        // The select's values are the JSON names the API reads.
        for m in IdentityMethod::ALL {
            let json = serde_json::to_string(&m).ok();
            assert_eq!(json, Some(format!("\"{}\"", method_key(m))));
        }
    }
}
