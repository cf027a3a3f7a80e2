//! Facts about the live records in a view, gathered during the checks' pass, for the
//! charts and the per-form table: how many per form, per source, per sensitivity, and
//! how many fall due soon.

use std::collections::BTreeMap;

use shared::{
    api::records::RecordSource,
    ids::FormId,
    retention::DAY_MS,
    schema::{FormDefinition, Sensitivity},
};

use crate::{retention::engine::keys_of, store::compliance::CheckedRecord};

/// What the pass counted of the records in the view.
#[derive(Debug, Default, Clone)]
pub struct RecordFacts {
    pub per_form: BTreeMap<FormId, u64>,
    pub by_source: BTreeMap<&'static str, u64>,
    /// By the most sensitive value a record holds: ordinary, personal, sensitive.
    pub by_sensitivity: [u64; 3],
    /// Records whose next retention moment has come (the next run processes them),
    /// and those due within 30 and 90 days (cumulative).
    pub due_now: u64,
    pub due_30: u64,
    pub due_90: u64,
}

impl RecordFacts {
    /// Counts `r`, a record of `def`, at `now`.
    pub fn note(&mut self, r: &CheckedRecord, def: &FormDefinition, now: i64) {
        *self.per_form.entry(r.clock.form_id).or_default() += 1;
        let source = RecordSource::parse(&r.source).map_or("web", RecordSource::as_str);
        *self.by_source.entry(source).or_default() += 1;
        let present = keys_of(r.clock.values.as_str());
        let most = def
            .fields()
            .filter(|f| present.contains(f.key.as_str()))
            .map(|f| match f.sensitivity {
                Sensitivity::Ordinary => 0,
                Sensitivity::Personal => 1,
                Sensitivity::Sensitive => 2,
            })
            .max()
            .unwrap_or(0);
        self.by_sensitivity[most] += 1;
        if let Some(at) = r.retention_due_at_ms {
            if at <= now {
                self.due_now += 1;
            }
            if at <= now + 30 * DAY_MS {
                self.due_30 += 1;
            }
            if at <= now + 90 * DAY_MS {
                self.due_90 += 1;
            }
        }
    }
}
