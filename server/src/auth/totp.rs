//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA-1, 6 digits,
//! 30-second steps, one step of clock drift either way, and secrets sealed at rest.
//!
//! Why `hmac` + `sha1` rather than a TOTP crate: the algorithm is twenty lines over two
//! RustCrypto crates we already build (`hmac` for blind indexes, `sha1` through sqlx's
//! PostgreSQL driver), it is pinned below against RFC 6238's own test vectors, and a TOTP
//! crate would bring its own base32, URL and QR dependencies we do not need.
//!
//! The secret is never stored in clear: it is the first 20 bytes of a random
//! [`DataKey`], wrapped by the master key with the user id bound as context (the same
//! envelope as the server's signing keys), so a wrapped secret copied to another account
//! does not open.

use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::crypto::{CryptoError, DataKey, KeyWrapper, WrappedKey};

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Bytes of secret (160 bits, RFC 4226's recommendation for HMAC-SHA-1).
pub const SECRET_BYTES: usize = 20;
/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Consentry";

/// The step that `unix_ms` falls in.
#[must_use]
pub fn step_at(unix_ms: i64) -> i64 {
    unix_ms.div_euclid(STEP_SECONDS * 1000)
}

/// The 6-digit code of `secret` for `step`.
#[must_use]
pub fn code_at(secret: &[u8], step: i64) -> String {
    // HMAC accepts keys of any length.
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    // Dynamic truncation (RFC 4226 section 5.3).
    let offset = usize::from(hash[19] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    format!("{:06}", binary % 1_000_000)
}

/// The step within one of `now_ms`'s whose code is `code` (spaces ignored), if any.
#[must_use]
pub fn matching_step(secret: &[u8], code: &str, now_ms: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(now_ms);
    ((now - 1)..=(now + 1))
        .filter(|step| super::constant_time_eq(code_at(secret, *step).as_bytes(), code.as_bytes()))
        .max()
}

/// A TOTP secret in memory.
pub struct TotpSecret(DataKey);

impl TotpSecret {
    /// A new random secret.
    #[must_use]
    pub fn generate() -> Self {
        Self(DataKey::generate())
    }

    /// The bytes the codes are computed from.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.0.as_bytes()[..SECRET_BYTES]
    }

    /// The secret as authenticator apps take it: base32 without padding.
    #[must_use]
    pub fn base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(self.bytes())
    }

    /// Wraps the secret under the master key for `user_id`.
    #[must_use]
    pub fn seal(&self, master: &dyn KeyWrapper, user_id: &str) -> WrappedKey {
        self.0.wrap(master, &context(user_id))
    }

    /// Opens a secret wrapped for `user_id`.
    pub fn open(
        wrapped: &[u8],
        master: &dyn KeyWrapper,
        user_id: &str,
    ) -> Result<Self, CryptoError> {
        master
            .unwrap(wrapped, context(user_id).as_bytes())
            .map(Self)
    }
}

/// The context a user's secret is wrapped under (bound as additional data).
#[must_use]
pub fn context(user_id: &str) -> String {
    format!("totp-secret:{user_id}")
}

/// Decodes a base32 secret as shown to the user (for tests and tools).
#[must_use]
pub fn decode_base32(secret: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD
        .decode(secret.trim_end_matches('=').as_bytes())
        .ok()
}

/// The `otpauth://` URI (Google Authenticator's key-URI format) for `account`.
#[must_use]
pub fn otpauth_uri(account: &str, secret_base32: &str) -> String {
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret_base32}&issuer={issuer}\
         &algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        issuer = percent_encode(ISSUER),
        account = percent_encode(account),
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::crypto::LocalMasterKey;

    /// RFC 6238 appendix B, SHA-1 rows (its codes are 8 digits; ours are their last 6).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (unix, code8) in [
            (59_i64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(
                code_at(secret, step_at(unix * 1000)),
                code8[2..],
                "at {unix}"
            );
        }
    }

    #[test]
    fn codes_match_within_one_step_only() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_111_000;
        let step = step_at(now);
        for s in [step - 1, step, step + 1] {
            assert_eq!(matching_step(secret, &code_at(secret, s), now), Some(s));
        }
        assert_eq!(matching_step(secret, &code_at(secret, step + 2), now), None);
        assert_eq!(matching_step(secret, &code_at(secret, step - 2), now), None);
        let spaced = code_at(secret, step);
        let spaced = format!("{} {}", &spaced[..3], &spaced[3..]);
        assert_eq!(matching_step(secret, &spaced, now), Some(step));
        for bad in ["", "12345", "1234567", "abcdef"] {
            assert_eq!(matching_step(secret, bad, now), None, "{bad}");
        }
    }

    #[test]
    fn secrets_open_only_for_their_user() {
        let master = LocalMasterKey::generate();
        let secret = TotpSecret::generate();
        let wrapped = secret.seal(&master, "user-1");
        let opened = TotpSecret::open(&wrapped.bytes, &master, "user-1").unwrap();
        assert_eq!(opened.bytes(), secret.bytes());
        assert!(TotpSecret::open(&wrapped.bytes, &master, "user-2").is_err());
        assert_eq!(decode_base32(&secret.base32()).unwrap(), secret.bytes());
        assert_eq!(secret.base32().len(), 32);
    }

    #[test]
    fn otpauth_uris_name_issuer_and_account() {
        let uri = otpauth_uri("li wei", "JBSWY3DPEHPK3PXP");
        assert_eq!(
            uri,
            "otpauth://totp/Consentry:li%20wei?secret=JBSWY3DPEHPK3PXP&issuer=Consentry\
             &algorithm=SHA1&digits=6&period=30"
        );
    }
}
