//! The preview of an import: the file read (a workbook's sheet, or text in UTF-8 or
//! GB18030), its header row found, columns mapped to fields (as asked, or suggested
//! from the headers), every row turned into answers the way the form reads them and
//! validated by the form's own rules, and duplicates found inside the file and against
//! the form's stored records through the blind indexes (never by decrypting). Nothing
//! is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use shared::{
    api::imports::{
        FormulaCells, ImportField, ImportPreview, ImportRequest, RowIssue, RowReport, RowStatus,
        MAX_PREVIEW_ROWS,
    },
    i18n::Locale,
    ids::FormId,
    imports::{answer_of, mapping_with_remembered, suggest_mapping},
    schema::{validate, Answers, FieldKind, FormDefinition, ValidatedAnswers},
};

use crate::{
    error::{AppError, AppResult},
    records::sealed::lookups,
    spreadsheet::{decode_text, ReadError, Sheets},
    state::AppState,
};

/// A file read as rows, with what it was.
pub struct ReadFile {
    pub source: String,
    pub sheets: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn unreadable(e: &ReadError) -> AppError {
    AppError::invalid_field("file", "unreadable", e.to_string())
}

/// Reads the upload: a workbook's chosen sheet, or text.
///
/// # Errors
/// A 422 on `file` (unreadable, a formula cell, no such sheet, an unknown encoding).
pub fn read(bytes: Vec<u8>, req: &ImportRequest) -> AppResult<ReadFile> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::invalid_field(
            "file",
            "required",
            "The file is empty",
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let mut book = Sheets::open(bytes).map_err(|e| unreadable(&e))?;
        let sheets = book.names();
        let name = match &req.sheet {
            Some(s) if sheets.contains(s) => s.clone(),
            Some(s) => {
                return Err(AppError::invalid_field(
                    "sheet",
                    "unknown",
                    format!("The workbook has no sheet named {s}"),
                ))
            }
            None => sheets.first().cloned().ok_or_else(|| {
                AppError::invalid_field("file", "empty", "The workbook has no sheet")
            })?,
        };
        let rows = book.rows(&name).map_err(|e| unreadable(&e))?;
        return Ok(ReadFile {
            source: "xlsx".to_owned(),
            sheets,
            rows,
        });
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(AppError::invalid_field(
            "file",
            "unsupported",
            "An old Excel file (.xls) or an encrypted workbook: save it as .xlsx or CSV",
        ));
    }
    let (text, source) = match req.encoding.as_deref() {
        None | Some("") => decode_text(&bytes),
        Some("utf-8") => {
            match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)) {
                Ok(t) => (std::borrow::Cow::Borrowed(t), "utf-8"),
                Err(e) => {
                    return Err(AppError::invalid_field(
                        "encoding",
                        "undecodable",
                        format!("Not UTF-8 (at byte {}): try GB18030", e.valid_up_to()),
                    ))
                }
            }
        }
        Some("gb18030" | "gbk") => {
            let (t, _, bad) = encoding_rs::GB18030.decode(&bytes);
            if bad {
                return Err(AppError::invalid_field(
                    "encoding",
                    "undecodable",
                    "Not GB18030 text: try UTF-8",
                ));
            }
            (t, "gb18030")
        }
        Some(other) => {
            return Err(AppError::invalid_field(
                "encoding",
                "unknown",
                format!("Unknown encoding {other}: utf-8 or gb18030"),
            ))
        }
    };
    if text.contains('\u{0}') {
        return Err(AppError::invalid_field(
            "file",
            "unsupported",
            "Not a CSV or XLSX file",
        ));
    }
    let table = crate::spreadsheet::read_table(text.as_bytes()).map_err(|e| unreadable(&e))?;
    Ok(ReadFile {
        source: source.to_owned(),
        sheets: Vec::new(),
        rows: table.rows,
    })
}

/// Whether a spreadsheet would run `cell` as a formula.
#[must_use]
pub fn looks_like_formula(cell: &str) -> bool {
    let mut chars = cell.trim_start().chars();
    match chars.next() {
        Some('=' | '@') => true,
        Some('+' | '-') => chars
            .next()
            .is_some_and(|c| !c.is_ascii_digit() && c != ' '),
        _ => false,
    }
}

/// A blind index reduced to its first 128 bits, for finding duplicates in memory: 16
/// bytes a key instead of a 64-character string (a false match among a million keys
/// has a chance of about 10⁻²⁷).
type Fingerprint = u128;

fn fingerprint(index: &str) -> Fingerprint {
    index
        .get(..32)
        .and_then(|h| u128::from_str_radix(h, 16).ok())
        .unwrap_or_default()
}

/// How rows become answers: the form as an import checks it, the mapping and the
/// choices of the request. The preview and the commit read rows through it alike.
pub struct RowReader {
    def: FormDefinition,
    mapping: Vec<Option<String>>,
    headers: Vec<String>,
    column_of: BTreeMap<String, String>,
    formulas: FormulaCells,
    locale: Locale,
    today: time::Date,
}

impl RowReader {
    /// A row's cells as validated answers, or its problems.
    ///
    /// # Errors
    /// The row's problems, each with its column and reason in the request's language.
    pub fn answers(&self, cells: &[String]) -> Result<ValidatedAnswers, Vec<RowIssue>> {
        let mut answers = Answers::new();
        let mut issues = Vec::new();
        for (c, key) in self.mapping.iter().enumerate() {
            let (Some(key), Some(cell)) = (key, cells.get(c)) else {
                continue;
            };
            let Some(field) = self.def.field(key) else {
                continue;
            };
            if self.formulas == FormulaCells::Refuse && looks_like_formula(cell) {
                issues.push(RowIssue {
                    column: self.headers.get(c).cloned(),
                    field: key.clone(),
                    code: "formula".to_owned(),
                    message: if self.locale == Locale::ZhCn {
                        "单元格是公式，按设置拒绝导入".to_owned()
                    } else {
                        "The cell is a formula, which this import refuses".to_owned()
                    },
                });
            }
            let answer = answer_of(field, cell);
            if !answer.is_null() {
                answers.insert(key.clone(), answer);
            }
        }
        match validate(&self.def, &answers, self.today) {
            Ok(valid) if issues.is_empty() => Ok(valid),
            Ok(_) => Err(issues),
            Err(errors) => {
                issues.extend(errors.issues.iter().map(|issue| {
                    RowIssue {
                        column: self.column_of.get(issue.field.as_str()).cloned(),
                        field: issue.field.clone(),
                        code: serde_json::to_value(issue.code)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                        message: issue.message(self.locale),
                    }
                }));
                Err(issues)
            }
        }
    }
}

/// A data row's place in the file: its index in the rows read, and its number.
#[derive(Debug, Clone, Copy)]
pub struct RowAt {
    pub index: usize,
    pub row: u32,
}

/// The preview, with what a commit needs to write the valid new rows: the file, how
/// its rows are read, and which rows are valid and new; and every row that is not
/// (the preview lists the first [`MAX_PREVIEW_ROWS`]). Answers are not kept: a commit
/// reads the valid rows again, a slice at a time, so that memory stays bounded.
pub struct Previewed {
    pub preview: ImportPreview,
    pub file: ReadFile,
    pub reader: RowReader,
    pub valid: Vec<RowAt>,
    pub problems: Vec<RowReport>,
}

/// Rows whose blind indexes are asked of the store at once.
const STORED_QUERY_ROWS: usize = 500;

/// Checks every row of `file` against `def`.
///
/// # Errors
/// A 422 on `mapping` when it names a field twice or one the form does not have, or
/// does not match the columns; on `file` when it has no header row.
pub async fn preview(
    state: &AppState,
    (form_id, def): (FormId, &FormDefinition),
    file: ReadFile,
    req: &ImportRequest,
    locale: Locale,
) -> AppResult<Previewed> {
    let def = import_definition(def);
    let Some(header_at) = file.rows.iter().position(|r| {
        r.iter()
            .any(|c| !c.trim().is_empty() && !c.trim_start().starts_with('#'))
    }) else {
        return Err(AppError::invalid_field(
            "file",
            "no_header",
            "No header row: the first row should name the columns",
        ));
    };
    let headers: Vec<String> = file.rows[header_at]
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mapping = match &req.mapping {
        Some(m) => m.clone(),
        None => match state.db.remembered_mapping(form_id).await? {
            Some(json) => mapping_with_remembered(
                &headers,
                &def,
                &serde_json::from_str(&json).unwrap_or_default(),
            ),
            None => suggest_mapping(&headers, &def),
        },
    };
    check_mapping(&def, &headers, &mapping)?;
    let fields: Vec<ImportField> = def
        .fields()
        .filter(|f| f.holds_value())
        .map(|f| ImportField {
            key: f.key.as_str().to_owned(),
            label: f.label.clone(),
            required: f.required,
        })
        .collect();
    let mapped: BTreeSet<&str> = mapping.iter().flatten().map(String::as_str).collect();
    // Fields required only when a condition holds are left out: rows that meet it are
    // named as invalid, the others are fine without them.
    let unmapped_required: Vec<String> = def
        .fields()
        .filter(|f| {
            f.holds_value()
                && f.required
                && f.visible_when.is_none()
                && !mapped.contains(f.key.as_str())
        })
        .map(|f| f.key.as_str().to_owned())
        .collect();
    let today = time::OffsetDateTime::from_unix_timestamp(state.clock.now_ms() / 1000)
        .map(time::OffsetDateTime::date)
        .map_err(|e| AppError::internal("today", e))?;
    let column_of: BTreeMap<String, String> = mapping
        .iter()
        .zip(&headers)
        .filter_map(|(f, h)| f.clone().map(|f| (f, h.clone())))
        .collect();
    let reader = RowReader {
        def,
        mapping: mapping.clone(),
        headers: headers.clone(),
        column_of,
        formulas: req.formulas,
        locale,
        today,
    };
    let mut preview = ImportPreview {
        source: file.source.clone(),
        sheets: file.sheets.clone(),
        header_row: u32::try_from(header_at + 1).unwrap_or(u32::MAX),
        headers,
        mapping,
        fields,
        unmapped_required,
        rows_total: 0,
        valid: 0,
        invalid: 0,
        duplicate_in_file: 0,
        already_stored: 0,
        problems: Vec::new(),
    };
    // Each valid row's blind indexes, in slices asked of the store together; the rows
    // are classified in the file's order once their slice's answer is in.
    let mut seen: HashMap<Fingerprint, u32> = HashMap::new();
    let mut valid = Vec::new();
    let mut problems = Vec::new();
    let mut pending: Vec<(RowAt, Vec<String>)> = Vec::with_capacity(STORED_QUERY_ROWS);
    for (index, cells) in file.rows.iter().enumerate().skip(header_at + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let at = RowAt {
            index,
            row: u32::try_from(index + 1).unwrap_or(u32::MAX),
        };
        preview.rows_total += 1;
        match reader.answers(cells) {
            Err(issues) => {
                preview.invalid += 1;
                problems.push(RowReport {
                    row: at.row,
                    status: RowStatus::Invalid,
                    issues,
                    duplicate_of_row: None,
                });
            }
            Ok(answers) => {
                let indexes = lookups(state, &answers)
                    .into_iter()
                    .map(|(i, _)| i)
                    .collect();
                pending.push((at, indexes));
                if pending.len() == STORED_QUERY_ROWS {
                    let slice = std::mem::take(&mut pending);
                    classify(
                        state,
                        form_id,
                        slice,
                        &mut seen,
                        &mut preview,
                        &mut valid,
                        &mut problems,
                    )
                    .await?;
                }
            }
        }
    }
    classify(
        state,
        form_id,
        pending,
        &mut seen,
        &mut preview,
        &mut valid,
        &mut problems,
    )
    .await?;
    problems.sort_by_key(|p| p.row);
    preview.problems = problems.iter().take(MAX_PREVIEW_ROWS).cloned().collect();
    Ok(Previewed {
        preview,
        file,
        reader,
        valid,
        problems,
    })
}

/// Classifies a slice of valid rows, in the file's order: a duplicate of an earlier
/// row, already stored (the form has a record with one of its identifiers), or new.
async fn classify(
    state: &AppState,
    form_id: FormId,
    slice: Vec<(RowAt, Vec<String>)>,
    seen: &mut HashMap<Fingerprint, u32>,
    preview: &mut ImportPreview,
    valid: &mut Vec<RowAt>,
    problems: &mut Vec<RowReport>,
) -> AppResult<()> {
    if slice.is_empty() {
        return Ok(());
    }
    let all: Vec<String> = slice.iter().flat_map(|(_, i)| i.iter().cloned()).collect();
    let stored = state.db.stored_lookups(form_id, &all).await?;
    for (at, indexes) in slice {
        let prints: Vec<Fingerprint> = indexes.iter().map(|i| fingerprint(i)).collect();
        let report = |status, duplicate_of_row| RowReport {
            row: at.row,
            status,
            issues: Vec::new(),
            duplicate_of_row,
        };
        if let Some(first) = prints.iter().find_map(|p| seen.get(p).copied()) {
            preview.duplicate_in_file += 1;
            problems.push(report(RowStatus::DuplicateInFile, Some(first)));
            continue;
        }
        for p in prints {
            seen.insert(p, at.row);
        }
        if indexes.iter().any(|i| stored.contains(i)) {
            preview.already_stored += 1;
            problems.push(report(RowStatus::AlreadyStored, None));
        } else {
            preview.valid += 1;
            valid.push(at);
        }
    }
    Ok(())
}

/// The form as an import checks it: a signature is not required, since what an import
/// brings was collected elsewhere and the import's lawful basis stands in for the
/// customer's signing here; every other rule is the form's own.
fn import_definition(def: &FormDefinition) -> FormDefinition {
    let mut def = def.clone();
    for section in &mut def.sections {
        for field in &mut section.fields {
            if matches!(field.kind, FieldKind::Signature) {
                field.required = false;
            }
        }
    }
    def
}

fn check_mapping(
    def: &FormDefinition,
    headers: &[String],
    mapping: &[Option<String>],
) -> AppResult<()> {
    let bad = |message: String| AppError::invalid_field("mapping", "invalid", message);
    if mapping.len() > headers.len() {
        return Err(bad(format!(
            "The mapping names {} columns; the file has {}",
            mapping.len(),
            headers.len()
        )));
    }
    let mut taken = BTreeSet::new();
    for key in mapping.iter().flatten() {
        let Some(field) = def.field(key) else {
            return Err(bad(format!("The form has no field {key}")));
        };
        if matches!(field.kind, FieldKind::Notice) {
            return Err(bad(format!("{key} holds no value")));
        }
        if !taken.insert(key.as_str()) {
            return Err(bad(format!("Two columns go to {key}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::looks_like_formula;

    #[test]
    fn formulas_but_not_numbers() {
        for f in [
            "=1+1",
            "=HYPERLINK(\"x\")",
            "@SUM(A1)",
            "+cmd|' /C calc'!A0",
            "-x",
        ] {
            assert!(looks_like_formula(f), "{f}");
        }
        for v in ["+8613800138000", "-5", "- 5", "张三", "a=b", ""] {
            assert!(!looks_like_formula(v), "{v}");
        }
    }
}
