//! `/backups` (issue #24; admins, auditors and privacy officers): the last backup, its
//! off-site copy and restore drill as cards (`summary.rs`), the problems to act on with
//! what to do (`problems.rs`), the settings, "Back up now" for admins, and the newest
//! backups (`table.rs`).
//!
//! The status is loaded once, then again every two seconds while a backup is asked for
//! or being made. The view is built once and updated in place from a memo of the
//! status, so that a poll neither rebuilds the page nor closes what the reader opened.

mod problems;
mod summary;
mod table;

use std::time::Duration;

use leptos::prelude::*;
use shared::access::Permission;
use shared::api::backups::{
    BackupProblem, BackupRequested, BackupState, BackupStatus, OffsiteState,
};

use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::RolesOnly;
use crate::components::form::FormAlert;
use crate::i18n::{set_page_title, use_i18n};
use crate::pages::compliance::{Busy, LoadFailed};
use crate::session::use_session;
use problems::ProblemsList;
use summary::{SettingsCard, StatusCards};
use table::BackupsTable;

/// How long to wait between two looks at a backup being made.
const POLL_EVERY: Duration = Duration::from_secs(2);

/// The status as loaded, with how many backups this page had asked for when it was
/// fetched: a status fetched before the latest ask does not show that ask yet.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Loaded {
    asks: u32,
    status: BackupStatus,
}

/// The status shown, once it has loaded (tracked reads, each part updating on its own).
#[derive(Clone, Copy)]
pub(crate) struct Current(Memo<Option<BackupStatus>>);

impl Current {
    /// `f` of the status shown (tracked); `None` before it has loaded.
    pub fn read<T>(self, f: impl FnOnce(&BackupStatus) -> T) -> Option<T> {
        self.0.with(|s| s.as_ref().map(f))
    }
}

/// Whether the server is making a backup or has one waiting to be made: the page
/// polls while it is.
#[must_use]
pub(crate) const fn is_busy(status: &BackupStatus) -> bool {
    status.running || status.requested
}

/// The backups page.
#[component]
pub fn BackupsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ViewBackups>
            <Backups />
        </RolesOnly>
    }
}

#[component]
fn Backups() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    Effect::new(move |_| set_page_title(i18n.t().backups.title));
    // Read once: the page never outlives the session (see ARCHITECTURE.md).
    let manages = untrack(|| session.may(Permission::ManageBackups));
    // One more for each backup asked for here; a change loads the status again.
    let asks = RwSignal::new(0_u32);
    let loaded = api_resource(move |api| {
        let asks = asks.get();
        async move {
            api.backup_status()
                .await
                .map(|status| Loaded { asks, status })
        }
    });
    // Poll while a backup is asked for or being made; each new status decides again,
    // and leaving the page (or a newer status) cancels the wait.
    Effect::new(move |_| {
        let busy = loaded.with(|l| matches!(l, Some(Ok(l)) if is_busy(&l.status)));
        if busy {
            if let Ok(handle) = set_timeout_with_handle(move || loaded.refetch(), POLL_EVERY) {
                on_cleanup(move || handle.clear());
            }
        }
    });
    let current = Current(Memo::new(move |_| {
        loaded.with(|l| match l {
            Some(Ok(l)) => Some(l.status.clone()),
            _ => None,
        })
    }));
    let failed = Memo::new(move |_| {
        loaded.with(|l| match l {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        })
    });
    // A backup asked for here and not yet in a status, or one the server is making.
    let in_progress = Signal::derive(move || {
        let asked = asks.get();
        loaded.with(|l| matches!(l, Some(Ok(l)) if l.asks != asked || is_busy(&l.status)))
    });
    let shown = Memo::new(move |_| current.read(|_| ()).is_some());
    let body = move || {
        if let Some(error) = failed.get() {
            view! {
                <LoadFailed error on_retry=move || loaded.refetch() testid="backups-error" />
            }
            .into_any()
        } else if shown.get() {
            view! { <Overview current /> }.into_any()
        } else {
            view! { <Busy /> }.into_any()
        }
    };
    view! {
        <section class="console-page backups-page" data-testid="backups-page">
            <h1>{move || i18n.t().backups.title}</h1>
            <p class="muted">{move || i18n.t().backups.intro}</p>
            {manages.then(|| view! { <BackUpNow asks in_progress /> })}
            <Progress current />
            {body}
        </section>
    }
}

/// The cards, the problems, the settings and the list.
#[component]
fn Overview(current: Current) -> impl IntoView {
    view! {
        <StatusCards current />
        <ProblemsList current />
        <SettingsCard current />
        <BackupsTable current />
    }
}

/// "Back up now" (admins): disabled, and saying so, while a backup is asked for or
/// being made; the page then polls until it is done.
#[component]
fn BackUpNow(asks: RwSignal<u32>, in_progress: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let request = ApiCall::new(|api, ()| async move { api.request_backup().await })
        .on_ok(move |_: &BackupRequested| asks.update(|n| *n = n.wrapping_add(1)));
    let pending = request.pending();
    let working = move || pending.get() || in_progress.get();
    // What the server said of the last ask, while its backup is still to come.
    let answer = move || {
        let answer = request.value()?;
        in_progress.get().then(|| {
            let t = &i18n.t().backups;
            let (words, kind) = if answer.already_running {
                (t.already_running, "already_running")
            } else {
                (t.requested, "requested")
            };
            view! {
                <p class="backups-asked" data-testid="backups-requested" data-answer=kind>
                    {words}
                </p>
            }
        })
    };
    view! {
        <div class="backups-now">
            <FormAlert error=request.error() testid="backups-now-error" />
            <button
                type="button"
                class="button button-primary"
                disabled=working
                on:click=move |_| request.run()
                data-testid="backups-now"
            >
                {move || {
                    let t = &i18n.t().backups;
                    if working() { t.backing_up } else { t.back_up_now }
                }}
            </button>
            {answer}
        </div>
    }
}

/// Says, to everyone who reads the page, that a backup is being made or waits to be.
#[component]
fn Progress(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    // Some(true) while a backup is being made, Some(false) while one waits to start.
    let running = Memo::new(move |_| current.read(|s| is_busy(s).then_some(s.running)).flatten());
    view! {
        <div class="backups-progress" role="status" aria-live="polite">
            {move || running.get().map(|running| {
                let words = move || {
                    let t = &i18n.t().backups;
                    if running { t.running_now } else { t.waiting_to_start }
                };
                let state = if running { "running" } else { "requested" };
                view! {
                    <p class="muted loading" data-testid="backups-progress" data-state=state>
                        {words}
                    </p>
                }
            })}
        </div>
    }
}

/// A size in bytes as people read it: bytes below a kilobyte, then KB, MB or GB (of
/// 1024) with one decimal.
#[must_use]
pub(crate) fn size_words(bytes: i64) -> String {
    const UNITS: [&str; 3] = ["KB", "MB", "GB"];
    if bytes < 1024 {
        return format!("{} B", bytes.max(0));
    }
    // Tenths of the unit, rounded, in integers: exact for any size.
    let bytes = i128::from(bytes);
    let mut unit = 0;
    let mut scale: i128 = 1024;
    while unit + 1 < UNITS.len() && (bytes * 10 + scale / 2) / scale >= 1024 * 10 {
        unit += 1;
        scale *= 1024;
    }
    let tenths = (bytes * 10 + scale / 2) / scale;
    format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
}

/// The name of a backup's state in `data-state` (as the API writes it).
#[must_use]
pub(crate) const fn state_name(state: BackupState) -> &'static str {
    match state {
        BackupState::Running => "running",
        BackupState::Done => "done",
        BackupState::Failed => "failed",
        BackupState::Expired => "expired",
    }
}

/// The name of an off-site copy's state in `data-offsite` (as the API writes it).
#[must_use]
pub(crate) const fn offsite_name(state: OffsiteState) -> &'static str {
    match state {
        OffsiteState::NotConfigured => "not_configured",
        OffsiteState::Pending => "pending",
        OffsiteState::Copied => "copied",
        OffsiteState::Failed => "failed",
    }
}

/// The name of a problem in `data-problem` (as the API writes it).
#[must_use]
pub(crate) const fn problem_name(problem: BackupProblem) -> &'static str {
    match problem {
        BackupProblem::NotScheduled => "not_scheduled",
        BackupProblem::NoOffsite => "no_offsite",
        BackupProblem::Overdue => "overdue",
        BackupProblem::LastFailed => "last_failed",
        BackupProblem::OffsiteFailing => "offsite_failing",
        BackupProblem::DrillFailed => "drill_failed",
    }
}

/// Whether a problem means something failed (shown as an error), rather than a
/// setting that leaves the backups at risk (shown as a warning).
#[must_use]
pub(crate) const fn problem_is_failure(problem: BackupProblem) -> bool {
    matches!(
        problem,
        BackupProblem::Overdue | BackupProblem::LastFailed | BackupProblem::DrillFailed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(running: bool, requested: bool) -> BackupStatus {
        BackupStatus {
            scheduled: true,
            interval_hours: 24,
            keep_days: 30,
            local_dir: "/var/lib/consentry/backups".to_owned(),
            offsite: None,
            next_due_at_ms: None,
            running,
            requested,
            last_backup: None,
            last_offsite: None,
            last_drill: None,
            problems: Vec::new(),
            backups: Vec::new(),
        }
    }

    #[test]
    fn the_page_polls_while_a_backup_is_asked_for_or_being_made() {
        assert!(!is_busy(&status(false, false)));
        assert!(is_busy(&status(true, false)));
        assert!(is_busy(&status(false, true)));
        assert!(is_busy(&status(true, true)));
    }

    #[test]
    fn sizes_read_in_the_unit_that_fits() {
        assert_eq!(size_words(-1), "0 B");
        assert_eq!(size_words(0), "0 B");
        assert_eq!(size_words(1023), "1023 B");
        assert_eq!(size_words(1024), "1.0 KB");
        assert_eq!(size_words(1536), "1.5 KB");
        assert_eq!(size_words(12_697), "12.4 KB");
        // Rounds up into the next unit rather than writing 1024.0 KB.
        assert_eq!(size_words(1024 * 1024 - 1), "1.0 MB");
        assert_eq!(size_words(5 * 1024 * 1024 + 300 * 1024), "5.3 MB");
        assert_eq!(size_words(3 * 1024 * 1024 * 1024), "3.0 GB");
        // The largest unit goes on counting.
        assert_eq!(size_words(2048 * 1024 * 1024 * 1024), "2048.0 GB");
    }

    #[test]
    fn names_match_the_apis_words() {
        for state in [
            BackupState::Running,
            BackupState::Done,
            BackupState::Failed,
            BackupState::Expired,
        ] {
            let json = serde_json::to_value(state).expect("serialises");
            assert_eq!(json.as_str(), Some(state_name(state)));
        }
        for state in [
            OffsiteState::NotConfigured,
            OffsiteState::Pending,
            OffsiteState::Copied,
            OffsiteState::Failed,
        ] {
            let json = serde_json::to_value(state).expect("serialises");
            assert_eq!(json.as_str(), Some(offsite_name(state)));
        }
        for problem in [
            BackupProblem::NotScheduled,
            BackupProblem::NoOffsite,
            BackupProblem::Overdue,
            BackupProblem::LastFailed,
            BackupProblem::OffsiteFailing,
            BackupProblem::DrillFailed,
        ] {
            let json = serde_json::to_value(problem).expect("serialises");
            assert_eq!(json.as_str(), Some(problem_name(problem)));
        }
    }

    #[test]
    fn failures_are_told_apart_from_risky_settings() {
        assert!(problem_is_failure(BackupProblem::LastFailed));
        assert!(problem_is_failure(BackupProblem::DrillFailed));
        assert!(problem_is_failure(BackupProblem::Overdue));
        assert!(!problem_is_failure(BackupProblem::NoOffsite));
        assert!(!problem_is_failure(BackupProblem::NotScheduled));
        assert!(!problem_is_failure(BackupProblem::OffsiteFailing));
    }
}
