//! `/`: what Consentry is, and which server version is answering (the compliance
//! dashboard's footer links here); those who see the dashboard find it from here too.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::access::Permission;
use shared::api::error::ApiError;
use shared::api::system::{DatabaseKind, VersionInfo};

use crate::i18n::{set_page_title, use_i18n};
use crate::session::use_session;

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    Effect::new(move |_| set_page_title(i18n.t().home_title));
    view! {
        <section class="hero">
            <h1 data-testid="home-title">{move || i18n.t().home_title}</h1>
            <p class="lead">{move || i18n.t().home_lead}</p>
            <p class="actions">
                <Show
                    when=move || session.is_signed_in()
                    fallback=move || {
                        view! {
                            <A href="/login" attr:class="button button-primary">
                                {move || i18n.t().home_cta_sign_in}
                            </A>
                        }
                    }
                >
                    <Show when=move || session.may(Permission::ViewCompliance)>
                        <A
                            href="/compliance"
                            attr:class="button button-primary"
                            attr:data-testid="home-compliance"
                        >
                            {move || i18n.t().compliance.home_cta}
                        </A>
                    </Show>
                    <A href="/account" attr:class="button button-secondary">
                        {move || i18n.t().home_cta_account}
                    </A>
                </Show>
            </p>
        </section>
        <ServerStatus />
    }
}

/// A card with the server's name, version and database, fetched on first view.
#[component]
fn ServerStatus() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let version = LocalResource::new(move || {
        let api = session.client();
        async move { api.version().await }
    });
    let body = move || match version.get() {
        None => view! { <p class="muted loading">{move || i18n.t().server_loading}</p> }.into_any(),
        Some(Ok(info)) => view! { <VersionList info /> }.into_any(),
        Some(Err(error)) => {
            view! { <VersionError error on_retry=move || version.refetch() /> }.into_any()
        }
    };
    view! {
        <section class="card" aria-labelledby="server-heading">
            <h2 id="server-heading">{move || i18n.t().server_heading}</h2>
            <div aria-live="polite" aria-busy=move || {
                if version.with(Option::is_none) { "true" } else { "false" }
            }>{body}</div>
        </section>
    }
}

/// The version facts as a description list.
#[component]
fn VersionList(info: VersionInfo) -> impl IntoView {
    let i18n = use_i18n();
    let database = match info.database {
        DatabaseKind::Sqlite => "SQLite",
        DatabaseKind::Postgres => "PostgreSQL",
    };
    view! {
        <dl class="facts">
            <div>
                <dt>{move || i18n.t().server_name}</dt>
                <dd data-testid="server-name">{info.name}</dd>
            </div>
            <div>
                <dt>{move || i18n.t().server_version}</dt>
                <dd data-testid="server-version">{info.version}</dd>
            </div>
            <div>
                <dt>{move || i18n.t().server_api_version}</dt>
                <dd>{info.api_version}</dd>
            </div>
            <div>
                <dt>{move || i18n.t().server_database}</dt>
                <dd data-testid="server-database">{database}</dd>
            </div>
        </dl>
    }
}

/// Why the version could not be fetched, with a retry button.
#[component]
fn VersionError(error: ApiError, on_retry: impl Fn() + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let code = error.code;
    view! {
        <div class="alert alert-error" role="alert" data-testid="server-error">
            <p class="alert-title">{move || i18n.t().server_unreachable}</p>
            <p class="alert-detail">{move || i18n.t().error(code)}</p>
        </div>
        <button type="button" class="button button-secondary" on:click=move |_| on_retry()>
            {move || i18n.t().retry}
        </button>
    }
}
