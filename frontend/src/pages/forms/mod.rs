//! `/forms`: the form designer for administrators — the list of forms, the editor of a
//! form's draft, and read-only published versions.

mod download;
pub mod editor;
mod list;
mod version;
mod widgets;

pub use editor::FormEditorPage;
pub use list::FormsListPage;
pub use version::FormVersionPage;
