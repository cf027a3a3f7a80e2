//! The rows of a preview that will not be imported as they are: one line per problem,
//! with the row's number in the file, its status in words, the column and the reason
//! (a duplicate names the row it repeats).

use leptos::prelude::*;
use shared::api::imports::{RowReport, RowStatus};

use crate::i18n::{fill, use_i18n, ImportsTexts};

/// One problem of a row, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ProblemLine {
    pub row: u32,
    pub status: RowStatus,
    pub column: String,
    pub reason: String,
}

/// The lines of a row's problems: each issue of an invalid row (in the server's words,
/// in the language of the request), or for a duplicate who it repeats, under the column
/// that says who the person is.
#[must_use]
pub(super) fn problem_lines(t: &ImportsTexts, report: &RowReport) -> Vec<ProblemLine> {
    let line = |column: Option<&String>, reason: String| ProblemLine {
        row: report.row,
        status: report.status,
        column: column.cloned().unwrap_or_else(|| t.no_column.to_owned()),
        reason,
    };
    let first_column = report.issues.iter().find_map(|i| i.column.as_ref());
    match report.status {
        RowStatus::DuplicateInFile => {
            let reason = match report.duplicate_of_row {
                Some(row) => fill(t.same_person_as_row, &[("row", &row.to_string())]),
                None => t.status_duplicate.to_owned(),
            };
            vec![line(first_column, reason)]
        }
        RowStatus::AlreadyStored => vec![line(first_column, t.same_as_stored.to_owned())],
        RowStatus::Invalid | RowStatus::Valid if report.issues.is_empty() => {
            vec![line(None, t.status(report.status).to_owned())]
        }
        RowStatus::Invalid | RowStatus::Valid => report
            .issues
            .iter()
            .map(|i| line(i.column.as_ref(), i.message.clone()))
            .collect(),
    }
}

/// The table of rows with problems; `total` counts them all, of which the preview
/// lists the first.
#[component]
pub(super) fn ProblemRows(rows: Vec<RowReport>, total: u64) -> impl IntoView {
    let i18n = use_i18n();
    let shown = rows.len();
    let rows = StoredValue::new(rows);
    let body = move || {
        let t = &i18n.t().imports;
        rows.with_value(|rows| {
            rows.iter()
                .flat_map(|r| problem_lines(t, r))
                .map(|line| {
                    let ProblemLine {
                        row,
                        status,
                        column,
                        reason,
                    } = line;
                    view! {
                        <tr data-testid="import-problem" data-row=row.to_string() data-status=status_name(status)>
                            <th scope="row" data-label=t.col_row>{row.to_string()}</th>
                            <td data-label=t.col_status>{t.status(status)}</td>
                            <td data-label=t.col_problem_column class="imports-column">{column}</td>
                            <td data-label=t.col_reason class="imports-reason">{reason}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let more = (u64::try_from(shown).unwrap_or(u64::MAX) < total).then(|| {
        view! {
            <p class="muted" data-testid="import-problems-more">
                {move || fill(i18n.t().imports.problems_more, &[("shown", &shown.to_string()), ("total", &total.to_string())])}
            </p>
        }
    });
    view! {
        <div class="imports-problems" data-testid="import-problems">
            <h3 id="imports-problems-heading">{move || i18n.t().imports.problems_heading}</h3>
            {if shown == 0 {
                view! {
                    <p class="muted" data-testid="import-problems-none">{move || i18n.t().imports.problems_none}</p>
                }
                .into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table imports-problems-table" aria-labelledby="imports-problems-heading">
                            <thead>
                                <tr>
                                    <th scope="col">{move || i18n.t().imports.col_row}</th>
                                    <th scope="col">{move || i18n.t().imports.col_status}</th>
                                    <th scope="col">{move || i18n.t().imports.col_problem_column}</th>
                                    <th scope="col">{move || i18n.t().imports.col_reason}</th>
                                </tr>
                            </thead>
                            <tbody>{body}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            {more}
        </div>
    }
}

/// A status's name in `data-status`.
const fn status_name(status: RowStatus) -> &'static str {
    match status {
        RowStatus::Valid => "valid",
        RowStatus::Invalid => "invalid",
        RowStatus::DuplicateInFile => "duplicate_in_file",
        RowStatus::AlreadyStored => "already_stored",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};
    use shared::api::imports::RowIssue;

    fn issue(column: Option<&str>, message: &str) -> RowIssue {
        RowIssue {
            column: column.map(str::to_owned),
            field: "mobile".to_owned(),
            code: "invalid".to_owned(),
            message: message.to_owned(),
        }
    }

    #[test]
    fn an_invalid_row_has_a_line_per_issue() {
        let report = RowReport {
            row: 4,
            status: RowStatus::Invalid,
            issues: vec![
                issue(Some("手机号"), "手机号码应为 11 位数字"),
                issue(None, "缺少必填项"),
            ],
            duplicate_of_row: None,
        };
        let lines = problem_lines(&EN.imports, &report);
        assert_eq!(
            lines,
            [
                ProblemLine {
                    row: 4,
                    status: RowStatus::Invalid,
                    column: "手机号".to_owned(),
                    reason: "手机号码应为 11 位数字".to_owned(),
                },
                ProblemLine {
                    row: 4,
                    status: RowStatus::Invalid,
                    column: "—".to_owned(),
                    reason: "缺少必填项".to_owned(),
                },
            ]
        );
        assert_eq!(EN.imports.status(RowStatus::Invalid), "Invalid");
        assert_eq!(ZH_CN.imports.status(RowStatus::AlreadyStored), "已有记录");
    }

    #[test]
    fn a_duplicate_names_the_row_it_repeats() {
        let report = RowReport {
            row: 7,
            status: RowStatus::DuplicateInFile,
            issues: vec![issue(Some("手机号"), "duplicate")],
            duplicate_of_row: Some(2),
        };
        let en = problem_lines(&EN.imports, &report);
        assert_eq!(en.len(), 1);
        assert_eq!(en[0].reason, "Same person as row 2");
        assert_eq!(en[0].column, "手机号");
        let zh = problem_lines(&ZH_CN.imports, &report);
        assert_eq!(zh[0].reason, "与第 2 行为同一人");
        let stored = RowReport {
            row: 8,
            status: RowStatus::AlreadyStored,
            issues: Vec::new(),
            duplicate_of_row: None,
        };
        assert_eq!(
            problem_lines(&ZH_CN.imports, &stored)[0].reason,
            "与此表单已保存的记录为同一人"
        );
    }
}
