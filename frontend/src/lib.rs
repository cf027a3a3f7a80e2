//! The Consentry web app, a Leptos single-page app compiled to WebAssembly.
//!
//! `main.rs` only mounts `App`; everything else lives here so that it can be tested
//! in a browser with `wasm-bindgen-test`.
//!
//! The feature `console` (on by default) compiles the admin console; the customer apps
//! (`src/bin/`: a form's first stage `notice`, the form app `embed`, `self_service`) are
//! built without it, so that nothing of the console, its pages or its texts, can reach
//! the WASM customers download. The first stage uses only [`notice`] (no Leptos).

pub mod api;
#[cfg(feature = "console")]
pub mod app;
#[cfg(feature = "console")]
pub mod collect;
pub mod components;
pub mod embed;
pub mod i18n;
pub mod notice;
#[cfg(feature = "console")]
pub mod offline;
#[cfg(feature = "console")]
pub mod pages;
#[cfg(feature = "console")]
pub mod session;
pub mod submit;

#[cfg(feature = "console")]
pub use app::App;
