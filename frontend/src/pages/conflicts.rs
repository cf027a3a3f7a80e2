//! `/conflicts`: edits that staff made offline to fields the server also changed, for
//! managers (their team's records and unassigned ones) and admins. Each shows the
//! server's value beside the device's, masked as the caller's role requires, and the
//! choice to keep one; errors show next to the item.

use leptos::prelude::*;
use shared::access::Permission;
use shared::access::Visibility;
use shared::api::conflicts::{ConflictList, ConflictView, ResolveConflict, Take};
use shared::api::error::ApiError;

use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{local_time, ErrorAlert, Loading, RolesOnly};
use crate::components::form::FormAlert;
use crate::i18n::{fill, set_page_title, use_i18n};

/// The conflicts page.
#[component]
pub fn ConflictsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ResolveConflicts>
            <Conflicts />
        </RolesOnly>
    }
}

#[component]
fn Conflicts() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_page_title(i18n.t().console.conflicts_title));
    let conflicts = api_resource(|api| async move { api.conflicts().await });
    let items = move || {
        conflicts.get().map(|loaded| match loaded {
            Ok(list) if list.conflicts.is_empty() => view! {
                <p class="muted" data-testid="no-conflicts">
                    {move || i18n.t().console.no_conflicts}
                </p>
            }
            .into_any(),
            Ok(list) => {
                let rows = list
                    .conflicts
                    .into_iter()
                    .map(|c| view! { <ConflictItem conflict=c conflicts /> })
                    .collect_view();
                view! { <ul class="conflict-list" data-testid="conflict-list">{rows}</ul> }
                    .into_any()
            }
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section class="console-page" data-testid="conflicts-page">
            <h1>{move || i18n.t().console.conflicts_title}</h1>
            <p class="muted">{move || i18n.t().console.conflicts_intro}</p>
            <Transition fallback=|| view! { <Loading /> }>{items}</Transition>
        </section>
    }
}

/// A value as the server showed it to this role.
fn value_text(value: Option<String>, visibility: Visibility, cleared: bool) -> impl Fn() -> String {
    let i18n = use_i18n();
    move || {
        let t = &i18n.t().console;
        match (&value, visibility) {
            (Some(v), _) => v.clone(),
            (None, Visibility::Hidden) => t.conflict_hidden.to_owned(),
            (None, _) if cleared => t.conflict_cleared.to_owned(),
            (None, _) => t.conflict_empty.to_owned(),
        }
    }
}

/// One conflict with both values and the two choices.
#[component]
fn ConflictItem(
    conflict: ConflictView,
    conflicts: LocalResource<Result<ConflictList, ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(conflict.id);
    let resolve = ApiCall::new(move |api, take: Take| {
        let id = id.get_value();
        async move { api.resolve_conflict(&id, &ResolveConflict { take }).await }
    })
    .on_ok(move |_| conflicts.refetch());
    let busy = resolve.pending();
    let error = resolve.error();
    let resolve = move |take| resolve.dispatch(take);
    let label = conflict.field_label.clone();
    let record = fill_record(&conflict);
    let by = (
        conflict.author_id.to_string(),
        conflict.device_id.to_string(),
        conflict.created_at_ms,
    );
    let server = value_text(conflict.server_value.clone(), conflict.visibility, false);
    let device = value_text(
        conflict.device_value.clone(),
        conflict.visibility,
        conflict.device_cleared,
    );
    view! {
        <li class="card conflict" data-testid="conflict" data-id=conflict.id.to_string() data-field=conflict.field_key.clone()>
            <h2 class="conflict-field">
                {move || label.get(i18n.locale()).to_owned()} " "
                <code class="muted">{conflict.field_key.clone()}</code>
            </h2>
            <p class="muted">{move || fill(i18n.t().console.conflict_record, &record.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>())}</p>
            <p class="muted">
                {move || {
                    let time = local_time(by.2, i18n.locale().tag());
                    fill(
                        i18n.t().console.conflict_by,
                        &[("author", by.0.as_str()), ("device", by.1.as_str()), ("time", time.as_str())],
                    )
                }}
            </p>
            <dl class="facts conflict-values">
                <dt>{move || i18n.t().console.conflict_server_value}</dt>
                <dd data-testid="conflict-server-value">{server}</dd>
                <dt>{move || i18n.t().console.conflict_device_value}</dt>
                <dd data-testid="conflict-device-value">{device}</dd>
            </dl>
            <FormAlert error />
            <div class="form-actions">
                <button
                    type="button"
                    class="button button-secondary"
                    data-testid="conflict-keep-server"
                    disabled=move || busy.get()
                    on:click=move |_| resolve(Take::Server)
                >
                    {move || i18n.t().console.conflict_keep_server}
                </button>
                " "
                <button
                    type="button"
                    class="button button-primary"
                    data-testid="conflict-take-device"
                    disabled=move || busy.get()
                    on:click=move |_| resolve(Take::Device)
                >
                    {move || i18n.t().console.conflict_take_device}
                </button>
            </div>
        </li>
    }
}

fn fill_record(c: &ConflictView) -> Vec<(&'static str, String)> {
    vec![
        ("record", c.record_id.to_string()),
        ("base", c.base_version.to_string()),
        ("current", c.current_version.to_string()),
    ]
}
