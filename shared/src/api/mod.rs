//! Request and response payloads of the HTTP API, one module per feature.
//!
//! Every payload the server sends or accepts is declared here once; the server and the
//! front end both use these types, so neither side can drift from the other.

pub mod alerts;
pub mod assignments;
pub mod audit;
pub mod auth;
pub mod backups;
pub mod compliance;
pub mod conflicts;
pub mod consent;
pub mod error;
pub mod exports;
pub mod forms;
pub mod imports;
pub mod processing;
pub mod records;
pub mod requests;
pub mod retention;
pub mod sync;
pub mod system;
pub mod users;

/// The path prefix of every API route.
pub const API_PREFIX: &str = "/api/v1";
