//! User administration: accounts, roles, one-time passwords and teams (admins only).
//! Payloads live in `shared::api::users`; rules in [`service`] and [`teams`].

pub mod handlers;
pub mod service;
pub mod teams;

pub use handlers::routes;
