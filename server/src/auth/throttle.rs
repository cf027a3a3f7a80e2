//! Sign-in throttling per client address, beside the per-account lock-out: at most
//! `sign_in_failures_per_ip` failed sign-ins from one address in a sliding window of
//! 15 minutes; further attempts from it are refused (429 with `Retry-After`) until the
//! oldest failure leaves the window.
//!
//! The failures are rows in the database, so every replica counts the same ones; they
//! are pruned as new ones arrive. An address is [`Origin::ip`]: what the server's socket
//! sees, or behind a reverse proxy named in `trusted_proxies`, the address it forwarded
//! (see [`crate::extract::client_ip`]); without that setting every client behind a proxy
//! shares the proxy's address.

use crate::{
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::now_ms,
};

/// The window failures are counted over.
pub const WINDOW_MS: i64 = 15 * 60_000;

/// Refuses a sign-in attempt from an address with too many recent failures.
pub async fn check(state: &AppState, origin: &Origin) -> AppResult<()> {
    let Some(ip) = origin.ip.as_deref() else {
        return Ok(());
    };
    let now = now_ms();
    let (failures, oldest) = state.db.sign_in_failures_since(ip, now - WINDOW_MS).await?;
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
pub async fn note_failure(state: &AppState, origin: &Origin) -> AppResult<()> {
    if let Some(ip) = origin.ip.as_deref() {
        let now = now_ms();
        state
            .db
            .record_sign_in_failure(ip, now, now - WINDOW_MS)
            .await?;
    }
    Ok(())
}
