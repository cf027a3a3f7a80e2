//! Figures in words: a rate and its change, a figure as "passed of total", and the
//! rate's previous point on the trend. Pure, so the host tests cover them; 0 of 0 is
//! "nothing to measure" and never a division.

use shared::api::compliance::{Figure, TrendPoint};
use shared::compliance::{percent_text, Severity, DAY_MS};

use crate::i18n::{fill, Texts};

/// How a figure moved since an earlier one, in tenths of a percentage point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// One of the two measured nothing, or there is no earlier figure.
    Unknown,
    Same,
    Up(u32),
    Down(u32),
}

impl Change {
    /// The change from `before` to `now`.
    #[must_use]
    pub fn between(now: Figure, before: Option<Figure>) -> Self {
        match (now.permille(), before.and_then(Figure::permille)) {
            (Some(now), Some(before)) if now > before => Self::Up(now - before),
            (Some(now), Some(before)) if now < before => Self::Down(before - now),
            (Some(_), Some(_)) => Self::Same,
            _ => Self::Unknown,
        }
    }

    /// Its name in `data-change` and the CSS class.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Same => "same",
            Self::Up(_) => "up",
            Self::Down(_) => "down",
        }
    }

    /// The change in words, against `when` ("yesterday" or a date); `None` when unknown.
    #[must_use]
    pub fn words(self, t: &Texts, when: &str) -> Option<String> {
        let c = &t.compliance;
        let (template, points) = match self {
            Self::Unknown => return None,
            Self::Same => (c.change_same, 0),
            Self::Up(p) => (c.change_up, p),
            Self::Down(p) => (c.change_down, p),
        };
        Some(fill(
            template,
            &[("points", &points_text(points)), ("when", when)],
        ))
    }

    /// The arrow shown before the words (hidden from screen readers, which read them).
    #[must_use]
    pub const fn arrow(self) -> &'static str {
        match self {
            Self::Unknown => "",
            Self::Same => "＝ ",
            Self::Up(_) => "▲ ",
            Self::Down(_) => "▼ ",
        }
    }
}

/// Tenths of a point as `1.5`.
#[must_use]
pub(crate) fn points_text(permille: u32) -> String {
    format!("{}.{}", permille / 10, permille % 10)
}

/// A figure as "12 of 15 pass", or "nothing to measure" for 0 of 0.
#[must_use]
pub(crate) fn figure_words(t: &Texts, figure: Figure) -> String {
    if figure.total == 0 {
        t.compliance.nothing_to_measure.to_owned()
    } else {
        fill(
            t.compliance.passed_of_total,
            &[
                ("passed", &figure.passed.to_string()),
                ("total", &figure.total.to_string()),
            ],
        )
    }
}

/// A figure's percentage, a dash for nothing to measure (never NaN).
#[must_use]
pub(crate) fn percent(figure: Figure) -> String {
    percent_text(figure)
}

/// The `data-permille` of a figure: its tenths of a percent, or empty for 0 of 0.
#[must_use]
pub(crate) fn permille_attr(figure: Figure) -> String {
    figure.permille().map(|p| p.to_string()).unwrap_or_default()
}

/// The trend's point before today's (its last), and whether it is the day before.
#[must_use]
pub(crate) fn previous_point(trend: &[TrendPoint]) -> Option<(TrendPoint, bool)> {
    match trend {
        [.., before, today] => Some((*before, today.day_ms - before.day_ms == DAY_MS)),
        _ => None,
    }
}

/// A severity's name in `data-severity` and the CSS class.
#[must_use]
pub(crate) const fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};

    #[test]
    fn a_change_is_measured_in_points_and_never_from_nothing() {
        let now = Figure::new(9, 10);
        assert_eq!(
            Change::between(now, Some(Figure::new(3, 4))),
            Change::Up(150)
        );
        assert_eq!(
            Change::between(now, Some(Figure::new(19, 20))),
            Change::Down(50)
        );
        assert_eq!(
            Change::between(now, Some(Figure::new(18, 20))),
            Change::Same
        );
        assert_eq!(Change::between(now, None), Change::Unknown);
        assert_eq!(
            Change::between(now, Some(Figure::new(0, 0))),
            Change::Unknown
        );
        assert_eq!(
            Change::between(Figure::new(0, 0), Some(now)),
            Change::Unknown
        );
        assert_eq!(
            Change::Up(150).words(&EN, EN.compliance.since_yesterday),
            Some("Up 15.0 points since yesterday".to_owned())
        );
        assert_eq!(
            Change::Down(5).words(&ZH_CN, ZH_CN.compliance.since_yesterday),
            Some("较昨日下降 0.5 个百分点".to_owned())
        );
        assert_eq!(Change::Unknown.words(&EN, "x"), None);
    }

    #[test]
    fn nothing_to_measure_is_said_not_divided() {
        let none = Figure::new(0, 0);
        assert_eq!(percent(none), "—");
        assert_eq!(figure_words(&EN, none), "Nothing to measure");
        assert_eq!(permille_attr(none), "");
        assert_eq!(figure_words(&EN, Figure::new(12, 15)), "12 of 15 pass");
        assert_eq!(
            figure_words(&ZH_CN, Figure::new(12, 15)),
            "15 项中 12 项合格"
        );
        assert_eq!(percent(Figure::new(12, 15)), "80.0%");
        assert_eq!(permille_attr(Figure::new(12, 15)), "800");
    }

    #[test]
    fn the_previous_point_is_the_one_before_today() {
        let point = |day: i64, passed| TrendPoint {
            day_ms: day * DAY_MS,
            rate: Figure::new(passed, 10),
        };
        assert_eq!(previous_point(&[point(5, 9)]), None);
        assert_eq!(
            previous_point(&[point(3, 7), point(4, 8), point(5, 9)]),
            Some((point(4, 8), true))
        );
        assert_eq!(
            previous_point(&[point(2, 8), point(5, 9)]),
            Some((point(2, 8), false))
        );
    }
}
