//! The shapes personal data takes in the database's columns. A row that holds a
//! record's values or its data key holds these types, not strings, so that what the
//! store writes is always what sealing produced: a plaintext value has no way into a
//! `values_json` column, and a data key no way in unwrapped.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};

use super::WrappedKey;

/// A record's values as stored (`values_json` of records, kept versions and, per
/// value, conflicts): a JSON object of field key → entry, where an ordinary value is
/// `{"v": value}` and a personal or sensitive one is `{"c": sealed}` under the record's
/// data key. Made only by sealing (`records::sealed::RecordKey::seal_all`) and by the
/// store reading a column back.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedValues(String);

impl SealedValues {
    /// Values written by sealing, or read back from a column that sealing wrote.
    #[must_use]
    pub(crate) fn from_sealed_json(json: String) -> Self {
        Self(json)
    }

    /// The JSON to store.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SealedValues {
    /// The length only: ordinary values are readable in the JSON.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealedValues({} bytes)", self.0.len())
    }
}

/// A text sealed under a record's data key for one place of the record, as a column
/// stores it (base64url of a [`super::SealedValue`]): a consent receipt and the key of
/// its statement's hashes (`consent_receipts.receipt_sealed`, `hash_key_sealed`). Made
/// only by sealing (`records::sealed::RecordKey::seal_text`) and by the store reading a
/// column back.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedText(String);

impl SealedText {
    /// Sealed bytes, written as their column stores them.
    #[must_use]
    pub(crate) fn from_sealed(sealed: &super::SealedValue) -> Self {
        Self(URL_SAFE_NO_PAD.encode(&sealed.0))
    }

    /// A column that sealing wrote.
    #[must_use]
    pub(crate) fn from_column(column: String) -> Self {
        Self(column)
    }

    /// The sealed bytes; `None` when the column does not hold base64url (a row from
    /// before receipts were sealed: see `upgrade.rs`).
    #[must_use]
    pub fn sealed(&self) -> Option<super::SealedValue> {
        URL_SAFE_NO_PAD.decode(&self.0).ok().map(super::SealedValue)
    }

    /// The text to store.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SealedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealedText({} bytes)", self.0.len())
    }
}

impl WrappedKey {
    /// The wrapped bytes as the `wrapped_key` column stores them (base64url).
    #[must_use]
    pub fn to_column(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.bytes)
    }

    /// A wrapped key read from its columns.
    pub fn from_columns(master_key_id: String, column: &str) -> Result<Self, base64::DecodeError> {
        Ok(Self {
            master_key_id,
            bytes: URL_SAFE_NO_PAD.decode(column)?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_survives_its_columns() {
        let key = WrappedKey {
            master_key_id: "m1".to_owned(),
            bytes: vec![0, 1, 2, 250, 251, 255],
        };
        let back = WrappedKey::from_columns("m1".to_owned(), &key.to_column()).unwrap();
        assert_eq!(back, key);
        assert!(WrappedKey::from_columns("m1".to_owned(), "not base64!").is_err());
    }

    #[test]
    fn sealed_values_do_not_print_their_contents() {
        let values = SealedValues::from_sealed_json(r#"{"gender":{"v":"female"}}"#.to_owned());
        assert!(!format!("{values:?}").contains("female"));
    }
}
