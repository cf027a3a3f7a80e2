//! `/requests`: how many requests are late or nearly due, the register filtered by
//! open or closed, and the form that registers a request received outside the app.

use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use shared::access::Permission;
use shared::api::requests::{RequestList, RequestSummary};
use wasm_bindgen::JsCast;

use super::new_request::NewRequestForm;
use super::{Due, DueLine};
use crate::components::api_call::api_resource;
use crate::components::console_ui::{local_date, ErrorAlert, Loading, RolesOnly};
use crate::components::focus::focus_soon;
use crate::i18n::{fill, set_page_title, use_i18n};

/// The register's filter values, as the API takes them.
const FILTERS: [&str; 3] = ["open", "closed", "all"];

/// The register page.
#[component]
pub fn RequestsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ManageRequests>
            <Register />
        </RolesOnly>
    }
}

#[component]
fn Register() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_page_title(i18n.t().requests.title));
    let filter = RwSignal::new(FILTERS[0].to_owned());
    let list = api_resource(move |api| {
        let status = filter.get();
        async move { api.requests(&status).await }
    });
    let creating = RwSignal::new(false);
    let toggle = move |_| {
        let now = !creating.get_untracked();
        creating.set(now);
        if now {
            focus_soon(vec!["#requests-new-heading".to_owned()]);
        }
    };
    let filter_option = move |value: &'static str| {
        view! {
            <option value=value selected=move || filter.with(|f| f == value)>
                {move || i18n.t().requests.filter_name(value)}
            </option>
        }
    };
    let counts = move || {
        list.get().map(|loaded| match loaded {
            Ok(l) => view! { <Counts list=l /> }.into_any(),
            Err(_) => ().into_any(),
        })
    };
    let table = move || {
        list.get().map(|loaded| match loaded {
            Ok(l) if l.requests.is_empty() => view! {
                <p class="muted" data-testid="requests-empty">{move || i18n.t().requests.empty}</p>
            }
            .into_any(),
            Ok(l) => view! { <RegisterTable requests=l.requests /> }.into_any(),
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section class="console-page requests-page" data-testid="requests-page">
            <h1>{move || i18n.t().requests.title}</h1>
            <p class="muted">{move || i18n.t().requests.intro}</p>
            <Transition fallback=|| view! { <Loading /> }>{counts}</Transition>
            <div class="requests-toolbar">
                <div class="field">
                    <label for="requests-filter">{move || i18n.t().requests.filter_label}</label>
                    <select
                        id="requests-filter"
                        prop:value=move || filter.get()
                        on:change=move |ev| filter.set(event_target_value(&ev))
                        data-testid="requests-filter"
                    >
                        {FILTERS.map(filter_option)}
                    </select>
                </div>
                <button
                    type="button"
                    class="button button-primary"
                    aria-expanded=move || creating.get().to_string()
                    aria-controls="requests-new-form"
                    on:click=toggle
                    data-testid="requests-new"
                >
                    {move || i18n.t().requests.new_open}
                </button>
            </div>
            <Show when=move || creating.get()>
                <NewRequestForm on_cancel=Callback::new(move |()| creating.set(false)) />
            </Show>
            <Transition fallback=|| view! { <Loading /> }>{table}</Transition>
        </section>
    }
}

/// The counts of late and nearly due open requests (among all, whatever the filter),
/// and the organisation's deadline.
#[component]
fn Counts(list: RequestList) -> impl IntoView {
    let i18n = use_i18n();
    let RequestList {
        overdue,
        due_soon,
        policy,
        ..
    } = list;
    let badge = |n: u32| {
        if n > 0 {
            "badge requests-count requests-count-alert"
        } else {
            "badge requests-count"
        }
    };
    view! {
        <div class="requests-counts" role="status">
            <span
                class=badge(overdue)
                data-testid="requests-overdue-count"
                data-count=overdue.to_string()
            >
                <span aria-hidden="true">"⚠ "</span>
                {move || fill(i18n.t().requests.count_overdue, &[("count", &overdue.to_string())])}
            </span>
            <span
                class=badge(due_soon)
                data-testid="requests-due-soon-count"
                data-count=due_soon.to_string()
            >
                <span aria-hidden="true">"⏳ "</span>
                {move || fill(i18n.t().requests.count_due_soon, &[("count", &due_soon.to_string())])}
            </span>
        </div>
        <p class="muted requests-policy" data-testid="requests-policy">
            {move || i18n.t().requests.policy_words(&policy)}
        </p>
    }
}

/// The register's table.
#[component]
fn RegisterTable(requests: Vec<RequestSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let header = move |label: fn(&crate::i18n::Texts) -> &'static str| {
        view! { <th scope="col">{move || label(i18n.t())}</th> }
    };
    let rows = requests
        .into_iter()
        .map(|request| view! { <RegisterRow request /> })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table requests-table requests-wide" data-testid="requests-table">
                <thead>
                    <tr>
                        {header(|t| t.requests.col_reference)}
                        {header(|t| t.requests.col_kind)}
                        {header(|t| t.requests.col_requester)}
                        {header(|t| t.requests.col_received)}
                        {header(|t| t.requests.col_due)}
                        {header(|t| t.requests.col_status)}
                        {header(|t| t.requests.col_assignee)}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One request; the whole row opens it, and its reference is the link a keyboard
/// reaches.
#[component]
fn RegisterRow(request: RequestSummary) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let href = format!("/requests/{}", request.id);
    let due = Due::of(&request);
    let RequestSummary {
        reference,
        kind,
        status,
        filed_by_customer,
        requester_name,
        received_at_ms,
        due_at_ms,
        assignee_name,
        ..
    } = request;
    let open = {
        let href = href.clone();
        move |ev: MouseEvent| {
            // A click on the link itself is the router's.
            let on_link = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("a").ok().flatten())
                .is_some();
            if !on_link {
                navigate(&href, NavigateOptions::default());
            }
        }
    };
    let reference_attr = reference.clone();
    let assignee = move || {
        assignee_name
            .clone()
            .unwrap_or_else(|| i18n.t().requests.nobody.to_owned())
    };
    view! {
        <tr
            class="clickable-row"
            data-testid="request-row"
            data-reference=reference_attr
            data-status=status.as_str()
            data-due=due.as_str()
            on:click=open
        >
            <th scope="row" data-col="reference">
                <a href=href>{reference}</a>
                {filed_by_customer.then(|| view! {
                    <span class="badge" data-testid="request-online">
                        {move || i18n.t().requests.filed_online}
                    </span>
                })}
            </th>
            <td data-col="kind">{move || kind.label(i18n.locale())}</td>
            <td data-col="requester" class="requests-name">{requester_name}</td>
            <td data-col="received">{move || local_date(received_at_ms, i18n.locale().tag())}</td>
            <td data-col="due"><DueLine due due_at_ms /></td>
            <td data-col="status">{move || i18n.t().requests.status(status)}</td>
            <td data-col="assignee">{assignee}</td>
        </tr>
    }
}
