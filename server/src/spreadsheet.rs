//! Spreadsheets in and out. Cells written: a cell Excel or LibreOffice would read as a
//! formula (`=`, `+`, `-`, `@`, a tab or a carriage return first) is written inert, with
//! a leading apostrophe, so that a value a customer typed cannot run when the file is
//! opened (CSV injection). Tables read: an XLSX workbook (calamine), or text (CSV, or
//! rows pasted from a spreadsheet) in UTF-8 or GB18030, comma, semicolon or tab.

use std::{borrow::Cow, io::Cursor};

use calamine::Reader as _;

/// `cell` as it may be written.
#[must_use]
pub fn inert(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// A small table written whole, in memory: CSV (UTF-8 with a byte-order mark, so that
/// Excel reads Chinese) or an XLSX workbook of string cells; every cell inert.
///
/// # Errors
/// When the workbook cannot be written.
pub fn write_table(
    rows: &[Vec<String>],
    xlsx: Option<&str>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let Some(sheet_name) = xlsx else {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        for row in rows {
            // Writing to memory does not fail.
            let _ = w.write_record(row.iter().map(|c| inert(c).into_owned()));
        }
        return Ok(w.into_inner().unwrap_or_default());
    };
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(sheet_name)?;
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r).unwrap_or(u32::MAX);
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r, u16::try_from(c).unwrap_or(u16::MAX), cell.as_str())?;
        }
    }
    book.save_to_buffer()
}

/// A table read from a file: each sheet's rows of cells, as text.
#[derive(Debug, Default)]
pub struct Table {
    pub rows: Vec<Vec<String>>,
    /// What was read: `xlsx`, `utf-8` or `gb18030` text.
    pub source: &'static str,
}

/// Why a file could not be read as a table.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the workbook cannot be read: {0}")]
    Workbook(String),
    #[error("the text cannot be read as rows: {0}")]
    Text(String),
    #[error("cell {column}{row} holds a formula: import values, not formulas (copy the sheet and paste it as values)")]
    Formula { row: u32, column: String },
    #[error("cells {range} are merged: unmerge them so that each row holds its own values")]
    Merged { range: String },
}

/// Reads `bytes` as a table: a workbook (every sheet, one after the other) when it is
/// one, text otherwise.
///
/// # Errors
/// [`ReadError`] when the workbook or the text is malformed.
pub fn read_table(bytes: &[u8]) -> Result<Table, ReadError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return read_workbook(bytes);
    }
    let (text, source) = decode_text(bytes);
    // The most frequent over the first lines (a watermark line on top has none); on a
    // tie, tab (pasted cells), then comma.
    let sample: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let count = |d: u8| -> usize {
        sample
            .iter()
            .map(|l| l.bytes().filter(|b| *b == d).count())
            .sum()
    };
    let delimiter = [(b';', 0), (b',', 1), (b'\t', 2)]
        .into_iter()
        .max_by_key(|(d, rank)| (count(*d), *rank))
        .map_or(b',', |(d, _)| d);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Text(e.to_string()))?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(Table { rows, source })
}

/// Text in UTF-8 (with or without a byte-order mark) or, when it is not, GB18030 (a
/// superset of GBK, what Chinese Excel writes).
#[must_use]
pub fn decode_text(bytes: &[u8]) -> (Cow<'_, str>, &'static str) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), "utf-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::GB18030.decode(bytes);
            (text, "gb18030")
        }
    }
}

/// A workbook's sheets, by name, in order.
pub struct Sheets {
    book: calamine::Xlsx<Cursor<Vec<u8>>>,
}

impl Sheets {
    /// Opens a workbook.
    ///
    /// # Errors
    /// [`ReadError::Workbook`] when it is not one, is corrupt or is encrypted.
    pub fn open(bytes: Vec<u8>) -> Result<Self, ReadError> {
        let book = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(
            |e: calamine::XlsxError| {
                ReadError::Workbook(match e {
                    calamine::XlsxError::Password => "it is protected by a password".to_owned(),
                    other => other.to_string(),
                })
            },
        )?;
        Ok(Self { book })
    }

    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.book.sheet_names()
    }

    /// The rows of sheet `name` as text (dates as `yyyy-mm-dd`, whole numbers without a
    /// decimal point); refused when a cell holds a formula (its value would be what the
    /// formula last computed, not data), naming the first, or when cells are merged
    /// (the value would belong to one row and the others would read blank).
    ///
    /// # Errors
    /// [`ReadError::Workbook`] for an unreadable sheet; [`ReadError::Formula`];
    /// [`ReadError::Merged`].
    pub fn rows(&mut self, name: &str) -> Result<Vec<Vec<String>>, ReadError> {
        if let Some(d) = self
            .book
            .merge_cells_by_sheet_name(name)
            .ok()
            .and_then(|m| m.into_iter().next())
        {
            let cell = |(row, col): (u32, u32)| format!("{}{}", column_name(col as usize), row + 1);
            return Err(ReadError::Merged {
                range: format!("{}:{}", cell(d.start), cell(d.end)),
            });
        }
        if let Ok(formulas) = self.book.worksheet_formula(name) {
            if let Some((r, c, _)) = formulas.used_cells().find(|(_, _, f)| !f.is_empty()) {
                let (row0, col0) = formulas.start().unwrap_or((0, 0));
                let row = row0 as usize + r + 1;
                let col = col0 as usize + c;
                return Err(ReadError::Formula {
                    row: u32::try_from(row).unwrap_or(u32::MAX),
                    column: column_name(col),
                });
            }
        }
        self.values(name)
    }

    /// The rows of sheet `name` as text, formulas as the values they last computed.
    ///
    /// # Errors
    /// [`ReadError::Workbook`] for an unreadable sheet.
    pub fn values(&mut self, name: &str) -> Result<Vec<Vec<String>>, ReadError> {
        let range = self
            .book
            .worksheet_range(name)
            .map_err(|e| ReadError::Workbook(e.to_string()))?;
        // Rows before the range's first (empty in the file) keep their numbers.
        let first = range.start().map_or(0, |(r, _)| r as usize);
        let mut rows = vec![Vec::new(); first];
        rows.extend(range.rows().map(|r| r.iter().map(cell_text).collect()));
        Ok(rows)
    }
}

/// A workbook cell as text.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        // Days since 1899-12-30 (Excel's 1900 date system, past its leap-year slip).
        Data::DateTime(dt) => {
            let epoch = time::macros::date!(1899 - 12 - 30);
            i64::try_from(dt.as_f64().floor() as i128)
                .ok()
                .and_then(|days| epoch.checked_add(time::Duration::days(days)))
                .map_or_else(|| cell.to_string(), shared::schema::format_iso_date)
        }
        Data::DateTimeIso(text) => text.chars().take(10).collect(),
        other => other.to_string(),
    }
}

/// A column's letters (0 → `A`, 26 → `AA`).
#[must_use]
pub fn column_name(mut index: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + u8::try_from(index % 26).unwrap_or(0));
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

fn read_workbook(bytes: &[u8]) -> Result<Table, ReadError> {
    let mut book = Sheets::open(bytes.to_vec())?;
    let mut rows = Vec::new();
    for name in book.names() {
        rows.extend(book.values(&name)?);
    }
    Ok(Table {
        rows,
        source: "xlsx",
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn text_tables_in_utf8_gb18030_and_any_delimiter() {
        let t = read_table("\u{feff}a,b\n1,\"x,y\"\n".as_bytes()).unwrap();
        assert_eq!(t.rows, [vec!["a", "b"], vec!["1", "x,y"]]);
        assert_eq!(t.source, "utf-8");
        let t = read_table(b"a\tb;c\n1\t2\n").unwrap();
        assert_eq!(t.rows, [vec!["a", "b;c"], vec!["1", "2"]]);
        // A first line without delimiters (a watermark) does not decide.
        let t = read_table(b"# export 1\na,b\n1,2\n").unwrap();
        assert_eq!(t.rows[2], ["1", "2"]);
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名;手机\n张三;13800138000\n");
        let t = read_table(&gbk).unwrap();
        assert_eq!(t.source, "gb18030");
        assert_eq!(t.rows[1], ["张三", "13800138000"]);
    }

    #[test]
    fn a_broken_workbook_is_an_error_not_a_panic() {
        assert!(matches!(
            read_table(b"PK\x03\x04nonsense"),
            Err(ReadError::Workbook(_))
        ));
    }

    #[test]
    fn formulas_are_written_inert_and_the_rest_as_is() {
        for cell in ["=1+1", "+86 138", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(inert(cell), format!("'{cell}"));
        }
        for cell in ["", "张三", "a=b", "138 0013 8000", "'quoted"] {
            assert_eq!(inert(cell), cell);
        }
    }
}
