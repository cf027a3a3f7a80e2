//! Recording a customer's withdrawal of consent on their request (in person, by phone):
//! the record's purposes with what was withdrawn and when, the purposes to withdraw,
//! how the customer asked and their signature (typed or drawn), then the server's signed
//! withdrawal receipt. The record is then shown again as the server now has it. The
//! form's checks are in `withdrawal_draft.rs`.

use std::collections::BTreeSet;

use leptos::ev::SubmitEvent;
use leptos::html::Dialog;
use leptos::prelude::*;
use shared::api::consent::{
    ConsentStatus, PurposeState, RecordWithdrawalRequest, WithdrawalReceipt,
    MAX_WITHDRAWAL_REASON_CHARS,
};
use shared::api::error::ApiError;
use shared::api::records::RecordView;

use super::withdrawal_draft::{
    fill_limits, purposes_issue, reason_issue, signature_issue, withdrawable, WithdrawalDraft,
    MAX_TYPED_SIGNATURE_CHARS,
};
use super::RecordsState;
use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{close_dialog, local_time, open_dialog, ErrorAlert, Loading};
use crate::components::focus::focus_soon;
use crate::components::form::{local_validation, FieldIssues, FormAlert};
use crate::components::signature_pad::SignaturePad;
use crate::embed::submission::download;
use crate::i18n::{fill, use_i18n};

/// The button of a record that opens the dialog, for those who may record withdrawals.
#[component]
pub fn RecordWithdrawalButton(record: RwSignal<RecordView>, state: RecordsState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            class="button button-secondary button-small"
            aria-haspopup="dialog"
            on:click=move |_| state.withdrawal_target.set(Some(record))
            data-testid="record-withdrawal-open"
        >
            {move || i18n.t().withdrawal.record_open}
        </button>
    }
}

/// What the form holds while the dialog is open.
#[derive(Clone, Copy)]
struct FormFields {
    picked: RwSignal<BTreeSet<String>>,
    reason: RwSignal<String>,
    /// Drawn rather than typed.
    drawn: RwSignal<bool>,
    signature: RwSignal<String>,
}

impl FormFields {
    fn clear(self) {
        self.picked.set(BTreeSet::new());
        self.reason.set(String::new());
        self.drawn.set(false);
        self.signature.set(String::new());
    }

    fn draft(self) -> WithdrawalDraft {
        WithdrawalDraft {
            purposes: self.picked.get_untracked(),
            reason: self.reason.get_untracked(),
            signature: self.signature.get_untracked(),
        }
    }
}

/// The sent withdrawal's answer: the receipt, the record it is about and the record as
/// the server now shows it (when that could be read).
type Recorded = (WithdrawalReceipt, RwSignal<RecordView>, Option<RecordView>);

/// Records a withdrawal on the record in `state.withdrawal_target`.
#[component]
pub fn RecordWithdrawalDialog(state: RecordsState) -> impl IntoView {
    let i18n = use_i18n();
    let dialog = NodeRef::<Dialog>::new();
    let target = state.withdrawal_target;
    let record_id = Memo::new(move |_| {
        target
            .get()
            .and_then(|r| r.try_with_untracked(|r| r.id.to_string()))
    });
    // The consent, loaded each time the dialog opens; with its record's id, so that an
    // answer for the record shown before is never taken for this one's.
    let consent = api_resource(move |api| {
        let id = record_id.get();
        async move {
            match id {
                Some(id) => Ok(Some((id.clone(), api.record_consent(&id).await?))),
                None => Ok(None),
            }
        }
    });
    let fields = FormFields {
        picked: RwSignal::new(BTreeSet::new()),
        reason: RwSignal::new(String::new()),
        drawn: RwSignal::new(false),
        signature: RwSignal::new(String::new()),
    };
    let done = RwSignal::new(None::<WithdrawalReceipt>);
    let send = ApiCall::new(
        |api, (id, record, req): (String, RwSignal<RecordView>, RecordWithdrawalRequest)| async move {
            let receipt = api.record_withdrawal(&id, &req).await?;
            // The withdrawn values now show as withdrawn; the receipt stands without it.
            let fresh = api.record(&id).await.ok();
            Ok((receipt, record, fresh))
        },
    )
    .on_ok(move |(receipt, record, fresh): &Recorded| {
        if let Some(view) = fresh {
            record.try_set(view.clone());
        }
        done.set(Some(receipt.clone()));
        focus_soon(vec!["#record-withdrawal-done-title".to_owned()]);
    });
    let error = send.error();
    Effect::new(move |_| {
        if record_id.with(Option::is_some) {
            fields.clear();
            done.set(None);
            error.set(None);
            open_dialog(dialog);
            focus_soon(vec!["#record-withdrawal-title".to_owned()]);
        }
    });
    let close = move |_| {
        close_dialog(dialog);
        target.set(None);
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(record), Some(id)) = (target.get_untracked(), record_id.get_untracked()) else {
            return;
        };
        match fields.draft().request() {
            Ok(req) => send.dispatch((id, record, req)),
            Err(problems) => send.fail(local_validation(&problems)),
        }
    };
    let body = move || {
        let current = record_id.get()?;
        let loaded = match consent.get() {
            None => return Some(view! { <Loading /> }.into_any()),
            Some(Err(e)) => return Some(view! { <ErrorAlert code=e.code /> }.into_any()),
            Some(Ok(loaded)) => loaded,
        };
        let status = match loaded {
            Some((id, status)) if id == current => status,
            // Still loading this record's consent.
            _ => return Some(view! { <Loading /> }.into_any()),
        };
        Some(match done.get() {
            Some(receipt) => view! { <Done receipt status /> }.into_any(),
            None => view! { <WithdrawalForm status fields error pending=send.pending() on_submit=submit /> }
                .into_any(),
        })
    };
    view! {
        <dialog
            node_ref=dialog
            class="dialog withdrawal-dialog"
            aria-labelledby="record-withdrawal-title"
            on:close=move |_| target.set(None)
            data-testid="record-withdrawal-dialog"
        >
            <h2 id="record-withdrawal-title" tabindex="-1">
                {move || i18n.t().withdrawal.record_title}
            </h2>
            <p class="muted">{move || i18n.t().withdrawal.record_intro}</p>
            {body}
            <div class="row-actions">
                <button
                    type="button"
                    class="button button-secondary"
                    on:click=close
                    data-testid="record-withdrawal-close"
                >
                    {move || {
                        let t = i18n.t();
                        if done.with(Option::is_some) { t.withdrawal.close } else { t.console.cancel }
                    }}
                </button>
            </div>
        </dialog>
    }
}

/// One purpose of the consent: a checkbox while it can be withdrawn, else its state in
/// words (with an icon that only repeats them).
fn purpose_row(p: PurposeState, picked: RwSignal<BTreeSet<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let key = p.key.clone();
    let name = p.name;
    let label = move || name.get(i18n.locale()).to_owned();
    match (p.granted, p.withdrawn_at_ms) {
        (true, None) => {
            let id = format!("record-withdrawal-purpose-{key}");
            let (read, write) = (key.clone(), key.clone());
            view! {
                <li class="choice">
                    <input
                        id=id.clone()
                        type="checkbox"
                        data-testid="record-withdrawal-purpose"
                        data-key=key
                        aria-describedby="record-withdrawal-purposes-issues"
                        prop:checked=move || picked.with(|s| s.contains(&read))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            picked.update(|s| {
                                if on {
                                    s.insert(write.clone());
                                } else {
                                    s.remove(&write);
                                }
                            });
                        }
                    />
                    <label for=id>{label}</label>
                </li>
            }
            .into_any()
        }
        (_, Some(at)) => view! {
            <li class="choice purpose-gone" data-testid="record-withdrawal-withdrawn" data-key=key>
                <span class="value-icon" aria-hidden="true">"⊘"</span>
                <span>
                    {label} " · "
                    {move || {
                        fill(
                            i18n.t().withdrawal.withdrawn_on,
                            &[("date", &local_time(at, i18n.locale().tag()))],
                        )
                    }}
                </span>
            </li>
        }
        .into_any(),
        (false, None) => view! {
            <li class="choice purpose-gone muted" data-key=key>
                <span class="value-icon" aria-hidden="true">"–"</span>
                <span>{label} " · " {move || i18n.t().withdrawal.not_consented}</span>
            </li>
        }
        .into_any(),
    }
}

/// The form: purposes, reason and signature, each with its issues.
#[component]
fn WithdrawalForm(
    status: ConsentStatus,
    fields: FormFields,
    error: RwSignal<Option<ApiError>>,
    pending: Signal<bool>,
    on_submit: impl Fn(SubmitEvent) + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let any_left = !withdrawable(&status).is_empty();
    let title = status.form_title.clone();
    let received = status.received_at_ms;
    let rows = status
        .purposes
        .into_iter()
        .map(|p| purpose_row(p, fields.picked))
        .collect_view();
    let has = move |field: &'static str| {
        move || {
            error.with(|e| {
                e.as_ref()
                    .is_some_and(|e| !e.field_issues(field).is_empty())
            })
        }
    };
    let aria = move |field: &'static str| move || has(field)().to_string();
    view! {
        <p class="muted">
            {move || title.get(i18n.locale()).to_owned()} " · "
            {move || local_time(received, i18n.locale().tag())}
        </p>
        <form class="form" on:submit=on_submit novalidate data-testid="record-withdrawal-form">
            <FormAlert error />
            <fieldset class="field" class:field-invalid=has("purposes")>
                <legend>{move || i18n.t().withdrawal.purposes_legend}</legend>
                <ul class="choices withdrawal-purposes">{rows}</ul>
                <FieldIssues
                    id="record-withdrawal-purposes-issues".to_owned()
                    field="purposes"
                    error
                    text=purposes_issue
                />
            </fieldset>
            {(!any_left).then(|| view! {
                <p class="alert alert-info" role="status" data-testid="record-withdrawal-nothing-left">
                    {move || i18n.t().withdrawal.nothing_left}
                </p>
            })}
            <Show when=move || any_left>
                <div class="field" class:field-invalid=has("reason")>
                    <label for="record-withdrawal-reason">
                        {move || i18n.t().withdrawal.reason_label}
                    </label>
                    <p id="record-withdrawal-reason-hint" class="field-hint">
                        {move || fill_limits(i18n.t().withdrawal.reason_hint)}
                    </p>
                    <textarea
                        id="record-withdrawal-reason"
                        rows="3"
                        maxlength=MAX_WITHDRAWAL_REASON_CHARS.to_string()
                        aria-invalid=aria("reason")
                        aria-describedby="record-withdrawal-reason-hint record-withdrawal-reason-issues"
                        bind:value=fields.reason
                        data-testid="record-withdrawal-reason"
                    ></textarea>
                    <FieldIssues
                        id="record-withdrawal-reason-issues".to_owned()
                        field="reason"
                        error
                        text=reason_issue
                    />
                </div>
                <SignatureField fields error />
                <div class="row-actions">
                    <button
                        type="submit"
                        class="button button-primary"
                        disabled=move || pending.get()
                        aria-busy=move || pending.get().to_string()
                        data-testid="record-withdrawal-submit"
                    >
                        {move || {
                            let t = &i18n.t().withdrawal;
                            if pending.get() { t.pending } else { t.submit }
                        }}
                    </button>
                </div>
            </Show>
        </form>
    }
}

/// The customer's signature: their name typed, or drawn on the signature pad.
#[component]
fn SignatureField(fields: FormFields, error: RwSignal<Option<ApiError>>) -> impl IntoView {
    let i18n = use_i18n();
    let invalid = move || {
        error.with(|e| {
            e.as_ref()
                .is_some_and(|e| !e.field_issues("signature").is_empty())
        })
    };
    let mode = move |is_drawn: bool, suffix: &'static str| {
        let id = format!("record-withdrawal-signature-{suffix}");
        view! {
            <div class="choice">
                <input
                    id=id.clone()
                    type="radio"
                    name="record-withdrawal-signature-method"
                    prop:checked=move || fields.drawn.get() == is_drawn
                    on:change=move |_| {
                        fields.signature.set(String::new());
                        fields.drawn.set(is_drawn);
                    }
                />
                <label for=id>
                    {move || {
                        let t = &i18n.t().renderer;
                        if is_drawn { t.signature_drawn } else { t.signature_typed }
                    }}
                </label>
            </div>
        }
    };
    let described = "record-withdrawal-signature-hint record-withdrawal-signature-issues";
    let input = move || {
        if fields.drawn.get() {
            view! {
                <SignaturePad
                    id="record-withdrawal-signature-pad".to_owned()
                    described_by=described.to_owned()
                    has_drawing=Signal::derive(move || fields.signature.with(|s| !s.is_empty()))
                    on_drawn=move |data: String| fields.signature.set(data)
                    on_clear=move |()| fields.signature.set(String::new())
                />
            }
            .into_any()
        } else {
            view! {
                <label class="signature-typed-label" for="record-withdrawal-signature">
                    {move || i18n.t().renderer.signature_typed_label}
                </label>
                <input
                    id="record-withdrawal-signature"
                    class="signature-typed"
                    type="text"
                    autocomplete="off"
                    maxlength=MAX_TYPED_SIGNATURE_CHARS.to_string()
                    aria-invalid=move || invalid().to_string()
                    aria-describedby=described
                    bind:value=fields.signature
                    data-testid="record-withdrawal-signature"
                />
            }
            .into_any()
        }
    };
    view! {
        <fieldset class="field signature" class:field-invalid=invalid>
            <legend>{move || i18n.t().withdrawal.signature_legend}</legend>
            <p id="record-withdrawal-signature-hint" class="field-hint">
                {move || i18n.t().withdrawal.signature_hint}
            </p>
            <div
                class="choices choices-inline"
                role="radiogroup"
                aria-label=move || i18n.t().renderer.signature_mode
            >
                {mode(false, "typed")}
                {mode(true, "drawn")}
            </div>
            {input}
            <FieldIssues
                id="record-withdrawal-signature-issues".to_owned()
                field="signature"
                error
                text=signature_issue
            />
        </fieldset>
    }
}

/// The confirmation: when, which purposes (by name), and the receipt to download.
#[component]
fn Done(receipt: WithdrawalReceipt, status: ConsentStatus) -> impl IntoView {
    let i18n = use_i18n();
    let at = receipt.body.withdrawn_at_ms;
    let keys = receipt.body.purposes_withdrawn.clone();
    let names = move || {
        let locale = i18n.locale();
        keys.iter()
            .map(|k| {
                status
                    .purposes
                    .iter()
                    .find(|p| &p.key == k)
                    .map_or_else(|| k.clone(), |p| p.name.get(locale).to_owned())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let nothing_new = receipt.body.purposes_withdrawn.is_empty();
    let file = format!("consentry-withdrawal-{}.json", receipt.body.receipt_id);
    let text = serde_json::to_string_pretty(&receipt).unwrap_or_default();
    view! {
        <div class="alert alert-success" role="status" data-testid="record-withdrawal-done">
            <h3 id="record-withdrawal-done-title" class="alert-title" tabindex="-1">
                {move || i18n.t().withdrawal.done_title}
            </h3>
            <p data-testid="record-withdrawal-done-text">
                {move || {
                    let t = &i18n.t().withdrawal;
                    if nothing_new {
                        t.done_nothing_new.to_owned()
                    } else {
                        let time = local_time(at, i18n.locale().tag());
                        fill(t.done_text, &[("time", &time), ("purposes", &names())])
                    }
                }}
            </p>
            <button
                type="button"
                class="button button-secondary button-small"
                data-testid="record-withdrawal-download"
                on:click=move |_| download(&file, &text)
            >
                {move || i18n.t().withdrawal.download}
            </button>
        </div>
    }
}
