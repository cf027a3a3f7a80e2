//! `consentry verify FILE`: checks a consent receipt with no network and no database.

use std::path::Path;

use shared::{
    api::consent::ReceiptDocument,
    consent::{public_key, PublishedKeySet, SignedReceipt},
};

/// Verifies the receipt in `file`; returns the exit code (0 valid, 1 invalid, 2 unusable
/// input) and a message for people.
#[must_use]
pub fn verify_file(file: &Path, keys: Option<&Path>) -> (i32, String) {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return (2, format!("cannot read {}: {e}", file.display())),
    };
    let (receipt, embedded) = if let Ok(doc) = serde_json::from_str::<ReceiptDocument>(&text) {
        (doc.receipt, Some(doc.server_key))
    } else {
        match serde_json::from_str::<SignedReceipt>(&text) {
            Ok(r) => (r, None),
            Err(e) => {
                return (
                    2,
                    format!("{} is not a Consentry receipt: {e}", file.display()),
                )
            }
        }
    };
    let key_id = receipt.body.server_key_id.clone();
    let (key, source) = match keys {
        Some(path) => {
            let set: PublishedKeySet = match std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
            {
                Ok(s) => s,
                Err(e) => return (2, format!("cannot read the key set {}: {e}", path.display())),
            };
            match set.find(&key_id) {
                Some(k) => (k.public_key.clone(), format!("key {key_id} from {}", path.display())),
                None => return (1, format!("INVALID: the receipt names key {key_id}, which {} does not contain", path.display())),
            }
        }
        None => match embedded {
            Some(k) if k.key_id == key_id => (
                k.public_key,
                format!("key {key_id} included in the receipt (compare it with the server's published keys)"),
            ),
            Some(_) => return (1, "INVALID: the key included in the receipt is not the one that signed it".to_owned()),
            None => return (2, "this receipt includes no key; pass --keys with the server's key set".to_owned()),
        },
    };
    let verified = public_key(&key, "server's public key").and_then(|k| receipt.verify_with(&k));
    let s = &receipt.body.statement;
    let together = receipt.batch.as_ref().map_or_else(String::new, |b| {
        format!(
            " (one signature over {} receipts, this one number {} by its Merkle proof)",
            b.size,
            b.index + 1
        )
    });
    let signer = receipt.body.device.as_ref().map_or_else(
        || "the customer's browser".to_owned(),
        |d| format!("staff device {} (its record number {})", d.id, d.seq),
    );
    match verified {
        Ok(()) => (
            0,
            format!(
                "VALID: receipt {} for form {} version {} ({}), signed by {signer} and countersigned with {source}{together}\n  granted: {}\n  declined: {}",
                s.receipt_id,
                s.form_id,
                s.form_version,
                s.form_version_hash,
                s.purposes_granted.join(", "),
                s.purposes_declined.join(", ")
            ),
        ),
        Err(e) => (1, format!("INVALID: {e}")),
    }
}
