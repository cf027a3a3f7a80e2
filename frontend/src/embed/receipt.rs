//! The receipt after a confirmed submission: a summary, the downloadable receipt
//! document (with the server key that signed it, from `GET /api/v1/keys`), the private
//! withdrawal link, and the document's JSON for people and tests to read.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::consent::{ReceiptDocument, SubmitResponse, RECEIPT_DOCUMENT_FORMAT};
use shared::schema::FormDefinition;

use super::submission::{download, local_time};
use super::{api, withdraw};
use crate::api::ApiClient;
use crate::i18n::use_i18n;

/// The names of `keys` in the current language, or "none".
fn purpose_names(def: &FormDefinition, keys: &[String], locale: shared::i18n::Locale) -> String {
    if keys.is_empty() {
        return crate::i18n::texts(locale).customer.none.to_owned();
    }
    keys.iter()
        .map(|k| {
            def.purpose(k)
                .map_or_else(|| k.clone(), |p| p.name.get(locale).to_owned())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The summary and the receipt's document, which carries `hash_key` (the key of the
/// statement's hashes): the customer's own copy.
#[component]
pub fn ReceiptView(
    definition: FormDefinition,
    response: SubmitResponse,
    hash_key: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let document = RwSignal::new(None::<String>);
    let SubmitResponse {
        receipt: signed,
        withdraw_token,
        ..
    } = response;
    let receipt = signed.clone();
    spawn_local(async move {
        let client = ApiClient::new(i18n.locale_untracked(), None);
        let key = api::keys(&client)
            .await
            .ok()
            .and_then(|set| set.find(&receipt.body.server_key_id).cloned());
        let text = match key {
            Some(server_key) => serde_json::to_string_pretty(&ReceiptDocument {
                format: RECEIPT_DOCUMENT_FORMAT.to_owned(),
                receipt,
                server_key,
                hash_key,
            }),
            // Without the key the bare receipt still verifies against the key set.
            None => serde_json::to_string_pretty(&receipt),
        };
        document.set(text.ok());
    });
    let body = signed.body;
    let statement = body.statement;
    let receipt_id = statement.receipt_id;
    let link = withdraw::link(&withdraw::page_origin(), &receipt_id, &withdraw_token);
    let received = local_time(body.received_at_ms);
    let key_id = body.server_key_id;
    let def = StoredValue::new(definition);
    let granted = statement.purposes_granted;
    let declined = statement.purposes_declined;
    let title = move || def.with_value(|d| d.title.get(i18n.locale()).to_owned());
    let granted_names = move || def.with_value(|d| purpose_names(d, &granted, i18n.locale()));
    let declined_names = move || def.with_value(|d| purpose_names(d, &declined, i18n.locale()));
    let file_name = format!("consentry-receipt-{receipt_id}.json");
    let save = move |_| {
        if let Some(text) = document.get_untracked() {
            download(&file_name, &text);
        }
    };
    view! {
        <section class="embed-card receipt" aria-labelledby="receipt-title" data-testid="receipt">
            <h2 id="receipt-title" tabindex="-1">{move || i18n.t().customer.receipt_title}</h2>
            <p>{move || i18n.t().customer.receipt_intro}</p>
            <dl class="receipt-summary">
                <dt>{move || i18n.t().customer.receipt_id}</dt>
                <dd data-testid="receipt-id">
                    <code>{receipt_id}</code>
                </dd>
                <dt>{move || i18n.t().customer.received_at}</dt>
                <dd>{received}</dd>
                <dt>{move || i18n.t().customer.granted}</dt>
                <dd data-testid="receipt-granted">{granted_names}</dd>
                <dt>{move || i18n.t().customer.declined}</dt>
                <dd data-testid="receipt-declined">{declined_names}</dd>
                <dt>{move || i18n.t().customer.server_key}</dt>
                <dd>
                    <code>{key_id}</code>
                </dd>
            </dl>
            <p class="muted">{title}</p>
            <div class="form-nav">
                <button
                    type="button"
                    class="button button-primary"
                    data-testid="download-receipt"
                    disabled=move || document.with(Option::is_none)
                    on:click=save
                >
                    {move || i18n.t().customer.download_receipt}
                </button>
                <a
                    class="button button-secondary"
                    href=link
                    target="_blank"
                    rel="noopener noreferrer"
                    data-testid="withdraw-link"
                >
                    {move || i18n.t().customer.withdraw_link}
                </a>
            </div>
            <p class="muted">{move || i18n.t().customer.withdraw_link_help}</p>
            <details class="receipt-json">
                <summary>{move || i18n.t().customer.receipt_json}</summary>
                <Show when=move || document.with(Option::is_some)>
                    <pre data-testid="receipt-json">{move || document.get().unwrap_or_default()}</pre>
                </Show>
            </details>
        </section>
    }
}
