//! `/compliance`: the compliance dashboard (issue #23), where those who answer for
//! compliance land after signing in. It answers "how compliant are we, and what do I fix
//! first?" from the server's figures: the overall rate with its change and trend, the
//! failing checks most urgent first, every check with its explanation and law, the
//! rates per form and per team (a click narrows the whole page with `?form=` or
//! `?team=`), and the charts (`panels.rs`, drawn in SVG by `charts.rs` with the
//! geometry of `geometry.rs`, their text alternatives made by `summaries.rs`).
//! `overview.rs` shows the figures (worded by `figures.rs`), `drill.rs` what fails one
//! check (`/compliance/checks/{check}`), and `reports.rs` the reports
//! (`/compliance/reports`) with their schedule (`report_settings.rs`) and the records of
//! processing and impact assessments (`processing.rs`).
//!
//! Admins, privacy officers and auditors see the organisation; a manager sees their
//! team (the server's scope), no per-team table, and only the drill-downs of checks
//! that have a meaning for one team ([`CheckId::per_team`]).

mod charts;
mod drill;
mod figures;
mod geometry;
mod overview;
mod panels;
mod processing;
mod report_settings;
mod reports;
mod summaries;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use shared::access::Permission;
use shared::api::auth::Role;
use shared::api::compliance::{ComplianceOverview, ComplianceQuery, ItemKind, ViewScope};
use shared::api::error::{ApiError, ErrorCode};
use shared::compliance::CheckId;
use shared::i18n::{Locale, LocalizedText};
use shared::ids::{FormId, TeamId};

use crate::api::compliance_query_string;
use crate::components::api_call::api_resource;
use crate::components::console_ui::{local_time, Loading, RolesOnly};
use crate::i18n::{fill, set_page_title, use_i18n, Texts};
use crate::session::use_session;
pub use drill::CheckPage;
use overview::OverviewView;
use panels::ChartsSection;
pub use reports::ReportsPage;

/// The query of the page's URL: a form and a team, each ignored unless it is an id.
#[must_use]
pub(crate) fn query_of(form: Option<&str>, team: Option<&str>) -> ComplianceQuery {
    ComplianceQuery {
        form: form.and_then(|f| FormId::parse(f).ok()),
        team: team.and_then(|t| TeamId::parse(t).ok()),
    }
}

/// The dashboard narrowed by `query`.
#[must_use]
pub(crate) fn dashboard_href(query: &ComplianceQuery) -> String {
    format!("/compliance{}", compliance_query_string(query))
}

/// The drill-down of `check`, narrowed by `query`.
#[must_use]
pub(crate) fn drill_href(check: CheckId, query: &ComplianceQuery) -> String {
    format!(
        "/compliance/checks/{}{}",
        check.as_str(),
        compliance_query_string(query)
    )
}

/// Whether the viewer is offered the drill-down of `check`: a manager only those of
/// checks with a meaning for one team (the server answers 403 to the others).
#[must_use]
pub(crate) fn offers_drill(check: CheckId, role: Option<Role>) -> bool {
    role != Some(Role::Manager) || check.per_team()
}

/// The query of the page's URL (tracked).
pub(crate) fn use_compliance_query() -> Memo<ComplianceQuery> {
    let map = use_query_map();
    Memo::new(move |_| map.with(|q| query_of(q.get_str("form"), q.get_str("team"))))
}

/// The forms and teams the dashboard has seen, for its pickers: a filtered view lists
/// fewer, and the picker keeps offering the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Choices {
    pub forms: Vec<(FormId, LocalizedText)>,
    pub teams: Vec<(TeamId, String)>,
}

impl Choices {
    /// Adds the forms and teams `overview` names.
    pub fn learn(&mut self, overview: &ComplianceOverview) {
        let forms = overview.forms.iter().map(|f| (f.form_id, f.title.clone()));
        let teams = overview.teams.iter().map(|t| (t.team_id, t.name.clone()));
        let (scope_form, scope_team) = match &overview.scope {
            ViewScope::Form { form_id, title } => (Some((*form_id, title.clone())), None),
            ViewScope::Team { team_id, name } => (None, Some((*team_id, name.clone()))),
            ViewScope::Organisation => (None, None),
        };
        for form in forms.chain(scope_form) {
            if !self.forms.iter().any(|(id, _)| *id == form.0) {
                self.forms.push(form);
            }
        }
        for team in teams.chain(scope_team) {
            if !self.teams.iter().any(|(id, _)| *id == team.0) {
                self.teams.push(team);
            }
        }
    }
}

/// The name of an item's kind in `data-kind`.
#[must_use]
pub(crate) const fn item_kind_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Record => "record",
        ItemKind::Request => "request",
        ItemKind::Export => "export",
        ItemKind::Device => "device",
        ItemKind::Form => "form",
        ItemKind::Account => "account",
        ItemKind::AuditLog => "audit_log",
        ItemKind::Backup => "backup",
    }
}

/// Whose figures a view holds, in words.
#[must_use]
pub(crate) fn scope_words(t: &Texts, scope: &ViewScope, locale: Locale) -> String {
    let c = &t.compliance;
    match scope {
        ViewScope::Organisation => c.scope_organisation.to_owned(),
        ViewScope::Team { name, .. } => fill(c.scope_team, &[("name", name)]),
        ViewScope::Form { title, .. } => fill(c.scope_form, &[("title", title.get(locale))]),
    }
}

/// The name of a scope in `data-scope`.
#[must_use]
pub(crate) const fn scope_name(scope: &ViewScope) -> &'static str {
    match scope {
        ViewScope::Organisation => "organisation",
        ViewScope::Team { .. } => "team",
        ViewScope::Form { .. } => "form",
    }
}

/// `/compliance`: the dashboard.
#[component]
pub fn CompliancePage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ViewCompliance>
            <Dashboard />
        </RolesOnly>
    }
}

/// The page's tabs: the dashboard, and the reports for those who read them.
#[component]
pub(crate) fn ComplianceTabs() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // Read once: the page never outlives the session (see ARCHITECTURE.md).
    let reports = untrack(|| session.may(Permission::ComplianceReports));
    reports.then(|| {
        view! {
            <nav class="console-tabs" aria-label=move || i18n.t().compliance.tabs_label>
                <ul>
                    <li>
                        <A href="/compliance" exact=true attr:data-testid="compliance-tab-dashboard">
                            {move || i18n.t().compliance.tab_dashboard}
                        </A>
                    </li>
                    <li>
                        <A href="/compliance/reports" attr:data-testid="compliance-tab-reports">
                            {move || i18n.t().compliance.tab_reports}
                        </A>
                    </li>
                </ul>
            </nav>
        }
    })
}

/// A load that failed: what went wrong, with a button to try again. `forbidden` reads
/// `forbidden` (a page may say more).
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
pub(crate) fn LoadFailed(
    error: ApiError,
    on_retry: impl Fn() + 'static,
    #[prop(optional)] forbidden: Option<fn(&Texts) -> &'static str>,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let code = error.code;
    let words = move || {
        let t = i18n.t();
        match forbidden {
            Some(words) if code == ErrorCode::Forbidden => words(t),
            _ => t.error(code),
        }
    };
    view! {
        <div class="alert alert-error" role="alert" data-testid=testid data-code=code.as_str()>
            <p class="alert-title">{words}</p>
        </div>
        <button type="button" class="button button-secondary" on:click=move |_| on_retry()>
            {move || i18n.t().retry}
        </button>
    }
}

/// What shows while a part of the page loads: the notice, in a region marked busy.
#[component]
pub(crate) fn Busy() -> impl IntoView {
    view! {
        <div aria-busy="true">
            <Loading />
        </div>
    }
}

/// The dashboard.
#[component]
fn Dashboard() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let role = untrack(|| session.info().map(|i| i.user.role));
    let query = use_compliance_query();
    Effect::new(move |_| set_page_title(i18n.t().compliance.title));
    let overview = api_resource(move |api| {
        let query = query.get();
        async move { api.compliance_overview(&query).await }
    });
    let choices = RwSignal::new(Choices::default());
    Effect::new(move |_| {
        overview.with(|o| {
            if let Some(Ok(o)) = o {
                choices.update(|c| c.learn(o));
            }
        });
    });
    let body = move || {
        overview.get().map(|loaded| match loaded {
            Ok(o) => {
                view! { <OverviewView overview=o role query=query.get_untracked() /> }.into_any()
            }
            Err(error) => view! {
                <LoadFailed
                    error
                    on_retry=move || overview.refetch()
                    forbidden=|t| t.compliance.no_team
                    testid="compliance-error"
                />
            }
            .into_any(),
        })
    };
    view! {
        <section class="console-page compliance-page" data-testid="compliance-page">
            <h1>{move || i18n.t().compliance.title}</h1>
            <p class="muted">{move || i18n.t().compliance.intro}</p>
            <ComplianceTabs />
            <FilterBar query choices role />
            <Suspense fallback=|| view! { <Busy /> }>{body}</Suspense>
            <ChartsSection query role />
            <Suspense fallback=|| ()>
                {move || overview.get().and_then(Result::ok).map(|o| view! { <DashboardFooter overview=o /> })}
            </Suspense>
        </section>
    }
}

/// The pickers of a form and, except for managers, a team: a choice narrows the page.
#[component]
fn FilterBar(
    query: Memo<ComplianceQuery>,
    choices: RwSignal<Choices>,
    role: Option<Role>,
) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let go = move |next: ComplianceQuery| {
        navigate(&dashboard_href(&next), NavigateOptions::default());
    };
    let go_form = go.clone();
    let on_form = move |ev| {
        let mut next = query.get_untracked();
        next.form = FormId::parse(&event_target_value(&ev)).ok();
        go_form(next);
    };
    let on_team = move |ev| {
        let mut next = query.get_untracked();
        next.team = TeamId::parse(&event_target_value(&ev)).ok();
        go(next);
    };
    let form_options = move || {
        let locale = i18n.locale();
        let chosen = query.get().form;
        choices
            .get()
            .forms
            .into_iter()
            .map(|(id, title)| {
                view! {
                    <option value=id.to_string() selected=chosen == Some(id)>
                        {title.get(locale).to_owned()}
                    </option>
                }
            })
            .collect_view()
    };
    let team_options = move || {
        let chosen = query.get().team;
        choices
            .get()
            .teams
            .into_iter()
            .map(|(id, name)| {
                view! {
                    <option value=id.to_string() selected=chosen == Some(id)>
                        {name}
                    </option>
                }
            })
            .collect_view()
    };
    let teams = role != Some(Role::Manager);
    let narrowed = move || query.with(|q| q.form.is_some() || q.team.is_some());
    view! {
        <div class="compliance-filter" data-testid="compliance-filter">
            <div class="field">
                <label for="compliance-form">{move || i18n.t().compliance.filter_form}</label>
                <select id="compliance-form" data-testid="compliance-form" on:change=on_form>
                    <option value="" prop:selected=move || query.get().form.is_none()>
                        {move || i18n.t().compliance.all_forms}
                    </option>
                    {form_options}
                </select>
            </div>
            {teams.then(|| view! {
                <div class="field">
                    <label for="compliance-team">{move || i18n.t().compliance.filter_team}</label>
                    <select id="compliance-team" data-testid="compliance-team" on:change=on_team>
                        <option value="" prop:selected=move || query.get().team.is_none()>
                            {move || i18n.t().compliance.all_teams}
                        </option>
                        {team_options}
                    </select>
                </div>
            })}
            <Show when=narrowed>
                <p class="compliance-filter-clear">
                    <a href="/compliance" data-testid="compliance-clear">
                        {move || i18n.t().compliance.clear_filter}
                    </a>
                </p>
            </Show>
        </div>
    }
}

/// When the figures were computed, where the audit log stood, and the way to the
/// server's status.
#[component]
fn DashboardFooter(overview: ComplianceOverview) -> impl IntoView {
    let i18n = use_i18n();
    let at = overview.computed_at_ms;
    let seq = overview.audit_head.seq.to_string();
    view! {
        <footer class="compliance-footer muted" data-testid="compliance-footer">
            <p>
                {move || fill(
                    i18n.t().compliance.computed_at,
                    &[("time", &local_time(at, i18n.locale().tag())), ("seq", &seq)],
                )}
            </p>
            <p>
                <a href="/" data-testid="compliance-server-status">
                    {move || i18n.t().compliance.server_status}
                </a>
            </p>
        </footer>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};
    use shared::api::compliance::{Figure, FormRate, TeamRate};

    const FORM: &str = "0190a0b0-0000-7000-8000-000000000001";
    const TEAM: &str = "0190a0b0-0000-7000-8000-000000000002";

    #[test]
    fn the_url_narrows_by_ids_only() {
        let query = query_of(Some(FORM), Some("not an id"));
        assert_eq!(query.form.map(|f| f.to_string()).as_deref(), Some(FORM));
        assert_eq!(query.team, None);
        assert_eq!(dashboard_href(&query), format!("/compliance?form={FORM}"));
        assert_eq!(
            drill_href(CheckId::LawfulBasis, &ComplianceQuery::default()),
            "/compliance/checks/lawful_basis"
        );
    }

    #[test]
    fn managers_drill_only_into_their_teams_checks() {
        assert!(offers_drill(CheckId::AuditChain, Some(Role::Admin)));
        assert!(offers_drill(CheckId::AuditChain, Some(Role::Auditor)));
        assert!(!offers_drill(CheckId::AuditChain, Some(Role::Manager)));
        assert!(!offers_drill(CheckId::RequestsOnTime, Some(Role::Manager)));
        assert!(offers_drill(CheckId::LawfulBasis, Some(Role::Manager)));
        assert!(offers_drill(CheckId::DevicesSynced, Some(Role::Manager)));
    }

    #[test]
    fn the_pickers_keep_what_they_have_seen() {
        let form = FormId::parse(FORM).expect("an id");
        let team = TeamId::parse(TEAM).expect("an id");
        let mut overview = ComplianceOverview {
            computed_at_ms: 0,
            audit_head: shared::api::compliance::AuditStamp::default(),
            scope: ViewScope::Organisation,
            rate: Figure::default(),
            checks: Vec::new(),
            fix_first: Vec::new(),
            forms: vec![FormRate {
                form_id: form,
                title: LocalizedText::new("会员", "Members"),
                rate: Figure::new(1, 2),
                records: 2,
            }],
            teams: vec![TeamRate {
                team_id: team,
                name: "North".to_owned(),
                rate: Figure::new(1, 1),
            }],
            trend: Vec::new(),
        };
        let mut choices = Choices::default();
        choices.learn(&overview);
        overview.forms.clear();
        overview.teams.clear();
        overview.scope = ViewScope::Team {
            team_id: team,
            name: "North".to_owned(),
        };
        choices.learn(&overview);
        assert_eq!(choices.forms.len(), 1);
        assert_eq!(choices.teams, [(team, "North".to_owned())]);
        assert_eq!(scope_words(&EN, &overview.scope, Locale::En), "Team: North");
        assert_eq!(
            scope_words(&ZH_CN, &ViewScope::Organisation, Locale::ZhCn),
            "全组织"
        );
    }
}
