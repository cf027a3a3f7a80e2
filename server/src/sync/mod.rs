//! Offline collection: staff devices register a key, then sync signed records in
//! batches that are stored in one transaction and answered per record.

pub mod answer;
mod devices;
pub mod edit;
pub mod handlers;
pub mod service;
mod slots;
mod verify;
