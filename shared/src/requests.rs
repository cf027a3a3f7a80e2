//! Data-subject requests: when one is due, and how it moves from arrival to answer.
//!
//! The server applies these rules and the console explains them with the same code.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::api::requests::RequestStatus;

/// A period the law gives to answer: whole days, or calendar months (a month from 31
/// January ends on the last day of February).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "unit", content = "count")]
pub enum DuePeriod {
    Days(u32),
    Months(u32),
}

impl DuePeriod {
    /// Reads `15d` or `1m` (as a configuration writes it).
    ///
    /// # Errors
    /// A message naming the text when it is neither, or zero, or longer than a year.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let bad = || format!("{text:?} is not a period such as 15d (days) or 1m (months)");
        let (number, unit) = t.split_at(t.len().saturating_sub(1));
        let n: u32 = number.trim().parse().map_err(|_| bad())?;
        let period = match unit {
            "d" | "D" if (1..=366).contains(&n) => DuePeriod::Days(n),
            "m" | "M" if (1..=12).contains(&n) => DuePeriod::Months(n),
            _ => return Err(bad()),
        };
        Ok(period)
    }

    /// The moment this period after `from_ms` ends (UTC calendar; the same time of day).
    #[must_use]
    pub fn after(self, from_ms: i64) -> i64 {
        let Ok(from) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(from_ms) * 1_000_000)
        else {
            return from_ms;
        };
        let end = match self {
            DuePeriod::Days(n) => from + Duration::days(i64::from(n)),
            DuePeriod::Months(n) => add_months(from, n),
        };
        i64::try_from(end.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
    }
}

impl std::fmt::Display for DuePeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DuePeriod::Days(n) => write!(f, "{n}d"),
            DuePeriod::Months(n) => write!(f, "{n}m"),
        }
    }
}

fn add_months(from: OffsetDateTime, n: u32) -> OffsetDateTime {
    let months0 =
        i64::from(from.year()) * 12 + i64::from(u8::from(from.month())) - 1 + i64::from(n);
    let year = i32::try_from(months0.div_euclid(12)).unwrap_or(i32::MAX);
    let month = time::Month::try_from(u8::try_from(months0.rem_euclid(12) + 1).unwrap_or(1))
        .unwrap_or(time::Month::January);
    let last = month.length(year);
    let day = from.day().min(last);
    time::Date::from_calendar_date(year, month, day)
        .map(|d| from.replace_date(d))
        .unwrap_or(from)
}

/// How long an organisation has to answer, and whether (and by how much) the deadline
/// may be extended with a stated reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestPolicy {
    pub due: DuePeriod,
    /// `None`: no extension is possible.
    pub extension: Option<DuePeriod>,
}

impl Default for RequestPolicy {
    /// 15 days without extension: the practice under PIPL (GB/T 35273-2020 §8.7).
    fn default() -> Self {
        Self {
            due: DuePeriod::Days(15),
            extension: None,
        }
    }
}

impl RequestPolicy {
    /// The GDPR's: one month, extendable by two more (Art. 12(3)).
    pub const GDPR: RequestPolicy = RequestPolicy {
        due: DuePeriod::Months(1),
        extension: Some(DuePeriod::Months(2)),
    };

    /// When a request received at `received_at_ms` is due, extended or not.
    #[must_use]
    pub fn due_at(&self, received_at_ms: i64, extended: bool) -> i64 {
        let due = self.due.after(received_at_ms);
        match (extended, self.extension) {
            (true, Some(ext)) => ext.after(due),
            _ => due,
        }
    }
}

/// Open requests due within this many days are "due soon" in the register.
pub const DUE_SOON_DAYS: i64 = 3;

/// Whether a request in `status`, due at `due_at_ms`, is overdue at `now_ms`: still
/// open and past its due moment.
#[must_use]
pub fn overdue(status: RequestStatus, due_at_ms: i64, now_ms: i64) -> bool {
    !status.is_closed() && now_ms > due_at_ms
}

/// Whole days left until `due_at_ms` (negative once overdue), counted as the console
/// shows them: a request due later today has 0 days left.
#[must_use]
pub fn days_left(due_at_ms: i64, now_ms: i64) -> i64 {
    (due_at_ms - now_ms).div_euclid(crate::retention::DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = crate::retention::DAY_MS;

    fn ms(y: i32, m: u8, d: u8) -> i64 {
        let month = time::Month::try_from(m).expect("a month");
        let date = time::Date::from_calendar_date(y, month, d).expect("a date");
        date.midnight().assume_utc().unix_timestamp() * 1000
    }

    #[test]
    fn periods_parse_and_print() {
        assert_eq!(DuePeriod::parse("15d"), Ok(DuePeriod::Days(15)));
        assert_eq!(DuePeriod::parse(" 1m "), Ok(DuePeriod::Months(1)));
        for bad in ["", "d", "0d", "15", "13m", "1y", "-1d", "400d"] {
            assert!(DuePeriod::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(DuePeriod::Months(2).to_string(), "2m");
    }

    #[test]
    fn months_end_on_the_same_day_or_the_last_of_a_short_month() {
        assert_eq!(DuePeriod::Months(1).after(ms(2026, 1, 31)), ms(2026, 2, 28));
        assert_eq!(DuePeriod::Months(1).after(ms(2028, 1, 31)), ms(2028, 2, 29));
        assert_eq!(DuePeriod::Months(1).after(ms(2026, 12, 3)), ms(2027, 1, 3));
        assert_eq!(
            DuePeriod::Months(12).after(ms(2026, 3, 15)),
            ms(2027, 3, 15)
        );
        assert_eq!(DuePeriod::Days(15).after(ms(2026, 12, 20)), ms(2027, 1, 4));
    }

    #[test]
    fn extensions_add_to_the_first_deadline_only_where_allowed() {
        let received = ms(2026, 1, 10);
        let pipl = RequestPolicy::default();
        assert_eq!(pipl.due_at(received, false), received + 15 * DAY);
        assert_eq!(pipl.due_at(received, true), received + 15 * DAY);
        let gdpr = RequestPolicy::GDPR;
        assert_eq!(gdpr.due_at(received, false), ms(2026, 2, 10));
        assert_eq!(gdpr.due_at(received, true), ms(2026, 4, 10));
    }

    #[test]
    fn only_open_requests_become_overdue() {
        let due = ms(2026, 1, 10);
        assert!(!overdue(RequestStatus::InProgress, due, due));
        assert!(overdue(RequestStatus::InProgress, due, due + 1));
        assert!(overdue(RequestStatus::New, due, due + DAY));
        assert!(!overdue(RequestStatus::Answered, due, due + DAY));
        assert!(!overdue(RequestStatus::Refused, due, due + DAY));
        assert_eq!(days_left(due, due - 2 * DAY), 2);
        assert_eq!(days_left(due, due - 1), 0);
        assert_eq!(days_left(due, due + 1), -1);
    }
}
