//! Talking to the page that frames us (see `frontend/embed.js`): our height, so the host
//! can size the iframe without scroll bars, and the receipt id once a submission is
//! confirmed. Both messages are safe for any origin to read: neither carries personal
//! data nor the withdrawal token.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How often the height is measured (only changes are sent).
const HEIGHT_POLL_MS: i32 = 250;

fn parent() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    // A top-level page is its own parent: nobody to tell.
    (!js_sys::Object::is(&parent, &window)).then_some(parent)
}

fn post(message: &js_sys::Object) {
    if let Some(parent) = parent() {
        let _ = parent.post_message(message, "*");
    }
}

fn message(kind: &str, name: &str, value: &JsValue) -> js_sys::Object {
    let object = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&object, &"type".into(), &kind.into());
    let _ = js_sys::Reflect::set(&object, &name.into(), value);
    object
}

/// The height the page needs: the document, or the open privacy dialog when it is
/// taller (a modal dialog sits in the top layer, outside the document's height).
fn needed_height() -> i32 {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return 0;
    };
    let page = document.document_element().map_or(0, |e| e.scroll_height());
    let dialog = document
        .query_selector("dialog[open]")
        .ok()
        .flatten()
        .map_or(0, |d| d.scroll_height() + 48);
    page.max(dialog)
}

/// Starts telling the framing page our height whenever it changes.
pub fn report_height() {
    if parent().is_none() || already_reporting() {
        return;
    }
    let mut last = -1;
    let tick = Closure::<dyn FnMut()>::new(move || {
        let height = needed_height();
        if height != last {
            last = height;
            post(&message("consentry:height", "height", &height.into()));
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            HEIGHT_POLL_MS,
        );
    }
    // The interval lives as long as the page.
    tick.forget();
}

/// Whether a module of this page (the first stage, then the form app: two WASM
/// modules, so no Rust static is shared) already reports the height; marks it as
/// reported from now on.
fn already_reporting() -> bool {
    const FLAG: &str = "consentryReportsHeight";
    let Some(window) = web_sys::window() else {
        return true;
    };
    let flag = JsValue::from_str(FLAG);
    let already = js_sys::Reflect::get(&window, &flag).is_ok_and(|v| v.is_truthy());
    let _ = js_sys::Reflect::set(&window, &flag, &JsValue::TRUE);
    already
}

/// Tells the framing page that a submission was confirmed.
pub fn report_submitted(receipt_id: &str) {
    post(&message(
        "consentry:submitted",
        "receiptId",
        &receipt_id.into(),
    ));
}
