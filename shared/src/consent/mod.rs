//! Consent receipts: what a customer agreed to, signed by their browser and countersigned
//! by the server, verifiable offline by anyone with the server's public key.
//!
//! # Canonical bytes
//!
//! Two byte strings are signed, each a fixed ASCII domain line followed by the canonical
//! JSON (see [`crate::schema::canonical_json`]: compact, object keys sorted by UTF-8
//! bytes, no floats) of a structure:
//!
//! * the **statement** the browser signs with its per-submission key:
//!   `b"consentry-consent-statement-v1\n" || canonical_json(ConsentStatement)`;
//! * the **receipt** the server countersigns:
//!   `b"consentry-consent-receipt-v1\n" || canonical_json(ReceiptBody)`, where the body is
//!   the statement plus the browser's public key and signature, the time the server
//!   received it and the id of the server key.
//!
//! Signatures are plain ed25519 (RFC 8032) over those bytes, checked everywhere by one
//! rule ([`verify_signature`]; device keys: [`DeviceKey`]), except that receipts the
//! server countersigns together (a staff device's sync batch) carry a `batch` proof and
//! share one signature over the root of a Merkle tree of their receipt bytes (see
//! [`batch`]). Keys and signatures travel
//! as unpadded base64url; hashes as `sha256:` + lower-case hex. The files in
//! `shared/tests/vectors/` pin a statement and a receipt with their exact bytes, keys and
//! signatures; a test checks them with Node's `crypto` as well as ed25519-dalek.
//!
//! A statement is put together in one place, [`build_statement`], by the customer app,
//! staff devices and the test client alike; the server checks it with
//! [`check_statement`]. Its hashes of the subject, signature and answers are keyed by a
//! random [`HashKey`] that travels beside it, not in it (format 2; see [`keyed`]).

pub mod batch;
mod build;
pub mod keyed;
pub mod notice;
mod receipt;
mod signatures;
mod statement;
mod submission;

pub use build::*;
pub use keyed::{HashKey, KEYED_HASH_PREFIX};
pub use receipt::*;
pub use signatures::*;
pub use statement::*;
pub use submission::*;
