//! What is due: the forecast per form and field (7, 30, 90 days), and the dry run that
//! lists what a run now would do. Both read the records' clocks and which fields they
//! hold, never a value, and change nothing.

use std::collections::{BTreeMap, BTreeSet};

use shared::{
    api::retention::{
        FieldForecast, FormForecast, HeldCount, PlannedAction, ReportLine, RetentionForecast,
        RetentionPlan, RetentionSchedule, MAX_PLAN_ITEMS,
    },
    i18n::LocalizedText,
    ids::{FormId, RecordId},
    retention::{field_due, DueBecause, DAY_MS},
    schema::{FormDefinition, RetentionAction, RetentionStart},
};

use super::{
    engine::{clocks_of, due_values},
    report::Report,
};
use crate::{
    error::AppResult,
    state::AppState,
    store::{
        records::Scope,
        retention::{versions_of, ClockRow},
    },
};

const SCAN_PAGE: i64 = 1000;

/// The fields a record holds a value of, in its current values and kept versions.
pub(crate) async fn present_fields(
    state: &AppState,
    row: &ClockRow,
) -> AppResult<BTreeSet<String>> {
    let mut present: BTreeSet<String> =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(row.values.as_str())
            .map(|m| m.into_iter().map(|(k, _)| k).collect())
            .unwrap_or_default();
    if row.version > 1 {
        let mut conn = state.db.pool().acquire().await?;
        for (_, json) in versions_of(&mut conn, row.id).await? {
            if let Ok(m) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&json)
            {
                present.extend(m.into_iter().map(|(k, _)| k));
            }
        }
    }
    Ok(present)
}

/// Calls `each` with every record that may hold a value due by `until_ms`, its form
/// version's definition (`None` when unreadable) and the fields it holds.
async fn scan(
    state: &AppState,
    until_ms: i64,
    mut each: impl FnMut(&ClockRow, Option<&FormDefinition>, &BTreeSet<String>),
) -> AppResult<()> {
    let mut after: Option<RecordId> = None;
    loop {
        let rows = state
            .db
            .records_due_by(Some(until_ms), after, SCAN_PAGE)
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = Some(last.id);
        for row in &rows {
            let version = state
                .versions
                .get_any(&state.db, row.form_id, row.form_version)
                .await
                .ok();
            let present = present_fields(state, row).await?;
            each(row, version.as_ref().map(|v| &v.definition), &present);
        }
    }
}

fn because_text(because: &DueBecause) -> String {
    match because {
        DueBecause::Field => "field".to_owned(),
        DueBecause::Purpose(key) => format!("purpose:{}", key.as_str()),
        DueBecause::Withdrawn => "withdrawn".to_owned(),
    }
}

/// Titles and labels of forms, from the versions seen.
#[derive(Default)]
struct Names {
    titles: BTreeMap<FormId, LocalizedText>,
    labels: BTreeMap<(FormId, String), LocalizedText>,
}

impl Names {
    fn note(&mut self, form: FormId, def: &FormDefinition) {
        self.titles.entry(form).or_insert_with(|| def.title.clone());
        for f in def.fields() {
            self.labels
                .entry((form, f.key.as_str().to_owned()))
                .or_insert_with(|| f.label.clone());
        }
    }

    fn title(&self, form: FormId) -> LocalizedText {
        self.titles.get(&form).cloned().unwrap_or_default()
    }

    fn label(&self, form: FormId, field: &str) -> LocalizedText {
        self.labels
            .get(&(form, field.to_owned()))
            .cloned()
            .unwrap_or_else(|| LocalizedText::new(field, field))
    }
}

/// Exactly what a run at `as_of_ms` would do, changing nothing.
pub async fn dry_run(state: &AppState, as_of_ms: i64) -> AppResult<RetentionPlan> {
    let grace = state.config.retention.grace_ms();
    let held = state.db.held(state.clock.now_ms()).await?;
    let mut report = Report::default();
    let mut actions = Vec::new();
    let mut names = Names::default();
    scan(state, as_of_ms, |row, def, present| {
        let Some(def) = def else {
            report.error(row.id, "The record's form version is missing or unreadable");
            return;
        };
        names.note(row.form_id, def);
        let clocks = clocks_of(row, grace);
        let due = due_values(def, present, &clocks, as_of_ms);
        if due.is_empty() {
            return;
        }
        if held.covers(row.id, row.form_id) {
            report.held(row.form_id);
            return;
        }
        for (field, d) in due {
            report.count(row.form_id, field.key.as_str(), d.action);
            actions.push(PlannedAction {
                record_id: row.id,
                form_id: row.form_id,
                field_key: field.key.as_str().to_owned(),
                label: field.label.clone(),
                action: d.action,
                due_at_ms: d.at_ms,
                because: because_text(&d.because),
            });
        }
    })
    .await?;
    actions.sort_by_key(|a| (a.due_at_ms, a.record_id));
    actions.truncate(MAX_PLAN_ITEMS);
    Ok(RetentionPlan {
        as_of_ms,
        actions,
        lines: lines_of(&report, |f| names.title(f), |f, k| names.label(f, k)),
        held: held_of(&report, |f| names.title(f)),
        errors: report.errors,
    })
}

/// A report's counts as lines, named.
pub fn lines_of(
    report: &Report,
    title: impl Fn(FormId) -> LocalizedText,
    label: impl Fn(FormId, &str) -> LocalizedText,
) -> Vec<ReportLine> {
    report
        .lines
        .iter()
        .map(|(form, field, action, count)| ReportLine {
            form_id: *form,
            form_title: title(*form),
            field_key: field.clone(),
            label: label(*form, field),
            action: *action,
            count: *count,
        })
        .collect()
}

/// A report's held records per form, named.
pub fn held_of(report: &Report, title: impl Fn(FormId) -> LocalizedText) -> Vec<HeldCount> {
    report
        .held
        .iter()
        .map(|(form, records)| HeldCount {
            form_id: *form,
            form_title: title(*form),
            records: *records,
        })
        .collect()
}

/// Per form and field: values due now and within 7, 30 and 90 days (cumulative).
pub async fn forecast(state: &AppState) -> AppResult<RetentionForecast> {
    let now = state.clock.now_ms();
    let grace = state.config.retention.grace_ms();
    let until = now + 90 * DAY_MS;
    // (form, field, action) → [now, 7, 30, 90]
    let mut counts: BTreeMap<(FormId, String, RetentionAction), [u64; 4]> = BTreeMap::new();
    let mut waiting: BTreeMap<FormId, u64> = BTreeMap::new();
    let mut names = Names::default();
    scan(state, until, |row, def, present| {
        let Some(def) = def else { return };
        names.note(row.form_id, def);
        let clocks = clocks_of(row, grace);
        for f in def.fields().filter(|f| present.contains(f.key.as_str())) {
            match field_due(def, f, &clocks) {
                Ok(d) if d.at_ms <= until => {
                    let c = counts
                        .entry((row.form_id, f.key.as_str().to_owned(), d.action))
                        .or_default();
                    for (i, days) in [0, 7, 30, 90].into_iter().enumerate() {
                        if d.at_ms <= now + days * DAY_MS {
                            c[i] += 1;
                        }
                    }
                }
                _ => {}
            }
        }
    })
    .await?;
    for (form, version) in state.db.record_forms(&Scope::All).await? {
        if let Ok(v) = state.versions.get_any(&state.db, form, version).await {
            names.note(form, &v.definition);
        }
    }
    // Records whose clocks wait for the end of the relationship, by their form version.
    for (form, version, records) in state.db.records_without_relationship_end().await? {
        if let Ok(v) = state.versions.get_any(&state.db, form, version).await {
            if counts_from_relationship_end(&v.definition) {
                *waiting.entry(form).or_default() += u64::try_from(records).unwrap_or(0);
            }
        }
    }
    let held_records: BTreeMap<FormId, i64> = state
        .db
        .held_records_per_form(now)
        .await?
        .into_iter()
        .collect();
    let mut forms = Vec::new();
    for (form, records) in state.db.live_records_per_form().await? {
        let fields = counts
            .iter()
            .filter(|((f, _, _), _)| *f == form)
            .map(|((_, key, action), c)| FieldForecast {
                field_key: key.clone(),
                label: names.label(form, key),
                action: *action,
                due_now: c[0],
                within_7_days: c[1],
                within_30_days: c[2],
                within_90_days: c[3],
            })
            .collect();
        forms.push(FormForecast {
            form_id: form,
            title: names.title(form),
            records: u64::try_from(records).unwrap_or(0),
            fields,
            waiting_for_relationship_end: waiting.get(&form).copied().unwrap_or(0),
            held_records: held_records
                .get(&form)
                .map_or(0, |n| u64::try_from(*n).unwrap_or(0)),
        });
    }
    let settings = &state.config.retention;
    Ok(RetentionForecast {
        as_of_ms: now,
        forms,
        schedule: RetentionSchedule {
            enabled: settings.scheduled,
            interval_hours: settings.interval_hours,
            at_utc: settings.at_utc(),
            withdrawal_grace_days: settings.grace_days,
            next_run_at_ms: settings.scheduled.then(|| settings.next_slot(now)),
        },
    })
}

/// Whether any clock of `def` counts from the end of the relationship.
fn counts_from_relationship_end(def: &FormDefinition) -> bool {
    let from_end = |p: &Option<shared::schema::RetentionPeriod>| {
        p.is_some_and(|p| p.from == RetentionStart::RelationshipEnd)
    };
    def.fields().any(|f| from_end(&f.retention))
        || def.purposes.iter().any(|p| from_end(&p.retention))
}
