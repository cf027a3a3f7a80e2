//! `POST /sync` and the offline receipt verifier must agree on a device's signature: a
//! record the server accepts is countersigned into a receipt, and that receipt must
//! verify wherever it is checked (`consentry verify`, `/verify`, the server's own
//! check). The server checks a device signature with `shared`'s
//! `SyncEnvelope::verify_with` (the key parsed as a `DeviceKey`: of prime order,
//! canonically written); the receipt verifier with `ReceiptBody::verify_client_signature`.
//! Both end in `shared::consent::verify_signature`, so they agree by construction; this
//! target keeps it so. Until issue #18 the server ran ed25519-zebra's batch check, which
//! accepts torsion in `R` and in the key and non-canonical points, and this target found
//! those. The input is a key, a statement's receipt id and a signature (see
//! `fuzz_support::agree` for the layout).
//!
//! Asserted for every key: what the server accepts, the receipt verifier accepts; for
//! keys the server registers, the two agree; an honest signature under such a key
//! passes both.
#![no_main]

use fuzz_support::agree::AgreeCase;
use libfuzzer_sys::fuzz_target;
use shared::consent::DeviceKey;

fuzz_target!(|data: &[u8]| {
    let Some(case) = AgreeCase::parse(data) else {
        return;
    };
    let triple = case.triple();
    let receipt = &triple.receipt;
    // What `server/src/sync/verify.rs` runs for the record (`verify_signatures`).
    let server = triple
        .envelope
        .verify(&receipt.client_public_key, &receipt.client_signature)
        .is_ok();
    let offline = receipt.verify_client_signature().is_ok();
    assert!(
        !server || offline,
        "the server accepts a signature the receipt verifier refuses: {case:?}"
    );
    if DeviceKey::parse(&receipt.client_public_key).is_ok() {
        assert_eq!(
            server, offline,
            "the server and the receipt verifier disagree under a key it registers: {case:?}"
        );
        // A known-good signature: honest, under a key the server registers.
        if case.is_honest() {
            assert!(server, "an honest signature does not verify: {case:?}");
        }
    }
});
