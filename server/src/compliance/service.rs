//! What the dashboard shows: the overview (every check in the view, the rate, what to
//! fix first, per form and per team, the trend) and a check's drill-down; and the daily
//! snapshots the trend is made of.

use std::collections::{BTreeMap, BTreeSet};

use shared::{
    api::compliance::{
        AuditStamp, CheckDrillDown, CheckFigure, ComplianceOverview, Figure, FormRate, TeamRate,
        TrendPoint,
    },
    api::forms::FormStatus,
    compliance::{day_start, fix_first, overall, CheckId, DAY_MS},
    i18n::LocalizedText,
    ids::FormId,
};

use super::{checks, not_in_view, View};
use crate::{error::AppResult, state::AppState};

/// How far back the trend reaches.
const TREND_DAYS: i64 = 90;

/// The audit chain's head now.
pub async fn stamp(state: &AppState) -> AppResult<AuditStamp> {
    let (seq, hash) = state.db.audit_chain_head().await?;
    Ok(AuditStamp { seq, hash })
}

/// A snapshot's checks as stored: `{"lawful_basis": [passed, total], …}`.
fn checks_json(figures: impl Iterator<Item = (CheckId, Figure)>) -> String {
    let map: BTreeMap<&str, [u64; 2]> = figures
        .map(|(c, f)| (c.as_str(), [f.passed, f.total]))
        .collect();
    serde_json::to_string(&map).unwrap_or_else(|_| "{}".to_owned())
}

fn parse_checks(json: &str) -> BTreeMap<CheckId, Figure> {
    serde_json::from_str::<BTreeMap<String, [u64; 2]>>(json)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, [p, t])| CheckId::parse(&k).map(|c| (c, Figure::new(p, t))))
        .collect()
}

fn figure_of(passed: i64, total: i64) -> Figure {
    Figure::new(
        u64::try_from(passed).unwrap_or(0),
        u64::try_from(total).unwrap_or(0),
    )
}

/// The titles of forms `ids` (their newest version's).
pub async fn form_titles(
    state: &AppState,
    ids: impl Iterator<Item = FormId>,
) -> AppResult<BTreeMap<FormId, LocalizedText>> {
    let mut titles = BTreeMap::new();
    for id in ids {
        let title = match state.db.form(id).await?.and_then(|f| f.latest) {
            Some(v) => state
                .versions
                .get_any(&state.db, id, v.number)
                .await
                .map(|c| c.definition.title.clone())
                .unwrap_or_default(),
            None => LocalizedText::default(),
        };
        titles.insert(id, title);
    }
    Ok(titles)
}

/// The dashboard's overview of `view`.
pub async fn overview(state: &AppState, view: &View) -> AppResult<ComplianceOverview> {
    let out = checks::compute(state, view).await?;
    let now = state.clock.now_ms();
    let today = day_start(now);
    let snapshots = match view.snapshot_key() {
        Some(key) => {
            state
                .db
                .snapshots(&key, today - TREND_DAYS * DAY_MS)
                .await?
        }
        None => Vec::new(),
    };
    let previous = snapshots
        .iter()
        .rev()
        .find(|s| s.day_ms < today)
        .map(|s| parse_checks(&s.checks_json))
        .unwrap_or_default();
    let checks: Vec<CheckFigure> = CheckId::ALL
        .into_iter()
        .filter(|c| view.includes(*c))
        .map(|c| CheckFigure {
            check: c,
            figure: out.figure(c),
            previous: previous.get(&c).copied(),
        })
        .collect();
    let rate = overall(&checks);
    let mut trend: Vec<TrendPoint> = snapshots
        .iter()
        .filter(|s| s.day_ms < today)
        .map(|s| TrendPoint {
            day_ms: s.day_ms,
            rate: figure_of(s.passed, s.total),
        })
        .collect();
    trend.push(TrendPoint {
        day_ms: today,
        rate,
    });

    let ids: BTreeSet<FormId> = out
        .records
        .per_form
        .keys()
        .chain(out.per_form.keys())
        .copied()
        .collect();
    let titles = form_titles(state, ids.iter().copied()).await?;
    let mut forms: Vec<FormRate> = ids
        .iter()
        .map(|id| FormRate {
            form_id: *id,
            title: titles.get(id).cloned().unwrap_or_default(),
            rate: out.per_form.get(id).copied().unwrap_or_default(),
            records: out.records.per_form.get(id).copied().unwrap_or(0),
        })
        .collect();
    forms.sort_by(|a, b| b.records.cmp(&a.records).then(a.form_id.cmp(&b.form_id)));
    let teams = if view.team.is_none() {
        state
            .db
            .teams()
            .await?
            .into_iter()
            .map(|t| TeamRate {
                team_id: t.id,
                name: t.name,
                rate: out.per_team.get(&t.id).copied().unwrap_or_default(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ComplianceOverview {
        computed_at_ms: now,
        audit_head: stamp(state).await?,
        scope: view.scope(),
        rate,
        fix_first: fix_first(&checks),
        checks,
        forms,
        teams,
        trend,
    })
}

/// What fails `check` in `view`.
///
/// # Errors
/// 403 when the view does not hold the check (a team's view and an organisation-wide
/// check).
pub async fn drill(state: &AppState, view: &View, check: CheckId) -> AppResult<CheckDrillDown> {
    if !view.includes(check) {
        return Err(not_in_view(check));
    }
    let mut out = checks::compute(state, view).await?;
    Ok(CheckDrillDown {
        check,
        scope: view.scope(),
        figure: out.figure(check),
        items: out.failing.remove(&check).unwrap_or_default(),
        computed_at_ms: state.clock.now_ms(),
    })
}

/// Takes today's snapshots (the organisation, each team, each active form) unless
/// they were taken already; `true` when it took them.
pub async fn snapshot_today(state: &AppState) -> AppResult<bool> {
    let now = state.clock.now_ms();
    let today = day_start(now);
    if state.db.has_snapshot(today, "all").await? {
        return Ok(false);
    }
    let out = checks::compute(state, &View::organisation()).await?;
    let head = stamp(state).await?;
    let audit = (head.seq, head.hash.as_str());
    let all: Vec<(CheckId, Figure)> = CheckId::ALL
        .into_iter()
        .map(|c| (c, out.figure(c)))
        .collect();
    let rate = all.iter().fold(Figure::default(), |s, (_, f)| s.plus(*f));
    let save = |key: String, rate: Figure, json: String| {
        let db = state.db.clone();
        async move {
            db.save_snapshot(
                today,
                &key,
                i64::try_from(rate.passed).unwrap_or(i64::MAX),
                i64::try_from(rate.total).unwrap_or(i64::MAX),
                &json,
                now,
                audit,
            )
            .await
        }
    };
    for team in state.db.teams().await? {
        let figures: Vec<(CheckId, Figure)> = CheckId::ALL
            .into_iter()
            .filter(|c| c.per_team())
            .map(|c| {
                let f = out.per_team_checks.get(&(team.id, c)).copied();
                (c, f.unwrap_or_default())
            })
            .collect();
        let rate = figures
            .iter()
            .fold(Figure::default(), |s, (_, f)| s.plus(*f));
        save(
            format!("team:{}", team.id),
            rate,
            checks_json(figures.into_iter()),
        )
        .await?;
    }
    for form in state.db.forms(FormStatus::Active).await? {
        let figures: Vec<(CheckId, Figure)> = CheckId::ALL
            .into_iter()
            .filter(|c| c.per_form())
            .map(|c| {
                let f = out.per_form_checks.get(&(form.id, c)).copied();
                (c, f.unwrap_or_default())
            })
            .collect();
        let rate = figures
            .iter()
            .fold(Figure::default(), |s, (_, f)| s.plus(*f));
        save(
            format!("form:{}", form.id),
            rate,
            checks_json(figures.into_iter()),
        )
        .await?;
    }
    // The organisation's last: its row is what says today's snapshots were taken.
    save("all".to_owned(), rate, checks_json(all.into_iter())).await?;
    Ok(true)
}
