//! The charts' data and geometry: what a chart shows (bars by category, horizontal
//! bars, a rate's line), the same data as a table, and where each bar and point is
//! drawn in the `viewBox`. Pure and host-tested: every scale divides by at least 1, so
//! no data, all zeros or a single point draw an empty or flat chart, never NaN.

/// The width of every chart's `viewBox`: about a phone's width, so that text drawn at
/// 12 units reads at about 12 px there and grows on a wider card.
pub(super) const WIDTH: f64 = 360.0;

/// One series of a bar chart: one value per category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Series {
    pub name: String,
    pub values: Vec<u64>,
}

/// Bars per category (a week), one per series side by side, or stacked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bars {
    pub labels: Vec<String>,
    pub series: Vec<Series>,
    pub stacked: bool,
}

/// One horizontal bar: a category and its count, with a note after the count (such as
/// how many are overdue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub label: String,
    pub value: u64,
    pub note: Option<String>,
}

/// A rate over time: the x of each point (a day's milliseconds), its label, and its
/// tenths of a percent (`None` for a day with nothing to measure, a gap in the line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub x: Vec<i64>,
    pub labels: Vec<String>,
    pub values: Vec<Option<u32>>,
}

/// What a figure draws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Chart {
    Bars(Bars),
    Rows(Vec<Row>),
    Line(Line),
}

/// The same data as a table: the column heads and the rows (the first cell of each is
/// the row's header).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ChartTable {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Bars {
    /// The bars as a table whose first column is headed `first`.
    #[must_use]
    pub fn table(&self, first: &str) -> ChartTable {
        let mut head = vec![first.to_owned()];
        head.extend(self.series.iter().map(|s| s.name.clone()));
        let rows = self
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let mut row = vec![label.clone()];
                row.extend(
                    self.series
                        .iter()
                        .map(|s| s.values.get(i).copied().unwrap_or(0).to_string()),
                );
                row
            })
            .collect();
        ChartTable { head, rows }
    }
}

/// Rows as a table headed `first` and `count`, a note after its count.
#[must_use]
pub(crate) fn rows_table(rows: &[Row], first: &str, count: &str) -> ChartTable {
    ChartTable {
        head: vec![first.to_owned(), count.to_owned()],
        rows: rows
            .iter()
            .map(|r| {
                let value = match &r.note {
                    Some(note) => format!("{} ({note})", r.value),
                    None => r.value.to_string(),
                };
                vec![r.label.clone(), value]
            })
            .collect(),
    }
}

/// The top of a count axis: `max` rounded up to 1, 2 or 5 times a power of ten (at
/// least 1).
#[must_use]
pub(crate) fn nice_max(max: u64) -> u64 {
    let mut step: u64 = 1;
    loop {
        for m in [1, 2, 5] {
            match step.checked_mul(m) {
                Some(top) if top >= max => return top,
                None => return max.max(1),
                Some(_) => {}
            }
        }
        step = match step.checked_mul(10) {
            Some(s) => s,
            None => return max.max(1),
        };
    }
}

/// The ticks of a count axis up to `top`: 0, the middle when it is whole, and `top`.
#[must_use]
pub(crate) fn count_ticks(top: u64) -> Vec<u64> {
    if top.is_multiple_of(2) {
        vec![0, top / 2, top]
    } else {
        vec![0, top]
    }
}

/// Which category labels fit under the bars: every `n`th.
#[must_use]
pub(crate) fn label_every(count: usize) -> usize {
    match count {
        0..=6 => 1,
        7..=12 => 2,
        n => n.div_ceil(6),
    }
}

/// A count as a float, for drawing (exact below 2^53, plenty for counts).
#[allow(clippy::cast_precision_loss)]
pub(super) fn f(v: u64) -> f64 {
    v as f64
}

/// The plotting area inside a chart's `viewBox`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Plot {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Plot {
    /// The y of `value` on an axis from 0 to `top` (at least 1).
    pub fn y(self, value: u64, top: u64) -> f64 {
        let share = f(value.min(top)) / f(top.max(1));
        self.top + self.height * (1.0 - share)
    }
}

/// A bar to draw: where, and which series it belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BarRect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub series: usize,
    pub category: usize,
    pub value: u64,
}

pub(super) const BARS_HEIGHT: f64 = 190.0;
pub(super) const BARS_PLOT: Plot = Plot {
    left: 34.0,
    top: 8.0,
    width: WIDTH - 34.0 - 6.0,
    height: BARS_HEIGHT - 8.0 - 26.0,
};

/// The top of the bars' axis: the largest value, or the largest stack.
#[must_use]
pub(crate) fn bars_top(bars: &Bars) -> u64 {
    let largest = (0..bars.labels.len())
        .map(|i| {
            let values = bars
                .series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0));
            if bars.stacked {
                values.fold(0_u64, u64::saturating_add)
            } else {
                values.max().unwrap_or(0)
            }
        })
        .max()
        .unwrap_or(0);
    nice_max(largest)
}

/// The rectangles of `bars` (none for a zero).
#[must_use]
pub(crate) fn bar_rects(bars: &Bars) -> Vec<BarRect> {
    let plot = BARS_PLOT;
    let top = bars_top(bars);
    let count = bars.labels.len().max(1);
    #[allow(clippy::cast_precision_loss)] // A few categories.
    let band = plot.width / count as f64;
    #[allow(clippy::cast_precision_loss)]
    let series_count = bars.series.len().max(1) as f64;
    let mut rects = Vec::new();
    for category in 0..bars.labels.len() {
        #[allow(clippy::cast_precision_loss)]
        let start = plot.left + band * category as f64;
        let mut stacked_below = 0_u64;
        for (series, s) in bars.series.iter().enumerate() {
            let value = s.values.get(category).copied().unwrap_or(0);
            if value == 0 {
                continue;
            }
            let (x, width, base) = if bars.stacked {
                (start + band * 0.15, band * 0.7, stacked_below)
            } else {
                let width = band * 0.8 / series_count;
                #[allow(clippy::cast_precision_loss)]
                let x = start + band * 0.1 + width * series as f64;
                (x, width, 0)
            };
            let y_top = plot.y(base.saturating_add(value), top);
            let y_base = plot.y(base, top);
            rects.push(BarRect {
                x,
                y: y_top,
                width,
                height: (y_base - y_top).max(0.0),
                series,
                category,
                value,
            });
            stacked_below = stacked_below.saturating_add(value);
        }
    }
    rects
}

/// The rate axis of a line: from a whole ten percent below its lowest point to one
/// above its highest, in tenths of a percent (0 to 100% with no points).
#[must_use]
pub(crate) fn rate_range(values: &[Option<u32>]) -> (u32, u32) {
    let known = values.iter().flatten().copied();
    let low = known.clone().min().unwrap_or(0).min(1000);
    let high = known.max().unwrap_or(1000).min(1000);
    let low = low / 100 * 100;
    let high = high.div_ceil(100) * 100;
    match (low, high) {
        (low, high) if high > low => (low, high),
        (1000, _) => (900, 1000),
        (low, _) => (low, low + 100),
    }
}

pub(super) const LINE_HEIGHT: f64 = 170.0;
pub(super) const LINE_PLOT: Plot = Plot {
    left: 40.0,
    top: 10.0,
    width: WIDTH - 40.0 - 12.0,
    height: LINE_HEIGHT - 10.0 - 26.0,
};

/// The points of a line in user units, in runs without gaps.
#[must_use]
pub(crate) fn line_runs(line: &Line) -> Vec<Vec<(f64, f64)>> {
    let plot = LINE_PLOT;
    let (low, high) = rate_range(&line.values);
    let first = line.x.first().copied().unwrap_or(0);
    let last = line.x.last().copied().unwrap_or(0);
    #[allow(clippy::cast_precision_loss)] // Milliseconds over a few months.
    let span = (last - first).max(0) as f64;
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, value) in line.values.iter().enumerate() {
        let Some(value) = value else {
            if !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
            continue;
        };
        let at = line.x.get(i).copied().unwrap_or(first);
        #[allow(clippy::cast_precision_loss)]
        let x = if span > 0.0 {
            plot.left + plot.width * ((at - first) as f64 / span)
        } else {
            plot.left + plot.width / 2.0
        };
        let share = f64::from((*value).clamp(low, high) - low) / f64::from((high - low).max(1));
        current.push((x, plot.top + plot.height * (1.0 - share)));
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(stacked: bool, series: &[&[u64]]) -> Bars {
        Bars {
            labels: (0..series.first().map_or(0, |s| s.len()))
                .map(|i| format!("w{i}"))
                .collect(),
            series: series
                .iter()
                .enumerate()
                .map(|(i, values)| Series {
                    name: format!("s{i}"),
                    values: values.to_vec(),
                })
                .collect(),
            stacked,
        }
    }

    #[test]
    fn axes_end_at_round_numbers() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(1), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(11), 20);
        assert_eq!(nice_max(200), 200);
        assert_eq!(nice_max(201), 500);
        assert_eq!(nice_max(u64::MAX), u64::MAX);
        assert_eq!(count_ticks(10), vec![0, 5, 10]);
        assert_eq!(count_ticks(5), vec![0, 5]);
        assert_eq!(label_every(12), 2);
        assert_eq!(label_every(4), 1);
        assert_eq!(label_every(30), 5);
    }

    #[test]
    fn bars_stand_on_the_axis_and_zeros_draw_nothing() {
        let grouped = bars(false, &[&[0, 4, 2], &[1, 0, 0]]);
        assert_eq!(bars_top(&grouped), 5);
        let rects = bar_rects(&grouped);
        assert_eq!(rects.len(), 3);
        let base = BARS_PLOT.top + BARS_PLOT.height;
        for r in &rects {
            assert!((r.y + r.height - base).abs() < 1e-9, "{r:?}");
            assert!(r.x.is_finite() && r.width > 0.0 && r.height > 0.0, "{r:?}");
        }
        let stacked = bars(true, &[&[3, 4], &[2, 6]]);
        assert_eq!(bars_top(&stacked), 10);
        let rects = bar_rects(&stacked);
        // The second series sits on the first.
        assert!((rects[1].y + rects[1].height - rects[0].y).abs() < 1e-9);
        let empty = bars(false, &[&[0, 0], &[0, 0]]);
        assert!(bar_rects(&empty).is_empty());
        assert!(bar_rects(&bars(true, &[])).is_empty());
    }

    #[test]
    fn the_rate_axis_frames_the_points_and_gaps_break_the_line() {
        assert_eq!(rate_range(&[]), (0, 1000));
        assert_eq!(rate_range(&[Some(785), Some(850)]), (700, 900));
        assert_eq!(rate_range(&[Some(1000)]), (900, 1000));
        assert_eq!(rate_range(&[Some(0)]), (0, 100));
        assert_eq!(rate_range(&[Some(800), None]), (800, 900));
        let line = Line {
            x: vec![0, 1, 2, 3],
            labels: vec![String::new(); 4],
            values: vec![Some(800), None, Some(900), Some(850)],
        };
        let runs = line_runs(&line);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].len(), 1);
        assert_eq!(runs[1].len(), 2);
        let one = Line {
            x: vec![5],
            labels: vec![String::new()],
            values: vec![Some(0)],
        };
        let runs = line_runs(&one);
        assert!(runs[0][0].0.is_finite() && runs[0][0].1.is_finite());
        let nothing = Line {
            x: vec![5, 6],
            labels: vec![String::new(); 2],
            values: vec![None, None],
        };
        assert!(line_runs(&nothing).is_empty());
    }

    #[test]
    fn the_table_holds_the_same_numbers() {
        let grouped = bars(false, &[&[0, 4], &[1, 0]]);
        let table = grouped.table("Week");
        assert_eq!(table.head, ["Week", "s0", "s1"]);
        assert_eq!(table.rows, [vec!["w0", "0", "1"], vec!["w1", "4", "0"]]);
        let rows = [
            Row {
                label: "open".to_owned(),
                value: 3,
                note: Some("1 overdue".to_owned()),
            },
            Row {
                label: "closed".to_owned(),
                value: 2,
                note: None,
            },
        ];
        let table = rows_table(&rows, "Status", "Requests");
        assert_eq!(
            table.rows,
            [vec!["open", "3 (1 overdue)"], vec!["closed", "2"]]
        );
    }
}
