//! The end-to-end suite: one binary, the HTTP API on SQLite and PostgreSQL, and the web
//! app in headless Chromium. Set `TEST_LOG=1` to see the server's logs.
#![allow(clippy::unwrap_used)]

mod access;
mod assignments;
mod at_rest;
mod audit;
mod auth;
mod browser;
mod conflicts;
mod consent;
mod console;
mod crash;
mod crash_storm;
mod customer;
mod designer;
mod device_keys;
mod exports;
mod exports_console;
mod forgery;
mod forms;
mod hostile;
mod hostile_memory;
mod hostile_static;
mod hostile_text;
mod injected_script;
mod key_ring;
mod limits;
mod offline;
mod public_forms;
mod records;
mod replay_storm;
mod requests;
mod requests_console;
mod retention;
mod retention_console;
mod retention_crash;
mod rotation;
mod sign_in_backoff;
mod sync;
mod sync_edits;
mod sync_malformed;
mod system;
mod tampering;
mod totp;
mod users;
mod withdrawals;
