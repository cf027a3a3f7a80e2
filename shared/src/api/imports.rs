//! Imports from spreadsheets (issue #22): the preview of a file against a form — which
//! column goes to which field, every row validated by the form's own rules, duplicates
//! inside the file and against stored records — before anything is written.

use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, LocalizedText};
use crate::ids::{FormId, ImportId, RecordId, UserId};
use crate::schema::{LawfulBasis, PurposeKey};

/// The largest file an import reads by default, in MiB (`--import-max-mb`).
pub const MAX_IMPORT_MB: u32 = 50;
/// The most `--import-max-mb` may allow.
pub const IMPORT_MB_CEILING: u32 = 200;
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

/// What a commit does with rows that are invalid or duplicates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OnProblems {
    /// The valid rows go in; the others are left out and the report says why.
    #[default]
    Skip,
    /// Nothing goes in while one row is invalid or a duplicate.
    Refuse,
}

/// The most characters of an import's evidence reference.
pub const MAX_EVIDENCE_CHARS: usize = 500;

/// On what ground imported records are held: they did not go through the privacy
/// pop-up, so the import states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportBasis {
    /// `consent` is consent given before, elsewhere (the evidence says where).
    pub basis: LawfulBasis,
    /// The form's purposes the basis covers (at least one).
    pub purposes: Vec<PurposeKey>,
    /// Where the basis is documented: for consent given before, the old system's
    /// consent date and document number; for a contract, its number. Required for
    /// consent and contract. Sealed when stored.
    #[serde(default)]
    pub evidence: String,
}

impl ImportBasis {
    /// Whether this ground needs an evidence reference.
    #[must_use]
    pub fn needs_evidence(&self) -> bool {
        matches!(self.basis, LawfulBasis::Consent | LawfulBasis::Contract)
    }
}

/// The `request` part of `POST /api/v1/imports` (with the file as the `file` part):
/// what the preview takes, and the basis and what to do with problem rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommitImport {
    #[serde(flatten)]
    pub request: ImportRequest,
    pub basis: ImportBasis,
    #[serde(default)]
    pub on_problems: OnProblems,
    /// The file's name as the user's computer had it, for the history (sealed).
    #[serde(default)]
    pub file_name: Option<String>,
}

/// An import in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportEntry {
    pub id: ImportId,
    pub form_id: FormId,
    pub form_title: LocalizedText,
    pub form_version: i64,
    pub created_at_ms: i64,
    pub created_by: Option<UserId>,
    pub created_by_name: Option<String>,
    pub file_name: String,
    pub file_sha256: String,
    /// `xlsx`, `utf-8` or `gb18030`.
    pub source: String,
    pub rows_total: u64,
    pub imported: u64,
    pub skipped_invalid: u64,
    pub skipped_duplicate_in_file: u64,
    pub skipped_already_stored: u64,
    pub basis: ImportBasis,
    pub on_problems: OnProblems,
    /// Until when the import can be undone.
    pub undo_until_ms: i64,
    pub undone_at_ms: Option<i64>,
    pub undone_by_name: Option<String>,
    /// Records of the import that a legal hold kept when it was undone.
    #[serde(default)]
    pub undo_held: u64,
    /// Imported records that have since been given consent through a consent request.
    #[serde(default)]
    pub consented: u64,
}

/// `GET /api/v1/imports`: the history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportList {
    pub imports: Vec<ImportEntry>,
    /// The largest file this server reads, in MiB.
    #[serde(default = "default_max_file_mb")]
    pub max_file_mb: u32,
}

fn default_max_file_mb() -> u32 {
    MAX_IMPORT_MB
}

/// What became of a row, in an import's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportOutcome {
    Imported,
    SkippedInvalid,
    SkippedDuplicateInFile,
    SkippedAlreadyStored,
}

impl ReportOutcome {
    /// Its name for people.
    #[must_use]
    pub fn label(self, locale: Locale) -> &'static str {
        let (zh, en) = match self {
            Self::Imported => ("已导入", "imported"),
            Self::SkippedInvalid => ("跳过：无效", "skipped: invalid"),
            Self::SkippedDuplicateInFile => ("跳过：文件内重复", "skipped: duplicate in the file"),
            Self::SkippedAlreadyStored => ("跳过：已有记录", "skipped: already stored"),
        };
        if locale == Locale::ZhCn {
            zh
        } else {
            en
        }
    }
}

/// One row of an import's report (the report holds row numbers, outcomes and reasons,
/// never values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportLine {
    /// The row's number in the original file.
    pub row: u32,
    pub outcome: ReportOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_id: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of_row: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<RowIssue>,
}

/// The import settings (admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportSettings {
    /// Whether managers may import too (their imports are theirs: owned by them).
    pub managers_may_import: bool,
    /// For how many days an import can be undone (1 to 90).
    pub undo_days: u32,
}

impl Default for ImportSettings {
    fn default() -> Self {
        Self {
            managers_may_import: false,
            undo_days: 7,
        }
    }
}

/// The longest undo window, in days.
pub const MAX_UNDO_DAYS: u32 = 90;

/// How an imported record is held, as the records view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedBasis {
    pub import_id: ImportId,
    pub basis: LawfulBasis,
    pub purposes: Vec<PurposeKey>,
    /// The names of `purposes`, in their order, as the form version names them.
    #[serde(default)]
    pub purpose_names: Vec<LocalizedText>,
    /// When the person gave consent through a consent request, which then replaced
    /// the imported basis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consented_at_ms: Option<i64>,
}

/// How long a consent request's link stays valid, in days.
pub const CONSENT_INVITE_DAYS: i64 = 30;

/// `POST /api/v1/records/{id}/consent-request`: a link that asks the person behind an
/// imported record for their consent, to hand to them (shown once; only its hash is
/// kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentInvite {
    /// The page's path with the secret in its fragment (`/consent#<token>`), which
    /// browsers never send to a server.
    pub link: String,
    pub expires_at_ms: i64,
}

/// `POST /api/v1/public/consent-requests/open` and the start of `…/accept`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteToken {
    pub token: String,
}

/// What the person's page needs to ask for consent: the form version (its notice and
/// purposes), and the statement's hashes of the record as stored, keyed with a key the
/// server keeps (so that they tell nothing of the values), never the values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentInvitation {
    pub version: crate::api::forms::VersionDetail,
    /// The receipt's id, chosen by the server.
    pub receipt_id: crate::ids::ReceiptId,
    pub hashes: crate::consent::StatementHashes,
    /// The basis the record is held on until now, and its purposes.
    pub basis: LawfulBasis,
    pub purposes_held: Vec<PurposeKey>,
    /// The keys of the fields that hold a value (so that the page asks the separate
    /// consents those need).
    pub answered_fields: Vec<String>,
    pub expires_at_ms: i64,
}

/// `POST /api/v1/public/consent-requests/accept`: the person's signed statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptInvitation {
    pub token: String,
    pub statement: crate::consent::ConsentStatement,
    pub client_public_key: String,
    pub client_signature: String,
}
