//! Runs: started by the schedule or by an admin, carried out under the database lease
//! by whichever replica holds it, page by page. Each page commits its records, the
//! run's report and the lease's renewal together, so a run killed at any point resumes
//! where its last page ended and processes every due value exactly once; a replica
//! that lost the lease (paused past its expiry) finds out at its next page and stops
//! before writing anything.

use shared::{
    api::auth::CurrentUser,
    ids::{RecordId, RetentionRunId},
};

use super::{
    engine::{self, next_due_of, Pass},
    report::Report,
};
use crate::{
    audit::{self, Event},
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::retention::{self as store, RunRow},
};

/// The lease's name.
pub const LEASE: &str = "retention";
/// How long a lease lasts without renewal: a dead holder's run resumes elsewhere after it.
pub const LEASE_MS: i64 = 30_000;
/// Records per transaction.
const PAGE: i64 = 50;
/// Records whose due moment is computed per transaction.
const DUE_PAGE: i64 = 500;

/// Starts a run now (an admin's): refused with 409 while another is going.
pub async fn start_manual(state: &AppState, caller: &CurrentUser) -> AppResult<RunRow> {
    let now = state.clock.now_ms();
    let run = RunRow {
        id: RetentionRunId::from_uuid(uuid::Uuid::now_v7()),
        trigger: "manual".to_owned(),
        started_by: Some(caller.id),
        started_by_name: Some(caller.username.clone()),
        done: false,
        as_of_ms: now,
        started_at_ms: now,
        finished_at_ms: None,
        report_json: Report::default().to_json(),
    };
    let mut tx = state.db.begin_write().await?;
    if !store::insert_run(&mut tx, &run).await? {
        return Err(AppError::conflict(
            "A retention run is already going; wait for it to finish",
        ));
    }
    audit::record(
        &mut tx,
        &Origin::default(),
        Event::new("retention.run_started", Some(caller))
            .details(serde_json::json!({ "run_id": run.id, "trigger": "manual" })),
    )
    .await?;
    tx.commit().await?;
    state.retention.wake();
    Ok(run)
}

/// One turn of a replica's worker: takes the lease if it is free, starts the scheduled
/// run when its moment came, and carries out the run that is going, if any. Returns
/// true when it carried a run to its end.
pub async fn turn(state: &AppState, holder: &str) -> AppResult<bool> {
    let now = state.clock.now_ms();
    let running = state.db.running_retention_run().await?;
    let settings = &state.config.retention;
    let slot_due = settings.scheduled && {
        let last = state.db.last_scheduled_run_ms().await?;
        let slot = settings.latest_slot(now);
        slot > last.unwrap_or(state.retention.started_at_ms)
    };
    if running.is_none() && !slot_due {
        return Ok(false);
    }
    {
        let mut conn = state.db.pool().acquire().await?;
        if !store::take_lease(&mut conn, LEASE, holder, now, now + LEASE_MS).await? {
            return Ok(false);
        }
    }
    let run = match running {
        Some(run) => run,
        None => match start_scheduled(state, now).await? {
            Some(run) => run,
            None => return Ok(false),
        },
    };
    let finished = carry_out(state, holder, &run).await;
    if let Err(e) = store::release_lease(&state.db, LEASE, holder).await {
        tracing::warn!(error = %e, "retention: lease not released");
    }
    finished
}

async fn start_scheduled(state: &AppState, now: i64) -> AppResult<Option<RunRow>> {
    let run = RunRow {
        id: RetentionRunId::from_uuid(uuid::Uuid::now_v7()),
        trigger: "schedule".to_owned(),
        started_by: None,
        started_by_name: None,
        done: false,
        as_of_ms: now,
        started_at_ms: now,
        finished_at_ms: None,
        report_json: Report::default().to_json(),
    };
    let mut tx = state.db.begin_write().await?;
    if !store::insert_run(&mut tx, &run).await? {
        return Ok(None);
    }
    audit::record(
        &mut tx,
        &Origin::default(),
        Event::new("retention.run_started", None)
            .details(serde_json::json!({ "run_id": run.id, "trigger": "schedule" })),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(run))
}

/// Carries out `run` from where its report says it got to. False when the lease was
/// lost on the way (another replica goes on with it).
async fn carry_out(state: &AppState, holder: &str, run: &RunRow) -> AppResult<bool> {
    let grace_ms = state.config.retention.grace_ms();
    if !compute_dues(state, holder, grace_ms).await? {
        return Ok(false);
    }
    let mut report = Report::from_json(&run.report_json);
    loop {
        let now = state.clock.now_ms();
        let held = state.db.held(now).await?;
        let ids = state
            .db
            .due_record_ids(run.as_of_ms, report.cursor, PAGE)
            .await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        let mut tx = state.db.begin_write().await?;
        if !store::keep_lease(&mut tx, LEASE, holder, now + LEASE_MS).await? {
            return Ok(false);
        }
        let pass = Pass {
            state,
            run_id: run.id,
            as_of_ms: run.as_of_ms,
            now_ms: now,
            grace_ms,
            held: &held,
        };
        let mut page_report = report.clone();
        for id in &ids {
            engine::apply(&mut tx, &pass, *id, &mut page_report).await?;
        }
        page_report.cursor = Some(last);
        store::save_report(&mut tx, run.id, &page_report.to_json()).await?;
        tx.commit().await?;
        report = page_report;
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    if !store::keep_lease(&mut tx, LEASE, holder, now + LEASE_MS).await? {
        return Ok(false);
    }
    store::finish_run(&mut tx, run.id, now, &report.to_json()).await?;
    let (deleted, anonymised) = report.totals();
    audit::record(
        &mut tx,
        &Origin::default(),
        Event::new("retention.run_finished", None).details(serde_json::json!({
            "run_id": run.id,
            "records": report.records,
            "deleted": deleted,
            "anonymised": anonymised,
            "held_records": report.held.values().sum::<u64>(),
            "errors": report.error_count,
        })),
    )
    .await?;
    tx.commit().await?;
    if let Err(e) = state.db.checkpoint_truncate().await {
        tracing::warn!(error = %e, "retention: WAL not emptied after the run");
    }
    tracing::info!(run_id = %run.id, records = report.records, deleted, anonymised, "retention run finished");
    Ok(true)
}

/// Computes the next due moment of every record that has none yet (new records, and
/// those whose clocks moved). False when the lease was lost.
async fn compute_dues(state: &AppState, holder: &str, grace_ms: i64) -> AppResult<bool> {
    let mut after: Option<RecordId> = None;
    loop {
        let rows = state.db.records_due_by(None, after, DUE_PAGE).await?;
        let Some(last) = rows.last() else {
            return Ok(true);
        };
        after = Some(last.id);
        let mut dues = Vec::with_capacity(rows.len());
        for row in &rows {
            match state
                .versions
                .get_any(&state.db, row.form_id, row.form_version)
                .await
            {
                Ok(v) => dues.push((row.id, next_due_of(&v.definition, row, grace_ms))),
                // Reported by the run that reaches it: due now.
                Err(_) => dues.push((row.id, 0)),
            }
        }
        let mut tx = state.db.begin_write().await?;
        let until = state.clock.now_ms() + LEASE_MS;
        if !store::keep_lease(&mut tx, LEASE, holder, until).await? {
            return Ok(false);
        }
        store::set_due(&mut tx, &dues).await?;
        tx.commit().await?;
    }
}
