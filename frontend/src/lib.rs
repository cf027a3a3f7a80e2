//! The Consentry web app, a Leptos single-page app compiled to WebAssembly.
//!
//! `main.rs` only mounts `App`; everything else lives here so that it can be tested
//! in a browser with `wasm-bindgen-test`.
//!
//! The feature `console` (on by default) compiles the admin console; the customer app
//! (`src/bin/embed.rs`) is built without it (`embed.html`), so that nothing of the
//! console, its pages or its texts, can reach the WASM customers download.

pub mod api;
#[cfg(feature = "console")]
pub mod app;
#[cfg(feature = "console")]
pub mod collect;
pub mod components;
pub mod embed;
pub mod i18n;
#[cfg(feature = "console")]
pub mod offline;
#[cfg(feature = "console")]
pub mod pages;
#[cfg(feature = "console")]
pub mod session;
pub mod submit;

#[cfg(feature = "console")]
pub use app::App;
