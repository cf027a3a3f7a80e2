//! A record's values as stored (`values_json`): ordinary values as they are, personal
//! and sensitive ones sealed under the record's data key. Edits read and write whole
//! sets of values here; the additional data of a sealed value names the record, the
//! field (with a suffix for history rows and conflicts) and the key version.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use shared::schema::{
    FieldKey, FieldValue, FormDefinition, PurposeKey, Sensitivity, ValidatedAnswers,
};

use crate::{
    crypto::{blind_index, DataKey, FieldContext, SealedValue, WrappedKey},
    error::{AppError, AppResult},
    state::AppState,
};

/// Where sealed values live: the record itself, a kept version, or a conflict.
#[derive(Debug, Clone, Copy)]
pub enum Place<'a> {
    /// `records.values_json`: the field key alone, as the collection sealed it.
    Record,
    /// `record_versions.values_json` of this version: `<field>@v<version>`.
    Version(i64),
    /// `record_conflicts.device_value` of this conflict: `<field>@conflict:<id>`.
    Conflict(&'a str),
}

impl Place<'_> {
    fn field_label(&self, key: &str) -> String {
        match self {
            Place::Record => key.to_owned(),
            Place::Version(v) => format!("{key}@v{v}"),
            Place::Conflict(id) => format!("{key}@conflict:{id}"),
        }
    }
}

/// The data key of a record, unwrapped with the master key.
pub fn data_key(state: &AppState, record_id: &str, wrapped_key: &str) -> AppResult<DataKey> {
    let bytes = URL_SAFE_NO_PAD.decode(wrapped_key).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "wrapped key of record {record_id} unreadable: {e}"
        ))
    })?;
    WrappedKey {
        master_key_id: String::new(),
        bytes,
    }
    .unwrap(state.master.as_ref(), record_id)
    .map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "data key of record {record_id} does not open: {e}"
        ))
    })
}

/// Seals and opens the values of one record.
pub struct RecordKey<'a> {
    pub record_id: &'a str,
    pub key_version: i64,
    pub dek: &'a DataKey,
}

impl RecordKey<'_> {
    fn context<'b>(&'b self, field: &'b str) -> FieldContext<'b> {
        FieldContext {
            record_id: self.record_id,
            field_key: field,
            key_version: self.key_version,
        }
    }

    /// One value sealed for `place`, base64url (the `c` of a stored entry).
    fn seal_json(&self, place: Place<'_>, key: &str, value: &FieldValue) -> String {
        let plain = serde_json::to_vec(value).unwrap_or_default();
        let sealed = self
            .dek
            .seal(&self.context(&place.field_label(key)), &plain);
        URL_SAFE_NO_PAD.encode(&sealed.0)
    }

    /// The stored entry of one value: `{"v": value}` when ordinary, else `{"c": sealed}`.
    #[must_use]
    pub fn seal_value(
        &self,
        place: Place<'_>,
        key: &str,
        sensitivity: Sensitivity,
        value: &FieldValue,
    ) -> serde_json::Value {
        if sensitivity == Sensitivity::Ordinary {
            serde_json::json!({ "v": value })
        } else {
            serde_json::json!({ "c": self.seal_json(place, key, value) })
        }
    }

    /// Opens an entry written by [`Self::seal_value`] (or by the collection).
    pub fn open_value(
        &self,
        place: Place<'_>,
        key: &str,
        entry: &serde_json::Value,
    ) -> AppResult<FieldValue> {
        let unreadable = |what: &str| {
            AppError::Internal(anyhow::anyhow!(
                "record {} field value {what}",
                self.record_id
            ))
        };
        let json = if let Some(plain) = entry.get("v") {
            plain.clone()
        } else {
            let sealed = entry
                .get("c")
                .and_then(|c| c.as_str())
                .ok_or_else(|| unreadable("missing"))?;
            let bytes = URL_SAFE_NO_PAD
                .decode(sealed)
                .map_err(|_| unreadable("not base64"))?;
            let label = place.field_label(key);
            let plain = self
                .dek
                .open(&self.context(&label), &SealedValue(bytes))
                .map_err(|_| unreadable("does not decrypt"))?;
            serde_json::from_slice(&plain).map_err(|_| unreadable("not JSON"))?
        };
        serde_json::from_value(json).map_err(|_| unreadable("of an unknown shape"))
    }

    /// Every value of a stored `values_json`, opened.
    pub fn open_all(
        &self,
        def: &FormDefinition,
        place: Place<'_>,
        values_json: &str,
    ) -> AppResult<ValidatedAnswers> {
        let stored: serde_json::Value = serde_json::from_str(values_json).map_err(|e| {
            AppError::Internal(anyhow::anyhow!(
                "record {} values unreadable: {e}",
                self.record_id
            ))
        })?;
        let mut values = std::collections::BTreeMap::new();
        for field in def.fields() {
            if let Some(entry) = stored.get(field.key.as_str()) {
                let value = self.open_value(place, field.key.as_str(), entry)?;
                values.insert(field.key.clone(), value);
            }
        }
        Ok(ValidatedAnswers::from_values(values))
    }

    /// A whole `values_json` for `answers`, each entry with its field's sensitivity and
    /// purposes (the shape the collection stores). Serialised straight from typed
    /// entries: building a `serde_json::Value` first cost 5% of a submission's CPU.
    #[must_use]
    pub fn seal_all(
        &self,
        def: &FormDefinition,
        place: Place<'_>,
        answers: &ValidatedAnswers,
    ) -> String {
        #[derive(serde::Serialize)]
        struct Entry<'a> {
            s: Sensitivity,
            p: &'a [PurposeKey],
            #[serde(skip_serializing_if = "Option::is_none")]
            v: Option<&'a FieldValue>,
            #[serde(skip_serializing_if = "Option::is_none")]
            c: Option<String>,
        }
        let mut out = std::collections::BTreeMap::new();
        for field in def.fields() {
            let key = field.key.as_str();
            let Some(value) = answers.get(key) else {
                continue;
            };
            let ordinary = field.sensitivity == Sensitivity::Ordinary;
            out.insert(
                key,
                Entry {
                    s: field.sensitivity,
                    p: &field.purposes,
                    v: ordinary.then_some(value),
                    c: (!ordinary).then(|| self.seal_json(place, key, value)),
                },
            );
        }
        serde_json::to_string(&out).unwrap_or_default()
    }
}

/// The blind indexes of the identifiers among `answers` (phone, email, resident ID).
#[must_use]
pub fn lookups(state: &AppState, answers: &ValidatedAnswers) -> Vec<(String, &'static str)> {
    answers
        .iter()
        .filter_map(|(_, value): (&FieldKey, &FieldValue)| match value {
            FieldValue::Phone(p) => Some(("phone", p.as_str())),
            FieldValue::Email(e) => Some(("email", e.as_str())),
            FieldValue::ResidentId(id) => Some(("resident_id", id.as_str())),
            _ => None,
        })
        .map(|(kind, normalised)| (blind_index(&state.subkeys, kind, normalised), kind))
        .collect()
}
