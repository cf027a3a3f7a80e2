//! Texts that belong to no record but hold personal data (a data-subject request's
//! requester and notes, an export's reason): sealed under a server subkey named for
//! their feature, with the owner's id and a place name as additional data, so a text
//! moved to another row or place does not open.

use super::{DataKey, FieldContext, SealedText, SubkeyRoot};

/// Seals and opens one feature's texts.
pub struct TextSealer {
    key: DataKey,
}

impl TextSealer {
    /// The sealer of the feature whose subkey is `name` (never reused for another).
    ///
    /// # Errors
    /// When the derived key has the wrong length (it cannot).
    pub fn new(subkeys: &SubkeyRoot, name: &str) -> Result<Self, super::CryptoError> {
        Ok(Self {
            key: DataKey::from_slice(subkeys.derive(name).as_ref())?,
        })
    }

    /// `text` sealed for `owner` at `place`, as its column stores it.
    #[must_use]
    pub fn seal(&self, owner: &str, place: &str, text: &str) -> String {
        let context = FieldContext {
            record_id: owner,
            field_key: place,
            key_version: 0,
        };
        SealedText::from_sealed(&self.key.seal(&context, text.as_bytes()))
            .as_str()
            .to_owned()
    }

    /// The text sealed for `owner` at `place`; `None` when it does not open (altered or
    /// moved).
    #[must_use]
    pub fn open(&self, owner: &str, place: &str, column: &str) -> Option<String> {
        let context = FieldContext {
            record_id: owner,
            field_key: place,
            key_version: 0,
        };
        SealedText::from_column(column.to_owned())
            .sealed()
            .and_then(|bytes| self.key.open(&context, &bytes).ok())
            .map(|plain| String::from_utf8_lossy(&plain).into_owned())
    }
}
