//! Offline collection for staff and managers: the device key, the IndexedDB outbox, the
//! cached forms, the sync loop and the service worker.
//!
//! [`Collector`] is provided to the whole console. It knows who collects on this browser:
//! the signed-in staff member or manager, or, while the server cannot be reached, the one
//! who last collected here (remembered in `localStorage`, so a reload offline still opens
//! their outbox). Nothing here needs the network except registering, syncing and
//! fetching the forms assigned to the user.

pub mod device;
pub mod forms;
pub mod idb;
pub mod outbox;
mod sw;
mod sync;
pub mod vault;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use shared::api::auth::Role;
use shared::api::error::{ApiError, ErrorCode};

use crate::session::{Session, SessionState};
use device::Device;
use forms::{CachedForm, Standing, Waiting};
use outbox::{OutboxEntry, SyncedEntry};
use vault::{Lock, Vault};
use zeroize::Zeroizing;

/// The `localStorage` key of the last user who collected on this browser.
const USER_KEY: &str = "consentry.collect.user";

/// Who collects on this browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectUser {
    pub id: String,
    pub display_name: String,
}

/// True for the roles that collect records.
#[must_use]
pub fn collects(role: Role) -> bool {
    shared::access::Permission::CollectRecords.allows(Some(role))
}

/// Whether this user's records on this browser can be read (see [`vault`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockState {
    /// Not known yet.
    Checking,
    /// Nothing is sealed here: the user has no registered device on this browser.
    NoVault,
    /// The vault is open.
    Open,
    /// Sealed records wait: `waiting` in the outbox. `by_password`: the user's password
    /// opens them; otherwise only signing in online does.
    Locked { waiting: usize, by_password: bool },
}

/// The state of offline collection, provided to the whole console.
#[derive(Debug, Clone, Copy)]
pub struct Collector {
    /// Who collects (none: nobody signed in, or not a collecting role).
    pub user: RwSignal<Option<CollectUser>>,
    /// This browser's device for the user.
    pub device: RwSignal<Option<Device>>,
    /// Records waiting for the server, oldest first.
    pub outbox: RwSignal<Vec<OutboxEntry>>,
    /// Records the server stored, newest first.
    pub synced: RwSignal<Vec<SyncedEntry>>,
    /// The forms kept on this device that the user sees, with their standing.
    pub forms: RwSignal<Vec<(CachedForm, Standing)>>,
    /// Why the list of assigned forms could not be fetched last time (not when offline).
    pub forms_error: RwSignal<Option<ApiError>>,
    /// The browser's idea of whether it is online.
    pub online: RwSignal<bool>,
    /// The service worker controls the page: the console opens offline.
    pub offline_ready: RwSignal<bool>,
    /// While syncing: records answered so far, and in all.
    pub progress: RwSignal<Option<(usize, usize)>>,
    /// The last sync's failure, if it failed.
    pub last_error: RwSignal<Option<ApiError>>,
    /// The local database could not be used.
    pub store_failed: RwSignal<bool>,
    /// The open vault of the user's records, in memory only.
    pub vault: RwSignal<Option<Vault>>,
    /// Whether the user's records here can be read.
    pub lock: RwSignal<LockState>,
    /// The password the user just signed in with, until it has wrapped their vault key.
    password: StoredValue<Option<Zeroizing<String>>>,
    session: Session,
}

impl Collector {
    /// Starts offline collection: the service worker, the user, network events and the
    /// periodic sync.
    #[must_use]
    pub fn start(session: Session) -> Self {
        let collector = Self {
            user: RwSignal::new(None),
            device: RwSignal::new(None),
            outbox: RwSignal::new(Vec::new()),
            synced: RwSignal::new(Vec::new()),
            forms: RwSignal::new(Vec::new()),
            forms_error: RwSignal::new(None),
            online: RwSignal::new(navigator_online()),
            offline_ready: RwSignal::new(false),
            progress: RwSignal::new(None),
            last_error: RwSignal::new(None),
            store_failed: RwSignal::new(false),
            vault: RwSignal::new(None),
            lock: RwSignal::new(LockState::Checking),
            password: StoredValue::new(None),
            session,
        };
        sw::register(collector.offline_ready);
        Effect::new(move |_| collector.follow_session(session.state()));
        sync::watch_network(collector);
        sync::lock_when_idle(collector);
        collector
    }

    /// Works out who collects when the session changes.
    fn follow_session(self, state: SessionState) {
        match state {
            SessionState::Checking => {}
            SessionState::SignedIn(info) => {
                if collects(info.user.role) {
                    let user = CollectUser {
                        id: info.user.id.to_string(),
                        display_name: info.user.display_name,
                    };
                    remember(&user);
                    self.set_user(Some(user));
                } else {
                    self.set_user(None);
                }
            }
            // Signed out, or the server could not be reached: ask again, and carry on
            // offline as the remembered user only when it really is unreachable.
            SessionState::SignedOut => {
                let Some(user) = remembered() else {
                    self.set_user(None);
                    return;
                };
                let api = self.session.client();
                spawn_local(async move {
                    match api.session().await {
                        Ok(info) => self.session.signed_in(info),
                        Err(e) if e.code == ErrorCode::Unavailable => self.set_user(Some(user)),
                        Err(_) => {
                            forget_user();
                            self.set_user(None);
                        }
                    }
                });
            }
        }
    }

    fn set_user(self, user: Option<CollectUser>) {
        if user.is_none() {
            self.password.set_value(None);
        }
        let changed = self.user.with_untracked(|u| u != &user);
        if changed {
            self.user.set(user);
            self.device.set(None);
            self.outbox.set(Vec::new());
            self.synced.set(Vec::new());
            self.forms.set(Vec::new());
            self.forms_error.set(None);
            self.vault.set(None);
            self.lock.set(LockState::Checking);
        }
        self.reload();
        if changed {
            self.sync_now();
        }
    }

    /// Reads the device, outbox, synced list and kept forms of the current user again.
    pub fn reload(self) {
        spawn_local(async move { self.reload_now().await });
    }

    async fn reload_now(self) {
        let Some(user) = self.user.get_untracked() else {
            return;
        };
        let loaded = async {
            let device = device::load(&user.id).await?;
            let lock = self.open_vault(&user, device.as_ref()).await?;
            // Opening the vault may have sealed the device's key.
            let device = match device {
                Some(d) if d.has_key_in_clear() => device::load(&user.id).await?,
                other => other,
            };
            let (outbox, synced) = match self.vault.get_untracked() {
                Some(vault) if lock == LockState::Open => (
                    outbox::pending(&vault).await?,
                    outbox::synced(&vault).await?,
                ),
                _ => (Vec::new(), Vec::new()),
            };
            let waiting: Vec<Waiting> = outbox.iter().map(Waiting::from).collect();
            let kept = forms::forms_of(&user.id, forms::cached_forms().await?, &waiting);
            Ok::<_, idb::StoreError>((device, lock, outbox, synced, kept))
        }
        .await;
        // The user may have changed while reading.
        if self.user.with_untracked(|u| u.as_ref() != Some(&user)) {
            return;
        }
        match loaded {
            Ok((device, lock, outbox, synced, kept)) => {
                self.store_failed.set(false);
                self.device.set(device);
                self.lock.set(lock);
                self.outbox.set(outbox);
                self.synced.set(synced);
                self.forms.set(kept);
            }
            Err(_) => self.store_failed.set(true),
        }
    }

    /// Keeps the password the user just signed in with, to wrap their vault key under
    /// it (so that it opens their records offline) once the vault is open.
    pub fn offer_password(self, password: String) {
        self.password.set_value(Some(Zeroizing::new(password)));
    }

    /// Closes the vault: its key leaves memory, and so do the records it opened (and a
    /// password still waiting to wrap it).
    pub fn lock_now(self) {
        self.password.set_value(None);
        self.vault.set(None);
        self.outbox.set(Vec::new());
        self.synced.set(Vec::new());
        self.reload();
    }

    /// Opens the user's vault with their password; `false` when it does not open it.
    pub async fn unlock(self, password: &str) -> bool {
        let Some(user) = self.user.get_untracked() else {
            return false;
        };
        let Ok(Some(lock)) = vault::load_lock(&user.id).await else {
            return false;
        };
        let Some(opened) = lock.open_with_password(password) else {
            return false;
        };
        self.vault.set(Some(opened));
        self.reload_now().await;
        self.sync_now();
        true
    }

    /// Opens the user's vault if it can (it is open already; the server gives this
    /// device's share; the password they just signed in with opens it), making it on
    /// first use once the device is registered, and tells how it stands.
    async fn open_vault(
        self,
        user: &CollectUser,
        device: Option<&Device>,
    ) -> Result<LockState, idb::StoreError> {
        let _one_at_a_time = vault::OPENING.lock().await;
        let registered = device
            .filter(|d| !d.revoked)
            .and_then(|d| d.device_id.clone());
        let lock = vault::load_lock(&user.id).await?;
        let open = self
            .vault
            .get_untracked()
            .filter(|v| v.user_id() == user.id);
        // What changed is written in one transaction: the lock with the entries and the
        // device key it seals, so that nothing is ever sealed under a key no lock holds.
        let mut lock_changed = false;
        let (mut lock, opened, fresh) = match (lock, open) {
            (Some(mut lock), Some(opened)) => {
                // A renewed device, registered anew: its own share wraps the key.
                if let Some(id) = registered.filter(|id| *id != lock.device_id) {
                    if let Some(share) = self.share(user, &id).await {
                        lock.wrap_for_device(&opened, &id, &share)?;
                        lock_changed = true;
                    }
                }
                (lock, opened, false)
            }
            (Some(lock), None) => {
                let by_share = match registered.as_ref().filter(|id| **id == lock.device_id) {
                    Some(id) => self
                        .share(user, id)
                        .await
                        .and_then(|share| lock.open_with_share(&share)),
                    None => None,
                };
                let opened = by_share.or_else(|| {
                    self.password
                        .with_value(|p| p.as_ref().and_then(|p| lock.open_with_password(p)))
                });
                let Some(opened) = opened else {
                    return locked(user, lock.by_password.is_some()).await;
                };
                (lock, opened, true)
            }
            (None, _) => {
                let Some(id) = registered else {
                    return Ok(LockState::NoVault);
                };
                let Some(share) = self.share(user, &id).await else {
                    return locked(user, false).await;
                };
                let (lock, opened) = Lock::create(&user.id, &id, &share)?;
                lock_changed = true;
                (lock, opened, true)
            }
        };
        if let Some(password) = self.password.try_update_value(Option::take).flatten() {
            lock.wrap_for_password(&opened, &password)?;
            lock_changed = true;
        }
        let mut changes = Vec::new();
        if lock_changed {
            changes.push(vault::save_lock(&lock)?);
        }
        if fresh {
            // Records kept by versions before the vault are sealed now.
            changes.extend(outbox::seal_in_clear(&opened).await?);
        }
        // The device's signing key goes under the vault too (a renewed key, registered
        // anew, as soon as the vault is open).
        if device.is_some_and(Device::has_key_in_clear) {
            if let Some(mut current) = device::load(&user.id).await? {
                if current.seal_key(&opened)? {
                    changes.push(device::save_change(&current)?);
                }
            }
        }
        idb::write(changes).await?;
        if fresh {
            self.vault.set(Some(opened));
        }
        Ok(LockState::Open)
    }

    /// The server's share for the user's device `id`, when signed in and online.
    async fn share(self, user: &CollectUser, id: &str) -> Option<String> {
        let signed_in =
            untrack(|| self.session.info()).is_some_and(|i| i.user.id.to_string() == user.id);
        if !signed_in {
            return None;
        }
        self.session
            .client()
            .outbox_key(id)
            .await
            .ok()
            .map(|k| k.key)
    }

    /// Syncs now (unless a sync is running or there is nothing to do), then fetches
    /// the forms assigned to the user.
    pub fn sync_now(self) {
        if self.progress.get_untracked().is_some() {
            return;
        }
        spawn_local(async move {
            sync::run(self).await;
            self.refresh_forms_now().await;
        });
    }

    /// Fetches the forms assigned to the user and keeps them on this device.
    pub fn refresh_forms(self) {
        spawn_local(async move { self.refresh_forms_now().await });
    }

    async fn refresh_forms_now(self) {
        let Some(user) = self.user.get_untracked() else {
            return;
        };
        // Offline, or an offline reload that has no session yet: the kept forms serve.
        if untrack(|| self.session.info()).is_none_or(|i| i.user.id.to_string() != user.id) {
            return;
        }
        match self.session.client().my_forms().await {
            Ok(assigned) => {
                self.forms_error.set(None);
                if forms::refresh_assigned(&user.id, assigned).await.is_err() {
                    self.store_failed.set(true);
                }
                self.reload_now().await;
            }
            Err(e) if e.code == ErrorCode::Unavailable => {
                self.online.set(navigator_online());
            }
            Err(e) => {
                self.session.note_error(&e);
                self.forms_error.set(Some(e));
            }
        }
    }

    /// The session this collector follows.
    #[must_use]
    pub fn session(self) -> Session {
        self.session
    }
}

/// The state of `user`'s vault when it stays closed: how many records wait.
async fn locked(user: &CollectUser, by_password: bool) -> Result<LockState, idb::StoreError> {
    Ok(LockState::Locked {
        waiting: vault::count(idb::OUTBOX, &user.id).await?,
        by_password,
    })
}

/// The [`Collector`] context provided by the app shell.
#[must_use]
pub fn use_collector() -> Collector {
    expect_context::<Collector>()
}

fn navigator_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn remember(user: &CollectUser) {
    if let (Some(storage), Ok(json)) = (local_storage(), serde_json::to_string(user)) {
        let _ = storage.set_item(USER_KEY, &json);
    }
}

fn remembered() -> Option<CollectUser> {
    let json = local_storage()?.get_item(USER_KEY).ok().flatten()?;
    serde_json::from_str(&json).ok()
}

/// Forgets who collected here (on sign-out); their outbox stays for their next sign-in.
pub fn forget_user() {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(USER_KEY);
    }
}
