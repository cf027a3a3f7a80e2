//! The records of processing and the impact assessment drafts: the facts gathered from
//! the database and the configuration (each form's newest published version, live
//! records per source, legal holds, collectors, accounts per role, the export and
//! retention settings), handed to the pure builders of `shared::processing`.

use std::{collections::HashMap, sync::Arc};

use shared::{
    api::{
        auth::Role,
        compliance::{AuditStamp, SourceCount},
        forms::FormStatus,
        processing::{
            AssessmentDraft, AssessmentList, Collectors, ProcessingVolume, RecordsOfProcessing,
            VersionStamp,
        },
    },
    ids::{FormId, TeamId, UserId},
    processing::{self as build, FormFacts, OrganisationFacts},
};

use crate::{consent::versions::CachedVersion, error::AppError, error::AppResult, state::AppState};

/// A form with its newest published version, parsed.
struct Published {
    id: FormId,
    status: FormStatus,
    version: VersionStamp,
    cached: Arc<CachedVersion>,
}

/// Every form with a published version (active and archived), or `only` that one.
///
/// # Errors
/// 404 when `only` names no form, or a form never published.
async fn published(state: &AppState, only: Option<FormId>) -> AppResult<Vec<Published>> {
    let rows = match only {
        Some(id) => vec![state
            .db
            .form(id)
            .await?
            .ok_or_else(|| AppError::not_found("No such form"))?],
        None => {
            let mut rows = state.db.forms(FormStatus::Active).await?;
            rows.extend(state.db.forms(FormStatus::Archived).await?);
            rows
        }
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(latest) = row.latest else {
            if only.is_some() {
                return Err(AppError::not_found("This form has no published version"));
            }
            continue;
        };
        out.push(Published {
            id: row.id,
            status: row.status,
            version: VersionStamp {
                number: latest.number,
                hash: latest.hash.clone(),
                published_at_ms: latest.published_at_ms,
            },
            cached: state
                .versions
                .get_any(&state.db, row.id, latest.number)
                .await?,
        });
    }
    Ok(out)
}

/// What the organisation's settings and accounts say.
async fn organisation(state: &AppState) -> AppResult<OrganisationFacts> {
    let exports = crate::exports::service::settings(state).await?;
    let accounts = state
        .db
        .enabled_accounts_per_role()
        .await?
        .into_iter()
        .map(|r| (r.role, u64::try_from(r.accounts).unwrap_or(0)))
        .collect();
    let config = &state.config;
    Ok(OrganisationFacts {
        export_roles: Role::ALL
            .into_iter()
            .filter(|r| crate::exports::service::may_export(&exports, *r))
            .collect(),
        approval_above_rows: exports.approval_above_rows,
        accounts,
        withdrawal_grace_days: config.retention.grace_days,
        retention_scheduled: config.retention.scheduled,
        retention_interval_hours: config.retention.interval_hours,
        retention_at_utc: config.retention.at_utc(),
        https: config.is_https(),
        session_idle_minutes: config.session_idle_minutes,
        session_max_hours: config.session_max_hours,
    })
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Live records per form (of `only`, or of every form), by source, with legal holds.
async fn volumes(
    state: &AppState,
    only: Option<FormId>,
) -> AppResult<HashMap<FormId, ProcessingVolume>> {
    let mut out: HashMap<FormId, ProcessingVolume> = HashMap::new();
    for row in state.db.record_volumes(only).await? {
        let v = out.entry(row.form_id).or_default();
        v.live_records += count(row.records);
        v.by_source.push(SourceCount {
            source: row.source,
            records: count(row.records),
        });
        v.first_collected_at_ms = Some(
            v.first_collected_at_ms
                .map_or(row.first_collected_at_ms, |at| {
                    at.min(row.first_collected_at_ms)
                }),
        );
        v.last_collected_at_ms = Some(
            v.last_collected_at_ms
                .map_or(row.last_collected_at_ms, |at| {
                    at.max(row.last_collected_at_ms)
                }),
        );
    }
    for (form, held) in state.db.held_records_per_form(state.clock.now_ms()).await? {
        if let Some(v) = out.get_mut(&form) {
            v.under_legal_hold = count(held);
        }
    }
    for v in out.values_mut() {
        v.by_source.sort_by_key(|s| s.source.as_str());
    }
    Ok(out)
}

/// Who collects with each form: enabled staff and managers given it directly or
/// through their team, and the teams given it.
async fn collectors(state: &AppState) -> AppResult<HashMap<FormId, Collectors>> {
    let assignments = state.db.form_assignments().await?;
    let people = state.db.collectors().await?;
    let mut forms: HashMap<FormId, (Vec<UserId>, Vec<TeamId>)> = HashMap::new();
    for a in assignments {
        let (users, teams) = forms.entry(a.form_id).or_default();
        users.extend(a.user_id);
        teams.extend(a.team_id);
    }
    Ok(forms
        .into_iter()
        .map(|(form, (users, teams))| {
            let accounts = people
                .iter()
                .filter(|p| !p.disabled)
                .filter(|p| users.contains(&p.id) || p.team_id.is_some_and(|t| teams.contains(&t)))
                .count();
            (
                form,
                Collectors {
                    accounts: u64::try_from(accounts).unwrap_or(0),
                    teams: u64::try_from(teams.len()).unwrap_or(0),
                },
            )
        })
        .collect())
}

/// The facts of each published form, borrowing their definitions.
fn facts<'a>(
    forms: &'a [Published],
    volumes: &HashMap<FormId, ProcessingVolume>,
    collectors: &HashMap<FormId, Collectors>,
) -> Vec<FormFacts<'a>> {
    forms
        .iter()
        .map(|f| FormFacts {
            form_id: f.id,
            status: f.status,
            version: f.version.clone(),
            definition: &f.cached.definition,
            volume: volumes.get(&f.id).cloned().unwrap_or_default(),
            collectors: collectors.get(&f.id).copied().unwrap_or_default(),
        })
        .collect()
}

/// The records of processing now, stamped with the audit chain's head read first (the
/// data described is at least as new as that head).
pub async fn records_of_processing(state: &AppState) -> AppResult<RecordsOfProcessing> {
    let head = super::service::stamp(state).await?;
    let now = state.clock.now_ms();
    let forms = published(state, None).await?;
    let org = organisation(state).await?;
    let volumes = volumes(state, None).await?;
    let collectors = collectors(state).await?;
    Ok(build::records_of_processing(
        &facts(&forms, &volumes, &collectors),
        &org,
        now,
        head,
    ))
}

/// The forms that need an impact assessment now.
pub async fn assessment_list(state: &AppState) -> AppResult<AssessmentList> {
    let now = state.clock.now_ms();
    let forms = published(state, None).await?;
    let volumes = volumes(state, None).await?;
    Ok(build::assessment_list(
        &facts(&forms, &volumes, &HashMap::new()),
        now,
    ))
}

/// The impact assessment's draft for `form_id`, whether or not the form needs one (its
/// triggers are then empty), active or archived.
///
/// # Errors
/// 404 for an unknown form or one never published.
pub async fn assessment_draft(state: &AppState, form_id: FormId) -> AppResult<AssessmentDraft> {
    let head: AuditStamp = super::service::stamp(state).await?;
    let now = state.clock.now_ms();
    let forms = published(state, Some(form_id)).await?;
    let org = organisation(state).await?;
    let volumes = volumes(state, Some(form_id)).await?;
    let collectors = collectors(state).await?;
    let facts = facts(&forms, &volumes, &collectors);
    let form = facts
        .first()
        .ok_or_else(|| AppError::not_found("No such form"))?;
    Ok(build::assessment_draft(form, &org, now, head))
}
