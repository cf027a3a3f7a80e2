//! When a stored answer is due, and what happens to it then: the retention clocks of
//! its field and of its purposes, counted from collection or from the end of the
//! customer relationship, and the withdrawals that end a purpose early.
//!
//! The rule: each purpose of a field needs the answer until its own clock ends (the
//! purpose's period, else the field's); a withdrawn purpose stops needing it a grace
//! period after the withdrawal; a purpose with no period at all needs it for as long as
//! the record exists. The answer goes when none of its purposes still needs it, that is
//! at the latest of their ends, with the action of the clock that ends last. A field
//! that serves no purpose follows its own period.

use std::collections::BTreeMap;

use crate::schema::{
    Field, FormDefinition, PurposeKey, RetentionAction, RetentionPeriod, RetentionStart,
};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// What a record's clocks depend on, besides its form version.
#[derive(Debug, Clone, Default)]
pub struct RecordClocks {
    /// When the record was collected (ms since the epoch).
    pub collected_at_ms: i64,
    /// When the customer relationship ended, once staff or an admin recorded it.
    pub relationship_ended_at_ms: Option<i64>,
    /// When each withdrawn purpose was withdrawn.
    pub withdrawn: BTreeMap<PurposeKey, i64>,
    /// How long withdrawn-only values are kept, for the customer to change their mind.
    pub grace_ms: i64,
}

/// Why an answer is due: the clock that ended last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DueBecause {
    /// The field's own period.
    Field,
    /// A purpose's own period.
    Purpose(PurposeKey),
    /// Every purpose still needing it was withdrawn (and the grace period is over).
    Withdrawn,
}

/// When an answer is due and what happens to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The first moment the answer may be processed (ms since the epoch).
    pub at_ms: i64,
    pub action: RetentionAction,
    pub because: DueBecause,
}

/// Why an answer is not due at any known time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// A purpose (or the field) states no period: kept while the record exists.
    NoPeriod,
    /// A clock counts from the end of the relationship, which is not recorded yet.
    UntilRelationshipEnds,
}

/// The end of one clock, or why it has none yet.
type End = Result<Due, Kept>;

fn period_end(period: RetentionPeriod, because: DueBecause, clocks: &RecordClocks) -> End {
    let start = match period.from {
        RetentionStart::Collection => clocks.collected_at_ms,
        RetentionStart::RelationshipEnd => clocks
            .relationship_ended_at_ms
            .ok_or(Kept::UntilRelationshipEnds)?,
    };
    Ok(Due {
        at_ms: start.saturating_add(i64::from(period.days).saturating_mul(DAY_MS)),
        action: period.action,
        because,
    })
}

/// When the answer of `field` (of a record of `definition`) is due, or why it is kept.
///
/// # Errors
/// [`Kept`] when some purpose still needs the answer with no end in sight.
pub fn field_due(definition: &FormDefinition, field: &Field, clocks: &RecordClocks) -> End {
    if field.purposes.is_empty() {
        return field.retention.map_or(Err(Kept::NoPeriod), |p| {
            period_end(p, DueBecause::Field, clocks)
        });
    }
    let mut latest: Option<Due> = None;
    for key in &field.purposes {
        let end = if let Some(at) = clocks.withdrawn.get(key) {
            Due {
                at_ms: at.saturating_add(clocks.grace_ms),
                action: RetentionAction::Delete,
                because: DueBecause::Withdrawn,
            }
        } else {
            let own = definition
                .purposes
                .iter()
                .find(|p| p.key == *key)
                .and_then(|p| p.retention);
            match (own, field.retention) {
                (Some(period), _) => period_end(period, DueBecause::Purpose(key.clone()), clocks)?,
                (None, Some(period)) => period_end(period, DueBecause::Field, clocks)?,
                (None, None) => return Err(Kept::NoPeriod),
            }
        };
        if latest.as_ref().is_none_or(|l| end.at_ms > l.at_ms) {
            latest = Some(end);
        }
    }
    latest.ok_or(Kept::NoPeriod)
}

/// Whether an answer's withdrawn purposes are all of its purposes: its blind-index
/// lookups go at once, before the grace period ends.
#[must_use]
pub fn serves_only_withdrawn(field: &Field, clocks: &RecordClocks) -> bool {
    serves_only(field, |p| clocks.withdrawn.contains_key(p))
}

/// Whether every purpose of `field` is one `withdrawn` names (false for a field that
/// serves no purpose): the one rule for hiding such values, dropping their lookups and
/// refusing edits of them.
#[must_use]
pub fn serves_only(field: &Field, withdrawn: impl Fn(&PurposeKey) -> bool) -> bool {
    !field.purposes.is_empty() && field.purposes.iter().all(withdrawn)
}

/// The due answers of a record at `now_ms`, in form order: field and its due.
pub fn due_fields<'a>(
    definition: &'a FormDefinition,
    clocks: &'a RecordClocks,
    now_ms: i64,
) -> impl Iterator<Item = (&'a Field, Due)> + 'a {
    definition
        .fields()
        .filter(|f| f.holds_value())
        .filter_map(move |f| match field_due(definition, f, clocks) {
            Ok(due) if due.at_ms <= now_ms => Some((f, due)),
            _ => None,
        })
}

/// The earliest moment any of `fields` of a record is due (to find the record again
/// without reading the others), or `None` when none has a known end.
pub fn next_due<'a>(
    definition: &FormDefinition,
    fields: impl IntoIterator<Item = &'a Field>,
    clocks: &RecordClocks,
) -> Option<i64> {
    fields
        .into_iter()
        .filter_map(|f| field_due(definition, f, clocks).ok())
        .map(|d| d.at_ms)
        .min()
}
