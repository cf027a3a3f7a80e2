//! The forms kept on this device for collecting. The forms assigned to the collector
//! (directly or through their team) arrive by themselves whenever the device is online:
//! on each visit of this page and after each sync. A form no longer assigned stays,
//! marked so, while records collected with it wait in the outbox. A form can also be
//! added by its hosted link (`…/f/{id}`) or id, fetched from the public endpoint.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::api::error::{ApiError, ErrorCode};

use crate::components::form::{local_validation, FormAlert};
use crate::i18n::{fill, use_i18n};
use crate::offline::forms::{self, CachedForm, Standing};
use crate::offline::use_collector;

/// Fetches the form's latest published version and keeps it as added by link.
async fn fetch_and_keep(api: crate::api::ApiClient, id: String) -> Result<(), ApiError> {
    let version = api.public_form(&id).await?;
    forms::keep_by_link(version)
        .await
        .map_err(|_| crate::api::local_error(ErrorCode::Internal))
}

/// The forms panel of the Collect page.
#[component]
pub fn FormsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let c = use_collector();
    // Each visit asks the server for the assigned forms (when it can be reached).
    c.refresh_forms();
    let rows = move || {
        c.forms
            .get()
            .into_iter()
            .map(|(form, standing)| view! { <FormRow form standing /> })
            .collect_view()
    };
    let load_error = move || {
        c.forms_error.get().map(|e| {
            let t = i18n.t();
            view! {
                <p class="alert alert-error" role="alert" data-testid="forms-error">
                    {t.collect.forms_refresh_failed} " " {t.error(e.code)}
                </p>
            }
        })
    };
    view! {
        <section class="card collect-forms" aria-labelledby="forms-heading">
            <h2 id="forms-heading">{move || i18n.t().collect.forms_heading}</h2>
            <p class="muted">{move || i18n.t().collect.forms_help}</p>
            {load_error}
            <Show when=move || c.forms.with(Vec::is_empty)>
                <p class="muted" data-testid="no-kept-forms">{move || i18n.t().collect.no_forms}</p>
            </Show>
            <ul class="collect-form-list">{rows}</ul>
            <AddByLink />
        </section>
    }
}

/// The secondary way in: a form's hosted link or id, while online.
#[component]
fn AddByLink() -> impl IntoView {
    let i18n = use_i18n();
    let c = use_collector();
    let reference = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(id) = forms::form_id_from(&reference.get_untracked()) else {
            error.set(local_validation(&[("form_ref", "form_ref_invalid")]));
            return;
        };
        busy.set(true);
        error.set(None);
        let api = c.session().client();
        spawn_local(async move {
            let result = fetch_and_keep(api, id).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    reference.set(String::new());
                    c.reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let invalid_ref = move || {
        error.with(|e| {
            e.as_ref()
                .is_some_and(|e| !e.field_issues("form_ref").is_empty())
        })
    };
    view! {
        <details class="collect-add-by-link" data-testid="add-by-link">
            <summary>{move || i18n.t().collect.add_by_link}</summary>
            <form class="collect-add-form" on:submit=add>
                <div class="field" class:field-invalid=invalid_ref>
                    <label for="form-ref">{move || i18n.t().collect.form_ref}</label>
                    <input
                        id="form-ref"
                        type="text"
                        inputmode="url"
                        autocomplete="off"
                        data-testid="form-ref"
                        aria-invalid=move || invalid_ref().to_string()
                        aria-describedby="form-ref-issues"
                        prop:value=move || reference.get()
                        on:input=move |ev| reference.set(event_target_value(&ev))
                    />
                    <p id="form-ref-issues" class="field-issues">
                        {move || invalid_ref().then(|| i18n.t().collect.form_ref_invalid)}
                    </p>
                </div>
                <Show when=move || !invalid_ref()>
                    <FormAlert error />
                </Show>
                <button
                    type="submit"
                    class="button button-secondary"
                    data-testid="form-add"
                    disabled=move || busy.get() || !c.online.get()
                >
                    {move || i18n.t().collect.form_add}
                </button>
            </form>
        </details>
    }
}

/// What the row says about where the form comes from.
fn standing_text(standing: Standing) -> impl Fn() -> String {
    let i18n = use_i18n();
    move || {
        let t = &i18n.t().collect;
        match standing {
            Standing::Assigned => t.form_assigned.to_owned(),
            Standing::ByLink => t.form_by_link.to_owned(),
            Standing::Unassigned { waiting } => {
                fill(t.form_unassigned, &[("count", &waiting.to_string())])
            }
        }
    }
}

/// One kept form: collect with it; a form added by link can be updated or removed.
#[component]
fn FormRow(form: CachedForm, standing: Standing) -> impl IntoView {
    let i18n = use_i18n();
    let c = use_collector();
    let id = form.version.form_id.to_string();
    let title = form.version.definition.title.clone();
    let number = form.version.summary.number.to_string();
    let href = format!("/collect/fill/{id}");
    let (update_id, remove_id) = (id.clone(), id.clone());
    let update = move |_| {
        let api = c.session().client();
        let id = update_id.clone();
        spawn_local(async move {
            let _ = fetch_and_keep(api, id).await;
            c.reload();
        });
    };
    let remove = move |_| {
        let id = remove_id.clone();
        spawn_local(async move {
            let _ = forms::forget_link(&id).await;
            c.reload();
        });
    };
    // A form taken away only shows where its waiting records are.
    let collectable = !matches!(standing, Standing::Unassigned { .. });
    let by_link = standing == Standing::ByLink;
    view! {
        <li
            class="collect-form"
            data-testid="cached-form"
            data-form-id=id
            data-state=standing.as_str()
        >
            <div>
                <strong>{move || title.get(i18n.locale()).to_owned()}</strong>
                " "
                <span class="muted">{move || fill(i18n.t().collect.version, &[("number", &number)])}</span>
                <br />
                <span class="muted" data-testid="form-standing">{standing_text(standing)}</span>
            </div>
            <div class="collect-actions">
                {collectable
                    .then(|| {
                        view! {
                            <A href=href attr:class="button button-primary" attr:data-testid="fill-form">
                                {move || i18n.t().collect.fill}
                            </A>
                        }
                    })}
                {(!collectable)
                    .then(|| {
                        view! {
                            <A href="/collect/outbox" attr:class="button button-secondary">
                                {move || i18n.t().collect.outbox_heading}
                            </A>
                        }
                    })}
                {by_link
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="button button-secondary button-small"
                                disabled=move || !c.online.get()
                                on:click=update
                            >
                                {move || i18n.t().collect.refresh_form}
                            </button>
                            <button
                                type="button"
                                class="button button-secondary button-small"
                                on:click=remove
                            >
                                {move || i18n.t().collect.remove_form}
                            </button>
                        }
                    })}
            </div>
        </li>
    }
}
