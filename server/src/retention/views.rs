//! Runs as the console shows them, named by form titles and field labels.

use shared::{
    api::retention::{RunReport, RunStatus, RunSummary, RunTrigger},
    i18n::LocalizedText,
    ids::{FormId, RetentionRunId},
};

use super::{
    forecast::{held_of, lines_of},
    report::Report,
};
use crate::{
    error::{AppError, AppResult},
    state::AppState,
    store::{records::Scope, retention::RunRow},
};

fn summary(row: &RunRow, report: &Report) -> RunSummary {
    let (deleted, anonymised) = report.totals();
    RunSummary {
        id: row.id,
        trigger: if row.trigger == "manual" {
            RunTrigger::Manual
        } else {
            RunTrigger::Schedule
        },
        started_by: row.started_by,
        started_by_name: row.started_by_name.clone(),
        status: if row.done {
            RunStatus::Done
        } else {
            RunStatus::Running
        },
        started_at_ms: row.started_at_ms,
        finished_at_ms: row.finished_at_ms,
        as_of_ms: row.as_of_ms,
        records: report.records,
        deleted,
        anonymised,
        held_records: report.held.values().sum(),
        errors: report.error_count,
    }
}

/// The summary of a stored run.
#[must_use]
pub fn summary_of(row: &RunRow) -> RunSummary {
    summary(row, &Report::from_json(&row.report_json))
}

/// The latest runs, newest first.
pub async fn runs(state: &AppState) -> AppResult<Vec<RunSummary>> {
    Ok(state
        .db
        .retention_runs(100)
        .await?
        .iter()
        .map(summary_of)
        .collect())
}

/// One run's report.
pub async fn report(state: &AppState, id: RetentionRunId) -> AppResult<RunReport> {
    let row = state
        .db
        .retention_run(id)
        .await?
        .ok_or_else(|| AppError::not_found("No such retention run"))?;
    let report = Report::from_json(&row.report_json);
    // Names from the newest version of each form records were collected with.
    let mut defs = std::collections::BTreeMap::new();
    for (form, version) in state.db.record_forms(&Scope::All).await? {
        if let Ok(v) = state.versions.get_any(&state.db, form, version).await {
            defs.insert(form, v);
        }
    }
    let title = |form: FormId| {
        defs.get(&form)
            .map(|v| v.definition.title.clone())
            .unwrap_or_default()
    };
    let label = |form: FormId, key: &str| {
        defs.get(&form)
            .and_then(|v| v.definition.field(key))
            .map_or_else(|| LocalizedText::new(key, key), |f| f.label.clone())
    };
    Ok(RunReport {
        summary: summary(&row, &report),
        lines: lines_of(&report, title, label),
        held: held_of(&report, title),
        errors: report.errors,
    })
}
