//! `/requests/{id}`: one request, its deadline and requester, and the work on it in the
//! order it is done: identity, who handles it, the person's records, corrections and
//! erasure, the answer package, closing, and the notes and history. A closed request
//! stays readable, without the controls.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::access::Permission;
use shared::api::requests::{RequestDetail, RequestStatus};

use super::closing::{CloseCard, PackageCard};
use super::correction::CorrectionCard;
use super::events::NotesCard;
use super::handling::HandlingCard;
use super::identity::IdentityCard;
use super::linked::RecordsCard;
use super::{Due, DueLine, RequestState};
use crate::components::api_call::api_resource;
use crate::components::console_ui::{local_date, local_time, ErrorAlert, Loading, RolesOnly};
use crate::i18n::{fill, set_page_title, use_i18n};

/// The request page.
#[component]
pub fn RequestPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ManageRequests>
            <RequestLoader />
        </RolesOnly>
    }
}

#[component]
fn RequestLoader() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    Effect::new(move |_| set_page_title(i18n.t().requests.detail_title));
    let loaded = api_resource(move |api| {
        // Values are worded in the viewer's language (choices by their labels):
        // switching it loads them again.
        let _ = i18n.locale();
        let id = id();
        async move { api.request(&id).await }
    });
    let body = move || {
        loaded.get().map(|loaded| match loaded {
            Ok(detail) => view! { <RequestView detail /> }.into_any(),
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section class="console-page requests-page requests-detail" data-testid="request-page">
            <p class="requests-back">
                <a href="/requests" data-testid="requests-back">
                    {move || i18n.t().requests.back}
                </a>
            </p>
            <Transition fallback=|| view! { <Loading /> }>{body}</Transition>
        </section>
    }
}

/// The request as loaded, then as each step's answer has it.
#[component]
fn RequestView(detail: RequestDetail) -> impl IntoView {
    let i18n = use_i18n();
    let state = RequestState {
        id: detail.summary.id,
        detail: RwSignal::new(detail),
    };
    Effect::new(move |_| {
        let reference = state.detail.with(|d| d.summary.reference.clone());
        set_page_title(&fill(
            i18n.t().requests.detail_title_ref,
            &[("reference", &reference)],
        ));
    });
    view! {
        <RequestHeader state />
        <div class="requests-columns">
            <RequesterCard state />
            <IdentityCard state />
        </div>
        <HandlingCard state />
        <RecordsCard state />
        <CorrectionCard state />
        <PackageCard state />
        <CloseCard state />
        <NotesCard state />
    }
}

/// The reference, kind, status and deadline, and how the request ended.
#[component]
fn RequestHeader(state: RequestState) -> impl IntoView {
    let i18n = use_i18n();
    let detail = state.detail;
    let summary = move || detail.with(|d| d.summary.clone());
    let status = move || detail.with(|d| d.summary.status);
    let flags = move || {
        let s = summary();
        let due = Due::of(&s);
        let t = &i18n.t().requests;
        view! {
            <span
                class=format!("badge requests-status requests-status-{}", s.status.as_str())
                data-testid="request-status"
                data-status=s.status.as_str()
            >
                {t.status(s.status)}
            </span>
            <DueLine due due_at_ms=s.due_at_ms testid="request-due" />
            {s.overdue.then(|| view! {
                <span class="badge requests-overdue" data-testid="request-overdue">
                    <span aria-hidden="true">"⚠ "</span>
                    {t.overdue_flag}
                </span>
            })}
            {s.extended.then(|| view! {
                <span class="badge" data-testid="request-extended">{t.extended_flag}</span>
            })}
            {s.filed_by_customer.then(|| view! {
                <span class="badge" data-testid="request-online">{t.filed_online}</span>
            })}
        }
    };
    let received = move || {
        let at = detail.with(|d| d.summary.received_at_ms);
        local_date(at, i18n.locale().tag())
    };
    let ended = move || {
        let (closed_at, refusal) = detail.with(|d| (d.closed_at_ms, d.refusal_reason.clone()));
        let t = &i18n.t().requests;
        let locale = i18n.locale().tag();
        let closed_at = closed_at.map(|at| {
            view! {
                <div>
                    <dt>{t.closed_on}</dt>
                    <dd data-testid="request-closed-at">{local_time(at, locale)}</dd>
                </div>
            }
        });
        let refusal = refusal.map(|reason| {
            view! {
                <div>
                    <dt>{t.refusal_reason}</dt>
                    <dd class="preserve-lines" data-testid="request-refusal">{reason}</dd>
                </div>
            }
        });
        (closed_at, refusal)
    };
    view! {
        <header class="requests-head">
            <h1>
                <span data-testid="request-reference">
                    {move || detail.with(|d| d.summary.reference.clone())}
                </span>
                " · "
                <span data-testid="request-kind-label">
                    {move || detail.with(|d| d.summary.kind).label(i18n.locale())}
                </span>
            </h1>
            <div class="requests-flags" data-status=move || status().as_str()>{flags}</div>
            <dl class="facts requests-facts">
                <div>
                    <dt>{move || i18n.t().requests.received_on}</dt>
                    <dd data-testid="request-received-on">{received}</dd>
                </div>
                {ended}
            </dl>
            <Show when=move || status() == RequestStatus::IdentityCheck>
                <p class="alert alert-warning" role="status" data-testid="request-awaiting-identity">
                    {move || i18n.t().requests.awaiting_identity}
                </p>
            </Show>
        </header>
    }
}

/// Who asked, how to answer them, and what they asked in their words.
#[component]
fn RequesterCard(state: RequestState) -> impl IntoView {
    let i18n = use_i18n();
    let detail = state.detail;
    let requester = move || detail.with(|d| d.requester.clone());
    view! {
        <section class="card" aria-labelledby="request-requester-heading">
            <h2 id="request-requester-heading" class="small-heading">
                {move || i18n.t().requests.requester_heading}
            </h2>
            <dl class="facts">
                <div>
                    <dt>{move || i18n.t().requests.name_label}</dt>
                    <dd data-testid="request-requester-name">{move || requester().name}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t().requests.contact_label}</dt>
                    <dd data-testid="request-requester-contact">{move || requester().contact}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t().requests.locale_label}</dt>
                    <dd data-testid="request-requester-locale">{move || requester().locale.native_name()}</dd>
                </div>
            </dl>
            <h3 class="small-heading requests-subheading">{move || i18n.t().requests.details_label}</h3>
            <p class="preserve-lines requests-details" data-testid="request-details-text">
                {move || {
                    let details = detail.with(|d| d.details.clone());
                    if details.trim().is_empty() {
                        i18n.t().requests.no_details.to_owned()
                    } else {
                        details
                    }
                }}
            </p>
        </section>
    }
}
