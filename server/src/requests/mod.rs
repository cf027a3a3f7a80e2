//! Data-subject requests: the register a privacy officer works from (`service.rs`,
//! `actions.rs`), the records a request concerns (`person.rs`), corrections and erasure
//! done for it (`changes.rs`), and the answer package (`package.rs`).
//!
//! Everything a person wrote or an officer noted (the requester, the request's words,
//! notes, reasons) is sealed under the server subkey `subject-request`, with the
//! request id and a place name as additional data ([`Sealer`]).

pub mod actions;
pub mod changes;
pub mod handlers;
pub mod package;
mod package_text;
pub mod person;
pub mod service;

use shared::ids::SubjectRequestId;

use crate::{
    crypto::TextSealer,
    error::{AppError, AppResult},
    state::AppState,
};

/// Seals and opens a request's texts (subkey `subject-request`, the request id as owner).
pub struct Sealer(TextSealer);

impl Sealer {
    pub fn new(state: &AppState) -> AppResult<Self> {
        TextSealer::new(&state.subkeys, "subject-request")
            .map(Self)
            .map_err(|e| AppError::internal("the request key", e))
    }

    /// `text` sealed for request `id` at `place`, as its column stores it.
    #[must_use]
    pub fn seal(&self, id: SubjectRequestId, place: &str, text: &str) -> String {
        self.0.seal(&id.to_string(), place, text)
    }

    /// The text sealed at `place`; a mark when it does not open (altered or moved),
    /// logged, so that the rest of the request still shows.
    #[must_use]
    pub fn open(&self, id: SubjectRequestId, place: &str, column: &str) -> String {
        self.0
            .open(&id.to_string(), place, column)
            .unwrap_or_else(|| {
                tracing::error!(request_id = %id, place, "request text unreadable");
                "(unreadable)".to_owned()
            })
    }
}

/// Where each text of a request is sealed.
pub mod place {
    pub const REQUESTER: &str = "#requester";
    pub const IDENTITY_NOTE: &str = "#identity-note";
    pub const EXTENSION: &str = "#extension";
    pub const REFUSAL: &str = "#refusal";

    /// An event's text, by the event's id.
    #[must_use]
    pub fn event(id: &uuid::Uuid) -> String {
        format!("#event:{id}")
    }
}
