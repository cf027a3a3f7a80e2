//! Devices: registration, listing, revocation, and the server's share of the key that
//! seals each device's outbox in the browser.

use hmac::Mac as _;
use shared::ids::DeviceId;
use shared::{
    api::{
        auth::Role,
        error::ErrorCode,
        sync::{DeviceInfo, OutboxKey, RegisterDevice},
    },
    consent::{b64, DeviceKey},
};

use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::now_ms,
};

/// Registers the caller's device key.
pub async fn register(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    req: RegisterDevice,
) -> AppResult<DeviceInfo> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid_field(
            "name",
            "name_invalid",
            "Give the device a name of 1 to 80 characters",
        ));
    }
    // A key of small order would let anyone sign for the device; one of mixed order
    // signs records whose receipts verify for some messages and not for others.
    if DeviceKey::parse(&req.public_key).is_err() {
        return Err(AppError::invalid_field(
            "public_key",
            "public_key_invalid",
            "The public key must be a base64url ed25519 key of prime order, canonically written",
        ));
    }
    let device = DeviceInfo {
        id: DeviceId::from_uuid(uuid::Uuid::new_v4()),
        name: name.to_owned(),
        user_id: caller.user.id,
        public_key: req.public_key,
        created_at_ms: now_ms(),
        revoked_at_ms: None,
        last_seq: 0,
    };
    if !state.db.insert_device(&device).await? {
        return Err(AppError::conflict("This device key is already registered"));
    }
    let event = Event::new("devices.register", Some(&caller.user)).target("device", device.id);
    audit::record_alone(&state.db, origin, event, None).await?;
    Ok(device)
}

/// The caller's devices (every device, for an admin).
pub async fn list(state: &AppState, caller: &Principal) -> AppResult<Vec<DeviceInfo>> {
    let own = (caller.role() != Role::Admin).then_some(caller.user.id);
    Ok(state.db.devices(own).await?)
}

/// Revokes a device (its owner or an admin); its records are refused from then on.
pub async fn revoke(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    id: DeviceId,
) -> AppResult<DeviceInfo> {
    let not_found = || AppError::not_found("No such device");
    let device = state.db.device(id).await?.ok_or_else(not_found)?;
    if device.user_id != caller.user.id && caller.role() != Role::Admin {
        return Err(not_found());
    }
    state.db.revoke_device(id, now_ms()).await?;
    let event = Event::new("devices.revoke", Some(&caller.user)).target("device", id);
    audit::record_alone(&state.db, origin, event, None).await?;
    state.db.device(id).await?.ok_or_else(not_found)
}

/// The server's share of the key that seals a device's outbox (see [`OutboxKey`]):
/// derived from the device's id and public key, for its owner only (not even an admin)
/// and refused once it is revoked.
pub async fn outbox_key(
    state: &AppState,
    caller: &Principal,
    id: DeviceId,
) -> AppResult<OutboxKey> {
    let device = state
        .db
        .device(id)
        .await?
        .filter(|d| d.user_id == caller.user.id)
        .ok_or_else(|| AppError::not_found("This device is not registered to you"))?;
    if device.revoked_at_ms.is_some() {
        return Err(revoked());
    }
    let mut mac = state.subkeys.mac("device-outbox-key-v1");
    mac.update(device.id.to_string().as_bytes());
    mac.update(b"\0");
    mac.update(device.public_key.as_bytes());
    Ok(OutboxKey {
        key: b64(&mac.finalize().into_bytes()),
    })
}

pub(super) fn revoked() -> AppError {
    AppError::client(
        ErrorCode::Forbidden,
        "This device was revoked; its records are refused. Ask an admin, then register the device again",
    )
}
