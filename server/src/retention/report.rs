//! A run's execution report as it is kept (`retention_runs.report_json`) while the run
//! goes: counts per form × field × action, records held and records in error, and how
//! far the run got (saved with each page, so that a resumed run counts nothing twice).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shared::{
    api::retention::RunError,
    ids::{FormId, RecordId},
    schema::RetentionAction,
};

/// The most errors a report lists (all are counted).
const MAX_LISTED_ERRORS: usize = 100;

/// A run's counts so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Records changed.
    pub records: u64,
    /// (form, field, action) → values.
    pub lines: Vec<(FormId, String, RetentionAction, u64)>,
    /// Form → records a hold kept from being processed.
    pub held: BTreeMap<FormId, u64>,
    pub errors: Vec<RunError>,
    pub error_count: u64,
    /// The last record id looked at.
    pub cursor: Option<RecordId>,
}

impl Report {
    /// Counts one value processed.
    pub fn count(&mut self, form: FormId, field: &str, action: RetentionAction) {
        match self
            .lines
            .iter_mut()
            .find(|(f, k, a, _)| *f == form && k == field && *a == action)
        {
            Some(line) => line.3 += 1,
            None => self.lines.push((form, field.to_owned(), action, 1)),
        }
    }

    /// Counts one record skipped for a hold.
    pub fn held(&mut self, form: FormId) {
        *self.held.entry(form).or_default() += 1;
    }

    /// Notes a record that could not be processed.
    pub fn error(&mut self, record_id: RecordId, message: impl Into<String>) {
        self.error_count += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(RunError {
                record_id,
                message: message.into(),
            });
        }
    }

    /// Values deleted and anonymised.
    #[must_use]
    pub fn totals(&self) -> (u64, u64) {
        self.lines
            .iter()
            .fold((0, 0), |(d, a), (_, _, action, n)| match action {
                RetentionAction::Delete => (d + n, a),
                RetentionAction::Anonymise => (d, a + n),
            })
    }

    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored report; an unreadable one starts again from nothing.
    #[must_use]
    pub fn from_json(json: &str) -> Self {
        serde_json::from_str(json).unwrap_or_default()
    }
}
