//! `/records`: the caller's records as the server scopes and masks them, a filter by
//! form, a lookup by identifier, an audited reveal of masked values, assignment, what
//! retention did to values, the end of a customer relationship, and withdrawals of
//! consent recorded at the customer's request; an export of the chosen form's records
//! (`export.rs`).

mod assign;
mod export;
pub mod history;
mod history_compare;
mod relationship;
mod row;
mod value;
mod withdrawal;
mod withdrawal_draft;

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::access::Permission;
use shared::api::error::ApiError;
use shared::api::records::{IdentifierKind, LookupRequest, RecordForm, RecordPage, RecordView};

use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{ErrorAlert, LoadError, Loading, RolesOnly};
use crate::components::form::FormAlert;
use crate::i18n::{fill, set_page_title, use_i18n};
use crate::session::use_session;
use assign::AssignDialog;
use export::ExportDialog;
use row::RecordRow;
use value::RevealDialog;
use withdrawal::RecordWithdrawalDialog;

/// Records per page.
const PAGE_SIZE: &str = "50";

/// What the page's parts share: the records shown, revealed values and the targets of
/// its dialogs.
#[derive(Clone, Copy)]
pub(crate) struct RecordsState {
    /// The form the list is filtered by, empty for all.
    pub form_filter: RwSignal<String>,
    /// The first page of the list, loaded again when the filter changes.
    pub first: LocalResource<Result<RecordPage, ApiError>>,
    /// The pages loaded after the first, in order.
    pub more: RwSignal<Vec<RecordPage>>,
    /// The records a lookup found, shown instead of the list.
    pub found: RwSignal<Option<Vec<RecordView>>>,
    /// Values revealed in this visit, by `(record id, field key)`.
    pub revealed: RwSignal<BTreeMap<(String, String), String>>,
    /// The value the reveal dialog is about.
    pub reveal_target: RwSignal<Option<(String, String)>>,
    /// The record the assign dialog is about.
    pub assign_target: RwSignal<Option<String>>,
    /// The record the withdrawal dialog is about, as its row shows it (the row shows the
    /// server's new view of it after a withdrawal).
    pub withdrawal_target: RwSignal<Option<RwSignal<RecordView>>>,
    /// The form the export dialog exports.
    pub export_target: RwSignal<Option<RecordForm>>,
}

impl RecordsState {
    /// Shows the list from its first page, filtered by `form` (empty for all forms).
    pub fn show(self, form: String) {
        self.more.set(Vec::new());
        self.found.set(None);
        self.form_filter.set(form);
    }

    /// Loads the list again from its first page.
    pub fn reload(self) {
        self.show(self.form_filter.get_untracked());
    }

    /// Where the next page starts, if there is one (tracked).
    fn next_before(self) -> Option<i64> {
        match self.more.with(|m| m.last().map(|p| p.next_before)) {
            Some(next) => next,
            None => self.first.with(|f| {
                f.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|p| p.next_before)
            }),
        }
    }
}

/// The query of one page of the list.
fn page_params(form: String, before: Option<i64>) -> Vec<(&'static str, String)> {
    let mut params = vec![("form", form), ("limit", PAGE_SIZE.to_owned())];
    if let Some(before) = before {
        params.push(("before", before.to_string()));
    }
    params
}

/// The records page.
#[component]
pub fn RecordsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ViewRecords>
            <Records />
        </RolesOnly>
    }
}

#[component]
fn Records() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    Effect::new(move |_| set_page_title(i18n.t().console.records_title));
    let form_filter = RwSignal::new(String::new());
    let state = RecordsState {
        form_filter,
        first: api_resource(move |api| {
            // Values are worded in the viewer's language (choices by their labels):
            // switching it loads them again.
            let _ = i18n.locale();
            let params = page_params(form_filter.get(), None);
            async move { api.records(&params).await }
        }),
        more: RwSignal::new(Vec::new()),
        found: RwSignal::new(None),
        revealed: RwSignal::new(BTreeMap::new()),
        reveal_target: RwSignal::new(None),
        assign_target: RwSignal::new(None),
        withdrawal_target: RwSignal::new(None),
        export_target: RwSignal::new(None),
    };
    let form_input = RwSignal::new(String::new());
    // The filter offers the forms of the records in reach, by title.
    let forms = api_resource(|api| async move { api.record_forms().await });
    let form_options = move || {
        let locale = i18n.locale();
        forms
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|f| {
                let selected = form_input.with(|v| *v == f.id.to_string());
                view! { <option value=f.id.to_string() selected=selected>{f.title.get(locale).to_owned()}</option> }
            })
            .collect_view()
    };
    let load_more = ApiCall::new(move |api, before: i64| {
        let params = page_params(form_filter.get_untracked(), Some(before));
        async move { api.records(&params).await }
    })
    .on_ok(move |page: &RecordPage| state.more.update(|m| m.push(page.clone())));
    let apply_filter = move |ev: SubmitEvent| {
        ev.prevent_default();
        state.show(form_input.get_untracked().trim().to_owned());
    };
    // An export is of one form: the one chosen in the filter.
    let no_form = move || form_input.with(String::is_empty);
    let open_export = move |_| {
        let chosen = form_input.get_untracked();
        let form = forms.with_untracked(|f| {
            f.as_ref()
                .and_then(|f| f.as_ref().ok())
                .and_then(|list| list.iter().find(|f| f.id.to_string() == chosen).cloned())
        });
        if form.is_some() {
            state.export_target.set(form);
        }
    };
    let clear_filter = move |_| {
        form_input.set(String::new());
        state.show(String::new());
    };
    // Read once for the rows (see `relationship.rs`).
    let may_assign_now = untrack(|| session.may(Permission::AssignRecords));
    let may_assign = move || may_assign_now;
    let table = move |list: Vec<RecordView>| {
        if list.is_empty() {
            return view! {
                <p class="muted" data-testid="no-records">
                    {move || i18n.t().console.no_records}
                </p>
            }
            .into_any();
        }
        view! {
            <div class="table-wrap">
                <table class="table records-table" data-testid="records-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().console.col_record}</th>
                            <th scope="col">{move || i18n.t().console.col_values}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list
                            .into_iter()
                            .map(|record| view! { <RecordRow record state may_assign /> })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let rows = move || {
        if let Some(found) = state.found.get() {
            return Some(table(found));
        }
        state.first.get().map(|first| match first {
            Ok(page) => {
                let mut list = page.records;
                state
                    .more
                    .with(|m| list.extend(m.iter().flat_map(|p| p.records.iter().cloned())));
                table(list)
            }
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    let lookup_count = move || state.found.with(|f| f.as_ref().map(Vec::len));
    view! {
        <section class="console-page">
            <h1>{move || i18n.t().console.records_title}</h1>
            <p class="muted">{move || i18n.t().console.records_intro}</p>
            <div class="console-tools">
                <form class="card form inline-form" on:submit=apply_filter>
                    <h2 class="small-heading">{move || i18n.t().console.filter_heading}</h2>
                    <div class="field">
                        <label for="records-form">{move || i18n.t().console.filter_form}</label>
                        <select
                            id="records-form"
                            prop:value=move || form_input.get()
                            on:change=move |ev| form_input.set(event_target_value(&ev))
                            data-testid="records-form-filter"
                        >
                            <option value="">{move || i18n.t().console.filter_all_forms}</option>
                            {form_options}
                        </select>
                    </div>
                    <div class="row-actions">
                        <button type="submit" class="button button-primary button-small">
                            {move || i18n.t().console.filter_apply}
                        </button>
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            on:click=clear_filter
                        >
                            {move || i18n.t().console.filter_clear}
                        </button>
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            disabled=no_form
                            aria-describedby=move || no_form().then_some("export-open-hint")
                            on:click=open_export
                            data-testid="export-open"
                        >
                            {move || i18n.t().exports.open}
                        </button>
                    </div>
                    <Show when=no_form>
                        <p id="export-open-hint" class="field-hint">
                            {move || i18n.t().exports.open_hint}
                        </p>
                    </Show>
                </form>
                <LookupForm state />
            </div>
            <Show when=move || lookup_count().is_some()>
                <p role="status" data-testid="lookup-count">
                    {move || {
                        let count = lookup_count().unwrap_or_default().to_string();
                        fill(i18n.t().console.lookup_results, &[("count", &count)])
                    }}
                </p>
            </Show>
            <Suspense fallback=|| view! { <Loading /> }>{rows}</Suspense>
            <LoadError error=load_more.error() />
            <Show when=move || load_more.pending().get()>
                <Loading />
            </Show>
            <Show when=move || state.next_before().is_some() && lookup_count().is_none()>
                <button
                    type="button"
                    class="button button-secondary"
                    disabled=move || load_more.pending().get()
                    on:click=move |_| {
                        if let Some(before) = untrack(move || state.next_before()) {
                            load_more.dispatch(before);
                        }
                    }
                >
                    {move || i18n.t().console.load_more}
                </button>
            </Show>
            <RevealDialog state />
            <AssignDialog state />
            <RecordWithdrawalDialog state />
            <ExportDialog state />
        </section>
    }
}

/// Finds records by phone, email or resident ID without decrypting anything.
#[component]
fn LookupForm(state: RecordsState) -> impl IntoView {
    let i18n = use_i18n();
    let kind = RwSignal::new("phone".to_owned());
    let value = RwSignal::new(String::new());
    let lookup =
        ApiCall::new(|api, req: LookupRequest| async move { api.lookup_records(&req).await })
            .on_ok(move |page: &RecordPage| state.found.set(Some(page.records.clone())));
    let pending = lookup.pending();
    let error = lookup.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let kind = match kind.get_untracked().as_str() {
            "email" => IdentifierKind::Email,
            "resident_id" => IdentifierKind::ResidentId,
            _ => IdentifierKind::Phone,
        };
        lookup.dispatch(LookupRequest {
            kind,
            value: value.get_untracked().trim().to_owned(),
        });
    };
    let issues = move || {
        let t = i18n.t();
        error.with(|e| {
            e.as_ref()
                .map(|e| {
                    e.field_issues("value")
                        .iter()
                        .map(|i| t.issue(i))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let option = move |value: &'static str, label: fn(&crate::i18n::Texts) -> &'static str| {
        view! { <option value=value>{move || label(i18n.t())}</option> }
    };
    view! {
        <form class="card form inline-form" on:submit=submit data-testid="lookup-form">
            <h2 class="small-heading">{move || i18n.t().console.lookup_heading}</h2>
            <FormAlert error />
            <div class="field">
                <label for="lookup-kind">{move || i18n.t().console.lookup_kind}</label>
                <select id="lookup-kind" bind:value=kind>
                    {option("phone", |t| t.console.kind_phone)}
                    {option("email", |t| t.console.kind_email)}
                    {option("resident_id", |t| t.console.kind_resident_id)}
                </select>
            </div>
            <div class="field">
                <label for="lookup-value">{move || i18n.t().console.lookup_value}</label>
                <input
                    id="lookup-value"
                    type="text"
                    autocomplete="off"
                    required
                    aria-describedby="lookup-value-issues"
                    bind:value=value
                />
                <ul id="lookup-value-issues" class="field-issues" aria-live="polite">
                    {move || issues().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                </ul>
            </div>
            <div class="row-actions">
                <button
                    type="submit"
                    class="button button-primary button-small"
                    disabled=move || pending.get()
                >
                    {move || {
                        let t = &i18n.t().console;
                        if pending.get() { t.lookup_pending } else { t.lookup_submit }
                    }}
                </button>
                <Show when=move || state.found.with(Option::is_some)>
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        on:click=move |_| state.reload()
                    >
                        {move || i18n.t().console.lookup_clear}
                    </button>
                </Show>
            </div>
        </form>
    }
}
