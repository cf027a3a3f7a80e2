//! `/forms/{id}/versions/{number}`: one published version, read-only, rendered exactly as
//! customers see it, with its hash and a JSON export.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::schema::{Answers, FormDefinition, ValidatedAnswers};

use super::download::{download_json, file_name};
use crate::components::api_call::api_resource;
use crate::components::console_ui::{local_time, ErrorAlert, Loading, RolesOnly};
use crate::components::form_renderer::FormRenderer;
use crate::i18n::{fill, set_page_title, use_i18n};
use shared::access::Permission;

/// The version page.
#[component]
pub fn FormVersionPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ManageForms>
            <VersionView />
        </RolesOnly>
    }
}

#[component]
fn VersionView() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let number = move || {
        params
            .with(|p| p.get("number").and_then(|n| n.parse::<i64>().ok()))
            .unwrap_or(0)
    };
    let version = api_resource(move |api| {
        let (id, number) = (id(), number());
        async move { api.form_version(&id, number).await }
    });
    Effect::new(move |_| {
        set_page_title(&fill(
            i18n.t().designer.version_n,
            &[("n", &number().to_string())],
        ));
    });
    let body = move || {
        version.get().map(|result| match result {
            Ok(detail) => {
                let definition = Signal::stored(detail.definition.clone());
                let answers = RwSignal::new(Answers::new());
                let valid = RwSignal::new(false);
                let on_submit = Callback::new(move |_: ValidatedAnswers| valid.set(true));
                let export_def: FormDefinition = detail.definition.clone();
                let n = detail.summary.number;
                let export = move |_| {
                    download_json(&export_def, &file_name(&export_def, &format!("v{n}")));
                };
                let summary = detail.summary;
                view! {
                    <dl class="facts">
                        <div>
                            <dt>{move || i18n.t().designer.hash}</dt>
                            <dd><code data-testid="version-hash">{summary.hash.clone()}</code></dd>
                        </div>
                        <div>
                            <dt>{move || i18n.t().designer.published_at}</dt>
                            <dd>{move || local_time(summary.published_at_ms, i18n.locale().tag())}</dd>
                        </div>
                        <div>
                            <dt>{move || i18n.t().designer.published_by}</dt>
                            <dd>{summary.published_by.unwrap_or_default()}</dd>
                        </div>
                    </dl>
                    <div class="button-row">
                        <button type="button" class="button button-secondary" data-testid="export-version" on:click=export>
                            {move || i18n.t().designer.export_version}
                        </button>
                    </div>
                    <section class="card preview" data-testid="version-preview">
                        <FormRenderer definition answers on_submit id_prefix="version" />
                        <Show when=move || valid.get()>
                            <p class="alert alert-success" role="status">{move || i18n.t().designer.preview_valid}</p>
                        </Show>
                    </section>
                }
                .into_any()
            }
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section class="designer" data-testid="version-view">
            <p class="muted">
                <A href=move || format!("/forms/{}", id())>{move || i18n.t().designer.back_to_editor}</A>
            </p>
            <h1>{move || fill(i18n.t().designer.version_n, &[("n", &number().to_string())])}</h1>
            <p class="alert alert-warning">{move || i18n.t().designer.read_only}</p>
            <Suspense fallback=|| view! { <Loading /> }>
                {body}
            </Suspense>
        </section>
    }
}
