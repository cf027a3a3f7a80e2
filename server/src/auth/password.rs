//! Password hashing with argon2id (OWASP's parameters: 19 MiB, 2 passes, 1 lane).

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, SaltString},
    Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version,
};

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock, Weak},
    time::Duration,
};

use shared::api::error::ErrorCode;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::{AppError, AppResult};

fn hasher() -> Argon2<'static> {
    // These constants are valid argon2 parameters; `Params::new` only rejects out-of-range values.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))
}

/// True when `password` matches the stored PHC string.
#[must_use]
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a random password, verified against when the user does not exist so that
/// a failed sign-in takes as long for an unknown name as for a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&crate::auth::random_token()).unwrap_or_default())
}

/// How long a password check waits for its turn before the caller is told to come back.
const TURN_WAIT: Duration = Duration::from_secs(10);

/// At most this many argon2 computations run at once, each holding 19 MiB: a flood of
/// sign-ins queues here instead of exhausting memory and the blocking pool.
fn turns() -> &'static Semaphore {
    static TURNS: OnceLock<Semaphore> = OnceLock::new();
    TURNS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Semaphore::new((2 * cores).clamp(2, 16))
    })
}

async fn turn() -> AppResult<SemaphorePermit<'static>> {
    match tokio::time::timeout(TURN_WAIT, turns().acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(AppError::client(
            ErrorCode::Unavailable,
            "Too many passwords are being checked right now; try again in a few seconds",
        )),
    }
}

/// Hashes on a blocking thread, in turn: argon2 is deliberately slow.
pub async fn hash_blocking(password: String) -> AppResult<String> {
    let _turn = turn().await?;
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|e| AppError::internal("hashing a password", e))?
        .map_err(AppError::from)
}

/// Verifies on a blocking thread, in turn.
pub async fn verify_blocking(password: String, stored: String) -> AppResult<bool> {
    let _turn = turn().await?;
    Ok(
        tokio::task::spawn_blocking(move || verify(&password, &stored))
            .await
            .unwrap_or(false),
    )
}

/// One sign-in at a time per account and client address in this process: an attempt
/// waits for the one before it from the same address to be counted, so parallel
/// guesses meet the back-off (`backoff.rs`) like serial ones instead of all passing its
/// check before any failure is recorded. Attempts from other addresses, the user's own
/// among them, do not queue behind a guesser's. The guard is held from reading the
/// account to counting the outcome.
pub async fn sign_in_turn(
    username: &str,
    address: &super::throttle::AddressKey,
) -> tokio::sync::OwnedMutexGuard<()> {
    static IN_FLIGHT: OnceLock<std::sync::Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>> =
        OnceLock::new();
    let lock = {
        let mut map = IN_FLIGHT
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, weak| weak.strong_count() > 0);
        // An address key has no newline, so the pair cannot be mistaken for another.
        let key = format!("{}\n{}", address.as_str(), username.to_lowercase());
        match map.get(&key).and_then(Weak::upgrade) {
            Some(lock) => lock,
            None => {
                let lock = Arc::new(tokio::sync::Mutex::new(()));
                map.insert(key, Arc::downgrade(&lock));
                lock
            }
        }
    };
    lock.lock_owned().await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery staple", &h));
        assert!(!verify("correct horse battery stapler", &h));
        assert!(!verify("anything", "not a phc string"));
    }
}
