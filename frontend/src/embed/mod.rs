//! The small customer-facing app served at `/f/{form_id}`, `/withdraw` (which is also
//! where customers make requests about their data), `/verify` and `/consent` (a consent
//! request for an imported record).
//!
//! Two small WASM binaries of their own, so customers never download the admin console:
//! `consentry-embed` shows forms ([`form_pages`]) and `consentry-self-service` the pages
//! a customer comes back to ([`self_service_pages`]: withdrawal and requests,
//! verification, an imported record's consent request). Each routes on
//! `window.location.pathname` itself and names only its own pages, so the code of the
//! other's pages is left out of its WASM: the form, which customers open on their
//! phones first, carries no receipt verifier, withdrawal or request code.

mod api;
// The privacy pop-up and the consent statement are shared with the console's offline
// collection (`crate::collect`), which must ask for consent exactly as customers see it.
pub(crate) mod consent_dialog;
mod form_page;
pub(crate) mod frame;
mod invite;
mod receipt;
mod request;
pub(crate) mod rich_text;
pub(crate) mod submission;
mod verify;
// The withdrawal link is also handed out by staff devices (`crate::collect`).
pub(crate) mod withdraw;

use leptos::prelude::*;
use shared::i18n::Locale;

use crate::components::lang_switch::LangSwitch;
use crate::i18n::{use_i18n, I18n};

/// Which page the path asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Form(String),
    Withdraw,
    Verify,
    Invite,
    NotFound,
}

fn route(path: &str) -> Route {
    match path.trim_end_matches('/') {
        "/withdraw" => Route::Withdraw,
        "/verify" => Route::Verify,
        "/consent" => Route::Invite,
        p => match p.strip_prefix("/f/") {
            Some(id) if !id.is_empty() && !id.contains('/') => Route::Form(id.to_owned()),
            _ => Route::NotFound,
        },
    }
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The `?lang=` of the page, when it names a language we have.
pub(crate) fn requested_locale() -> Option<Locale> {
    let search = location()?.search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    Locale::from_tag(&params.get("lang")?)
}

/// The pages one customer app shows; each binary passes its own.
pub type Pages = fn(&Route) -> AnyView;

/// `consentry-embed`: a published form, with its privacy pop-up, signature and receipt.
#[must_use]
pub fn form_pages(route: &Route) -> AnyView {
    match route {
        Route::Form(id) => view! { <form_page::FormPage form_id=id.clone() /> }.into_any(),
        _ => view! { <NotFound /> }.into_any(),
    }
}

/// `consentry-self-service`: the pages a customer comes back to.
#[must_use]
pub fn self_service_pages(route: &Route) -> AnyView {
    match route {
        Route::Withdraw => view! { <withdraw::WithdrawPage /> }.into_any(),
        Route::Verify => view! { <verify::VerifyPage /> }.into_any(),
        Route::Invite => view! { <invite::InvitePage /> }.into_any(),
        _ => view! { <NotFound /> }.into_any(),
    }
}

/// A customer app: a language switch and the page the path names, of `pages`.
#[component]
pub fn CustomerApp(pages: Pages) -> impl IntoView {
    // The language the customer read the first stage's pop-up in comes first.
    let handed_over = crate::notice::handover::peek().map(|h| h.locale);
    let i18n = I18n::starting_with(handed_over.or_else(requested_locale));
    provide_context(i18n);
    let path = location()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_default();
    frame::report_height();
    let page = pages(&route(&path));
    view! {
        <header class="embed-top">
            <LangSwitch />
        </header>
        <main id="main" class="embed-main">
            {page}
        </main>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="alert alert-error">{move || i18n.t().customer.page_not_found}</p> }
}

/// An API error in the current language: the server's own message when it has one.
fn error_text(error: &shared::api::error::ApiError) -> String {
    use_i18n().t().error_text(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_pick_pages() {
        assert_eq!(route("/f/abc"), Route::Form("abc".into()));
        assert_eq!(route("/withdraw"), Route::Withdraw);
        assert_eq!(route("/verify/"), Route::Verify);
        assert_eq!(route("/f/"), Route::NotFound);
        assert_eq!(route("/f/a/b"), Route::NotFound);
        assert_eq!(route("/admin"), Route::NotFound);
    }
}
