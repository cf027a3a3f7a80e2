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
    crypto::{DataKey, FieldContext, SealedText},
    error::{AppError, AppResult},
    state::AppState,
};

/// Seals and opens a request's texts.
pub struct Sealer {
    key: DataKey,
}

impl Sealer {
    pub fn new(state: &AppState) -> AppResult<Self> {
        let key = DataKey::from_slice(state.subkeys.derive("subject-request").as_ref())
            .map_err(|e| AppError::internal("the request key", e))?;
        Ok(Self { key })
    }

    /// `text` sealed for request `id` at `place`, as its column stores it.
    #[must_use]
    pub fn seal(&self, id: SubjectRequestId, place: &str, text: &str) -> String {
        let id = id.to_string();
        let context = FieldContext {
            record_id: &id,
            field_key: place,
            key_version: 0,
        };
        SealedText::from_sealed(&self.key.seal(&context, text.as_bytes()))
            .as_str()
            .to_owned()
    }

    /// The text sealed at `place`; a mark when it does not open (altered or moved),
    /// logged, so that the rest of the request still shows.
    #[must_use]
    pub fn open(&self, id: SubjectRequestId, place: &str, column: &str) -> String {
        let id_text = id.to_string();
        let context = FieldContext {
            record_id: &id_text,
            field_key: place,
            key_version: 0,
        };
        SealedText::from_column(column.to_owned())
            .sealed()
            .and_then(|bytes| self.key.open(&context, &bytes).ok())
            .map_or_else(
                || {
                    tracing::error!(request_id = %id, place, "request text unreadable");
                    "(unreadable)".to_owned()
                },
                |plain| String::from_utf8_lossy(&plain).into_owned(),
            )
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
