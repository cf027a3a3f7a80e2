//! The canonical bytes of a form definition and its version hash.
//!
//! A published form version is identified by `version_hash()`, and consent receipts bind
//! that hash, so the bytes must not depend on who serialised the definition or how the
//! JSON it came from was laid out. The encoding:
//!
//! 1. Convert the definition to a `serde_json::Value` with its `Serialize` impl. Optional
//!    members that are absent (`cross_border`, `default`, `visible_when`, `retention`,
//!    unset rules, ...) are omitted, never written as `null`; decimals are strings.
//! 2. Write that value as compact JSON (no whitespace at all) with the keys of every object
//!    sorted by their UTF-8 bytes. The sort is done here explicitly, so it holds even if
//!    another crate turns on serde_json's `preserve_order` feature.
//! 3. Scalars are written exactly as `serde_json` writes them: strings escape `"`, `\` and
//!    control characters (`\n`, `\u001f`, ...), and keep all other characters, including
//!    Chinese and `/`, as raw UTF-8; numbers use serde_json's shortest form.
//!
//! `version_hash()` is `"sha256:"` followed by the lower-case hex SHA-256 of those bytes.
//! A test below pins the exact bytes and hash of a small definition: changing the encoding,
//! or the JSON shape of any schema type, breaks it on purpose.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::definition::FormDefinition;

/// The prefix of every version hash.
pub const VERSION_HASH_PREFIX: &str = "sha256:";

/// Appends the canonical JSON of `value` to `out`, as UTF-8 bytes (what signatures and
/// hashes cover; no text conversion on the way).
pub fn write_canonical_bytes(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(k.as_str(), out);
                out.push(b':');
                write_canonical_bytes(v, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical_bytes(v, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

/// Writes a scalar (or a key) exactly as serde_json's compact writer does, straight into
/// `out` (no string per scalar: this runs for every receipt, envelope and audit entry).
/// Writes one member of an object, `"<key>":<value>`, after a comma unless it is the
/// `first`. For encoders that write a known struct's members in key order; its keys
/// need no escaping, and its values must be scalars or lists of strings (whose
/// `serde_json` form is canonical).
pub(crate) fn write_member<T: serde::Serialize + ?Sized>(
    out: &mut Vec<u8>,
    first: bool,
    key: &str,
    value: &T,
) {
    if !first {
        out.push(b',');
    }
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    write_scalar(value, out);
}

pub(crate) fn write_scalar<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) {
    // Serialising a scalar or a string into memory cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// The canonical JSON of any value, as UTF-8 bytes.
#[must_use]
pub fn canonical_json_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    write_canonical_bytes(value, &mut out);
    out
}

/// The canonical JSON text of any value.
#[must_use]
pub fn canonical_json(value: &Value) -> String {
    // serde_json writes valid UTF-8 (strings come from `String`s), so this never falls
    // back to the lossy conversion.
    String::from_utf8(canonical_json_bytes(value))
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

impl FormDefinition {
    /// The definition as a JSON value (the first step of the canonical encoding).
    #[must_use]
    pub fn to_value(&self) -> Value {
        // Serialising these types cannot fail: every map key is a string and no `Serialize`
        // impl returns an error. `Null` would only appear if that invariant were broken,
        // and it would then change the hash visibly rather than panic in a request.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The canonical bytes of the definition (see the module documentation).
    #[must_use]
    pub fn canonical_bytes(&self) -> Vec<u8> {
        canonical_json_bytes(&self.to_value())
    }

    /// `"sha256:"` and the lower-case hex SHA-256 of [`FormDefinition::canonical_bytes`].
    #[must_use]
    pub fn version_hash(&self) -> String {
        format!(
            "{VERSION_HASH_PREFIX}{}",
            hex::encode(Sha256::digest(self.canonical_bytes()))
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_level_and_nothing_is_spaced() {
        let v = json!({"b": 1, "a": {"z": [true, null, "x"], "y": 2.5}, "A": "中文/\n"});
        assert_eq!(
            canonical_json(&v),
            r#"{"A":"中文/\n","a":{"y":2.5,"z":[true,null,"x"]},"b":1}"#
        );
    }

    #[test]
    fn keys_and_strings_escape_as_serde_json_does() {
        let v = json!({"q\"k\u{1f}": "a\\b\u{7}é", "n": -0.5, "i": 12_345_678_901_i64});
        assert_eq!(
            canonical_json(&v),
            r#"{"i":12345678901,"n":-0.5,"q\"k\u001f":"a\\b\u0007é"}"#
        );
    }

    /// The pinned test vector: a small definition, its exact canonical text and its hash.
    #[test]
    fn test_vector() {
        let json = r#"{
          "format_version": 1,
          "title": {"zh-CN": "报名", "en": "Sign-up"},
          "controller": {"name": {"zh-CN": "示例公司", "en": "Example Ltd"}, "contact": "privacy@example.com"},
          "purposes": [{"key": "service", "name": {"zh-CN": "提供服务", "en": "Service"},
                        "lawful_basis": "contract", "required": true}],
          "notice": {"zh-CN": "我们为提供服务收集您的姓名。", "en": "We collect your name for the Service."},
          "sections": [{"key": "main", "fields": [
            {"key": "name", "kind": {"type": "short_text"}, "label": {"zh-CN": "姓名", "en": "Name"},
             "required": true, "rules": {"max_length": 50}, "purposes": ["service"], "mask": "name"}
          ]}]
        }"#;
        let def = FormDefinition::parse(json).unwrap();
        let canonical = String::from_utf8(def.canonical_bytes()).unwrap();
        let expected = concat!(
            r#"{"controller":{"contact":"privacy@example.com","name":{"en":"Example Ltd","zh-CN":"示例公司"}},"#,
            r#""description":{"en":"","zh-CN":""},"embed_origins":[],"format_version":1,"#,
            r#""notice":{"en":"We collect your name for the Service.","zh-CN":"我们为提供服务收集您的姓名。"},"#,
            r#""purposes":[{"description":{"en":"","zh-CN":""},"key":"service","lawful_basis":"contract","#,
            r#""name":{"en":"Service","zh-CN":"提供服务"},"required":true}],"#,
            r#""sections":[{"fields":[{"help":{"en":"","zh-CN":""},"key":"name","kind":{"type":"short_text"},"#,
            r#""label":{"en":"Name","zh-CN":"姓名"},"mask":"name","purposes":["service"],"required":true,"#,
            r#""rules":{"max_length":50},"sensitivity":"personal"}],"key":"main","new_page":false,"#,
            r#""title":{"en":"","zh-CN":""}}],"sensitive_consent_text":{"en":"","zh-CN":""},"#,
            r#""title":{"en":"Sign-up","zh-CN":"报名"}}"#
        );
        assert_eq!(canonical, expected);
        assert_eq!(
            def.version_hash(),
            "sha256:e082a6484a692b9c05b9d37941473a73f512c1867ea654861f327f2fbd1fe1db"
        );
    }

    #[test]
    fn layout_and_key_order_of_the_source_do_not_matter() {
        let demo = FormDefinition::demo_customer_registration();
        let pretty = serde_json::to_string_pretty(&demo).unwrap();
        let back = FormDefinition::from_json(&pretty).unwrap();
        assert_eq!(back.version_hash(), demo.version_hash());
        let mut changed = demo.clone();
        changed.title.en.push('!');
        assert_ne!(changed.version_hash(), demo.version_hash());
        assert!(demo.version_hash().starts_with(VERSION_HASH_PREFIX));
        assert_eq!(demo.version_hash().len(), VERSION_HASH_PREFIX.len() + 64);
    }
}
