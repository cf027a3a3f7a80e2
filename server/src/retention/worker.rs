//! Each replica's retention worker: a task that wakes every few seconds (or when an
//! admin starts a run) and takes a turn (`run::turn`); the database lease decides
//! which replica acts.

use std::time::Duration;

use tokio::sync::Notify;

use super::run;
use crate::state::AppState;

/// This replica's part in retention.
#[derive(Debug)]
pub struct Retention {
    /// Who this replica is in the lease table.
    pub holder: String,
    /// When this replica started: a fresh server waits for the next scheduled moment.
    pub started_at_ms: i64,
    wake: Notify,
}

impl Retention {
    #[must_use]
    pub fn new(started_at_ms: i64) -> Self {
        Self {
            holder: uuid::Uuid::new_v4().to_string(),
            started_at_ms,
            wake: Notify::new(),
        }
    }

    /// Makes the worker take its turn now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Starts the worker; it runs until aborted (an interrupted page rolls back).
#[must_use]
pub fn spawn(state: AppState, tick: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = tokio::time::sleep(tick) => {}
                () = state.retention.wake.notified() => {}
            }
            let holder = state.retention.holder.clone();
            if let Err(e) = run::turn(&state, &holder).await {
                tracing::warn!(error = %e, "retention turn failed; it is tried again");
            }
        }
    })
}
