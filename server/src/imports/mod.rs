//! Imports from Excel and CSV (issue #22, first part: the preview). `preview.rs` reads
//! the file, maps its columns and checks every row with the form's own rules and the
//! blind indexes, writing nothing. The commit, lawful basis, report and undo follow.

pub mod handlers;
pub mod preview;
