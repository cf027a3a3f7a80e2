//! The `verify` subcommand checks a receipt offline, and a one-byte change fails it.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn vector() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/tests/vectors/receipt-v1.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_consentry"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_receipt_verifies_offline_and_a_changed_byte_fails() {
    let dir = tempfile::tempdir().unwrap();
    let v = vector();
    let receipt = v["receipt"].clone();
    let key_id = receipt["body"]["server_key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = serde_json::json!({
        "format": "consentry-receipt-v1",
        "receipt": receipt,
        "server_key": {"key_id": key_id, "public_key": v["server_public_key"], "created_at_ms": 0},
    });
    let path = dir.path().join("receipt.json");
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let (code, out) = run(&["verify", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("VALID"), "{out}");

    // With the published key set instead of the included key.
    let keys = dir.path().join("keys.json");
    std::fs::write(
        &keys,
        serde_json::to_string(&serde_json::json!({"keys": [doc["server_key"]]})).unwrap(),
    )
    .unwrap();
    let (code, _) = run(&[
        "verify",
        path.to_str().unwrap(),
        "--keys",
        keys.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);

    // One byte of the file changed: the declined purpose "marketing" becomes "marketinh".
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = text.replacen("\"marketing\"", "\"marketinh\"", 1);
    assert_ne!(changed, text);
    std::fs::write(&path, changed).unwrap();
    let (code, out) = run(&["verify", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("INVALID"), "{out}");

    // Not a receipt at all.
    std::fs::write(&path, "{}").unwrap();
    assert_eq!(run(&["verify", path.to_str().unwrap()]).0, 2);
}
