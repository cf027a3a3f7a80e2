//! `/records`: the caller's records as the server scopes and masks them, a filter by
//! form, a lookup by identifier, an audited reveal of masked values, and assignment.

mod assign;
mod value;

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::access::Permission;
use shared::api::error::ApiError;
use shared::api::records::{IdentifierKind, LookupRequest, RecordPage, RecordView};

use crate::components::console_ui::{local_time, LoadError, RolesOnly};
use crate::components::form::FormAlert;
use crate::i18n::{fill, set_page_title, use_i18n};
use crate::session::use_session;
use assign::AssignDialog;
use value::{RevealDialog, ValueCell};

/// Records per page.
const PAGE_SIZE: &str = "50";

/// What the page's parts share: revealed values and the targets of its dialogs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordsState {
    /// Values revealed in this visit, by `(record id, field key)`.
    pub revealed: RwSignal<BTreeMap<(String, String), String>>,
    /// The value the reveal dialog is about.
    pub reveal_target: RwSignal<Option<(String, String)>>,
    /// The record the assign dialog is about.
    pub assign_target: RwSignal<Option<String>>,
    /// Bumped to reload the list from the start.
    pub reload: RwSignal<u32>,
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
    let state = RecordsState {
        revealed: RwSignal::new(BTreeMap::new()),
        reveal_target: RwSignal::new(None),
        assign_target: RwSignal::new(None),
        reload: RwSignal::new(0),
    };
    let form_input = RwSignal::new(String::new());
    let form_filter = RwSignal::new(String::new());
    let records = RwSignal::new(Vec::<RecordView>::new());
    let next_before = RwSignal::new(None::<i64>);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let lookup_count = RwSignal::new(None::<usize>);

    let load = move |before: Option<i64>| {
        loading.set(true);
        error.set(None);
        let api = session.client();
        let mut params = vec![
            ("form", form_filter.get_untracked()),
            ("limit", PAGE_SIZE.to_owned()),
        ];
        if let Some(before) = before {
            params.push(("before", before.to_string()));
        }
        spawn_local(async move {
            let result = api.records(&params).await;
            loading.set(false);
            match result {
                Ok(RecordPage {
                    records: page,
                    next_before: next,
                }) => {
                    if before.is_some() {
                        records.update(|r| r.extend(page));
                    } else {
                        records.set(page);
                    }
                    next_before.set(next);
                }
                Err(e) => {
                    session.note_error(&e);
                    error.set(Some(e));
                }
            }
        });
    };
    Effect::new(move |_| {
        state.reload.track();
        lookup_count.set(None);
        load(None);
    });
    let apply_filter = move |ev: SubmitEvent| {
        ev.prevent_default();
        form_filter.set(form_input.get_untracked().trim().to_owned());
        state.reload.update(|n| *n += 1);
    };
    let clear_filter = move |_| {
        form_input.set(String::new());
        form_filter.set(String::new());
        state.reload.update(|n| *n += 1);
    };
    let may_assign = move || session.may(Permission::AssignRecords);
    let rows = move || {
        let list = records.get();
        if list.is_empty() && !loading.get() {
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
    view! {
        <section class="console-page">
            <h1>{move || i18n.t().console.records_title}</h1>
            <p class="muted">{move || i18n.t().console.records_intro}</p>
            <div class="console-tools">
                <form class="card form inline-form" on:submit=apply_filter>
                    <h2 class="small-heading">{move || i18n.t().console.filter_heading}</h2>
                    <div class="field">
                        <label for="records-form">{move || i18n.t().console.filter_form}</label>
                        <input
                            id="records-form"
                            type="text"
                            autocomplete="off"
                            bind:value=form_input
                            data-testid="records-form-filter"
                        />
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
                    </div>
                </form>
                <LookupForm records next_before lookup_count state />
            </div>
            <LoadError error />
            <Show when=move || lookup_count.get().is_some()>
                <p role="status" data-testid="lookup-count">
                    {move || {
                        let count = lookup_count.get().unwrap_or_default().to_string();
                        fill(i18n.t().console.lookup_results, &[("count", &count)])
                    }}
                </p>
            </Show>
            {rows}
            <p class="muted loading" aria-live="polite">
                {move || loading.get().then(|| i18n.t().loading)}
            </p>
            <Show when=move || next_before.get().is_some() && lookup_count.get().is_none()>
                <button
                    type="button"
                    class="button button-secondary"
                    disabled=move || loading.get()
                    on:click=move |_| load(next_before.get_untracked())
                >
                    {move || i18n.t().console.load_more}
                </button>
            </Show>
            <RevealDialog state />
            <AssignDialog state />
        </section>
    }
}

/// One record: its facts, then each field as the server shows it.
#[component]
fn RecordRow(
    record: RecordView,
    state: RecordsState,
    may_assign: impl Fn() -> bool + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = record.id.clone();
    let short_id: String = record.id.chars().take(8).collect();
    let created = record.created_at_ms;
    let owner = record.owner_id.clone();
    let assign_id = record.id.clone();
    let values = record
        .values
        .into_iter()
        .map(|(key, value)| {
            view! {
                <div class="record-value">
                    <dt>{key.clone()}</dt>
                    <dd>
                        <ValueCell record_id=id.clone() key value state />
                    </dd>
                </div>
            }
        })
        .collect_view();
    view! {
        <tr data-record-id=record.id>
            <td class="record-facts">
                <p class="record-id" title=record.id.clone()>
                    <code>{short_id}</code>
                </p>
                <p>
                    {move || i18n.t().console.form} ": " <code>{record.form_id.clone()}</code>
                    " v" {record.form_version}
                </p>
                <p>
                    {move || i18n.t().console.created} ": "
                    {move || local_time(created, i18n.locale().tag())}
                </p>
                <p>{move || i18n.t().console.source} ": " {record.source.clone()}</p>
                <p data-testid="record-version">
                    {move || fill(i18n.t().console.record_version, &[("version", &record.version.to_string())])}
                    {(record.open_conflicts > 0).then(|| view! {
                        " · "
                        <a href="/conflicts" class="badge" data-testid="record-open-conflicts">
                            {move || fill(i18n.t().console.record_open_conflicts, &[("count", &record.open_conflicts.to_string())])}
                        </a>
                    })}
                </p>
                <p>
                    {move || i18n.t().console.owner} ": "
                    {match owner {
                        Some(owner) => view! { <code>{owner}</code> }.into_any(),
                        None => {
                            view! { <span>{move || i18n.t().console.unassigned}</span> }.into_any()
                        }
                    }}
                </p>
                <Show when=may_assign>
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        on:click={
                            let assign_id = assign_id.clone();
                            move |_| state.assign_target.set(Some(assign_id.clone()))
                        }
                        data-testid="assign-open"
                    >
                        {move || i18n.t().console.assign}
                    </button>
                </Show>
            </td>
            <td>
                <dl class="record-values">{values}</dl>
            </td>
        </tr>
    }
}

/// Finds records by phone, email or resident ID without decrypting anything.
#[component]
fn LookupForm(
    records: RwSignal<Vec<RecordView>>,
    next_before: RwSignal<Option<i64>>,
    lookup_count: RwSignal<Option<usize>>,
    state: RecordsState,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let kind = RwSignal::new("phone".to_owned());
    let value = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let kind = match kind.get_untracked().as_str() {
            "email" => IdentifierKind::Email,
            "resident_id" => IdentifierKind::ResidentId,
            _ => IdentifierKind::Phone,
        };
        let req = LookupRequest {
            kind,
            value: value.get_untracked().trim().to_owned(),
        };
        pending.set(true);
        error.set(None);
        let api = session.client();
        spawn_local(async move {
            let result = api.lookup_records(&req).await;
            pending.set(false);
            match result {
                Ok(page) => {
                    lookup_count.set(Some(page.records.len()));
                    records.set(page.records);
                    next_before.set(None);
                }
                Err(e) => {
                    session.note_error(&e);
                    error.set(Some(e));
                }
            }
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
                <button type="submit" class="button button-primary button-small" disabled=pending>
                    {move || {
                        let t = &i18n.t().console;
                        if pending.get() { t.lookup_pending } else { t.lookup_submit }
                    }}
                </button>
                <Show when=move || lookup_count.get().is_some()>
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        on:click=move |_| state.reload.update(|n| *n += 1)
                    >
                        {move || i18n.t().console.lookup_clear}
                    </button>
                </Show>
            </div>
        </form>
    }
}
