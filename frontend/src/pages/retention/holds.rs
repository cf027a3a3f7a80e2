//! The legal holds: what each covers, why, who placed it and when, when it ends or was
//! lifted; lifting an active one after a confirmation; and the form to place one.

use leptos::html::Dialog;
use leptos::prelude::*;
use shared::api::retention::{HoldScope, LegalHold};

use super::hold_form::HoldForm;
use super::{short_id, RetentionState};
use crate::components::api_call::ApiCall;
use crate::components::console_ui::{close_dialog, local_time, open_dialog, ErrorAlert, Loading};
use crate::components::form::FormAlert;
use crate::i18n::{fill, use_i18n, Texts};

/// The name of a person identifier's kind (`phone`, `email`, `resident_id`).
pub fn kind_name(t: &Texts, kind: &str) -> String {
    match kind {
        "phone" => t.console.kind_phone.to_owned(),
        "email" => t.console.kind_email.to_owned(),
        "resident_id" => t.console.kind_resident_id.to_owned(),
        other => other.to_owned(),
    }
}

/// The holds card: the list, the lift confirmation and the form.
#[component]
pub fn HoldsPanel(state: RetentionState) -> impl IntoView {
    let i18n = use_i18n();
    let dialog = NodeRef::<Dialog>::new();
    // The hold the confirmation is about.
    let lift_target = RwSignal::new(None::<String>);
    let lift = ApiCall::new(|api, id: String| async move { api.lift_hold(&id).await }).on_ok(
        move |_: &LegalHold| {
            close_dialog(dialog);
            lift_target.set(None);
            state.holds_changed();
        },
    );
    let lifting = lift.pending();
    let ask_lift = move |id: String| {
        lift.error().set(None);
        lift_target.set(Some(id));
        open_dialog(dialog);
    };
    let confirm = move |_| {
        if let Some(id) = lift_target.get_untracked() {
            lift.dispatch(id);
        }
    };
    let cancel = move |_| {
        close_dialog(dialog);
        lift_target.set(None);
    };
    let list = move || {
        state.holds.get().map(|loaded| match loaded {
            Ok(holds) if holds.is_empty() => view! {
                <p class="muted" data-testid="retention-holds-empty">{move || i18n.t().retention.holds_empty}</p>
            }
            .into_any(),
            Ok(holds) => view! { <HoldTable holds ask_lift /> }.into_any(),
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section class="card" aria-labelledby="retention-holds-heading">
            <h2 id="retention-holds-heading" class="small-heading">
                {move || i18n.t().retention.holds_heading}
            </h2>
            <p class="muted">{move || i18n.t().retention.holds_intro}</p>
            <Transition fallback=|| view! { <Loading /> }>{list}</Transition>
            <HoldForm state />
        </section>
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby="retention-lift-title"
            on:close=move |_| lift_target.set(None)
            data-testid="retention-lift-dialog"
        >
            <h2 id="retention-lift-title">{move || i18n.t().retention.lift_title}</h2>
            <p>{move || i18n.t().retention.lift_text}</p>
            <FormAlert error=lift.error() />
            <div class="row-actions">
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || lifting.get()
                    on:click=confirm
                    data-testid="retention-hold-lift-confirm"
                >
                    {move || {
                        let t = &i18n.t().retention;
                        if lifting.get() { t.lifting } else { t.lift_confirm }
                    }}
                </button>
                <button type="button" class="button button-secondary" on:click=cancel>
                    {move || i18n.t().console.cancel}
                </button>
            </div>
        </dialog>
    }
}

/// The holds, with a Lift button on the active ones.
#[component]
fn HoldTable<F>(holds: Vec<LegalHold>, ask_lift: F) -> impl IntoView
where
    F: Fn(String) + Copy + 'static,
{
    let i18n = use_i18n();
    let rows = holds
        .into_iter()
        .map(|hold| view! { <HoldRow hold ask_lift /> })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table retention-table retention-wide" data-testid="retention-holds">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().retention.col_scope}</th>
                        <th scope="col">{move || i18n.t().retention.col_reason}</th>
                        <th scope="col">{move || i18n.t().retention.col_placed}</th>
                        <th scope="col">{move || i18n.t().retention.col_ends}</th>
                        <th scope="col">{move || i18n.t().retention.col_lifted}</th>
                        <th scope="col">{move || i18n.t().retention.col_status}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// One hold.
#[component]
fn HoldRow<F>(hold: LegalHold, ask_lift: F) -> impl IntoView
where
    F: Fn(String) + Copy + 'static,
{
    let i18n = use_i18n();
    let LegalHold {
        id,
        scope,
        reason,
        created_by_name,
        created_at_ms,
        ends_at_ms,
        lifted_at_ms,
        lifted_by_name,
        active,
    } = hold;
    let scope = match scope {
        HoldScope::Record { record_id } => {
            let full = record_id.to_string();
            let short = short_id(&full);
            view! {
                <span title=full.clone() data-scope="record" data-record-id=full>
                    {move || fill(i18n.t().retention.scope_record, &[("id", &short)])}
                </span>
            }
            .into_any()
        }
        HoldScope::Person { kind, records } => view! {
            <span data-scope="person" data-records=records.to_string()>
                {move || {
                    let t = i18n.t();
                    let kind = kind_name(t, kind.as_str());
                    fill(t.retention.scope_person, &[("kind", &kind), ("count", &records.to_string())])
                }}
            </span>
        }
        .into_any(),
        HoldScope::Form {
            form_id,
            form_title,
        } => view! {
            <span data-scope="form" data-form-id=form_id.to_string()>
                {move || {
                    let title = form_title.get(i18n.locale()).to_owned();
                    fill(i18n.t().retention.scope_form, &[("title", &title)])
                }}
            </span>
        }
        .into_any(),
    };
    let by_at = move |name: Option<String>, at: i64| {
        move || {
            let time = local_time(at, i18n.locale().tag());
            match &name {
                Some(name) => format!("{name} · {time}"),
                None => time,
            }
        }
    };
    let ends = move || match ends_at_ms {
        Some(ms) => local_time(ms, i18n.locale().tag()),
        None => i18n.t().retention.no_end.to_owned(),
    };
    let lifted = match lifted_at_ms {
        Some(at) => by_at(lifted_by_name, at).into_any(),
        None => (move || i18n.t().console.none).into_any(),
    };
    let id = id.to_string();
    let lift_id = id.clone();
    view! {
        <tr
            data-testid="retention-hold-row"
            data-hold-id=id
            data-active=if active { "true" } else { "false" }
        >
            <td data-col="scope">{scope}</td>
            <td data-col="reason" class="retention-reason">{reason}</td>
            <td data-col="placed">{by_at(created_by_name, created_at_ms)}</td>
            <td data-col="ends">{ends}</td>
            <td data-col="lifted">{lifted}</td>
            <td data-col="status">
                <span class=if active { "badge retention-hold-active" } else { "badge" }>
                    {move || {
                        let t = &i18n.t().retention;
                        if active { t.hold_active } else { t.hold_inactive }
                    }}
                </span>
                {active.then(|| view! {
                    " "
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        on:click=move |_| ask_lift(lift_id.clone())
                        data-testid="retention-hold-lift"
                    >
                        {move || i18n.t().retention.lift}
                    </button>
                })}
            </td>
        </tr>
    }
}
