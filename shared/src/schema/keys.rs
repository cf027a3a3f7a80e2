//! Keys that name sections, fields, purposes and choice options: parsed once, trusted after.
//!
//! Every key is lower-case ASCII matching `[a-z][a-z0-9_]{0,63}`. Keys appear in stored
//! answers, consent receipts and URLs, so they are deliberately plain.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The longest key, in bytes (all key characters are ASCII).
pub const MAX_KEY_LEN: usize = 64;

/// Why a string is not a valid key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The string is empty.
    #[error("a key must not be empty")]
    Empty,
    /// The string is longer than [`MAX_KEY_LEN`].
    #[error("a key must be at most {MAX_KEY_LEN} characters long")]
    TooLong,
    /// The first character is not a lower-case ASCII letter.
    #[error("a key must start with a lower-case letter a-z")]
    BadStart,
    /// A character other than `a-z`, `0-9` or `_`.
    #[error("a key may only contain a-z, 0-9 and _ (found {0:?})")]
    BadCharacter(char),
}

/// Checks the key syntax shared by every key type.
fn check_key(s: &str) -> Result<(), KeyError> {
    let mut chars = s.chars();
    let first = chars.next().ok_or(KeyError::Empty)?;
    if s.len() > MAX_KEY_LEN {
        return Err(KeyError::TooLong);
    }
    if !first.is_ascii_lowercase() {
        return Err(KeyError::BadStart);
    }
    match chars.find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')) {
        Some(c) => Err(KeyError::BadCharacter(c)),
        None => Ok(()),
    }
}

macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses a key, rejecting anything outside `[a-z][a-z0-9_]{0,63}`.
            ///
            /// # Errors
            /// [`KeyError`] says which part of the syntax the string breaks.
            pub fn parse(s: impl Into<String>) -> Result<Self, KeyError> {
                let s = s.into();
                check_key(&s)?;
                Ok(Self(s))
            }

            /// Wraps a literal known to be valid, for built-in forms; the demo's tests parse
            /// every such key back through [`Self::parse`].
            pub(crate) fn from_static(s: &'static str) -> Self {
                debug_assert!(check_key(s).is_ok(), "invalid key literal {s}");
                Self(s.to_owned())
            }

            /// The key as text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = KeyError;

            fn try_from(s: String) -> Result<Self, KeyError> {
                Self::parse(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = KeyError;

            fn try_from(s: &str) -> Result<Self, KeyError> {
                Self::parse(s)
            }
        }

        impl From<$name> for String {
            fn from(k: $name) -> String {
                k.0
            }
        }

        #[cfg(feature = "openapi")]
        crate::openapi::manual_schema!(
            $name,
            crate::openapi::string(None, Some("^[a-z][a-z0-9_]{0,63}$"), "A key: a-z, 0-9 and _, starting with a letter")
        );

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

key_type!(
    /// The key of a form field, as used in answers (`"mobile"`, `"resident_id"`).
    FieldKey
);
key_type!(
    /// The key of a form section (a group of fields, optionally on its own page).
    SectionKey
);
key_type!(
    /// The key of a processing purpose (`"marketing"`), referenced by fields and consents.
    PurposeKey
);
key_type!(
    /// The key of one option of a single- or multiple-choice field.
    OptionKey
);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn valid_keys_parse() {
        for k in ["a", "mobile", "resident_id", "q1", "a_b_c_9"] {
            assert_eq!(FieldKey::parse(k).unwrap().as_str(), k);
        }
        assert!(FieldKey::parse("a".repeat(64)).is_ok());
    }

    #[test]
    fn invalid_keys_are_rejected_with_a_reason() {
        assert_eq!(FieldKey::parse(""), Err(KeyError::Empty));
        assert_eq!(FieldKey::parse("a".repeat(65)), Err(KeyError::TooLong));
        assert_eq!(FieldKey::parse("1abc"), Err(KeyError::BadStart));
        assert_eq!(FieldKey::parse("_abc"), Err(KeyError::BadStart));
        assert_eq!(FieldKey::parse("Name"), Err(KeyError::BadStart));
        assert_eq!(FieldKey::parse("na-me"), Err(KeyError::BadCharacter('-')));
        assert_eq!(FieldKey::parse("姓名"), Err(KeyError::BadStart));
        assert_eq!(PurposeKey::parse("aB"), Err(KeyError::BadCharacter('B')));
    }

    #[test]
    fn keys_deserialise_through_parse() {
        let k: OptionKey = serde_json::from_str("\"email\"").unwrap();
        assert_eq!(k.as_str(), "email");
        assert!(serde_json::from_str::<OptionKey>("\"E-mail\"").is_err());
        assert_eq!(serde_json::to_string(&k).unwrap(), "\"email\"");
    }
}
