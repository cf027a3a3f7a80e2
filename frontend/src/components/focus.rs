//! Moving keyboard focus to where the person goes on, once it is on the page: the form
//! after the privacy pop-up, a new page of the form, the receipt. Without it, focus
//! stays on a button that has gone (so on the document's start) or on Next, below the
//! new page, and a keyboard or screen reader user must look for their place.
//!
//! Focus goes to a heading (`tabindex="-1"`), which screen readers announce, rather than
//! to a field: a field focused for the person would show its problems once they click
//! elsewhere, before they typed anything.

use leptos::prelude::request_animation_frame;
use wasm_bindgen::JsCast;

/// Focuses, at the next frame (after the render that shows it), the first element that
/// matches the first of `selectors` to match any. Nothing happens when none does.
pub fn focus_soon(selectors: Vec<String>) {
    request_animation_frame(move || {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let found = selectors
            .iter()
            .find_map(|s| document.query_selector(s).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = found {
            let _ = el.focus();
        }
    });
}

/// The rendered form `form_id`'s title.
#[must_use]
pub fn form_title(form_id: &str) -> Vec<String> {
    vec![format!("#{form_id} .rendered-form-title")]
}

/// The heading of the page of the rendered form `form_id` now shown: its first section's
/// title, or else the form's.
#[must_use]
pub fn page_heading(form_id: &str) -> Vec<String> {
    vec![
        format!("#{form_id} .form-section-title"),
        format!("#{form_id} .rendered-form-title"),
    ]
}
