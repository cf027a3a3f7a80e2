//! Tracing a leaked file back to its export: the file's rows are read (CSV, XLSX or
//! rows pasted as text), and the marks of every export in the ledger whose file carried
//! marks are computed again and looked for — a mark's record id anywhere in the file
//! names its export with certainty; two of a mark's distinctive values (e-mail, phone,
//! ID number, address) in one row, with high confidence; one, as a lead.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use shared::{
    api::exports::TraceConfidence,
    ids::{ExportId, FormId},
    schema::FormDefinition,
};

use super::{marks::Marks, service::locale_of};
use crate::{
    error::{AppError, AppResult},
    spreadsheet::read_table,
    state::AppState,
    store::exports::ExportRow,
};

/// The most exports whose marks are computed again for one trace (the newest).
const MAX_EXPORTS: i64 = 20_000;
/// Cells shorter than this are not compared by value.
const MIN_VALUE_CHARS: usize = 8;

/// One export a file comes from.
#[derive(Debug)]
pub struct Found {
    pub export: ExportRow,
    pub marks_found: u32,
    pub marks_in_file: u32,
    pub confidence: TraceConfidence,
}

/// What a trace found.
#[derive(Debug)]
pub struct Traced {
    pub rows_read: u64,
    pub found: Vec<Found>,
}

/// The file's cells, indexed for the search.
struct Cells {
    /// The 10 bytes after the timestamp of every UUID in the file.
    id_tails: HashSet<[u8; 10]>,
    /// Each long cell's text → the rows it is in.
    values: HashMap<String, Vec<usize>>,
}

impl Cells {
    fn of(rows: &[Vec<String>]) -> Self {
        let mut id_tails = HashSet::new();
        let mut values: HashMap<String, Vec<usize>> = HashMap::new();
        for (r, row) in rows.iter().enumerate() {
            for cell in row {
                // A cell written inert carries a leading apostrophe.
                let cell = cell.trim().trim_start_matches('\'');
                if let Ok(id) = uuid::Uuid::parse_str(cell) {
                    let mut tail = [0u8; 10];
                    tail.copy_from_slice(&id.as_bytes()[6..]);
                    id_tails.insert(tail);
                } else if cell.chars().count() >= MIN_VALUE_CHARS {
                    values.entry(cell.to_owned()).or_default().push(r);
                }
            }
        }
        Self { id_tails, values }
    }
}

/// Traces `bytes` (a file or pasted rows).
///
/// # Errors
/// A 422 on `file` when it cannot be read as a table.
pub async fn trace(state: &AppState, bytes: &[u8]) -> AppResult<Traced> {
    let table = read_table(bytes)
        .map_err(|e| AppError::invalid_field("file", "unreadable", format!("{e}")))?;
    let cells = Cells::of(&table.rows);
    let mut forms: BTreeMap<FormId, Option<FormDefinition>> = BTreeMap::new();
    let mut found = Vec::new();
    for export in state.db.exports_with_marks(MAX_EXPORTS).await? {
        let count = u32::try_from(export.marks.unwrap_or(0)).unwrap_or(0);
        if count == 0 {
            continue;
        }
        if let std::collections::btree_map::Entry::Vacant(slot) = forms.entry(export.form_id) {
            slot.insert(definition(state, export.form_id).await?);
        }
        let def = forms.get(&export.form_id).and_then(Option::as_ref);
        if let Some((marks_found, confidence)) = look_for(state, &export, count, def, &cells) {
            found.push(Found {
                export,
                marks_found,
                marks_in_file: count,
                confidence,
            });
        }
    }
    found.sort_by(|a, b| {
        rank(a.confidence)
            .cmp(&rank(b.confidence))
            .then(b.marks_found.cmp(&a.marks_found))
    });
    Ok(Traced {
        rows_read: u64::try_from(table.rows.len()).unwrap_or(u64::MAX),
        found,
    })
}

fn rank(c: TraceConfidence) -> u8 {
    match c {
        TraceConfidence::Certain => 0,
        TraceConfidence::High => 1,
        TraceConfidence::Possible => 2,
    }
}

async fn definition(state: &AppState, form: FormId) -> AppResult<Option<FormDefinition>> {
    let Some(latest) = state.db.form(form).await?.and_then(|f| f.latest) else {
        return Ok(None);
    };
    Ok(Some(
        state
            .versions
            .get_any(&state.db, form, latest.number)
            .await?
            .definition
            .clone(),
    ))
}

/// The marks of `export` found in the file, and how sure that is.
fn look_for(
    state: &AppState,
    export: &ExportRow,
    count: u32,
    def: Option<&FormDefinition>,
    cells: &Cells,
) -> Option<(u32, TraceConfidence)> {
    let marks = Marks::new(&state.subkeys, export.id, count);
    let locale = locale_of(export);
    let mut certain = BTreeSet::new();
    let mut high = BTreeSet::new();
    let mut possible = BTreeSet::new();
    for i in 0..count {
        if cells.id_tails.contains(&marks.id_tail(i)) {
            certain.insert(i);
            continue;
        }
        let Some(def) = def else { continue };
        // Rows holding this mark's distinctive values, and how many of them each holds.
        let mut per_row: BTreeMap<usize, u32> = BTreeMap::new();
        for field in def.fields().filter(|f| Marks::distinctive(f)) {
            let Some(text) = marks.value_text(i, field, locale) else {
                continue;
            };
            for row in cells.values.get(&text).into_iter().flatten() {
                *per_row.entry(*row).or_default() += 1;
            }
        }
        match per_row.values().max() {
            Some(n) if *n >= 2 => {
                high.insert(i);
            }
            Some(_) => {
                possible.insert(i);
            }
            None => {}
        }
    }
    let all = certain.len() + high.len() + possible.len();
    let confidence = if !certain.is_empty() {
        TraceConfidence::Certain
    } else if !high.is_empty() {
        TraceConfidence::High
    } else if !possible.is_empty() {
        TraceConfidence::Possible
    } else {
        return None;
    };
    Some((u32::try_from(all).unwrap_or(u32::MAX), confidence))
}

/// The export ids a trace names (for the audit log).
#[must_use]
pub fn ids(traced: &Traced) -> Vec<ExportId> {
    traced.found.iter().map(|f| f.export.id).collect()
}
