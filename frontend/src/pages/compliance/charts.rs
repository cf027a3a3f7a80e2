//! The dashboard's charts, hand-written in SVG (no charting crate: the console's WASM
//! stays small): bars by week (grouped or stacked), horizontal bars by category, and
//! the rate's trend as a line. Each is drawn in a `viewBox` and scales to the width of
//! its card (`compliance.css`), in a `<figure>` with its caption, a text alternative
//! that states the numbers (`role="img"`, `aria-label`, `<title>` and `<desc>`), and a
//! "Show as table" toggle that shows the same data as a real table. What is drawn where
//! is worked out in `geometry.rs`.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::geometry::{
    bar_rects, bars_top, count_ticks, f, label_every, line_runs, nice_max, rate_range, Bars, Chart,
    ChartTable, Line, Plot, Row, BARS_HEIGHT, BARS_PLOT, LINE_HEIGHT, LINE_PLOT, WIDTH,
};
use crate::i18n::use_i18n;

/// A number of user units as an attribute, to a tenth.
fn u(v: f64) -> String {
    format!("{v:.1}")
}

/// A day (UTC midnight, in milliseconds) as a short month and day in `locale`, for an
/// axis.
#[must_use]
pub(crate) fn short_day(unix_ms: i64, locale: &str) -> String {
    #[allow(clippy::cast_precision_loss)] // Exact for any date before the year 285,000.
    let date = js_sys::Date::new(&JsValue::from_f64(unix_ms as f64));
    let options = js_sys::Object::new();
    for (key, value) in [
        ("timeZone", "UTC"),
        ("month", "numeric"),
        ("day", "numeric"),
    ] {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    date.to_locale_date_string(locale, &options).into()
}

/// A chart in its figure: the caption, the drawing (or the table), the legend and the
/// toggle between them.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
pub(crate) fn ChartFigure(
    /// The figure's `data-testid`, also the root of its ids.
    testid: &'static str,
    caption: String,
    /// The text alternative: what the chart shows, with its numbers.
    summary: String,
    chart: Chart,
    table: ChartTable,
) -> impl IntoView {
    let i18n = use_i18n();
    let as_table = RwSignal::new(false);
    let table_id = format!("{testid}-table");
    let legend = match &chart {
        Chart::Bars(bars) if bars.series.len() > 1 => Some(
            bars.series
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    view! {
                        <li>
                            <span class=format!("chart-swatch chart-series-{i}") aria-hidden="true"></span>
                            {s.name.clone()}
                        </li>
                    }
                })
                .collect_view(),
        ),
        _ => None,
    };
    let drawing = draw(&chart, &caption, &summary);
    let table = StoredValue::new(table);
    let caption_text = caption.clone();
    view! {
        <figure class="chart" data-testid=testid>
            <figcaption class="chart-caption">{caption}</figcaption>
            <div class="chart-drawing" class:chart-hidden=move || as_table.get()>
                {drawing}
                {legend.map(|items| view! { <ul class="chart-legend">{items}</ul> })}
            </div>
            <Show when=move || as_table.get()>
                <div class="table-wrap" id=table_id.clone()>
                    <ChartDataTable caption=caption_text.clone() table=table.get_value() />
                </div>
            </Show>
            <button
                type="button"
                class="button button-secondary button-small chart-toggle"
                aria-pressed=move || as_table.get().to_string()
                data-testid=format!("{testid}-toggle")
                on:click=move |_| as_table.update(|t| *t = !*t)
            >
                {move || {
                    let c = &i18n.t().compliance;
                    if as_table.get() { c.show_chart } else { c.show_table }
                }}
            </button>
        </figure>
    }
}

/// The data of a chart as a table.
#[component]
fn ChartDataTable(caption: String, table: ChartTable) -> impl IntoView {
    let head = table
        .head
        .into_iter()
        .map(|h| view! { <th scope="col">{h}</th> })
        .collect_view();
    let rows = table
        .rows
        .into_iter()
        .map(|row| {
            let mut cells = row.into_iter();
            let first = cells.next().unwrap_or_default();
            let rest = cells.map(|c| view! { <td>{c}</td> }).collect_view();
            view! {
                <tr>
                    <th scope="row">{first}</th>
                    {rest}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table chart-table">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>{head}</tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The SVG of a chart, named by `summary`.
fn draw(chart: &Chart, caption: &str, summary: &str) -> AnyView {
    let (height, body) = match chart {
        Chart::Bars(bars) => (BARS_HEIGHT, draw_bars(bars)),
        Chart::Rows(rows) => (rows_height(rows.len()), draw_rows(rows)),
        Chart::Line(line) => (LINE_HEIGHT, draw_line(line)),
    };
    let view_box = format!("0 0 {} {}", u(WIDTH), u(height));
    view! {
        <svg
            class="chart-svg"
            viewBox=view_box
            role="img"
            aria-label=summary.to_owned()
            focusable="false"
            preserveAspectRatio="xMidYMid meet"
        >
            <title>{caption.to_owned()}</title>
            <desc>{summary.to_owned()}</desc>
            {body}
        </svg>
    }
    .into_any()
}

/// A horizontal line across the plot at `y`, labelled `label` on the left.
fn grid_line(plot: Plot, y: f64, label: String) -> impl IntoView {
    view! {
        <line
            class="chart-grid"
            x1=u(plot.left)
            x2=u(plot.left + plot.width)
            y1=u(y)
            y2=u(y)
        ></line>
        <text class="chart-axis" x=u(plot.left - 4.0) y=u(y + 4.0) text-anchor="end">
            {label}
        </text>
    }
}

/// Bars by category, their axis and their category labels.
fn draw_bars(bars: &Bars) -> AnyView {
    let plot = BARS_PLOT;
    let top = bars_top(bars);
    let grid = count_ticks(top)
        .into_iter()
        .map(|tick| grid_line(plot, plot.y(tick, top), tick.to_string()))
        .collect_view();
    let count = bars.labels.len().max(1);
    #[allow(clippy::cast_precision_loss)] // A few categories.
    let band = plot.width / count as f64;
    let every = label_every(bars.labels.len());
    let labels = bars
        .labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, label)| {
            #[allow(clippy::cast_precision_loss)]
            let x = plot.left + band * (i as f64 + 0.5);
            view! {
                <text
                    class="chart-axis"
                    x=u(x)
                    y=u(plot.top + plot.height + 16.0)
                    text-anchor="middle"
                >
                    {label.clone()}
                </text>
            }
        })
        .collect_view();
    let rects = bar_rects(bars)
        .into_iter()
        .map(|r| {
            let name = bars
                .series
                .get(r.series)
                .map(|s| s.name.clone())
                .unwrap_or_default();
            let label = bars.labels.get(r.category).cloned().unwrap_or_default();
            view! {
                <rect
                    class=format!("chart-bar chart-series-{}", r.series)
                    x=u(r.x)
                    y=u(r.y)
                    width=u(r.width)
                    height=u(r.height)
                >
                    <title>{format!("{label} · {name}: {}", r.value)}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <g>{grid}</g>
        <g>{rects}</g>
        <g>{labels}</g>
    }
    .into_any()
}

/// The height of a chart of `count` horizontal bars.
fn rows_height(count: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)] // A few categories.
    let count = count.max(1) as f64;
    8.0 + count * ROW_HEIGHT
}

/// The height of one horizontal bar with its label above it.
const ROW_HEIGHT: f64 = 42.0;

/// The widest a horizontal bar is drawn, leaving room for its count after it.
const ROW_BAR_WIDTH: f64 = WIDTH - 64.0;

/// Horizontal bars: the label above each, its count after it.
fn draw_rows(rows: &[Row]) -> AnyView {
    let top = nice_max(rows.iter().map(|r| r.value).max().unwrap_or(0));
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            #[allow(clippy::cast_precision_loss)]
            let y = 4.0 + ROW_HEIGHT * i as f64;
            let width = ROW_BAR_WIDTH * f(row.value.min(top)) / f(top.max(1));
            let count = match &row.note {
                Some(note) => format!("{} ({note})", row.value),
                None => row.value.to_string(),
            };
            view! {
                <text class="chart-label" x="0" y=u(y + 13.0)>{row.label.clone()}</text>
                <rect class="chart-track" x="0" y=u(y + 19.0) width=u(ROW_BAR_WIDTH) height="14"></rect>
                <rect
                    class=format!("chart-bar chart-series-{}", i % 4)
                    x="0"
                    y=u(y + 19.0)
                    width=u(width)
                    height="14"
                ></rect>
                <text class="chart-value" x=u(width + 5.0) y=u(y + 31.0)>{count}</text>
            }
        })
        .collect_view()
        .into_any()
}

/// The rate's line, its axis, and its first and last day.
fn draw_line(line: &Line) -> AnyView {
    let plot = LINE_PLOT;
    let (low, high) = rate_range(&line.values);
    let y_of = |pm: u32| {
        let share = f64::from(pm.clamp(low, high) - low) / f64::from((high - low).max(1));
        plot.top + plot.height * (1.0 - share)
    };
    let middle = low + (high - low) / 2;
    let ticks = if (high - low).is_multiple_of(200) {
        vec![low, middle, high]
    } else {
        vec![low, high]
    };
    let grid = ticks
        .into_iter()
        .map(|pm| grid_line(plot, y_of(pm), format!("{}%", pm / 10)))
        .collect_view();
    let runs = line_runs(line);
    let last = runs.last().and_then(|r| r.last()).copied();
    let paths = runs
        .into_iter()
        .map(|run| {
            if let [(x, y)] = run.as_slice() {
                view! { <circle class="chart-point" cx=u(*x) cy=u(*y) r="2.5"></circle> }.into_any()
            } else {
                let points = run
                    .iter()
                    .map(|(x, y)| format!("{},{}", u(*x), u(*y)))
                    .collect::<Vec<_>>()
                    .join(" ");
                view! { <polyline class="chart-line" points=points></polyline> }.into_any()
            }
        })
        .collect_view();
    let marker = last.map(|(x, y)| {
        view! { <circle class="chart-point chart-point-last" cx=u(x) cy=u(y) r="4"></circle> }
    });
    let axis_y = u(plot.top + plot.height + 18.0);
    let first_label = line.labels.first().cloned().unwrap_or_default();
    // A single day stands in the middle, as its point does.
    let (first_x, first_anchor) = if line.labels.len() == 1 {
        (plot.left + plot.width / 2.0, "middle")
    } else {
        (plot.left, "start")
    };
    let last_label = if line.labels.len() > 1 {
        line.labels.last().cloned()
    } else {
        None
    };
    view! {
        <g>{grid}</g>
        <g>{paths}{marker}</g>
        <text class="chart-axis" x=u(first_x) y=axis_y.clone() text-anchor=first_anchor>
            {first_label}
        </text>
        {last_label.map(|label| view! {
            <text class="chart-axis" x=u(plot.left + plot.width) y=axis_y.clone() text-anchor="end">
                {label}
            </text>
        })}
    }
    .into_any()
}
