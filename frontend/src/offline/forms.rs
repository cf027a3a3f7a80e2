//! The forms kept on this device for collecting, in IndexedDB so that they open offline.
//!
//! Most come from the server's list of forms assigned to the collector (`GET /my-forms`),
//! fetched whenever the device is online and syncs; a form can also be added by its
//! hosted link. A form stays while it is assigned to someone on this device, was added
//! by link, or has records waiting in the outbox: a form taken away from its collector
//! is shown as such until its waiting records have synced, so nothing collected is lost.
//! When a form gets a new version, the old one is kept (marked superseded) for as long as
//! waiting records collected with it may need editing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use shared::api::assignments::AssignedForm;
use shared::api::forms::VersionDetail;

use super::idb::{self, Change, StoreError, FORMS, OUTBOX};
use super::outbox::OutboxEntry;
use super::vault::Stored;
use crate::embed::submission::now_ms;

/// A form version kept on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedForm {
    pub version: VersionDetail,
    pub cached_at_ms: i64,
    /// The users of this device the server last said the form is assigned to.
    #[serde(default)]
    pub assigned_to: BTreeSet<String>,
    /// Added by its link (forms kept before assignments existed were all added so).
    #[serde(default = "added_by_link")]
    pub by_link: bool,
    /// An earlier version, kept for waiting records collected with it.
    #[serde(default)]
    pub superseded: bool,
}

fn added_by_link() -> bool {
    true
}

impl CachedForm {
    /// The IndexedDB key: the form id, or `{id}@{number}` for a superseded version.
    #[must_use]
    pub fn key(&self) -> String {
        if self.superseded {
            superseded_key(
                &self.version.form_id.to_string(),
                self.version.summary.number,
            )
        } else {
            self.version.form_id.to_string()
        }
    }

    /// True when `user_id` may collect new records with it.
    #[must_use]
    pub fn usable_by(&self, user_id: &str) -> bool {
        !self.superseded && (self.by_link || self.assigned_to.contains(user_id))
    }
}

/// A record waiting in the outbox, as far as the kept forms care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub user_id: String,
    pub form_id: String,
    pub form_version: i64,
}

impl From<&OutboxEntry> for Waiting {
    fn from(e: &OutboxEntry) -> Self {
        Self {
            user_id: e.user_id.clone(),
            form_id: e.record.form_id.clone(),
            form_version: e.record.form_version,
        }
    }
}

/// Every record waiting on this device, whoever collected it.
async fn all_waiting() -> Result<Vec<Waiting>, StoreError> {
    let outbox: Vec<Stored<OutboxEntry>> = idb::all(OUTBOX).await?;
    Ok(outbox
        .iter()
        .filter_map(|stored| match stored {
            Stored::Sealed(row) => row.form.clone().map(|(form_id, form_version)| Waiting {
                user_id: row.user_id.clone(),
                form_id,
                form_version,
            }),
            Stored::Plain(entry) => Some(Waiting::from(entry)),
        })
        .collect())
}

fn superseded_key(form_id: &str, number: i64) -> String {
    format!("{form_id}@{number}")
}

/// How a kept form stands for the user looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Assigned to them (directly or through their team).
    Assigned,
    /// Added on this device by its link.
    ByLink,
    /// No longer assigned to them, kept for this many of their records still waiting.
    Unassigned { waiting: usize },
}

impl Standing {
    /// The `data-state` of the form's row.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Standing::Assigned => "assigned",
            Standing::ByLink => "by-link",
            Standing::Unassigned { .. } => "unassigned",
        }
    }
}

/// The kept forms `user_id` sees, with their standing: what they may collect with, and
/// what is no longer theirs but still holds their waiting records.
#[must_use]
pub fn forms_of(
    user_id: &str,
    kept: Vec<CachedForm>,
    outbox: &[Waiting],
) -> Vec<(CachedForm, Standing)> {
    let mut shown: Vec<(CachedForm, Standing)> = kept
        .into_iter()
        .filter(|f| !f.superseded)
        .filter_map(|f| {
            let standing = if f.assigned_to.contains(user_id) {
                Standing::Assigned
            } else if f.by_link {
                Standing::ByLink
            } else {
                let waiting = outbox
                    .iter()
                    .filter(|e| e.user_id == user_id && e.form_id == f.version.form_id.to_string())
                    .count();
                if waiting == 0 {
                    return None;
                }
                Standing::Unassigned { waiting }
            };
            Some((f, standing))
        })
        .collect();
    shown.sort_by(|(a, _), (b, _)| {
        b.version
            .summary
            .published_at_ms
            .cmp(&a.version.summary.published_at_ms)
            .then_with(|| a.version.form_id.cmp(&b.version.form_id))
    });
    shown
}

/// Keeps `version` in place of `existing`, keeping `existing` as superseded when waiting
/// records were collected with it. Returns the puts, by key.
fn replace_version(
    existing: Option<&CachedForm>,
    version: VersionDetail,
    waiting: &BTreeSet<(String, i64)>,
    now: i64,
    update: impl FnOnce(&mut CachedForm),
) -> Vec<(String, Option<CachedForm>)> {
    let mut out = Vec::new();
    if let Some(old) = existing {
        let number = old.version.summary.number;
        if number != version.summary.number
            && waiting.contains(&(old.version.form_id.to_string(), number))
        {
            let mut kept = old.clone();
            kept.superseded = true;
            out.push((kept.key(), Some(kept)));
        }
    }
    let mut fresh = CachedForm {
        version,
        cached_at_ms: now,
        assigned_to: existing.map(|f| f.assigned_to.clone()).unwrap_or_default(),
        by_link: existing.is_some_and(|f| f.by_link),
        superseded: false,
    };
    update(&mut fresh);
    out.push((fresh.key(), Some(fresh)));
    out
}

/// The form versions waiting records were collected with.
fn waiting_versions(outbox: &[Waiting]) -> BTreeSet<(String, i64)> {
    outbox
        .iter()
        .map(|e| (e.form_id.clone(), e.form_version))
        .collect()
}

/// What to put (`Some`) or delete (`None`), by key, so that the kept forms match the
/// server's list of the forms assigned to `user_id`. Forms of other users of the device
/// are left alone except where they share a form with this one.
#[must_use]
pub fn plan_refresh(
    user_id: &str,
    assigned: Vec<AssignedForm>,
    kept: Vec<CachedForm>,
    outbox: &[Waiting],
    now: i64,
) -> BTreeMap<String, Option<CachedForm>> {
    let waiting = waiting_versions(outbox);
    let mut current: BTreeMap<String, CachedForm> = BTreeMap::new();
    let mut plan: BTreeMap<String, Option<CachedForm>> = BTreeMap::new();
    for form in kept {
        if form.superseded {
            // Dropped once no waiting record needs it.
            if !waiting.contains(&(
                form.version.form_id.to_string(),
                form.version.summary.number,
            )) {
                plan.insert(form.key(), None);
            }
        } else {
            current.insert(form.version.form_id.to_string(), form);
        }
    }
    let assigned_ids: BTreeSet<String> = assigned
        .iter()
        .map(|a| a.version.form_id.to_string())
        .collect();
    for a in assigned {
        let existing = current.get(&a.version.form_id.to_string());
        let unchanged =
            existing.is_some_and(|f| f.version == a.version && f.assigned_to.contains(user_id));
        if unchanged {
            continue;
        }
        for (key, put) in replace_version(existing, a.version, &waiting, now, |f| {
            f.assigned_to.insert(user_id.to_owned());
        }) {
            plan.insert(key, put);
        }
    }
    for (id, mut form) in current {
        if assigned_ids.contains(&id) || !form.assigned_to.remove(user_id) {
            continue;
        }
        let holds_records = outbox.iter().any(|e| e.form_id == id);
        if form.assigned_to.is_empty() && !form.by_link && !holds_records {
            plan.insert(id, None);
        } else {
            plan.insert(id, Some(form));
        }
    }
    plan
}

/// Brings the kept forms in line with the server's list of the forms assigned to
/// `user_id`, in one transaction.
pub async fn refresh_assigned(
    user_id: &str,
    assigned: Vec<AssignedForm>,
) -> Result<(), StoreError> {
    let kept: Vec<CachedForm> = idb::all(FORMS).await?;
    let outbox = all_waiting().await?;
    let plan = plan_refresh(user_id, assigned, kept, &outbox, now_ms());
    if plan.is_empty() {
        return Ok(());
    }
    let mut changes = Vec::with_capacity(plan.len());
    for (key, put) in plan {
        changes.push(match put {
            Some(form) => Change::put(FORMS, &key, &form)?,
            None => Change::delete(FORMS, &key),
        });
    }
    idb::write(changes).await
}

/// Keeps (or updates) a form added by its link.
pub async fn keep_by_link(version: VersionDetail) -> Result<(), StoreError> {
    let existing = cached_form(&version.form_id.to_string()).await?;
    let waiting = waiting_versions(&all_waiting().await?);
    let mut changes = Vec::new();
    for (key, put) in replace_version(existing.as_ref(), version, &waiting, now_ms(), |f| {
        f.by_link = true;
    }) {
        if let Some(form) = put {
            changes.push(Change::put(FORMS, &key, &form)?);
        }
    }
    idb::write(changes).await
}

/// The kept current version of a form.
pub async fn cached_form(form_id: &str) -> Result<Option<CachedForm>, StoreError> {
    idb::get(FORMS, form_id).await
}

/// The kept version `number` of a form: the current one or a superseded one.
pub async fn cached_version(form_id: &str, number: i64) -> Result<Option<CachedForm>, StoreError> {
    match cached_form(form_id).await? {
        Some(f) if f.version.summary.number == number => Ok(Some(f)),
        _ => idb::get(FORMS, &superseded_key(form_id, number)).await,
    }
}

/// Every kept form version.
pub async fn cached_forms() -> Result<Vec<CachedForm>, StoreError> {
    idb::all(FORMS).await
}

/// Takes back "added by link"; the form goes unless it is assigned to someone here or
/// records collected with it still wait.
pub async fn forget_link(form_id: &str) -> Result<(), StoreError> {
    let Some(mut form) = cached_form(form_id).await? else {
        return Ok(());
    };
    let outbox = all_waiting().await?;
    form.by_link = false;
    let change = if form.assigned_to.is_empty() && !outbox.iter().any(|e| e.form_id == form_id) {
        Change::delete(FORMS, form_id)
    } else {
        Change::put(FORMS, form_id, &form)?
    };
    idb::write(vec![change]).await
}

/// The form id in what a staff member pasted: a hosted link `…/f/{id}` or a bare id.
#[must_use]
pub fn form_id_from(input: &str) -> Option<String> {
    let text = input.trim();
    let tail = match text.rfind("/f/") {
        Some(at) => &text[at + 3..],
        None => text,
    };
    let id: String = tail
        .split(['?', '#', '/'])
        .next()
        .unwrap_or_default()
        .to_owned();
    let valid = !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    valid.then_some(id)
}

#[cfg(test)]
#[path = "forms_tests.rs"]
mod tests;
