//! The English strings of the backups page.

use super::backups::{BackupsTexts, ProblemWords};

/// English.
pub const EN: BackupsTexts = BackupsTexts {
    nav: "Backups",
    title: "Backups",
    intro: "Encrypted copies of the whole database, made on a schedule and copied to a second, \
            off-site place. Each backup is then restored into a scratch database and checked, \
            so that you know it can be restored when it is needed.",

    last_backup_heading: "Last backup",
    last_offsite_heading: "Last off-site copy",
    last_drill_heading: "Last restore drill",
    never: "Never",
    none_yet: "None yet",
    no_offsite: "No off-site destination configured",
    label_made: "Made",
    label_size: "Size",
    label_audit_entries: "Audit entries",
    label_file: "File",
    label_copied: "Copied",
    label_drill_at: "Run",
    label_result: "Result",
    label_took: "Took",
    label_found: "Found",

    problems_heading: "Needs attention",
    problems_none: "Nothing needs attention: backups are made on schedule, copied off-site, and \
                    their restore drills pass.",
    fix_label: "What to do: ",
    not_scheduled: ProblemWords {
        title: "Backups are not made on a schedule",
        why: "The server was started with scheduled backups turned off, so a backup is only \
              made when an administrator asks for one. Everything entered since the last backup \
              would be lost with the database.",
        fix: "Restart the server without --no-backup-schedule (or the environment variable \
              CONSENTRY_NO_BACKUP_SCHEDULE). Set --backup-interval-hours if once a day is not \
              often enough.",
    },
    no_offsite_problem: ProblemWords {
        title: "Backups are not copied off-site",
        why: "Backups are only written to the server's own backup folder. A failed disk, a \
              stolen or burnt-out server or ransomware would take the backups along with the \
              database.",
        fix: "Set --backup-offsite-dir (or CONSENTRY_BACKUP_OFFSITE_DIR) to a folder on \
              another disk, a mounted network share or a synchronised folder, then restart the \
              server. Every backup is then copied there and read back to check it.",
    },
    overdue: ProblemWords {
        title: "A backup is overdue",
        why: "No backup has been made for longer than the schedule allows (every {hours} hours, \
              plus an hour). The server that makes them may be stopped, or backups keep \
              failing.",
        fix: "Check that the server is running and read its log for backup errors. Then make \
              a backup with “Back up now” (administrators) and see that it ends as done.",
    },
    last_failed: ProblemWords {
        title: "The last backup failed",
        why: "The newest attempt made no backup, so the last good one is older than it should \
              be. Its error is in the list below.",
        fix: "Read the error in the list. Most often the backup folder is missing, full or not \
              writable by the server. Fix that, then make a backup with “Back up now”.",
    },
    offsite_failing: ProblemWords {
        title: "Off-site copies are failing",
        why: "The newest backup could not be copied to the off-site destination: the copy is \
              waiting for another attempt, or every attempt failed. Until it is copied, the \
              backup exists in one place only.",
        fix: "Check that the off-site destination is mounted, writable by the server and has \
              free space; the copy's error is in the list below. Then make a backup with “Back \
              up now” and see that its off-site copy succeeds.",
    },
    drill_failed: ProblemWords {
        title: "The last restore drill failed",
        why: "The newest backup a drill ran on could not be restored and checked in a scratch \
              database, so it may not be usable when it is needed.",
        fix: "Read the drill's message in the list below. Make a new backup and check that its \
              drill passes; if it fails again, check the server's log and the backup key before \
              you rely on these backups.",
    },

    settings_heading: "Settings",
    label_schedule: "Schedule",
    every_hours: "Every {hours} hours",
    not_scheduled_short: "Not scheduled",
    label_keep: "Kept for",
    keep_days: "{days} days, in both destinations",
    label_local_dir: "Backup folder",
    label_offsite_dir: "Off-site destination",
    not_configured: "Not configured",
    label_next_due: "Next backup due",
    next_due_none: "None scheduled",

    back_up_now: "Back up now",
    backing_up: "Backing up…",
    requested: "Backup requested. The list updates by itself when it is done.",
    already_running: "A backup is already being made; yours will be made when it ends.",
    running_now: "A backup is being made now…",
    waiting_to_start: "A backup was asked for and starts shortly…",

    list_heading: "Recent backups",
    list_empty: "No backups yet.",
    col_started: "Started",
    col_trigger: "Trigger",
    col_state: "State",
    col_size: "Size",
    col_audit: "Audit head",
    col_records: "Records",
    col_offsite: "Off-site copy",
    col_drill: "Restore drill",
    trigger_schedule: "Scheduled",
    trigger_manual_by: "By {name}",
    trigger_manual: "By hand",
    state_running: "Running",
    state_done: "Done",
    state_failed: "Failed",
    state_expired: "Expired",
    expired_at: "Removed {time}",
    error_label: "Why the backup failed: ",
    offsite_error_label: "Why the off-site copy failed: ",
    offsite_copied: "Copied {time}",
    offsite_copied_plain: "Copied",
    offsite_pending_at: "Pending: next attempt {time} (attempts so far: {attempts})",
    offsite_pending: "Pending (attempts so far: {attempts})",
    offsite_failed: "Failed after {attempts} attempts",
    drill_passed: "Passed",
    drill_failed_badge: "Failed",
    drill_not_run: "Not run",
    drill_when: "Run {time}, took {took}",
    drill_counts: "The restored copy holds {records} records, {receipts} receipts, {forms} \
                   forms, {users} users, {audit} audit entries and {heads} signed heads.",
    bytes: "{n} bytes",

    took_ms: "{n} ms",
    took_s: "{n} s",
    took_min: "{m} min {s} s",
};
