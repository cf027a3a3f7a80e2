//! A consent receipt (JSON) as a customer keeps it, verified offline against a fixed
//! published key set, as `consentry verify` does (`server/src/receipt_cli.rs`). Nothing
//! may panic; the statement's signed bytes are its canonical JSON, the receipt's bytes
//! composed from them equal the generic encoding, and a receipt that verifies still
//! verifies once written and read again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::{
    consent::{ConsentStatement, SignedReceipt, STATEMENT_DOMAIN},
    schema::canonical_json_bytes,
};

fuzz_target!(|data: &[u8]| {
    let Ok(receipt) = serde_json::from_slice::<SignedReceipt>(data) else {
        // Not a receipt: perhaps a statement alone, whose bytes are still checked.
        if let Ok(statement) = serde_json::from_slice::<ConsentStatement>(data) {
            check_statement_bytes(&statement);
        }
        return;
    };
    let statement_bytes = check_statement_bytes(&receipt.body.statement);

    // The server writes a receipt's bytes from the statement's (one encoding fewer);
    // they must be the generic canonical encoding of the body.
    let body_bytes = receipt.body.signing_bytes();
    assert_eq!(
        receipt.body.signing_bytes_with(&statement_bytes).as_deref(),
        Some(&body_bytes[..]),
        "the composed receipt bytes differ from the generic encoding"
    );

    let keys = fuzz_support::key_set();
    let verdict = receipt.verify(keys);
    let _ = receipt.body.verify_client_signature();
    if let Some(proof) = &receipt.batch {
        let _ = proof.root(shared::consent::batch::leaf_hash(&body_bytes));
    }
    if verdict.is_ok() {
        let json = serde_json::to_vec(&receipt).unwrap_or_default();
        let again: SignedReceipt = match serde_json::from_slice(&json) {
            Ok(again) => again,
            Err(e) => panic!("a verified receipt's own JSON does not read: {e}"),
        };
        assert_eq!(
            again, receipt,
            "a verified receipt changed through its JSON"
        );
        assert_eq!(again.verify(keys), Ok(()), "it no longer verifies");
    } else if let Err(error) = &verdict {
        let _ = error.to_string();
    }
});

/// The statement's signing bytes, checked against the generic canonical encoding.
fn check_statement_bytes(statement: &ConsentStatement) -> Vec<u8> {
    let bytes = statement.signing_bytes();
    assert_eq!(
        bytes,
        domain_bytes(STATEMENT_DOMAIN, statement),
        "the statement bytes written member by member are not the canonical JSON"
    );
    bytes
}

/// `domain || canonical_json(value)`, the documented encoding of what is signed.
fn domain_bytes<T: serde::Serialize>(domain: &[u8], value: &T) -> Vec<u8> {
    let value = match serde_json::to_value(value) {
        Ok(value) => value,
        Err(e) => panic!("a receipt part does not serialise: {e}"),
    };
    [domain, &canonical_json_bytes(&value)[..]].concat()
}
