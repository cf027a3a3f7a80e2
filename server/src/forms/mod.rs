//! Forms: drafts designed in the back office, immutable published versions, and the
//! public form page. Payloads live in `shared::api::forms`; rules in [`service`].

pub mod handlers;
pub mod service;

pub use handlers::routes;
