//! The customer's receipt on a staff device, for a record the server stored: its
//! receipt number, form and time, and the customer's own withdrawal link as text, as a
//! QR code drawn on the device (offline too) and on paper. The link is how a customer
//! whose consent staff collected sees or withdraws it without asking anyone.

use leptos::html::Dialog;
use leptos::prelude::*;
use shared::i18n::Locale;

use super::qr::QrCodeSvg;
use crate::components::console_ui::{close_dialog, open_dialog, CopyButton};
use crate::components::focus::focus_soon;
use crate::embed::submission::local_time;
use crate::embed::withdraw;
use crate::i18n::{texts, use_i18n};
use crate::offline::outbox::SyncedEntry;
use crate::offline::use_collector;

/// The button of a synced record that opens its customer's receipt; nothing when the
/// server gave no withdrawal token (records synced before it did).
#[component]
pub fn CustomerReceiptButton(
    entry: SyncedEntry,
    target: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    entry.withdraw_token.is_some().then(|| {
        let uuid = entry.uuid;
        let open = uuid.clone();
        view! {
            <button
                type="button"
                class="button button-secondary button-small"
                data-testid="customer-receipt-open"
                data-uuid=uuid
                aria-haspopup="dialog"
                on:click=move |_| target.set(Some(open.clone()))
            >
                {move || i18n.t().withdrawal.receipt_open}
            </button>
        }
    })
}

/// The receipt of the synced record whose UUID is in `target`, in a modal dialog that
/// is also what gets printed (see `@media print` in `collect.css`).
#[component]
pub fn CustomerReceiptDialog(target: RwSignal<Option<String>>) -> impl IntoView {
    let c = use_collector();
    let dialog = NodeRef::<Dialog>::new();
    let entry = Memo::new(move |_| {
        target.get().and_then(|uuid| {
            c.synced
                .with(|s| s.iter().find(|e| e.uuid == uuid).cloned())
                .filter(|e| e.withdraw_token.is_some())
        })
    });
    Effect::new(move |_| {
        if entry.with(Option::is_some) {
            open_dialog(dialog);
            focus_soon(vec!["#customer-receipt-title".to_owned()]);
        } else {
            close_dialog(dialog);
        }
    });
    view! {
        <dialog
            node_ref=dialog
            class="dialog customer-receipt"
            aria-labelledby="customer-receipt-title"
            data-testid="customer-receipt"
            on:close=move |_| target.set(None)
        >
            {move || entry.get().map(|e| view! { <ReceiptCard entry=e target /> })}
        </dialog>
    }
}

/// What the customer gets: the note in both languages, the QR code, the receipt's
/// facts and the link; then, not printed, copy, print and close.
#[component]
fn ReceiptCard(entry: SyncedEntry, target: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let link = entry
        .customer_link(&withdraw::page_origin())
        .unwrap_or_default();
    let receipt_id = entry.receipt.body.statement.receipt_id.clone();
    let received = local_time(entry.receipt.body.received_at_ms);
    let title = entry.form_title;
    let print = |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    // The customer may read either language, whichever the staff member uses.
    let notes = [Locale::ZhCn, Locale::En]
        .into_iter()
        .map(|l| view! { <p lang=l.tag()>{texts(l).withdrawal.receipt_note}</p> })
        .collect_view();
    view! {
        <h2 id="customer-receipt-title" tabindex="-1">
            {move || i18n.t().withdrawal.receipt_title}
        </h2>
        <p class="muted no-print">{move || i18n.t().withdrawal.receipt_intro}</p>
        <div class="customer-receipt-note">{notes}</div>
        <QrCodeSvg
            text=link.clone()
            label=Signal::derive(move || i18n.t().withdrawal.receipt_qr)
            fallback=Signal::derive(move || i18n.t().withdrawal.receipt_qr_failed)
            testid="customer-receipt-qr"
        />
        <dl class="facts customer-receipt-facts">
            <div>
                <dt>{move || i18n.t().withdrawal.receipt_id}</dt>
                <dd data-testid="customer-receipt-id">
                    <code>{receipt_id}</code>
                </dd>
            </div>
            <div>
                <dt>{move || i18n.t().withdrawal.receipt_form}</dt>
                <dd>{move || title.get(i18n.locale()).to_owned()}</dd>
            </div>
            <div>
                <dt>{move || i18n.t().withdrawal.receipt_received}</dt>
                <dd>{received}</dd>
            </div>
            <div>
                <dt>{move || i18n.t().withdrawal.receipt_link}</dt>
                <dd class="customer-receipt-link">
                    <code data-testid="customer-receipt-link">{link.clone()}</code>
                </dd>
            </div>
        </dl>
        <div class="row-actions no-print">
            <CopyButton text=link testid="customer-receipt-copy" />
            <button
                type="button"
                class="button button-primary"
                data-testid="customer-receipt-print"
                on:click=print
            >
                {move || i18n.t().withdrawal.receipt_print}
            </button>
            <button
                type="button"
                class="button button-secondary"
                data-testid="customer-receipt-close"
                on:click=move |_| target.set(None)
            >
                {move || i18n.t().withdrawal.close}
            </button>
        </div>
    }
}
