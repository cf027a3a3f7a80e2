//! `/assignments`: admins and managers tick which teams and people collect with each
//! published form. Admins reach every team and collecting account; managers their own
//! team and its members, and a manager's save leaves other teams' assignments alone.
//! A refused id is marked at its checkbox.

use std::collections::{BTreeSet, HashMap};

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::access::Permission;
use shared::api::assignments::{AssignableForm, AssignableTeam, AssignableUser, FormAssignments};
use shared::api::auth::Role;
use shared::api::error::ApiError;

use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{ErrorAlert, Loading, RolesOnly};
use crate::components::form::FormAlert;
use crate::i18n::{fill, set_page_title, use_i18n};
use crate::session::use_session;

/// The assignment page.
#[component]
pub fn AssignmentsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::AssignForms>
            <Assignments />
        </RolesOnly>
    }
}

#[component]
fn Assignments() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    Effect::new(move |_| set_page_title(i18n.t().assign.title));
    let board = api_resource(|api| async move { api.assignment_board().await });
    // Read once: the page does not outlive the session, and parts that followed it
    // would be rebuilt while signing out takes the page away (it panicked there).
    let is_admin_now = untrack(|| session.info().is_some_and(|i| i.user.role == Role::Admin));
    let is_admin = move || is_admin_now;
    let intro = move || {
        let t = &i18n.t().assign;
        if is_admin() {
            return Some(t.intro.to_owned());
        }
        board.with(|b| {
            b.as_ref()
                .and_then(|b| b.as_ref().ok())
                .map(|b| match &b.own_team {
                    Some(team) => fill(t.manager_intro, &[("team", &team.name)]),
                    None => t.no_team.to_owned(),
                })
        })
    };
    let cards = move || {
        board.get().map(|loaded| {
            let b = match loaded {
                Ok(b) => b,
                Err(e) => return view! { <ErrorAlert code=e.code /> }.into_any(),
            };
            if b.forms.is_empty() {
                return view! { <p class="muted">{move || i18n.t().assign.no_forms}</p> }
                    .into_any();
            }
            // A manager without a team can give nothing: the notice says so.
            if !is_admin() && b.own_team.is_none() {
                return ().into_any();
            }
            let team_names: HashMap<String, String> = b
                .teams
                .iter()
                .map(|t| (t.id.to_string(), t.name.clone()))
                .collect();
            let choices = StoredValue::new((b.teams, b.users, team_names));
            b.forms
                .into_iter()
                .map(|form| view! { <FormCard form choices /> })
                .collect_view()
                .into_any()
        })
    };
    view! {
        <section class="console-page" data-testid="assignments-page">
            <h1>{move || i18n.t().assign.title}</h1>
            <p class="muted">{intro}</p>
            <div class="assignment-list">
                <Suspense fallback=|| view! { <Loading /> }>{cards}</Suspense>
            </div>
        </section>
    }
}

/// The teams, accounts and team names every card offers.
type Choices = StoredValue<(
    Vec<AssignableTeam>,
    Vec<AssignableUser>,
    HashMap<String, String>,
)>;

/// The issue message for `id` under `field` of the last error, if any.
fn issue_for(error: Option<&ApiError>, field: &str, id: &str) -> Option<String> {
    error?
        .field_issues(field)
        .iter()
        .find(|i| i.params.get("id").map(String::as_str) == Some(id))
        .map(|i| i.code.clone())
}

/// One published form with a checkbox per team and account, and a save button.
#[component]
fn FormCard(form: AssignableForm, choices: Choices) -> impl IntoView {
    let i18n = use_i18n();
    let form_id = StoredValue::new(form.form_id);
    let teams = RwSignal::new(
        form.assignments
            .teams
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>(),
    );
    let users = RwSignal::new(
        form.assignments
            .users
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>(),
    );
    let saved_state = RwSignal::new(form.assignments.clone());
    let elsewhere = RwSignal::new(form.assigned_elsewhere);
    let saved = RwSignal::new(false);
    let current = move || FormAssignments {
        users: users.get().into_iter().collect(),
        teams: teams.get().into_iter().collect(),
    };
    let dirty = move || current() != saved_state.get();
    let save = ApiCall::new(move |api, req: FormAssignments| {
        let form_id = form_id.get_value();
        async move { api.assign_form(&form_id, &req).await }
    })
    .on_ok(move |updated: &AssignableForm| {
        teams.set(updated.assignments.teams.iter().cloned().collect());
        users.set(updated.assignments.users.iter().cloned().collect());
        elsewhere.set(updated.assigned_elsewhere);
        saved_state.set(updated.assignments.clone());
        saved.set(true);
    });
    let pending = save.pending();
    let error = save.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !pending.get_untracked() {
            saved.set(false);
            save.dispatch(untrack(current));
        }
    };
    let number = form.latest_version.number.to_string();
    let title = form.title.clone();
    let summary = move || {
        let t = &i18n.t().assign;
        let (n_teams, n_users) = (teams.with(BTreeSet::len), users.with(BTreeSet::len));
        if n_teams + n_users == 0 {
            t.not_assigned.to_owned()
        } else {
            fill(
                t.summary,
                &[
                    ("teams", &n_teams.to_string()),
                    ("users", &n_users.to_string()),
                ],
            )
        }
    };
    let team_boxes = move || {
        choices.with_value(|(all, _, _)| {
            if all.is_empty() {
                return view! { <p class="muted">{move || i18n.t().assign.no_teams}</p> }.into_any();
            }
            all.iter()
                .map(|team| {
                    let id = team.id.to_string();
                    let label = team.name.clone();
                    view! { <Choice field="teams" id label set=teams error form_id=form_id.get_value().to_string() /> }
                })
                .collect_view()
                .into_any()
        })
    };
    let user_boxes = move || {
        choices.with_value(|(_, all, names)| {
            if all.is_empty() {
                return view! { <p class="muted">{move || i18n.t().assign.no_users}</p> }.into_any();
            }
            let t = i18n.t();
            all.iter()
                .map(|user| {
                    let team = user
                        .team_id
                        .as_ref()
                        .and_then(|id| names.get(&id.to_string()).cloned())
                        .unwrap_or_else(|| t.assign.no_team_member.to_owned());
                    let mut label = format!(
                        "{} ({}) · {} · {team}",
                        user.display_name,
                        user.username,
                        t.role(user.role)
                    );
                    if user.disabled {
                        label = format!("{label} · {}", t.assign.disabled);
                    }
                    let id = user.id.to_string();
                    view! { <Choice field="users" id label set=users error form_id=form_id.get_value().to_string() /> }
                })
                .collect_view()
                .into_any()
        })
    };
    view! {
        <form
            class="card form assignment-card"
            on:submit=submit
            data-testid="assign-form"
            data-form-id=form.form_id.to_string()
        >
            <h2 class="small-heading">
                {move || title.get(i18n.locale()).to_owned()} " "
                <span class="muted">{move || fill(i18n.t().assign.version, &[("number", &number)])}</span>
            </h2>
            <p class="muted" data-testid="assign-summary">{summary}</p>
            <Show when=move || { elsewhere.get() > 0 }>
                <p class="muted">
                    {move || fill(i18n.t().assign.elsewhere, &[("count", &elsewhere.get().to_string())])}
                </p>
            </Show>
            <fieldset class="checkbox-group">
                <legend>{move || i18n.t().assign.teams_legend}</legend>
                {team_boxes}
            </fieldset>
            <fieldset class="checkbox-group">
                <legend>{move || i18n.t().assign.users_legend}</legend>
                {user_boxes}
            </fieldset>
            <FormAlert error />
            <div class="form-actions">
                <button
                    type="submit"
                    class="button button-primary"
                    data-testid="assign-save"
                    disabled=move || pending.get()
                    aria-busy=move || if pending.get() { "true" } else { "false" }
                >
                    {move || {
                        let t = &i18n.t().assign;
                        if pending.get() { t.saving } else { t.save }
                    }}
                </button>
                <span class="muted" role="status" data-testid="assign-status">
                    {move || {
                        let t = &i18n.t().assign;
                        if dirty() {
                            t.unsaved
                        } else if saved.get() {
                            t.saved
                        } else {
                            ""
                        }
                    }}
                </span>
            </div>
        </form>
    }
}

/// One checkbox for a team or an account, with the server's issue about it beside it.
#[component]
fn Choice(
    field: &'static str,
    id: String,
    label: String,
    set: RwSignal<BTreeSet<String>>,
    error: RwSignal<Option<ApiError>>,
    form_id: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let input_id = format!("assign-{form_id}-{field}-{id}");
    let issues_id = format!("{input_id}-issues");
    let key = StoredValue::new(id.clone());
    let issue = move || error.with(|e| issue_for(e.as_ref(), field, &key.get_value()));
    let toggle = move |ev| {
        let on = event_target_checked(&ev);
        set.update(|s| {
            if on {
                s.insert(key.get_value());
            } else {
                s.remove(&key.get_value());
            }
        });
    };
    view! {
        <div class="checkbox-field" class:field-invalid=move || issue().is_some()>
            <input
                type="checkbox"
                id=input_id.clone()
                data-testid=format!("assign-{field}")
                data-id=id
                prop:checked=move || set.with(|s| s.contains(&key.get_value()))
                aria-invalid=move || issue().is_some().to_string()
                aria-describedby=issues_id.clone()
                on:change=toggle
            />
            <label for=input_id>{label}</label>
            <span id=issues_id class="field-issues">
                {move || issue().map(|code| i18n.t().assign.issue(&code))}
            </span>
        </div>
    }
}
