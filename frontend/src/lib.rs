//! The Consentry web app, a Leptos single-page app compiled to WebAssembly.
//!
//! `main.rs` only mounts [`App`]; everything else lives here so that it can be tested
//! in a browser with `wasm-bindgen-test`.

pub mod api;
pub mod app;
pub mod collect;
pub mod components;
pub mod embed;
pub mod i18n;
pub mod offline;
pub mod pages;
pub mod session;
pub mod submit;

pub use app::App;
