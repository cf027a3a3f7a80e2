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

use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{local_time, ErrorAlert, Loading, RolesOnly};
use crate::components::form::FormAlert;
use crate::i18n::{fill, set_page_title, use_i18n};
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
    let navigate = use_navigate();
    Effect::new(move |_| set_page_title(i18n.t().designer.forms_title));
    let archived = RwSignal::new(false);
    let forms = api_resource(move |api| {
        let archived = archived.get();
        async move { api.forms(archived).await }
    });
    let import_error = RwSignal::new(None::<String>);
    // One alert for creating a form and for the buttons of the rows.
    let error = RwSignal::new(None::<ApiError>);
    let create = ApiCall::with_error(
        error,
        |api, definition: Option<FormDefinition>| async move {
            api.create_form(&CreateFormRequest { definition }).await
        },
    )
    .on_ok(move |detail| {
        navigate(
            &format!("/forms/{}", detail.summary.id),
            NavigateOptions::default(),
        );
    });
    let busy = create.pending();
    let import = move |ev: leptos::ev::Event| {
        import_error.set(None);
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        // Reading the file is the browser's, not the API's: its failure shows apart.
        spawn_local(async move {
            let text = JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            match text.map(|t| FormDefinition::from_json(&t)) {
                Some(Ok(def)) => create.dispatch(Some(def)),
                Some(Err(e)) => import_error.set(Some(e.to_string())),
                None => import_error.set(Some(String::new())),
            }
        });
    };
    let change = ApiCall::with_error(error, |api, (id, action): (String, RowAction)| async move {
        match action {
            RowAction::Duplicate => api.duplicate_form(&id).await.map(drop),
            RowAction::Archive => api.archive_form(&id).await.map(drop),
            RowAction::Restore => api.restore_form(&id).await.map(drop),
        }
    })
    .on_ok(move |()| forms.refetch());
    let act = move |id: String, action: RowAction| change.dispatch((id, action));
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
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section data-testid="forms-page">
            <h1>{move || i18n.t().designer.forms_title}</h1>
            <p class="lead">{move || i18n.t().designer.forms_intro}</p>
            <div class="button-row">
                <button type="button" class="button button-primary" data-testid="new-form" disabled=move || busy.get() on:click=move |_| create.dispatch(None)>
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
                <Suspense fallback=|| view! { <Loading /> }>
                    {rows}
                </Suspense>
            </div>
        </section>
    }
}

/// What the buttons of a row do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowAction {
    Duplicate,
    Archive,
    Restore,
}

impl RowAction {
    /// The `data-testid` suffix of its button.
    const fn name(self) -> &'static str {
        match self {
            RowAction::Duplicate => "duplicate",
            RowAction::Archive => "archive",
            RowAction::Restore => "restore",
        }
    }
}

/// One form in the table.
#[component]
fn FormRow<F>(form: FormSummary, act: F) -> impl IntoView
where
    F: Fn(String, RowAction) + Copy + 'static,
{
    let i18n = use_i18n();
    let id = form.id.to_string();
    let title = form.title.clone();
    let active = form.status == FormStatus::Active;
    let version = form.latest_version.as_ref().map(|v| v.number);
    let updated = form.updated_at_ms;
    let button = move |label: fn(&crate::i18n::DesignerTexts) -> &'static str,
                       action: RowAction| {
        let id = id.clone();
        view! {
            <button type="button" class="button button-secondary button-small" data-testid=format!("form-{}", action.name())
                on:click=move |_| act(id.clone(), action)>
                {move || label(&i18n.t().designer)}
            </button>
        }
    };
    view! {
        <tr data-testid="form-row" data-form-id=form.id.to_string()>
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
                {button(|t| t.duplicate, RowAction::Duplicate)}
                {if active {
                    button(|t| t.archive, RowAction::Archive)
                } else {
                    button(|t| t.restore, RowAction::Restore)
                }}
            </td>
        </tr>
    }
}
