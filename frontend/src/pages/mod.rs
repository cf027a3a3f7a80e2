//! One module per route of the app.

pub mod account;
pub mod api_docs;
pub mod assignments;
pub mod audit;
pub mod backups;
pub mod compliance;
pub mod conflicts;
pub mod exports;
pub mod forms;
pub mod home;
pub mod imports;
pub mod login;
pub mod not_found;
pub mod records;
pub mod requests;
pub mod retention;
pub mod users;
