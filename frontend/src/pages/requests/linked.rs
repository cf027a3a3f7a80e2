//! The person's records: finding them by an identifier, the linked records (each in
//! `linked_record.rs`), taking one off the request, and erasing them all after a
//! confirmation.

use leptos::ev::SubmitEvent;
use leptos::html::Dialog;
use leptos::prelude::*;
use shared::api::requests::{ErasureOrder, RequestAction, RequestDetail};
use shared::ids::RecordId;

use super::draft::{identifier, ID_KINDS};
use super::fields::{has_issues, issue_text, StepButton};
use super::linked_record::LinkedRecordCard;
use super::new_request::{id_input_type, id_kind_name};
use super::RequestState;
use crate::components::api_call::ApiCall;
use crate::components::console_ui::{close_dialog, open_dialog};
use crate::components::form::{local_validation, FieldIssues, FormAlert};
use crate::i18n::{fill, use_i18n};

/// Records of `detail` whose values are not all erased yet.
fn erasable(detail: &RequestDetail) -> usize {
    detail.records.iter().filter(|r| !r.erased).count()
}

/// The records card.
#[component]
pub fn RecordsCard(state: RequestState) -> impl IntoView {
    let i18n = use_i18n();
    let detail = state.detail;
    let dialog = NodeRef::<Dialog>::new();
    // Made here, not in the list the answers rebuild.
    let unlink_target = RwSignal::new(None::<RecordId>);
    let unlink = state.action_call(|_| {});
    // The record being taken off, while that is in flight.
    let unlinking = Signal::derive(move || {
        if unlink.pending().get() {
            unlink_target.get()
        } else {
            None
        }
    });
    let erase_id = state.id;
    let erased_note = RwSignal::new(false);
    let erase = ApiCall::new(move |api, order: ErasureOrder| async move {
        api.erase_for_request(&erase_id, &order).await
    })
    .on_ok(move |d: &RequestDetail| {
        state.show(d);
        erased_note.set(true);
        close_dialog(dialog);
    });
    let ask_unlink = move |record_id: RecordId| {
        unlink_target.set(Some(record_id));
        unlink.dispatch(RequestAction::Unlink { record_id });
    };
    let count = move || detail.with(erasable);
    let open_erase = move |_| {
        erase.error().set(None);
        open_dialog(dialog);
    };
    let list = move || {
        let records = detail.with(|d| d.records.clone());
        if records.is_empty() {
            return view! {
                <p class="muted" data-testid="linked-none">{move || i18n.t().requests.records_none}</p>
            }
            .into_any();
        }
        let open = state.open();
        records
            .into_iter()
            .map(|linked| view! { <LinkedRecordCard linked open unlinking on_unlink=ask_unlink /> })
            .collect_view()
            .into_any()
    };
    let can_erase = move || state.open() && count() > 0;
    let held = move || detail.with(|d| d.records.iter().any(|r| !r.holds.is_empty()));
    view! {
        <section class="card" aria-labelledby="request-records-heading" data-testid="request-records">
            <h2 id="request-records-heading" class="small-heading">
                {move || i18n.t().requests.records_heading}
            </h2>
            <Show when=move || state.open()>
                <FindPerson state />
            </Show>
            <FormAlert error=unlink.error() />
            <div class="requests-linked">{list}</div>
            <Show when=move || erased_note.get() && held()>
                <p class="alert alert-warning" role="status" data-testid="erase-held-note">
                    {move || i18n.t().requests.erase_held_note}
                </p>
            </Show>
            <Show when=can_erase>
                <div class="requests-danger">
                    <p class="field-hint">{move || i18n.t().requests.erase_hint}</p>
                    <button
                        type="button"
                        class="button button-secondary requests-danger-button"
                        aria-haspopup="dialog"
                        on:click=open_erase
                        data-testid="erase"
                    >
                        {move || i18n.t().requests.erase}
                    </button>
                </div>
            </Show>
        </section>
        <dialog node_ref=dialog class="dialog" aria-labelledby="erase-title" data-testid="erase-dialog">
            <h2 id="erase-title">{move || i18n.t().requests.erase_title}</h2>
            <p>{move || fill(i18n.t().requests.erase_text, &[("count", &count().to_string())])}</p>
            <FormAlert error=erase.error() />
            <div class="row-actions">
                <StepButton
                    label=|t| t.requests.erase_confirm
                    pending_label=|t| t.requests.erasing
                    pending=erase.pending()
                    kind="button"
                    on_click=Callback::new(move |()| erase.dispatch(ErasureOrder::default()))
                    testid="erase-confirm"
                />
                <button type="button" class="button button-secondary" on:click=move |_| close_dialog(dialog)>
                    {move || i18n.t().console.cancel}
                </button>
            </div>
        </dialog>
    }
}

/// Finds the person's records by an identifier across all forms and links them.
#[component]
fn FindPerson(state: RequestState) -> impl IntoView {
    let i18n = use_i18n();
    let kind = RwSignal::new(ID_KINDS[0].to_owned());
    let value = RwSignal::new(String::new());
    // How many records were linked before the search, to say how many it added.
    let before = RwSignal::new(0_usize);
    let found = RwSignal::new(None::<usize>);
    let find = state.action_call(move |d| {
        value.set(String::new());
        found.set(Some(d.records.len().saturating_sub(before.get_untracked())));
    });
    let error = find.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        found.set(None);
        before.set(state.detail.with_untracked(|d| d.records.len()));
        match identifier(
            &kind.get_untracked(),
            &value.get_untracked(),
            "identifier.value",
            true,
        ) {
            Ok(Some(identifier)) => find.dispatch(RequestAction::FindPerson { identifier }),
            Ok(None) => {}
            Err(problems) => find.fail(local_validation(&problems)),
        }
    };
    let invalid = has_issues(error, "identifier.value");
    let kind_options = ID_KINDS
        .into_iter()
        .map(|k| view! { <option value=k>{move || id_kind_name(i18n.t(), k)}</option> })
        .collect_view();
    view! {
        <form class="form requests-find" on:submit=submit novalidate data-testid="find-form">
            <h3 class="small-heading requests-subheading">{move || i18n.t().requests.find_heading}</h3>
            <p id="find-hint" class="field-hint">{move || i18n.t().requests.find_hint}</p>
            <FormAlert error />
            <div class="requests-pair">
                <div class="field">
                    <label for="find-kind">{move || i18n.t().requests.identifier_kind}</label>
                    <select id="find-kind" bind:value=kind data-testid="find-kind">
                        {kind_options}
                    </select>
                </div>
                <div class="field" class:field-invalid=invalid>
                    <label for="find-value">{move || i18n.t().requests.identifier_value}</label>
                    <input
                        id="find-value"
                        type=move || id_input_type(&kind.get())
                        autocomplete="off"
                        spellcheck="false"
                        required
                        aria-invalid=move || invalid().to_string()
                        aria-describedby="find-hint find-value-issues"
                        bind:value=value
                        data-testid="find-value"
                    />
                    <FieldIssues id="find-value-issues".to_owned() field="identifier.value" error text=issue_text />
                </div>
            </div>
            <StepButton
                label=|t| t.requests.find_submit
                pending_label=|t| t.requests.finding
                pending=find.pending()
                testid="find-submit"
            />
            <p role="status" data-testid="find-result">
                {move || found.get().map(|n| {
                    let t = &i18n.t().requests;
                    if n == 0 { t.find_none.to_owned() } else { fill(t.find_linked, &[("count", &n.to_string())]) }
                })}
            </p>
        </form>
    }
}
