//! When retention runs start by themselves, and the grace period of withdrawals.

use shared::retention::DAY_MS;

const HOUR_MS: i64 = 3_600_000;

/// The retention settings of a server (`Config::retention`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// False: runs start only from the console.
    pub scheduled: bool,
    /// Hours between scheduled runs (at least 1).
    pub interval_hours: u32,
    /// Minutes after midnight UTC of the first run of a day.
    pub at_minute: u32,
    /// Days values that served only withdrawn purposes are kept after the withdrawal.
    pub grace_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            scheduled: true,
            interval_hours: 24,
            at_minute: 2 * 60 + 30,
            grace_days: 7,
        }
    }
}

impl Settings {
    /// Settings from the configuration's values, defaults for those not given.
    ///
    /// # Errors
    /// When `at` is not a time of day `HH:MM`.
    pub fn new(
        scheduled: bool,
        interval_hours: Option<u32>,
        at: Option<&str>,
        grace_days: Option<u32>,
    ) -> Result<Self, String> {
        let defaults = Self::default();
        let at_minute = match at {
            None => defaults.at_minute,
            Some(text) => parse_time_of_day(text)
                .ok_or_else(|| format!("{text:?} is not a time of day HH:MM (UTC)"))?,
        };
        Ok(Self {
            scheduled,
            interval_hours: interval_hours.unwrap_or(defaults.interval_hours).max(1),
            at_minute,
            grace_days: grace_days.unwrap_or(defaults.grace_days),
        })
    }

    /// The grace period in milliseconds.
    #[must_use]
    pub fn grace_ms(&self) -> i64 {
        i64::from(self.grace_days) * DAY_MS
    }

    /// `HH:MM`.
    #[must_use]
    pub fn at_utc(&self) -> String {
        format!("{:02}:{:02}", self.at_minute / 60, self.at_minute % 60)
    }

    fn interval_ms(&self) -> i64 {
        i64::from(self.interval_hours) * HOUR_MS
    }

    /// The latest scheduled moment at or before `now_ms`: moments are the time of day
    /// plus whole intervals, counted from the epoch's first day.
    #[must_use]
    pub fn latest_slot(&self, now_ms: i64) -> i64 {
        let anchor = i64::from(self.at_minute) * 60_000;
        anchor + (now_ms - anchor).div_euclid(self.interval_ms()) * self.interval_ms()
    }

    /// The first scheduled moment after `now_ms`.
    #[must_use]
    pub fn next_slot(&self, now_ms: i64) -> i64 {
        self.latest_slot(now_ms) + self.interval_ms()
    }
}

/// Minutes after midnight of `HH:MM`.
fn parse_time_of_day(text: &str) -> Option<u32> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn slots_fall_at_the_time_of_day_and_every_interval() {
        let s = Settings::new(true, Some(6), Some("02:30"), None).unwrap();
        assert_eq!(s.at_utc(), "02:30");
        let day = 20_000 * DAY_MS;
        let at = |h: i64, m: i64| day + h * HOUR_MS + m * 60_000;
        assert_eq!(s.latest_slot(at(2, 30)), at(2, 30));
        assert_eq!(s.latest_slot(at(8, 29)), at(2, 30));
        assert_eq!(s.next_slot(at(8, 29)), at(8, 30));
        assert_eq!(s.latest_slot(at(1, 0)), at(-3, -30));
        assert!(Settings::new(true, None, Some("24:00"), None).is_err());
        assert!(Settings::new(true, None, Some("7"), None).is_err());
        assert_eq!(Settings::default().grace_ms(), 7 * DAY_MS);
    }
}
