//! Imports from Excel and CSV (issue #22). `preview.rs` reads the file, maps its
//! columns and checks every row with the form's own rules and the blind indexes,
//! writing nothing; `commit.rs` writes the valid rows as records on a stated lawful
//! basis, all or nothing; `history.rs` lists imports, gives their reports and undoes
//! one within its window; `settings.rs` holds who may import and for how long an
//! import can be undone.

pub mod commit;
pub mod handlers;
pub mod history;
pub mod invites;
pub mod preview;
pub mod settings;

use crate::{
    crypto::TextSealer,
    error::{AppError, AppResult},
    state::AppState,
};

/// Seals an import's file name, evidence and report under the server subkey `import`,
/// with the import's id as the owner.
pub struct Sealer(TextSealer);

impl Sealer {
    pub fn new(state: &AppState) -> AppResult<Self> {
        TextSealer::new(&state.subkeys, "import")
            .map(Self)
            .map_err(|e| AppError::internal("the import key", e))
    }

    #[must_use]
    pub fn seal(&self, owner: &str, place: &str, text: &str) -> String {
        self.0.seal(owner, place, text)
    }

    #[must_use]
    pub fn open(&self, owner: &str, place: &str, column: &str) -> Option<String> {
        self.0.open(owner, place, column)
    }
}
