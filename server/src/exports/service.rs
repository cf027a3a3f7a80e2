//! Asking for an export, deciding one, the ledger, and the organisation's settings.

use shared::{
    access::{may_reveal, Permission},
    api::{
        auth::Role,
        error::ErrorCode,
        exports::{
            ExportDecision, ExportEntry, ExportFormat, ExportList, ExportSettings, ExportStatus,
            NewExport, TraceMatch, TraceReport, MAX_EXPORT_REASON_CHARS, MIN_EXPORT_REASON_CHARS,
        },
        records::RecordFilter,
    },
    i18n::Locale,
    ids::ExportId,
};

use super::{file, marks, Sealer};
use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    records::service::scope_of,
    requests::service::Issues,
    state::AppState,
    store::{
        exports::{self as store, ExportRow, NewExportRow},
        records::{filter_condition, Condition, Scope},
    },
};

const REASON: &str = "#reason";
const COMMENT: &str = "#comment";
const HOUR_MS: i64 = 3_600_000;

/// The organisation's export settings (the defaults until an admin saves others).
pub async fn settings(state: &AppState) -> AppResult<ExportSettings> {
    Ok(state
        .db
        .export_settings_json()
        .await?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// Saves the settings (admins); audited.
pub async fn save_settings(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    mut settings: ExportSettings,
) -> AppResult<ExportSettings> {
    let mut issues = Issues::default();
    if settings.valid_hours == 0 || settings.valid_hours > 24 * 7 {
        issues.add("valid_hours", "out_of_range", "Between 1 and 168 hours");
    }
    issues.done()?;
    settings.roles.sort_by_key(|r| r.as_str());
    settings.roles.dedup();
    let json = serde_json::to_string(&settings).map_err(|e| AppError::internal("settings", e))?;
    let mut tx = state.db.begin_write().await?;
    store::save_export_settings(&mut tx, &json).await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("exports.settings", Some(&caller.user)).details(serde_json::json!({
            "roles": settings.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "approval_above_rows": settings.approval_above_rows,
            "valid_hours": settings.valid_hours,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(settings)
}

/// Whether `role` may export under `settings` (admins always may).
#[must_use]
pub fn may_export(settings: &ExportSettings, role: Role) -> bool {
    role == Role::Admin || settings.roles.contains(&role)
}

/// The records an export with `filter` covers, in `scope` (its form required).
pub(crate) fn export_condition(scope: &Scope, filter: &RecordFilter) -> AppResult<Condition> {
    filter_condition(scope, filter, 1).map_err(crate::records::service::invalid_filter)
}

/// Asks for an export: allowed roles only; a form in the caller's reach; an unmasked
/// export only for roles that may reveal values, with a reason, and above the threshold
/// only after a second person's approval.
pub async fn create(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    req: NewExport,
) -> AppResult<ExportEntry> {
    let settings = settings(state).await?;
    let role = caller.role();
    if !may_export(&settings, role) {
        return Err(AppError::client(
            ErrorCode::Forbidden,
            "Your role may not export records; an admin can allow it in the export settings",
        ));
    }
    if let Some(alert) = crate::alerts::service::suspension(state, caller.user.id).await? {
        return Err(AppError::client(
            ErrorCode::Forbidden,
            format!("Your export permission is suspended by alert {alert} until an admin lifts it"),
        ));
    }
    if req.unmasked && !may_reveal(role) {
        return Err(AppError::client(
            ErrorCode::Forbidden,
            "Your role does not see masked values in full, so it cannot export them unmasked",
        ));
    }
    let Some(form_id) = req.filter.form_id else {
        return Err(AppError::invalid_field(
            "form_id",
            "required",
            "Choose the form whose records to export",
        ));
    };
    let scope = scope_of(state, caller).await?;
    if !state
        .db
        .record_forms(&scope)
        .await?
        .iter()
        .any(|(id, _)| *id == form_id)
    {
        return Err(AppError::not_found(
            "No records of this form are in your reach",
        ));
    }
    let mut issues = Issues::default();
    let reason = if req.unmasked {
        Some(issues.text(
            "reason",
            req.reason.as_deref().unwrap_or_default(),
            MIN_EXPORT_REASON_CHARS,
            MAX_EXPORT_REASON_CHARS,
        ))
    } else {
        None
    };
    let (from_ms, to_ms) = match req.filter.collected_between() {
        Ok(range) => range,
        Err(problem) => {
            issues.add(problem.field(), problem.code(), problem.message());
            (None, None)
        }
    };
    issues.done()?;
    let condition = export_condition(&scope, &req.filter)?;
    let rows = state.db.count_for_export(&condition).await?;
    if req.format == ExportFormat::Xlsx && u64::try_from(rows).unwrap_or(0) > file::XLSX_MAX_ROWS {
        return Err(AppError::invalid_field(
            "format",
            "too_many_rows",
            "More records than an Excel sheet holds: export them as CSV, or narrow the filter",
        ));
    }
    let now = state.clock.now_ms();
    let id = ExportId::from_uuid(uuid::Uuid::now_v7());
    let alerts = crate::alerts::service::plan_export(
        state,
        caller.user.id,
        id,
        u64::try_from(rows).unwrap_or(0),
        now,
    )
    .await?;
    let held_by_alert = alerts.holds();
    let awaits = held_by_alert.is_some()
        || (req.unmasked && u64::try_from(rows).unwrap_or(0) > settings.approval_above_rows);
    let (status, expires_at_ms) = if awaits {
        (ExportStatus::AwaitingApproval, None)
    } else {
        (
            ExportStatus::Ready,
            Some(now + i64::from(settings.valid_hours) * HOUR_MS),
        )
    };
    let sealer = Sealer::new(state)?;
    let reason_sealed = reason.as_deref().map(|r| sealer.seal(id, REASON, r));
    let filter_json =
        serde_json::to_string(&req.filter).map_err(|e| AppError::internal("filter", e))?;
    let mut tx = state.db.begin_write().await?;
    store::insert_export(
        &mut tx,
        &NewExportRow {
            id,
            requested_by: caller.user.id,
            requested_at_ms: now,
            form_id,
            format: req.format.as_str(),
            unmasked: req.unmasked,
            reason_sealed: reason_sealed.as_deref(),
            locale: req.locale.tag(),
            from_ms,
            to_ms,
            rows,
            status: status.as_str(),
            expires_at_ms,
            filter_json: &filter_json,
            marks: i64::from(marks::count_for(u64::try_from(rows).unwrap_or(0))),
            held_by_alert,
        },
    )
    .await?;
    let raised = alerts.record(&mut tx, origin, &caller.user, now).await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("exports.requested", Some(&caller.user))
            .target("export", id)
            .details(serde_json::json!({
                "form_id": form_id,
                "format": req.format.as_str(),
                "unmasked": req.unmasked,
                "rows": rows,
                "from_ms": from_ms,
                "to_ms": to_ms,
                "status": status.as_str(),
                "held_by_alert": held_by_alert,
            })),
    )
    .await?;
    tx.commit().await?;
    if raised {
        state.alert_wake.notify_one();
    }
    entry_of(state, caller, &sealer, id).await
}

/// An admin or privacy officer, never who asked, approves or refuses an export that
/// awaits approval.
pub async fn decide(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    id: ExportId,
    decision: ExportDecision,
) -> AppResult<ExportEntry> {
    let row = state
        .db
        .export(id)
        .await?
        .ok_or_else(|| AppError::not_found("No such export"))?;
    if row.requested_by == caller.user.id {
        return Err(AppError::client(
            ErrorCode::Forbidden,
            "You cannot approve your own export: another admin or privacy officer decides it",
        ));
    }
    let mut issues = Issues::default();
    let comment = issues.text(
        "comment",
        decision.comment.as_deref().unwrap_or_default(),
        0,
        MAX_EXPORT_REASON_CHARS,
    );
    issues.done()?;
    let now = state.clock.now_ms();
    let settings = settings(state).await?;
    let (status, expires) = if decision.approve {
        (
            ExportStatus::Ready,
            Some(now + i64::from(settings.valid_hours) * HOUR_MS),
        )
    } else {
        (ExportStatus::Rejected, None)
    };
    let sealer = Sealer::new(state)?;
    let sealed = (!comment.is_empty()).then(|| sealer.seal(id, COMMENT, &comment));
    let mut tx = state.db.begin_write().await?;
    if !store::decide(
        &mut tx,
        id,
        caller.user.id,
        (status.as_str(), expires),
        sealed.as_deref(),
        now,
    )
    .await?
    {
        return Err(AppError::client(
            ErrorCode::AlreadyResolved,
            "This export does not wait for a decision",
        ));
    }
    audit::record(
        &mut tx,
        origin,
        Event::new(
            if decision.approve {
                "exports.approved"
            } else {
                "exports.rejected"
            },
            Some(&caller.user),
        )
        .target("export", id),
    )
    .await?;
    tx.commit().await?;
    entry_of(state, caller, &sealer, id).await
}

/// Cancels one's own export before it is downloaded.
pub async fn cancel(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    id: ExportId,
) -> AppResult<ExportEntry> {
    let row = own(state, caller, id).await?;
    let mut tx = state.db.begin_write().await?;
    if !store::cancel(&mut tx, row.id).await? {
        return Err(AppError::conflict("This export can no longer be cancelled"));
    }
    audit::record(
        &mut tx,
        origin,
        Event::new("exports.cancelled", Some(&caller.user)).target("export", id),
    )
    .await?;
    tx.commit().await?;
    entry_of(state, caller, &Sealer::new(state)?, id).await
}

/// The caller's own export; someone else's is refused.
pub(crate) async fn own(
    state: &AppState,
    caller: &Principal,
    id: ExportId,
) -> AppResult<ExportRow> {
    let row = state
        .db
        .export(id)
        .await?
        .ok_or_else(|| AppError::not_found("No such export"))?;
    if row.requested_by != caller.user.id {
        return Err(AppError::client(
            ErrorCode::Forbidden,
            "This export is someone else's: only who asked for it may download it",
        ));
    }
    Ok(row)
}

/// Takes the one download of the caller's ready export; audited with the address.
pub async fn take_download(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    id: ExportId,
) -> AppResult<ExportRow> {
    let row = own(state, caller, id).await?;
    let now = state.clock.now_ms();
    let gone = |message: &str| AppError::client(ErrorCode::Gone, message.to_owned());
    match ExportStatus::parse(&row.status) {
        Some(ExportStatus::Downloaded) => {
            return Err(gone(
                "This export was already downloaded: each file is sent once",
            ))
        }
        Some(ExportStatus::AwaitingApproval) => {
            return Err(AppError::conflict("This export waits for approval"))
        }
        Some(ExportStatus::Rejected | ExportStatus::Cancelled) => {
            return Err(gone("This export was refused or cancelled"))
        }
        _ => {}
    }
    if row.expires_at_ms.is_some_and(|at| at <= now) {
        return Err(gone("This export expired: ask for a new one"));
    }
    let from = origin.ip.clone().unwrap_or_default();
    let mut tx = state.db.begin_write().await?;
    if !store::take_download(&mut tx, id, &from, now).await? {
        return Err(gone("This export was already downloaded or has expired"));
    }
    audit::record(
        &mut tx,
        origin,
        Event::new("exports.downloaded", Some(&caller.user))
            .target("export", id)
            .details(serde_json::json!({ "rows": row.rows, "unmasked": row.unmasked })),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// The ledger: the caller's exports, or everyone's for admins and auditors.
pub async fn list(state: &AppState, caller: &Principal, all: bool) -> AppResult<ExportList> {
    // Everyone's exports: for those who read the audit log (the ledger is part of it).
    let everyone = all && Permission::ViewAudit.allows(Some(caller.role()));
    let rows = state
        .db
        .exports((!everyone).then_some(caller.user.id), 500)
        .await?;
    let sealer = Sealer::new(state)?;
    let mut exports = Vec::with_capacity(rows.len());
    for row in rows {
        exports.push(entry(state, caller, &sealer, row).await?);
    }
    Ok(ExportList { exports })
}

async fn entry_of(
    state: &AppState,
    caller: &Principal,
    sealer: &Sealer,
    id: ExportId,
) -> AppResult<ExportEntry> {
    let row = state
        .db
        .export(id)
        .await?
        .ok_or_else(|| AppError::invariant("an export just written is missing"))?;
    entry(state, caller, sealer, row).await
}

async fn entry(
    state: &AppState,
    caller: &Principal,
    sealer: &Sealer,
    row: ExportRow,
) -> AppResult<ExportEntry> {
    let now = state.clock.now_ms();
    let mut status = ExportStatus::parse(&row.status).unwrap_or(ExportStatus::Expired);
    if status == ExportStatus::Ready && row.expires_at_ms.is_some_and(|at| at <= now) {
        status = ExportStatus::Expired;
    }
    let form_title = crate::retention::holds::form_title(state, row.form_id).await?;
    let filter = filter_of(&row);
    let filter_owner_name = match filter.owner_id {
        Some(id) => state.db.user_by_id(id).await?.map(|u| u.display_name),
        None => None,
    };
    let filter_team_name = match filter.team_id {
        Some(id) => state
            .db
            .teams()
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .map(|t| t.name),
        None => None,
    };
    Ok(ExportEntry {
        id: row.id,
        requested_by: row.requested_by,
        requested_by_name: row.requested_by_name.clone(),
        requested_at_ms: row.requested_at_ms,
        form_id: row.form_id,
        form_title,
        format: ExportFormat::parse(&row.format).unwrap_or(ExportFormat::Csv),
        unmasked: row.unmasked,
        reason: row
            .reason_sealed
            .as_deref()
            .map(|s| sealer.open(row.id, REASON, s)),
        filter,
        filter_team_name,
        filter_owner_name,
        rows: u64::try_from(row.rows).unwrap_or(0),
        rows_written: row.rows_written.and_then(|n| u64::try_from(n).ok()),
        status,
        held_by_alert: row.held_by_alert,
        decided_by_name: row.decided_by_name.clone(),
        decided_at_ms: row.decided_at_ms,
        decision_comment: row
            .comment_sealed
            .as_deref()
            .map(|s| sealer.open(row.id, COMMENT, s)),
        expires_at_ms: row.expires_at_ms,
        downloaded_at_ms: row.downloaded_at_ms,
        downloaded_from: row.downloaded_from.clone(),
        file_sha256: row.file_sha256.clone(),
        download_path: (status == ExportStatus::Ready && row.requested_by == caller.user.id)
            .then(|| format!("/exports/{}/file", row.id)),
    })
}

/// Traces a leaked file (or pasted rows) to the exports whose marks it carries; audited
/// (how many rows, which exports; never the file).
pub async fn trace(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    bytes: &[u8],
) -> AppResult<TraceReport> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::invalid_field(
            "file",
            "required",
            "Choose a file or paste some of its rows",
        ));
    }
    let traced = super::trace::trace(state, bytes).await?;
    audit::record_alone(
        &state.db,
        origin,
        Event::new("exports.traced", Some(&caller.user)).details(serde_json::json!({
            "rows_read": traced.rows_read,
            "bytes": bytes.len(),
            "exports": super::trace::ids(&traced),
        })),
        None,
    )
    .await?;
    let sealer = Sealer::new(state)?;
    let mut matches = Vec::with_capacity(traced.found.len());
    for found in traced.found {
        matches.push(TraceMatch {
            export: entry(state, caller, &sealer, found.export).await?,
            marks_found: found.marks_found,
            marks_in_file: found.marks_in_file,
            confidence: found.confidence,
        });
    }
    Ok(TraceReport {
        rows_read: traced.rows_read,
        matches,
    })
}

/// The filter an export was asked with; for one from before filters were kept, its
/// form and days.
#[must_use]
pub fn filter_of(row: &ExportRow) -> RecordFilter {
    let day = |ms: Option<i64>| {
        ms.and_then(|ms| time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok())
            .map(|t| shared::schema::format_iso_date(t.date()))
    };
    row.filter_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_else(|| RecordFilter {
            form_id: Some(row.form_id),
            from: day(row.from_ms),
            to: day(row.to_ms),
            ..RecordFilter::default()
        })
}

/// The language of an export's headers.
#[must_use]
pub fn locale_of(row: &ExportRow) -> Locale {
    Locale::from_tag(&row.locale).unwrap_or(Locale::ZhCn)
}
