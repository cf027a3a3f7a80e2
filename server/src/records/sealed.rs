//! A record's values as stored ([`SealedValues`]): ordinary values as they are, personal
//! and sensitive ones sealed under the record's data key. Edits read and write whole
//! sets of values here; the additional data of a sealed value names the record, the
//! field (with a suffix for history rows and conflicts) and the key version.

use shared::ids::RecordId;
use std::borrow::Cow;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde::Serialize;
use serde_json::Value;
use shared::schema::{FieldKey, FieldValue, FormDefinition, Sensitivity, ValidatedAnswers};
use zeroize::Zeroizing;

use crate::{
    crypto::{
        blind_index, DataKey, FieldContext, SealedText, SealedValue, SealedValues, WrappedKey,
    },
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
    fn field_label<'k>(&self, key: &'k str) -> Cow<'k, str> {
        match self {
            Place::Record => Cow::Borrowed(key),
            Place::Version(v) => Cow::Owned(format!("{key}@v{v}")),
            Place::Conflict(id) => Cow::Owned(format!("{key}@conflict:{id}")),
        }
    }
}

/// Where a record's consent receipt is sealed (see [`RecordKey::seal_text`]).
pub const RECEIPT: &str = "#receipt";
/// Where the key of its statement's hashes is sealed.
pub const HASH_KEY: &str = "#hash-key";

/// The data key of a record, unwrapped with the master key.
pub fn data_key(
    state: &AppState,
    record_id: RecordId,
    wrapped_key: &WrappedKey,
) -> AppResult<DataKey> {
    wrapped_key
        .unwrap(state.master.as_ref(), &record_id.to_string())
        .map_err(|e| AppError::internal(format!("data key of record {record_id}"), e))
}

/// The entries of a record's stored values, by field key: `{"v": value}` when
/// ordinary, `{"c": sealed}` otherwise.
pub struct Entries(serde_json::Map<String, Value>);

impl Entries {
    /// Parses `values` of record `record_id`.
    pub fn of(record_id: RecordId, values: &SealedValues) -> AppResult<Self> {
        serde_json::from_str(values.as_str())
            .map(Entries)
            .map_err(|e| AppError::internal(format!("the values of record {record_id}"), e))
    }

    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }
}

/// Whether an entry needs the data key to open.
#[must_use]
pub fn is_sealed(entry: &Value) -> bool {
    entry.get("v").is_none()
}

/// An ordinary entry's value; `None` for a sealed one.
pub fn plain_value(record_id: RecordId, entry: &Value) -> Option<AppResult<FieldValue>> {
    entry.get("v").map(|plain| {
        serde_json::from_value(plain.clone())
            .map_err(|e| AppError::internal(format!("a value of record {record_id}"), e))
    })
}

/// Seals and opens the values of one record.
pub struct RecordKey<'a> {
    pub record_id: RecordId,
    pub key_version: i64,
    pub dek: &'a DataKey,
    /// The id as the associated data of every sealed value spells it.
    record_text: String,
}

impl<'a> RecordKey<'a> {
    #[must_use]
    pub fn new(record_id: RecordId, key_version: i64, dek: &'a DataKey) -> Self {
        Self {
            record_id,
            key_version,
            dek,
            record_text: record_id.to_string(),
        }
    }

    fn context<'b>(&'b self, field: &'b str) -> FieldContext<'b> {
        FieldContext {
            record_id: &self.record_text,
            field_key: field,
            key_version: self.key_version,
        }
    }

    /// `text` sealed for a place of the record that is not a field: [`RECEIPT`] or
    /// [`HASH_KEY`] (field keys hold no `#`, so neither is ever a field's label).
    #[must_use]
    pub fn seal_text(&self, place: &str, text: &[u8]) -> SealedText {
        SealedText::from_sealed(&self.dek.seal(&self.context(place), text))
    }

    /// Opens what [`Self::seal_text`] sealed for `place`.
    pub fn open_text(&self, place: &str, sealed: &SealedText) -> AppResult<Zeroizing<Vec<u8>>> {
        let unreadable =
            |what: &str| AppError::invariant(format!("record {} {place} {what}", self.record_id));
        let bytes = sealed.sealed().ok_or_else(|| unreadable("is not sealed"))?;
        self.dek
            .open(&self.context(place), &bytes)
            .map_err(|_| unreadable("does not decrypt"))
    }

    /// One value sealed for `place`, base64url (the `c` of a stored entry).
    fn seal_json(&self, place: Place<'_>, key: &str, value: &FieldValue) -> String {
        let mut out = Vec::new();
        self.push_sealed(place, key, value, &mut Buffers::default(), &mut out);
        // base64url is ASCII.
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends `value` sealed for `place`, base64url, to `out`; `buffers` are reused
    /// from value to value (the plaintext one is wiped when dropped).
    fn push_sealed(
        &self,
        place: Place<'_>,
        key: &str,
        value: &FieldValue,
        buffers: &mut Buffers,
        out: &mut Vec<u8>,
    ) {
        buffers.plain.clear();
        json_into(&mut buffers.plain, value);
        buffers.sealed.clear();
        let label = place.field_label(key);
        self.dek
            .seal_into(&self.context(&label), &buffers.plain, &mut buffers.sealed);
        let start = out.len();
        out.resize(
            start + base64::encoded_len(buffers.sealed.len(), false).unwrap_or(0),
            0,
        );
        let written = URL_SAFE_NO_PAD
            .encode_slice(&buffers.sealed, &mut out[start..])
            .unwrap_or(0);
        out.truncate(start + written);
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
    pub fn open_value(&self, place: Place<'_>, key: &str, entry: &Value) -> AppResult<FieldValue> {
        if let Some(plain) = plain_value(self.record_id, entry) {
            return plain;
        }
        let unreadable = |what: &str| {
            AppError::invariant(format!("record {} field value {what}", self.record_id))
        };
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
        serde_json::from_slice(&plain).map_err(|_| unreadable("of an unknown shape"))
    }

    /// Every value of a record's stored values, opened.
    pub fn open_all(
        &self,
        def: &FormDefinition,
        place: Place<'_>,
        values: &SealedValues,
    ) -> AppResult<ValidatedAnswers> {
        let stored = Entries::of(self.record_id, values)?;
        let mut values = std::collections::BTreeMap::new();
        for field in def.fields() {
            if let Some(entry) = stored.get(field.key.as_str()) {
                let value = self.open_value(place, field.key.as_str(), entry)?;
                values.insert(field.key.clone(), value);
            }
        }
        Ok(ValidatedAnswers::from_values(values))
    }

    /// A record's whole stored values for `answers`, each entry with its field's sensitivity and
    /// purposes (the shape the collection stores), keys in order. Written straight into
    /// one buffer, each value sealed in place, with no intermediate `serde_json::Value`
    /// or string per value (this runs for every stored record).
    #[must_use]
    pub fn seal_all(
        &self,
        def: &FormDefinition,
        place: Place<'_>,
        answers: &ValidatedAnswers,
    ) -> SealedValues {
        let mut fields: Vec<_> = def
            .fields()
            .filter_map(|field| answers.get(field.key.as_str()).map(|value| (field, value)))
            .collect();
        fields.sort_unstable_by(|a, b| a.0.key.as_str().cmp(b.0.key.as_str()));
        let mut out = Vec::with_capacity(2 + 200 * fields.len());
        let mut buffers = Buffers::default();
        out.push(b'{');
        for (i, (field, value)) in fields.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let key = field.key.as_str();
            json_into(&mut out, key);
            out.extend_from_slice(br#":{"s":"#);
            json_into(&mut out, &field.sensitivity);
            out.extend_from_slice(br#","p":"#);
            json_into(&mut out, &field.purposes);
            if field.sensitivity == Sensitivity::Ordinary {
                out.extend_from_slice(br#","v":"#);
                json_into(&mut out, value);
            } else {
                out.extend_from_slice(br#","c":""#);
                self.push_sealed(place, key, value, &mut buffers, &mut out);
                out.push(b'"');
            }
            out.push(b'}');
        }
        out.push(b'}');
        // JSON and base64 are ASCII or UTF-8 throughout.
        SealedValues::from_sealed_json(String::from_utf8(out).unwrap_or_default())
    }
}

/// Scratch space for sealing values one after another.
#[derive(Default)]
struct Buffers {
    plain: Zeroizing<Vec<u8>>,
    sealed: Vec<u8>,
}

/// Appends `value`'s JSON to `out`. Writing to a `Vec` does not fail, and the values
/// written here (strings, field values, sensitivities, purpose keys) always serialise.
fn json_into(out: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) {
    if let Err(error) = serde_json::to_writer(out, value) {
        tracing::error!(%error, "a stored value did not serialise");
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

/// [`lookups`] of `answers` without the fields `gone` names: those whose every purpose
/// was withdrawn, which a search by that identifier no longer finds the record through.
#[must_use]
pub fn lookups_kept(
    state: &AppState,
    def: &FormDefinition,
    answers: &ValidatedAnswers,
    gone: impl Fn(&shared::schema::Field) -> bool,
) -> Vec<(String, &'static str)> {
    let kept = answers
        .iter()
        .filter(|(k, _)| def.field(k.as_str()).is_none_or(|f| !gone(f)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    lookups(state, &ValidatedAnswers::from_values(kept))
}

/// How an edit's payload hash (the SHA-256 of its answers) is kept for its replay
/// check (`record_edits.payload_hash`): keyed under a subkey, since the plain hash
/// would let anyone holding the database test guesses of the record's personal values.
#[must_use]
pub fn kept_payload_hash(subkeys: &crate::crypto::SubkeyRoot, payload_hash: &str) -> String {
    use hmac::Mac as _;
    let mut mac = subkeys.mac("edit-payload-hash");
    mac.update(payload_hash.as_bytes());
    format!(
        "{}{}",
        shared::consent::KEYED_HASH_PREFIX,
        hex::encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use shared::schema::FormDefinition;

    use super::*;

    /// The demo form with `gender` made ordinary, so that both kinds of entry show.
    fn form() -> FormDefinition {
        fn ordinary_gender(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::Object(map) => {
                    if map.get("key").and_then(|k| k.as_str()) == Some("gender") {
                        map.insert("sensitivity".into(), "ordinary".into());
                    }
                    map.values_mut().for_each(ordinary_gender);
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(ordinary_gender),
                _ => {}
            }
        }
        let mut json = serde_json::to_value(FormDefinition::demo_customer_registration()).unwrap();
        ordinary_gender(&mut json);
        serde_json::from_value(json).unwrap()
    }

    fn answers(def: &FormDefinition) -> ValidatedAnswers {
        let mut answers = FormDefinition::demo_answers();
        // A name that needs escaping in JSON.
        answers.insert("full_name".into(), "张三 \"Zhang\"".into());
        shared::schema::validate(def, &answers, time::macros::date!(2026 - 11 - 29)).unwrap()
    }

    #[test]
    fn every_value_is_stored_with_its_sensitivity_and_purposes_and_sealed_unless_ordinary() {
        let def = form();
        let answers = answers(&def);
        let dek = DataKey::generate();
        let key = RecordKey::new(RecordId::from_uuid(uuid::Uuid::nil()), 1, &dek);
        for place in [Place::Record, Place::Version(3), Place::Conflict("c9")] {
            let sealed = key.seal_all(&def, place, &answers);
            let json = sealed.as_str();
            let stored: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(json).unwrap();
            let keys: Vec<&String> = stored.keys().collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted, "entries in key order");
            assert_eq!(stored.len(), answers.iter().count());
            for field in def.fields() {
                let Some(value) = answers.get(field.key.as_str()) else {
                    assert!(!stored.contains_key(field.key.as_str()));
                    continue;
                };
                let entry = &stored[field.key.as_str()];
                assert_eq!(entry["s"], serde_json::to_value(field.sensitivity).unwrap());
                assert_eq!(entry["p"], serde_json::to_value(&field.purposes).unwrap());
                if field.sensitivity == Sensitivity::Ordinary {
                    assert_eq!(entry["v"], serde_json::to_value(value).unwrap());
                    assert!(entry.get("c").is_none());
                } else {
                    assert!(entry.get("v").is_none());
                    assert!(entry["c"].as_str().unwrap().len() > 40);
                }
                let opened = key.open_value(place, field.key.as_str(), entry).unwrap();
                assert_eq!(&opened, value);
            }
            assert!(!json.contains("110101") && !json.contains("zhang.san"));
            assert!(json.contains(r#""gender":{"s":"ordinary","p":["#));
            let all = key.open_all(&def, place, &sealed).unwrap();
            assert_eq!(all.iter().count(), answers.iter().count());
            // A sealed value opens only in its own place.
            let other = if matches!(place, Place::Record) {
                Place::Version(1)
            } else {
                Place::Record
            };
            assert!(key
                .open_value(other, "full_name", &stored["full_name"])
                .is_err());
        }
    }
}
