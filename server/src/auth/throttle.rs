//! Sign-in throttling per client address, beside the back-off per account and address
//! (`backoff.rs`): at most `sign_in_failures_per_ip` failed sign-ins from one address in
//! a sliding window of 15 minutes, whatever the accounts; further attempts from it are
//! refused (429 with `Retry-After`) until the oldest failure leaves the window. The
//! refusal names no account, so it tells nothing about which user names exist.
//!
//! The failures are rows in the database, so every replica counts the same ones; they
//! are pruned as new ones arrive. An address is [`Origin::ip`]: what the server's socket
//! sees, or behind a reverse proxy named in `trusted_proxies`, the address it forwarded
//! (see [`crate::extract::client_ip`]); without that setting every client behind a proxy
//! shares the proxy's address. It is stored only as an [`AddressKey`].

use std::net::IpAddr;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use hmac::Mac as _;

use crate::{
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::now_ms,
};

/// The window failures are counted over.
pub const WINDOW_MS: i64 = 15 * 60_000;

/// A client's address as the records of failed sign-ins keep it: HMAC-SHA-256 under a
/// subkey of the server's, of the address (an IPv6 address by its /64, which one
/// subscriber usually holds whole). Addresses are personal data; the key makes the
/// hash useless to anyone who reads the database without the server's secrets (the
/// 2³² IPv4 addresses are too few for a plain hash to hide one).
#[derive(Clone, PartialEq, Eq)]
pub struct AddressKey(String);

impl std::fmt::Debug for AddressKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AddressKey(..)")
    }
}

impl AddressKey {
    /// The key of the caller's address; `None` when the server does not know it (a
    /// request that did not come through its listener).
    #[must_use]
    pub fn of(state: &AppState, origin: &Origin) -> Option<Self> {
        origin.ip.as_deref().map(|ip| {
            let group = ip.parse::<IpAddr>().map_or_else(
                |_| ip.to_owned(),
                |ip| crate::extract::address_group(ip).to_string(),
            );
            Self::keyed(state, &group)
        })
    }

    /// The key that stands for every client whose address is not known, so that they
    /// still meet the back-off (together).
    #[must_use]
    pub fn unknown(state: &AppState) -> Self {
        Self::keyed(state, "unknown")
    }

    fn keyed(state: &AppState, group: &str) -> Self {
        let mut mac = state.subkeys.mac("sign-in-address-v1");
        mac.update(group.as_bytes());
        Self(URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Refuses a sign-in attempt from an address with too many recent failures.
pub async fn check(state: &AppState, address: Option<&AddressKey>) -> AppResult<()> {
    let Some(address) = address else {
        return Ok(());
    };
    let now = now_ms();
    let (failures, oldest) = state
        .db
        .sign_in_failures_since(address.as_str(), now - WINDOW_MS)
        .await?;
    if failures < i64::from(state.config.sign_in_failures_per_ip) {
        return Ok(());
    }
    let free_at = oldest.unwrap_or(now) + WINDOW_MS;
    tracing::info!(
        failures,
        "sign-in refused: too many failures from this address"
    );
    Err(AppError::RateLimited {
        retry_after_secs: u64::try_from((free_at - now) / 1000 + 1).unwrap_or(1),
    })
}

/// Counts a failed sign-in against the caller's address.
pub async fn note_failure(state: &AppState, address: Option<&AddressKey>) -> AppResult<()> {
    if let Some(address) = address {
        let now = now_ms();
        state
            .db
            .record_sign_in_failure(address.as_str(), now, now - WINDOW_MS)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::extract::address_group;

    fn ip(text: &str) -> std::net::IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_and_ipv4_alone() {
        assert_eq!(address_group(ip("2001:db8::1")), ip("2001:db8::"));
        assert_eq!(
            address_group(ip("2001:db8::1")),
            address_group(ip("2001:db8::ffff:2"))
        );
        assert_ne!(
            address_group(ip("2001:db8::1")),
            address_group(ip("2001:db8:0:1::1"))
        );
        assert_eq!(address_group(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(address_group(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
    }
}
