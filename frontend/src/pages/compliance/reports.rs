//! `/compliance/reports`: the compliance reports (admins, privacy officers and
//! auditors). A report for a chosen period is made at once; the kept reports, weekly,
//! monthly and on demand, are listed newest first with their rate, whether they reached
//! the webhook and e-mail, and their downloads: HTML to read, a "PDF" link that opens
//! the printable HTML in a new tab (the browser's "Save as PDF" makes the file), and
//! JSON. The schedule and thresholds are in `report_settings.rs`, the records of
//! processing in `processing.rs`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::access::Permission;
use shared::api::compliance::{NewReport, ReportDelivery, ReportEntry, ReportList};
use shared::api::error::FieldIssue;
use shared::compliance::{check_period, civil_from_days, days_from_civil, PeriodError, DAY_MS};

use super::figures::{figure_words, percent, permille_attr};
use super::processing::ProcessingCard;
use super::report_settings::ScheduleCard;
use super::{Busy, ComplianceTabs, LoadFailed};
use crate::api::{report_document_href, DocumentFormat};
use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{local_time, utc_date, RolesOnly};
use crate::components::form::{local_validation, FieldIssues, FormAlert, SubmitButton};
use crate::i18n::{fill, set_page_title, use_i18n, Texts};

/// A day since the epoch as `yyyy-mm-dd`, the format of `<input type=date>`.
#[must_use]
pub(crate) fn iso_day(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `yyyy-mm-dd` as days since the epoch; `None` unless it is a real day.
#[must_use]
pub(crate) fn day_of(iso: &str) -> Option<i64> {
    let mut parts = iso.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=9999).contains(&y) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // 31 February becomes 3 March: refuse what does not come back as it went.
    (civil_from_days(days) == (y, m, d)).then_some(days)
}

/// The period from the first day to the last (both whole UTC days, the last included),
/// checked at `now_ms` with the server's rule; the problems under `period` with their
/// codes.
///
/// # Errors
/// `(period, code)` for a missing or invalid day, or a period the rule refuses.
pub(crate) fn period_of(
    from: &str,
    to: &str,
    now_ms: i64,
) -> Result<NewReport, Vec<(&'static str, &'static str)>> {
    let (Some(from), Some(to)) = (day_of(from), day_of(to)) else {
        let code = if from.trim().is_empty() || to.trim().is_empty() {
            "required"
        } else {
            "invalid"
        };
        return Err(vec![("period", code)]);
    };
    let period = NewReport {
        period_from_ms: from * DAY_MS,
        period_to_ms: (to + 1) * DAY_MS,
    };
    match check_period(period.period_from_ms, period.period_to_ms, now_ms) {
        Ok(_) => Ok(period),
        Err(PeriodError::Reversed) => Err(vec![("period", "reversed")]),
        Err(PeriodError::InFuture) => Err(vec![("period", "in_future")]),
        Err(PeriodError::TooLong) => Err(vec![("period", "too_long")]),
    }
}

/// A period's problem in words; another keeps the server's message.
pub(crate) fn period_issue(t: &Texts, issue: &FieldIssue) -> String {
    let c = &t.compliance;
    match issue.code.as_str() {
        "reversed" => c.period_reversed.to_owned(),
        "in_future" | "future" => c.period_future.to_owned(),
        "too_long" => fill(
            c.period_too_long,
            &[("days", &shared::compliance::MAX_REPORT_DAYS.to_string())],
        ),
        "invalid" => c.period_invalid.to_owned(),
        _ => t.issue(issue),
    }
}

/// A report's period as dates, the last day included.
fn period_words(t: &Texts, from_ms: i64, to_ms: i64, locale: &str) -> String {
    fill(
        t.compliance.period_range,
        &[
            ("from", &utc_date(from_ms, locale)),
            ("to", &utc_date(to_ms - DAY_MS, locale)),
        ],
    )
}

/// Now, in milliseconds since the epoch.
fn now_ms() -> i64 {
    #[allow(clippy::cast_possible_truncation)] // Milliseconds since 1970 fit.
    let now = js_sys::Date::now() as i64;
    now
}

/// `/compliance/reports`.
#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ComplianceReports>
            <Reports />
        </RolesOnly>
    }
}

#[component]
fn Reports() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_page_title(i18n.t().compliance.reports_title));
    let list = api_resource(|api| async move { api.compliance_reports().await });
    let body = move || {
        list.get().map(|loaded| match loaded {
            Ok(ReportList { reports, settings }) => view! {
                <KeptReports reports />
                <ScheduleCard settings />
            }
            .into_any(),
            Err(error) => view! {
                <LoadFailed error on_retry=move || list.refetch() testid="compliance-reports-error" />
            }
            .into_any(),
        })
    };
    view! {
        <section class="console-page compliance-page" data-testid="compliance-reports-page">
            <h1>{move || i18n.t().compliance.title}</h1>
            <p class="muted">{move || i18n.t().compliance.reports_intro}</p>
            <ComplianceTabs />
            <MakeReport on_made=move || list.refetch() />
            <Suspense fallback=|| view! { <Busy /> }>{body}</Suspense>
            <ProcessingCard />
        </section>
    }
}

/// The form that makes a report for a chosen period now.
#[component]
fn MakeReport(on_made: impl Fn() + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let today = now_ms().div_euclid(DAY_MS);
    let from = RwSignal::new(iso_day(today - 7));
    let to = RwSignal::new(iso_day(today));
    let made = RwSignal::new(None::<ReportEntry>);
    let make =
        ApiCall::new(|api, req: NewReport| async move { api.make_compliance_report(&req).await })
            .on_ok(move |entry: &ReportEntry| {
                made.set(Some(entry.clone()));
                on_made();
            });
    let error = make.error();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        made.set(None);
        match period_of(&from.get_untracked(), &to.get_untracked(), now_ms()) {
            Ok(req) => make.dispatch(req),
            Err(problems) => make.fail(local_validation(&problems)),
        }
    };
    let invalid = move || {
        error.with(|e| {
            e.as_ref()
                .is_some_and(|e| !e.field_issues("period").is_empty())
        })
    };
    let date =
        move |id: &'static str, label: fn(&Texts) -> &'static str, value: RwSignal<String>| {
            view! {
                <div class="field">
                    <label for=id>{move || label(i18n.t())}</label>
                    <input
                        id=id
                        name=id
                        type="date"
                        required
                        aria-invalid=move || invalid().to_string()
                        aria-describedby="compliance-period-issues"
                        bind:value=value
                        data-testid=id
                    />
                </div>
            }
        };
    view! {
        <section class="card compliance-section" aria-labelledby="compliance-make-heading">
            <h2 id="compliance-make-heading">{move || i18n.t().compliance.make_heading}</h2>
            <p class="muted">{move || i18n.t().compliance.make_intro}</p>
            <form class="form compliance-make-form" on:submit=submit novalidate data-testid="compliance-make">
                <FormAlert error />
                <fieldset class="compliance-period" class:field-invalid=invalid>
                    <legend>{move || i18n.t().compliance.period_label}</legend>
                    <div class="compliance-period-days">
                        {date("compliance-period-from", |t| t.compliance.period_from, from)}
                        {date("compliance-period-to", |t| t.compliance.period_to, to)}
                    </div>
                    <FieldIssues
                        id="compliance-period-issues".to_owned()
                        field="period"
                        error
                        text=period_issue
                    />
                </fieldset>
                <SubmitButton
                    label=|t| t.compliance.make_submit
                    pending_label=|t| t.compliance.making
                    pending=make.pending()
                    testid="compliance-make-submit"
                />
            </form>
            {move || made.get().map(|entry| {
                let t = i18n.t();
                let words = fill(
                    t.compliance.made,
                    &[("period", &period_words(t, entry.period_from_ms, entry.period_to_ms, i18n.locale().tag()))],
                );
                view! {
                    <p class="requests-ok" role="status" data-testid="compliance-made" data-id=entry.id>
                        <span aria-hidden="true">"✓ "</span>
                        {words}
                    </p>
                }
            })}
        </section>
    }
}

/// The kept reports, newest first.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn KeptReports(reports: Vec<ReportEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let body = if reports.is_empty() {
        view! { <p class="muted" data-testid="compliance-reports-empty">{move || i18n.t().compliance.reports_empty}</p> }
            .into_any()
    } else {
        let rows = reports
            .into_iter()
            .map(|entry| view! { <ReportRow entry /> })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="table compliance-table" data-testid="compliance-reports">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().compliance.col_period}</th>
                            <th scope="col">{move || i18n.t().compliance.col_kind}</th>
                            <th scope="col">{move || i18n.t().compliance.col_made}</th>
                            <th scope="col">{move || i18n.t().compliance.col_rate}</th>
                            <th scope="col">{move || i18n.t().compliance.col_delivery}</th>
                            <th scope="col">{move || i18n.t().compliance.col_download}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="compliance-section" aria-labelledby="compliance-kept-heading">
            <h2 id="compliance-kept-heading">{move || i18n.t().compliance.reports_heading}</h2>
            {body}
        </section>
    }
}

/// One kept report.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn ReportRow(entry: ReportEntry) -> impl IntoView {
    let i18n = use_i18n();
    let (from, to) = (entry.period_from_ms, entry.period_to_ms);
    let period = move || period_words(i18n.t(), from, to, i18n.locale().tag());
    let kind = entry.kind;
    let made = entry.computed_at_ms;
    let rate = entry.rate;
    let deliveries = entry.deliveries.clone();
    let id = StoredValue::new(entry.id.clone());
    let link = move |format: DocumentFormat, print: bool, name: &'static str| {
        let href = move || report_document_href(&id.get_value(), format, i18n.locale(), print);
        let new_tab = print.then(
            || view! { <span class="visually-hidden">{move || i18n.t().compliance.new_tab}</span> },
        );
        view! {
            <a
                class="button button-secondary button-small"
                href=href
                download=(!print).then_some("")
                target=print.then_some("_blank")
                rel=print.then_some("noopener")
                data-testid="compliance-report-download"
                data-format=name
            >
                {name.to_uppercase()}
                <span class="visually-hidden">" " {period}</span>
                {new_tab}
            </a>
        }
    };
    view! {
        <tr data-testid="compliance-report-row" data-id=entry.id data-kind=kind.as_str()>
            <th scope="row">{period}</th>
            <td>{move || i18n.t().compliance.report_kind(kind)}</td>
            <td>{move || local_time(made, i18n.locale().tag())}</td>
            <td data-permille=permille_attr(rate)>
                <strong>{percent(rate)}</strong>
                <br />
                <span class="muted">{move || figure_words(i18n.t(), rate)}</span>
            </td>
            <td><Deliveries deliveries /></td>
            <td>
                <span class="row-actions">
                    {link(DocumentFormat::Html, false, "html")}
                    {link(DocumentFormat::Html, true, "pdf")}
                    {link(DocumentFormat::Json, false, "json")}
                </span>
            </td>
        </tr>
    }
}

/// Whether a report reached each channel.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn Deliveries(deliveries: Vec<ReportDelivery>) -> impl IntoView {
    let i18n = use_i18n();
    if deliveries.is_empty() {
        return view! { <span class="muted">{move || i18n.t().compliance.not_sent}</span> }
            .into_any();
    }
    let items = deliveries
        .into_iter()
        .map(|d| {
            let status = d.status.clone();
            let words = {
                let d = d.clone();
                move || delivery_words(i18n.t(), &d)
            };
            view! {
                <li
                    class=format!("compliance-delivery compliance-delivery-{status}")
                    data-testid="compliance-delivery"
                    data-channel=d.channel
                    data-status=status
                >
                    {words}
                    {d.last_error.clone().map(|e| view! { <br /><span class="muted compliance-delivery-error">{e}</span> })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="compliance-deliveries">{items}</ul> }.into_any()
}

/// "Webhook: sent" or "E-mail: failed (3 attempts)".
fn delivery_words(t: &Texts, delivery: &ReportDelivery) -> String {
    let c = &t.compliance;
    let channel = match delivery.channel.as_str() {
        "webhook" => c.channel_webhook,
        "email" => c.channel_email,
        other => other,
    };
    let status = match delivery.status.as_str() {
        "pending" => c.delivery_pending,
        "sent" => c.delivery_sent,
        "failed" => c.delivery_failed,
        other => other,
    };
    let mut words = format!("{channel}{}{status}", c.colon);
    if delivery.attempts > 1 {
        words.push_str(&fill(
            c.attempts,
            &[("count", &delivery.attempts.to_string())],
        ));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};

    #[test]
    fn days_are_read_only_when_real() {
        let day = day_of("2026-03-01").expect("a day");
        assert_eq!(iso_day(day), "2026-03-01");
        assert_eq!(day_of("2026-02-31"), None);
        assert_eq!(day_of("2026-13-01"), None);
        assert_eq!(day_of("yesterday"), None);
        assert_eq!(day_of(""), None);
        assert_eq!(iso_day(0), "1970-01-01");
    }

    #[test]
    fn a_period_covers_whole_days_and_follows_the_servers_rule() {
        let now = (day_of("2026-03-10").expect("a day") + 1) * DAY_MS - 1;
        let period = period_of("2026-03-01", "2026-03-07", now).expect("a period");
        assert_eq!(
            period.period_from_ms,
            day_of("2026-03-01").expect("a day") * DAY_MS
        );
        assert_eq!(
            period.period_to_ms,
            day_of("2026-03-08").expect("a day") * DAY_MS
        );
        // Today included: the server cuts the end to now.
        assert!(period_of("2026-03-01", "2026-03-10", now).is_ok());
        assert_eq!(
            period_of("2026-03-07", "2026-03-01", now),
            Err(vec![("period", "reversed")])
        );
        assert_eq!(
            period_of("2026-03-11", "2026-03-12", now),
            Err(vec![("period", "in_future")])
        );
        assert_eq!(
            period_of("2024-01-01", "2026-03-01", now),
            Err(vec![("period", "too_long")])
        );
        assert_eq!(
            period_of("", "2026-03-01", now),
            Err(vec![("period", "required")])
        );
        assert_eq!(
            period_of("2026-02-30", "2026-03-01", now),
            Err(vec![("period", "invalid")])
        );
    }

    #[test]
    fn period_problems_are_worded_and_unknown_ones_kept() {
        let issue = |code: &str| FieldIssue {
            code: code.to_owned(),
            params: std::collections::BTreeMap::new(),
            message: "from the server".to_owned(),
        };
        assert_eq!(
            period_issue(&EN, &issue("reversed")),
            EN.compliance.period_reversed
        );
        assert!(period_issue(&ZH_CN, &issue("too_long")).contains("400"));
        assert_eq!(
            period_issue(&EN, &issue("something_else")),
            "from the server"
        );
        assert_eq!(period_issue(&EN, &issue("required")), "Fill in this field.");
    }

    #[test]
    fn deliveries_are_worded() {
        let delivery = |channel: &str, status: &str, attempts| ReportDelivery {
            channel: channel.to_owned(),
            status: status.to_owned(),
            attempts,
            last_error: None,
        };
        assert_eq!(
            delivery_words(&EN, &delivery("webhook", "sent", 1)),
            "Webhook: sent"
        );
        assert_eq!(
            delivery_words(&EN, &delivery("email", "failed", 3)),
            "E-mail: failed (3 attempts)"
        );
        assert_eq!(
            delivery_words(&ZH_CN, &delivery("webhook", "pending", 0)),
            "Webhook：待发送"
        );
    }
}
