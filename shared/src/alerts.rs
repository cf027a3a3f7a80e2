//! The alert rules on unusual behaviour, as pure functions of what happened and the
//! organisation's settings: the server evaluates them, the console explains them.

use crate::api::alerts::{AlertRule, AlertSettings};

/// The rule fired, with what was observed against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Firing {
    pub rule: AlertRule,
    pub observed: u64,
    pub limit: u64,
}

/// One of the user's earlier exports: when, and how many rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastExport {
    pub at_ms: i64,
    pub rows: u64,
}

const DAY_MS: i64 = 86_400_000;
const MINUTE_MS: i64 = 60_000;

/// The median of `values` (the lower middle one for an even count); 0 when empty.
#[must_use]
pub fn median(values: &mut [u64]) -> u64 {
    if values.is_empty() {
        return 0;
    }
    values.sort_unstable();
    values[(values.len() - 1) / 2]
}

/// The local day number (days since the epoch) of `at_ms` at `offset_minutes`.
#[must_use]
pub fn local_day(at_ms: i64, offset_minutes: i32) -> i64 {
    (at_ms + i64::from(offset_minutes) * MINUTE_MS).div_euclid(DAY_MS)
}

/// Whether `at_ms` falls outside working hours (or on a weekend when they are off).
#[must_use]
pub fn off_hours(settings: &AlertSettings, at_ms: i64) -> bool {
    if settings.work_start_hour == settings.work_end_hour {
        return false;
    }
    let local = at_ms + i64::from(settings.utc_offset_minutes) * MINUTE_MS;
    let hour = local.rem_euclid(DAY_MS) / (60 * MINUTE_MS);
    // 1970-01-01 was a Thursday: day 0 → weekday 3 (Monday = 0).
    let weekday = (local.div_euclid(DAY_MS) + 3).rem_euclid(7);
    if settings.weekends_off && weekday >= 5 {
        return true;
    }
    let (start, end) = (
        i64::from(settings.work_start_hour),
        i64::from(settings.work_end_hour),
    );
    if start < end {
        !(start..end).contains(&hour)
    } else {
        // Hours that wrap past midnight (a night shift): 22 → 6.
        (end..start).contains(&hour)
    }
}

/// The export rules that an export of `rows` at `now_ms` fires, given the user's
/// earlier exports over the history window (`history`, any order).
#[must_use]
pub fn export_firings(
    settings: &AlertSettings,
    history: &[PastExport],
    rows: u64,
    now_ms: i64,
) -> Vec<Firing> {
    let mut out = Vec::new();
    let window_start = now_ms - i64::from(settings.history_days) * DAY_MS;
    let mut past: Vec<u64> = history
        .iter()
        .filter(|e| e.at_ms >= window_start && e.at_ms <= now_ms)
        .map(|e| e.rows)
        .collect();
    if settings.history_multiplier > 0 && rows >= settings.history_min_rows.max(1) {
        // With no history the median is 0: a first large export stands out too.
        let limit = median(&mut past)
            .saturating_mul(u64::from(settings.history_multiplier))
            .max(settings.history_min_rows);
        if rows > limit {
            out.push(Firing {
                rule: AlertRule::ExportAboveHistory,
                observed: rows,
                limit,
            });
        }
    }
    if settings.daily_row_limit > 0 {
        let today = local_day(now_ms, settings.utc_offset_minutes);
        let earlier: u64 = history
            .iter()
            .filter(|e| {
                e.at_ms <= now_ms && local_day(e.at_ms, settings.utc_offset_minutes) == today
            })
            .map(|e| e.rows)
            .sum();
        let total = earlier.saturating_add(rows);
        if total > settings.daily_row_limit {
            out.push(Firing {
                rule: AlertRule::DailyExportLimit,
                observed: total,
                limit: settings.daily_row_limit,
            });
        }
    }
    if off_hours(settings, now_ms) {
        out.push(Firing {
            rule: AlertRule::OffHoursExport,
            observed: u64::try_from(
                (now_ms + i64::from(settings.utc_offset_minutes) * MINUTE_MS).rem_euclid(DAY_MS)
                    / (60 * MINUTE_MS),
            )
            .unwrap_or(0),
            limit: u64::from(settings.work_end_hour),
        });
    }
    out
}

/// The burst rule `rule` fires when `count` reveals or records viewed within the burst
/// window exceed its limit.
#[must_use]
pub fn burst_firing(settings: &AlertSettings, rule: AlertRule, count: u64) -> Option<Firing> {
    let limit = match rule {
        AlertRule::RevealBurst => u64::from(settings.reveal_burst),
        AlertRule::ViewBurst => u64::from(settings.view_burst),
        _ => return None,
    };
    (limit > 0 && settings.burst_minutes > 0 && count > limit).then_some(Firing {
        rule,
        observed: count,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> AlertSettings {
        AlertSettings {
            weekends_off: false,
            ..AlertSettings::default()
        }
    }

    // 2026-12-02 10:00 in China (UTC+8), a Wednesday.
    const WED_10AM: i64 = 1_796_176_800_000;

    #[test]
    fn far_above_ones_own_history_fires() {
        let s = settings();
        let history: Vec<PastExport> = [20, 30, 25, 40]
            .iter()
            .enumerate()
            .map(|(i, rows)| PastExport {
                at_ms: WED_10AM - (i as i64 + 1) * DAY_MS,
                rows: *rows,
            })
            .collect();
        // Median 25 → limit 250.
        let f = export_firings(&s, &history, 251, WED_10AM);
        assert_eq!(
            f,
            [Firing {
                rule: AlertRule::ExportAboveHistory,
                observed: 251,
                limit: 250
            }]
        );
        assert!(export_firings(&s, &history, 250, WED_10AM).is_empty());
        // Small exports never fire it, history or not.
        assert!(export_firings(&s, &[], 99, WED_10AM).is_empty());
        // History older than the window does not count.
        let old = [PastExport {
            at_ms: WED_10AM - 31 * DAY_MS,
            rows: 10_000,
        }];
        assert_eq!(export_firings(&s, &old, 150, WED_10AM)[0].limit, 100);
    }

    #[test]
    fn the_daily_limit_counts_the_local_day() {
        let s = AlertSettings {
            daily_row_limit: 1000,
            history_multiplier: 0,
            ..settings()
        };
        let earlier = [PastExport {
            at_ms: WED_10AM - 3_600_000,
            rows: 900,
        }];
        let f = export_firings(&s, &earlier, 101, WED_10AM);
        assert_eq!(f[0].rule, AlertRule::DailyExportLimit);
        assert_eq!(f[0].observed, 1001);
        assert!(export_firings(&s, &earlier, 100, WED_10AM).is_empty());
        // Yesterday (local time) does not count.
        let yesterday = [PastExport {
            at_ms: WED_10AM - 11 * 3_600_000,
            rows: 900,
        }];
        assert!(export_firings(&s, &yesterday, 101, WED_10AM).is_empty());
    }

    #[test]
    fn working_hours_in_local_time_and_weekends() {
        let s = settings();
        assert!(!off_hours(&s, WED_10AM));
        assert!(off_hours(&s, WED_10AM + 12 * 3_600_000)); // 22:00
        assert!(!off_hours(&s, WED_10AM + 10 * 3_600_000)); // 20:00
        let weekends = AlertSettings {
            weekends_off: true,
            ..settings()
        };
        assert!(!off_hours(&weekends, WED_10AM));
        assert!(off_hours(&weekends, WED_10AM + 3 * DAY_MS)); // Saturday
        let night = AlertSettings {
            work_start_hour: 22,
            work_end_hour: 6,
            ..settings()
        };
        assert!(!off_hours(&night, WED_10AM + 13 * 3_600_000)); // 23:00
        assert!(off_hours(&night, WED_10AM));
        let none = AlertSettings {
            work_start_hour: 0,
            work_end_hour: 0,
            ..settings()
        };
        assert!(!off_hours(&none, WED_10AM + 12 * 3_600_000));
    }

    #[test]
    fn bursts_and_zero_turns_a_rule_off() {
        let s = settings();
        assert!(burst_firing(&s, AlertRule::RevealBurst, 20).is_none());
        assert_eq!(
            burst_firing(&s, AlertRule::RevealBurst, 21).map(|f| f.limit),
            Some(20)
        );
        let off = AlertSettings {
            reveal_burst: 0,
            ..settings()
        };
        assert!(burst_firing(&off, AlertRule::RevealBurst, 1_000).is_none());
        assert!(burst_firing(&s, AlertRule::OffHoursExport, 1_000).is_none());
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), 0);
        assert_eq!(median(&mut [5]), 5);
        assert_eq!(median(&mut [9, 1, 5, 7]), 5);
    }
}
