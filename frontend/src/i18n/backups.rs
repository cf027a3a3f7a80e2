//! The strings of the backups page (issue #24): the last backup, off-site copy and
//! restore drill, the problems to act on with what to do, the settings, "Back up now"
//! and the list of backups; values in `backups_en` and `backups_zh`.

use shared::api::backups::{BackupCounts, BackupProblem, BackupState, BackupTrigger, OffsiteState};

pub use super::backups_en::EN;
pub use super::backups_zh::ZH_CN;
use super::fill;

/// What the console says of one [`BackupProblem`]: what is wrong, why it matters, and
/// what to do about it.
#[derive(Debug)]
pub struct ProblemWords {
    pub title: &'static str,
    /// May mention `{hours}` (the interval between scheduled backups).
    pub why: &'static str,
    pub fix: &'static str,
}

/// Strings of the backups page. Templates name their parameters in braces.
#[derive(Debug)]
pub struct BackupsTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,

    // The three cards.
    pub last_backup_heading: &'static str,
    pub last_offsite_heading: &'static str,
    pub last_drill_heading: &'static str,
    pub never: &'static str,
    pub none_yet: &'static str,
    pub no_offsite: &'static str,
    pub label_made: &'static str,
    pub label_size: &'static str,
    pub label_audit_entries: &'static str,
    pub label_file: &'static str,
    pub label_copied: &'static str,
    pub label_drill_at: &'static str,
    pub label_result: &'static str,
    pub label_took: &'static str,
    pub label_found: &'static str,

    // Problems.
    pub problems_heading: &'static str,
    pub problems_none: &'static str,
    /// Ends with its own separator (a space in English).
    pub fix_label: &'static str,
    pub not_scheduled: ProblemWords,
    pub no_offsite_problem: ProblemWords,
    pub overdue: ProblemWords,
    pub last_failed: ProblemWords,
    pub offsite_failing: ProblemWords,
    pub drill_failed: ProblemWords,

    // Settings.
    pub settings_heading: &'static str,
    pub label_schedule: &'static str,
    /// Mentions `{hours}`.
    pub every_hours: &'static str,
    pub not_scheduled_short: &'static str,
    pub label_keep: &'static str,
    /// Mentions `{days}`.
    pub keep_days: &'static str,
    pub label_local_dir: &'static str,
    pub label_offsite_dir: &'static str,
    pub not_configured: &'static str,
    pub label_next_due: &'static str,
    pub next_due_none: &'static str,

    // Back up now.
    pub back_up_now: &'static str,
    pub backing_up: &'static str,
    pub requested: &'static str,
    pub already_running: &'static str,
    pub running_now: &'static str,
    pub waiting_to_start: &'static str,

    // The list.
    pub list_heading: &'static str,
    pub list_empty: &'static str,
    pub col_started: &'static str,
    pub col_trigger: &'static str,
    pub col_state: &'static str,
    pub col_size: &'static str,
    pub col_audit: &'static str,
    pub col_records: &'static str,
    pub col_offsite: &'static str,
    pub col_drill: &'static str,
    pub trigger_schedule: &'static str,
    /// Mentions `{name}`.
    pub trigger_manual_by: &'static str,
    pub trigger_manual: &'static str,
    pub state_running: &'static str,
    pub state_done: &'static str,
    pub state_failed: &'static str,
    pub state_expired: &'static str,
    /// Mentions `{time}`.
    pub expired_at: &'static str,
    /// Ends with its own separator (a space in English).
    pub error_label: &'static str,
    /// Ends with its own separator (a space in English).
    pub offsite_error_label: &'static str,
    /// Mentions `{time}`.
    pub offsite_copied: &'static str,
    pub offsite_copied_plain: &'static str,
    /// Mentions `{time}` and `{attempts}`.
    pub offsite_pending_at: &'static str,
    /// Mentions `{attempts}`.
    pub offsite_pending: &'static str,
    /// Mentions `{attempts}`.
    pub offsite_failed: &'static str,
    pub drill_passed: &'static str,
    pub drill_failed_badge: &'static str,
    pub drill_not_run: &'static str,
    /// Mentions `{time}` and `{took}`.
    pub drill_when: &'static str,
    /// Mentions `{records}`, `{receipts}`, `{forms}`, `{users}`, `{audit}` and `{heads}`.
    pub drill_counts: &'static str,
    /// Mentions `{n}`: bytes, as the size's tooltip says them.
    pub bytes: &'static str,

    // Durations.
    /// Mentions `{n}`.
    pub took_ms: &'static str,
    /// Mentions `{n}` (with one decimal).
    pub took_s: &'static str,
    /// Mentions `{m}` and `{s}`.
    pub took_min: &'static str,
}

impl BackupsTexts {
    /// What to say of `problem`.
    #[must_use]
    pub const fn problem(&self, problem: BackupProblem) -> &ProblemWords {
        match problem {
            BackupProblem::NotScheduled => &self.not_scheduled,
            BackupProblem::NoOffsite => &self.no_offsite_problem,
            BackupProblem::Overdue => &self.overdue,
            BackupProblem::LastFailed => &self.last_failed,
            BackupProblem::OffsiteFailing => &self.offsite_failing,
            BackupProblem::DrillFailed => &self.drill_failed,
        }
    }

    /// Why `problem` matters, with the schedule's interval filled in.
    #[must_use]
    pub fn problem_why(&self, problem: BackupProblem, interval_hours: u32) -> String {
        fill(
            self.problem(problem).why,
            &[("hours", &interval_hours.to_string())],
        )
    }

    /// Where a backup is in its making.
    #[must_use]
    pub const fn state(&self, state: BackupState) -> &'static str {
        match state {
            BackupState::Running => self.state_running,
            BackupState::Done => self.state_done,
            BackupState::Failed => self.state_failed,
            BackupState::Expired => self.state_expired,
        }
    }

    /// Why a backup was made, and by whom when someone asked for it.
    #[must_use]
    pub fn trigger(&self, trigger: BackupTrigger, by: Option<&str>) -> String {
        match (trigger, by) {
            (BackupTrigger::Schedule, _) => self.trigger_schedule.to_owned(),
            (BackupTrigger::Manual, Some(name)) => fill(self.trigger_manual_by, &[("name", name)]),
            (BackupTrigger::Manual, None) => self.trigger_manual.to_owned(),
        }
    }

    /// A drill's outcome in words.
    #[must_use]
    pub const fn drill_result(&self, passed: bool) -> &'static str {
        if passed {
            self.drill_passed
        } else {
            self.drill_failed_badge
        }
    }

    /// An off-site copy's state in words. `copied_at` and `next_attempt` are times
    /// already written for the reader.
    #[must_use]
    pub fn offsite(
        &self,
        state: OffsiteState,
        copied_at: Option<&str>,
        attempts: i64,
        next_attempt: Option<&str>,
    ) -> String {
        let attempts = attempts.to_string();
        match (state, copied_at, next_attempt) {
            (OffsiteState::NotConfigured, ..) => self.not_configured.to_owned(),
            (OffsiteState::Copied, Some(time), _) => fill(self.offsite_copied, &[("time", time)]),
            (OffsiteState::Copied, None, _) => self.offsite_copied_plain.to_owned(),
            (OffsiteState::Pending, _, Some(time)) => fill(
                self.offsite_pending_at,
                &[("time", time), ("attempts", &attempts)],
            ),
            (OffsiteState::Pending, _, None) => {
                fill(self.offsite_pending, &[("attempts", &attempts)])
            }
            (OffsiteState::Failed, ..) => fill(self.offsite_failed, &[("attempts", &attempts)]),
        }
    }

    /// What a restored copy holds, counted by its drill.
    #[must_use]
    pub fn drill_counts_words(&self, counts: &BackupCounts) -> String {
        fill(
            self.drill_counts,
            &[
                ("records", &counts.records.to_string()),
                ("receipts", &counts.receipts.to_string()),
                ("forms", &counts.forms.to_string()),
                ("users", &counts.users.to_string()),
                ("audit", &counts.audit_entries.to_string()),
                ("heads", &counts.signed_heads.to_string()),
            ],
        )
    }

    /// How often backups are made: every N hours, or not on a schedule.
    #[must_use]
    pub fn schedule(&self, scheduled: bool, interval_hours: u32) -> String {
        if scheduled {
            fill(self.every_hours, &[("hours", &interval_hours.to_string())])
        } else {
            self.not_scheduled_short.to_owned()
        }
    }

    /// How long something took: milliseconds below a second, seconds with one decimal
    /// below a minute, then minutes and whole seconds.
    #[must_use]
    pub fn duration(&self, ms: i64) -> String {
        let ms = ms.max(0);
        // Tenths of a second, rounded, written without floating point.
        let tenths = (ms + 50) / 100;
        if ms < 1000 {
            fill(self.took_ms, &[("n", &ms.to_string())])
        } else if tenths < 600 {
            let n = format!("{}.{}", tenths / 10, tenths % 10);
            fill(self.took_s, &[("n", &n)])
        } else {
            let seconds = (ms + 500) / 1000;
            fill(
                self.took_min,
                &[
                    ("m", &(seconds / 60).to_string()),
                    ("s", &(seconds % 60).to_string()),
                ],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROBLEMS: [BackupProblem; 6] = [
        BackupProblem::NotScheduled,
        BackupProblem::NoOffsite,
        BackupProblem::Overdue,
        BackupProblem::LastFailed,
        BackupProblem::OffsiteFailing,
        BackupProblem::DrillFailed,
    ];

    #[test]
    fn every_problem_says_what_is_wrong_and_what_to_do_in_both_languages() {
        for texts in [&EN, &ZH_CN] {
            for problem in PROBLEMS {
                let words = texts.problem(problem);
                assert!(!words.title.is_empty(), "{problem:?}");
                assert!(!words.why.is_empty(), "{problem:?}");
                assert!(!words.fix.is_empty(), "{problem:?}");
                assert!(!texts.problem_why(problem, 24).contains('{'), "{problem:?}");
            }
            // Each problem has words of its own.
            for (i, a) in PROBLEMS.iter().enumerate() {
                for b in &PROBLEMS[i + 1..] {
                    assert_ne!(texts.problem(*a).title, texts.problem(*b).title);
                }
            }
        }
    }

    #[test]
    fn the_remedies_name_the_settings_to_change() {
        for texts in [&EN, &ZH_CN] {
            assert!(texts
                .problem(BackupProblem::NoOffsite)
                .fix
                .contains("--backup-offsite-dir"));
            assert!(texts
                .problem(BackupProblem::NotScheduled)
                .fix
                .contains("--no-backup-schedule"));
        }
        assert!(EN
            .problem_why(BackupProblem::Overdue, 6)
            .contains("6 hours"));
        assert!(ZH_CN
            .problem_why(BackupProblem::Overdue, 6)
            .contains("6 小时"));
    }

    #[test]
    fn a_manual_backup_names_who_asked_for_it() {
        assert_eq!(
            EN.trigger(BackupTrigger::Manual, Some("Wang Admin")),
            "By Wang Admin"
        );
        assert_eq!(EN.trigger(BackupTrigger::Manual, None), "By hand");
        assert_eq!(EN.trigger(BackupTrigger::Schedule, Some("x")), "Scheduled");
        assert_eq!(
            ZH_CN.trigger(BackupTrigger::Manual, Some("王管理")),
            "王管理 手动备份"
        );
        assert_eq!(ZH_CN.trigger(BackupTrigger::Schedule, None), "定时备份");
    }

    #[test]
    fn durations_read_in_the_unit_that_fits() {
        assert_eq!(EN.duration(0), "0 ms");
        assert_eq!(EN.duration(-5), "0 ms");
        assert_eq!(EN.duration(850), "850 ms");
        assert_eq!(EN.duration(1000), "1.0 s");
        assert_eq!(EN.duration(12_345), "12.3 s");
        assert_eq!(EN.duration(59_949), "59.9 s");
        assert_eq!(EN.duration(59_960), "1 min 0 s");
        assert_eq!(EN.duration(60_000), "1 min 0 s");
        assert_eq!(EN.duration(185_400), "3 min 5 s");
        assert_eq!(ZH_CN.duration(850), "850 毫秒");
        assert_eq!(ZH_CN.duration(12_345), "12.3 秒");
        assert_eq!(ZH_CN.duration(185_400), "3 分 5 秒");
    }

    #[test]
    fn an_off_site_copy_says_where_it_stands() {
        let at = Some("2026/12/4 10:00:00");
        assert_eq!(
            EN.offsite(OffsiteState::Copied, at, 1, None),
            "Copied 2026/12/4 10:00:00"
        );
        assert_eq!(EN.offsite(OffsiteState::Copied, None, 1, None), "Copied");
        assert_eq!(
            EN.offsite(OffsiteState::Pending, None, 2, at),
            "Pending: next attempt 2026/12/4 10:00:00 (attempts so far: 2)"
        );
        assert_eq!(
            EN.offsite(OffsiteState::Pending, None, 0, None),
            "Pending (attempts so far: 0)"
        );
        assert_eq!(
            EN.offsite(OffsiteState::Failed, None, 5, None),
            "Failed after 5 attempts"
        );
        assert_eq!(
            EN.offsite(OffsiteState::NotConfigured, None, 0, None),
            "Not configured"
        );
        assert_eq!(
            ZH_CN.offsite(OffsiteState::Pending, None, 2, at),
            "等待中：下次尝试 2026/12/4 10:00:00（已尝试 2 次）"
        );
        assert_eq!(
            ZH_CN.offsite(OffsiteState::Failed, None, 5, None),
            "失败（共尝试 5 次）"
        );
    }

    #[test]
    fn a_drill_counts_what_the_restored_copy_holds() {
        let counts = BackupCounts {
            records: 120,
            receipts: 118,
            forms: 3,
            users: 7,
            audit_entries: 1842,
            signed_heads: 12,
        };
        assert_eq!(
            EN.drill_counts_words(&counts),
            "The restored copy holds 120 records, 118 receipts, 3 forms, 7 users, 1842 audit \
             entries and 12 signed heads."
        );
        let zh = ZH_CN.drill_counts_words(&counts);
        assert!(
            zh.contains("120 条记录") && zh.contains("1842 条审计记录"),
            "{zh}"
        );
        assert!(!zh.contains('{'), "{zh}");
    }

    #[test]
    fn the_schedule_reads_as_an_interval_or_its_absence() {
        assert_eq!(EN.schedule(true, 24), "Every 24 hours");
        assert_eq!(EN.schedule(false, 24), "Not scheduled");
        assert_eq!(ZH_CN.schedule(true, 6), "每 6 小时一次");
        assert_eq!(EN.state(BackupState::Expired), "Expired");
        assert_eq!(ZH_CN.drill_result(false), "未通过");
    }
}
