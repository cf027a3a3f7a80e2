//! Asking for an export, deciding one, the ledger, and the organisation's settings.

use shared::{
    access::{may_reveal, Permission},
    api::{
        auth::Role,
        error::ErrorCode,
        exports::{
            ExportDecision, ExportEntry, ExportFormat, ExportList, ExportSettings, ExportStatus,
            NewExport, MAX_EXPORT_REASON_CHARS, MIN_EXPORT_REASON_CHARS,
        },
    },
    i18n::Locale,
    ids::ExportId,
    retention::DAY_MS,
    schema::parse_iso_date,
};

use super::Sealer;
use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    records::service::scope_of,
    requests::service::Issues,
    state::AppState,
    store::exports::{self as store, ExportRow, NewExportRow},
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

/// Midnight UTC of a `yyyy-mm-dd` day, or an issue under `field`.
fn day_ms(issues: &mut Issues, field: &str, text: Option<&str>) -> Option<i64> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    match parse_iso_date(text) {
        Some(day) => Some(day.midnight().assume_utc().unix_timestamp() * 1000),
        None => {
            issues.add(field, "invalid", "A date as yyyy-mm-dd");
            None
        }
    }
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
    if req.unmasked && !may_reveal(role) {
        return Err(AppError::client(
            ErrorCode::Forbidden,
            "Your role does not see masked values in full, so it cannot export them unmasked",
        ));
    }
    let scope = scope_of(state, caller).await?;
    if !state
        .db
        .record_forms(&scope)
        .await?
        .iter()
        .any(|(id, _)| *id == req.form_id)
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
    let from_ms = day_ms(&mut issues, "from", req.from.as_deref());
    // The whole of the last day counts.
    let to_ms = day_ms(&mut issues, "to", req.to.as_deref()).map(|d| d + DAY_MS - 1);
    if let (Some(f), Some(t)) = (from_ms, to_ms) {
        if f > t {
            issues.add("to", "before_from", "The last day is before the first");
        }
    }
    issues.done()?;
    let rows = state
        .db
        .count_for_export(&scope, req.form_id, from_ms, to_ms)
        .await?;
    let now = state.clock.now_ms();
    let awaits = req.unmasked && u64::try_from(rows).unwrap_or(0) > settings.approval_above_rows;
    let (status, expires_at_ms) = if awaits {
        (ExportStatus::AwaitingApproval, None)
    } else {
        (
            ExportStatus::Ready,
            Some(now + i64::from(settings.valid_hours) * HOUR_MS),
        )
    };
    let id = ExportId::from_uuid(uuid::Uuid::now_v7());
    let sealer = Sealer::new(state)?;
    let reason_sealed = reason.as_deref().map(|r| sealer.seal(id, REASON, r));
    let mut tx = state.db.begin_write().await?;
    store::insert_export(
        &mut tx,
        &NewExportRow {
            id,
            requested_by: caller.user.id,
            requested_at_ms: now,
            form_id: req.form_id,
            format: req.format.as_str(),
            unmasked: req.unmasked,
            reason_sealed: reason_sealed.as_deref(),
            locale: req.locale.tag(),
            from_ms,
            to_ms,
            rows,
            status: status.as_str(),
            expires_at_ms,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("exports.requested", Some(&caller.user))
            .target("export", id)
            .details(serde_json::json!({
                "form_id": req.form_id,
                "format": req.format.as_str(),
                "unmasked": req.unmasked,
                "rows": rows,
                "from_ms": from_ms,
                "to_ms": to_ms,
                "status": status.as_str(),
            })),
    )
    .await?;
    tx.commit().await?;
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
        rows: u64::try_from(row.rows).unwrap_or(0),
        status,
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

/// The language of an export's headers.
#[must_use]
pub fn locale_of(row: &ExportRow) -> Locale {
    Locale::from_tag(&row.locale).unwrap_or(Locale::ZhCn)
}
