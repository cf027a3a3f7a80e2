//! Back-off per account and client address, instead of locking the account: after
//! [`BACKOFF_AFTER_FAILURES`] failed sign-ins to one account from one address (its
//! [`AddressKey`]), that address must wait before its next try at that account is even
//! checked: one minute, doubling with each further failure, at most fifteen. Other
//! addresses are not affected, so nobody can lock a user (or the last admin) out by
//! guessing wrong, and the user at another address signs in as usual.
//!
//! A try made while its address waits is answered exactly like a wrong password or an
//! unknown user name (401 `unauthenticated`, same message), after the same argon2
//! work: a different answer would tell whoever guesses that the name exists. So the
//! password of such a try is not checked at all, the right one included: telling a
//! waiting address that its password was right, or even that it must wait, would be an
//! oracle. Its user learns nothing either; they can sign in from another address or
//! after the wait, and an admin can reset the password, which ends every wait.
//!
//! When an address first has to wait for an account, admins are alerted: an
//! `auth.backoff` audit entry (the account's id, the failures and the wait; neither
//! the address nor the name) and a warning in the log. The console's user list shows
//! the account while an address waits (`UserSummary::locked_until_ms`).

use super::throttle::{AddressKey, WINDOW_MS};
use crate::{
    audit::{self, Event},
    error::AppResult,
    extract::Origin,
    state::AppState,
    store::{second_factor::BackoffRow, users::UserRow},
};

/// Failed sign-ins to one account from one address before that address must wait.
pub const BACKOFF_AFTER_FAILURES: i64 = 5;
/// The first wait; each further failure doubles it.
pub const FIRST_WAIT_MS: i64 = 60_000;
/// The longest wait.
pub const MAX_WAIT_MS: i64 = 15 * 60_000;
/// A pair's failures are forgotten once it has been quiet this long after its last
/// failure and its last wait.
pub const FORGET_AFTER_MS: i64 = WINDOW_MS;

/// How long an address waits after its `failures`-th failure in a row: nothing before
/// [`BACKOFF_AFTER_FAILURES`], then [`FIRST_WAIT_MS`], doubling, at most [`MAX_WAIT_MS`].
#[must_use]
pub fn wait_ms(failures: i64) -> Option<i64> {
    let beyond = failures.checked_sub(BACKOFF_AFTER_FAILURES)?;
    // Past four doublings the wait is at its cap; the shift stays far from overflowing.
    let doublings = u32::try_from(beyond.min(4)).ok()?;
    Some((FIRST_WAIT_MS << doublings).min(MAX_WAIT_MS))
}

/// The run of failed sign-ins to `user` from `address`, read before its password is
/// checked.
pub async fn run_of(
    state: &AppState,
    user: &UserRow,
    address: &AddressKey,
) -> AppResult<Option<BackoffRow>> {
    Ok(state.db.backoff(user.id, address.as_str()).await?)
}

/// True when `run` makes its address wait at `now`.
#[must_use]
pub fn waits(run: Option<&BackoffRow>, now: i64) -> bool {
    run.and_then(|run| run.blocked_until_ms)
        .is_some_and(|until| until > now)
}

/// Records a try at `user` from an address that waits: not checked, not counted
/// against the pair (the wait does not grow while the address keeps trying), but
/// audited like any failed sign-in.
pub async fn note_refused_while_waiting(
    state: &AppState,
    origin: &Origin,
    user: &UserRow,
) -> AppResult<()> {
    tracing::info!(user_id = %user.id, "sign-in not checked: the address waits");
    let event = Event::new("auth.sign_in_failed", None)
        .target("user", user.id)
        .details(serde_json::json!({"reason": "backoff"}));
    audit::record_alone(
        &state.db,
        origin,
        event,
        Some((user.id, user.role.as_str())),
    )
    .await?;
    Ok(())
}

/// Counts a wrong password or second-factor code against `user` from `address`,
/// making the address wait when the run is long enough, and records it. The first
/// wait of a run alerts admins.
pub async fn count_failure(
    state: &AppState,
    origin: &Origin,
    user: &UserRow,
    address: &AddressKey,
    reason: &str,
    now: i64,
) -> AppResult<()> {
    let run = state
        .db
        .record_backoff_failure(
            user.id,
            address.as_str(),
            now,
            now - FORGET_AFTER_MS,
            wait_ms,
        )
        .await?;
    let wait_secs = run.blocked_until_ms.map(|until| (until - now) / 1000);
    tracing::info!(user_id = %user.id, failures = run.failures, "sign-in failed");
    let mut details = serde_json::json!({"reason": reason, "failures": run.failures});
    if let Some(secs) = wait_secs {
        details["backoff_secs"] = secs.into();
    }
    let event = Event::new("auth.sign_in_failed", None)
        .target("user", user.id)
        .details(details);
    audit::record_alone(
        &state.db,
        origin,
        event,
        Some((user.id, user.role.as_str())),
    )
    .await?;
    // Only the first wait of a run alerts; the longer ones after it would repeat it.
    if run.failures == BACKOFF_AFTER_FAILURES {
        if let Some(secs) = wait_secs {
            alert(state, user, run.failures, secs).await?;
        }
    }
    Ok(())
}

/// Tells admins that an address has started to wait for `user`: a warning in the log
/// and an `auth.backoff` audit entry, both without the address or the user name (the
/// entry has no origin and no actor: it describes the account, not who acted).
async fn alert(state: &AppState, user: &UserRow, failures: i64, wait_secs: i64) -> AppResult<()> {
    tracing::warn!(
        user_id = %user.id,
        failures,
        wait_secs,
        "repeated failed sign-ins to one account from one address: that address waits"
    );
    let event = Event::new("auth.backoff", None)
        .target("user", user.id)
        .details(serde_json::json!({"failures": failures, "backoff_secs": wait_secs}));
    audit::record_alone(&state.db, &Origin::default(), event, None).await?;
    Ok(())
}

/// Forgets the run of `address` at `user` after a sign-in from it worked.
pub async fn forget(
    state: &AppState,
    user: &UserRow,
    address: &AddressKey,
    run: Option<&BackoffRow>,
) -> AppResult<()> {
    if run.is_some() {
        state.db.forget_backoff(user.id, address.as_str()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_starts_at_the_fifth_failure_and_doubles_up_to_fifteen_minutes() {
        let waits: Vec<Option<i64>> = (0..=11).map(wait_ms).collect();
        let minute = 60_000;
        assert_eq!(
            waits,
            [
                None,
                None,
                None,
                None,
                None,
                Some(minute),
                Some(2 * minute),
                Some(4 * minute),
                Some(8 * minute),
                Some(15 * minute),
                Some(15 * minute),
                Some(15 * minute),
            ]
        );
        assert_eq!(wait_ms(i64::MAX), Some(MAX_WAIT_MS));
        assert_eq!(wait_ms(i64::MIN), None);
    }

    #[test]
    fn an_address_waits_only_until_its_wait_ends() {
        let run = BackoffRow {
            failures: 5,
            blocked_until_ms: Some(1_000),
        };
        assert!(waits(Some(&run), 999));
        assert!(!waits(Some(&run), 1_000));
        let counting = BackoffRow {
            failures: 4,
            blocked_until_ms: None,
        };
        assert!(!waits(Some(&counting), 0));
        assert!(!waits(None, 0));
    }
}
