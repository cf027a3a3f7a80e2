//! The Collect area (`/collect`) where staff and managers collect records in person,
//! offline first: this device, the forms kept on it, the outbox and the sync state.
//! `fill.rs` is the collection flow itself, `outbox.rs` the list of waiting and synced
//! records, and `customer_receipt.rs` the withdrawal link handed to the customer.

mod customer_receipt;
mod device_panel;
mod fill;
mod forms_panel;
mod outbox;
mod qr;
mod unlock;

pub use fill::FillPage;
pub use outbox::OutboxPage;

use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::error::ErrorCode;

use crate::embed::submission::local_time;
use crate::i18n::{fill as fill_in, set_page_title, use_i18n};
use crate::offline::{use_collector, LockState};
use crate::session::{use_session, SessionState};

/// `/collect`.
#[component]
pub fn CollectPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_page_title(i18n.t().collect.title));
    view! {
        <section class="collect" data-testid="collect-page">
            <h1>{move || i18n.t().collect.title}</h1>
            <p class="muted">{move || i18n.t().collect.intro}</p>
            <Collecting>
                <SyncBar />
                <device_panel::DevicePanel />
                <forms_panel::FormsPanel />
            </Collecting>
        </section>
    }
}

/// Shows `children` only to someone who collects (signed in, or remembered offline),
/// once their records on this device are open.
#[component]
pub(crate) fn Collecting(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let collector = use_collector();
    let session = use_session();
    let children = StoredValue::new(children);
    // Every reload sets the lock state again: only a change of it renders anew.
    let signed_in = Memo::new(move |_| collector.user.with(Option::is_some));
    let gate = Memo::new(move |_| match collector.lock.get() {
        LockState::NoVault => LockState::Open,
        other => other,
    });
    move || {
        if signed_in.get() {
            match gate.get() {
                LockState::Locked {
                    waiting,
                    by_password,
                } => view! { <unlock::UnlockPanel waiting by_password /> }.into_any(),
                LockState::Checking => {
                    view! { <p class="muted" role="status">{move || i18n.t().loading}</p> }
                        .into_any()
                }
                LockState::NoVault | LockState::Open => children.with_value(|c| c()).into_any(),
            }
        } else if session.state() == SessionState::Checking {
            view! { <p class="muted" role="status">{move || i18n.t().loading}</p> }.into_any()
        } else {
            view! {
                <p class="alert alert-info" data-testid="collect-sign-in">
                    {move || i18n.t().collect.sign_in_needed} " "
                    <A href="/login?next=%2Fcollect">{move || i18n.t().nav_sign_in}</A>
                </p>
            }
            .into_any()
        }
    }
}

/// Online or not, ready offline or not, what waits, the last sync and a button to sync.
#[component]
pub(crate) fn SyncBar() -> impl IntoView {
    let i18n = use_i18n();
    let c = use_collector();
    let waiting = move || {
        c.outbox
            .with(|o| o.iter().filter(|e| e.is_sendable()).count())
    };
    let failed = move || {
        c.outbox
            .with(|o| o.iter().filter(|e| !e.is_sendable()).count())
    };
    let last_sync = move || {
        c.device
            .with(|d| d.as_ref().and_then(|d| d.last_sync_ms))
            .map_or_else(|| i18n.t().collect.never.to_owned(), local_time)
    };
    let progress = move || {
        c.progress.get().map(|(done, total)| {
            let text = fill_in(
                i18n.t().collect.syncing,
                &[("done", &done.to_string()), ("total", &total.to_string())],
            );
            view! {
                <p class="muted" role="status" data-testid="sync-progress">
                    <progress max=total.to_string() value=done.to_string()></progress>
                    " "
                    {text}
                </p>
            }
        })
    };
    // Losing the network is expected here: the status line says so already.
    let error = move || {
        c.last_error
            .get()
            .filter(|e| e.code != ErrorCode::Unavailable)
            .map(|e| {
                let text = i18n.t().error_text(&e);
                view! { <p class="alert alert-error" role="alert" data-testid="sync-error">{text}</p> }
            })
    };
    view! {
        <div class="collect-status" data-testid="sync-bar">
            <p class="collect-network" data-online=move || c.online.get().to_string()>
                <span class="status-dot" aria-hidden="true"></span>
                {move || {
                    let t = &i18n.t().collect;
                    if c.online.get() { t.online } else { t.offline }
                }}
                " · "
                {move || {
                    let t = &i18n.t().collect;
                    if c.offline_ready.get() {
                        view! { <span data-testid="offline-ready">{t.offline_ready}</span> }.into_any()
                    } else {
                        view! { <span>{t.offline_preparing}</span> }.into_any()
                    }
                }}
            </p>
            <dl class="facts collect-counts">
                <dt>{move || i18n.t().collect.waiting}</dt>
                <dd data-testid="outbox-count">{waiting}</dd>
                <dt>{move || i18n.t().collect.failed}</dt>
                <dd data-testid="failed-count">{failed}</dd>
                <dt>{move || i18n.t().collect.synced_heading}</dt>
                <dd data-testid="synced-count">{move || c.synced.with(Vec::len)}</dd>
                <dt>{move || i18n.t().collect.last_sync}</dt>
                <dd data-testid="last-sync">{last_sync}</dd>
            </dl>
            {progress}
            {error}
            <Show when=move || c.store_failed.get()>
                <p class="alert alert-error" role="alert">{move || i18n.t().collect.store_failed}</p>
            </Show>
            <div class="collect-actions">
                <button
                    type="button"
                    class="button button-secondary"
                    data-testid="sync-now"
                    disabled=move || c.progress.get().is_some()
                    on:click=move |_| {
                        c.online.set(true);
                        c.sync_now();
                    }
                >
                    {move || i18n.t().collect.sync_now}
                </button>
                <A href="/collect/outbox" attr:class="button button-secondary" attr:data-testid="outbox-link">
                    {move || i18n.t().collect.outbox_heading}
                </A>
            </div>
        </div>
    }
}
