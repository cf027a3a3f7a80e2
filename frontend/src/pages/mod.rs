//! One module per route of the app.

pub mod account;
pub mod forms;
pub mod home;
pub mod login;
pub mod not_found;
