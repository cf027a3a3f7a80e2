//! Slots for preparing sync chunks on the blocking pool, shared by every sync request
//! in the process, so that the writer (the one part of a sync that cannot run in
//! parallel) keeps a core.
//!
//! Chunks queue for the slots first come, first served. While several requests that
//! write are in flight they share every core but one: the machine is busy, and the
//! writer needs the last core for itself. A request alone may use the last core too:
//! then only its own chunks compete with its writer, and preparing them sooner lets its
//! commit start sooner. Requests that only replay stored records write nothing and do
//! not count. (Measured against one slot per core: docs/performance.md.)

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    LazyLock,
};

use tokio::sync::{Semaphore, SemaphorePermit};

/// The process's slots.
pub(super) static SLOTS: LazyLock<Slots> = LazyLock::new(|| Slots::new(cores()));

/// How many cores the process may use.
pub(super) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

pub(super) struct Slots {
    /// Every core but one (at least one), for anyone.
    shared: Semaphore,
    /// The last core, only for a request that is alone.
    lone: Semaphore,
    /// Sync requests with records to write, preparing or writing now.
    active: AtomicUsize,
}

/// A request counted as active until dropped (also when it is cancelled).
pub(super) struct Active<'a>(&'a Slots);

impl Drop for Active<'_> {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Slots {
    fn new(cores: usize) -> Self {
        Self {
            shared: Semaphore::new(cores.saturating_sub(1).max(1)),
            lone: Semaphore::new(usize::from(cores > 1)),
            active: AtomicUsize::new(0),
        }
    }

    /// Counts a request that writes in while the guard lives.
    pub(super) fn enter(&self) -> Active<'_> {
        self.active.fetch_add(1, Ordering::SeqCst);
        Active(self)
    }

    /// Waits for a slot. The last core's slot is taken only while at most one request
    /// that writes is in flight (the caller's own, or another's when the caller only
    /// replays).
    pub(super) async fn acquire(&self) -> Option<SemaphorePermit<'_>> {
        let alone = self.active.load(Ordering::SeqCst) <= 1;
        tokio::select! {
            biased;
            Ok(permit) = self.shared.acquire() => Some(permit),
            Ok(permit) = self.lone.acquire(), if alone => Some(permit),
            // Neither semaphore is ever closed; run without a slot if one were.
            else => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_lone_request_uses_every_core_and_several_leave_one_for_the_writer() {
        let slots = Slots::new(2);
        let first = slots.enter();
        let a = slots.acquire().await.unwrap();
        let b = slots.acquire().await.unwrap();
        assert!(slots.lone.available_permits() == 0 && slots.shared.available_permits() == 0);
        drop((a, b));
        // A second request: only the shared slot is open to both.
        let second = slots.enter();
        let a = slots.acquire().await.unwrap();
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(50), slots.acquire());
        assert!(
            waiting.await.is_err(),
            "the last core stays free while two are active"
        );
        drop(a);
        drop(second);
        // Alone again: both cores.
        let _a = slots.acquire().await.unwrap();
        let _b = slots.acquire().await.unwrap();
        drop(first);
    }

    #[tokio::test]
    async fn one_core_has_one_slot() {
        let slots = Slots::new(1);
        let _alone = slots.enter();
        let _a = slots.acquire().await.unwrap();
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(50), slots.acquire());
        assert!(waiting.await.is_err());
    }
}
