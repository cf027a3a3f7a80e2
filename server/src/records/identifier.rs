//! A person's identifier (phone, email, resident ID) as the blind index finds it: the
//! one normalisation that lookups, legal holds and data-subject requests share, so a
//! number typed with spaces or `+86` finds what the form stored.

use shared::{
    api::records::IdentifierKind,
    schema::{EmailAddress, PhoneFormat, PhoneNumber, ResidentId},
};

use crate::{
    crypto::blind_index,
    error::{AppError, AppResult},
    state::AppState,
};

/// The blind index of `value` read as a `kind`, or a 422 naming `field` (with codes
/// `phone_invalid`, `email_invalid`, `resident_id_invalid`).
pub fn index_of(
    state: &AppState,
    kind: IdentifierKind,
    value: &str,
    field: &str,
) -> AppResult<String> {
    let invalid = |code: &str, message: &str| AppError::invalid_field(field, code, message);
    let today = time::OffsetDateTime::from_unix_timestamp(state.clock.now_ms() / 1000)
        .map(time::OffsetDateTime::date)
        .map_err(|e| AppError::internal("today", e))?;
    let normalised = match kind {
        IdentifierKind::Phone => {
            PhoneNumber::parse(value, &[PhoneFormat::CnMobile, PhoneFormat::E164])
                .map_err(|_| invalid("phone_invalid", "Not a mobile number this system stores"))?
                .as_str()
                .to_owned()
        }
        IdentifierKind::Email => EmailAddress::parse(value)
            .map_err(|_| invalid("email_invalid", "Not an email address"))?
            .as_str()
            .to_owned(),
        IdentifierKind::ResidentId => ResidentId::parse(value, today)
            .map_err(|_| invalid("resident_id_invalid", "Not a valid resident ID number"))?
            .as_str()
            .to_owned(),
    };
    Ok(blind_index(&state.subkeys, kind.as_str(), &normalised))
}
