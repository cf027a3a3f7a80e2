//! Teams: the list with member counts, creating one, and renaming.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::api::users::{TeamRequest, TeamSummary};

use super::{Directory, UsersState};
use crate::components::api_call::ApiCall;
use crate::components::console_ui::Loading;
use crate::components::form::{local_validation, FormAlert, SubmitButton, TextField};
use crate::i18n::use_i18n;

/// The Teams card.
#[component]
pub fn TeamsCard(state: UsersState) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let create = ApiCall::new(
        |api, req: TeamRequest| async move { api.save_team(None, &req).await },
    )
    .on_ok(move |_| {
        name.set(String::new());
        state.reload();
    });
    let error = create.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let req = TeamRequest {
            name: name.get_untracked().trim().to_owned(),
        };
        if req.name.is_empty() {
            create.fail(local_validation(&[("name", "required")]));
        } else {
            create.dispatch(req);
        }
    };
    view! {
        <section class="card" aria-labelledby="teams-heading">
            <h2 id="teams-heading" class="small-heading">
                {move || i18n.t().console.teams_heading}
            </h2>
            // A failed load is reported above the table.
            <Transition fallback=|| view! { <Loading /> }>
                {move || {
                    state
                        .directory
                        .get()
                        .and_then(Result::ok)
                        .map(|Directory { teams, .. }| {
                            if teams.is_empty() {
                                view! { <p class="muted">{move || i18n.t().console.no_teams}</p> }
                                    .into_any()
                            } else {
                                view! {
                                    <ul class="team-list">
                                        {teams
                                            .into_iter()
                                            .map(|team| view! { <TeamItem team state /> })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
            <form class="form" on:submit=submit novalidate>
                <FormAlert error />
                <TextField
                    id="new-team-name"
                    field="name"
                    label=|t| t.console.team_name
                    autocomplete="off"
                    value=name
                    error
                />
                <SubmitButton
                    label=|t| t.console.create_team
                    pending_label=|t| t.console.saving
                    pending=create.pending()
                />
            </form>
        </section>
    }
}

/// A team with its member count and a rename form.
#[component]
fn TeamItem(team: TeamSummary, state: UsersState) -> impl IntoView {
    let i18n = use_i18n();
    let renaming = RwSignal::new(false);
    let name = RwSignal::new(team.name.clone());
    let id = StoredValue::new(team.id);
    let input_id = format!("team-name-{}", team.id);
    let rename = ApiCall::new(move |api, req: TeamRequest| {
        let id = id.get_value();
        async move { api.save_team(Some(&id), &req).await }
    })
    .on_ok(move |_| {
        renaming.set(false);
        state.reload();
    });
    let error = rename.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        rename.dispatch(TeamRequest {
            name: name.get_untracked().trim().to_owned(),
        });
    };
    view! {
        <li>
            <span>{team.name.clone()}</span>
            " · "
            <span class="muted">{move || i18n.t().console.members} ": " {team.members}</span>
            " "
            <button
                type="button"
                class="button button-secondary button-small"
                aria-expanded=move || if renaming.get() { "true" } else { "false" }
                on:click=move |_| renaming.update(|r| *r = !*r)
            >
                {move || i18n.t().console.rename}
            </button>
            <Show when=move || renaming.get()>
                <form class="form inline-form" on:submit=submit novalidate>
                    <FormAlert error />
                    <div class="field">
                        <label for=input_id.clone()>{move || i18n.t().console.team_name}</label>
                        <input id=input_id.clone() type="text" autocomplete="off" bind:value=name />
                    </div>
                    <button
                        type="submit"
                        class="button button-primary button-small"
                        disabled=move || rename.pending().get()
                    >
                        {move || i18n.t().console.save}
                    </button>
                </form>
            </Show>
        </li>
    }
}
