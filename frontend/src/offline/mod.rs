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

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use shared::api::auth::Role;
use shared::api::error::{ApiError, ErrorCode};

use crate::session::{Session, SessionState};
use device::Device;
use forms::{CachedForm, Standing, Waiting};
use outbox::{OutboxEntry, SyncedEntry};

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
    matches!(role, Role::Staff | Role::Manager)
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
            session,
        };
        sw::register(collector.offline_ready);
        Effect::new(move |_| collector.follow_session(session.state()));
        sync::watch_network(collector);
        collector
    }

    /// Works out who collects when the session changes.
    fn follow_session(self, state: SessionState) {
        match state {
            SessionState::Checking => {}
            SessionState::SignedIn(info) => {
                if collects(info.user.role) {
                    let user = CollectUser {
                        id: info.user.id.clone(),
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
        let changed = self.user.with_untracked(|u| u != &user);
        if changed {
            self.user.set(user);
            self.device.set(None);
            self.outbox.set(Vec::new());
            self.synced.set(Vec::new());
            self.forms.set(Vec::new());
            self.forms_error.set(None);
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
            let outbox = outbox::pending(&user.id).await?;
            let synced = outbox::synced(&user.id).await?;
            let waiting: Vec<Waiting> = outbox.iter().map(Waiting::from).collect();
            let kept = forms::forms_of(&user.id, forms::cached_forms().await?, &waiting);
            Ok::<_, idb::StoreError>((device, outbox, synced, kept))
        }
        .await;
        // The user may have changed while reading.
        if self.user.with_untracked(|u| u.as_ref() != Some(&user)) {
            return;
        }
        match loaded {
            Ok((device, outbox, synced, kept)) => {
                self.store_failed.set(false);
                self.device.set(device);
                self.outbox.set(outbox);
                self.synced.set(synced);
                self.forms.set(kept);
            }
            Err(_) => self.store_failed.set(true),
        }
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
        if untrack(|| self.session.info()).is_none_or(|i| i.user.id != user.id) {
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
