//! Registers the service worker (`frontend/sw.js`, served at `/sw.js`) that keeps the
//! console's app shell so it opens without a network, and reports when it is ready.

use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};
use wasm_bindgen_futures::JsFuture;

/// The service worker's script, at the root so that its scope is the whole console.
const SCRIPT: &str = "/sw.js";

/// Registers the service worker; `ready` becomes true once it controls this page (the
/// app shell is then cached). Browsers without service workers just stay not ready.
pub fn register(ready: RwSignal<bool>) {
    let Some(container) = web_sys::window().map(|w| w.navigator().service_worker()) else {
        return;
    };
    let controlled = {
        let container = container.clone();
        move || container.controller().is_some()
    };
    ready.set(controlled());
    let on_change = {
        let controlled = controlled.clone();
        Closure::<dyn Fn()>::new(move || ready.set(controlled()))
    };
    container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    // The listener lives as long as the page.
    on_change.forget();
    let registration = container.register(SCRIPT);
    let when_ready = container.ready();
    leptos::task::spawn_local(async move {
        if JsFuture::from(registration).await.is_err() {
            return;
        }
        if let Ok(when_ready) = when_ready {
            let _ = JsFuture::from(when_ready).await;
        }
        ready.set(controlled());
    });
}
