//! Governed exports of records (issue #21, first part): who may export (the
//! organisation's settings; admins always), what each role's file holds (exactly what it
//! sees on screen: the same views, masking, withdrawn fields and anonymised values), an
//! unmasked export with a stated reason and, above a number of rows, a second person's
//! approval; a ledger of every export (in the audit chain too); one download, by who
//! asked, within a limited time, streamed page by page with bounded memory, its cells
//! inert for spreadsheets and a visible watermark on top.

pub mod file;
pub mod handlers;
pub mod marks;
pub mod service;
pub mod trace;

use shared::ids::ExportId;

use crate::{
    crypto::TextSealer,
    error::{AppError, AppResult},
    state::AppState,
};

/// Seals and opens an export's reason and decision comment (subkey `export`, the export
/// id as owner).
pub struct Sealer(TextSealer);

impl Sealer {
    pub fn new(state: &AppState) -> AppResult<Self> {
        TextSealer::new(&state.subkeys, "export")
            .map(Self)
            .map_err(|e| AppError::internal("the export key", e))
    }

    #[must_use]
    pub fn seal(&self, id: ExportId, place: &str, text: &str) -> String {
        self.0.seal(&id.to_string(), place, text)
    }

    #[must_use]
    pub fn open(&self, id: ExportId, place: &str, column: &str) -> String {
        self.0
            .open(&id.to_string(), place, column)
            .unwrap_or_else(|| "(unreadable)".to_owned())
    }
}
