//! The tamper-evident audit log's entries, hash chain and verification (pure).
//!
//! Each entry's `hash` is `sha256:` hex of
//! `b"consentry-audit-entry-v1\n" || canonical_json(entry without "hash")`, and each
//! entry carries the previous entry's hash in `prev_hash` (the first carries
//! [`GENESIS_HASH`]). Changing, removing or reordering an entry therefore breaks the
//! chain at that place. Cutting entries off the end leaves a valid but shorter chain,
//! so the server periodically signs the head (`seq` and `hash` of the newest entry)
//! with its ed25519 key; a chain shorter than its latest signed head is truncated.

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::{
    consent::{b64, public_key, sha256_tagged, signature, verify_signature},
    schema::canonical_json_bytes,
};

/// The first 8 hex digits of an audit hash, as file names and the console show a
/// head (`sha256:3f9c0b1e…` → `3f9c0b1e`).
#[must_use]
pub fn short_hash(hash: &str) -> &str {
    let hex = hash.rsplit(':').next().unwrap_or(hash);
    hex.get(..8).unwrap_or(hex)
}

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";
const ENTRY_DOMAIN: &[u8] = b"consentry-audit-entry-v1\n";
const HEAD_DOMAIN: &[u8] = b"consentry-audit-head-v1\n";

/// One audit log entry. It holds references and hashes, never personal data, so that
/// purging a record never requires editing the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// 1, 2, 3, … without gaps.
    pub seq: i64,
    pub at_ms: i64,
    /// Who acted (a user id), if anyone was signed in.
    #[serde(default)]
    pub actor_id: Option<String>,
    /// Their role at the time.
    #[serde(default)]
    pub actor_role: Option<String>,
    /// What happened, a stable dotted code such as `auth.sign_in` or `form.publish`.
    pub action: String,
    /// What it happened to: a kind (`form`, `user`, `record`) and an id.
    #[serde(default)]
    pub target_kind: Option<String>,
    #[serde(default)]
    pub target_id: Option<String>,
    /// Where from.
    #[serde(default)]
    pub ip: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Further references (ids, hashes, counts), a JSON object.
    #[serde(default)]
    pub details: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry must carry, computed from everything but `hash`.
    #[must_use]
    pub fn compute_hash(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(map) = value.as_object_mut() {
            map.remove("hash");
        }
        let mut bytes = ENTRY_DOMAIN.to_vec();
        bytes.extend_from_slice(&canonical_json_bytes(&value));
        sha256_tagged(&bytes)
    }

    /// Links the entry after `prev_hash` and sets its hash.
    pub fn seal(&mut self, prev_hash: &str) {
        prev_hash.clone_into(&mut self.prev_hash);
        self.hash = self.compute_hash();
    }
}

/// A signed statement of the newest entry at some moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
    pub at_ms: i64,
    pub key_id: String,
    /// ed25519 over [`AuditHead::signing_bytes`], base64url.
    pub signature: String,
}

impl AuditHead {
    /// The bytes the server signs.
    #[must_use]
    pub fn signing_bytes(seq: i64, hash: &str, at_ms: i64, key_id: &str) -> Vec<u8> {
        let value = serde_json::json!({"seq": seq, "hash": hash, "at_ms": at_ms, "key_id": key_id});
        let mut bytes = HEAD_DOMAIN.to_vec();
        bytes.extend_from_slice(&canonical_json_bytes(&value));
        bytes
    }

    /// Signs the head of a chain.
    #[must_use]
    pub fn sign(seq: i64, hash: &str, at_ms: i64, key_id: &str, key: &SigningKey) -> Self {
        let signature = key.sign(&Self::signing_bytes(seq, hash, at_ms, key_id));
        Self {
            seq,
            hash: hash.to_owned(),
            at_ms,
            key_id: key_id.to_owned(),
            signature: b64(&signature.to_bytes()),
        }
    }

    /// True when the signature is the server's.
    #[must_use]
    pub fn verify(&self, key: &VerifyingKey) -> bool {
        let Ok(sig) = signature(&self.signature, "audit head signature") else {
            return false;
        };
        verify_signature(
            key,
            &Self::signing_bytes(self.seq, &self.hash, self.at_ms, &self.key_id),
            &sig,
        )
        .is_ok()
    }
}

/// The first place where the log is not what it claims to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainBreak {
    /// The entry's content does not match its hash: it was changed.
    #[error("entry {seq} was altered: its content does not match its hash")]
    Altered { seq: i64 },
    /// Expected entry `expected` but found `found`: entries were removed or reordered.
    #[error("entry {expected} is missing or out of order (found entry {found} in its place)")]
    OutOfSequence { expected: i64, found: i64 },
    /// The entry does not link to the one before it.
    #[error("entry {seq} does not follow entry {}: the chain is broken", seq - 1)]
    Unlinked { seq: i64 },
    /// The log ends before the newest signed head: entries were cut off the end.
    #[error("the log ends at entry {last} but a signed head vouches for entry {head_seq}: entries were removed from the end")]
    Truncated { last: i64, head_seq: i64 },
    /// The entry a signed head vouches for has a different hash.
    #[error("entry {seq} differs from the one the signed head vouches for")]
    HeadMismatch { seq: i64 },
    /// A head's signature is not the server's.
    #[error("the signed head for entry {seq} has an invalid signature")]
    BadHeadSignature { seq: i64 },
}

/// The result of checking a whole log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainReport {
    pub entries_checked: i64,
    pub heads_checked: i64,
    /// `None` when the log is intact.
    pub first_break: Option<ChainBreak>,
}

/// Checks entries (in stored order, oldest first) and signed heads. `key_for` returns
/// the server's public key (base64url) for a head's key id.
pub fn verify_chain<'a>(
    entries: &[AuditEntry],
    heads: &[AuditHead],
    key_for: impl Fn(&str) -> Option<&'a str>,
) -> ChainReport {
    let mut report = ChainReport {
        entries_checked: 0,
        heads_checked: 0,
        first_break: None,
    };
    let mut prev_hash = GENESIS_HASH.to_owned();
    for (i, entry) in entries.iter().enumerate() {
        let expected = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
        if entry.seq != expected {
            report.first_break = Some(ChainBreak::OutOfSequence {
                expected,
                found: entry.seq,
            });
            return report;
        }
        if entry.compute_hash() != entry.hash {
            report.first_break = Some(ChainBreak::Altered { seq: entry.seq });
            return report;
        }
        if entry.prev_hash != prev_hash {
            report.first_break = Some(ChainBreak::Unlinked { seq: entry.seq });
            return report;
        }
        prev_hash.clone_from(&entry.hash);
        report.entries_checked += 1;
    }
    let last = entries.last().map_or(0, |e| e.seq);
    for head in heads {
        let key = key_for(&head.key_id).and_then(|k| public_key(k, "audit key").ok());
        if !key.is_some_and(|k| head.verify(&k)) {
            report.first_break = Some(ChainBreak::BadHeadSignature { seq: head.seq });
            return report;
        }
        if head.seq > last {
            report.first_break = Some(ChainBreak::Truncated {
                last,
                head_seq: head.seq,
            });
            return report;
        }
        let index = usize::try_from(head.seq - 1).unwrap_or(usize::MAX);
        if head.seq >= 1 && entries.get(index).is_none_or(|e| e.hash != head.hash) {
            report.first_break = Some(ChainBreak::HeadMismatch { seq: head.seq });
            return report;
        }
        report.heads_checked += 1;
    }
    report
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for seq in 1..=n {
            let mut e = AuditEntry {
                seq,
                at_ms: 1_000 + seq,
                actor_id: Some("u1".into()),
                actor_role: Some("admin".into()),
                action: "form.publish".into(),
                target_kind: Some("form".into()),
                target_id: Some(format!("f{seq}")),
                ip: Some("127.0.0.1".into()),
                user_agent: None,
                details: serde_json::json!({"version": seq}),
                prev_hash: String::new(),
                hash: String::new(),
            };
            let prev = out
                .last()
                .map_or(GENESIS_HASH.to_owned(), |p| p.hash.clone());
            e.seal(&prev);
            out.push(e);
        }
        out
    }

    fn signed_head(entries: &[AuditEntry], key: &SigningKey) -> AuditHead {
        let last = entries.last().unwrap();
        AuditHead::sign(last.seq, &last.hash, 5_000, "k1", key)
    }

    fn check(entries: &[AuditEntry], heads: &[AuditHead], key: &SigningKey) -> Option<ChainBreak> {
        let public = b64(key.verifying_key().as_bytes());
        verify_chain(entries, heads, |id| (id == "k1").then_some(public.as_str())).first_break
    }

    #[test]
    fn an_intact_log_verifies() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let log = chain(10);
        let head = signed_head(&log, &key);
        let public = b64(key.verifying_key().as_bytes());
        let report = verify_chain(&log, &[head], |_| Some(public.as_str()));
        assert_eq!(report.first_break, None);
        assert_eq!(report.entries_checked, 10);
        assert_eq!(report.heads_checked, 1);
    }

    #[test]
    fn a_changed_entry_is_named() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let mut log = chain(10);
        let head = signed_head(&log, &key);
        log[4].target_id = Some("f5x".into());
        assert_eq!(
            check(&log, &[head], &key),
            Some(ChainBreak::Altered { seq: 5 })
        );
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let mut log = chain(10);
        let head = signed_head(&log, &key);
        log.remove(6);
        assert_eq!(
            check(&log, &[head], &key),
            Some(ChainBreak::OutOfSequence {
                expected: 7,
                found: 8
            })
        );
    }

    #[test]
    fn reordered_entries_are_named() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let mut log = chain(10);
        let head = signed_head(&log, &key);
        log.swap(2, 3);
        assert_eq!(
            check(&log, &[head], &key),
            Some(ChainBreak::OutOfSequence {
                expected: 3,
                found: 4
            })
        );
    }

    #[test]
    fn a_renumbered_and_rehashed_forgery_is_still_unlinked() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let mut log = chain(10);
        let head = signed_head(&log, &key);
        // Remove entry 4, renumber the rest and recompute their own hashes without relinking.
        log.remove(3);
        for e in log.iter_mut().skip(3) {
            e.seq -= 1;
            e.hash = e.compute_hash();
        }
        assert_eq!(
            check(&log, &[head], &key),
            Some(ChainBreak::Unlinked { seq: 4 })
        );
    }

    #[test]
    fn a_cut_tail_is_detected_by_the_signed_head() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let mut log = chain(10);
        let head = signed_head(&log, &key);
        log.truncate(7);
        assert_eq!(
            check(&log, &[head], &key),
            Some(ChainBreak::Truncated {
                last: 7,
                head_seq: 10
            })
        );
    }

    #[test]
    fn a_forged_head_is_refused() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let other = SigningKey::from_bytes(&[4; 32]);
        let log = chain(3);
        let forged = signed_head(&log, &other);
        assert_eq!(
            check(&log, &[forged], &key),
            Some(ChainBreak::BadHeadSignature { seq: 3 })
        );
    }
}

#[cfg(test)]
mod short_hash_tests {
    #[test]
    fn a_head_is_shown_by_its_first_eight_hex_digits() {
        assert_eq!(super::short_hash("sha256:3f9c0b1e5a7d9c2b"), "3f9c0b1e");
        assert_eq!(super::short_hash("3f9c0b1e5a7d"), "3f9c0b1e");
        assert_eq!(super::short_hash("abc"), "abc");
        assert_eq!(super::short_hash(""), "");
    }
}
