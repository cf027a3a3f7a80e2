//! `/audit`: search the tamper-evident log (newest first; the actor chosen by name
//! among the accounts in the log), see an entry's details, verify the chain, sign its
//! head now, and export the matching entries as CSV.

mod chain;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::access::Permission;
use shared::api::audit::AuditPage;
use shared::api::auth::Role;
use shared::api::API_PREFIX;
use shared::audit::AuditEntry;

use crate::api::query_string;
use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{
    date_to_ms, local_time, ErrorAlert, LoadError, Loading, RolesOnly,
};
use crate::i18n::{set_page_title, use_i18n};
use crate::pages::records::person_label;
use chain::ChainPanel;

/// Entries per page.
const PAGE_SIZE: &str = "100";

/// The search form's values.
#[derive(Debug, Clone, Copy)]
struct Filters {
    action: RwSignal<String>,
    actor: RwSignal<String>,
    target: RwSignal<String>,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

impl Filters {
    /// The query parameters of the search (untracked).
    fn params(self) -> Vec<(&'static str, String)> {
        let ms = |d: Option<i64>| d.map(|v| v.to_string()).unwrap_or_default();
        vec![
            ("action", self.action.get_untracked().trim().to_owned()),
            ("actor", self.actor.get_untracked().trim().to_owned()),
            ("target", self.target.get_untracked().trim().to_owned()),
            ("from_ms", ms(date_to_ms(&self.from.get_untracked(), false))),
            ("to_ms", ms(date_to_ms(&self.to.get_untracked(), true))),
        ]
    }
}

/// The audit page.
#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ViewAudit>
            <AuditLog />
        </RolesOnly>
    }
}

#[component]
fn AuditLog() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_page_title(i18n.t().console.audit_title));
    let filters = Filters {
        action: RwSignal::new(String::new()),
        actor: RwSignal::new(String::new()),
        target: RwSignal::new(String::new()),
        from: RwSignal::new(String::new()),
        to: RwSignal::new(String::new()),
    };
    // The filters of the search shown: the list's query, and the export link's.
    let applied = RwSignal::new(filters.params());
    let first = api_resource(move |api| {
        let mut params = applied.get();
        params.push(("limit", PAGE_SIZE.to_owned()));
        async move { api.audit(&params).await }
    });
    // The pages loaded after the first, in order.
    let more = RwSignal::new(Vec::<AuditPage>::new());
    let load_more = ApiCall::new(move |api, before: i64| {
        let mut params = applied.get_untracked();
        params.push(("limit", PAGE_SIZE.to_owned()));
        params.push(("before_seq", before.to_string()));
        async move { api.audit(&params).await }
    })
    .on_ok(move |page: &AuditPage| more.update(|m| m.push(page.clone())));
    let next_before = move || match more.with(|m| m.last().map(|p| p.next_before_seq)) {
        Some(next) => next,
        None => first.with(|f| {
            f.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|p| p.next_before_seq)
        }),
    };
    let show = move || {
        more.set(Vec::new());
        applied.set(filters.params());
    };
    let search = move |ev: SubmitEvent| {
        ev.prevent_default();
        show();
    };
    let reset = move |_| {
        for s in [
            filters.action,
            filters.actor,
            filters.target,
            filters.from,
            filters.to,
        ] {
            s.set(String::new());
        }
        show();
    };
    let export_href =
        move || applied.with(|p| format!("{API_PREFIX}/audit/export{}", query_string(p)));
    let text_field = move |id: &'static str,
                           label: fn(&crate::i18n::Texts) -> &'static str,
                           value: RwSignal<String>,
                           input_type: &'static str| {
        view! {
            <div class="field">
                <label for=id>{move || label(i18n.t())}</label>
                <input id=id type=input_type autocomplete="off" bind:value=value data-testid=id />
            </div>
        }
    };
    let rows = move || {
        first.get().map(|loaded| {
            let first = match loaded {
                Ok(page) => page,
                Err(e) => return view! { <ErrorAlert code=e.code /> }.into_any(),
            };
            let mut list = first.entries;
            // User id → name of the accounts acting in the entries loaded so far.
            let mut names = first.actor_names;
            let mut reasons = first.reveal_reasons;
            more.with(|m| {
                for page in m {
                    list.extend(page.entries.iter().cloned());
                    names.extend(page.actor_names.clone());
                    reasons.extend(page.reveal_reasons.clone());
                }
            });
            if list.is_empty() {
                return view! {
                    <p class="muted" data-testid="no-entries">{move || i18n.t().console.no_entries}</p>
                }
                .into_any();
            }
            view! {
                <div class="table-wrap">
                    <table class="table audit-table" data-testid="audit-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || i18n.t().console.col_seq}</th>
                                <th scope="col">{move || i18n.t().console.col_time}</th>
                                <th scope="col">{move || i18n.t().console.col_actor}</th>
                                <th scope="col">{move || i18n.t().console.col_role}</th>
                                <th scope="col">{move || i18n.t().console.col_action}</th>
                                <th scope="col">{move || i18n.t().console.col_target}</th>
                                <th scope="col">{move || i18n.t().console.col_ip}</th>
                                <th scope="col">{move || i18n.t().console.col_details}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list
                                .into_iter()
                                .map(|entry| {
                                    let actor_name = entry
                                        .actor_id
                                        .as_ref()
                                        .and_then(|id| names.get(id).cloned());
                                    let reveal_reason = reasons.get(&entry.seq).cloned();
                                    view! { <EntryRow entry actor_name reveal_reason /> }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any()
        })
    };
    view! {
        <section class="console-page">
            <h1>{move || i18n.t().console.audit_title}</h1>
            <p class="muted">{move || i18n.t().console.audit_intro}</p>
            <ChainPanel />
            <form class="card form audit-search" on:submit=search data-testid="audit-search">
                <h2 class="small-heading">{move || i18n.t().console.search_heading}</h2>
                <div class="field">
                    <label for="audit-action">{move || i18n.t().console.f_action}</label>
                    <p id="audit-action-hint" class="field-hint">
                        {move || i18n.t().console.f_action_hint}
                    </p>
                    <input
                        id="audit-action"
                        type="text"
                        autocomplete="off"
                        aria-describedby="audit-action-hint"
                        bind:value=filters.action
                        data-testid="audit-action"
                    />
                </div>
                <ActorPicker actor=filters.actor />
                {text_field("audit-target", |t| t.console.f_target, filters.target, "text")}
                {text_field("audit-from", |t| t.console.f_from, filters.from, "date")}
                {text_field("audit-to", |t| t.console.f_to, filters.to, "date")}
                <div class="row-actions">
                    <button type="submit" class="button button-primary" data-testid="audit-submit">
                        {move || i18n.t().console.search}
                    </button>
                    <button type="button" class="button button-secondary" on:click=reset>
                        {move || i18n.t().console.reset}
                    </button>
                    <a
                        class="button button-secondary"
                        href=export_href
                        download="consentry-audit.csv"
                        data-testid="audit-export"
                    >
                        {move || i18n.t().console.export_csv}
                    </a>
                </div>
            </form>
            <Suspense fallback=|| view! { <Loading /> }>{rows}</Suspense>
            <LoadError error=load_more.error() />
            <Show when=move || load_more.pending().get()>
                <Loading />
            </Show>
            <Show when=move || next_before().is_some()>
                <button
                    type="button"
                    class="button button-secondary"
                    disabled=move || load_more.pending().get()
                    on:click=move |_| {
                        if let Some(before) = untrack(next_before) {
                            load_more.dispatch(before);
                        }
                    }
                >
                    {move || i18n.t().console.load_more}
                </button>
            </Show>
        </section>
    }
}

/// The search's actor: the accounts that acted in the log, by name (auditors and
/// privacy officers may not list the accounts themselves).
#[component]
fn ActorPicker(actor: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let actors = api_resource(|api| async move { api.audit_actors().await });
    let options = move || {
        actors
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|a| {
                let id = a.id.to_string();
                let selected = actor.with(|v| *v == id);
                let label = person_label(&a.display_name, &a.username);
                view! { <option value=id selected=selected>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="field">
            <label for="audit-actor">{move || i18n.t().console.f_actor}</label>
            <select
                id="audit-actor"
                prop:value=move || actor.get()
                on:change=move |ev| actor.set(event_target_value(&ev))
                data-testid="audit-actor"
            >
                <option value="">{move || i18n.t().console.list.all_actors}</option>
                {options}
            </select>
        </div>
    }
}

/// One entry, with its details in a disclosure.
#[component]
fn EntryRow(
    entry: AuditEntry,
    actor_name: Option<String>,
    /// The reason given, for a reveal whose record still exists.
    reveal_reason: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let at = entry.at_ms;
    let dash = move || i18n.t().console.none;
    let or_dash = move |v: Option<String>| match v {
        Some(v) if !v.is_empty() => view! { <code>{v}</code> }.into_any(),
        _ => view! { <span>{dash}</span> }.into_any(),
    };
    let role = entry.actor_role.clone();
    let target = match (entry.target_kind.clone(), entry.target_id.clone()) {
        (Some(kind), Some(id)) => Some(format!("{kind}:{id}")),
        (kind, id) => kind.or(id),
    };
    let details = serde_json::to_string_pretty(&entry.details).unwrap_or_default();
    let agent = entry.user_agent.clone().unwrap_or_default();
    view! {
        <tr data-testid="audit-row" data-action=entry.action>
            <td>{entry.seq}</td>
            <td>{move || local_time(at, i18n.locale().tag())}</td>
            <td data-testid="audit-actor">
                {match actor_name {
                    // The name, with the account's id on hover (ids are what filters take).
                    Some(name) => view! { <span title=entry.actor_id.clone()>{name}</span> }.into_any(),
                    None => or_dash(entry.actor_id.clone()).into_any(),
                }}
            </td>
            <td>
                {move || {
                    role.as_deref()
                        .and_then(Role::parse)
                        .map_or_else(|| role.clone().unwrap_or_default(), |r| i18n.t().role(r).to_owned())
                }}
            </td>
            <td>
                <code data-testid="audit-action-cell">{entry.action.clone()}</code>
            </td>
            <td>{or_dash(target)}</td>
            <td>{or_dash(entry.ip.clone())}</td>
            <td>
                <details class="audit-details">
                    <summary>{move || i18n.t().console.details_show}</summary>
                    <div class="audit-details-body">
                        {reveal_reason.map(|reason| view! {
                            <p>
                                {move || i18n.t().console.details_reason} ": "
                                <span data-testid="audit-reveal-reason">{reason}</span>
                            </p>
                        })}
                        <pre>{details}</pre>
                        <p>
                            {move || i18n.t().console.details_agent} ": " {agent}
                        </p>
                        <p class="hash">
                            {move || i18n.t().console.details_hash} ": " <code>{entry.hash.clone()}</code>
                        </p>
                    </div>
                </details>
            </td>
        </tr>
    }
}
