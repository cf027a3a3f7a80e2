//! The commit of an import: the file read and checked again exactly as the preview
//! does, the lawful basis checked against the form, every valid new row sealed like a
//! collected record (its own data key, personal and sensitive values sealed, blind
//! indexes for lookups), and then everything written in one transaction — the import,
//! its records with their basis, the remembered mapping and the audit entry — or
//! nothing. Rows with problems are skipped or refuse the whole import, as asked; the
//! report (row numbers, outcomes and reasons, never values) is sealed with the import.

use std::{collections::BTreeSet, sync::Arc};

use shared::{
    api::imports::{
        CommitImport, ImportBasis, OnProblems, ReportLine, ReportOutcome, RowReport, RowStatus,
    },
    i18n::Locale,
    ids::{FormId, ImportId, RecordId, UserId},
    imports::mapping_to_remember,
    schema::{FormDefinition, LawfulBasis},
};

use super::{
    preview::{self, RowAt},
    sealer, settings,
};
use crate::{
    audit::{self, Event},
    auth::Principal,
    consent::service::{time_ordered_id, FIRST_KEY_VERSION},
    crypto::DataKey,
    error::{AppError, AppResult},
    extract::Origin,
    records::sealed::{self, Place, RecordKey},
    state::AppState,
    store::imports::{self as store, ImportRow, NewImported},
};

/// The most characters of a file name kept in the history.
const MAX_FILE_NAME_CHARS: usize = 255;

/// Checks the basis against the form: known purposes, at least one, no repeats; the
/// evidence a ground needs, without control characters and not too long.
///
/// # Errors
/// A 422 under `basis.purposes` or `basis.evidence`.
pub fn check_basis(def: &FormDefinition, basis: &ImportBasis) -> AppResult<()> {
    let purposes_issue =
        |code: &str, message: String| AppError::invalid_field("basis.purposes", code, message);
    if basis.purposes.is_empty() {
        return Err(purposes_issue(
            "required",
            "Choose the purposes the basis covers".to_owned(),
        ));
    }
    let mut seen = BTreeSet::new();
    for purpose in &basis.purposes {
        if !def.purposes.iter().any(|p| &p.key == purpose) {
            return Err(purposes_issue(
                "unknown",
                format!("The form has no purpose {purpose}"),
            ));
        }
        if !seen.insert(purpose) {
            return Err(purposes_issue(
                "duplicate",
                format!("{purpose} is named twice"),
            ));
        }
    }
    let evidence = basis.evidence.trim();
    let evidence_issue =
        |code: &str, message: &str| AppError::invalid_field("basis.evidence", code, message);
    if basis.needs_evidence() && evidence.is_empty() {
        return Err(evidence_issue(
            "required",
            if basis.basis == LawfulBasis::Consent {
                "Say where the consent is documented: the old system's consent date and document number"
            } else {
                "Say where the contract is documented: its number or reference"
            },
        ));
    }
    if evidence.chars().count() > shared::api::imports::MAX_EVIDENCE_CHARS {
        return Err(evidence_issue(
            "too_long",
            "The evidence reference is too long",
        ));
    }
    if evidence.chars().any(char::is_control) {
        return Err(evidence_issue(
            "invalid",
            "The evidence reference holds control characters",
        ));
    }
    Ok(())
}

/// A file name as the history keeps it: its last path part, without control
/// characters, at most [`MAX_FILE_NAME_CHARS`].
fn clean_file_name(name: Option<&str>) -> String {
    let name = name.unwrap_or_default();
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    last.chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILE_NAME_CHARS)
        .collect()
}

/// Imports `bytes` into the form as `req` asks; the import as the history shows it.
///
/// # Errors
/// 403 when the caller may not import; 404 for a form without a published version;
/// 422 for the basis, the file, the mapping; 409 when problem rows refuse the import.
pub async fn commit(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    req: CommitImport,
    bytes: Vec<u8>,
) -> AppResult<ImportRow> {
    let import_settings = settings::may_import(state, caller).await?;
    let form_id = req.request.form_id;
    let version = super::handlers::latest_version(state, form_id).await?;
    let def = &version.definition;
    check_basis(def, &req.basis)?;
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    let file = preview::read(bytes, &req.request)?;
    let previewed = preview::preview(state, (form_id, def), file, &req.request, locale).await?;
    let p = &previewed.preview;
    let problems = p.invalid + p.duplicate_in_file + p.already_stored;
    if req.on_problems == OnProblems::Refuse && problems > 0 {
        return Err(AppError::conflict(format!(
            "{problems} of {} rows have problems ({} invalid, {} duplicates in the file, \
             {} already stored): nothing was imported, as asked. Fix them, or skip them",
            p.rows_total, p.invalid, p.duplicate_in_file, p.already_stored
        )));
    }
    if previewed.valid.is_empty() {
        return Err(AppError::invalid_field(
            "file",
            "nothing_to_import",
            "No row of the file can be imported: see the preview's reasons",
        ));
    }
    let now = state.clock.now_ms();
    let id = ImportId::from_uuid(uuid::Uuid::new_v4());
    let preview::Previewed {
        preview: p,
        file,
        reader,
        valid,
        problems,
    } = previewed;
    // Record ids first, so that the report (which names them) is written with the import.
    let ids: Vec<RecordId> = valid.iter().map(|_| time_ordered_id()).collect();
    let report = report_of(&valid, &ids, problems);
    let sealer = sealer(state)?;
    let owner = id.to_string();
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let row = ImportRow {
        id,
        form_id,
        form_version: version.number,
        created_by: Some(caller.user.id),
        created_at_ms: now,
        file_sha256: sha.clone(),
        file_name_sealed: sealer.seal(
            &owner,
            "#file_name",
            &clean_file_name(req.file_name.as_deref()),
        ),
        source: p.source.clone(),
        rows_total: count(p.rows_total),
        imported: count(p.valid),
        skipped_invalid: count(p.invalid),
        skipped_duplicate: count(p.duplicate_in_file),
        skipped_stored: count(p.already_stored),
        basis: req.basis.basis.as_str().to_owned(),
        purposes: serde_json::to_string(&req.basis.purposes).unwrap_or_default(),
        evidence_sealed: sealer.seal(&owner, "#evidence", req.basis.evidence.trim()),
        on_problems: on_problems_name(req.on_problems).to_owned(),
        report_sealed: sealer.seal(
            &owner,
            "#report",
            &serde_json::to_string(&report).unwrap_or_default(),
        ),
        undo_until_ms: now + i64::from(import_settings.undo_days) * 86_400_000,
        undone_at_ms: None,
        undone_by: None,
        undo_held: 0,
    };
    drop(report);
    let remembered =
        serde_json::to_string(&mapping_to_remember(&p.headers, &p.mapping)).unwrap_or_default();
    let source = Arc::new((file, reader));
    let shared_by_all = Sealing {
        form_id,
        form_version: version.number,
        definition: Arc::new(def.clone()),
        imported_by: caller.user.id,
        at_ms: now,
    };
    let mut tx = state.db.begin_write().await?;
    store::insert_import(&mut tx, &row).await?;
    // A slice at a time: sealed on a blocking thread (it is all cryptography), then
    // written; the whole file's sealed records are never held at once.
    for (rows, ids) in valid.chunks(SEAL_ROWS).zip(ids.chunks(SEAL_ROWS)) {
        let records = seal_slice(state, &source, &shared_by_all, rows, ids).await?;
        store::insert_imported(&mut tx, &row, &records).await?;
    }
    store::save_mapping(&mut tx, form_id, &remembered).await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("imports.committed", Some(&caller.user))
            .target("import", id)
            .details(serde_json::json!({
                "form_id": form_id,
                "form_version": version.number,
                "file_sha256": sha,
                "source": p.source,
                "rows": p.rows_total,
                "imported": p.valid,
                "skipped_invalid": p.invalid,
                "skipped_duplicate_in_file": p.duplicate_in_file,
                "skipped_already_stored": p.already_stored,
                "basis": req.basis.basis,
                "purposes": req.basis.purposes,
                "on_problems": req.on_problems,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub(crate) fn on_problems_name(on: OnProblems) -> &'static str {
    match on {
        OnProblems::Skip => "skip",
        OnProblems::Refuse => "refuse",
    }
}

/// Rows sealed and written at a time.
const SEAL_ROWS: usize = 1000;

/// What every imported record of a commit shares.
struct Sealing {
    form_id: FormId,
    form_version: i64,
    definition: Arc<FormDefinition>,
    imported_by: UserId,
    at_ms: i64,
}

/// Reads `rows` of the file again and seals each as a record with its id, on a
/// blocking thread.
async fn seal_slice(
    state: &AppState,
    source: &Arc<(preview::ReadFile, preview::RowReader)>,
    at: &Sealing,
    rows: &[RowAt],
    ids: &[RecordId],
) -> AppResult<Vec<NewImported>> {
    let state = state.clone();
    let source = Arc::clone(source);
    let def = Arc::clone(&at.definition);
    let (form_id, form_version, imported_by, at_ms) =
        (at.form_id, at.form_version, at.imported_by, at.at_ms);
    let work: Vec<(RowAt, RecordId)> = rows.iter().copied().zip(ids.iter().copied()).collect();
    tokio::task::spawn_blocking(move || {
        let (file, reader) = &*source;
        work.into_iter()
            .map(|(row, record_id)| {
                let answers = reader
                    .answers(&file.rows[row.index])
                    .map_err(|_| AppError::invariant("a row valid in the preview is not"))?;
                let dek = DataKey::generate();
                let wrapped_key = dek.wrap(state.master.as_ref(), &record_id.to_string());
                let key = RecordKey::new(record_id, FIRST_KEY_VERSION, &dek);
                Ok(NewImported {
                    record_id,
                    form_id,
                    form_version,
                    key_version: FIRST_KEY_VERSION,
                    wrapped_key,
                    values: key.seal_all(&def, Place::Record, &answers),
                    lookups: sealed::lookups(&state, &answers),
                    at_ms,
                    imported_by,
                })
            })
            .collect()
    })
    .await
    .map_err(|e| AppError::internal("sealing imported rows", e))?
}

/// The report: every row of the file by its number, in order.
fn report_of(valid: &[RowAt], ids: &[RecordId], problems: Vec<RowReport>) -> Vec<ReportLine> {
    let mut report: Vec<ReportLine> = valid
        .iter()
        .zip(ids)
        .map(|(at, id)| ReportLine {
            row: at.row,
            outcome: ReportOutcome::Imported,
            record_id: Some(*id),
            duplicate_of_row: None,
            issues: Vec::new(),
        })
        .collect();
    report.extend(problems.into_iter().map(|p| ReportLine {
        row: p.row,
        outcome: match p.status {
            RowStatus::Valid | RowStatus::Invalid => ReportOutcome::SkippedInvalid,
            RowStatus::DuplicateInFile => ReportOutcome::SkippedDuplicateInFile,
            RowStatus::AlreadyStored => ReportOutcome::SkippedAlreadyStored,
        },
        record_id: None,
        duplicate_of_row: p.duplicate_of_row,
        issues: p.issues,
    }));
    report.sort_by_key(|l| l.row);
    report
}

#[cfg(test)]
mod tests {
    use super::clean_file_name;

    #[test]
    fn file_names_lose_their_path_and_control_characters() {
        assert_eq!(clean_file_name(Some("C:\\客户\\名单.xlsx")), "名单.xlsx");
        assert_eq!(clean_file_name(Some("../a\u{0}b.csv")), "ab.csv");
        assert_eq!(clean_file_name(None), "");
        assert_eq!(clean_file_name(Some(&"x".repeat(400))).len(), 255);
    }
}
