//! The imports' history: each import as the console shows it, its report as a CSV or
//! XLSX file (row numbers of the original file, outcome, column, field and reason;
//! never values), and undo within the window: the import's records erased the way a
//! data-subject request erases (`retention::engine::erase_whole`), except those a
//! legal hold keeps.

use shared::{
    api::{
        auth::Role,
        error::ErrorCode,
        exports::ExportFormat,
        imports::{ImportBasis, ImportEntry, OnProblems, ReportLine},
    },
    i18n::Locale,
    ids::{ImportId, RecordId},
    schema::FormDefinition,
};

use super::{sealer, settings};
use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    retention::engine::erase_whole,
    state::AppState,
    store::imports::{self as store, ImportRow},
};

/// Records erased per transaction when an import is undone.
const UNDO_PER_TRANSACTION: usize = 200;

/// `row` as the history shows it.
pub async fn entry(state: &AppState, row: ImportRow) -> AppResult<ImportEntry> {
    let sealer = sealer(state)?;
    let owner = row.id.to_string();
    let ids: Vec<_> = row
        .created_by
        .iter()
        .chain(&row.undone_by)
        .copied()
        .collect();
    let names = state.db.user_names(&ids).await?;
    let form_title = state
        .versions
        .get_any(&state.db, row.form_id, row.form_version)
        .await
        .map(|v| v.definition.title.clone())
        .unwrap_or_default();
    let consented = state.db.import_consented(row.id).await?;
    let count = |n: i64| u64::try_from(n).unwrap_or_default();
    Ok(ImportEntry {
        id: row.id,
        form_id: row.form_id,
        form_title,
        form_version: row.form_version,
        created_at_ms: row.created_at_ms,
        created_by: row.created_by,
        created_by_name: row.created_by.and_then(|u| names.get(&u).cloned()),
        file_name: sealer
            .open(&owner, "#file_name", &row.file_name_sealed)
            .unwrap_or_default(),
        file_sha256: row.file_sha256,
        source: row.source,
        rows_total: count(row.rows_total),
        imported: count(row.imported),
        skipped_invalid: count(row.skipped_invalid),
        skipped_duplicate_in_file: count(row.skipped_duplicate),
        skipped_already_stored: count(row.skipped_stored),
        basis: ImportBasis {
            basis: serde_json::from_value(serde_json::Value::String(row.basis))
                .map_err(|e| AppError::internal("an import's basis", e))?,
            purposes: serde_json::from_str(&row.purposes).unwrap_or_default(),
            evidence: sealer
                .open(&owner, "#evidence", &row.evidence_sealed)
                .unwrap_or_default(),
        },
        on_problems: if row.on_problems == "refuse" {
            OnProblems::Refuse
        } else {
            OnProblems::Skip
        },
        undo_until_ms: row.undo_until_ms,
        undone_at_ms: row.undone_at_ms,
        undone_by_name: row.undone_by.and_then(|u| names.get(&u).cloned()),
        undo_held: count(row.undo_held),
        consented: count(consented),
    })
}

/// Whether `caller` may see or undo `row`: admins every import; a manager (while
/// managers may import) their own.
async fn reachable(state: &AppState, caller: &Principal, row: &ImportRow) -> AppResult<()> {
    settings::may_import(state, caller).await?;
    if caller.user.role == Role::Admin || row.created_by == Some(caller.user.id) {
        Ok(())
    } else {
        Err(AppError::not_found("No such import"))
    }
}

async fn import_row(state: &AppState, caller: &Principal, id: ImportId) -> AppResult<ImportRow> {
    let row = state
        .db
        .import(id)
        .await?
        .ok_or_else(|| AppError::not_found("No such import"))?;
    reachable(state, caller, &row).await?;
    Ok(row)
}

/// The imports `caller` may see, newest first.
pub async fn list(state: &AppState, caller: &Principal) -> AppResult<Vec<ImportEntry>> {
    settings::may_import(state, caller).await?;
    let mut out = Vec::new();
    for row in state.db.imports().await? {
        if caller.user.role == Role::Admin || row.created_by == Some(caller.user.id) {
            out.push(entry(state, row).await?);
        }
    }
    Ok(out)
}

/// One import.
pub async fn one(state: &AppState, caller: &Principal, id: ImportId) -> AppResult<ImportEntry> {
    entry(state, import_row(state, caller, id).await?).await
}

/// Undoes an import within its window: its records are erased, but those a legal hold
/// keeps. Audited with the counts.
///
/// # Errors
/// 409 once undone, or after the window.
pub async fn undo(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    id: ImportId,
) -> AppResult<ImportEntry> {
    let row = import_row(state, caller, id).await?;
    if row.undone_at_ms.is_some() {
        return Err(AppError::client(
            ErrorCode::AlreadyResolved,
            "This import was undone already",
        ));
    }
    if state.clock.now_ms() > row.undo_until_ms {
        return Err(AppError::conflict(
            "The time to undo this import has passed: erase its records through the \
             records view or a data-subject request",
        ));
    }
    let records = state.db.import_records(id).await?;
    let (mut erased, mut held) = (0_i64, 0_i64);
    for chunk in records.chunks(UNDO_PER_TRANSACTION) {
        let now = state.clock.now_ms();
        let mut kept: Vec<RecordId> = Vec::new();
        for record in chunk {
            if !state.db.holds_covering(*record, now).await?.is_empty() {
                kept.push(*record);
            }
        }
        let mut tx = state.db.begin_write().await?;
        for record in chunk.iter().filter(|r| !kept.contains(r)) {
            if erase_whole(&mut tx, state, *record).await?.is_some() {
                erased += 1;
            }
        }
        tx.commit().await?;
        held += i64::try_from(kept.len()).unwrap_or_default();
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    store::set_undone(&mut tx, id, caller.user.id, now, held).await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("imports.undone", Some(&caller.user))
            .target("import", id)
            .details(serde_json::json!({ "erased": erased, "held": held })),
    )
    .await?;
    tx.commit().await?;
    // What was erased does not stay behind in the write-ahead log (SQLite).
    if let Err(e) = state.db.checkpoint_truncate().await {
        tracing::warn!(error = %e, "import undo: WAL not emptied");
    }
    one(state, caller, id).await
}

/// An import's report as a file: its name and bytes.
pub async fn report(
    state: &AppState,
    caller: &Principal,
    id: ImportId,
    format: ExportFormat,
    locale: Locale,
) -> AppResult<(String, Vec<u8>)> {
    let row = import_row(state, caller, id).await?;
    let sealer = sealer(state)?;
    let lines: Vec<ReportLine> = sealer
        .open(&id.to_string(), "#report", &row.report_sealed)
        .and_then(|json| serde_json::from_str(&json).ok())
        .ok_or_else(|| AppError::invariant("an import's report does not open"))?;
    let def = state
        .versions
        .get_any(&state.db, row.form_id, row.form_version)
        .await?;
    let table = report_table(&def.definition, &lines, locale);
    let bytes = tokio::task::spawn_blocking(move || {
        crate::spreadsheet::write_table(
            &table,
            (format == ExportFormat::Xlsx).then_some(if locale == Locale::ZhCn {
                "导入报告"
            } else {
                "Import report"
            }),
        )
    })
    .await
    .map_err(|e| AppError::internal("writing an import report", e))?
    .map_err(|e| AppError::internal("writing an import report", e))?;
    let name = format!("import-{}-report.{}", &id.to_string()[..8], format.as_str());
    Ok((name, bytes))
}

/// The report's rows, a header first: one row per problem of a row (at least one row
/// per row of the file).
fn report_table(def: &FormDefinition, lines: &[ReportLine], locale: Locale) -> Vec<Vec<String>> {
    let zh = locale == Locale::ZhCn;
    let header = if zh {
        [
            "原文件行号",
            "结果",
            "记录编号",
            "列",
            "字段",
            "原因",
            "重复于行",
        ]
    } else {
        [
            "Row in the file",
            "Outcome",
            "Record id",
            "Column",
            "Field",
            "Reason",
            "Same person as row",
        ]
    };
    let mut rows = vec![header.map(str::to_owned).to_vec()];
    for line in lines {
        let base = [
            line.row.to_string(),
            line.outcome.label(locale).to_owned(),
            line.record_id.map(|r| r.to_string()).unwrap_or_default(),
        ];
        let dup = line
            .duplicate_of_row
            .map(|r| r.to_string())
            .unwrap_or_default();
        if line.issues.is_empty() {
            let mut r = base.to_vec();
            r.extend([String::new(), String::new(), String::new(), dup]);
            rows.push(r);
            continue;
        }
        for issue in &line.issues {
            let label = def
                .field(&issue.field)
                .map(|f| f.label.get(locale).to_owned())
                .unwrap_or_else(|| issue.field.clone());
            let mut r = base.to_vec();
            r.extend([
                issue.column.clone().unwrap_or_default(),
                label,
                issue.message.clone(),
                dup.clone(),
            ]);
            rows.push(r);
        }
    }
    rows
}
