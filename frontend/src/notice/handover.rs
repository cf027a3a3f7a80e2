//! What the first stage hands the form app when the customer continues: the choices
//! made in the privacy pop-up, for the version it showed, and the language.
//!
//! The two stages are separate WASM modules with their own memories, so the choices go
//! through the page: a JSON string on `window` and an event that tells a form app
//! already waiting for them.

use serde::{Deserialize, Serialize};
use shared::consent::notice::PopupAnswers;
use shared::i18n::Locale;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The property of `window` that holds the handover's JSON.
const PROPERTY: &str = "consentryHandover";
/// The event dispatched on `window` once the handover is there.
const EVENT: &str = "consentry:handover";
/// The attribute that marks what the first stage drew (the form app removes it).
pub const FIRST_STAGE_ATTRIBUTE: &str = "data-first-stage";

/// The customer's choices in the first stage's pop-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    /// The version whose notice the customer saw (`sha256:…`).
    pub version_hash: String,
    /// The language the customer read it in.
    pub locale: Locale,
    pub answers: PopupAnswers,
}

/// Leaves `handover` for the form app and tells it.
pub fn give(handover: &Handover) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(json) = serde_json::to_string(handover) else {
        return;
    };
    let _ = js_sys::Reflect::set(&window, &PROPERTY.into(), &json.into());
    if let Ok(event) = web_sys::Event::new(EVENT) {
        let _ = window.dispatch_event(&event);
    }
}

/// The choices the first stage left, if any.
#[must_use]
pub fn peek() -> Option<Handover> {
    let window = web_sys::window()?;
    let json = js_sys::Reflect::get(&window, &PROPERTY.into())
        .ok()?
        .as_string()?;
    serde_json::from_str(&json).ok()
}

/// The choices the first stage left for the version `hash`: a newer version's notice
/// must be read again, so choices for another one are dropped.
#[must_use]
pub fn take(hash: &str) -> Option<PopupAnswers> {
    let handover = peek().filter(|h| h.version_hash == hash);
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::delete_property(&window, &PROPERTY.into());
    }
    handover.map(|h| h.answers)
}

/// Whether the first stage's pop-up is on the page, still waiting for the customer
/// (when the first stage shows only a status line, there is nothing to wait for).
fn first_stage_waiting() -> bool {
    let showing = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(&format!("[{FIRST_STAGE_ATTRIBUTE}] dialog"))
                .ok()
                .flatten()
        })
        .is_some();
    showing && peek().is_none()
}

/// Removes what the first stage drew.
pub fn clear_first_stage() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(nodes) = document.query_selector_all(&format!("[{FIRST_STAGE_ATTRIBUTE}]")) {
        for i in 0..nodes.length() {
            if let Some(node) = nodes
                .get(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                node.remove();
            }
        }
    }
}

/// Runs `start` now, or once the customer has continued from the first stage's pop-up
/// when it is still showing.
pub fn when_handed_over(start: impl FnOnce() + 'static) {
    if !first_stage_waiting() {
        clear_first_stage();
        start();
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let start = Closure::once_into_js(move || {
        clear_first_stage();
        start();
    });
    let options = web_sys::AddEventListenerOptions::new();
    options.set_once(true);
    let _ = window.add_event_listener_with_callback_and_add_event_listener_options(
        EVENT,
        start.unchecked_ref(),
        &options,
    );
}
