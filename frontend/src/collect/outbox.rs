//! `/collect/outbox`: the records waiting on this device, those the server refused and
//! why (with the issues per field), and those it stored with their receipt numbers and
//! the customer's receipt to hand over. A waiting record can be edited (signed again
//! with a new sequence number) or discarded.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use super::customer_receipt::{CustomerReceiptButton, CustomerReceiptDialog};
use super::{Collecting, SyncBar};
use crate::embed::submission::local_time;
use crate::i18n::{fill, set_page_title, use_i18n};
use crate::offline::forms::{CachedForm, Standing};
use crate::offline::outbox::{self, EditOutcome, OutboxEntry, Problem, SyncedEntry};
use crate::offline::use_collector;
use shared::i18n::Locale;
use shared::schema::FormDefinition;

/// `/collect/outbox`.
#[component]
pub fn OutboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let c = use_collector();
    Effect::new(move |_| set_page_title(i18n.t().collect.outbox_heading));
    let waiting = move || {
        c.outbox
            .get()
            .into_iter()
            .map(|entry| view! { <WaitingRow entry /> })
            .collect_view()
    };
    // The synced record whose customer's receipt is open.
    let receipt_target = RwSignal::new(None::<String>);
    let synced = move || {
        c.synced
            .get()
            .into_iter()
            .map(|entry| view! { <SyncedRow entry receipt_target /> })
            .collect_view()
    };
    view! {
        <section class="collect" data-testid="outbox-page">
            <p><A href="/collect">{move || i18n.t().collect.back}</A></p>
            <h1>{move || i18n.t().collect.outbox_heading}</h1>
            <Collecting>
                <SyncBar />
                <Show when=move || c.outbox.with(Vec::is_empty)>
                    <p class="muted">{move || i18n.t().collect.empty_outbox}</p>
                </Show>
                <ul class="collect-records" data-testid="outbox-list">{waiting}</ul>
                <h2>{move || i18n.t().collect.synced_heading}</h2>
                <Show when=move || c.synced.with(Vec::is_empty)>
                    <p class="muted">{move || i18n.t().collect.nothing_synced}</p>
                </Show>
                <ul class="collect-records" data-testid="synced-list">{synced}</ul>
                <CustomerReceiptDialog target=receipt_target />
            </Collecting>
        </section>
    }
}

/// The server's reason for not storing a record, with the issues per field.
fn problem_view(problem: Problem) -> impl IntoView {
    let i18n = use_i18n();
    match problem {
        Problem::Conflict { message } => view! {
            <div class="alert alert-error" data-testid="record-conflict">
                <p class="alert-title">{move || i18n.t().collect.conflict}</p>
                <p class="alert-detail">{message}</p>
            </div>
        }
        .into_any(),
        Problem::Rejected {
            code,
            message,
            fields,
        } => {
            let issues = fields
                .into_iter()
                .map(|(key, issues)| {
                    let text = issues
                        .iter()
                        .map(|i| i18n.t().issue(i))
                        .collect::<Vec<_>>()
                        .join(" ");
                    view! { <li><code>{key}</code> ": " {text}</li> }
                })
                .collect_view();
            view! {
                <div class="alert alert-error" data-testid="record-rejected" data-code=code.to_string()>
                    <p class="alert-title">{move || i18n.t().collect.rejected}</p>
                    <p class="alert-detail">{message}</p>
                    <ul>{issues}</ul>
                </div>
            }
            .into_any()
        }
    }
}

/// A waiting record with its state, and edit and discard (after confirmation).
#[component]
fn WaitingRow(entry: OutboxEntry) -> impl IntoView {
    let i18n = use_i18n();
    let c = use_collector();
    let confirming = RwSignal::new(false);
    let uuid = entry.record.uuid.clone();
    let edit_href = format!(
        "/collect/fill/{}?edit={}",
        entry.record.form_id, entry.record.uuid
    );
    let title = entry.form_title.clone();
    let discard = {
        let uuid = uuid.clone();
        move |_| {
            let uuid = uuid.clone();
            spawn_local(async move {
                if outbox::discard(&uuid).await.is_err() {
                    c.store_failed.set(true);
                }
                c.reload();
            });
        }
    };
    let state = match &entry.problem {
        None => "pending",
        Some(Problem::Conflict { .. }) => "conflict",
        Some(Problem::Rejected { .. }) => "rejected",
    };
    view! {
        <li class="collect-record" data-testid="outbox-record" data-state=state data-uuid=uuid>
            <p>
                <strong>{move || title.get(i18n.locale()).to_owned()}</strong>
                " · #" {entry.record.seq} " · "
                {move || i18n.t().collect.collected_at} " " {local_time(entry.created_at_ms)}
            </p>
            {entry.record.base_version.is_some().then(|| view! {
                <p class="badge" data-testid="record-is-edit">{move || i18n.t().collect.edit_of_synced}</p>
            })}
            {match entry.problem {
                None => view! { <p class="badge">{move || i18n.t().collect.pending}</p> }.into_any(),
                Some(p) => problem_view(p).into_any(),
            }}
            <div class="collect-actions">
                <A href=edit_href attr:class="button button-secondary button-small" attr:data-testid="record-edit">
                    {move || i18n.t().collect.edit}
                </A>
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            data-testid="record-discard"
                            on:click=move |_| confirming.set(true)
                        >
                            {move || i18n.t().collect.discard}
                        </button>
                    }
                >
                    <div class="collect-confirm" role="alertdialog" aria-live="assertive">
                        <p>{move || i18n.t().collect.discard_confirm}</p>
                        <button
                            type="button"
                            class="button button-danger button-small"
                            data-testid="record-discard-confirm"
                            on:click=discard.clone()
                        >
                            {move || i18n.t().collect.discard_yes}
                        </button>
                        " "
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            on:click=move |_| confirming.set(false)
                        >
                            {move || i18n.t().collect.cancel}
                        </button>
                    </div>
                </Show>
            </div>
        </li>
    }
}

/// What became of the last edit of a synced record; `form` is the form id and version
/// it was collected with, to name the fields whose change waits for approval.
fn edit_outcome(outcome: &EditOutcome, form: Option<(String, i64)>) -> impl IntoView {
    let i18n = use_i18n();
    let c = use_collector();
    let waiting = outcome.conflicted.len();
    let version = outcome.version.to_string();
    let state = outcome.state();
    let pending = outcome.pending.clone();
    let keys = pending.join(",");
    let pending_view = (!pending.is_empty()).then(|| {
        let names = move || {
            let locale = i18n.locale();
            c.forms.with(|forms| {
                // The version the record was collected with first, then any other kept.
                let mut definitions: Vec<&FormDefinition> = Vec::new();
                if let Some((id, number)) = &form {
                    let of_form =
                        |f: &&(CachedForm, Standing)| f.0.version.form_id.to_string() == *id;
                    definitions.extend(
                        forms
                            .iter()
                            .filter(of_form)
                            .filter(|f| f.0.version.summary.number == *number)
                            .map(|f| &f.0.version.definition),
                    );
                    definitions.extend(
                        forms
                            .iter()
                            .filter(of_form)
                            .map(|f| &f.0.version.definition),
                    );
                }
                field_labels(&definitions, &pending, locale).join(i18n.t().collect.list_separator)
            })
        };
        view! {
            <p class="badge" data-testid="edit-pending" data-fields=keys>
                <span aria-hidden="true">"⏳ "</span>
                {move || fill(i18n.t().collect.edit_pending, &[("fields", &names())])}
            </p>
        }
    });
    view! {
        <p class="badge" data-testid="edit-outcome" data-state=state>
            {move || {
                let t = &i18n.t().collect;
                if waiting > 0 {
                    fill(t.edit_waits, &[("count", &waiting.to_string())])
                } else if state == "pending" {
                    t.edit_sent_for_approval.to_owned()
                } else {
                    fill(t.edit_merged, &[("version", &version)])
                }
            }}
        </p>
        {pending_view}
    }
}

/// Each of `keys` by its label in `locale`, from the first of `definitions` that has the
/// field with a label; the key itself when none has.
fn field_labels(definitions: &[&FormDefinition], keys: &[String], locale: Locale) -> Vec<String> {
    keys.iter()
        .map(|key| {
            definitions
                .iter()
                .filter_map(|d| d.field(key))
                .map(|f| f.label.get(locale))
                .find(|label| !label.is_empty())
                .map_or_else(|| key.clone(), str::to_owned)
        })
        .collect()
}

/// A record the server stored, with its receipt number, what became of its last edit,
/// the customer's receipt and a link to edit this device's copy of it.
#[component]
fn SyncedRow(entry: SyncedEntry, receipt_target: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let title = entry.form_title.clone();
    let edit_href = entry
        .record
        .as_ref()
        .map(|r| format!("/collect/fill/{}?synced={}", r.form_id, r.uuid));
    let receipt = entry.clone();
    view! {
        <li class="collect-record" data-testid="synced-record" data-uuid=entry.uuid>
            <p>
                <strong>{move || title.get(i18n.locale()).to_owned()}</strong>
                " · " {move || i18n.t().collect.collected_at} " " {local_time(entry.created_at_ms)}
                " · " {move || i18n.t().collect.synced_heading} " " {local_time(entry.synced_at_ms)}
            </p>
            <p class="muted">
                {move || i18n.t().collect.receipt_id} ": " <code>{entry.receipt.body.statement.receipt_id.clone()}</code>
            </p>
            {entry.last_edit.as_ref().map(|outcome| {
                let form = entry.record.as_ref().map(|r| (r.form_id.clone(), r.form_version));
                edit_outcome(outcome, form)
            })}
            <div class="collect-actions">
                <CustomerReceiptButton entry=receipt target=receipt_target />
                {edit_href.map(|href| view! {
                    <A href=href attr:class="button button-secondary button-small" attr:data-testid="synced-edit">
                        {move || i18n.t().collect.edit}
                    </A>
                })}
            </div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_waiting_for_approval_are_named_by_label_or_else_by_key() {
        let demo = FormDefinition::demo_customer_registration();
        let keys = vec!["mobile".to_owned(), "gone".to_owned()];
        let en = field_labels(&[&demo], &keys, Locale::En);
        assert_eq!(en[1], "gone");
        let mobile = demo.field("mobile").map(|f| f.label.get(Locale::En));
        assert_eq!(Some(en[0].as_str()), mobile);
        assert_eq!(field_labels(&[], &keys, Locale::ZhCn), keys);
    }
}
