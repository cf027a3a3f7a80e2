//! Accounts, sessions, CSRF protection and the permission every route declares.

pub mod backoff;
pub mod handlers;
pub mod password;
pub mod permission;
pub mod second_factor;
pub mod service;
pub mod session;
pub mod throttle;
pub mod totp;

pub use permission::{ApiRoutes, Caller, Permission, RouteSpec};
pub use session::Principal;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use rand::RngCore;

/// 256 random bits from the operating system, base64url without padding.
#[must_use]
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256 of a token: what the database keeps instead of the token.
#[must_use]
pub fn token_hash(token: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time that does not depend on where they differ (`subtle`,
/// whose comparison the optimiser cannot turn into an early exit). Only the lengths,
/// which are public (a hash, a code of fixed size), may end it early.
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn secrets_compare_equal_only_when_every_byte_and_the_length_match() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"csrf-token", b"csrf-token"));
        assert!(!constant_time_eq(b"csrf-token", b"csrf-tokem"));
        assert!(!constant_time_eq(b"csrf-token", b"csrf-toke"));
        assert!(!constant_time_eq(b"", b"x"));
    }
}
