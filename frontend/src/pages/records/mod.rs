//! `/records`: the caller's records as the server scopes and masks them, filtered by
//! form, days, team, owner and state of consent and ordered by time (`filter.rs`), page
//! after page; a lookup by identifier, an audited reveal of masked values, assignment,
//! what retention did to values, the end of a customer relationship, and withdrawals of
//! consent recorded at the customer's request; an export of what the filter selects
//! (`export.rs`).

mod assign;
mod consent_request;
mod export;
mod filter;
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
use leptos_router::hooks::use_query_map;
use shared::access::Permission;
use shared::api::error::ApiError;
use shared::api::records::{IdentifierKind, LookupRequest, RecordFilter, RecordPage, RecordView};
use shared::ids::FormId;

use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{ErrorAlert, LoadError, Loading, RolesOnly};
use crate::components::form::FormAlert;
use crate::i18n::{fill, set_page_title, use_i18n};
use crate::session::use_session;
use assign::AssignDialog;
use export::{ExportDialog, ExportTarget};
pub(crate) use filter::person_label;
use filter::{keep_list_issues, FilterDraft, FilterForm, ListQuery};
use row::RecordRow;
use value::RevealDialog;
use withdrawal::RecordWithdrawalDialog;

/// What the page's parts share: the records shown, revealed values and the targets of
/// its dialogs.
#[derive(Clone, Copy)]
pub(crate) struct RecordsState {
    /// The filter and order the list shows (and an export exports).
    pub query: RwSignal<ListQuery>,
    /// The filter's problems, found before sending or by the server, under its fields.
    pub filter_error: RwSignal<Option<ApiError>>,
    /// The first page of the list, loaded again when the query changes.
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
    /// What the export dialog exports: the list's filter, with its form.
    pub export_target: RwSignal<Option<ExportTarget>>,
}

impl RecordsState {
    /// Shows the list from its first page, as `query` selects and orders it.
    pub fn show(self, query: ListQuery) {
        self.more.set(Vec::new());
        self.found.set(None);
        self.query.set(query);
    }

    /// Loads the list again from its first page.
    pub fn reload(self) {
        self.show(self.query.get_untracked());
    }

    /// Where the next page starts, if there is one (tracked).
    fn next(self) -> Option<String> {
        match self.more.with(|m| m.last().map(|p| p.next.clone())) {
            Some(next) => next,
            None => self.first.with(|f| {
                f.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|p| p.next.clone())
            }),
        }
    }
}

/// The list's first query: the records of the form a link names (`?form_id=`, as an
/// import's result links to them), else all in reach.
fn first_query() -> ListQuery {
    let form_id = use_query_map()
        .with_untracked(|p| p.get("form_id"))
        .and_then(|id| FormId::parse(&id).ok());
    ListQuery {
        filter: RecordFilter {
            form_id,
            ..RecordFilter::default()
        },
        ..ListQuery::default()
    }
}

/// The filter's inputs for the list's first query: the form a link named, as the
/// picker shows it.
fn first_draft(query: &ListQuery) -> FilterDraft {
    FilterDraft {
        form: query
            .filter
            .form_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        ..FilterDraft::default()
    }
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
    let query = RwSignal::new(first_query());
    let state = RecordsState {
        query,
        filter_error: RwSignal::new(None),
        first: api_resource(move |api| {
            // Values are worded in the viewer's language (choices by their labels):
            // switching it loads them again.
            let _ = i18n.locale();
            let params = query.with(|q| q.params(None));
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
    keep_list_issues(state);
    let load_more = ApiCall::new(move |api, cursor: String| {
        let params = query.with_untracked(|q| q.params(Some(&cursor)));
        async move { api.records(&params).await }
    })
    .on_ok(move |page: &RecordPage| state.more.update(|m| m.push(page.clone())));
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
                <FilterForm state />
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
            <Show when=move || state.next().is_some() && lookup_count().is_none()>
                <button
                    type="button"
                    class="button button-secondary"
                    disabled=move || load_more.pending().get()
                    aria-busy=move || load_more.pending().get().to_string()
                    on:click=move |_| {
                        if let Some(cursor) = untrack(move || state.next()) {
                            load_more.dispatch(cursor);
                        }
                    }
                    data-testid="records-load-more"
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
