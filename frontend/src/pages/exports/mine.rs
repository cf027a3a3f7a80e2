//! "My exports": the caller's own exports, newest first, with the one-time download
//! while it is offered, the progress of a download under way, whether an alert holds an
//! export for an admin's approval, and Cancel while an export waits, is ready or is
//! being downloaded (the server then stops writing the file).

use leptos::prelude::*;
use shared::api::exports::{ExportEntry, ExportList};

use super::{downloading, may_cancel, DownloadLink, ExportsState, StatusLine, StatusNotes};
use crate::components::api_call::ApiCall;
use crate::components::console_ui::{local_time, ErrorAlert, Loading};
use crate::i18n::use_i18n;

/// The caller's exports.
#[component]
pub(super) fn MyExports(state: ExportsState) -> impl IntoView {
    let i18n = use_i18n();
    let table = move || {
        state.mine.get().map(|loaded| match loaded {
            Ok(ExportList { exports }) if exports.is_empty() => view! {
                <p class="muted" data-testid="exports-empty">{move || i18n.t().exports.empty}</p>
            }
            .into_any(),
            Ok(ExportList { exports }) => view! { <MineTable exports state /> }.into_any(),
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section class="exports-section" aria-labelledby="exports-mine-heading" data-testid="exports-mine">
            <h2 id="exports-mine-heading">{move || i18n.t().exports.mine_heading}</h2>
            <Transition fallback=|| view! { <Loading /> }>{table}</Transition>
        </section>
    }
}

#[component]
fn MineTable(exports: Vec<ExportEntry>, state: ExportsState) -> impl IntoView {
    let i18n = use_i18n();
    let header = move |label: fn(&crate::i18n::Texts) -> &'static str| {
        view! { <th scope="col">{move || label(i18n.t())}</th> }
    };
    let rows = exports
        .into_iter()
        .map(|entry| view! { <MineRow entry state /> })
        .collect_view();
    view! {
        // Scrolls sideways on a phone: focusable, so that the keyboard scrolls it too.
        <div
            class="table-wrap"
            tabindex="0"
            role="region"
            aria-label=move || i18n.t().exports.mine_heading
        >
            <table class="table exports-table exports-mine-table" data-testid="exports-mine-table">
                <thead>
                    <tr>
                        {header(|t| t.exports.col_form)}
                        {header(|t| t.exports.col_requested)}
                        {header(|t| t.exports.col_format)}
                        {header(|t| t.exports.col_rows)}
                        {header(|t| t.exports.col_values)}
                        {header(|t| t.exports.col_status)}
                        {header(|t| t.exports.col_expires)}
                        {header(|t| t.exports.col_downloaded)}
                        {header(|t| t.exports.col_actions)}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One of the caller's exports.
#[component]
fn MineRow(entry: ExportEntry, state: ExportsState) -> impl IntoView {
    let i18n = use_i18n();
    let notes = entry.clone();
    // A download under way may be stopped too: the server stops writing the file.
    let cancellable = may_cancel(entry.status) || downloading(&entry);
    let ExportEntry {
        id,
        requested_at_ms,
        form_title,
        format,
        unmasked,
        rows,
        status,
        expires_at_ms,
        downloaded_at_ms,
        download_path,
        ..
    } = entry;
    let cancel = ApiCall::new(move |api, ()| async move { api.cancel_export(&id).await })
        .on_ok(move |_| state.reload());
    let pending = cancel.pending();
    let time = move |ms: Option<i64>| {
        ms.map_or_else(
            || i18n.t().exports.none.to_owned(),
            |ms| local_time(ms, i18n.locale().tag()),
        )
    };
    let download = download_path.map(|path| {
        view! {
            <DownloadLink
                path
                expires_at_ms
                on_download=Callback::new(move |()| state.after_download())
            />
        }
    });
    let cancel_button = cancellable.then(|| {
        view! {
            <button
                type="button"
                class="button button-secondary button-small"
                disabled=move || pending.get()
                aria-busy=move || pending.get().to_string()
                on:click=move |_| cancel.run()
                data-testid="export-cancel"
            >
                {move || {
                    let t = &i18n.t().exports;
                    if pending.get() { t.cancelling } else { t.cancel }
                }}
            </button>
        }
    });
    let error = move || {
        cancel.error().get().map(|e| {
            view! {
                <p class="inline-error" role="alert" data-testid="export-cancel-error">
                    {move || i18n.t().error(e.code)}
                </p>
            }
        })
    };
    view! {
        <tr data-testid="my-export-row" data-id=id.to_string() data-status=status.as_str()>
            <th scope="row" data-col="form" class="exports-form">
                {move || form_title.get(i18n.locale()).to_owned()}
            </th>
            <td data-col="requested">{move || time(Some(requested_at_ms))}</td>
            <td data-col="format" data-format=format.as_str()>
                {move || i18n.t().exports.format_name(format)}
            </td>
            <td data-col="rows" class="exports-number">{rows.to_string()}</td>
            <td data-col="values">
                <MaskingWord unmasked />
            </td>
            <td data-col="status" class="exports-status-cell">
                <StatusLine status />
                <StatusNotes entry=notes />
            </td>
            <td data-col="expires">{move || time(expires_at_ms)}</td>
            <td data-col="downloaded">{move || time(downloaded_at_ms)}</td>
            <td data-col="actions">
                <div class="exports-actions">{download} {cancel_button}</div>
                {error}
            </td>
        </tr>
    }
}

/// Masked or unmasked, in words; unmasked also with an icon and a border.
#[component]
pub(super) fn MaskingWord(unmasked: bool) -> impl IntoView {
    let i18n = use_i18n();
    let class = if unmasked {
        "exports-masking exports-unmasked"
    } else {
        "exports-masking"
    };
    view! {
        <span class=class data-unmasked=unmasked.to_string()>
            {unmasked.then(|| view! { <span aria-hidden="true">"👁 "</span> })}
            {move || i18n.t().exports.masking(unmasked)}
        </span>
    }
}
