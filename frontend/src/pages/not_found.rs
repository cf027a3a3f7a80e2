//! The page for any address the app does not know.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{set_page_title, use_i18n};

/// The not-found page.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_page_title(i18n.t().not_found_title));
    view! {
        <section class="narrow">
            <h1 data-testid="not-found-title">{move || i18n.t().not_found_title}</h1>
            <p>{move || i18n.t().not_found_text}</p>
            <p>
                <A href="/">{move || i18n.t().not_found_home}</A>
            </p>
        </section>
    }
}
