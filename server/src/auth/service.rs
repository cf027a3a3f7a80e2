//! Sign-in (with the throttle per address and the back-off per account and address),
//! sign-out, password changes and the first admin account.

use shared::api::{
    auth::{
        password_problem, ChangePasswordRequest, CurrentUser, Role, SessionInfo, SignInRequest,
        MAX_PASSWORD_CHARS,
    },
    error::ErrorCode,
};
use shared::ids::UserId;

use super::{
    backoff, password, random_token,
    second_factor::{check_at_sign_in, SecondFactor},
    throttle::{self, AddressKey},
    token_hash, Principal,
};
use crate::{
    audit::{self, Event},
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::{
        now_ms,
        users::{NewSession, NewUser},
        Db,
    },
};

/// The one answer to every failed sign-in: a wrong password or code, an unknown user
/// name, a disabled account, and an address that waits (see `backoff.rs`).
fn wrong_credentials() -> AppError {
    AppError::client(ErrorCode::Unauthenticated, "Wrong user name or password")
}

/// Checks the credentials (and the second factor, when the account has one) and opens
/// a session. Returns the session and its token.
pub async fn login(
    state: &AppState,
    req: SignInRequest,
    origin: &Origin,
) -> AppResult<(SessionInfo, String)> {
    let SignInRequest {
        credentials: req,
        totp_code,
    } = req;
    let username = req.username.trim().to_owned();
    if username.is_empty() {
        return Err(AppError::invalid_field(
            "username",
            "required",
            "Enter your user name",
        ));
    }
    if req.password.is_empty() {
        return Err(AppError::invalid_field(
            "password",
            "required",
            "Enter your password",
        ));
    }
    // The caller's address for the throttle, and for the back-off of each account
    // (where clients whose address is unknown count as one).
    let known = AddressKey::of(state, origin);
    let address = known.as_ref();
    throttle::check(state, address).await?;
    let pair = known.clone().unwrap_or_else(|| AddressKey::unknown(state));
    let _turn = password::sign_in_turn(&username, &pair).await;
    if req.password.chars().count() > MAX_PASSWORD_CHARS {
        throttle::note_failure(state, address).await?;
        return Err(wrong_credentials());
    }
    let now = now_ms();
    let user = state.db.user_by_username(&username).await?;
    let Some(user) = user else {
        // Spend the same time as a real check so that names cannot be probed.
        let _ = password::verify_blocking(req.password, password::decoy_hash().to_owned()).await?;
        // The attempted name is not logged: it may be someone's phone number or email.
        let event = Event::new("auth.sign_in_failed", None)
            .details(serde_json::json!({"reason": "unknown_user"}));
        audit::record_alone(&state.db, origin, event, None).await?;
        throttle::note_failure(state, address).await?;
        return Err(wrong_credentials());
    };
    let run = backoff::run_of(state, &user, &pair).await?;
    if backoff::waits(run.as_ref(), now) {
        // Not checked, not even the right password, but answered like a wrong one after
        // the same work: a different answer would say that the name exists (and that
        // the password was right). See `backoff.rs`. It counts against the address like
        // any failure: otherwise the throttle's 429 would come one try later after a
        // waiting account than after an unknown name, and tell them apart.
        let _ = password::verify_blocking(req.password, password::decoy_hash().to_owned()).await?;
        backoff::note_refused_while_waiting(state, origin, &user).await?;
        throttle::note_failure(state, address).await?;
        return Err(wrong_credentials());
    }
    let ok = password::verify_blocking(req.password, user.password_hash.clone()).await?;
    if !ok || user.disabled {
        if !user.disabled {
            backoff::count_failure(state, origin, &user, &pair, "wrong_password", now).await?;
        }
        throttle::note_failure(state, address).await?;
        return Err(wrong_credentials());
    }
    match check_at_sign_in(state, &user, totp_code.as_deref()).await? {
        SecondFactor::Passed => {}
        // The password was right: not a failure, but no session without the code.
        SecondFactor::Missing => {
            return Err(AppError::client(
                ErrorCode::TotpRequired,
                "Enter the code from your authenticator app",
            ))
        }
        SecondFactor::Wrong => {
            backoff::count_failure(state, origin, &user, &pair, "wrong_totp_code", now).await?;
            throttle::note_failure(state, address).await?;
            return Err(wrong_credentials());
        }
    }
    backoff::forget(state, &user, &pair, run.as_ref()).await?;
    let _ = state.db.delete_expired_sessions(now).await?;
    let fresh = FreshSession::new(state, now);
    state.db.insert_session(user.id, &fresh.row()).await?;
    tracing::info!(user_id = %user.id, "signed in");
    let event = Event::new("auth.sign_in", None).target("user", user.id);
    audit::record_alone(
        &state.db,
        origin,
        event,
        Some((user.id, user.role.as_str())),
    )
    .await?;
    let info = SessionInfo {
        user: CurrentUser {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            role: user.role,
            must_change_password: user.must_change_password,
        },
        csrf_token: fresh.csrf_token,
        expires_at_ms: fresh.expires_at_ms,
    };
    Ok((info, fresh.token))
}

/// A new session's secrets: the token for the cookie, its CSRF token, and its expiry.
struct FreshSession {
    token: String,
    token_hash: String,
    csrf_token: String,
    now: i64,
    expires_at_ms: i64,
}

impl FreshSession {
    fn new(state: &AppState, now: i64) -> Self {
        let token = random_token();
        Self {
            token_hash: token_hash(&token),
            token,
            csrf_token: random_token(),
            now,
            expires_at_ms: state.sessions.expiry(now, now),
        }
    }

    fn row(&self) -> NewSession<'_> {
        NewSession {
            token_hash: &self.token_hash,
            csrf_token: &self.csrf_token,
            now: self.now,
            expires_at_ms: self.expires_at_ms,
        }
    }
}

/// Ends the caller's session.
pub async fn logout(state: &AppState, caller: &Principal, origin: &Origin) -> AppResult<()> {
    state.db.delete_session(&caller.session_hash).await?;
    let event = Event::new("auth.sign_out", Some(&caller.user)).target("user", caller.user.id);
    audit::record_alone(&state.db, origin, event, None).await?;
    Ok(())
}

/// Replaces the caller's password after checking the current one. Every session of the
/// account ends, the caller's too: the caller continues in a new one, whose token is
/// returned for the cookie.
pub async fn change_password(
    state: &AppState,
    caller: &Principal,
    req: ChangePasswordRequest,
    origin: &Origin,
) -> AppResult<(SessionInfo, String)> {
    let user = state
        .db
        .user_by_id(caller.user.id)
        .await?
        .ok_or_else(AppError::unauthenticated)?;
    if let Some(code) = password_problem(&req.new_password, &user.username) {
        let message = match code {
            "password_too_short" => format!(
                "Use at least {} characters",
                shared::api::auth::MIN_PASSWORD_CHARS
            ),
            "password_too_long" => format!("Use at most {MAX_PASSWORD_CHARS} characters"),
            _ => "The password must not contain your user name".to_owned(),
        };
        return Err(AppError::invalid_field("new_password", code, message));
    }
    if req.new_password == req.current_password {
        return Err(AppError::invalid_field(
            "new_password",
            "password_unchanged",
            "Choose a password different from the current one",
        ));
    }
    if !password::verify_blocking(req.current_password, user.password_hash.clone()).await? {
        return Err(AppError::invalid_field(
            "current_password",
            "password_wrong",
            "The current password is wrong",
        ));
    }
    let hash = password::hash_blocking(req.new_password).await?;
    let fresh = FreshSession::new(state, now_ms());
    state.db.set_password(user.id, &hash, &fresh.row()).await?;
    tracing::info!(user_id = %user.id, "password changed");
    let event = Event::new("auth.password_change", Some(&caller.user)).target("user", user.id);
    audit::record_alone(&state.db, origin, event, None).await?;
    let mut user = caller.user.clone();
    user.must_change_password = false;
    let info = SessionInfo {
        user,
        csrf_token: fresh.csrf_token,
        expires_at_ms: fresh.expires_at_ms,
    };
    Ok((info, fresh.token))
}

/// The session as the UI needs it.
#[must_use]
pub fn session_info(caller: &Principal) -> SessionInfo {
    SessionInfo {
        user: caller.user.clone(),
        csrf_token: caller.csrf_token.clone(),
        expires_at_ms: caller.expires_at_ms,
    }
}

/// Credentials of an account created at first start, to be shown once.
pub struct FirstAdmin {
    pub username: String,
    pub password: String,
}

/// On a database without users, creates the `admin` account with a random password
/// that must be changed at first sign-in.
pub async fn ensure_first_admin(db: &Db) -> anyhow::Result<Option<FirstAdmin>> {
    if db.count_users().await? > 0 {
        return Ok(None);
    }
    let password = readable_password();
    let hash = password::hash_blocking(password.clone()).await?;
    let id = UserId::from_uuid(uuid::Uuid::new_v4());
    let created = db
        .insert_user(&NewUser {
            id,
            username: "admin",
            display_name: "Administrator",
            role: Role::Admin,
            password_hash: &hash,
            must_change_password: true,
        })
        .await?;
    Ok(created.then(|| FirstAdmin {
        username: "admin".to_owned(),
        password,
    }))
}

/// 20 characters from an alphabet without look-alikes (about 115 bits).
pub(crate) fn readable_password() -> String {
    use rand::Rng as _;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|i| {
            let c = char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]);
            if i > 0 && i % 5 == 0 {
                format!("-{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_long_and_acceptable() {
        let p = readable_password();
        assert_eq!(p.chars().count(), 23);
        assert_eq!(password_problem(&p, "admin"), None);
        assert_ne!(p, readable_password());
    }
}
