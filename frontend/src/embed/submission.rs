//! Signing and keeping a submission, exactly as `tests/src/consent.rs` does: a fresh
//! ed25519 key per submission, a random salt for the subject hash, and the statement from
//! `shared::consent::build_statement`. Until the server confirms it, the signed request is
//! kept in `localStorage` so a reload or a network failure loses nothing, and a retry
//! sends the very same request (same receipt id), which the server answers as a replay.

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use shared::api::consent::SubmitRequest;
use shared::api::forms::VersionDetail;
use shared::consent::{
    build_statement, sign_submission, ConsentChoices, ConsentStatement, HashKey, Signing,
};
use shared::i18n::Locale;
use shared::schema::ValidatedAnswers;
use wasm_bindgen::JsCast;

use crate::submit::Collected;

/// The customer's choices, under the name `offline::outbox` knows them by.
pub use shared::consent::ConsentChoices as Choices;

/// A signed submission not yet confirmed by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub form_id: String,
    pub request: SubmitRequest,
    /// When it was kept (browser clock); entries from before this field are stale.
    #[serde(default)]
    pub kept_at_ms: i64,
}

/// How long an unconfirmed submission is offered again. It holds the customer's answers
/// in clear, so it is kept only for this tab (session storage, gone when the tab
/// closes) and only this long: on a shared kiosk the next visitor must not find the
/// previous customer's answers, nor resend them and receive their receipt and
/// withdrawal link.
pub const PENDING_TTL_MS: i64 = 30 * 60_000;

/// True while a submission kept at `kept_at_ms` may still be offered again at `now_ms`.
#[must_use]
pub fn is_fresh(kept_at_ms: i64, now_ms: i64) -> bool {
    (0..PENDING_TTL_MS).contains(&(now_ms - kept_at_ms))
}

/// `bytes` random bytes from the browser's cryptographic generator.
pub(crate) fn random<const N: usize>() -> Option<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out).ok()?;
    Some(out)
}

/// A time-ordered (version 7, RFC 9562) UUID, the receipt id: 48 bits of milliseconds,
/// then 74 random bits. Ids that grow with time land at the end of the server's
/// receipt index instead of on a random page of it.
pub(crate) fn new_receipt_id() -> Option<String> {
    let mut b = random::<16>()?;
    let ms = now_ms().to_be_bytes();
    b[..6].copy_from_slice(&ms[2..]);
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// Milliseconds since the epoch on the browser's clock.
pub(crate) fn now_ms() -> i64 {
    // Whole milliseconds fit an i64 for the next few hundred million years.
    #[allow(clippy::cast_possible_truncation)]
    let ms = js_sys::Date::now() as i64;
    ms
}

/// Builds and signs the submission of what the customer gave (checked by
/// `crate::submit::check`). `None` only when the browser has no random source.
#[must_use]
pub fn sign(version: &VersionDetail, collected: Collected) -> Option<SubmitRequest> {
    let key = SigningKey::from_bytes(&random::<32>()?);
    let Collected {
        answers,
        validated,
        choices,
        locale,
    } = collected;
    let (statement, hash_key) =
        statement(version, &validated, &choices, locale, new_receipt_id()?)?;
    Some(sign_submission(statement, &hash_key, answers, &key))
}

/// The consent statement for `validated` answers with `receipt_id`, signed at the
/// browser's current time, and the fresh random key of its hashes (sent beside it, and
/// kept in the customer's receipt document). Staff devices use it too, with the record's
/// UUID as receipt id. `None` only when the browser has no random source.
#[must_use]
pub(crate) fn statement(
    version: &VersionDetail,
    validated: &ValidatedAnswers,
    choices: &ConsentChoices,
    locale: Locale,
    receipt_id: String,
) -> Option<(ConsentStatement, HashKey)> {
    let hash_key = HashKey::from_bytes(random::<32>()?);
    let signing = Signing {
        receipt_id,
        hash_key: hash_key.clone(),
        signed_at_ms: now_ms(),
        locale,
    };
    Some((
        build_statement(version, validated, choices, signing),
        hash_key,
    ))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn pending_key(form_id: &str) -> String {
    format!("consentry.pending.{form_id}")
}

/// Keeps `pending` until [`forget`] or [`PENDING_TTL_MS`] (a full storage just means no
/// safety net).
pub fn keep(pending: &Pending) {
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(pending)) {
        let _ = s.set_item(&pending_key(&pending.form_id), &json);
    }
}

/// The unconfirmed submission of this form, if one was kept.
#[must_use]
pub fn kept(form_id: &str) -> Option<Pending> {
    let json = storage()?.get_item(&pending_key(form_id)).ok().flatten()?;
    let pending = serde_json::from_str::<Pending>(&json)
        .ok()
        .filter(|p| is_fresh(p.kept_at_ms, now_ms()));
    if pending.is_none() {
        forget(form_id);
    }
    pending
}

/// Whether an unconfirmed submission of this form is kept (without decoding it: the
/// first stage asks, and must stay small).
#[must_use]
pub fn has_kept(form_id: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Kept {
        kept_at_ms: i64,
    }
    storage()
        .and_then(|s| s.get_item(&pending_key(form_id)).ok().flatten())
        .and_then(|json| serde_json::from_str::<Kept>(&json).ok())
        .is_some_and(|k| is_fresh(k.kept_at_ms, now_ms()))
}

/// Drops the kept submission once the server has it.
pub fn forget(form_id: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&pending_key(form_id));
    }
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// A date and time in the browser's time zone, `YYYY-MM-DD HH:MM`.
#[must_use]
pub fn local_time(ms: i64) -> String {
    // Milliseconds since the epoch are exact in an f64 for any real date.
    #[allow(clippy::cast_precision_loss)]
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unconfirmed_submission_is_offered_again_for_half_an_hour_only() {
        let now = 10 * PENDING_TTL_MS;
        assert!(is_fresh(now, now));
        assert!(is_fresh(now - PENDING_TTL_MS + 1, now));
        assert!(!is_fresh(now - PENDING_TTL_MS, now));
        // Kept "in the future" (the clock was moved back) or before the field existed.
        assert!(!is_fresh(now + 1, now));
        assert!(!is_fresh(0, now));
    }
}
