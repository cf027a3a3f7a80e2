//! Writes the seed corpus to `fuzz/corpus/<target>/`, replacing the files it names:
//! `cargo run --manifest-path fuzz/Cargo.toml --example seeds`. It checks first that the
//! seeds are what they claim to be (receipts verify, records are signed), so that a
//! change in `shared` that breaks them fails here rather than leaving the fuzzer to
//! start from inputs every check refuses.

use std::{fs, path::Path};

use fuzz_support::{agree::AgreeCase, seeds};
use shared::api::sync::SyncBatch;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let keys = fuzz_support::key_set();
    for (name, receipt) in seeds::receipts() {
        receipt
            .verify(keys)
            .map_err(|e| format!("seed receipt {name}: {e}"))?;
    }
    for (name, bytes) in seeds::sync_batch() {
        let batch: SyncBatch<shared::api::sync::Received> = serde_json::from_slice(&bytes)?;
        let device = fuzz_support::device();
        for received in batch.records {
            let shared::api::sync::Received::Record(record) = received else {
                continue;
            };
            let definition = fuzz_support::demo_version().definition;
            let answers = definition
                .validate(&record.answers, fuzz_support::today())
                .map_err(|e| format!("seed batch {name}: answers {e:?}"))?;
            let payload_hash = match record.base_version {
                None => record.statement.record_hash.clone(),
                Some(_) => shared::consent::record_hash(&answers),
            };
            fuzz_support::envelope_of(&device.id.to_string(), &record, payload_hash)
                .verify(&device.public_key, &record.signature)
                .map_err(|e| format!("seed batch {name}: {e}"))?;
        }
    }
    for (name, bytes) in seeds::verify_agree() {
        let case = AgreeCase::parse(&bytes).ok_or(format!("seed {name} does not parse"))?;
        if case.to_bytes() != bytes {
            return Err(format!("seed {name} does not round-trip").into());
        }
    }

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (target, seeds) in [
        ("form_schema", seeds::form_schema()),
        ("receipt", seeds::receipt()),
        ("sync_batch", seeds::sync_batch()),
        ("verify_agree", seeds::verify_agree()),
    ] {
        let dir = corpus.join(target);
        fs::create_dir_all(&dir)?;
        for (name, bytes) in seeds {
            fs::write(dir.join(name), &bytes)?;
            println!("{target}/{name}: {} bytes", bytes.len());
        }
    }
    Ok(())
}
