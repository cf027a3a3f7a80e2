//! `/compliance/checks/{check}`: what fails one check, in the dashboard's scope (the
//! same `?form=` and `?team=`): the check's title, what it looks at, the law and what
//! to do, its figure, and the failing items (the first
//! [`MAX_DRILL_ITEMS`](shared::api::compliance::MAX_DRILL_ITEMS)), each with why it
//! fails, its date and a link to where in the console it is fixed. A check the viewer
//! may not see (the organisation's, for a manager) is said plainly.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::access::Permission;
use shared::api::compliance::{CheckDrillDown, FailingItem};
use shared::api::error::ErrorCode;
use shared::compliance::CheckId;

use super::figures::{figure_words, percent, permille_attr};
use super::{dashboard_href, scope_words, use_compliance_query, Busy, LoadFailed};
use crate::api::local_error;
use crate::components::api_call::api_resource;
use crate::components::console_ui::{local_time, ErrorAlert, RolesOnly};
use crate::i18n::{fill, set_page_title, use_i18n};

/// Where an item's console link goes: a path of this app, or nowhere.
#[must_use]
pub(crate) fn console_href(link: Option<&str>) -> Option<String> {
    link.filter(|l| l.starts_with('/') && !l.starts_with("//") && !l.contains('\\'))
        .map(str::to_owned)
}

/// The drill-down page.
#[component]
pub fn CheckPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ViewCompliance>
            <CheckLoader />
        </RolesOnly>
    }
}

#[component]
fn CheckLoader() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let check = Memo::new(move |_| params.with(|p| p.get_str("check").and_then(CheckId::parse)));
    let query = use_compliance_query();
    Effect::new(move |_| {
        let title = check.get().map_or_else(
            || i18n.t().compliance.title.to_owned(),
            |c| c.title().get(i18n.locale()).to_owned(),
        );
        set_page_title(&title);
    });
    let loaded = api_resource(move |api| {
        let check = check.get();
        let query = query.get();
        async move {
            match check {
                Some(check) => api.compliance_check(check, &query).await,
                None => Err(local_error(ErrorCode::NotFound)),
            }
        }
    });
    let body = move || {
        loaded.get().map(|result| match result {
            Ok(drill) => view! { <DrillView drill /> }.into_any(),
            Err(error) => view! {
                <LoadFailed
                    error
                    on_retry=move || loaded.refetch()
                    forbidden=|t| t.compliance.drill_forbidden
                    testid="compliance-drill-error"
                />
            }
            .into_any(),
        })
    };
    let about = move || {
        check.get().map(|c| {
            let locale = i18n.locale();
            let t = &i18n.t().compliance;
            view! {
                <h1 data-testid="compliance-drill-title">{c.title().get(locale).to_owned()}</h1>
                <p>{c.explanation().get(locale).to_owned()}</p>
                <dl class="facts compliance-drill-facts">
                    <div>
                        <dt>{t.law_label}</dt>
                        <dd>{c.law().get(locale).to_owned()}</dd>
                    </div>
                    <div>
                        <dt>{t.remedy_label}</dt>
                        <dd>{c.remedy().get(locale).to_owned()}</dd>
                    </div>
                </dl>
            }
        })
    };
    view! {
        <section class="console-page compliance-page compliance-drill" data-testid="compliance-drill">
            <p class="compliance-back">
                <a href=move || dashboard_href(&query.get()) data-testid="compliance-back">
                    <span aria-hidden="true">"← "</span>
                    {move || i18n.t().compliance.back}
                </a>
            </p>
            {move || match check.get() {
                Some(_) => about().into_any(),
                None => view! {
                    <h1>{move || i18n.t().compliance.title}</h1>
                    <ErrorAlert code=ErrorCode::NotFound />
                }
                .into_any(),
            }}
            <Show when=move || check.get().is_some()>
                <Suspense fallback=|| view! { <Busy /> }>{body}</Suspense>
            </Show>
        </section>
    }
}

/// The figure and the failing items.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn DrillView(drill: CheckDrillDown) -> impl IntoView {
    let i18n = use_i18n();
    let figure = drill.figure;
    let shown = drill.items.len();
    let failing = figure.failing();
    let scope = drill.scope.clone();
    let at = drill.computed_at_ms;
    let more = (u64::try_from(shown).unwrap_or(u64::MAX) < failing).then(|| {
        view! {
            <p class="muted" data-testid="compliance-drill-more">
                {move || fill(
                    i18n.t().compliance.drill_more,
                    &[("shown", &shown.to_string()), ("total", &failing.to_string())],
                )}
            </p>
        }
    });
    let items = if drill.items.is_empty() {
        view! {
            <p class="compliance-all-pass" data-testid="compliance-drill-none">
                {move || {
                    let c = &i18n.t().compliance;
                    if figure.total == 0 { c.nothing_to_measure } else { c.drill_none }
                }}
            </p>
        }
        .into_any()
    } else {
        let rows = drill
            .items
            .into_iter()
            .map(|item| view! { <ItemRow item /> })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="table compliance-table" data-testid="compliance-drill-items">
                    <caption class="visually-hidden">{move || i18n.t().compliance.drill_items_heading}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().compliance.col_item}</th>
                            <th scope="col">{move || i18n.t().compliance.col_reason}</th>
                            <th scope="col">{move || i18n.t().compliance.col_date}</th>
                            <th scope="col">{move || i18n.t().compliance.col_open}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card compliance-drill-figure" aria-labelledby="compliance-drill-figure-heading">
            <h2 id="compliance-drill-figure-heading">{move || i18n.t().compliance.drill_figure_heading}</h2>
            <p class="compliance-scope" data-testid="compliance-scope">
                <span class="compliance-scope-label">{move || i18n.t().compliance.scope_label}</span>
                " "
                <strong>{move || scope_words(i18n.t(), &scope, i18n.locale())}</strong>
            </p>
            <p
                class="compliance-rate-value compliance-rate-small"
                data-testid="compliance-drill-figure"
                data-permille=permille_attr(figure)
                data-passed=figure.passed.to_string()
                data-total=figure.total.to_string()
            >
                {percent(figure)}
            </p>
            <p>{move || figure_words(i18n.t(), figure)}</p>
            <p class="muted">
                {move || fill(i18n.t().compliance.computed_at_short, &[("time", &local_time(at, i18n.locale().tag()))])}
            </p>
        </section>
        <section class="compliance-section" aria-labelledby="compliance-drill-items-heading">
            <h2 id="compliance-drill-items-heading">{move || i18n.t().compliance.drill_items_heading}</h2>
            {more}
            {items}
        </section>
    }
}

/// One failing item: what it is, why it fails, its date and where to fix it.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn ItemRow(item: FailingItem) -> impl IntoView {
    let i18n = use_i18n();
    let kind = item.kind;
    let title = item.title.clone();
    let reason = item.reason.clone();
    let at = item.at_ms;
    let href = console_href(item.link.as_deref());
    let label = title.clone();
    let open = href.map(|href| {
        view! {
            <a href=href data-testid="compliance-drill-open">
                {move || i18n.t().compliance.open}
                <span class="visually-hidden">": " {move || label.get(i18n.locale()).to_owned()}</span>
            </a>
        }
    });
    view! {
        <tr data-testid="compliance-drill-item" data-kind=super::item_kind_name(kind) data-id=item.id>
            <th scope="row">
                <span class="compliance-item-kind">{move || i18n.t().compliance.item_kind(kind)}</span>
                " "
                {move || title.get(i18n.locale()).to_owned()}
            </th>
            <td>{move || reason.get(i18n.locale()).to_owned()}</td>
            <td>{move || at.map(|at| local_time(at, i18n.locale().tag())).unwrap_or_default()}</td>
            <td>{open}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::console_href;

    #[test]
    fn only_the_consoles_own_paths_are_linked() {
        assert_eq!(
            console_href(Some("/records/1")).as_deref(),
            Some("/records/1")
        );
        assert_eq!(console_href(Some("/users")).as_deref(), Some("/users"));
        assert_eq!(console_href(Some("//evil.example")), None);
        assert_eq!(console_href(Some("https://evil.example")), None);
        assert_eq!(console_href(Some("/\\evil.example")), None);
        assert_eq!(console_href(None), None);
    }
}
