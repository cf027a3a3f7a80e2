//! The server's clock for what runs on dates (retention): the system time, moved by an
//! offset that tests set to make days pass without waiting for them.

use std::sync::atomic::{AtomicI64, Ordering};

/// The system clock plus an offset (zero outside tests).
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Milliseconds since the Unix epoch.
    #[must_use]
    pub fn now_ms(&self) -> i64 {
        crate::store::now_ms().saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves the clock `ms` forward (tests).
    pub fn advance(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}
