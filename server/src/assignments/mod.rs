//! Form assignments: admins and managers give published forms to teams and accounts;
//! staff and managers fetch the forms assigned to them, to keep on their device for
//! offline collection. Payloads live in `shared::api::assignments`; rules in [`service`].

pub mod handlers;
pub mod service;

pub use handlers::routes;
