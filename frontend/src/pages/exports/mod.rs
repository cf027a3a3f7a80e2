//! `/exports`: governed exports of records. Everyone who sees records has their own
//! exports (one download each, within a limited time, and cancelling, with the progress
//! of a download under way); admins and privacy officers approve or refuse unmasked
//! exports above the organisation's number of rows (never their own: the server answers
//! 403); admins, auditors and privacy officers read the ledger of every export, trace a
//! leaked file back to its export (`/exports/trace`) and read the alerts on unusual
//! behaviour (`/exports/alerts`); admins set who may export, the limits and the alert
//! rules. An export is asked for from the records page (`pages/records/export.rs`).

mod alert_settings;
mod alerts;
mod ledger;
mod mine;
mod settings;
mod trace;
mod waiting;

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use shared::access::Permission;
use shared::api::alerts::AlertList;
use shared::api::auth::Role;
use shared::api::error::{ApiError, FieldIssue};
use shared::api::exports::{
    ExportEntry, ExportList, ExportStatus, MAX_EXPORT_REASON_CHARS, MIN_EXPORT_REASON_CHARS,
};
use shared::api::API_PREFIX;
use shared::ids::ExportId;

use crate::components::alerts_badge::AlertsBadge;
use crate::components::api_call::api_resource;
use crate::components::console_ui::{local_time, RolesOnly};
use crate::i18n::{fill, set_page_title, use_i18n, ExportsTexts, Texts};
use crate::session::use_session;
use alerts::Alerts;
use ledger::Ledger;
use mine::MyExports;
use settings::ExportSettingsCard;
use trace::Trace;
use waiting::Waiting;

/// When to look again after a download starts: the link is gone once the server has
/// handed the file over.
pub(crate) const REFRESH_AFTER: [Duration; 2] =
    [Duration::from_millis(1500), Duration::from_millis(5000)];

/// How often the lists are loaded again while a file is being downloaded.
const PROGRESS_EVERY: Duration = Duration::from_secs(3);

/// How many answers in a row (two per load: both lists) may show no progress before the
/// page stops looking, about a minute: a download the browser broke off keeps its count
/// and never gets its SHA-256.
const MAX_STILL_ANSWERS: u32 = 40;

/// Issue codes of the checks made before sending (the server's own codes where it has
/// one for the same problem).
pub(crate) const TOO_SHORT: &str = "too_short";
pub(crate) const TOO_LONG: &str = "too_long";
pub(crate) const BEFORE_FROM: &str = "before_from";
pub(crate) const NOT_A_NUMBER: &str = "not_a_number";

/// Whether `role` reads everyone's exports (`GET /exports?all=true`): the server's rule
/// is admins, auditors and privacy officers, the readers of the audit log, whose
/// permission says so here.
#[must_use]
pub(crate) fn sees_ledger(role: Role) -> bool {
    Permission::ViewAudit.allows(Some(role))
}

/// An export's field issue in words: the server's codes for exports, and the checks
/// made before sending.
pub(crate) fn issue_text(t: &Texts, issue: &FieldIssue) -> String {
    let e = &t.exports;
    match issue.code.as_str() {
        TOO_SHORT => fill(
            e.issue_too_short,
            &[("min", &MIN_EXPORT_REASON_CHARS.to_string())],
        ),
        TOO_LONG => fill(
            e.issue_too_long,
            &[("max", &MAX_EXPORT_REASON_CHARS.to_string())],
        ),
        "invalid" => e.issue_date.to_owned(),
        BEFORE_FROM => e.issue_before_from.to_owned(),
        "out_of_range" => e.issue_hours.to_owned(),
        NOT_A_NUMBER => e.issue_number.to_owned(),
        _ => t.issue(issue),
    }
}

/// The problem with a reason or comment of `text`, if any: its issue code.
#[must_use]
pub(crate) fn text_problem(text: &str, min: usize) -> Option<&'static str> {
    let n = text.trim().chars().count();
    if n == 0 && min > 0 {
        Some("required")
    } else if n < min {
        Some(TOO_SHORT)
    } else if n > MAX_EXPORT_REASON_CHARS {
        Some(TOO_LONG)
    } else {
        None
    }
}

/// The icon shown beside a status's words (decorative: the words say it all).
#[must_use]
pub(crate) const fn status_icon(status: ExportStatus) -> &'static str {
    match status {
        ExportStatus::AwaitingApproval => "⏳",
        ExportStatus::Ready => "⬇",
        ExportStatus::Downloaded => "✓",
        ExportStatus::Rejected => "✕",
        ExportStatus::Expired => "⌛",
        ExportStatus::Cancelled => "⊘",
    }
}

/// True while the person who asked may still cancel an export.
#[must_use]
pub(crate) const fn may_cancel(status: ExportStatus) -> bool {
    matches!(status, ExportStatus::AwaitingApproval | ExportStatus::Ready)
}

/// The first characters of a file's SHA-256, enough to compare by eye.
#[must_use]
pub(crate) fn short_hash(hash: &str) -> String {
    const SHOWN: usize = 12;
    if hash.chars().count() <= SHOWN {
        hash.to_owned()
    } else {
        let head: String = hash.chars().take(SHOWN).collect();
        format!("{head}…")
    }
}

/// The exports that wait for a decision, oldest first (the list comes newest first).
#[must_use]
pub(crate) fn awaiting(list: &ExportList) -> Vec<ExportEntry> {
    list.exports
        .iter()
        .rev()
        .filter(|e| e.status == ExportStatus::AwaitingApproval)
        .cloned()
        .collect()
}

/// Whether the file of `entry` is being downloaded: the export counts as downloaded
/// from the first byte, the server counts the rows written (`rows_written`) as it sends
/// them, and the file's SHA-256 is known once the last one is sent.
#[must_use]
pub(crate) fn downloading(entry: &ExportEntry) -> bool {
    entry.status == ExportStatus::Downloaded
        && entry.rows_written.is_some()
        && entry.file_sha256.is_none()
}

/// The downloads under way in `lists` and how far each has got, to tell whether the
/// next load shows progress.
#[must_use]
pub(crate) fn progress_of<'a>(
    lists: impl IntoIterator<Item = &'a ExportList>,
) -> Vec<(ExportId, u64)> {
    let mut under_way: Vec<(ExportId, u64)> = lists
        .into_iter()
        .flat_map(|l| &l.exports)
        .filter(|e| downloading(e))
        .map(|e| (e.id, e.rows_written.unwrap_or(0)))
        .collect();
    under_way.sort_unstable_by_key(|(id, _)| id.to_string());
    under_way.dedup();
    under_way
}

/// What an export's filter chose, in words: one phrase per part it names (the form
/// is said elsewhere), or one that says it took every record of the form.
#[must_use]
pub(crate) fn filter_words(t: &ExportsTexts, entry: &ExportEntry) -> Vec<String> {
    let name = |name: &Option<String>| name.clone().unwrap_or_else(|| t.none.to_owned());
    let team = (entry.filter.team_id.is_some() || entry.filter_team_name.is_some())
        .then(|| name(&entry.filter_team_name));
    let owner = (entry.filter.owner_id.is_some() || entry.filter_owner_name.is_some())
        .then(|| name(&entry.filter_owner_name));
    filter_phrases(t, &entry.filter, team.as_deref(), owner.as_deref())
}

/// A records filter in words, one phrase per part it sets (the team and owner by the
/// names given), or one that says it takes every record of the form; the export dialog
/// and the ledger say it alike.
#[must_use]
pub(crate) fn filter_phrases(
    t: &ExportsTexts,
    filter: &shared::api::records::RecordFilter,
    team: Option<&str>,
    owner: Option<&str>,
) -> Vec<String> {
    let day = |d: &Option<String>| d.as_deref().filter(|d| !d.is_empty()).map(str::to_owned);
    let mut words = Vec::new();
    if let Some(n) = filter.form_version {
        words.push(fill(t.filter_version, &[("n", &n.to_string())]));
    }
    match (day(&filter.from), day(&filter.to)) {
        (Some(from), Some(to)) => {
            words.push(fill(t.filter_between, &[("from", &from), ("to", &to)]));
        }
        (Some(from), None) => words.push(fill(t.filter_from, &[("from", &from)])),
        (None, Some(to)) => words.push(fill(t.filter_to, &[("to", &to)])),
        (None, None) => {}
    }
    if let Some(team) = team {
        words.push(fill(t.filter_team, &[("name", team)]));
    }
    if let Some(owner) = owner {
        words.push(fill(t.filter_owner, &[("name", owner)]));
    }
    if let Some(state) = filter.consent {
        words.push(fill(t.filter_consent, &[("state", t.consent_state(state))]));
    }
    if words.is_empty() {
        words.push(t.filter_everything.to_owned());
    }
    words
}

/// What the page's parts share: the caller's exports and, for roles that read them,
/// everyone's.
#[derive(Clone, Copy)]
pub(crate) struct ExportsState {
    pub mine: LocalResource<Result<ExportList, ApiError>>,
    pub all: LocalResource<Result<ExportList, ApiError>>,
    /// Gone once the page is left: a late timer then does nothing.
    alive: RwSignal<()>,
}

impl ExportsState {
    /// Loads both lists again.
    pub fn reload(self) {
        self.mine.refetch();
        self.all.refetch();
    }

    /// Loads the lists again a little after a download starts, so that its link goes.
    pub fn after_download(self) {
        for delay in REFRESH_AFTER {
            self.reload_after(delay);
        }
    }

    /// Loads the lists again after `delay`, unless the page has been left.
    fn reload_after(self, delay: Duration) {
        set_timeout(
            move || {
                if self.alive.try_get_untracked().is_some() {
                    self.reload();
                }
            },
            delay,
        );
    }

    /// Loads the lists again every few seconds while a file is being downloaded, so
    /// that its progress shows, until no download is under way or none moves on.
    fn follow_downloads(self) {
        // The last progress seen, how many loads in a row showed no more, and whether a
        // load is already planned (both lists answer each load: one plan for both).
        let last = StoredValue::new(Vec::<(ExportId, u64)>::new());
        let still = StoredValue::new(0_u32);
        let planned = StoredValue::new(false);
        Effect::new(move |_| {
            let mine = self.mine.get();
            let all = self.all.get();
            let lists = [mine, all];
            let now = progress_of(lists.iter().flatten().filter_map(|l| l.as_ref().ok()));
            if now.is_empty() {
                still.set_value(0);
                last.set_value(now);
                return;
            }
            if last.with_value(|l| *l == now) {
                still.update_value(|n| *n += 1);
            } else {
                still.set_value(0);
            }
            last.set_value(now);
            if still.get_value() > MAX_STILL_ANSWERS || planned.get_value() {
                return;
            }
            planned.set_value(true);
            set_timeout(
                move || {
                    if self.alive.try_get_untracked().is_some() {
                        planned.set_value(false);
                        self.reload();
                    }
                },
                PROGRESS_EVERY,
            );
        });
    }
}

/// A status in words beside its icon.
#[component]
pub(crate) fn StatusLine(status: ExportStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("exports-status exports-status-{}", status.as_str()) data-status=status.as_str()>
            <span class="exports-status-icon" aria-hidden="true">{status_icon(status)}</span>
            {move || i18n.t().exports.status(status)}
        </span>
    }
}

/// What an export's status line says beyond its status: how far its download has got,
/// and whether an alert holds it for an admin's approval.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
pub(crate) fn StatusNotes(entry: ExportEntry) -> impl IntoView {
    let i18n = use_i18n();
    let progress = downloading(&entry).then(|| {
        let written = entry.rows_written.unwrap_or(0);
        let rows = entry.rows;
        let words = move || {
            fill(
                i18n.t().exports.progress,
                &[("written", &written.to_string()), ("rows", &rows.to_string())],
            )
        };
        view! {
            <span class="exports-progress" data-testid="export-progress" data-written=written.to_string()>
                <progress max=rows.to_string() value=written.to_string() aria-label=words></progress>
                <span role="status">{words}</span>
            </span>
        }
    });
    let held = entry.held_by_alert.map(|alert| {
        view! {
            <span class="exports-held" data-testid="export-held" data-alert=alert.to_string()>
                <span aria-hidden="true">"⚠ "</span>
                {move || i18n.t().exports.held_by_alert}
            </span>
        }
    });
    view! { {progress} {held} }
}

/// The one-time download link of a ready export, and until when it works.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
pub(crate) fn DownloadLink(
    path: String,
    expires_at_ms: Option<i64>,
    on_download: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let expires = move || {
        expires_at_ms.map(|at| {
            let time = local_time(at, i18n.locale().tag());
            fill(i18n.t().exports.expires, &[("time", &time)])
        })
    };
    view! {
        <span class="exports-download">
            <a
                class="button button-primary button-small"
                href=format!("{API_PREFIX}{path}")
                download
                on:click=move |_| on_download.run(())
                data-testid="export-download"
            >
                <span aria-hidden="true">"⬇ "</span>
                {move || i18n.t().exports.download}
            </a>
            <span class="muted exports-expires" data-testid="export-expires">{expires}</span>
        </span>
    }
}

/// The console's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    /// The caller's exports, approvals, the ledger and the settings.
    Exports,
    /// Tracing a leaked file.
    Trace,
    /// Alerts and their settings.
    Alerts,
}

impl Tab {
    /// The tab's name in `data-tab`.
    const fn name(self) -> &'static str {
        match self {
            Self::Exports => "exports",
            Self::Trace => "trace",
            Self::Alerts => "alerts",
        }
    }
}

/// What the console's tabs share: the open alerts, for the tab's badge and the alerts'
/// first view (`None` for roles that do not read alerts).
#[derive(Clone, Copy)]
pub(crate) struct ExportsConsole {
    pub open_alerts: Option<LocalResource<Result<AlertList, ApiError>>>,
}

/// The exports page: the caller's exports, approvals, the ledger and the settings.
#[component]
pub fn ExportsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ViewRecords>
            <Console tab=Tab::Exports />
        </RolesOnly>
    }
}

/// `/exports/trace`: which export a leaked file comes from.
#[component]
pub fn TracePage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ViewAudit>
            <Console tab=Tab::Trace />
        </RolesOnly>
    }
}

/// `/exports/alerts`: alerts on unusual behaviour and, for admins, their settings.
#[component]
pub fn AlertsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ViewAudit>
            <Console tab=Tab::Alerts />
        </RolesOnly>
    }
}

/// The console: its heading, the tabs (for the roles that have more than one) and the
/// chosen tab.
#[component]
fn Console(tab: Tab) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    Effect::new(move |_| {
        let t = i18n.t();
        set_page_title(match tab {
            Tab::Exports => t.exports.title,
            Tab::Trace => t.trace.title,
            Tab::Alerts => t.alerts.title,
        });
    });
    // Read once: the page never outlives the session (see ARCHITECTURE.md).
    let role = untrack(|| session.info().map(|i| i.user.role));
    let audits = Permission::ViewAudit.allows(role);
    let console = ExportsConsole {
        open_alerts: audits.then(|| api_resource(|api| async move { api.alerts(false).await })),
    };
    provide_context(console);
    let body = match tab {
        Tab::Exports => view! { <Exports role /> }.into_any(),
        Tab::Trace => view! { <Trace /> }.into_any(),
        Tab::Alerts => view! { <Alerts admin=Permission::ManageUsers.allows(role) /> }.into_any(),
    };
    view! {
        <section class="console-page exports-page" data-testid="exports-page" data-tab=tab.name()>
            <h1>{move || i18n.t().exports.title}</h1>
            {audits.then(|| view! { <Tabs console /> })}
            {body}
        </section>
    }
}

/// The tabs of the console, for the roles that trace files and read alerts.
#[component]
fn Tabs(console: ExportsConsole) -> impl IntoView {
    let i18n = use_i18n();
    let open = Signal::derive(move || {
        console
            .open_alerts
            .and_then(|r| r.get())
            .and_then(|loaded| loaded.ok())
            .map(|list| list.open)
    });
    view! {
        <nav class="console-tabs" aria-label=move || i18n.t().exports.tabs_label>
            <ul>
                <li>
                    <A href="/exports" exact=true attr:data-testid="exports-tab-exports">
                        {move || i18n.t().exports.tab_exports}
                    </A>
                </li>
                <li>
                    <A href="/exports/trace" attr:data-testid="exports-tab-trace">
                        {move || i18n.t().trace.tab}
                    </A>
                </li>
                <li>
                    <A href="/exports/alerts" attr:data-testid="exports-tab-alerts">
                        {move || i18n.t().alerts.tab}
                        <AlertsBadge count=open testid="exports-tab-alerts-badge" />
                    </A>
                </li>
            </ul>
        </nav>
    }
}

/// The first tab: the caller's exports, approvals, the ledger and the settings.
#[component]
fn Exports(role: Option<Role>) -> impl IntoView {
    let i18n = use_i18n();
    let ledger = role.is_some_and(sees_ledger);
    let decides = Permission::DecideExports.allows(role);
    let admin = Permission::ManageUsers.allows(role);
    let state = ExportsState {
        mine: api_resource(|api| async move { api.exports(false).await }),
        all: api_resource(move |api| async move {
            if ledger || decides {
                api.exports(true).await
            } else {
                Ok(ExportList {
                    exports: Vec::new(),
                })
            }
        }),
        alive: RwSignal::new(()),
    };
    state.follow_downloads();
    view! {
        <p class="muted">{move || i18n.t().exports.intro}</p>
        <MyExports state />
        {decides.then(|| view! { <Waiting state /> })}
        {ledger.then(|| view! { <Ledger state /> })}
        {admin.then(|| view! { <ExportSettingsCard /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};

    #[test]
    fn the_ledger_is_for_admins_auditors_and_privacy_officers() {
        let readers: Vec<Role> = Role::ALL.into_iter().filter(|r| sees_ledger(*r)).collect();
        assert_eq!(readers, [Role::Admin, Role::Auditor, Role::PrivacyOfficer]);
    }

    #[test]
    fn only_waiting_and_ready_exports_can_be_cancelled() {
        let cancellable: Vec<ExportStatus> = ExportStatus::ALL
            .into_iter()
            .filter(|s| may_cancel(*s))
            .collect();
        assert_eq!(
            cancellable,
            [ExportStatus::AwaitingApproval, ExportStatus::Ready]
        );
    }

    #[test]
    fn every_status_has_words_and_its_own_icon() {
        let icons: std::collections::BTreeSet<&str> =
            ExportStatus::ALL.into_iter().map(status_icon).collect();
        assert_eq!(icons.len(), ExportStatus::ALL.len());
        assert_eq!(
            EN.exports.status(ExportStatus::AwaitingApproval),
            "Awaiting approval"
        );
        assert_eq!(
            ZH_CN.exports.status(ExportStatus::AwaitingApproval),
            "待审批"
        );
        assert_eq!(ZH_CN.exports.masking(true), "未遮蔽");
    }

    fn entry(n: u8, status: ExportStatus) -> ExportEntry {
        use shared::api::exports::ExportFormat;
        use shared::api::records::RecordFilter;
        use shared::i18n::LocalizedText;
        use shared::ids::{ExportId, FormId, UserId};
        ExportEntry {
            id: ExportId::from_random_bytes([n; 16]),
            requested_by: UserId::from_random_bytes([1; 16]),
            requested_by_name: Some("manager".to_owned()),
            requested_at_ms: i64::from(n),
            form_id: FormId::from_random_bytes([2; 16]),
            form_title: LocalizedText::new("客户登记", "Customer sign-up"),
            format: ExportFormat::Csv,
            unmasked: true,
            reason: Some("Audit of ID checks".to_owned()),
            filter: RecordFilter {
                form_id: Some(FormId::from_random_bytes([2; 16])),
                ..RecordFilter::default()
            },
            filter_team_name: None,
            filter_owner_name: None,
            rows: 120,
            rows_written: None,
            status,
            held_by_alert: None,
            decided_by_name: None,
            decided_at_ms: None,
            decision_comment: None,
            expires_at_ms: None,
            downloaded_at_ms: None,
            downloaded_from: None,
            file_sha256: None,
            download_path: None,
        }
    }

    #[test]
    fn waiting_exports_are_listed_oldest_first() {
        // The server lists newest first.
        let list = ExportList {
            exports: vec![
                entry(4, ExportStatus::AwaitingApproval),
                entry(3, ExportStatus::Ready),
                entry(2, ExportStatus::AwaitingApproval),
                entry(1, ExportStatus::Rejected),
            ],
        };
        let order: Vec<i64> = awaiting(&list).iter().map(|e| e.requested_at_ms).collect();
        assert_eq!(order, [2, 4]);
    }

    #[test]
    fn a_download_is_followed_until_its_file_is_sent() {
        let mut e = entry(1, ExportStatus::Downloaded);
        // Downloaded before progress was counted.
        assert!(!downloading(&e));
        e.rows_written = Some(40);
        assert!(downloading(&e));
        e.file_sha256 = Some("ab".repeat(32));
        assert!(!downloading(&e));
        e.file_sha256 = None;
        e.status = ExportStatus::Cancelled;
        assert!(!downloading(&e));
        let mut other = entry(2, ExportStatus::Downloaded);
        other.rows_written = Some(7);
        let mut going = entry(1, ExportStatus::Downloaded);
        going.rows_written = Some(40);
        let mine = ExportList {
            exports: vec![going.clone(), entry(3, ExportStatus::Ready)],
        };
        let all = ExportList {
            exports: vec![other.clone(), going.clone()],
        };
        // The same export in both lists counts once.
        let mut expected = vec![(going.id, 40), (other.id, 7)];
        expected.sort_unstable_by_key(|(id, _)| id.to_string());
        assert_eq!(progress_of([&mine, &all]), expected);
    }

    #[test]
    fn a_filter_is_put_into_words() {
        use shared::api::records::ConsentState;
        use shared::ids::TeamId;
        let mut e = entry(1, ExportStatus::Ready);
        assert_eq!(filter_words(&EN.exports, &e), ["All of the form's records"]);
        e.filter.from = Some("2025-01-01".to_owned());
        e.filter.to = Some("2025-03-31".to_owned());
        e.filter.team_id = Some(TeamId::from_random_bytes([5; 16]));
        e.filter_team_name = Some("华东区".to_owned());
        e.filter.consent = Some(ConsentState::PartlyWithdrawn);
        assert_eq!(
            filter_words(&EN.exports, &e),
            [
                "Collected 2025-01-01 to 2025-03-31",
                "Team: 华东区",
                "Consent: partly withdrawn"
            ]
        );
        e.filter.from = None;
        e.filter.owner_id = Some(shared::ids::UserId::from_random_bytes([6; 16]));
        assert_eq!(
            filter_words(&ZH_CN.exports, &e),
            [
                "采集于 2025-03-31 及之前",
                "团队：华东区",
                "负责人：—",
                "同意状态：部分撤回"
            ]
        );
    }

    #[test]
    fn hashes_are_shortened_for_the_eye() {
        let full = "ab".repeat(32);
        assert_eq!(short_hash(&full), format!("{}…", "ab".repeat(6)));
        assert_eq!(short_hash("abc"), "abc");
    }

    #[test]
    fn reasons_are_checked_like_the_server_does() {
        let min = MIN_EXPORT_REASON_CHARS;
        assert_eq!(text_problem("   ", min), Some("required"));
        assert_eq!(text_problem("short", min), Some(TOO_SHORT));
        assert_eq!(text_problem(&"理".repeat(min), min), None);
        assert_eq!(
            text_problem(&"x".repeat(MAX_EXPORT_REASON_CHARS + 1), min),
            Some(TOO_LONG)
        );
        // A comment may be empty.
        assert_eq!(text_problem("", 0), None);
    }

    #[test]
    fn issues_of_exports_are_worded() {
        let issue = |code: &str| FieldIssue {
            code: code.to_owned(),
            params: std::collections::BTreeMap::new(),
            message: "from the server".to_owned(),
        };
        assert_eq!(
            issue_text(&EN, &issue(TOO_SHORT)),
            format!("Use at least {MIN_EXPORT_REASON_CHARS} characters.")
        );
        assert_eq!(
            issue_text(&ZH_CN, &issue("out_of_range")),
            "请填写 1 至 168 之间的小时数。"
        );
        assert_eq!(issue_text(&EN, &issue("surprise")), "from the server");
    }
}
