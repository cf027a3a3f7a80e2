//! The keyed hashes of a format-2 statement.
//!
//! A statement names its subject (phone, email or ID number), the signature and the
//! answers by hashes. Format 1 hashed the identifier with a salt written beside the
//! hash, and the typed signature and the answers with no salt at all: whoever held a
//! receipt could find a phone number by hashing the few billion candidates. Format 2
//! keys all three with HMAC-SHA-256 under a [`HashKey`] drawn at random for each
//! statement and kept apart from the receipt: the customer's browser (or the staff
//! device) sends it beside the signed statement, the server checks the hashes with it
//! and stores it sealed under the record's data key, and the customer keeps it in the
//! receipt document they download. The signed receipt alone reveals nothing that can
//! be guessed.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use crate::schema::{
    EmailAddress, FieldValue, PhoneFormat, PhoneNumber, ResidentId, Signature, ValidatedAnswers,
};

/// The prefix of a keyed hash.
pub const KEYED_HASH_PREFIX: &str = "hmac-sha256:";

/// The random 256-bit key of one statement's keyed hashes; base64url on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct HashKey([u8; 32]);

impl HashKey {
    /// A key from 32 random bytes (`shared` has no random source: the caller draws them).
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A key written as unpadded base64url; `None` unless it is exactly 32 bytes.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// The key as unpadded base64url.
    #[must_use]
    pub fn to_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// `hmac-sha256:` + hex of HMAC(key, domain line ‖ message).
    fn hash(&self, domain: &[u8], message: &[u8]) -> String {
        let mut mac = <Hmac<Sha256>>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(domain);
        mac.update(message);
        format!(
            "{KEYED_HASH_PREFIX}{}",
            hex::encode(mac.finalize().into_bytes())
        )
    }

    /// The subject's identifier (normalised, see [`super::subject_identifier`]).
    #[must_use]
    pub fn subject_hash(&self, identifier: &str) -> String {
        self.hash(b"consentry-subject-v2\n", identifier.as_bytes())
    }

    /// Whether `subject_hash` (a statement's) names the identifier a person `typed`: a
    /// phone number, email or ID number, normalised each way it parses, as forms do.
    #[must_use]
    pub fn names_subject(&self, subject_hash: &str, typed: &str, today: time::Date) -> bool {
        let typed = typed.trim();
        let mut candidates = vec![typed.to_owned()];
        if let Ok(p) = PhoneNumber::parse(typed, &[PhoneFormat::CnMobile, PhoneFormat::E164]) {
            candidates.push(p.as_str().to_owned());
        }
        if let Ok(e) = EmailAddress::parse(typed) {
            candidates.push(e.as_str().to_owned());
        }
        if let Ok(id) = ResidentId::parse(typed, today) {
            candidates.push(id.as_str().to_owned());
        }
        candidates
            .iter()
            .any(|c| self.subject_hash(c) == subject_hash)
    }

    /// The answers' canonical JSON (the bytes [`super::record_hash`] hashes).
    #[must_use]
    pub fn record_hash(&self, answers: &ValidatedAnswers) -> String {
        self.hash(b"consentry-record-v2\n", &super::record_bytes(answers))
    }

    /// The signature: a drawn image by its SHA-256, a typed name by its text; `none`
    /// when the answers hold no signature.
    #[must_use]
    pub fn signature_hash(&self, answers: &ValidatedAnswers) -> String {
        answers
            .iter()
            .find_map(|(_, v)| match v {
                FieldValue::Signature(Signature::Drawn { image_sha256, .. }) => {
                    Some(self.hash(b"consentry-signature-drawn-v2\n", image_sha256.as_bytes()))
                }
                FieldValue::Signature(Signature::Typed { name }) => {
                    Some(self.hash(b"consentry-signature-typed-v2\n", name.as_bytes()))
                }
                _ => None,
            })
            .unwrap_or_else(|| "none".to_owned())
    }
}

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashKey(..)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_32_bytes_of_base64url_and_never_printed() {
        let key = HashKey::from_bytes([5; 32]);
        assert_eq!(HashKey::parse(&key.to_text()), Some(key.clone()));
        assert_eq!(HashKey::parse(&URL_SAFE_NO_PAD.encode([5; 31])), None);
        assert_eq!(HashKey::parse("not base64!"), None);
        assert_eq!(format!("{key:?}"), "HashKey(..)");
    }

    #[test]
    fn a_subject_is_found_however_its_number_is_typed() {
        let key = HashKey::from_bytes([1; 32]);
        let today = time::Date::from_calendar_date(2026, time::Month::June, 1).unwrap();
        let hash = key.subject_hash("+8613800138000");
        for typed in ["+8613800138000", "138 0013 8000", " 13800138000 "] {
            assert!(key.names_subject(&hash, typed, today), "{typed}");
        }
        assert!(!key.names_subject(&hash, "13800138001", today));
        assert!(!HashKey::from_bytes([2; 32]).names_subject(&hash, "13800138000", today));
        let email = key.subject_hash("zhang.san@example.com");
        assert!(key.names_subject(&email, "zhang.san@EXAMPLE.com", today));
    }

    #[test]
    fn keyed_hashes_depend_on_the_key_and_the_domain() {
        let a = HashKey::from_bytes([1; 32]);
        let b = HashKey::from_bytes([2; 32]);
        let phone = "+8613800138000";
        assert!(a.subject_hash(phone).starts_with(KEYED_HASH_PREFIX));
        assert_ne!(a.subject_hash(phone), b.subject_hash(phone));
        assert_ne!(
            a.subject_hash(phone),
            a.hash(b"consentry-record-v2\n", phone.as_bytes())
        );
        // Not the plain SHA-256 of the identifier.
        let plain = crate::consent::sha256_tagged(phone.as_bytes());
        assert_ne!(a.subject_hash(phone)[KEYED_HASH_PREFIX.len()..], plain[7..]);
    }
}
