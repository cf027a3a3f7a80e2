//! Reasons given to reveal a masked value. A reason may name the person, and the log is
//! never edited, so a `records.reveal` entry holds its reason sealed under the record's
//! data key (`reason_sealed`, at the place [`place`] names): readable by auditors while
//! the record exists, by no one once it is erased with its key.

use std::collections::BTreeMap;

use shared::{audit::AuditEntry, ids::RecordId};

use crate::{
    crypto::{FieldContext, KeyWrapper, SealedText},
    error::AppResult,
    store::Db,
};

/// The action whose entries carry a sealed reason.
pub const REVEAL: &str = "records.reveal";

/// Where the reason `reason_id` is sealed for its record.
#[must_use]
pub fn place(reason_id: &str) -> String {
    format!("#reveal-reason:{reason_id}")
}

/// The reasons of the reveals among `entries` (entry seq → reason) whose record and key
/// still exist; a reason that does not open is left out (the chain check names
/// altered entries).
pub async fn open(
    db: &Db,
    master: &dyn KeyWrapper,
    entries: &[AuditEntry],
) -> AppResult<BTreeMap<i64, String>> {
    let sealed: Vec<(i64, RecordId, &str, &str)> = entries
        .iter()
        .filter(|e| e.action == REVEAL)
        .filter_map(|e| {
            let record = e.target_id.as_deref()?.parse().ok()?;
            let id = e.details.get("reason_id")?.as_str()?;
            let reason = e.details.get("reason_sealed")?.as_str()?;
            Some((e.seq, record, id, reason))
        })
        .collect();
    if sealed.is_empty() {
        return Ok(BTreeMap::new());
    }
    let records: Vec<RecordId> = sealed.iter().map(|(_, r, _, _)| *r).collect();
    let keys = db.record_keys(&records).await?;
    let mut out = BTreeMap::new();
    for (seq, record, id, reason) in sealed {
        let Some((wrapped, key_version)) = keys.get(&record) else {
            continue;
        };
        let record_text = record.to_string();
        let Ok(dek) = wrapped.unwrap(master, &record_text) else {
            continue;
        };
        let Some(bytes) = SealedText::from_column(reason.to_owned()).sealed() else {
            continue;
        };
        let place = place(id);
        let context = FieldContext {
            record_id: &record_text,
            field_key: &place,
            key_version: *key_version,
        };
        if let Ok(plain) = dek.open(&context, &bytes) {
            out.insert(seq, String::from_utf8_lossy(&plain).into_owned());
        }
    }
    Ok(out)
}
