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

/// The sealer of an import's file name, evidence and report and of a consent
/// request's hash key: the server subkey `import`, with the import's (or request's) id
/// as the owner.
pub fn sealer(state: &AppState) -> AppResult<TextSealer> {
    TextSealer::new(&state.subkeys, "import").map_err(|e| AppError::internal("the import key", e))
}
