//! Alerts on unusual behaviour (issue #21): the rules (`shared::alerts`, pure) are
//! evaluated when an export is asked for and when masked values are revealed or records
//! viewed; an alert is stored with the events that caused it, may suspend the user's
//! export permission (and hold the export that fired it for an admin's approval), and
//! is sent to a webhook (HMAC-signed) and by e-mail by a sender that retries with
//! back-off (`delivery`). Raising, handling and lifting are audited.

pub mod delivery;
pub mod handlers;
pub mod service;
pub mod settings;

use shared::ids::AlertId;

use crate::{
    crypto::TextSealer,
    error::{AppError, AppResult},
    state::AppState,
};

/// Seals and opens an alert's handling note and the webhook secret (subkey `alert`).
pub struct Sealer(TextSealer);

impl Sealer {
    pub fn new(state: &AppState) -> AppResult<Self> {
        TextSealer::new(&state.subkeys, "alert")
            .map(Self)
            .map_err(|e| AppError::internal("the alert key", e))
    }

    #[must_use]
    pub fn seal(&self, owner: &str, place: &str, text: &str) -> String {
        self.0.seal(owner, place, text)
    }

    #[must_use]
    pub fn open(&self, owner: &str, place: &str, column: &str) -> Option<String> {
        self.0.open(owner, place, column)
    }

    #[must_use]
    pub fn seal_note(&self, id: AlertId, note: &str) -> String {
        self.seal(&id.to_string(), "#note", note)
    }
}
