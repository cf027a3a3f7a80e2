//! The dashboard's figures: whose they are, the overall rate with its change and trend,
//! the failing checks most urgent first with what to do, every check with its figure,
//! change, explanation and law, and the rates per form and per team (a row's link
//! narrows the whole page to it).

use leptos::prelude::*;
use shared::api::auth::Role;
use shared::api::compliance::{
    CheckFigure, ComplianceOverview, ComplianceQuery, Figure, FormRate, TeamRate,
};
use shared::compliance::CheckId;

use super::figures::{figure_words, percent, permille_attr, previous_point, severity_name, Change};
use super::panels::TrendFigure;
use super::{dashboard_href, drill_href, offers_drill, scope_name, scope_words};
use crate::components::console_ui::utc_date;
use crate::i18n::{fill, use_i18n, Texts};

/// The overview as loaded.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
pub(super) fn OverviewView(
    overview: ComplianceOverview,
    role: Option<Role>,
    query: ComplianceQuery,
) -> impl IntoView {
    let i18n = use_i18n();
    let scope = overview.scope.clone();
    let scope_kind = scope_name(&scope);
    let teams = (role != Some(Role::Manager) && !overview.teams.is_empty())
        .then(|| view! { <TeamsTable teams=overview.teams.clone() query=query.clone() /> });
    let forms = (!overview.forms.is_empty())
        .then(|| view! { <FormsTable forms=overview.forms.clone() query=query.clone() /> });
    view! {
        <p class="compliance-scope" data-testid="compliance-scope" data-scope=scope_kind>
            <span class="compliance-scope-label">{move || i18n.t().compliance.scope_label}</span>
            " "
            <strong>{move || scope_words(i18n.t(), &scope, i18n.locale())}</strong>
        </p>
        <div class="compliance-top">
            <RateCard overview=overview.clone() />
            <FixFirst overview=overview.clone() role query=query.clone() />
        </div>
        <ChecksList checks=overview.checks.clone() role query />
        {forms}
        {teams}
    }
}

/// The overall rate, big, with its change since the trend's previous day and the trend.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn RateCard(overview: ComplianceOverview) -> impl IntoView {
    let i18n = use_i18n();
    let rate = overview.rate;
    let before = previous_point(&overview.trend);
    let change = Change::between(rate, before.map(|(p, _)| p.rate));
    let change_words = move || {
        let t = i18n.t();
        let when = match before {
            Some((_, true)) | None => t.compliance.since_yesterday.to_owned(),
            Some((point, false)) => utc_date(point.day_ms, i18n.locale().tag()),
        };
        change.words(t, &when)
    };
    view! {
        <section class="card compliance-rate" aria-labelledby="compliance-rate-heading">
            <h2 id="compliance-rate-heading">{move || i18n.t().compliance.rate_heading}</h2>
            <p
                class="compliance-rate-value"
                data-testid="compliance-rate"
                data-permille=permille_attr(rate)
                data-passed=rate.passed.to_string()
                data-total=rate.total.to_string()
            >
                {percent(rate)}
            </p>
            <p class="compliance-rate-words" data-testid="compliance-rate-words">
                {move || figure_words(i18n.t(), rate)}
            </p>
            {move || change_words().map(|words| view! {
                <p
                    class=format!("compliance-change compliance-change-{}", change.name())
                    data-testid="compliance-rate-change"
                    data-change=change.name()
                >
                    <span aria-hidden="true">{change.arrow()}</span>
                    {words}
                </p>
            })}
            <TrendFigure trend=overview.trend />
        </section>
    }
}

/// The failing checks, most urgent first, with what fails and what to do.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn FixFirst(
    overview: ComplianceOverview,
    role: Option<Role>,
    query: ComplianceQuery,
) -> impl IntoView {
    let i18n = use_i18n();
    let figure_of = |check: CheckId| {
        overview
            .checks
            .iter()
            .find(|c| c.check == check)
            .map_or_else(Figure::default, |c| c.figure)
    };
    let items: Vec<_> = overview
        .fix_first
        .iter()
        .map(|check| (*check, figure_of(*check)))
        .collect();
    let body = if items.is_empty() {
        view! {
            <p class="compliance-all-pass" data-testid="compliance-fix-first-none">
                <span aria-hidden="true">"✓ "</span>
                {move || i18n.t().compliance.fix_first_none}
            </p>
        }
        .into_any()
    } else {
        let list = items
            .into_iter()
            .map(|(check, figure)| {
                let severity = check.severity();
                let link = offers_drill(check, role).then(|| {
                    let href = drill_href(check, &query);
                    view! {
                        <a href=href class="compliance-drill-link" data-testid="compliance-fix-first-open">
                            {move || i18n.t().compliance.see_what_fails}
                            <span class="visually-hidden">": " {move || check.title().get(i18n.locale()).to_owned()}</span>
                        </a>
                    }
                });
                view! {
                    <li
                        class=format!("compliance-fix compliance-severity-{}", severity_name(severity))
                        data-testid="compliance-fix-first-item"
                        data-check=check.as_str()
                        data-failing=figure.failing().to_string()
                    >
                        <p class="compliance-fix-title">
                            <strong>{move || check.title().get(i18n.locale()).to_owned()}</strong>
                            " "
                            <span class=format!("badge compliance-badge-{}", severity_name(severity))>
                                {move || i18n.t().compliance.severity(severity)}
                            </span>
                        </p>
                        <p class="compliance-fix-count">
                            {move || failing_words(i18n.t(), figure)}
                        </p>
                        <p class="compliance-fix-remedy">
                            {move || check.remedy().get(i18n.locale()).to_owned()}
                        </p>
                        {link}
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="compliance-fix-list" data-testid="compliance-fix-first">{list}</ol> }
            .into_any()
    };
    view! {
        <section class="card compliance-fix-first" aria-labelledby="compliance-fix-heading">
            <h2 id="compliance-fix-heading">{move || i18n.t().compliance.fix_first_heading}</h2>
            {body}
        </section>
    }
}

/// "3 failing of 15".
fn failing_words(t: &Texts, figure: Figure) -> String {
    fill(
        t.compliance.failing_of,
        &[
            ("failing", &figure.failing().to_string()),
            ("total", &figure.total.to_string()),
        ],
    )
}

/// Every check as a card.
#[component]
fn ChecksList(
    checks: Vec<CheckFigure>,
    role: Option<Role>,
    query: ComplianceQuery,
) -> impl IntoView {
    let i18n = use_i18n();
    let cards = checks
        .into_iter()
        .map(|c| view! { <CheckCard check=c role query=query.clone() /> })
        .collect_view();
    view! {
        <section class="compliance-section" aria-labelledby="compliance-checks-heading">
            <h2 id="compliance-checks-heading">{move || i18n.t().compliance.checks_heading}</h2>
            <ul class="compliance-checks" data-testid="compliance-checks">{cards}</ul>
        </section>
    }
}

/// One check: its figure and change, what it looks at and the law, and its drill-down.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn CheckCard(check: CheckFigure, role: Option<Role>, query: ComplianceQuery) -> impl IntoView {
    let i18n = use_i18n();
    let id = check.check;
    let figure = check.figure;
    let change = Change::between(figure, check.previous);
    let failing = figure.failing();
    let status = if figure.total == 0 {
        "empty"
    } else if failing == 0 {
        "pass"
    } else {
        "fail"
    };
    let link = offers_drill(id, role).then(|| {
        let href = drill_href(id, &query);
        view! {
            <a href=href class="compliance-drill-link" data-testid="compliance-check-open">
                {move || {
                    let c = &i18n.t().compliance;
                    if failing > 0 { c.see_what_fails } else { c.open_check }
                }}
                <span class="visually-hidden">": " {move || id.title().get(i18n.locale()).to_owned()}</span>
            </a>
        }
    });
    let title = move || id.title().get(i18n.locale()).to_owned();
    view! {
        <li
            class=format!("card compliance-check compliance-check-{status}")
            data-testid="compliance-check"
            data-check=id.as_str()
            data-status=status
            data-passed=figure.passed.to_string()
            data-total=figure.total.to_string()
        >
            <h3 class="compliance-check-title">{title}</h3>
            <p class="compliance-check-figure">
                <span class="compliance-check-percent" data-testid="compliance-check-percent">
                    {percent(figure)}
                </span>
                " "
                <span class="compliance-check-words">{move || figure_words(i18n.t(), figure)}</span>
            </p>
            {move || change.words(i18n.t(), i18n.t().compliance.since_yesterday).map(|words| view! {
                <p class=format!("compliance-change compliance-change-{}", change.name()) data-change=change.name()>
                    <span aria-hidden="true">{change.arrow()}</span>
                    {words}
                </p>
            })}
            <details class="compliance-check-details">
                <summary>{move || i18n.t().compliance.what_and_why}</summary>
                <p>{move || id.explanation().get(i18n.locale()).to_owned()}</p>
                <p>
                    <strong>{move || i18n.t().compliance.law_label}</strong>
                    " "
                    {move || id.law().get(i18n.locale()).to_owned()}
                </p>
                <p>
                    <strong>{move || i18n.t().compliance.remedy_label}</strong>
                    " "
                    {move || id.remedy().get(i18n.locale()).to_owned()}
                </p>
            </details>
            {link}
        </li>
    }
}

/// The rate per form; a form's link narrows the page to it.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn FormsTable(forms: Vec<FormRate>, query: ComplianceQuery) -> impl IntoView {
    let i18n = use_i18n();
    let rows = forms
        .into_iter()
        .map(|f| {
            let current = query.form == Some(f.form_id);
            let href = dashboard_href(&ComplianceQuery {
                form: Some(f.form_id),
                team: query.team,
            });
            let title = f.title.clone();
            view! {
                <tr data-testid="compliance-form-row" data-form=f.form_id.to_string()>
                    <th scope="row">
                        <a href=href aria-current=current.then_some("true")>
                            {move || title.get(i18n.locale()).to_owned()}
                        </a>
                    </th>
                    <RateCells rate=f.rate />
                    <td class="compliance-number">{f.records.to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="compliance-section" aria-labelledby="compliance-forms-heading">
            <h2 id="compliance-forms-heading">{move || i18n.t().compliance.forms_heading}</h2>
            <p class="muted">{move || i18n.t().compliance.forms_hint}</p>
            <div class="table-wrap">
                <table class="table compliance-table" data-testid="compliance-forms">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().compliance.col_form}</th>
                            <th scope="col">{move || i18n.t().compliance.col_rate}</th>
                            <th scope="col">{move || i18n.t().compliance.col_items}</th>
                            <th scope="col">{move || i18n.t().compliance.col_records}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// The rate per team (not for managers); a team's link narrows the page to it.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn TeamsTable(teams: Vec<TeamRate>, query: ComplianceQuery) -> impl IntoView {
    let i18n = use_i18n();
    let rows = teams
        .into_iter()
        .map(|team| {
            let current = query.team == Some(team.team_id);
            let href = dashboard_href(&ComplianceQuery {
                form: query.form,
                team: Some(team.team_id),
            });
            view! {
                <tr data-testid="compliance-team-row" data-team=team.team_id.to_string()>
                    <th scope="row">
                        <a href=href aria-current=current.then_some("true")>{team.name.clone()}</a>
                    </th>
                    <RateCells rate=team.rate />
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="compliance-section" aria-labelledby="compliance-teams-heading">
            <h2 id="compliance-teams-heading">{move || i18n.t().compliance.teams_heading}</h2>
            <p class="muted">{move || i18n.t().compliance.teams_hint}</p>
            <div class="table-wrap">
                <table class="table compliance-table" data-testid="compliance-teams">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().compliance.col_team}</th>
                            <th scope="col">{move || i18n.t().compliance.col_rate}</th>
                            <th scope="col">{move || i18n.t().compliance.col_items}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// A rate's cells: the percentage, and passed of total in words.
#[component]
fn RateCells(rate: Figure) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <td class="compliance-number" data-permille=permille_attr(rate)>{percent(rate)}</td>
        <td>{move || figure_words(i18n.t(), rate)}</td>
    }
}
