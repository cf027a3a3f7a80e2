//! The strings of tracing a leaked file back to the export it came from (the exports
//! console's "Trace" tab), in both languages.

use shared::api::exports::TraceConfidence;

/// Strings of leak tracing. Templates name their parameters in braces.
#[derive(Debug)]
pub struct TraceTexts {
    pub tab: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub file_label: &'static str,
    /// Mentions `{max}` (megabytes).
    pub file_hint: &'static str,
    pub clear_file: &'static str,
    pub paste_label: &'static str,
    pub paste_hint: &'static str,
    pub submit: &'static str,
    pub tracing: &'static str,
    pub choose_one: &'static str,
    pub not_both: &'static str,
    /// Mentions `{max}` (megabytes).
    pub too_large: &'static str,
    pub wrong_type: &'static str,
    pub unreadable: &'static str,
    pub results_heading: &'static str,
    /// Mentions `{rows}`.
    pub rows_read: &'static str,
    /// Mentions `{rows}`.
    pub none_found: &'static str,
    pub col_export: &'static str,
    pub col_requester: &'static str,
    pub col_when: &'static str,
    pub col_form: &'static str,
    pub col_rows: &'static str,
    pub col_values: &'static str,
    pub col_status: &'static str,
    pub col_marks: &'static str,
    pub col_confidence: &'static str,
    /// Mentions `{found}` and `{total}`.
    pub marks: &'static str,
    pub certain: &'static str,
    pub certain_means: &'static str,
    pub high: &'static str,
    pub high_means: &'static str,
    pub possible: &'static str,
    pub possible_means: &'static str,
}

impl TraceTexts {
    /// A confidence in a word.
    #[must_use]
    pub const fn confidence(&self, confidence: TraceConfidence) -> &'static str {
        match confidence {
            TraceConfidence::Certain => self.certain,
            TraceConfidence::High => self.high,
            TraceConfidence::Possible => self.possible,
        }
    }

    /// What a confidence rests on.
    #[must_use]
    pub const fn confidence_means(&self, confidence: TraceConfidence) -> &'static str {
        match confidence {
            TraceConfidence::Certain => self.certain_means,
            TraceConfidence::High => self.high_means,
            TraceConfidence::Possible => self.possible_means,
        }
    }
}

/// English.
pub const EN: TraceTexts = TraceTexts {
    tab: "Trace a leak",
    title: "Trace a leaked file",
    intro: "Every exported file carries invisible marks tied to its export. Give a file found \
            where it should not be, or paste some of its rows, to learn which export it came \
            from: who asked for it, when, and how sure the match is.",
    file_label: "Leaked file",
    file_hint: "A CSV or Excel (.xlsx) file, or text (.txt), up to {max} MB.",
    clear_file: "Remove the file",
    paste_label: "Or paste rows",
    paste_hint: "Rows copied from the file, one per line, with the heading row if you have it.",
    submit: "Trace",
    tracing: "Tracing…",
    choose_one: "Choose a file or paste rows.",
    not_both: "Choose a file or paste rows, not both.",
    too_large: "The file is larger than {max} MB.",
    wrong_type: "Choose a .csv, .xlsx or .txt file.",
    unreadable: "This could not be read as a table: choose a CSV or Excel file, or paste rows \
                 of one.",
    results_heading: "Exports found",
    rows_read: "{rows} rows read.",
    none_found: "No export's marks were found in these {rows} rows.",
    col_export: "Export",
    col_requester: "Asked for by",
    col_when: "When",
    col_form: "Form",
    col_rows: "Rows",
    col_values: "Values",
    col_status: "Status",
    col_marks: "Marks found",
    col_confidence: "Confidence",
    marks: "{found} of {total}",
    certain: "Certain",
    certain_means: "A hidden mark's record id was found: a chance match is below one in 2^64.",
    high: "High",
    high_means: "Two or more of a mark's values were found in one row.",
    possible: "Possible",
    possible_means: "One value of a mark was found: worth a closer look, not proof.",
};

/// Simplified Chinese.
pub const ZH_CN: TraceTexts = TraceTexts {
    tab: "泄露溯源",
    title: "泄露文件溯源",
    intro: "每个导出文件都带有与该次导出对应的隐藏标记。提供在不应出现的地方发现的文件，或粘贴其中几行，\
            即可查出它来自哪一次导出：由谁申请、何时申请，以及匹配的可信程度。",
    file_label: "泄露的文件",
    file_hint: "CSV 或 Excel（.xlsx）文件，或文本文件（.txt），不超过 {max} MB。",
    clear_file: "移除文件",
    paste_label: "或粘贴数据行",
    paste_hint: "从文件中复制的数据行，每行一条；如有表头行请一并粘贴。",
    submit: "溯源",
    tracing: "正在溯源…",
    choose_one: "请选择文件或粘贴数据行。",
    not_both: "请选择文件或粘贴数据行，二者选其一。",
    too_large: "文件大于 {max} MB。",
    wrong_type: "请选择 .csv、.xlsx 或 .txt 文件。",
    unreadable: "无法按表格读取：请选择 CSV 或 Excel 文件，或粘贴其中的数据行。",
    results_heading: "找到的导出",
    rows_read: "已读取 {rows} 行。",
    none_found: "在这 {rows} 行中未发现任何导出的标记。",
    col_export: "导出编号",
    col_requester: "申请人",
    col_when: "申请时间",
    col_form: "表单",
    col_rows: "行数",
    col_values: "数据",
    col_status: "状态",
    col_marks: "找到的标记",
    col_confidence: "可信程度",
    marks: "{found} / {total}",
    certain: "确定",
    certain_means: "找到了隐藏标记中的记录编号：偶然吻合的概率低于 2^64 分之一。",
    high: "高",
    high_means: "同一行中找到了某个标记的两个或更多值。",
    possible: "可能",
    possible_means: "只找到某个标记的一个值：值得进一步核查，但不足以作为证据。",
};
