//! What one customer submission and one synced record cost in the machine's primitives,
//! counted from the server's code for the demo form, and the ceilings that those costs
//! and the measured [`Limits`] allow: the figures the product's are fractions of.
//!
//! The counts follow `consent/service.rs` (`check_and_seal`, `seal`,
//! `countersign_together`), `store/inserts.rs` and `sync/service.rs`; when those
//! change, so must this.

use shared::{
    api::forms::VersionDetail,
    schema::{FieldValue, Sensitivity},
};

use super::limits::{thousands, Limits};

/// Primitives of one operation.
#[derive(Clone, Copy)]
pub struct Cost {
    /// Public keys checked to be of prime order (`DeviceKey::parse`).
    pub key_checks: f64,
    pub verifies: f64,
    pub signs: f64,
    /// Seals (or opens, which cost the same) and the bytes they cover in all.
    pub seals: f64,
    pub sealed_bytes: f64,
    /// SHA-256 or HMAC-SHA-256 of at most about 1 KiB, each counted as one SHA-256 of
    /// 1 KiB (an upper bound: most inputs are shorter).
    pub hashes: f64,
    /// Rows written.
    pub rows: f64,
}

impl Cost {
    /// Seconds of one core the primitives take.
    pub fn cpu_seconds(&self, l: &Limits) -> f64 {
        let seals = if self.seals > 0.0 {
            self.seals * l.seal_seconds(self.sealed_bytes / self.seals)
        } else {
            0.0
        };
        self.key_checks / l.key_check
            + self.verifies / l.verify
            + self.signs / l.sign
            + seals
            + self.hashes / l.sha
    }

    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.key_checks > 0.0 {
            parts.push(format!("{} key check", trim(self.key_checks)));
        }
        parts.push(format!("{} ed25519 verification", trim(self.verifies)));
        if self.signs > 0.0 {
            parts.push(format!("{} signature", trim(self.signs)));
        }
        parts.push(format!(
            "{} seals ({:.0} bytes on average)",
            trim(self.seals),
            self.sealed_bytes / self.seals.max(1.0)
        ));
        parts.push(format!("{} SHA-256", trim(self.hashes)));
        if self.rows > 0.0 {
            parts.push(format!("{} rows", trim(self.rows)));
        }
        parts.join(" + ")
    }
}

fn trim(n: f64) -> String {
    if (n - n.round()).abs() < 1e-9 {
        format!("{n:.0}")
    } else {
        format!("{n:.3}")
    }
}

/// The costs of the three paths, for the demo form.
pub struct Model {
    /// Sealed values and identifier lookups of the demo answers.
    pub values: usize,
    pub lookups: usize,
    pub submission: Cost,
    pub sync: Cost,
    pub replay: Cost,
}

/// Receipts per countersignature in a sync batch (`shared::consent::BATCH_RECEIPTS`).
const RECEIPTS_PER_SIGNATURE: f64 = 32.0;

impl Model {
    /// Counts the demo form's costs; `receipt_bytes` is the size of a receipt's JSON as
    /// the server answered it.
    pub fn of(version: &VersionDetail, receipt_bytes: usize) -> Model {
        let today = time::OffsetDateTime::now_utc().date();
        let answers = version
            .definition
            .validate(&consentry_tests::consent::demo_answers(), today)
            .unwrap();
        let sealed: Vec<usize> = version
            .definition
            .fields()
            .filter(|f| f.sensitivity != Sensitivity::Ordinary)
            .filter_map(|f| answers.get(f.key.as_str()))
            .map(|v| serde_json::to_vec(v).map_or(0, |j| j.len()))
            .collect();
        let lookups = answers
            .iter()
            .filter(|(_, v)| {
                matches!(
                    v,
                    FieldValue::Phone(_) | FieldValue::Email(_) | FieldValue::ResidentId(_)
                )
            })
            .count();
        let (values, l) = (sealed.len(), lookups as f64);
        // The record's data key wrapped under the master key (32 bytes), each personal
        // or sensitive value, the statement's hash key (43 bytes of text), the receipt.
        let seals = 3.0 + values as f64;
        let sealed_bytes = 32.0 + sealed.iter().sum::<usize>() as f64 + 43.0 + receipt_bytes as f64;
        // Rows: the record, one lookup per identifier, the receipt, the audit entry.
        let rows = 3.0 + l;
        let submission = Cost {
            // The customer's key, new with every submission, checked to be of prime
            // order (callgrind: as costly as the verification).
            key_checks: 1.0,
            // The customer's signature over the statement.
            verifies: 1.0,
            // The receipt's countersignature, alone.
            signs: 1.0,
            seals,
            sealed_bytes,
            // The statement's hash, its three keyed hashes (record, signature,
            // subject), a blind index per identifier, the withdrawal token and its
            // hash, the audit entry's hash.
            hashes: 7.0 + l,
            rows,
        };
        let sync = Cost {
            // The device's key is checked once per batch: left out.
            key_checks: 0.0,
            // The device's signature over the record's envelope.
            verifies: 1.0,
            // One signature over a Merkle root per group of receipts.
            signs: 1.0 / RECEIPTS_PER_SIGNATURE,
            seals,
            // A receipt carries its Merkle path (5 hashes of 32 bytes, base64url).
            sealed_bytes: sealed_bytes + 5.0 * 44.0,
            // As a submission, plus its Merkle leaf and about one inner node.
            hashes: 7.0 + l + 2.0,
            rows,
        };
        let replay = Cost {
            key_checks: 0.0,
            verifies: 1.0,
            signs: 0.0,
            // The data key unwrapped, the stored receipt opened.
            seals: 2.0,
            sealed_bytes: 32.0 + receipt_bytes as f64,
            // The statement's hash.
            hashes: 1.0,
            rows: 0.0,
        };
        Model {
            values,
            lookups,
            submission,
            sync,
            replay,
        }
    }

    /// The model, in markdown, with the ceilings it gives on this machine.
    pub fn markdown(&self, l: &Limits) -> String {
        let s = &self.submission;
        let us = |c: &Cost| c.cpu_seconds(l) * 1e6;
        let mut out = format!(
            "Counted from the server's code for the demo form ({} sealed values, {} identifier lookups):\n\n\
             - **Customer submission** (`POST /public/forms/{{id}}/submissions`): {}, in one commit \
             (shared with other requests under load: the writer task groups up to 256 submissions \
             per transaction). One core: {:.0} µs of primitives.\n",
            self.values,
            self.lookups,
            s.describe(),
            us(s),
        );
        out.push_str(&format!(
            "- **Synced record, first time**: {}; a batch is one transaction. One core: {:.0} µs.\n\
             - **Synced record, replayed** (acknowledged from the stored receipt): {}, \
             plus one indexed read. One core: {:.0} µs.\n\n",
            self.sync.describe(),
            us(&self.sync),
            self.replay.describe(),
            us(&self.replay),
        ));
        out.push_str(&format!(
            "Ceilings: **CPU** = cores ÷ the primitives' time = {} submissions/s, {} records/s first \
             sync, {} records/s replayed. **Durable**: for one client, one request at a time, \
             the ceiling is latency-bound, 1 ÷ (primitives' time + one single-row commit); for \
             *c* clients the writer can group at most *c* submissions per commit, so \
             min(*c* × single-row commits/s, rows/s in 1,000-row transactions ÷ rows per \
             submission); for sync, rows/s in 1,000-row transactions ÷ {} rows per record. \
             The fraction is the measured rate ÷ the lowest (binding) ceiling. The model \
             leaves out HTTP, JSON, validation and the database's own CPU, so 100% is not \
             reachable; what it gives is a figure that travels between machines.\n",
            thousands(self.cpu_ceiling(s, l)),
            thousands(self.cpu_ceiling(&self.sync, l)),
            thousands(self.cpu_ceiling(&self.replay, l)),
            trim(self.sync.rows),
        ));
        out
    }

    /// What the cores allow for `cost`, per second.
    pub fn cpu_ceiling(&self, cost: &Cost, l: &Limits) -> f64 {
        l.cores as f64 / cost.cpu_seconds(l)
    }

    /// The submission ceilings for `clients` clients on a database that commits
    /// `commits` single rows and `rows` batched rows per second: (binding ceiling, what
    /// binds).
    pub fn submission_ceiling(
        &self,
        l: &Limits,
        clients: usize,
        commits: f64,
        rows: f64,
    ) -> (f64, &'static str) {
        let cpu = self.submission.cpu_seconds(l);
        if clients == 1 {
            return (1.0 / (cpu + 1.0 / commits), "latency");
        }
        let cpu_ceiling = l.cores as f64 / cpu;
        let durable = (clients as f64 * commits).min(rows / self.submission.rows);
        if cpu_ceiling <= durable {
            (cpu_ceiling, "CPU")
        } else {
            (durable, "durable")
        }
    }

    /// The first-sync ceiling on SQLite: (binding ceiling, what binds).
    pub fn sync_ceiling(&self, l: &Limits) -> (f64, &'static str) {
        let cpu = self.cpu_ceiling(&self.sync, l);
        let durable = l.sqlite.rows / self.sync.rows;
        if cpu <= durable {
            (cpu, "CPU")
        } else {
            (durable, "SQLite")
        }
    }
}
