//! `/exports`: governed exports of records. Everyone who sees records has their own
//! exports (one download each, within a limited time, and cancelling); admins and
//! privacy officers approve or refuse unmasked exports above the organisation's number
//! of rows (never their own: the server answers 403); admins, auditors and privacy
//! officers read the ledger of every export; admins set who may export and the limits.
//! An export is asked for from the records page (`pages/records/export.rs`).

mod ledger;
mod mine;
mod settings;
mod waiting;

use std::time::Duration;

use leptos::prelude::*;
use shared::access::Permission;
use shared::api::auth::Role;
use shared::api::error::{ApiError, FieldIssue};
use shared::api::exports::{
    ExportEntry, ExportList, ExportStatus, MAX_EXPORT_REASON_CHARS, MIN_EXPORT_REASON_CHARS,
};
use shared::api::API_PREFIX;

use crate::components::api_call::api_resource;
use crate::components::console_ui::{local_time, RolesOnly};
use crate::i18n::{fill, set_page_title, use_i18n, Texts};
use crate::session::use_session;
use ledger::Ledger;
use mine::MyExports;
use settings::ExportSettingsCard;
use waiting::Waiting;

/// When to look again after a download starts: the link is gone once the server has
/// handed the file over.
pub(crate) const REFRESH_AFTER: [Duration; 2] =
    [Duration::from_millis(1500), Duration::from_millis(5000)];

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
            set_timeout(
                move || {
                    if self.alive.try_get_untracked().is_some() {
                        self.reload();
                    }
                },
                delay,
            );
        }
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

/// The exports page.
#[component]
pub fn ExportsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ViewRecords>
            <Exports />
        </RolesOnly>
    }
}

#[component]
fn Exports() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    Effect::new(move |_| set_page_title(i18n.t().exports.title));
    // Read once: the page never outlives the session (see ARCHITECTURE.md).
    let role = untrack(|| session.info().map(|i| i.user.role));
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
    view! {
        <section class="console-page exports-page" data-testid="exports-page">
            <h1>{move || i18n.t().exports.title}</h1>
            <p class="muted">{move || i18n.t().exports.intro}</p>
            <MyExports state />
            {decides.then(|| view! { <Waiting state /> })}
            {ledger.then(|| view! { <Ledger state /> })}
            {admin.then(|| view! { <ExportSettingsCard /> })}
        </section>
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
            rows: 120,
            status,
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
