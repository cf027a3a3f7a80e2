//! The sync loop: sends the outbox in batches of at most `MAX_SYNC_BATCH` records when
//! the network returns, every little while when online, and on demand. A record leaves
//! the outbox only in the same IndexedDB transaction that files its receipt (with the
//! customer's withdrawal token, which `crate::collect` hands over), after the server
//! answered `stored`, `already_stored` or `edited` (an edit updates the device's copy of
//! the synced record instead); closing the tab or losing the network mid-sync therefore
//! loses nothing, and the next sync replays the same signed records.

use shared::ids::DeviceId;
use std::collections::HashMap;
use std::time::Duration;

use leptos::prelude::*;
use shared::api::error::{ApiError, ErrorCode};
use shared::api::sync::{SyncBatch, SyncResponse, SyncStatus, MAX_SYNC_BATCH};

use super::idb::{self, Change, OUTBOX};
use super::outbox::{self, EditOutcome, OutboxEntry, Problem, SyncedEntry};
use super::vault::Vault;
use super::{device, Collector};
use crate::embed::submission::now_ms;

/// How often to try while online and something waits.
const PERIOD: Duration = Duration::from_secs(15);

/// How long the vault stays open without the user touching the page. Online and signed
/// in it opens again at once with the server's share; offline it waits for the password.
pub const IDLE_LOCK_MS: i64 = 15 * 60 * 1000;

/// True when an open vault has gone unused for [`IDLE_LOCK_MS`].
#[must_use]
pub fn idle_too_long(last_input_ms: i64, now_ms: i64) -> bool {
    now_ms - last_input_ms > IDLE_LOCK_MS
}

/// Closes the vault after [`IDLE_LOCK_MS`] without a key press or a touch.
pub(super) fn lock_when_idle(collector: Collector) {
    let last_input = StoredValue::new(now_ms());
    let touched = move || last_input.set_value(now_ms());
    let keys = window_event_listener(leptos::ev::keydown, move |_| touched());
    let pointer = window_event_listener(leptos::ev::pointerdown, move |_| touched());
    std::mem::forget((keys, pointer));
    set_interval(
        move || {
            let open = collector.vault.with_untracked(Option::is_some);
            if open && idle_too_long(last_input.get_value(), now_ms()) {
                collector.lock_now();
            }
        },
        Duration::from_secs(30),
    );
}

/// Follows the browser's `online`/`offline` events and syncs periodically.
pub(super) fn watch_network(collector: Collector) {
    let online = window_event_listener(leptos::ev::online, move |_| {
        collector.online.set(true);
        collector.sync_now();
    });
    let offline = window_event_listener(leptos::ev::offline, move |_| {
        collector.online.set(false);
    });
    // The console lives as long as the page: keep both listeners.
    std::mem::forget((online, offline));
    set_interval(
        move || {
            let waiting = collector
                .outbox
                .with_untracked(|o| o.iter().any(OutboxEntry::is_sendable));
            if waiting && super::navigator_online() {
                collector.online.set(true);
                collector.sync_now();
            }
        },
        PERIOD,
    );
}

/// One sync: every sendable record of the current user, batch by batch.
pub(super) async fn run(collector: Collector) {
    let Some(user) = collector.user.get_untracked() else {
        return;
    };
    let Ok(Some(mut device)) = device::load(&user.id).await else {
        return;
    };
    let Some(device_id) = device
        .device_id
        .as_deref()
        .filter(|_| !device.revoked)
        .and_then(|id| DeviceId::parse(id).ok())
    else {
        return;
    };
    // Copies kept for edits leave the phone after a while, online or not.
    let Some(vault) = collector.vault.get_untracked() else {
        return;
    };
    if outbox::forget_old_copies(&vault, now_ms()).await.is_err() {
        collector.store_failed.set(true);
    }
    let Ok(entries) = outbox::pending(&vault).await else {
        collector.store_failed.set(true);
        return;
    };
    let entries: Vec<OutboxEntry> = entries
        .into_iter()
        .filter(OutboxEntry::is_sendable)
        .collect();
    if entries.is_empty() || collector.progress.get_untracked().is_some() {
        return;
    }
    let session = collector.session();
    // After a reload offline the page has no CSRF token yet: ask for the session first.
    if untrack(|| session.info()).is_none() {
        match session.client().session().await {
            Ok(info) => session.signed_in(info),
            Err(e) => {
                if e.code != ErrorCode::Unavailable {
                    collector.last_error.set(Some(e));
                }
                return;
            }
        }
    }
    let api = session.client();
    let total = entries.len();
    collector.progress.set(Some((0, total)));
    let mut failure = None;
    let mut done = 0;
    for chunk in entries.chunks(MAX_SYNC_BATCH) {
        let batch = SyncBatch {
            device_id,
            records: chunk.iter().map(|e| e.record.clone()).collect(),
        };
        match api.sync(&batch).await {
            Ok(response) => {
                if apply(&vault, chunk, response).await.is_err() {
                    collector.store_failed.set(true);
                    failure = None;
                    break;
                }
                done += chunk.len();
                collector.progress.set(Some((done, total)));
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    match failure {
        None if done == total => {
            // Re-read: a record may have taken a sequence number meanwhile.
            if let Ok(Some(mut fresh)) = device::load(&user.id).await {
                fresh.last_sync_ms = Some(now_ms());
                let _ = device::save(&fresh).await;
            }
            collector.last_error.set(None);
        }
        None => {}
        Some(e) => {
            if e.code == ErrorCode::Forbidden {
                device.revoked = true;
                let _ = device::save(&device).await;
            }
            session.note_error(&e);
            note_failure(collector, e);
        }
    }
    collector.progress.set(None);
    collector.reload_now().await;
}

/// Keeps a failure to show, except losing the network, which is expected offline.
fn note_failure(collector: Collector, error: ApiError) {
    if error.code == ErrorCode::Unavailable {
        collector.online.set(super::navigator_online());
    }
    collector.last_error.set(Some(error));
}

/// Files the server's answers for `sent` in one transaction.
async fn apply(
    vault: &Vault,
    sent: &[OutboxEntry],
    response: SyncResponse,
) -> Result<(), idb::StoreError> {
    let by_uuid: HashMap<&str, &OutboxEntry> =
        sent.iter().map(|e| (e.record.uuid.as_str(), e)).collect();
    let now = now_ms();
    // The copies the edits were made from, read before the one write.
    let mut copies = HashMap::new();
    for result in &response.results {
        if matches!(result.status, SyncStatus::Edited { .. }) {
            if let Some(copy) = outbox::synced_entry(vault, &result.uuid).await? {
                copies.insert(result.uuid.clone(), copy);
            }
        }
    }
    let mut changes = Vec::new();
    for result in response.results {
        let Some(entry) = by_uuid.get(result.uuid.as_str()) else {
            continue;
        };
        match file(entry, result.status, copies.remove(&result.uuid), now) {
            Filed::Synced(synced) => {
                if let Some(synced) = synced {
                    changes.push(outbox::put_synced(vault, &synced)?);
                }
                changes.push(Change::delete(OUTBOX, &result.uuid));
            }
            Filed::Kept(kept) => changes.push(outbox::put_pending(vault, &kept)?),
        }
    }
    idb::write(changes).await
}

/// What becomes of one sent record, given the server's answer.
#[derive(Debug, PartialEq, Eq)]
enum Filed {
    /// Stored, or its edit answered: it leaves the outbox, and this synced entry is
    /// saved (none for an edit whose copy is no longer on the device).
    Synced(Option<Box<SyncedEntry>>),
    /// Not stored: it stays in the outbox with the server's reason.
    Kept(Box<OutboxEntry>),
}

/// Files the answer `status` to `sent`; `copy` is the synced entry an edit was made
/// from.
fn file(sent: &OutboxEntry, status: SyncStatus, copy: Option<SyncedEntry>, now: i64) -> Filed {
    let problem = match status {
        SyncStatus::Stored {
            receipt,
            withdraw_token,
        }
        | SyncStatus::AlreadyStored {
            receipt,
            withdraw_token,
        } => {
            return Filed::Synced(Some(Box::new(SyncedEntry::stored(
                sent,
                *receipt,
                withdraw_token,
                now,
            ))));
        }
        SyncStatus::Edited {
            version,
            merged_fields,
            conflicted_fields,
            pending_fields,
        } => {
            let outcome = EditOutcome {
                version,
                merged: merged_fields,
                conflicted: conflicted_fields,
                pending: pending_fields,
            };
            return Filed::Synced(
                copy.map(|c| Box::new(c.after_edit(sent.record.clone(), outcome, now))),
            );
        }
        SyncStatus::Conflict { message } => Problem::Conflict { message },
        SyncStatus::Rejected {
            code,
            message,
            fields,
        } => Problem::Rejected {
            code,
            message,
            fields,
        },
    };
    let mut kept = Box::new(sent.clone());
    kept.problem = Some(problem);
    Filed::Kept(kept)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use shared::api::sync::SyncResult;

    use crate::offline::outbox::tests::{receipt, waiting};

    /// The server's answer for the test record, as JSON.
    fn answer(mut status: serde_json::Value) -> SyncStatus {
        status["uuid"] = serde_json::json!(waiting().record.uuid);
        serde_json::from_value::<SyncResult>(status).unwrap().status
    }

    #[test]
    fn a_stored_answer_keeps_the_customers_withdrawal_token() {
        let receipt = serde_json::to_value(receipt(3)).unwrap();
        for status in ["stored", "already_stored"] {
            let status = answer(serde_json::json!({
                "status": status, "receipt": receipt, "withdraw_token": "t0k"
            }));
            let Filed::Synced(Some(synced)) = file(&waiting(), status, None, 7) else {
                panic!("not filed as synced");
            };
            assert_eq!(synced.withdraw_token.as_deref(), Some("t0k"));
            assert_eq!(synced.synced_at_ms, 7);
        }
        // An older server sends no token: the record is filed all the same.
        let status = answer(serde_json::json!({"status": "stored", "receipt": receipt}));
        let Filed::Synced(Some(synced)) = file(&waiting(), status, None, 7) else {
            panic!("not filed as synced");
        };
        assert_eq!(synced.withdraw_token, None);
    }

    #[test]
    fn a_refused_record_stays_in_the_outbox_with_the_reason() {
        let status = answer(serde_json::json!({
            "status": "rejected", "code": "validation_failed", "message": "m"
        }));
        let Filed::Kept(kept) = file(&waiting(), status, None, 7) else {
            panic!("not kept");
        };
        assert!(!kept.is_sendable());
    }

    #[test]
    fn the_vault_closes_after_fifteen_idle_minutes_and_not_before() {
        let start = 1_000_000;
        assert!(!idle_too_long(start, start + IDLE_LOCK_MS));
        assert!(idle_too_long(start, start + IDLE_LOCK_MS + 1));
        assert!(!idle_too_long(start, start));
    }
}
