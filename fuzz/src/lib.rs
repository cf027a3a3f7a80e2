//! What the fuzz targets share: fixed keys and a fixed day (so that a crash reproduces),
//! the demo form as a published version, and the builders of the seed corpus
//! (`examples/seeds.rs`).
//!
//! The targets call `shared`'s public API only; where the server adds a step of its own
//! before `shared` runs (the lenient sync-batch parse, the envelope a record claims), it
//! is mirrored here and says which server file it copies. Signatures need no mirror: the
//! server checks a device's with `shared`'s `SyncEnvelope::verify_with`.
#![forbid(unsafe_code)]

pub mod agree;
pub mod seeds;

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use shared::{
    api::{
        forms::{VersionDetail, VersionSummary},
        sync::{DeviceInfo, SyncRecord},
    },
    consent::{b64, notice_hash, PublishedKey, PublishedKeySet},
    schema::FormDefinition,
    sync::SyncEnvelope,
};
use time::{Date, Month};

/// The id of the server key that signs the seed receipts.
pub const SERVER_KEY_ID: &str = "fuzz-server-1";
/// The registered device that signed the seed sync batch.
pub const DEVICE_ID: &str = "8d1c6b5e-3f2a-4e0b-9c7d-1a2b3c4d5e6f";
/// The form the seeds' statements name.
pub const FORM_ID: &str = "0b6e1f0a-8a55-4b8e-9c1e-2d3c4b5a6978";
/// Where a `form_schema` input ends its definition and starts its answers: a JSON text
/// never holds a raw NUL byte, so no definition is lost to the split.
pub const SCHEMA_END: u8 = 0;

/// "Today" for validation and statement checks: a fixed day, so that a crash reproduces.
#[must_use]
pub fn today() -> Date {
    Date::from_calendar_date(2026, Month::June, 1).unwrap_or(Date::MIN)
}

/// The server's receipt-signing key (fixed; these keys protect nothing; made once).
#[must_use]
pub fn server_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_bytes(&[0x5e; 32]))
}

/// The published key set receipts are verified against: the server key, and a retired
/// one that signs nothing here. Made once: deriving public keys is most of a small
/// input's cost.
#[must_use]
pub fn key_set() -> &'static PublishedKeySet {
    static KEYS: OnceLock<PublishedKeySet> = OnceLock::new();
    KEYS.get_or_init(|| PublishedKeySet {
        keys: vec![
            PublishedKey {
                key_id: SERVER_KEY_ID.to_owned(),
                public_key: b64(server_key().verifying_key().as_bytes()),
                created_at_ms: 1_700_000_000_000,
                retired_at_ms: None,
            },
            PublishedKey {
                key_id: "fuzz-server-0".to_owned(),
                public_key: b64(SigningKey::from_bytes(&[0x50; 32])
                    .verifying_key()
                    .as_bytes()),
                created_at_ms: 1_600_000_000_000,
                retired_at_ms: Some(1_700_000_000_000),
            },
        ],
    })
}

/// A customer's browser key (per submission in real life).
#[must_use]
pub fn browser_key() -> SigningKey {
    SigningKey::from_bytes(&[0xb0; 32])
}

/// The staff device's key.
#[must_use]
pub fn device_key() -> SigningKey {
    SigningKey::from_bytes(&[0xde; 32])
}

/// The device as the server has it registered (made once).
#[must_use]
pub fn device() -> &'static DeviceInfo {
    static DEVICE: OnceLock<DeviceInfo> = OnceLock::new();
    DEVICE.get_or_init(|| DeviceInfo {
        id: id(DEVICE_ID),
        name: "fuzz device".to_owned(),
        user_id: id("5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"),
        public_key: b64(device_key().verifying_key().as_bytes()),
        created_at_ms: 1_700_000_000_000,
        revoked_at_ms: None,
        last_seq: 0,
    })
}

/// An id from one of this crate's constants: a typed id (`shared::ids`) or a `String`,
/// whichever the payload field is, so the fixtures need no change as fields move from
/// one to the other.
///
/// # Panics
/// If the constant is not a UUID (a mistake in this file).
#[must_use]
pub fn id<T: TryFrom<&'static str>>(text: &'static str) -> T {
    match T::try_from(text) {
        Ok(id) => id,
        Err(_) => panic!("{text} is not a UUID"),
    }
}

/// The demo form published as version 1 of [`FORM_ID`].
#[must_use]
pub fn demo_version() -> VersionDetail {
    let definition = FormDefinition::demo_customer_registration();
    VersionDetail {
        summary: VersionSummary {
            number: 1,
            hash: definition.version_hash(),
            published_at_ms: 1_700_000_000_000,
            published_by: None,
        },
        form_id: id(FORM_ID),
        definition,
    }
}

/// [`demo_version`] and its notice hash, made once (the server caches them too).
#[must_use]
pub fn demo() -> &'static (VersionDetail, String) {
    static DEMO: OnceLock<(VersionDetail, String)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let version = demo_version();
        let notice = notice_hash(&version.definition);
        (version, notice)
    })
}

/// The envelope the server expects `device` to have signed for `record`, whose answers
/// hash to `payload_hash` (`server/src/sync/verify.rs`, `envelope_of`).
#[must_use]
pub fn envelope_of(device_id: &str, record: &SyncRecord, payload_hash: String) -> SyncEnvelope {
    SyncEnvelope {
        uuid: record.uuid.clone(),
        device_id: device_id.to_owned(),
        seq: record.seq,
        form_id: record.form_id.clone(),
        form_version: record.form_version,
        form_version_hash: record.statement.form_version_hash.clone(),
        payload_hash,
        statement_hash: shared::sync::statement_hash(&record.statement),
        base_version: record.base_version,
    }
}
