//! Offline collection: what a staff member's device signs for each record it syncs.
//!
//! A device holds an ed25519 key whose public half the server registered against the
//! staff member. For every record it signs the envelope bytes
//! `b"consentry-sync-record-v1\n" || canonical_json(envelope)`, where the envelope holds
//! the record's client-generated UUID, the device id and its sequence number, the form
//! version and its hash, the hash of the payload (the answers, as `record_hash`) and the
//! hash of the customer's consent statement, and the server version an edit started from.
//! That one signature is also the customer's consent's client signature: the device is
//! the "browser" of that consent, and the receipt the server countersigns names the
//! device and sequence number ([`crate::consent::CollectingDevice`]), from which anyone
//! rebuilds a new record's envelope ([`SyncEnvelope::of_new_record`]) to check it.
//!
//! An **edit** of a record that was already synced is a record with the same UUID, a new
//! sequence number and `base_version` (the server version the device's copy came from);
//! it carries the full edited answers and the original consent statement, and its
//! envelope's `payload_hash` is the `record_hash` of the edited answers. The server
//! merges it with [`merge_plan`]: the device's changed fields that the server did not
//! change since the base are applied; the ones both changed to different values become
//! conflicts a manager resolves.

use std::collections::BTreeSet;

use ed25519_dalek::{Signature, Signer as _, SigningKey};
use serde::{Deserialize, Serialize};

use crate::{
    consent::{b64, sha256_tagged, CollectingDevice, ConsentStatement, DeviceKey, ReceiptError},
    schema::{write_member, FieldKey, FieldValue, ValidatedAnswers},
};

const DOMAIN: &[u8] = b"consentry-sync-record-v1\n";

/// The signed facts of one synced record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncEnvelope {
    /// The record's UUID, chosen on the device; also its idempotency key.
    pub uuid: String,
    pub device_id: String,
    /// The device's sequence number, increasing with every record it creates or edits.
    pub seq: i64,
    pub form_id: String,
    pub form_version: i64,
    pub form_version_hash: String,
    /// `record_hash` of the validated answers.
    pub payload_hash: String,
    /// `sha256:` of the consent statement's signing bytes.
    pub statement_hash: String,
    /// For an edit of a synced record: the server version it started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<i64>,
}

impl SyncEnvelope {
    /// The envelope of a new record (not an edit) whose consent is `statement`, with
    /// the statement's hash ([`statement_hash`]) already computed.
    #[must_use]
    pub fn of_new_record(
        statement: &ConsentStatement,
        device: &CollectingDevice,
        statement_hash: String,
    ) -> Self {
        Self {
            uuid: statement.receipt_id.clone(),
            device_id: device.id.clone(),
            seq: device.seq,
            form_id: statement.form_id.clone(),
            form_version: statement.form_version,
            form_version_hash: statement.form_version_hash.clone(),
            payload_hash: statement.record_hash.clone(),
            statement_hash,
            base_version: None,
        }
    }

    /// The exact bytes the device signs: the domain line, then the envelope's canonical
    /// JSON, written member by member in key order (equal to the generic encoding,
    /// tested; the server writes one per synced record).
    #[must_use]
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(DOMAIN.len() + 480);
        out.extend_from_slice(DOMAIN);
        out.push(b'{');
        if let Some(base) = self.base_version {
            write_member(&mut out, true, "base_version", &base);
        }
        write_member(
            &mut out,
            self.base_version.is_none(),
            "device_id",
            &self.device_id,
        );
        write_member(&mut out, false, "form_id", &self.form_id);
        write_member(&mut out, false, "form_version", &self.form_version);
        write_member(
            &mut out,
            false,
            "form_version_hash",
            &self.form_version_hash,
        );
        write_member(&mut out, false, "payload_hash", &self.payload_hash);
        write_member(&mut out, false, "seq", &self.seq);
        write_member(&mut out, false, "statement_hash", &self.statement_hash);
        write_member(&mut out, false, "uuid", &self.uuid);
        out.push(b'}');
        out
    }

    /// Signs with the device key; base64url.
    #[must_use]
    pub fn sign(&self, key: &SigningKey) -> String {
        b64(&key.sign(&self.signing_bytes()).to_bytes())
    }

    /// Checks the device's signature with its registered public key (base64url), as
    /// `POST /sync` does: the key must be a [`DeviceKey`], the signature pass
    /// [`crate::consent::verify_signature`].
    pub fn verify(&self, device_public_key: &str, signature: &str) -> Result<(), ReceiptError> {
        let key = DeviceKey::parse(device_public_key)?;
        self.verify_with(
            &key,
            &crate::consent::signature(signature, "device signature")?,
        )
    }

    /// [`Self::verify`] with the key and signature parsed (the server parses a device's
    /// key once for many records).
    pub fn verify_with(&self, key: &DeviceKey, signature: &Signature) -> Result<(), ReceiptError> {
        key.verify(&self.signing_bytes(), signature)
    }
}

/// The hash of a statement as envelopes bind it.
#[must_use]
pub fn statement_hash(statement: &ConsentStatement) -> String {
    sha256_tagged(&statement.signing_bytes())
}

/// The fields whose value differs between `a` and `b` (a field answered on one side
/// only counts as changed), in key order.
#[must_use]
pub fn changed_fields(a: &ValidatedAnswers, b: &ValidatedAnswers) -> Vec<String> {
    let keys: BTreeSet<&str> = a.iter().chain(b.iter()).map(|(k, _)| k.as_str()).collect();
    keys.into_iter()
        .filter(|k| a.get(k) != b.get(k))
        .map(str::to_owned)
        .collect()
}

/// What merging a device's edit into the server's copy gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergePlan {
    /// The server's current values with the merged changes applied.
    pub answers: ValidatedAnswers,
    /// The fields the device changed from its base.
    pub device_changed: Vec<String>,
    /// The device's changes that the result holds (applied now, or already equal).
    pub merged: Vec<String>,
    /// The fields whose value the merge changes on the server: the next version's
    /// `changed_fields`. Empty when nothing needs a new version.
    pub applied: Vec<String>,
    /// The device's changes to fields the server also changed since the base, to a
    /// different value: left for a manager to resolve.
    pub conflicted: Vec<String>,
    /// The device's changes to key fields, held for approval instead of applied.
    pub pending: Vec<String>,
}

impl MergePlan {
    /// The plan when the merged answers are not valid as a whole (say, a condition now
    /// hides a field the device filled): nothing is applied and every change of the
    /// device that differs from the server's value becomes a conflict.
    #[must_use]
    pub fn into_conflicts(self, current: &ValidatedAnswers, device: &ValidatedAnswers) -> Self {
        let conflicted = self
            .device_changed
            .iter()
            .filter(|k| current.get(k) != device.get(k))
            .cloned()
            .collect();
        let merged = self
            .device_changed
            .iter()
            .filter(|k| current.get(k) == device.get(k))
            .cloned()
            .collect();
        Self {
            answers: current.clone(),
            device_changed: self.device_changed,
            merged,
            applied: Vec::new(),
            conflicted,
            pending: Vec::new(),
        }
    }

    /// The plan when changes of the fields `needs_approval` says are key fields wait for
    /// someone's approval: they leave `applied` and `merged` (their values in `answers`
    /// go back to `current`) for `pending`. Conflicts stay conflicts.
    #[must_use]
    pub fn hold_for_approval(
        mut self,
        current: &ValidatedAnswers,
        needs_approval: impl Fn(&str) -> bool,
    ) -> Self {
        let held: Vec<String> = self
            .applied
            .iter()
            .filter(|k| needs_approval(k))
            .cloned()
            .collect();
        if held.is_empty() {
            return self;
        }
        let mut values = self.answers.into_values();
        for key in &held {
            let Ok(field) = FieldKey::parse(key.clone()) else {
                continue;
            };
            match current.get(key) {
                Some(v) => values.insert(field, v.clone()),
                None => values.remove(&field),
            };
        }
        self.answers = ValidatedAnswers::from_values(values);
        self.applied.retain(|k| !held.contains(k));
        self.merged.retain(|k| !held.contains(k));
        self.pending = held;
        self
    }
}

/// Three-way merge of one record, field by field. `base` is the version the device
/// started from, `current` the server's copy now, `server_changed` the fields the
/// server's versions after the base changed, and `device` the device's edited answers.
///
/// A field the device changed is applied when the server left it alone since the base,
/// kept when the server already holds the same value, and otherwise conflicted: nothing
/// is silently overwritten.
#[must_use]
pub fn merge_plan(
    base: &ValidatedAnswers,
    current: &ValidatedAnswers,
    server_changed: &BTreeSet<String>,
    device: &ValidatedAnswers,
) -> MergePlan {
    let device_changed = changed_fields(base, device);
    let mut values: std::collections::BTreeMap<FieldKey, FieldValue> =
        current.clone().into_values();
    let (mut merged, mut applied, mut conflicted) = (Vec::new(), Vec::new(), Vec::new());
    for key in &device_changed {
        let wanted = device.get(key);
        if current.get(key) == wanted {
            merged.push(key.clone());
        } else if server_changed.contains(key) {
            conflicted.push(key.clone());
        } else {
            let Ok(field) = FieldKey::parse(key.clone()) else {
                conflicted.push(key.clone());
                continue;
            };
            match wanted {
                Some(v) => values.insert(field, v.clone()),
                None => values.remove(&field),
            };
            merged.push(key.clone());
            applied.push(key.clone());
        }
    }
    MergePlan {
        answers: ValidatedAnswers::from_values(values),
        device_changed,
        merged,
        applied,
        conflicted,
        pending: Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> ValidatedAnswers {
        ValidatedAnswers::from_values(
            pairs
                .iter()
                .map(|(k, v)| {
                    (
                        FieldKey::parse((*k).to_owned()).unwrap(),
                        FieldValue::Text((*v).to_owned()),
                    )
                })
                .collect(),
        )
    }

    fn set(keys: &[&str]) -> BTreeSet<String> {
        keys.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn an_edit_of_an_unchanged_record_applies_every_change() {
        let base = answers(&[("name", "Zhang"), ("city", "Shanghai"), ("note", "x")]);
        let device = answers(&[("name", "Zhang San"), ("city", "Shanghai")]);
        let plan = merge_plan(&base, &base, &BTreeSet::new(), &device);
        assert_eq!(plan.device_changed, ["name", "note"]);
        assert_eq!(plan.applied, ["name", "note"]);
        assert_eq!(plan.merged, ["name", "note"]);
        assert!(plan.conflicted.is_empty());
        assert_eq!(plan.answers, device);
    }

    #[test]
    fn disjoint_changes_merge_and_keep_the_servers() {
        let base = answers(&[("name", "Zhang"), ("city", "Shanghai")]);
        // The server changed the city since the base; the device changed the name.
        let current = answers(&[("name", "Zhang"), ("city", "Beijing")]);
        let device = answers(&[("name", "Zhang San"), ("city", "Shanghai")]);
        let plan = merge_plan(&base, &current, &set(&["city"]), &device);
        assert_eq!(plan.applied, ["name"]);
        assert!(plan.conflicted.is_empty());
        assert_eq!(
            plan.answers,
            answers(&[("name", "Zhang San"), ("city", "Beijing")])
        );
    }

    #[test]
    fn the_same_field_changed_on_both_sides_is_a_conflict() {
        let base = answers(&[("name", "Zhang"), ("city", "Shanghai")]);
        let current = answers(&[("name", "Zhang Wei"), ("city", "Shanghai")]);
        let device = answers(&[("name", "Zhang San"), ("city", "Hangzhou")]);
        let plan = merge_plan(&base, &current, &set(&["name"]), &device);
        assert_eq!(plan.conflicted, ["name"]);
        assert_eq!(plan.applied, ["city"]);
        // The server's name is kept.
        assert_eq!(
            plan.answers,
            answers(&[("name", "Zhang Wei"), ("city", "Hangzhou")])
        );
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_conflict_and_no_new_version() {
        let base = answers(&[("name", "Zhang")]);
        let current = answers(&[("name", "Zhang San")]);
        let device = answers(&[("name", "Zhang San")]);
        let plan = merge_plan(&base, &current, &set(&["name"]), &device);
        assert_eq!(plan.merged, ["name"]);
        assert!(plan.applied.is_empty());
        assert!(plan.conflicted.is_empty());
    }

    #[test]
    fn an_invalid_merge_conflicts_every_change_of_the_device() {
        let base = answers(&[("name", "Zhang"), ("city", "Shanghai")]);
        let current = answers(&[("name", "Zhang"), ("city", "Beijing")]);
        let device = answers(&[("name", "Zhang San"), ("city", "Shanghai")]);
        let plan =
            merge_plan(&base, &current, &set(&["city"]), &device).into_conflicts(&current, &device);
        // Only the device's own change is held back; the server's city stays as it is.
        assert_eq!(plan.conflicted, ["name"]);
        assert!(plan.merged.is_empty());
        assert!(plan.applied.is_empty());
        assert_eq!(plan.answers, current);
    }

    #[test]
    fn envelopes_verify_and_any_change_breaks_them() {
        let key = SigningKey::from_bytes(&[8; 32]);
        let public = b64(key.verifying_key().as_bytes());
        let env = SyncEnvelope {
            uuid: "u1".into(),
            device_id: "d1".into(),
            seq: 7,
            form_id: "f".into(),
            form_version: 1,
            form_version_hash: "sha256:aa".into(),
            payload_hash: "sha256:bb".into(),
            statement_hash: "sha256:cc".into(),
            base_version: None,
        };
        let sig = env.sign(&key);
        env.verify(&public, &sig).unwrap();
        let mut other = env.clone();
        other.seq = 8;
        assert!(other.verify(&public, &sig).is_err());
        assert!(env.verify(&public, "nope").is_err());
        let bytes = env.signing_bytes();
        assert!(bytes.starts_with(DOMAIN));
        assert!(!String::from_utf8(bytes).unwrap().contains("base_version"));
    }

    proptest::proptest! {
        /// The envelope bytes written member by member equal the generic canonical
        /// encoding of the envelope, whatever its strings hold.
        #[test]
        fn envelope_bytes_equal_the_generic_encoding(
            uuid in "\\PC{0,8}",
            device_id in "[\"\\\\\\u{0}-\\u{1f}a-z一-三]{0,10}",
            seq in proptest::num::i64::ANY,
            version in proptest::num::i64::ANY,
            base in proptest::option::of(proptest::num::i64::ANY),
        ) {
            let env = SyncEnvelope {
                uuid,
                device_id,
                seq,
                form_id: "f\u{2028}".into(),
                form_version: version,
                form_version_hash: "sha256:aa".into(),
                payload_hash: "sha256:bb".into(),
                statement_hash: "sha256:cc".into(),
                base_version: base,
            };
            let mut generic = DOMAIN.to_vec();
            generic.extend_from_slice(&crate::schema::canonical_json_bytes(
                &serde_json::to_value(&env).unwrap(),
            ));
            proptest::prop_assert_eq!(env.signing_bytes(), generic);
        }
    }

    #[test]
    fn changes_of_key_fields_wait_while_the_rest_apply() {
        let base = answers(&[("name", "张三"), ("phone", "1"), ("city", "上海")]);
        let current = answers(&[("name", "张三"), ("phone", "1"), ("city", "北京")]);
        let device = answers(&[("name", "张三丰"), ("phone", "2"), ("city", "广州")]);
        let plan = merge_plan(&base, &current, &set(&["city"]), &device)
            .hold_for_approval(&current, |k| k == "phone" || k == "city");
        assert_eq!(plan.applied, vec!["name".to_owned()]);
        assert_eq!(plan.merged, vec!["name".to_owned()]);
        assert_eq!(plan.pending, vec!["phone".to_owned()]);
        assert_eq!(
            plan.conflicted,
            vec!["city".to_owned()],
            "a conflict stays one"
        );
        assert_eq!(plan.answers.get("phone"), current.get("phone"));
        assert_eq!(plan.answers.get("name"), device.get("name"));
    }
}
