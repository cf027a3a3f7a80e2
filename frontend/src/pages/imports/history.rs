//! Past imports, newest first: when, which form and file, by whom, how many rows went in
//! and were skipped, the basis and purposes stated, the report, and undo while its
//! window is open (after a confirmation that says how many records go). A table on a
//! wide screen, one card per import on a phone (`imports.css`).

use std::collections::BTreeMap;

use leptos::prelude::*;
use shared::api::error::{ApiError, ErrorCode};
use shared::api::imports::{ImportEntry, ImportList};
use shared::ids::FormId;
use shared::schema::Purpose;

use super::{import_error_summary, purpose_words, ReportLinks};
use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{local_time, Loading};
use crate::i18n::{fill, use_i18n, Texts};

/// Whether `entry` can still be undone at `now_ms`.
#[must_use]
pub(super) fn may_undo(entry: &ImportEntry, now_ms: i64) -> bool {
    entry.undone_at_ms.is_none() && now_ms < entry.undo_until_ms
}

/// The rows an import left out, for whatever reason.
#[must_use]
pub(super) fn skipped(entry: &ImportEntry) -> u64 {
    entry.skipped_invalid + entry.skipped_duplicate_in_file + entry.skipped_already_stored
}

/// The purposes of each form in the history, by form, to name them.
type PurposesByForm = BTreeMap<FormId, Vec<Purpose>>;

/// The history tab.
#[component]
pub(super) fn History() -> impl IntoView {
    let i18n = use_i18n();
    let list = api_resource(|api| async move { api.imports().await });
    // The purposes' names, from each form's latest version (keys for a form gone since).
    let purposes = api_resource(move |api| {
        let forms: Vec<FormId> = list
            .get()
            .and_then(Result::ok)
            .map(|l| l.imports.iter().map(|e| e.form_id).collect())
            .unwrap_or_default();
        async move {
            let mut named = PurposesByForm::new();
            for id in forms {
                if named.contains_key(&id) {
                    continue;
                }
                if let Ok(version) = api.public_form(&id).await {
                    named.insert(id, version.definition.purposes);
                }
            }
            Ok::<_, ApiError>(named)
        }
    });
    let names = Signal::derive(move || purposes.get().and_then(Result::ok).unwrap_or_default());
    let body = move || {
        list.get().map(|loaded| match loaded {
            Ok(ImportList { imports, .. }) if imports.is_empty() => view! {
                <p class="muted" data-testid="imports-history-empty">{move || i18n.t().imports.history_empty}</p>
            }
            .into_any(),
            Ok(ImportList { imports, .. }) => {
                #[allow(clippy::cast_possible_truncation)] // Milliseconds since 1970 fit.
                let now = js_sys::Date::now() as i64;
                let rows = imports
                    .into_iter()
                    .map(|entry| view! { <HistoryRow entry now names on_undone=move || list.refetch() /> })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="table imports-history-table" data-testid="imports-history">
                            <thead>
                                <tr>
                                    <th scope="col">{move || i18n.t().imports.col_when}</th>
                                    <th scope="col">{move || i18n.t().imports.col_form}</th>
                                    <th scope="col">{move || i18n.t().imports.col_file}</th>
                                    <th scope="col">{move || i18n.t().imports.col_by}</th>
                                    <th scope="col">{move || i18n.t().imports.col_rows}</th>
                                    <th scope="col">{move || i18n.t().imports.col_basis}</th>
                                    <th scope="col">{move || i18n.t().imports.col_report}</th>
                                    <th scope="col">{move || i18n.t().imports.col_undo}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
            Err(e) => {
                let t = i18n.t();
                let words = import_error_summary(t, &e)
                    .map_or_else(|| t.error_text(&e), str::to_owned);
                view! {
                    <div class="alert alert-error" role="alert" data-testid="imports-history-error">
                        <p class="alert-title">{words}</p>
                    </div>
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="imports-section" aria-labelledby="imports-history-heading" data-testid="imports-history-section">
            <h2 id="imports-history-heading">{move || i18n.t().imports.history_heading}</h2>
            <Suspense fallback=|| view! { <Loading /> }>{body}</Suspense>
        </section>
    }
}

/// One import of the history.
#[component]
fn HistoryRow(
    entry: ImportEntry,
    now: i64,
    names: Signal<PurposesByForm>,
    on_undone: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = move |pick: fn(&Texts) -> &'static str| move || pick(i18n.t());
    let id = entry.id;
    let form_id = entry.form_id;
    let form_title = entry.form_title.clone();
    let by = entry.created_by_name.clone();
    let basis = entry.basis.clone();
    let imported = entry.imported;
    let left_out = skipped(&entry);
    let consented = entry.consented;
    let created = entry.created_at_ms;
    let source = entry.source.clone();
    let file_name = entry.file_name.clone();
    let ground = entry.basis.basis;
    let undone = entry.undone_at_ms.is_some();
    let purposes = move || {
        let locale = i18n.locale();
        let words = names.with(|n| {
            purpose_words(
                &basis.purposes,
                n.get(&form_id).map_or(&[], Vec::as_slice),
                locale,
            )
        });
        fill(i18n.t().imports.purposes_line, &[("purposes", &words)])
    };
    let basis_name = move || i18n.t().imports.basis(ground, i18n.locale());
    view! {
        <tr data-testid="import-entry" data-import-id=id.to_string() data-undone=undone.to_string()>
            <td data-label=label(|t| t.imports.col_when)>{move || local_time(created, i18n.locale().tag())}</td>
            <td data-label=label(|t| t.imports.col_form) class="imports-form">
                {move || form_title.get(i18n.locale()).to_owned()}
            </td>
            <td data-label=label(|t| t.imports.col_file) class="imports-file">
                <span data-testid="import-entry-file">{file_name}</span>
                <span class="muted">" · " {move || i18n.t().imports.source(&source).to_owned()}</span>
            </td>
            <td data-label=label(|t| t.imports.col_by)>
                {move || by.clone().unwrap_or_else(|| i18n.t().imports.unknown_person.to_owned())}
            </td>
            <td data-label=label(|t| t.imports.col_rows) class="imports-rows">
                <span data-testid="import-entry-imported" data-count=imported.to_string()>
                    {move || fill(i18n.t().imports.rows_imported, &[("imported", &imported.to_string())])}
                </span>
                " / "
                <span data-testid="import-entry-skipped" data-count=left_out.to_string()>
                    {move || fill(i18n.t().imports.rows_skipped, &[("skipped", &left_out.to_string())])}
                </span>
                {(consented > 0).then(|| view! {
                    <span class="imports-consented">
                        {move || fill(i18n.t().imports.consented, &[("count", &consented.to_string())])}
                    </span>
                })}
            </td>
            <td data-label=label(|t| t.imports.col_basis) class="imports-basis">
                <strong data-testid="import-entry-basis" data-basis=ground.as_str()>{basis_name}</strong>
                <span class="imports-purposes">{purposes}</span>
            </td>
            <td data-label=label(|t| t.imports.col_report)><ReportLinks id /></td>
            <td data-label=label(|t| t.imports.col_undo)>
                <UndoCell entry now on_undone />
            </td>
        </tr>
    }
}

/// Undo, with its confirmation, while the window is open; else whether, by whom and
/// when it was undone, or that it can no longer be.
#[component]
fn UndoCell(entry: ImportEntry, now: i64, on_undone: impl Fn() + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let undo =
        ApiCall::new(|api, id: shared::ids::ImportId| async move { api.undo_import(&id).await })
            .on_ok(move |_: &ImportEntry| on_undone());
    let pending = undo.pending();
    let error = undo.error();
    let id = entry.id;
    let count = entry.imported;
    if let Some(at) = entry.undone_at_ms {
        let name = entry.undone_by_name.clone();
        let held = entry.undo_held;
        return view! {
            <p class="imports-undone" data-testid="import-undone">
                {move || {
                    let t = &i18n.t().imports;
                    let name = name.clone().unwrap_or_else(|| t.unknown_person.to_owned());
                    let time = local_time(at, i18n.locale().tag());
                    fill(t.undone, &[("name", &name), ("time", &time)])
                }}
            </p>
            {(held > 0).then(|| view! {
                <p class="imports-held" data-testid="import-undo-held" data-count=held.to_string()>
                    {move || fill(i18n.t().imports.undo_held, &[("count", &held.to_string())])}
                </p>
            })}
        }
        .into_any();
    }
    if !may_undo(&entry, now) {
        return view! {
            <p class="muted" data-testid="import-undo-closed">{move || i18n.t().imports.undo_closed}</p>
        }
        .into_any();
    }
    let until = entry.undo_until_ms;
    let failure = move || {
        error.get().map(|e| {
            let t = i18n.t();
            let words = if matches!(e.code, ErrorCode::Conflict | ErrorCode::AlreadyResolved) {
                t.imports.undo_closed.to_owned()
            } else {
                t.error_text(&e)
            };
            view! { <p class="inline-error" role="alert" data-testid="import-undo-error">{words}</p> }
        })
    };
    view! {
        <div class="imports-undo">
            <p class="muted imports-undo-until">
                {move || fill(i18n.t().imports.undo_until, &[("time", &local_time(until, i18n.locale().tag()))])}
            </p>
            <Show
                when=move || confirming.get()
                fallback=move || view! {
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        on:click=move |_| confirming.set(true)
                        data-testid="import-undo"
                    >
                        {move || i18n.t().imports.undo}
                    </button>
                }
            >
                <div class="imports-undo-confirm" role="group" data-testid="import-undo-confirm">
                    <p>{move || fill(i18n.t().imports.undo_confirm, &[("count", &count.to_string())])}</p>
                    <div class="row-actions">
                        <button
                            type="button"
                            class="button button-small imports-undo-yes"
                            disabled=move || pending.get()
                            aria-busy=move || pending.get().to_string()
                            on:click=move |_| undo.dispatch(id)
                            data-testid="import-undo-yes"
                        >
                            {move || {
                                let t = &i18n.t().imports;
                                if pending.get() { t.undoing } else { t.undo_yes }
                            }}
                        </button>
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            disabled=move || pending.get()
                            on:click=move |_| confirming.set(false)
                            data-testid="import-undo-keep"
                        >
                            {move || i18n.t().imports.undo_keep}
                        </button>
                    </div>
                </div>
            </Show>
            {failure}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::imports::{ImportBasis, OnProblems};
    use shared::i18n::LocalizedText;
    use shared::ids::ImportId;
    use shared::schema::LawfulBasis;

    fn entry() -> ImportEntry {
        ImportEntry {
            id: ImportId::from_random_bytes([1; 16]),
            form_id: FormId::from_random_bytes([2; 16]),
            form_title: LocalizedText::new("客户登记", "Customer sign-up"),
            form_version: 1,
            created_at_ms: 1_000,
            created_by: None,
            created_by_name: Some("admin".to_owned()),
            file_name: "客户.csv".to_owned(),
            file_sha256: "ab".repeat(32),
            source: "gb18030".to_owned(),
            rows_total: 10,
            imported: 6,
            skipped_invalid: 2,
            skipped_duplicate_in_file: 1,
            skipped_already_stored: 1,
            basis: ImportBasis {
                basis: LawfulBasis::Consent,
                purposes: Vec::new(),
                evidence: String::new(),
            },
            on_problems: OnProblems::Skip,
            undo_until_ms: 5_000,
            undone_at_ms: None,
            undone_by_name: None,
            undo_held: 0,
            consented: 0,
        }
    }

    #[test]
    fn an_import_can_be_undone_within_its_window_once() {
        let e = entry();
        assert!(may_undo(&e, 4_999));
        assert!(!may_undo(&e, 5_000));
        let undone = ImportEntry {
            undone_at_ms: Some(2_000),
            ..e
        };
        assert!(!may_undo(&undone, 3_000));
    }

    #[test]
    fn skipped_rows_add_up_every_reason() {
        assert_eq!(skipped(&entry()), 4);
    }
}
