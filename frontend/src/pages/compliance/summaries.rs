//! The charts' rows and series from `GET /compliance/charts`, and their text
//! alternatives, which state the numbers the way a screen reader, a test or a reader of
//! the table reads them ("Records by source: web 3, staff device 1, import 2."). Pure
//! and host-tested.

use shared::api::compliance::{ComplianceCharts, Figure};
use shared::api::records::RecordSource;
use shared::api::requests::RequestStatus;
use shared::schema::Sensitivity;

use super::figures::percent;
use super::geometry::{Row, Series};
use crate::i18n::{fill, Texts};

/// "Caption: a 1, b 2." (or "Caption: none." when every count is 0).
#[must_use]
pub(crate) fn counts_summary(t: &Texts, caption: &str, rows: &[Row]) -> String {
    let c = &t.compliance;
    let items = if rows.iter().all(|r| r.value == 0) {
        c.summary_none.to_owned()
    } else {
        rows.iter()
            .map(|r| match &r.note {
                Some(note) => format!("{} {} ({note})", r.label, r.value),
                None => format!("{} {}", r.label, r.value),
            })
            .collect::<Vec<_>>()
            .join(c.separator)
    };
    fill(c.summary_counts, &[("caption", caption), ("items", &items)])
}

/// "Caption (12 weeks): a 5, b 1. By week: 1/5/2026: a 2, b 0; …." naming only the
/// weeks with something in them; `dates` are the weeks' full dates.
#[must_use]
pub(crate) fn weekly_summary(
    t: &Texts,
    caption: &str,
    dates: &[String],
    series: &[Series],
) -> String {
    let c = &t.compliance;
    let values_of = |week: Option<usize>| {
        series
            .iter()
            .map(|s| {
                let value = match week {
                    Some(i) => s.values.get(i).copied().unwrap_or(0),
                    None => s.values.iter().sum(),
                };
                format!("{} {value}", s.name)
            })
            .collect::<Vec<_>>()
            .join(c.separator)
    };
    let any = |i: usize| {
        series
            .iter()
            .any(|s| s.values.get(i).copied().unwrap_or(0) > 0)
    };
    let weeks: Vec<String> = dates
        .iter()
        .enumerate()
        .filter(|(i, _)| any(*i))
        .map(|(i, date)| format!("{date}{}{}", c.colon, values_of(Some(i))))
        .collect();
    let totals = if weeks.is_empty() {
        c.summary_none.to_owned()
    } else {
        values_of(None)
    };
    let mut text = fill(
        c.summary_weeks,
        &[
            ("caption", caption),
            ("weeks", &dates.len().to_string()),
            ("totals", &totals),
        ],
    );
    if !weeks.is_empty() {
        text.push_str(&fill(
            c.summary_by_week,
            &[("weeks", &weeks.join(c.week_separator))],
        ));
    }
    text
}

/// The trend in words: its first and last day, its lowest and highest rate.
#[must_use]
pub(crate) fn trend_summary(t: &Texts, points: &[(String, Figure)]) -> String {
    let c = &t.compliance;
    match points {
        [] => fill(
            c.summary_counts,
            &[("caption", c.trend_caption), ("items", c.summary_none)],
        ),
        [(date, rate)] => fill(
            c.trend_summary_one,
            &[("date", date), ("rate", &percent(*rate))],
        ),
        [(from, first), .., (to, last)] => {
            let measured = points.iter().filter(|(_, r)| r.total > 0);
            let low = measured.clone().min_by_key(|(_, r)| r.permille());
            let high = measured.max_by_key(|(_, r)| r.permille());
            let rate_of = |p: Option<&(String, Figure)>| {
                p.map_or_else(|| percent(Figure::default()), |(_, r)| percent(*r))
            };
            fill(
                c.trend_summary,
                &[
                    ("days", &points.len().to_string()),
                    ("first", &percent(*first)),
                    ("from", from),
                    ("last", &percent(*last)),
                    ("to", to),
                    ("low", &rate_of(low)),
                    ("high", &rate_of(high)),
                ],
            )
        }
    }
}

/// The rows of records by sensitivity, every sensitivity named (0 when none).
#[must_use]
pub(crate) fn sensitivity_rows(t: &Texts, charts: &ComplianceCharts) -> Vec<Row> {
    [
        Sensitivity::Ordinary,
        Sensitivity::Personal,
        Sensitivity::Sensitive,
    ]
    .into_iter()
    .map(|s| Row {
        label: t.compliance.sensitivity(s).to_owned(),
        value: charts
            .by_sensitivity
            .iter()
            .filter(|c| c.sensitivity == s)
            .map(|c| c.records)
            .sum(),
        note: None,
    })
    .collect()
}

/// The rows of records by source, every source named.
#[must_use]
pub(crate) fn source_rows(t: &Texts, charts: &ComplianceCharts) -> Vec<Row> {
    [RecordSource::Web, RecordSource::Staff, RecordSource::Import]
        .into_iter()
        .map(|s| Row {
            label: t.compliance.source(s).to_owned(),
            value: charts
                .by_source
                .iter()
                .filter(|c| c.source == s)
                .map(|c| c.records)
                .sum(),
            note: None,
        })
        .collect()
}

/// The rows of values falling due.
#[must_use]
pub(crate) fn retention_rows(t: &Texts, charts: &ComplianceCharts) -> Vec<Row> {
    let c = &t.compliance;
    let due = charts.retention_due;
    [
        (c.due_now, due.now),
        (c.due_30, due.within_30_days),
        (c.due_90, due.within_90_days),
    ]
    .into_iter()
    .map(|(label, value)| Row {
        label: label.to_owned(),
        value,
        note: None,
    })
    .collect()
}

/// The rows of requests by status, with how many of each are overdue.
#[must_use]
pub(crate) fn request_rows(t: &Texts, charts: &ComplianceCharts) -> Vec<Row> {
    RequestStatus::ALL
        .into_iter()
        .map(|status| {
            let of = charts.requests.iter().filter(|c| c.status == status);
            let overdue: u64 = of.clone().map(|c| c.overdue).sum();
            Row {
                label: t.requests.status(status).to_owned(),
                value: of.map(|c| c.requests).sum(),
                note: (overdue > 0).then(|| {
                    fill(
                        t.compliance.overdue_note,
                        &[("count", &overdue.to_string())],
                    )
                }),
            }
        })
        .collect()
}

/// Granted and declined consents per week, of one purpose or of all.
#[must_use]
pub(crate) fn consent_series(
    t: &Texts,
    charts: &ComplianceCharts,
    purpose: Option<&str>,
) -> Vec<Series> {
    let weeks = charts.weeks.len();
    let mut granted = vec![0_u64; weeks];
    let mut declined = vec![0_u64; weeks];
    for p in charts
        .consents
        .iter()
        .filter(|p| purpose.is_none_or(|key| p.purpose_key == key))
    {
        for (sum, value) in granted.iter_mut().zip(&p.granted) {
            *sum += value;
        }
        for (sum, value) in declined.iter_mut().zip(&p.declined) {
            *sum += value;
        }
    }
    vec![
        Series {
            name: t.compliance.granted.to_owned(),
            values: granted,
        },
        Series {
            name: t.compliance.declined.to_owned(),
            values: declined,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};
    use shared::api::compliance::{
        PurposeSeries, RetentionDue, SourceCount, StatusCount, ViewScope,
    };
    use shared::i18n::LocalizedText;

    fn charts() -> ComplianceCharts {
        ComplianceCharts {
            computed_at_ms: 0,
            scope: ViewScope::Organisation,
            weeks: vec![0, 1, 2],
            consents: vec![
                PurposeSeries {
                    purpose_key: "service".to_owned(),
                    name: LocalizedText::new("服务", "Service"),
                    granted: vec![1, 0, 2],
                    declined: vec![0, 0, 1],
                },
                PurposeSeries {
                    purpose_key: "marketing".to_owned(),
                    name: LocalizedText::new("营销", "Marketing"),
                    granted: vec![0, 0, 1],
                    declined: vec![1, 0, 0],
                },
            ],
            withdrawals: vec![0, 0, 0],
            by_sensitivity: Vec::new(),
            by_source: vec![
                SourceCount {
                    source: RecordSource::Import,
                    records: 2,
                },
                SourceCount {
                    source: RecordSource::Web,
                    records: 3,
                },
                SourceCount {
                    source: RecordSource::Staff,
                    records: 1,
                },
            ],
            retention_due: RetentionDue {
                now: 0,
                within_30_days: 2,
                within_90_days: 5,
            },
            requests: vec![StatusCount {
                status: RequestStatus::New,
                requests: 2,
                overdue: 1,
            }],
            exports: vec![0, 1, 0],
            alerts: vec![0, 0, 0],
        }
    }

    #[test]
    fn counts_are_stated_in_the_text_alternative() {
        let c = charts();
        let sources = source_rows(&EN, &c);
        assert_eq!(
            counts_summary(&EN, EN.compliance.source_caption, &sources),
            "Records by source: web 3, staff device 1, import 2."
        );
        assert_eq!(
            counts_summary(
                &ZH_CN,
                ZH_CN.compliance.source_caption,
                &source_rows(&ZH_CN, &c)
            ),
            "各来源的记录：网页 3，员工设备 1，导入 2。"
        );
        let sensitivity = sensitivity_rows(&EN, &c);
        assert_eq!(
            counts_summary(&EN, "Records by sensitivity", &sensitivity),
            "Records by sensitivity: none."
        );
        let requests = counts_summary(&EN, "Requests", &request_rows(&EN, &c));
        assert!(
            requests.starts_with("Requests: New 2 (1 overdue), "),
            "{requests}"
        );
        let due = counts_summary(&EN, "Due", &retention_rows(&EN, &c));
        assert_eq!(due, "Due: due now 0, within 30 days 2, within 90 days 5.");
    }

    #[test]
    fn weeks_are_summed_and_only_busy_weeks_named() {
        let c = charts();
        let dates = vec![
            "1/5/2026".to_owned(),
            "1/12/2026".to_owned(),
            "1/19/2026".to_owned(),
        ];
        let all = consent_series(&EN, &c, None);
        assert_eq!(all[0].values, [1, 0, 3]);
        assert_eq!(all[1].values, [1, 0, 1]);
        assert_eq!(
            weekly_summary(&EN, "Consents", &dates, &all),
            "Consents (3 weeks): granted 4, declined 2. By week: 1/5/2026: granted 1, declined 1; \
             1/19/2026: granted 3, declined 1."
        );
        let marketing = consent_series(&EN, &c, Some("marketing"));
        assert_eq!(marketing[0].values, [0, 0, 1]);
        let none = vec![Series {
            name: "withdrawals".to_owned(),
            values: vec![0, 0, 0],
        }];
        assert_eq!(
            weekly_summary(&EN, "Withdrawals", &dates, &none),
            "Withdrawals (3 weeks): none."
        );
        assert_eq!(
            weekly_summary(&ZH_CN, "撤回", &dates, &none),
            "撤回（3 周）：无。"
        );
    }

    #[test]
    fn the_trend_names_its_ends_and_extremes() {
        let points = vec![
            ("1/1".to_owned(), Figure::new(8, 10)),
            ("1/2".to_owned(), Figure::new(0, 0)),
            ("1/3".to_owned(), Figure::new(7, 10)),
            ("1/4".to_owned(), Figure::new(9, 10)),
        ];
        assert_eq!(
            trend_summary(&EN, &points),
            "Compliance rate over 4 days: 80.0% on 1/1, 90.0% on 1/4; lowest 70.0%, highest 90.0%."
        );
        assert_eq!(
            trend_summary(&EN, &points[..1]),
            "Compliance rate on 1/1: 80.0%."
        );
        assert_eq!(trend_summary(&EN, &[]), "Compliance rate by day: none.");
        let nothing = vec![
            ("1/1".to_owned(), Figure::new(0, 0)),
            ("1/2".to_owned(), Figure::new(0, 0)),
        ];
        assert!(trend_summary(&EN, &nothing).contains("lowest —, highest —"));
    }
}
