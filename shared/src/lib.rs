//! Types and pure rules that the Consentry server and its WebAssembly front end share.
//!
//! This crate does no I/O and builds for `wasm32-unknown-unknown` as well as the host:
//! request and response payloads live here once (`api`), and so do the rules both sides
//! must apply identically (form schema and validation in `schema`).

pub mod access;
pub mod alerts;
pub mod api;
pub mod audit;
pub mod compliance;
pub mod consent;
pub mod i18n;
pub mod ids;
pub mod imports;
pub mod mask;
#[cfg(feature = "openapi")]
mod openapi;
pub mod processing;
pub mod requests;
pub mod retention;
pub mod schema;
pub mod sync;
