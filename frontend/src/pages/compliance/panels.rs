//! The dashboard's charts from `GET /compliance/charts` (and the rate's trend from the
//! overview): consents granted and declined per purpose by week, withdrawals, records by
//! sensitivity and by source, values falling due, requests by status, and exports and
//! alerts by week, each in its card. Their rows and text alternatives are made in
//! `summaries.rs`.

use leptos::prelude::*;
use shared::api::auth::Role;
use shared::api::compliance::{ComplianceCharts, ComplianceQuery, Figure, TrendPoint, ViewScope};

use super::charts::{short_day, ChartFigure};
use super::figures::{figure_words, percent};
use super::geometry::{rows_table, Bars, Chart, ChartTable, Line, Row, Series};
use super::summaries::{
    consent_series, counts_summary, request_rows, retention_rows, sensitivity_rows, source_rows,
    trend_summary, weekly_summary,
};
use super::{Busy, LoadFailed};
use crate::components::api_call::api_resource;
use crate::components::console_ui::utc_date;
use crate::i18n::{fill, use_i18n, Texts};

/// The rate's trend as a line, under the rate.
#[component]
pub(super) fn TrendFigure(trend: Vec<TrendPoint>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let t = i18n.t();
        let tag = i18n.locale().tag();
        let dated: Vec<(String, Figure)> = trend
            .iter()
            .map(|p| (utc_date(p.day_ms, tag), p.rate))
            .collect();
        let line = Line {
            x: trend.iter().map(|p| p.day_ms).collect(),
            labels: trend.iter().map(|p| short_day(p.day_ms, tag)).collect(),
            values: trend.iter().map(|p| p.rate.permille()).collect(),
        };
        let c = &t.compliance;
        let table = ChartTable {
            head: vec![
                c.col_day.to_owned(),
                c.col_rate.to_owned(),
                c.col_items.to_owned(),
            ],
            rows: dated
                .iter()
                .map(|(date, rate)| vec![date.clone(), percent(*rate), figure_words(t, *rate)])
                .collect(),
        };
        view! {
            <ChartFigure
                testid="compliance-trend"
                caption=c.trend_caption.to_owned()
                summary=trend_summary(t, &dated)
                chart=Chart::Line(line)
                table
            />
        }
    }
}

/// The charts' section: loads them for the page's query.
#[component]
pub(super) fn ChartsSection(query: Memo<ComplianceQuery>, role: Option<Role>) -> impl IntoView {
    let i18n = use_i18n();
    let charts = api_resource(move |api| {
        let query = query.get();
        async move { api.compliance_charts(&query).await }
    });
    let body = move || {
        charts.get().map(|loaded| match loaded {
            Ok(c) => view! { <ChartsView charts=c role /> }.into_any(),
            Err(error) => view! {
                <LoadFailed
                    error
                    on_retry=move || charts.refetch()
                    forbidden=|t| t.compliance.no_team
                    testid="compliance-charts-error"
                />
            }
            .into_any(),
        })
    };
    view! {
        <section class="compliance-section" aria-labelledby="compliance-charts-heading" data-testid="compliance-charts">
            <h2 id="compliance-charts-heading">{move || i18n.t().compliance.charts_heading}</h2>
            <Suspense fallback=|| view! { <Busy /> }>{body}</Suspense>
        </section>
    }
}

/// The charts as loaded, each in its card.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn ChartsView(charts: ComplianceCharts, role: Option<Role>) -> impl IntoView {
    let i18n = use_i18n();
    let charts = StoredValue::new(charts);
    let requests = role != Some(Role::Manager)
        && charts.with_value(|c| !matches!(c.scope, ViewScope::Team { .. }));
    let weekly = move |testid: &'static str,
                       caption: fn(&Texts) -> &'static str,
                       series: fn(&Texts, &ComplianceCharts) -> Vec<Series>| {
        move || {
            let t = i18n.t();
            let tag = i18n.locale().tag();
            charts.with_value(|c| {
                let series = series(t, c);
                let dates: Vec<String> = c.weeks.iter().map(|w| utc_date(*w, tag)).collect();
                let bars = Bars {
                    labels: c.weeks.iter().map(|w| short_day(*w, tag)).collect(),
                    series: series.clone(),
                    stacked: false,
                };
                let mut table = bars.table(t.compliance.col_week);
                for (row, date) in table.rows.iter_mut().zip(&dates) {
                    row[0].clone_from(date);
                }
                view! {
                    <ChartFigure
                        testid
                        caption=caption(t).to_owned()
                        summary=weekly_summary(t, caption(t), &dates, &series)
                        chart=Chart::Bars(bars)
                        table
                    />
                }
            })
        }
    };
    let counts = move |testid: &'static str,
                       caption: fn(&Texts) -> &'static str,
                       head: fn(&Texts) -> &'static str,
                       rows: fn(&Texts, &ComplianceCharts) -> Vec<Row>| {
        move || {
            let t = i18n.t();
            let rows = charts.with_value(|c| rows(t, c));
            view! {
                <ChartFigure
                    testid
                    caption=caption(t).to_owned()
                    summary=counts_summary(t, caption(t), &rows)
                    table=rows_table(&rows, head(t), t.compliance.col_count)
                    chart=Chart::Rows(rows)
                />
            }
        }
    };
    view! {
        <div class="compliance-charts">
            <div class="card compliance-chart">
                <ConsentsChart charts />
            </div>
            <div class="card compliance-chart">
                {weekly("compliance-chart-withdrawals", |t| t.compliance.withdrawals_caption, |t, c| vec![Series { name: t.compliance.withdrawals.to_owned(), values: c.withdrawals.clone() }])}
            </div>
            <div class="card compliance-chart">
                {counts("compliance-chart-sensitivity", |t| t.compliance.sensitivity_caption, |t| t.compliance.col_sensitivity, sensitivity_rows)}
            </div>
            <div class="card compliance-chart">
                {counts("compliance-chart-source", |t| t.compliance.source_caption, |t| t.compliance.col_source, source_rows)}
            </div>
            <div class="card compliance-chart">
                {counts("compliance-chart-retention", |t| t.compliance.retention_caption, |t| t.compliance.col_when, retention_rows)}
            </div>
            {requests.then(|| view! {
                <div class="card compliance-chart">
                    {counts("compliance-chart-requests", |t| t.compliance.requests_caption, |t| t.compliance.col_status, request_rows)}
                </div>
            })}
            <div class="card compliance-chart">
                {weekly("compliance-chart-exports", |t| t.compliance.exports_caption, |t, c| vec![
                    Series { name: t.compliance.exports.to_owned(), values: c.exports.clone() },
                    Series { name: t.compliance.alerts.to_owned(), values: c.alerts.clone() },
                ])}
            </div>
        </div>
    }
}

/// Consents granted and declined by week, for the purpose chosen (or all of them).
#[component]
fn ConsentsChart(charts: StoredValue<ComplianceCharts>) -> impl IntoView {
    let i18n = use_i18n();
    let purpose = RwSignal::new(String::new());
    let options = move || {
        let locale = i18n.locale();
        charts.with_value(|c| {
            c.consents
                .iter()
                .map(|p| {
                    let key = p.purpose_key.clone();
                    let name = p.name.get(locale);
                    let name = if name.is_empty() {
                        key.clone()
                    } else {
                        name.to_owned()
                    };
                    view! { <option value=key>{name}</option> }
                })
                .collect_view()
        })
    };
    let figure = move || {
        let t = i18n.t();
        let tag = i18n.locale().tag();
        let key = purpose.get();
        charts.with_value(|c| {
            let chosen = c.consents.iter().find(|p| p.purpose_key == key);
            let series = consent_series(t, c, chosen.map(|p| p.purpose_key.as_str()));
            let name = chosen.map_or_else(
                || t.compliance.all_purposes.to_owned(),
                |p| p.name.get(i18n.locale()).to_owned(),
            );
            let caption = fill(t.compliance.consents_caption, &[("purpose", &name)]);
            let dates: Vec<String> = c.weeks.iter().map(|w| utc_date(*w, tag)).collect();
            let bars = Bars {
                labels: c.weeks.iter().map(|w| short_day(*w, tag)).collect(),
                series: series.clone(),
                stacked: false,
            };
            let mut table = bars.table(t.compliance.col_week);
            for (row, date) in table.rows.iter_mut().zip(&dates) {
                row[0].clone_from(date);
            }
            view! {
                <ChartFigure
                    testid="compliance-chart-consents"
                    summary=weekly_summary(t, &caption, &dates, &series)
                    caption
                    chart=Chart::Bars(bars)
                    table
                />
            }
        })
    };
    view! {
        <div class="field compliance-purpose">
            <label for="compliance-purpose">{move || i18n.t().compliance.purpose_label}</label>
            <select
                id="compliance-purpose"
                data-testid="compliance-purpose"
                on:change=move |ev| purpose.set(event_target_value(&ev))
            >
                <option value="">{move || i18n.t().compliance.all_purposes}</option>
                {options}
            </select>
        </div>
        {figure}
    }
}
