//! `AppState`: everything a request handler may use, passed as axum state.

use std::sync::Arc;

use crate::{
    config::{Config, SessionPolicy},
    consent::{versions::VersionCache, writer::SubmissionWriter},
    crypto::{KeyWrapper, SubkeyRoot},
    keys::KeyRing,
    store::Db,
    web::spa::SpaAssets,
};

/// Shared by every request; cheap to clone (one reference count: axum clones the state
/// for every request and layer).
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Services {
    pub db: Db,
    pub config: Arc<Config>,
    pub sessions: SessionPolicy,
    pub spa: Arc<SpaAssets>,
    /// Wraps data keys and signing keys; never leaves the process.
    pub master: Arc<dyn KeyWrapper>,
    /// The server's ed25519 keys (receipts, audit heads), read again from the database
    /// as they change: take one `snapshot()` per operation.
    pub keys: Arc<KeyRing>,
    /// Purpose-bound subkeys (blind indexes, withdrawal tokens).
    pub subkeys: Arc<SubkeyRoot>,
    /// Published form versions, parsed once.
    pub versions: Arc<VersionCache>,
    /// The task that stores submissions in batches.
    pub writer: SubmissionWriter,
    /// The clock retention judges dates by.
    pub clock: Arc<crate::clock::Clock>,
    /// This replica's retention worker.
    pub retention: crate::retention::Retention,
    /// Wakes this replica's alert sender when an alert is raised.
    pub alert_wake: tokio::sync::Notify,
    /// This replica's backup worker.
    pub backups: crate::backup::Backups,
}

impl AppState {
    /// State over an opened database.
    #[must_use]
    pub fn new(
        db: Db,
        config: Config,
        master: Arc<dyn KeyWrapper>,
        keys: Arc<KeyRing>,
        subkeys: Arc<SubkeyRoot>,
    ) -> Self {
        let sessions = SessionPolicy::from(&config);
        let spa = Arc::new(SpaAssets::load(&config.static_dir));
        let writer = SubmissionWriter::start(db.clone());
        Self(Arc::new(Services {
            db,
            config: Arc::new(config),
            sessions,
            spa,
            master,
            keys,
            subkeys,
            versions: Arc::new(VersionCache::default()),
            writer,
            clock: Arc::new(crate::clock::Clock::default()),
            retention: crate::retention::Retention::new(crate::store::now_ms()),
            alert_wake: tokio::sync::Notify::new(),
            backups: crate::backup::Backups::default(),
        }))
    }
}
