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
    imports::{answer_of, suggest_mapping},
    schema::{validate, Answers, Field, FieldKind, FormDefinition, ValidatedAnswers},
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

/// One data row, checked.
pub struct CheckedRow {
    pub row: u32,
    pub outcome: Result<ValidatedAnswers, Vec<RowIssue>>,
}

/// A valid, new row: its number in the file, its answers and their blind indexes.
pub struct ValidRow {
    pub row: u32,
    pub answers: ValidatedAnswers,
    pub lookups: Vec<(String, &'static str)>,
}

/// The preview and the rows that are valid and new (for a commit).
pub struct Previewed {
    pub preview: ImportPreview,
    pub valid: Vec<ValidRow>,
}

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
    let imported = import_definition(def);
    let def = &imported;
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
        None => suggest_mapping(&headers, def),
    };
    check_mapping(def, &headers, &mapping)?;
    let fields: Vec<&Field> = def.fields().filter(|f| f.holds_value()).collect();
    let mapped: BTreeSet<&str> = mapping.iter().flatten().map(String::as_str).collect();
    let unmapped_required: Vec<String> = fields
        .iter()
        .filter(|f| f.required && !mapped.contains(f.key.as_str()))
        .map(|f| f.key.as_str().to_owned())
        .collect();
    let today = time::OffsetDateTime::from_unix_timestamp(state.clock.now_ms() / 1000)
        .map(time::OffsetDateTime::date)
        .map_err(|e| AppError::internal("today", e))?;
    let column_of: BTreeMap<&str, &str> = mapping
        .iter()
        .zip(&headers)
        .filter_map(|(f, h)| f.as_deref().map(|f| (f, h.as_str())))
        .collect();
    let mut checked = Vec::new();
    for (i, cells) in file.rows.iter().enumerate().skip(header_at + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let mut answers = Answers::new();
        let mut issues = Vec::new();
        for (c, key) in mapping.iter().enumerate() {
            let (Some(key), Some(cell)) = (key, cells.get(c)) else {
                continue;
            };
            let Some(field) = def.field(key) else {
                continue;
            };
            if req.formulas == FormulaCells::Refuse && looks_like_formula(cell) {
                issues.push(RowIssue {
                    column: headers.get(c).cloned(),
                    field: key.clone(),
                    code: "formula".to_owned(),
                    message: if locale == Locale::ZhCn {
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
        let outcome = match validate(def, &answers, today) {
            Ok(valid) if issues.is_empty() => Ok(valid),
            Ok(_) => Err(issues),
            Err(errors) => {
                issues.extend(errors.issues.iter().map(|issue| {
                    RowIssue {
                        column: column_of.get(issue.field.as_str()).map(|h| (*h).to_owned()),
                        field: issue.field.clone(),
                        code: serde_json::to_value(issue.code)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                        message: issue.message(locale),
                    }
                }));
                Err(issues)
            }
        };
        checked.push(CheckedRow { row, outcome });
    }
    let stored = stored_indexes(state, form_id, &checked).await?;
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut preview = ImportPreview {
        source: file.source,
        sheets: file.sheets,
        header_row: u32::try_from(header_at + 1).unwrap_or(u32::MAX),
        headers,
        mapping,
        fields: fields
            .iter()
            .map(|f| ImportField {
                key: f.key.as_str().to_owned(),
                label: f.label.clone(),
                required: f.required,
            })
            .collect(),
        unmapped_required,
        rows_total: 0,
        valid: 0,
        invalid: 0,
        duplicate_in_file: 0,
        already_stored: 0,
        problems: Vec::new(),
    };
    let mut valid = Vec::new();
    for CheckedRow { row, outcome } in checked {
        preview.rows_total += 1;
        let report = match outcome {
            Err(issues) => {
                preview.invalid += 1;
                Some(RowReport {
                    row,
                    status: RowStatus::Invalid,
                    issues,
                    duplicate_of_row: None,
                })
            }
            Ok(answers) => {
                let indexes = lookups(state, &answers);
                if let Some(first) = indexes.iter().find_map(|(i, _)| seen.get(i).copied()) {
                    preview.duplicate_in_file += 1;
                    Some(RowReport {
                        row,
                        status: RowStatus::DuplicateInFile,
                        issues: Vec::new(),
                        duplicate_of_row: Some(first),
                    })
                } else if indexes.iter().any(|(i, _)| stored.contains(i)) {
                    for (i, _) in &indexes {
                        seen.insert(i.clone(), row);
                    }
                    preview.already_stored += 1;
                    Some(RowReport {
                        row,
                        status: RowStatus::AlreadyStored,
                        issues: Vec::new(),
                        duplicate_of_row: None,
                    })
                } else {
                    for (i, _) in &indexes {
                        seen.insert(i.clone(), row);
                    }
                    preview.valid += 1;
                    valid.push(ValidRow {
                        row,
                        answers,
                        lookups: indexes,
                    });
                    None
                }
            }
        };
        if let Some(report) = report {
            if preview.problems.len() < MAX_PREVIEW_ROWS {
                preview.problems.push(report);
            }
        }
    }
    Ok(Previewed { preview, valid })
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

/// The blind indexes of the valid rows that a stored record of this form already has.
async fn stored_indexes(
    state: &AppState,
    form_id: FormId,
    rows: &[CheckedRow],
) -> AppResult<BTreeSet<String>> {
    let indexes: Vec<String> = rows
        .iter()
        .filter_map(|r| r.outcome.as_ref().ok())
        .flat_map(|answers| lookups(state, answers))
        .map(|(i, _)| i)
        .collect();
    if indexes.is_empty() {
        return Ok(BTreeSet::new());
    }
    Ok(state.db.stored_lookups(form_id, &indexes).await?)
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
