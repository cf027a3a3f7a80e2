//! The outbox: records collected on this device, signed and waiting for the server, and
//! the list of those it has stored (with their receipts). A record is built exactly as
//! `tests/src/sync.rs` builds one: the consent statement's receipt id is the record's
//! UUID, and both the statement and the envelope are signed with the device key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shared::api::error::FieldIssue;
use shared::api::forms::VersionDetail;
use shared::api::sync::{RejectionCode, SyncRecord};
use shared::consent::{record_hash, CollectingDevice, SignedReceipt};
use shared::i18n::LocalizedText;
use shared::sync::{statement_hash, SyncEnvelope};

use super::device::Device;
use super::idb::{self, Change, StoreError, OUTBOX, SYNCED};
use super::vault::Vault;
use crate::embed::submission;
use crate::embed::withdraw;
use crate::submit::Collected;

/// Why the server did not store a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// Refused, with the server's reason and any per-field issues.
    Rejected {
        code: RejectionCode,
        message: String,
        #[serde(default)]
        fields: BTreeMap<String, Vec<FieldIssue>>,
    },
    /// A different record with this UUID is already stored.
    Conflict { message: String },
}

impl Problem {
    /// True when sending the same record again may succeed (the server's failure, or
    /// its request to send it again: [`RejectionCode::is_retryable`]).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Rejected { code, .. } if code.is_retryable())
    }
}

/// A record waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub user_id: String,
    pub form_title: LocalizedText,
    pub created_at_ms: i64,
    pub record: SyncRecord,
    /// What the server said last time, when it did not store the record.
    pub problem: Option<Problem>,
}

impl OutboxEntry {
    /// True when the next sync should send it.
    #[must_use]
    pub fn is_sendable(&self) -> bool {
        self.problem.as_ref().is_none_or(Problem::is_retryable)
    }
}

/// A record the server stored, with its receipt and this device's copy of it, so that
/// staff can edit it offline later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncedEntry {
    pub user_id: String,
    pub uuid: String,
    pub form_title: LocalizedText,
    pub created_at_ms: i64,
    pub synced_at_ms: i64,
    pub receipt: SignedReceipt,
    /// The record as this device last sent it (answers, statement and its signature);
    /// absent for records synced before the device kept copies.
    #[serde(default)]
    pub record: Option<SyncRecord>,
    /// The server version the copy stands for: the base of the next edit.
    #[serde(default = "first_version")]
    pub version: i64,
    /// What became of the last edit sent.
    #[serde(default)]
    pub last_edit: Option<EditOutcome>,
    /// The customer's secret for withdrawing, from the server's answer, to hand to the
    /// customer with their receipt (see [`SyncedEntry::customer_link`]); absent for
    /// records synced before servers gave it. Sealed with the rest of the entry.
    #[serde(default)]
    pub withdraw_token: Option<String>,
}

fn first_version() -> i64 {
    1
}

/// The server's answer to an edit, as the outbox shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditOutcome {
    pub version: i64,
    pub merged: Vec<String>,
    /// Fields that wait for a manager; the server kept its values for them.
    pub conflicted: Vec<String>,
    /// Key fields whose change waits for someone's approval; the server kept its values
    /// for them until then (none in answers kept before approvals existed).
    #[serde(default)]
    pub pending: Vec<String>,
}

impl EditOutcome {
    /// How the outbox words it: `conflicted` when fields wait for a manager to choose,
    /// `pending` when the edit changed only fields whose change waits for approval,
    /// `merged` otherwise.
    #[must_use]
    pub fn state(&self) -> &'static str {
        if !self.conflicted.is_empty() {
            "conflicted"
        } else if self.merged.is_empty() && !self.pending.is_empty() {
            "pending"
        } else {
            "merged"
        }
    }
}

impl SyncedEntry {
    /// What the device keeps of `sent` once the server stored it (answer `stored` or
    /// `already_stored`) at `now_ms`: the receipt, the copy for edits and the customer's
    /// withdrawal token.
    #[must_use]
    pub fn stored(
        sent: &OutboxEntry,
        receipt: SignedReceipt,
        withdraw_token: Option<String>,
        now_ms: i64,
    ) -> Self {
        Self {
            user_id: sent.user_id.clone(),
            uuid: sent.record.uuid.clone(),
            form_title: sent.form_title.clone(),
            created_at_ms: sent.created_at_ms,
            synced_at_ms: now_ms,
            receipt,
            record: Some(sent.record.clone()),
            version: 1,
            last_edit: None,
            withdraw_token: withdraw_token.filter(|t| !t.is_empty()),
        }
    }

    /// The customer's withdrawal link on `origin`, when the server gave a token.
    #[must_use]
    pub fn customer_link(&self, origin: &str) -> Option<String> {
        let token = self.withdraw_token.as_deref()?;
        Some(withdraw::link(
            origin,
            &self.receipt.body.statement.receipt_id,
            token,
        ))
    }

    /// Drops this device's copy of the answers once [`KEEP_COPIES_MS`] have passed since
    /// the record was last synced; `true` when it did.
    pub fn forget_if_old(&mut self, now_ms: i64) -> bool {
        let old = self.record.is_some() && now_ms - self.synced_at_ms > KEEP_COPIES_MS;
        if old {
            self.record = None;
        }
        old
    }

    /// The copy to edit and the version it stands for. After an edit left conflicts the
    /// copy holds the device's values for those fields, not the server's, so the next
    /// edit starts again from the earlier base: the server then sees the server's own
    /// changes since and never takes the device's values without a manager. Changes
    /// waiting for approval do not move the base back: the next edit shows them again
    /// as the device's changes of key fields, which wait for approval again.
    #[must_use]
    pub fn after_edit(mut self, sent: SyncRecord, outcome: EditOutcome, now_ms: i64) -> Self {
        if outcome.conflicted.is_empty() {
            self.version = outcome.version;
        } else if let Some(base) = sent.base_version {
            self.version = base;
        }
        self.record = Some(sent);
        self.last_edit = Some(outcome);
        self.synced_at_ms = now_ms;
        self
    }
}

/// Builds and signs a record of what was `collected` for `device`, with sequence number
/// `seq`. `None` when the device is not registered, its key does not open with `vault`
/// or the browser has no random source.
#[must_use]
pub fn signed_record(
    version: &VersionDetail,
    collected: Collected,
    (device, vault): (&Device, &Vault),
    seq: i64,
    uuid: String,
) -> Option<SyncRecord> {
    let device_id = device.device_id.clone()?;
    let key = device.key(vault)?;
    let Collected {
        answers,
        validated,
        choices,
        locale,
    } = collected;
    let (statement, hash_key) =
        submission::statement(version, &validated, &choices, locale, uuid.clone())?;
    // One signature, over the envelope, which binds the statement by its hash: it is
    // also the consent's client signature in the receipt.
    let envelope = SyncEnvelope::of_new_record(
        &statement,
        &CollectingDevice { id: device_id, seq },
        statement_hash(&statement),
    );
    Some(SyncRecord {
        uuid,
        seq,
        form_id: version.form_id.to_string(),
        form_version: version.summary.number,
        answers,
        statement,
        hash_key: Some(hash_key.to_text()),
        base_version: None,
        signature: envelope.sign(&key),
    })
}

/// Builds and signs an edit of a synced record: the same UUID and the original consent
/// statement, the edited answers, a new sequence number and the server
/// version the copy came from; the envelope binds the hash of the edited answers.
#[must_use]
pub fn signed_edit(
    version: &VersionDetail,
    original: &SyncRecord,
    collected: Collected,
    (device, vault): (&Device, &Vault),
    seq: i64,
    base_version: i64,
) -> Option<SyncRecord> {
    let device_id = device.device_id.clone()?;
    let key = device.key(vault)?;
    let envelope = SyncEnvelope {
        uuid: original.uuid.clone(),
        device_id,
        seq,
        form_id: original.form_id.clone(),
        form_version: original.form_version,
        form_version_hash: version.summary.hash.clone(),
        payload_hash: record_hash(&collected.validated),
        statement_hash: statement_hash(&original.statement),
        base_version: Some(base_version),
    };
    Some(SyncRecord {
        uuid: original.uuid.clone(),
        seq,
        form_id: original.form_id.clone(),
        form_version: original.form_version,
        answers: collected.answers,
        statement: original.statement.clone(),
        hash_key: None,
        base_version: Some(base_version),
        signature: envelope.sign(&key),
    })
}

fn waiting_on(entry: &OutboxEntry) -> Option<(String, i64)> {
    Some((entry.record.form_id.clone(), entry.record.form_version))
}

/// A change that saves (or replaces) an outbox entry, sealed.
pub fn put_pending(vault: &Vault, entry: &OutboxEntry) -> Result<Change, StoreError> {
    vault.put(OUTBOX, &entry.record.uuid, entry, waiting_on(entry))
}

/// A change that saves (or replaces) a synced entry, sealed.
pub fn put_synced(vault: &Vault, entry: &SyncedEntry) -> Result<Change, StoreError> {
    vault.put(SYNCED, &entry.uuid, entry, None)
}

/// The synced record with this UUID.
pub async fn synced_entry(vault: &Vault, uuid: &str) -> Result<Option<SyncedEntry>, StoreError> {
    vault.get(SYNCED, uuid).await
}

/// Saves (or replaces) an outbox entry; done once the browser has committed it.
pub async fn save(vault: &Vault, entry: &OutboxEntry) -> Result<(), StoreError> {
    idb::write(vec![put_pending(vault, entry)?]).await
}

/// The outbox entry with this UUID.
pub async fn entry(vault: &Vault, uuid: &str) -> Result<Option<OutboxEntry>, StoreError> {
    vault.get(OUTBOX, uuid).await
}

/// Drops an entry for good (the user discarded it).
pub async fn discard(uuid: &str) -> Result<(), StoreError> {
    idb::write(vec![Change::delete(OUTBOX, uuid)]).await
}

fn pending_owner(e: &OutboxEntry) -> &str {
    &e.user_id
}

fn synced_owner(e: &SyncedEntry) -> &str {
    &e.user_id
}

/// The vault user's outbox, oldest first.
pub async fn pending(vault: &Vault) -> Result<Vec<OutboxEntry>, StoreError> {
    let mut out: Vec<OutboxEntry> = vault
        .entries(OUTBOX, pending_owner)
        .await?
        .into_iter()
        .map(|o| o.value)
        .collect();
    out.sort_by_key(|e| (e.record.seq, e.created_at_ms));
    Ok(out)
}

/// The vault user's synced records, newest first.
pub async fn synced(vault: &Vault) -> Result<Vec<SyncedEntry>, StoreError> {
    let mut out: Vec<SyncedEntry> = vault
        .entries(SYNCED, synced_owner)
        .await?
        .into_iter()
        .map(|o| o.value)
        .collect();
    out.sort_by_key(|e| std::cmp::Reverse(e.synced_at_ms));
    Ok(out)
}

/// The changes that seal the vault user's entries that versions before the vault kept
/// in the clear.
pub async fn seal_in_clear(vault: &Vault) -> Result<Vec<Change>, StoreError> {
    let mut changes = Vec::new();
    for o in vault.entries(OUTBOX, pending_owner).await? {
        if o.in_clear {
            changes.push(put_pending(vault, &o.value)?);
        }
    }
    for o in vault.entries(SYNCED, synced_owner).await? {
        if o.in_clear {
            changes.push(put_synced(vault, &o.value)?);
        }
    }
    Ok(changes)
}

/// How long this device keeps its copy of a synced record's answers, for edits.
pub const KEEP_COPIES_MS: i64 = 14 * 24 * 60 * 60 * 1000;

/// Drops the answers of records synced longer ago than [`KEEP_COPIES_MS`]: personal
/// data stays on a phone only while staff may still need to correct it. The receipt
/// (hashes and signatures, no personal data) stays, so the list still shows the record.
pub async fn forget_old_copies(vault: &Vault, now_ms: i64) -> Result<usize, StoreError> {
    let mut changes = Vec::new();
    for mut entry in synced(vault).await? {
        if entry.forget_if_old(now_ms) {
            changes.push(put_synced(vault, &entry)?);
        }
    }
    let forgotten = changes.len();
    idb::write(changes).await?;
    Ok(forgotten)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    fn record(base_version: Option<i64>) -> SyncRecord {
        serde_json::from_value(serde_json::json!({
            "uuid": "01a2273b-df97-7284-bef1-5d62762c677a",
            "seq": 1,
            "form_id": "f",
            "form_version": 1,
            "answers": {"full_name": "张三"},
            "statement": statement(),
            // Records signed before receipts carried the device's envelope signature
            // also held the statement's own; such outbox entries still load and sync.
            "statement_signature": "s",
            "base_version": base_version,
            "signature": "e"
        }))
        .unwrap()
    }

    fn statement() -> serde_json::Value {
        serde_json::json!({
            "format": 1, "receipt_id": "01a2273b-df97-7284-bef1-5d62762c677a",
            "form_id": "f", "form_version": 1, "form_version_hash": "h", "notice_hash": "n",
            "purposes_granted": [], "purposes_declined": [],
            "separate_consents": {"sensitive": false, "cross_border": false, "guardian": false},
            "subject_hash": "s", "subject_salt": "t", "signature_hash": "g",
            "record_hash": "r", "signed_at_ms": 0, "locale": "en"
        })
    }

    /// A receipt for the test record, received at `ms`.
    pub(crate) fn receipt(ms: i64) -> SignedReceipt {
        serde_json::from_value(serde_json::json!({
            "body": {
                "statement": statement(),
                "client_public_key": "k", "client_signature": "s",
                "received_at_ms": ms, "server_key_id": "k1"
            },
            "server_signature": "x"
        }))
        .unwrap()
    }

    fn synced_at(ms: i64) -> SyncedEntry {
        SyncedEntry {
            user_id: "u".into(),
            uuid: "01a2273b-df97-7284-bef1-5d62762c677a".into(),
            form_title: LocalizedText::default(),
            created_at_ms: ms,
            synced_at_ms: ms,
            receipt: receipt(ms),
            record: Some(record(None)),
            version: 1,
            last_edit: None,
            withdraw_token: None,
        }
    }

    /// The test record, waiting in the outbox.
    pub(crate) fn waiting() -> OutboxEntry {
        OutboxEntry {
            user_id: "u".into(),
            form_title: LocalizedText::default(),
            created_at_ms: 5,
            record: record(None),
            problem: None,
        }
    }

    #[test]
    fn a_stored_record_keeps_the_customers_withdrawal_token_and_link() {
        let signed = receipt(0);
        let entry = SyncedEntry::stored(&waiting(), signed.clone(), Some("t0k".into()), 9);
        assert_eq!(entry.withdraw_token.as_deref(), Some("t0k"));
        assert_eq!((entry.created_at_ms, entry.synced_at_ms), (5, 9));
        assert_eq!(entry.record, Some(record(None)));
        assert_eq!(
            entry.customer_link("https://c.example").as_deref(),
            Some("https://c.example/withdraw#01a2273b-df97-7284-bef1-5d62762c677a.t0k")
        );
        // It is sealed with the entry and reads back.
        let json = serde_json::to_value(&entry).unwrap();
        let back: SyncedEntry = serde_json::from_value(json).unwrap();
        assert_eq!(back, entry);
        // An edit keeps it.
        let outcome = EditOutcome {
            version: 2,
            merged: Vec::new(),
            conflicted: Vec::new(),
            pending: Vec::new(),
        };
        let edited = entry.after_edit(record(Some(1)), outcome, 10);
        assert_eq!(edited.withdraw_token.as_deref(), Some("t0k"));
        // Without a token (an older server) there is no link to give.
        let none = SyncedEntry::stored(&waiting(), signed.clone(), None, 9);
        assert_eq!(none.customer_link("https://c.example"), None);
        let empty = SyncedEntry::stored(&waiting(), signed, Some(String::new()), 9);
        assert_eq!(empty.withdraw_token, None);
    }

    #[test]
    fn synced_entries_stored_before_the_token_still_read() {
        let mut json = serde_json::to_value(synced_at(1)).unwrap();
        json.as_object_mut().unwrap().remove("withdraw_token");
        let entry: SyncedEntry = serde_json::from_value(json).unwrap();
        assert_eq!(entry.withdraw_token, None);
    }

    #[test]
    fn answers_stay_on_the_device_for_fourteen_days_and_the_receipt_after() {
        let mut entry = synced_at(1_000);
        assert!(!entry.forget_if_old(1_000 + KEEP_COPIES_MS));
        assert!(entry.record.is_some());
        assert!(entry.forget_if_old(1_001 + KEEP_COPIES_MS));
        assert!(entry.record.is_none());
        assert_eq!(entry.receipt.body.received_at_ms, 1_000);
        // Nothing left to forget the second time.
        assert!(!entry.forget_if_old(2_000 + KEEP_COPIES_MS));
    }

    #[test]
    fn an_edit_restarts_the_fourteen_days_and_a_conflict_keeps_the_base() {
        let outcome = |conflicted: &[&str]| EditOutcome {
            version: 3,
            merged: Vec::new(),
            conflicted: conflicted.iter().map(|f| (*f).to_owned()).collect(),
            pending: Vec::new(),
        };
        let later = 10 * 24 * 3_600_000;
        let clean = synced_at(0).after_edit(record(Some(1)), outcome(&[]), later);
        assert_eq!(clean.version, 3);
        let mut conflicted =
            synced_at(0).after_edit(record(Some(1)), outcome(&["full_name"]), later);
        assert_eq!(conflicted.version, 1);
        assert!(!conflicted.forget_if_old(KEEP_COPIES_MS + 1));
        assert!(conflicted.forget_if_old(later + KEEP_COPIES_MS + 1));
    }

    #[test]
    fn refusals_the_server_asks_to_resend_are_sent_again() {
        let entry = |problem: Option<Problem>| OutboxEntry {
            user_id: "u".into(),
            form_title: LocalizedText::default(),
            created_at_ms: 0,
            record: record(None),
            problem,
        };
        let refused = |code: &str| {
            Some(Problem::Rejected {
                code: RejectionCode::parse(code),
                message: String::new(),
                fields: BTreeMap::new(),
            })
        };
        assert!(entry(None).is_sendable());
        // "busy" said "it will be sent again" but was kept back as if refused for good.
        for again in ["busy", "internal", "unavailable"] {
            assert!(entry(refused(again)).is_sendable(), "{again}");
        }
        for kept in ["validation_failed", "invalid_signature", "form_mismatch"] {
            assert!(!entry(refused(kept)).is_sendable(), "{kept}");
        }
        let conflict = Some(Problem::Conflict {
            message: String::new(),
        });
        assert!(!entry(conflict).is_sendable());
        // Problems stored by earlier versions, with the code as a string, still load.
        let stored: Problem = serde_json::from_value(serde_json::json!({
            "kind": "rejected", "code": "busy", "message": "m"
        }))
        .unwrap();
        assert!(stored.is_retryable());
    }

    #[test]
    fn an_edit_says_which_changes_wait_for_approval() {
        let outcome = |merged: &[&str], conflicted: &[&str], pending: &[&str]| EditOutcome {
            version: 2,
            merged: merged.iter().map(|f| (*f).to_owned()).collect(),
            conflicted: conflicted.iter().map(|f| (*f).to_owned()).collect(),
            pending: pending.iter().map(|f| (*f).to_owned()).collect(),
        };
        assert_eq!(outcome(&["city"], &[], &[]).state(), "merged");
        assert_eq!(outcome(&["city"], &[], &["mobile"]).state(), "merged");
        assert_eq!(outcome(&[], &[], &["mobile"]).state(), "pending");
        assert_eq!(outcome(&[], &["name"], &["mobile"]).state(), "conflicted");
        // Answers kept before approvals existed still read.
        let kept: EditOutcome = serde_json::from_value(serde_json::json!({
            "version": 2, "merged": ["city"], "conflicted": []
        }))
        .unwrap();
        assert!(kept.pending.is_empty());
    }
}
