//! The designer's "Embed" panel: the snippet a website pastes to show the form, and the
//! form's hosted link on this server.

use leptos::prelude::*;

use crate::i18n::use_i18n;

/// This server's origin, as the browser sees it.
fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// The embed snippet of `form_id` served from `origin`.
#[must_use]
pub fn snippet(origin: &str, form_id: &str) -> String {
    format!(
        "<script src=\"{origin}/embed/embed.js\" async></script>\n\
         <consentry-form form=\"{form_id}\" server=\"{origin}\"></consentry-form>"
    )
}

/// The snippet and the hosted link of one form.
#[component]
pub fn EmbedPanel(form_id: StoredValue<String>) -> impl IntoView {
    let i18n = use_i18n();
    let origin = origin();
    let code = form_id.with_value(|id| snippet(&origin, id));
    let hosted = form_id.with_value(|id| format!("{origin}/f/{id}"));
    let link = hosted.clone();
    view! {
        <section class="embed-panel" aria-labelledby="embed-heading" data-testid="embed-panel">
            <h3 id="embed-heading">{move || i18n.t().designer.embed_heading}</h3>
            <p>{move || i18n.t().designer.embed_snippet}</p>
            <pre class="embed-snippet" data-testid="embed-snippet"><code>{code}</code></pre>
            <p>
                {move || i18n.t().designer.embed_hosted_link} " "
                <a href=link target="_blank" rel="noopener noreferrer" data-testid="embed-hosted-link">
                    {hosted}
                </a>
            </p>
            <p class="muted">{move || i18n.t().designer.embed_needs_publish}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_loads_the_loader_and_names_the_form() {
        let s = snippet("https://c.example", "f1");
        assert!(s.contains("<script src=\"https://c.example/embed/embed.js\" async></script>"));
        assert!(s.contains(
            "<consentry-form form=\"f1\" server=\"https://c.example\"></consentry-form>"
        ));
    }
}
