//! The forms kept on this device for collecting. Staff cannot list forms, so a form is
//! added by its hosted link (`…/f/{id}`) or id; its published version is fetched from
//! the public endpoint and kept in IndexedDB so that it opens offline.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::api::error::{ApiError, ErrorCode};

use crate::components::form::{local_validation, FormAlert};
use crate::i18n::{fill, use_i18n};
use crate::offline::outbox::{self, CachedForm};
use crate::offline::use_collector;

/// Fetches the form's latest published version and keeps it.
async fn fetch_and_keep(api: crate::api::ApiClient, id: String) -> Result<(), ApiError> {
    let version = api.public_form(&id).await?;
    outbox::cache_form(version).await.map_err(|_| {
        ApiError::new(
            ErrorCode::Internal,
            crate::i18n::EN.error(ErrorCode::Internal),
        )
    })
}

/// The forms panel of the Collect page.
#[component]
pub fn FormsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let c = use_collector();
    let forms = RwSignal::new(Vec::<CachedForm>::new());
    let reload = move || {
        spawn_local(async move {
            if let Ok(mut list) = outbox::cached_forms().await {
                list.sort_by_key(|f| std::cmp::Reverse(f.cached_at_ms));
                forms.set(list);
            }
        });
    };
    reload();
    let reference = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(id) = outbox::form_id_from(&reference.get_untracked()) else {
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
                    reload();
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
    let rows = move || {
        forms
            .get()
            .into_iter()
            .map(|form| view! { <FormRow form reload=Callback::new(move |()| reload()) /> })
            .collect_view()
    };
    view! {
        <section class="card collect-forms" aria-labelledby="forms-heading">
            <h2 id="forms-heading">{move || i18n.t().collect.forms_heading}</h2>
            <p class="muted">{move || i18n.t().collect.forms_help}</p>
            <Show when=move || forms.with(Vec::is_empty)>
                <p class="muted">{move || i18n.t().collect.no_forms}</p>
            </Show>
            <ul class="collect-form-list">{rows}</ul>
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
        </section>
    }
}

/// One kept form: collect with it, update it to the latest version, or remove it.
#[component]
fn FormRow(form: CachedForm, reload: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let c = use_collector();
    let id = form.version.form_id.clone();
    let title = form.version.definition.title.clone();
    let number = form.version.summary.number.to_string();
    let href = format!("/collect/fill/{id}");
    let (update_id, remove_id) = (id.clone(), id.clone());
    let update = move |_| {
        let api = c.session().client();
        let id = update_id.clone();
        spawn_local(async move {
            let _ = fetch_and_keep(api, id).await;
            reload.run(());
        });
    };
    let remove = move |_| {
        let id = remove_id.clone();
        spawn_local(async move {
            let _ = outbox::forget_form(&id).await;
            reload.run(());
        });
    };
    view! {
        <li class="collect-form" data-testid="cached-form" data-form-id=id>
            <div>
                <strong>{move || title.get(i18n.locale()).to_owned()}</strong>
                " "
                <span class="muted">{move || fill(i18n.t().collect.version, &[("number", &number)])}</span>
            </div>
            <div class="collect-actions">
                <A href=href attr:class="button button-primary" attr:data-testid="fill-form">
                    {move || i18n.t().collect.fill}
                </A>
                <button
                    type="button"
                    class="button button-secondary button-small"
                    disabled=move || !c.online.get()
                    on:click=update
                >
                    {move || i18n.t().collect.refresh_form}
                </button>
                <button type="button" class="button button-secondary button-small" on:click=remove>
                    {move || i18n.t().collect.remove_form}
                </button>
            </div>
        </li>
    }
}
