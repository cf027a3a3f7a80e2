//! `/forms`: every form with its status and latest version; create, duplicate, archive,
//! restore, and import a definition from a JSON file.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use shared::api::error::ApiError;
use shared::api::forms::{CreateFormRequest, FormStatus, FormSummary};
use shared::schema::FormDefinition;
use wasm_bindgen_futures::JsFuture;

use crate::components::console_ui::local_time;
use crate::components::console_ui::RolesOnly;
use crate::components::form::FormAlert;
use crate::i18n::{fill, set_page_title, use_i18n};
use crate::session::use_session;
use shared::access::Permission;

/// The list page.
#[component]
pub fn FormsListPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ManageForms>
            <FormList />
        </RolesOnly>
    }
}

#[component]
fn FormList() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move |_| set_page_title(i18n.t().designer.forms_title));
    let archived = RwSignal::new(false);
    let forms = LocalResource::new(move || {
        let api = session.client();
        let archived = archived.get();
        async move { api.forms(archived).await }
    });
    let error = RwSignal::new(None::<ApiError>);
    let import_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let open = move |id: &str| {
        navigate(&format!("/forms/{id}"), NavigateOptions::default());
    };
    let create = {
        let open = open.clone();
        move |definition: Option<FormDefinition>| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            error.set(None);
            let api = session.client();
            let open = open.clone();
            spawn_local(async move {
                let result = api.create_form(&CreateFormRequest { definition }).await;
                busy.set(false);
                match result {
                    Ok(detail) => open(&detail.summary.id),
                    Err(e) => {
                        session.note_error(&e);
                        error.set(Some(e));
                    }
                }
            });
        }
    };
    let create_blank = {
        let create = create.clone();
        move |_| create(None)
    };
    let import = move |ev: leptos::ev::Event| {
        import_error.set(None);
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let create = create.clone();
        spawn_local(async move {
            let text = JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            match text.map(|t| FormDefinition::from_json(&t)) {
                Some(Ok(def)) => create(Some(def)),
                Some(Err(e)) => import_error.set(Some(e.to_string())),
                None => import_error.set(Some(String::new())),
            }
        });
    };
    let act = move |id: String, action: &'static str| {
        let api = session.client();
        spawn_local(async move {
            let result = match action {
                "duplicate" => api.duplicate_form(&id).await.map(drop),
                "archive" => api.archive_form(&id).await.map(drop),
                _ => api.restore_form(&id).await.map(drop),
            };
            match result {
                Ok(()) => forms.refetch(),
                Err(e) => {
                    session.note_error(&e);
                    error.set(Some(e));
                }
            }
        });
    };
    let rows = move || {
        forms.get().map(|result| match result {
            Ok(list) if list.is_empty() => view! {
                <p class="muted" data-testid="no-forms">{move || i18n.t().designer.no_forms}</p>
            }
            .into_any(),
            Ok(list) => view! {
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().designer.col_title}</th>
                            <th scope="col">{move || i18n.t().designer.col_status}</th>
                            <th scope="col">{move || i18n.t().designer.col_version}</th>
                            <th scope="col">{move || i18n.t().designer.col_updated}</th>
                            <th scope="col">{move || i18n.t().designer.col_actions}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.into_iter().map(|form| view! { <FormRow form act /> }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any(),
            Err(e) => {
                let code = e.code;
                view! {
                    <div class="alert alert-error" role="alert">
                        <p class="alert-title">{move || i18n.t().error(code)}</p>
                    </div>
                }
                .into_any()
            }
        })
    };
    view! {
        <section data-testid="forms-page">
            <h1>{move || i18n.t().designer.forms_title}</h1>
            <p class="lead">{move || i18n.t().designer.forms_intro}</p>
            <div class="button-row">
                <button type="button" class="button button-primary" data-testid="new-form" disabled=move || busy.get() on:click=create_blank>
                    {move || i18n.t().designer.new_form}
                </button>
                <label class="button button-secondary file-button">
                    {move || i18n.t().designer.import_label}
                    <input type="file" class="visually-hidden" accept="application/json,.json" data-testid="import-form" on:change=import />
                </label>
                <div class="choice">
                    <input id="show-archived" type="checkbox" prop:checked=move || archived.get()
                        on:change=move |ev| archived.set(event_target_checked(&ev)) data-testid="show-archived" />
                    <label for="show-archived">{move || i18n.t().designer.show_archived}</label>
                </div>
            </div>
            <FormAlert error />
            {move || import_error.get().map(|detail| view! {
                <div class="alert alert-error" role="alert" data-testid="import-error">
                    <p class="alert-title">{move || i18n.t().designer.import_invalid}</p>
                    <p class="alert-detail">{detail}</p>
                </div>
            })}
            <div class="table-wrap" data-testid="form-list" aria-live="polite">
                <Suspense fallback=move || view! { <p class="muted loading">{move || i18n.t().loading}</p> }>
                    {rows}
                </Suspense>
            </div>
        </section>
    }
}

/// One form in the table.
#[component]
fn FormRow<F>(form: FormSummary, act: F) -> impl IntoView
where
    F: Fn(String, &'static str) + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let id = form.id.clone();
    let title = form.title.clone();
    let active = form.status == FormStatus::Active;
    let version = form.latest_version.as_ref().map(|v| v.number);
    let updated = form.updated_at_ms;
    let button = move |label: fn(&crate::i18n::DesignerTexts) -> &'static str,
                       action: &'static str| {
        let id = id.clone();
        view! {
            <button type="button" class="button button-secondary button-small" data-testid=format!("form-{action}")
                on:click=move |_| act(id.clone(), action)>
                {move || label(&i18n.t().designer)}
            </button>
        }
    };
    view! {
        <tr data-testid="form-row" data-form-id=form.id>
            <td>
                <A href=format!("/forms/{}", form.id) attr:data-testid="form-open">
                    {move || title.get(i18n.locale()).to_owned()}
                </A>
                {form.has_unpublished_changes.then(|| view! {
                    " " <span class="badge badge-warning" data-testid="unpublished-badge">{move || i18n.t().designer.unpublished_badge}</span>
                })}
            </td>
            <td>{move || if active { i18n.t().designer.status_active } else { i18n.t().designer.status_archived }}</td>
            <td>{move || match version {
                Some(n) => fill(i18n.t().designer.version_n, &[("n", &n.to_string())]),
                None => i18n.t().designer.not_published.to_owned(),
            }}</td>
            <td>{move || local_time(updated, i18n.locale().tag())}</td>
            <td class="row-actions">
                {button(|t| t.duplicate, "duplicate")}
                {if active { button(|t| t.archive, "archive") } else { button(|t| t.restore, "restore") }}
            </td>
        </tr>
    }
}
