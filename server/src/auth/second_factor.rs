//! The optional second factor of an account: setting up a TOTP secret, confirming it
//! with a code, turning it off with both factors, and checking codes at sign-in.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use shared::api::auth::{TotpDisableRequest, TotpEnableRequest, TotpSetup};
use shared::ids::UserId;

use super::{
    password,
    totp::{matching_step, otpauth_uri, TotpSecret},
    Principal,
};
use crate::{
    audit::{self, Event},
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::{now_ms, second_factor, users::UserRow},
};

fn wrong_code() -> AppError {
    AppError::invalid_field(
        "code",
        "totp_wrong",
        "The code is wrong or was already used; enter the current one",
    )
}

/// Opens a stored secret of `user_id`.
fn open_secret(state: &AppState, user_id: UserId, wrapped: &str) -> AppResult<TotpSecret> {
    let bytes = URL_SAFE_NO_PAD
        .decode(wrapped)
        .map_err(|e| AppError::internal(format!("TOTP secret of {user_id}"), e))?;
    TotpSecret::open(&bytes, state.master.as_ref(), &user_id.to_string())
        .map_err(|e| AppError::internal(format!("opening the TOTP secret of {user_id}"), e))
}

/// Makes a new secret for the caller, to be confirmed with [`enable`]; replaces one
/// not yet confirmed. 409 when a second factor is already on.
pub async fn setup(state: &AppState, caller: &Principal, origin: &Origin) -> AppResult<TotpSetup> {
    let user_id = caller.user.id;
    let secret = TotpSecret::generate();
    let wrapped = secret.seal(state.master.as_ref(), &user_id.to_string());
    let mut tx = state.db.begin_write().await?;
    let stored = second_factor::put_pending_totp(
        &mut tx,
        user_id,
        &URL_SAFE_NO_PAD.encode(&wrapped.bytes),
        &wrapped.master_key_id,
        now_ms(),
    )
    .await?;
    if !stored {
        return Err(AppError::conflict(
            "A second factor is already on; turn it off before setting up a new one",
        ));
    }
    let event = Event::new("auth.totp_setup", Some(&caller.user)).target("user", user_id);
    audit::record(&mut tx, origin, event).await?;
    tx.commit().await?;
    let base32 = secret.base32();
    Ok(TotpSetup {
        otpauth_uri: otpauth_uri(&caller.user.username, &base32),
        secret: base32,
    })
}

/// Turns the second factor on once the password is given again and a code shows the
/// authenticator holds the secret.
pub async fn enable(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    req: TotpEnableRequest,
) -> AppResult<()> {
    let user_id = caller.user.id;
    let row = match state.db.totp(user_id).await? {
        Some(row) if row.enabled => {
            return Err(AppError::conflict("The second factor is already on"))
        }
        Some(row) => row,
        None => {
            return Err(AppError::conflict(
                "Set up a second factor first: there is no secret to confirm",
            ))
        }
    };
    check_password(state, user_id, req.password).await?;
    let secret = open_secret(state, user_id, &row.secret_wrapped)?;
    let now = now_ms();
    let step = matching_step(secret.bytes(), &req.code, now).ok_or_else(wrong_code)?;
    let mut tx = state.db.begin_write().await?;
    if !second_factor::enable_totp(&mut tx, user_id, step, now).await? {
        return Err(AppError::conflict(
            "The secret changed or was confirmed meanwhile; set it up again",
        ));
    }
    let event = Event::new("auth.totp_enable", Some(&caller.user)).target("user", user_id);
    audit::record(&mut tx, origin, event).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, "second factor turned on");
    Ok(())
}

/// The account's password, asked again before its second factor changes.
async fn check_password(state: &AppState, user_id: UserId, password: String) -> AppResult<()> {
    let user = state
        .db
        .user_by_id(user_id)
        .await?
        .ok_or_else(AppError::unauthenticated)?;
    if password::verify_blocking(password, user.password_hash).await? {
        Ok(())
    } else {
        Err(AppError::invalid_field(
            "password",
            "password_wrong",
            "The password is wrong",
        ))
    }
}

/// Turns the second factor off; needs the password and a fresh code.
pub async fn disable(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    req: TotpDisableRequest,
) -> AppResult<()> {
    let user_id = caller.user.id;
    let Some(row) = state.db.totp(user_id).await?.filter(|r| r.enabled) else {
        return Err(AppError::conflict("The second factor is not on"));
    };
    check_password(state, user_id, req.password).await?;
    let secret = open_secret(state, user_id, &row.secret_wrapped)?;
    let step = matching_step(secret.bytes(), &req.code, now_ms()).ok_or_else(wrong_code)?;
    let mut tx = state.db.begin_write().await?;
    if !second_factor::delete_totp_with_step(&mut tx, user_id, step).await? {
        return Err(wrong_code());
    }
    let event = Event::new("auth.totp_disable", Some(&caller.user)).target("user", user_id);
    audit::record(&mut tx, origin, event).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, "second factor turned off");
    Ok(())
}

/// What the second factor says about a sign-in whose password was right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    /// The account has none, or the code is right and unused.
    Passed,
    /// The account has one and no code came with the request.
    Missing,
    /// The code is wrong, or was used before.
    Wrong,
}

/// Checks `code` for `user` at sign-in; an accepted code's step is used up.
pub async fn check_at_sign_in(
    state: &AppState,
    user: &UserRow,
    code: Option<&str>,
) -> AppResult<SecondFactor> {
    let Some(row) = state.db.totp(user.id).await?.filter(|r| r.enabled) else {
        return Ok(SecondFactor::Passed);
    };
    let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
        return Ok(SecondFactor::Missing);
    };
    let secret = open_secret(state, user.id, &row.secret_wrapped)?;
    let Some(step) = matching_step(secret.bytes(), code, now_ms()) else {
        return Ok(SecondFactor::Wrong);
    };
    Ok(if state.db.accept_totp_step(user.id, step).await? {
        SecondFactor::Passed
    } else {
        SecondFactor::Wrong
    })
}
