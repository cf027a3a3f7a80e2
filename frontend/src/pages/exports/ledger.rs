//! "Ledger" (admins, auditors and privacy officers): every export, newest first, with
//! who asked, when, for which form and which of its records (the filter), in which
//! format, how many rows, masked or not, the reason, the status (with a download's
//! progress and whether an alert holds it), the decision, when and from where it was
//! downloaded, and the SHA-256 of the file as sent.

use leptos::prelude::*;
use shared::api::exports::{ExportEntry, ExportList};

use super::mine::MaskingWord;
use super::{filter_words, short_hash, ExportsState, StatusLine, StatusNotes};
use crate::components::console_ui::{local_time, ErrorAlert, Loading};
use crate::i18n::{fill, use_i18n, Texts};

/// The ledger of every export.
#[component]
pub(super) fn Ledger(state: ExportsState) -> impl IntoView {
    let i18n = use_i18n();
    let table = move || {
        state.all.get().map(|loaded| match loaded {
            Ok(ExportList { exports }) if exports.is_empty() => view! {
                <p class="muted" data-testid="ledger-empty">{move || i18n.t().exports.empty}</p>
            }
            .into_any(),
            Ok(ExportList { exports }) => view! { <LedgerTable exports /> }.into_any(),
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section
            class="exports-section"
            aria-labelledby="exports-ledger-heading"
            data-testid="exports-ledger"
        >
            <h2 id="exports-ledger-heading">{move || i18n.t().exports.ledger_heading}</h2>
            <p class="muted">{move || i18n.t().exports.ledger_intro}</p>
            <Transition fallback=|| view! { <Loading /> }>{table}</Transition>
        </section>
    }
}

#[component]
fn LedgerTable(exports: Vec<ExportEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let header = move |label: fn(&Texts) -> &'static str| {
        view! { <th scope="col">{move || label(i18n.t())}</th> }
    };
    let rows = exports
        .into_iter()
        .map(|entry| view! { <LedgerRow entry /> })
        .collect_view();
    view! {
        // Scrolls sideways on a phone: focusable, so that the keyboard scrolls it too.
        <div
            class="table-wrap"
            tabindex="0"
            role="region"
            aria-label=move || i18n.t().exports.ledger_heading
        >
            <table class="table exports-table exports-ledger-table" data-testid="ledger-table">
                <thead>
                    <tr>
                        {header(|t| t.exports.col_requester)}
                        {header(|t| t.exports.col_when)}
                        {header(|t| t.exports.col_form)}
                        {header(|t| t.exports.col_filter)}
                        {header(|t| t.exports.col_format)}
                        {header(|t| t.exports.col_rows)}
                        {header(|t| t.exports.col_values)}
                        {header(|t| t.exports.col_reason)}
                        {header(|t| t.exports.col_status)}
                        {header(|t| t.exports.col_decision)}
                        {header(|t| t.exports.col_download)}
                        {header(|t| t.exports.col_sha)}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One export in the ledger.
#[component]
fn LedgerRow(entry: ExportEntry) -> impl IntoView {
    let i18n = use_i18n();
    let notes = entry.clone();
    let filter = StoredValue::new(entry.clone());
    let ExportEntry {
        id,
        requested_by_name,
        requested_at_ms,
        form_title,
        format,
        unmasked,
        reason,
        rows,
        status,
        decided_by_name,
        decided_at_ms,
        decision_comment,
        downloaded_at_ms,
        downloaded_from,
        file_sha256,
        ..
    } = entry;
    let time = move |ms: i64| local_time(ms, i18n.locale().tag());
    let none = move || i18n.t().exports.none;
    let requester = move || {
        requested_by_name
            .clone()
            .unwrap_or_else(|| i18n.t().exports.unknown_person.to_owned())
    };
    let decided = decided_at_ms.is_some() || decided_by_name.is_some();
    let decision = move || {
        if !decided {
            return none().to_owned();
        }
        let who = decided_by_name
            .clone()
            .unwrap_or_else(|| i18n.t().exports.unknown_person.to_owned());
        match decided_at_ms {
            Some(at) => format!("{who}, {}", time(at)),
            None => who,
        }
    };
    let downloaded = move || match (downloaded_at_ms, downloaded_from.as_deref()) {
        (Some(at), Some(from)) => fill(
            i18n.t().exports.downloaded_from,
            &[("time", &time(at)), ("address", from)],
        ),
        (Some(at), None) => time(at),
        (None, _) => none().to_owned(),
    };
    let hash = file_sha256.map_or_else(
        || view! { <span>{none}</span> }.into_any(),
        |full| {
            let short = short_hash(&full);
            view! {
                <code class="exports-hash" title=full.clone() data-sha256=full>
                    {short}
                </code>
            }
            .into_any()
        },
    );
    view! {
        <tr data-testid="ledger-row" data-id=id.to_string() data-status=status.as_str()>
            <th scope="row" data-col="requester" class="exports-name">{requester}</th>
            <td data-col="when">{move || time(requested_at_ms)}</td>
            <td data-col="form" class="exports-form">
                {move || form_title.get(i18n.locale()).to_owned()}
            </td>
            <td data-col="filter" class="exports-text">
                <ul class="exports-filter" data-testid="ledger-filter">
                    {move || {
                        filter
                            .with_value(|e| filter_words(&i18n.t().exports, e))
                            .into_iter()
                            .map(|words| view! { <li>{words}</li> })
                            .collect_view()
                    }}
                </ul>
            </td>
            <td data-col="format" data-format=format.as_str()>
                {move || i18n.t().exports.format_name(format)}
            </td>
            <td data-col="rows" class="exports-number">{rows.to_string()}</td>
            <td data-col="values"><MaskingWord unmasked /></td>
            <td data-col="reason" class="exports-text">
                {reason.map_or_else(|| view! { <span>{none}</span> }.into_any(), |r| r.into_any())}
            </td>
            <td data-col="status" class="exports-status-cell">
                <StatusLine status />
                <StatusNotes entry=notes />
            </td>
            <td data-col="decision" class="exports-text">
                <span>{decision}</span>
                {decision_comment.map(|c| view! {
                    <span class="exports-comment" data-testid="ledger-comment">{c}</span>
                })}
            </td>
            <td data-col="download">{downloaded}</td>
            <td data-col="sha256">{hash}</td>
        </tr>
    }
}
