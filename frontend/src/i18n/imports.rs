//! The strings of imports from spreadsheets (issue #22) in the console: a new import
//! (the file, its preview, the lawful basis and the commit), the history with undo, the
//! settings, and the line an imported record shows; values in `imports_en` and
//! `imports_zh`.

use shared::api::imports::{OnProblems, RowStatus};
use shared::i18n::Locale;
use shared::schema::LawfulBasis;

pub use super::imports_en::EN;
pub use super::imports_zh::ZH_CN;

/// Strings of imports. Templates name their parameters in braces.
#[derive(Debug)]
pub struct ImportsTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub tabs_label: &'static str,
    pub tab_new: &'static str,
    pub tab_history: &'static str,
    pub tab_settings: &'static str,
    /// A manager's import when admins have not allowed managers to import.
    pub forbidden_manager: &'static str,

    // The form and the file.
    pub form_label: &'static str,
    pub form_hint: &'static str,
    pub form_choose: &'static str,
    pub no_forms: &'static str,
    pub file_label: &'static str,
    /// Mentions `{max}` (megabytes).
    pub file_hint: &'static str,
    pub choose_form: &'static str,
    pub choose_file: &'static str,
    pub wrong_type: &'static str,
    /// Mentions `{max}` (megabytes).
    pub too_large: &'static str,
    pub upload: &'static str,
    /// Mentions `{percent}`.
    pub uploading: &'static str,
    pub checking: &'static str,
    /// A file the server refused for its size (its limit unknown here).
    pub server_too_large: &'static str,
    pub upload_label: &'static str,

    // The preview.
    pub preview_heading: &'static str,
    pub nothing_written: &'static str,
    pub source_label: &'static str,
    pub source_utf8: &'static str,
    pub source_gb18030: &'static str,
    pub source_xlsx: &'static str,
    pub encoding_label: &'static str,
    pub encoding_hint: &'static str,
    pub encoding_auto: &'static str,
    pub encoding_utf8: &'static str,
    pub encoding_gb18030: &'static str,
    pub sheet_label: &'static str,
    /// Mentions `{row}`.
    pub header_row: &'static str,
    pub mapping_heading: &'static str,
    pub mapping_hint: &'static str,
    pub col_column: &'static str,
    pub col_field: &'static str,
    pub not_imported: &'static str,
    pub required_note: &'static str,
    /// Mentions `{fields}`.
    pub unmapped_required: &'static str,
    pub formulas_label: &'static str,
    pub formulas_hint: &'static str,
    pub formulas_inert: &'static str,
    pub formulas_refuse: &'static str,
    pub summary_label: &'static str,
    pub count_valid: &'static str,
    pub count_invalid: &'static str,
    pub count_duplicate: &'static str,
    pub count_stored: &'static str,
    pub count_total: &'static str,
    pub problems_heading: &'static str,
    pub problems_none: &'static str,
    /// Mentions `{shown}` and `{total}`.
    pub problems_more: &'static str,
    pub col_row: &'static str,
    pub col_status: &'static str,
    pub col_problem_column: &'static str,
    pub col_reason: &'static str,
    pub status_valid: &'static str,
    pub status_invalid: &'static str,
    pub status_duplicate: &'static str,
    pub status_stored: &'static str,
    /// Mentions `{row}`.
    pub same_person_as_row: &'static str,
    pub same_as_stored: &'static str,
    pub no_column: &'static str,

    // The lawful basis and the commit.
    pub basis_heading: &'static str,
    pub basis_intro: &'static str,
    pub basis_label: &'static str,
    pub basis_consent: &'static str,
    pub purposes_label: &'static str,
    pub purposes_hint: &'static str,
    pub evidence_label: &'static str,
    pub evidence_hint: &'static str,
    pub evidence_optional: &'static str,
    pub evidence_placeholder: &'static str,
    pub on_problems_label: &'static str,
    pub on_problems_skip: &'static str,
    pub on_problems_refuse: &'static str,
    pub refused: &'static str,
    /// Mentions `{count}`.
    pub commit: &'static str,
    pub committing: &'static str,
    pub nothing_valid: &'static str,
    pub issue_purposes: &'static str,
    pub issue_evidence: &'static str,
    /// Mentions `{max}`.
    pub issue_too_long: &'static str,
    pub issue_changed: &'static str,

    // The result.
    pub result_heading: &'static str,
    /// Mentions `{count}`.
    pub result_imported: &'static str,
    /// Mentions `{count}`.
    pub result_invalid: &'static str,
    /// Mentions `{count}`.
    pub result_duplicate: &'static str,
    /// Mentions `{count}`.
    pub result_stored: &'static str,
    /// Mentions `{count}`.
    pub result_total: &'static str,
    pub report_label: &'static str,
    pub report_csv: &'static str,
    pub report_xlsx: &'static str,
    pub to_records: &'static str,
    pub another: &'static str,

    // The history.
    pub history_heading: &'static str,
    pub history_empty: &'static str,
    pub col_when: &'static str,
    pub col_form: &'static str,
    pub col_file: &'static str,
    pub col_by: &'static str,
    pub col_rows: &'static str,
    pub col_basis: &'static str,
    pub col_report: &'static str,
    pub col_undo: &'static str,
    /// Mentions `{imported}`.
    pub rows_imported: &'static str,
    /// Mentions `{skipped}`.
    pub rows_skipped: &'static str,
    /// Mentions `{count}`.
    pub consented: &'static str,
    /// Mentions `{purposes}`.
    pub purposes_line: &'static str,
    pub undo: &'static str,
    /// Mentions `{count}`.
    pub undo_confirm: &'static str,
    pub undo_yes: &'static str,
    pub undo_keep: &'static str,
    pub undoing: &'static str,
    /// Mentions `{time}`.
    pub undo_until: &'static str,
    pub undo_closed: &'static str,
    /// Mentions `{name}` and `{time}`.
    pub undone: &'static str,
    /// Mentions `{count}`.
    pub undo_held: &'static str,
    pub unknown_person: &'static str,

    // The settings.
    pub settings_heading: &'static str,
    pub settings_intro: &'static str,
    pub managers_may_import: &'static str,
    pub managers_hint: &'static str,
    pub undo_days: &'static str,
    /// Mentions `{max}`.
    pub undo_days_hint: &'static str,
    /// Mentions `{max}`.
    pub issue_days: &'static str,
    pub settings_save: &'static str,
    pub settings_saving: &'static str,
    pub settings_saved: &'static str,

    // An imported record in the records list.
    pub record_imported: &'static str,
    /// Mentions `{basis}`.
    pub record_basis: &'static str,
    /// Mentions `{purposes}`.
    pub record_purposes: &'static str,
    /// Mentions `{date}`.
    pub record_consented: &'static str,
    pub consent_request_create: &'static str,
    pub consent_request_link: &'static str,
    /// Mentions `{date}`.
    pub consent_request_note: &'static str,
}

impl ImportsTexts {
    /// What became of a row, in words.
    #[must_use]
    pub const fn status(&self, status: RowStatus) -> &'static str {
        match status {
            RowStatus::Valid => self.status_valid,
            RowStatus::Invalid => self.status_invalid,
            RowStatus::DuplicateInFile => self.status_duplicate,
            RowStatus::AlreadyStored => self.status_stored,
        }
    }

    /// What a commit does with problem rows, in words.
    #[must_use]
    pub const fn on_problems(&self, choice: OnProblems) -> &'static str {
        match choice {
            OnProblems::Skip => self.on_problems_skip,
            OnProblems::Refuse => self.on_problems_refuse,
        }
    }

    /// The name of a lawful basis an import states: consent is consent given before,
    /// elsewhere; the others as the form's notice names them.
    #[must_use]
    pub fn basis(&self, basis: LawfulBasis, locale: Locale) -> &'static str {
        match basis {
            LawfulBasis::Consent => self.basis_consent,
            other => other.label(locale),
        }
    }

    /// The name of a file's source as the preview found it (`utf-8`, `gb18030`, `xlsx`);
    /// an unknown one as it is.
    #[must_use]
    pub fn source<'a>(&self, source: &'a str) -> &'a str {
        match source {
            "utf-8" => self.source_utf8,
            "gb18030" | "gbk" => self.source_gb18030,
            "xlsx" => self.source_xlsx,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_name_their_parameters_in_both_languages() {
        for t in [&EN, &ZH_CN] {
            let templates = [
                (t.file_hint, "{max}"),
                (t.too_large, "{max}"),
                (t.uploading, "{percent}"),
                (t.header_row, "{row}"),
                (t.unmapped_required, "{fields}"),
                (t.problems_more, "{shown}"),
                (t.problems_more, "{total}"),
                (t.same_person_as_row, "{row}"),
                (t.commit, "{count}"),
                (t.issue_too_long, "{max}"),
                (t.result_imported, "{count}"),
                (t.result_invalid, "{count}"),
                (t.result_duplicate, "{count}"),
                (t.result_stored, "{count}"),
                (t.result_total, "{count}"),
                (t.rows_imported, "{imported}"),
                (t.rows_skipped, "{skipped}"),
                (t.consented, "{count}"),
                (t.purposes_line, "{purposes}"),
                (t.undo_confirm, "{count}"),
                (t.undo_until, "{time}"),
                (t.undone, "{name}"),
                (t.undone, "{time}"),
                (t.undo_held, "{count}"),
                (t.undo_days_hint, "{max}"),
                (t.issue_days, "{max}"),
                (t.record_basis, "{basis}"),
                (t.record_purposes, "{purposes}"),
                (t.record_consented, "{date}"),
                (t.consent_request_note, "{date}"),
            ];
            for (template, name) in templates {
                assert!(template.contains(name), "{template:?} lacks {name}");
            }
        }
    }

    #[test]
    fn the_two_languages_differ_where_words_are_shown() {
        assert_eq!(EN.nav, "Imports");
        assert_eq!(ZH_CN.nav, "导入");
        assert_eq!(ZH_CN.basis_consent, "既有同意（在其他系统取得）");
        assert_ne!(EN.commit, ZH_CN.commit);
        assert_ne!(EN.same_as_stored, ZH_CN.same_as_stored);
        assert_eq!(ZH_CN.on_problems(OnProblems::Refuse), "拒绝整个导入");
        assert!(EN.evidence_placeholder.contains("旧系统同意日期及文件编号"));
    }
}
