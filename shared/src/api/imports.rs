//! Imports from spreadsheets (issue #22): the preview of a file against a form — which
//! column goes to which field, every row validated by the form's own rules, duplicates
//! inside the file and against stored records — before anything is written.

use serde::{Deserialize, Serialize};

use crate::i18n::LocalizedText;
use crate::ids::FormId;

/// The largest file an import reads, in MiB.
pub const MAX_IMPORT_MB: u32 = 50;
/// The most problem rows a preview lists (the counts cover every row).
pub const MAX_PREVIEW_ROWS: usize = 500;

/// What to do with a cell a spreadsheet would run as a formula (`=`, `@`, or `+`/`-`
/// before something other than a number).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FormulaCells {
    /// Kept as text: exports write it inert, so it never runs.
    #[default]
    Inert,
    /// The row is refused, naming the cell.
    Refuse,
}

/// The `request` part of `POST /api/v1/imports/preview` (with the file as the `file`
/// part, multipart/form-data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRequest {
    pub form_id: FormId,
    /// The field key each column goes to (`null`: not imported), in column order; the
    /// suggestion from the headers when absent.
    #[serde(default)]
    pub mapping: Option<Vec<Option<String>>>,
    /// The sheet of a workbook (its first when absent).
    #[serde(default)]
    pub sheet: Option<String>,
    /// `utf-8` or `gb18030` for a text file (detected when absent).
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub formulas: FormulaCells,
}

/// A field a column may go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportField {
    pub key: String,
    pub label: LocalizedText,
    pub required: bool,
}

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Valid,
    Invalid,
    /// The same person (phone, e-mail or ID number) as an earlier row of the file.
    DuplicateInFile,
    /// The same person as a record of this form already stored.
    AlreadyStored,
}

/// One problem of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowIssue {
    /// The column's header, when the problem is a cell's.
    pub column: Option<String>,
    pub field: String,
    pub code: String,
    /// In the language of the request.
    pub message: String,
}

/// A row that will not be imported as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowReport {
    /// The row's number in the file (1 is the first line or row).
    pub row: u32,
    pub status: RowStatus,
    pub issues: Vec<RowIssue>,
    /// For a duplicate in the file: the row it repeats.
    pub duplicate_of_row: Option<u32>,
}

/// `POST /api/v1/imports/preview`: nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportPreview {
    /// `xlsx`, or the text's encoding (`utf-8`, `gb18030`).
    pub source: String,
    /// A workbook's sheets (empty for text).
    pub sheets: Vec<String>,
    /// The header row's number and cells.
    pub header_row: u32,
    pub headers: Vec<String>,
    /// The field each column goes to, as used for this preview.
    pub mapping: Vec<Option<String>>,
    pub fields: Vec<ImportField>,
    /// Required fields no column goes to.
    pub unmapped_required: Vec<String>,
    pub rows_total: u64,
    pub valid: u64,
    pub invalid: u64,
    pub duplicate_in_file: u64,
    pub already_stored: u64,
    /// The rows that are not valid, first [`MAX_PREVIEW_ROWS`] of them.
    pub problems: Vec<RowReport>,
}
