//! What the dashboard draws: consents granted and declined per purpose per week,
//! withdrawals, records by sensitivity and by source, retention due soon, requests by
//! status, exports and alerts per week; in the view's scope.

use std::collections::BTreeMap;

use shared::{
    api::{
        compliance::{
            ComplianceCharts, PurposeSeries, RetentionDue, SensitivityCount, SourceCount,
            StatusCount, CHART_WEEKS,
        },
        records::RecordSource,
        requests::RequestStatus,
    },
    compliance::{week_start, DAY_MS},
    schema::{LawfulBasis, Sensitivity},
};

use super::{checks, View};
use crate::{error::AppResult, state::AppState};

const WEEK_MS: i64 = 7 * DAY_MS;

/// The week starts charted, oldest first, ending with this week.
#[must_use]
pub fn weeks(now_ms: i64) -> Vec<i64> {
    let this = week_start(now_ms);
    (0..CHART_WEEKS)
        .rev()
        .map(|back| this - i64::try_from(back).unwrap_or(0) * WEEK_MS)
        .collect()
}

/// Counts times into the weeks.
fn per_week(weeks: &[i64], times: impl Iterator<Item = i64>) -> Vec<u64> {
    let mut counts = vec![0; weeks.len()];
    let Some(first) = weeks.first().copied() else {
        return counts;
    };
    for at in times {
        if at < first {
            continue;
        }
        if let Ok(i) = usize::try_from((week_start(at) - first) / WEEK_MS) {
            if let Some(c) = counts.get_mut(i) {
                *c += 1;
            }
        }
    }
    counts
}

/// The charts of `view`.
pub async fn charts(state: &AppState, view: &View) -> AppResult<ComplianceCharts> {
    let now = state.clock.now_ms();
    let weeks = weeks(now);
    let from = weeks.first().copied().unwrap_or(now);
    let team = view.team.as_ref().map(|t| t.id);
    let form = view.form.as_ref().map(|f| f.id);
    let out = checks::compute(state, view).await?;

    // Consents: a purpose offered on consent and not granted was declined.
    let mut series: BTreeMap<String, PurposeSeries> = BTreeMap::new();
    for (form_id, version, at, granted) in state.db.receipts_since(from, team, form).await? {
        let Ok(v) = state.versions.get_any(&state.db, form_id, version).await else {
            continue;
        };
        let granted: Vec<String> = serde_json::from_str(&granted).unwrap_or_default();
        let Ok(i) = usize::try_from((week_start(at) - from) / WEEK_MS) else {
            continue;
        };
        for p in v
            .definition
            .purposes
            .iter()
            .filter(|p| p.lawful_basis == LawfulBasis::Consent)
        {
            let key = p.key.as_str().to_owned();
            let s = series.entry(key.clone()).or_insert_with(|| PurposeSeries {
                purpose_key: key.clone(),
                name: p.name.clone(),
                granted: vec![0; weeks.len()],
                declined: vec![0; weeks.len()],
            });
            s.name = p.name.clone();
            let list = if granted.contains(&key) {
                &mut s.granted
            } else {
                &mut s.declined
            };
            if let Some(c) = list.get_mut(i) {
                *c += 1;
            }
        }
    }
    let withdrawals = per_week(
        &weeks,
        state
            .db
            .withdrawals_since(from, team, form)
            .await?
            .into_iter(),
    );
    let exports = per_week(
        &weeks,
        state
            .db
            .weekly(
                "exports",
                "requested_at_ms",
                Some("requested_by"),
                team,
                from,
            )
            .await?
            .into_iter(),
    );
    let alerts = per_week(
        &weeks,
        state
            .db
            .weekly("alerts", "at_ms", Some("user_id"), team, from)
            .await?
            .into_iter(),
    );
    let requests = if team.is_none() && form.is_none() {
        let mut by: BTreeMap<&'static str, (RequestStatus, u64, u64)> = BTreeMap::new();
        for q in state.db.checked_requests().await? {
            let Some(status) = RequestStatus::parse(&q.status) else {
                continue;
            };
            let e = by.entry(status.as_str()).or_insert((status, 0, 0));
            e.1 += 1;
            if q.closed_at_ms.is_none() && q.due_at_ms < now {
                e.2 += 1;
            }
        }
        by.into_values()
            .map(|(status, requests, overdue)| StatusCount {
                status,
                requests,
                overdue,
            })
            .collect()
    } else {
        Vec::new()
    };
    let facts = &out.records;
    Ok(ComplianceCharts {
        computed_at_ms: now,
        scope: view.scope(),
        weeks,
        consents: series.into_values().collect(),
        withdrawals,
        by_sensitivity: [
            Sensitivity::Ordinary,
            Sensitivity::Personal,
            Sensitivity::Sensitive,
        ]
        .into_iter()
        .zip(facts.by_sensitivity)
        .map(|(sensitivity, records)| SensitivityCount {
            sensitivity,
            records,
        })
        .collect(),
        by_source: [RecordSource::Web, RecordSource::Staff, RecordSource::Import]
            .into_iter()
            .map(|source| SourceCount {
                source,
                records: facts.by_source.get(source.as_str()).copied().unwrap_or(0),
            })
            .collect(),
        retention_due: RetentionDue {
            now: facts.due_now,
            within_30_days: facts.due_30,
            within_90_days: facts.due_90,
        },
        requests,
        exports,
        alerts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_end_with_this_one_and_times_fall_in_their_week() {
        let now = 20_000 * DAY_MS + 5;
        let w = weeks(now);
        assert_eq!(w.len(), CHART_WEEKS);
        assert_eq!(*w.last().unwrap_or(&0), week_start(now));
        let counts = per_week(&w, [now, now - WEEK_MS, w[0] - 1, w[0]].into_iter());
        assert_eq!(counts[CHART_WEEKS - 1], 1);
        assert_eq!(counts[CHART_WEEKS - 2], 1);
        assert_eq!(counts[0], 1);
        assert_eq!(counts.iter().sum::<u64>(), 3);
    }
}
