//! The statement a customer's browser (or a staff member's device) signs: what the
//! customer agreed to, and its exact signed bytes.

use ed25519_dalek::{Signer as _, SigningKey};
use serde::{Deserialize, Serialize};

use super::receipt::b64;
use crate::{i18n::Locale, schema::write_member};

/// The domain line in front of a statement's canonical JSON.
pub const STATEMENT_DOMAIN: &[u8] = b"consentry-consent-statement-v1\n";
/// Consents given apart from the purposes (PIPL Art. 29, 31 and 39).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeparateConsents {
    /// Separate consent to processing sensitive personal information.
    pub sensitive: bool,
    /// Separate consent to transfer outside the country.
    pub cross_border: bool,
    /// A guardian consented for a minor.
    pub guardian: bool,
}

/// What the customer agreed to, as their browser signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentStatement {
    /// [`RECEIPT_FORMAT`].
    pub format: u32,
    /// A random UUID chosen by the browser; also the submission's idempotency key.
    pub receipt_id: String,
    pub form_id: String,
    pub form_version: i64,
    /// `sha256:…` of the published form version (which contains the notice).
    pub form_version_hash: String,
    /// `sha256:…` of the canonical JSON of the privacy notice shown.
    pub notice_hash: String,
    /// Purpose keys consented to, sorted.
    pub purposes_granted: Vec<String>,
    /// Purpose keys declined, sorted.
    pub purposes_declined: Vec<String>,
    pub separate_consents: SeparateConsents,
    /// The subject's identifier (phone, email or ID number) hashed, so that the
    /// receipt names its subject without containing them: in format 2 keyed
    /// (`hmac-sha256:…`, see [`super::HashKey`]), in format 1 `sha256:` of
    /// `subject_salt || identifier`; `none` when the answers hold none.
    pub subject_hash: String,
    /// Format 1 only: the random salt of `subject_hash`, base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_salt: Option<String>,
    /// The signature image (or typed name) hashed: keyed in format 2, `sha256:…` in 1.
    pub signature_hash: String,
    /// The canonical JSON of the submitted answers hashed: keyed in format 2,
    /// `sha256:…` in 1.
    pub record_hash: String,
    /// The browser's clock when the customer signed, Unix milliseconds.
    pub signed_at_ms: i64,
    /// The language the customer read the notice in.
    pub locale: Locale,
}

impl ConsentStatement {
    /// The exact bytes the browser signs: the domain line, then the statement's
    /// canonical JSON, written member by member in key order (equal to the generic
    /// encoding, tested; the server writes one per record it receives). Lists of strings
    /// are written by `serde_json` as they are, which is their canonical form.
    #[must_use]
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(STATEMENT_DOMAIN.len() + 768);
        out.extend_from_slice(STATEMENT_DOMAIN);
        out.push(b'{');
        write_member(&mut out, true, "form_id", &self.form_id);
        write_member(&mut out, false, "form_version", &self.form_version);
        write_member(
            &mut out,
            false,
            "form_version_hash",
            &self.form_version_hash,
        );
        write_member(&mut out, false, "format", &self.format);
        write_member(&mut out, false, "locale", &self.locale);
        write_member(&mut out, false, "notice_hash", &self.notice_hash);
        write_member(
            &mut out,
            false,
            "purposes_declined",
            &self.purposes_declined,
        );
        write_member(&mut out, false, "purposes_granted", &self.purposes_granted);
        write_member(&mut out, false, "receipt_id", &self.receipt_id);
        write_member(&mut out, false, "record_hash", &self.record_hash);
        let c = &self.separate_consents;
        out.extend_from_slice(b",\"separate_consents\":{");
        write_member(&mut out, true, "cross_border", &c.cross_border);
        write_member(&mut out, false, "guardian", &c.guardian);
        write_member(&mut out, false, "sensitive", &c.sensitive);
        out.push(b'}');
        write_member(&mut out, false, "signature_hash", &self.signature_hash);
        write_member(&mut out, false, "signed_at_ms", &self.signed_at_ms);
        write_member(&mut out, false, "subject_hash", &self.subject_hash);
        if let Some(salt) = &self.subject_salt {
            write_member(&mut out, false, "subject_salt", salt);
        }
        out.push(b'}');
        out
    }

    /// Signs the statement; returns (public key, signature), both base64url.
    #[must_use]
    pub fn sign(&self, key: &SigningKey) -> (String, String) {
        let signature = key.sign(&self.signing_bytes());
        (
            b64(key.verifying_key().as_bytes()),
            b64(&signature.to_bytes()),
        )
    }
}

/// A statement for tests.
#[cfg(test)]
pub(super) fn sample() -> ConsentStatement {
    use super::receipt::{sha256_tagged, subject_hash, SALTED_FORMAT};
    ConsentStatement {
        format: SALTED_FORMAT,
        receipt_id: "r1".into(),
        form_id: "f1".into(),
        form_version: 1,
        form_version_hash: sha256_tagged(b"form"),
        notice_hash: sha256_tagged(b"notice"),
        purposes_granted: vec!["service".into()],
        purposes_declined: vec!["marketing".into()],
        separate_consents: SeparateConsents::default(),
        subject_hash: subject_hash(b"salt", "alice@example.com"),
        subject_salt: Some(b64(b"salt")),
        signature_hash: sha256_tagged(b"sig"),
        record_hash: sha256_tagged(b"record"),
        signed_at_ms: 1,
        locale: Locale::En,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::consent::receipt::{domain_bytes, to_value};

    #[test]
    fn statement_bytes_start_with_the_domain_and_sorted_keys() {
        let bytes = sample().signing_bytes();
        assert!(bytes.starts_with(STATEMENT_DOMAIN));
        assert!(bytes[STATEMENT_DOMAIN.len()..].starts_with(b"{\"form_id\":"));
    }

    proptest::proptest! {
        /// The statement bytes written member by member equal the generic canonical
        /// encoding, whatever the strings, lists, flags and numbers hold.
        #[test]
        fn statement_bytes_equal_the_generic_encoding(
            text in "[\"\\\\\\u{0}-\\u{1f}a-z一-三\\u{2028}]{0,10}",
            purposes in proptest::collection::vec("\\PC{0,6}", 0..4),
            flags in proptest::array::uniform3(proptest::bool::ANY),
            numbers in (proptest::num::i64::ANY, proptest::num::i64::ANY, proptest::num::u32::ANY),
            zh in proptest::bool::ANY,
        ) {
            let mut s = sample();
            s.receipt_id.clone_from(&text);
            s.form_id = text.chars().rev().collect();
            s.form_version_hash.push_str(&text);
            s.subject_salt = (!zh).then(|| text.clone());
            s.purposes_granted.clone_from(&purposes);
            s.purposes_declined = purposes.into_iter().rev().collect();
            s.separate_consents = SeparateConsents {
                sensitive: flags[0],
                cross_border: flags[1],
                guardian: flags[2],
            };
            (s.form_version, s.signed_at_ms, s.format) = numbers;
            s.locale = if zh { Locale::ZhCn } else { Locale::En };
            proptest::prop_assert_eq!(
                s.signing_bytes(),
                domain_bytes(STATEMENT_DOMAIN, &to_value(&s))
            );
        }
    }
}
