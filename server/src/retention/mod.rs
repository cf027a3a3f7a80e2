//! Retention and erasure (issue #19): values expire on their form's schedule and are
//! deleted or anonymised for real, in the record, its history, its conflicts and its
//! lookups; a record with no sealed value left loses its data key (crypto-shredding).
//!
//! - `engine`: one record through a run (pure rules in `shared::retention`).
//! - `run`: runs under the database lease, page by page, resumable; `worker`: the task
//!   each replica runs. `settings`: the schedule.
//! - `forecast`: what is due and dry runs; `views`: runs as the console shows them.
//! - `holds`: legal holds; `relationship`: the end of a customer relationship.
//! - `handlers`: the HTTP routes.

pub mod engine;
pub mod forecast;
pub mod handlers;
pub mod holds;
pub mod relationship;
pub mod report;
pub mod run;
pub mod settings;
pub mod views;
pub mod worker;

pub use settings::Settings;
pub use worker::Retention;
