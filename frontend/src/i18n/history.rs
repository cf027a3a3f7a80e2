//! The strings of a record's history in the console (`/records/{id}/history`): its
//! versions, why each was made, and the comparison of two versions, in both languages.

/// Strings of a record's history. Templates name their parameters in braces.
#[derive(Debug)]
pub struct HistoryTexts {
    /// The link from a record in the list.
    pub open: &'static str,
    /// The page's title before the record has loaded.
    pub title_loading: &'static str,
    /// Mentions `{form}`.
    pub title: &'static str,
    pub intro: &'static str,
    pub back: &'static str,
    pub timeline_heading: &'static str,
    pub no_versions: &'static str,
    /// Mentions `{n}`.
    pub version_n: &'static str,
    pub at: &'static str,
    pub by: &'static str,
    pub by_customer: &'static str,
    pub by_unknown: &'static str,
    pub cause: &'static str,
    pub cause_collected: &'static str,
    pub cause_device_edit: &'static str,
    pub cause_conflict_resolved: &'static str,
    pub cause_request_correction: &'static str,
    pub cause_approved_change: &'static str,
    /// Mentions `{name}`.
    pub approved_by: &'static str,
    pub changed: &'static str,
    pub nothing_changed: &'static str,
    pub values_caption: &'static str,
    pub col_field: &'static str,
    pub col_value: &'static str,
    /// The mark beside a value that changed (with an icon, never colour alone).
    pub changed_mark: &'static str,
    pub same_mark: &'static str,
    /// A field a version has no value for.
    pub no_value: &'static str,

    pub compare_heading: &'static str,
    pub compare_intro: &'static str,
    pub compare_a: &'static str,
    pub compare_b: &'static str,
    /// Mentions `{n}` and `{time}`.
    pub compare_option: &'static str,
    /// Mentions `{n}`.
    pub col_in_version: &'static str,
    pub col_changed: &'static str,
    /// Mentions `{count}`.
    pub compare_count: &'static str,
    pub compare_same_version: &'static str,
}

/// English.
pub const EN: HistoryTexts = HistoryTexts {
    open: "History",
    title_loading: "Record history",
    title: "{form}: history",
    intro: "Every version of this record, oldest first, as your role may see it. Masked values stay masked here; reveal one from the records list, where the reason is recorded.",
    back: "Back to records",
    timeline_heading: "Versions",
    no_versions: "This record has no versions to show.",
    version_n: "Version {n}",
    at: "When",
    by: "By",
    by_customer: "The customer",
    by_unknown: "Unknown",
    cause: "Why",
    cause_collected: "Collected",
    cause_device_edit: "Edit from a staff device",
    cause_conflict_resolved: "Conflict resolved: the device's value was kept",
    cause_request_correction: "Correction for a data-subject request",
    cause_approved_change: "Approved change",
    approved_by: "approved by {name}",
    changed: "Changed",
    nothing_changed: "No value changed.",
    values_caption: "Values in this version",
    col_field: "Field",
    col_value: "Value",
    changed_mark: "Changed",
    same_mark: "Same",
    no_value: "No answer",

    compare_heading: "Compare two versions",
    compare_intro: "Choose two versions to see every field side by side; fields that differ are marked.",
    compare_a: "Version A",
    compare_b: "Version B",
    compare_option: "Version {n} · {time}",
    col_in_version: "Version {n}",
    col_changed: "Difference",
    compare_count: "Fields that differ: {count}",
    compare_same_version: "You chose the same version twice: nothing differs.",
};

/// Simplified Chinese.
pub const ZH_CN: HistoryTexts = HistoryTexts {
    open: "修改历史",
    title_loading: "记录修改历史",
    title: "{form}：修改历史",
    intro: "按时间先后列出此记录的每个版本，内容以您的角色可见范围为准。已脱敏的值在此仍保持脱敏；如需查看原文，请在记录列表中查看并填写理由，理由会被记录。",
    back: "返回记录列表",
    timeline_heading: "版本",
    no_versions: "此记录没有可显示的版本。",
    version_n: "版本 {n}",
    at: "时间",
    by: "操作人",
    by_customer: "客户本人",
    by_unknown: "未知",
    cause: "原因",
    cause_collected: "采集",
    cause_device_edit: "员工设备上的修改",
    cause_conflict_resolved: "冲突已处理：采用设备上的值",
    cause_request_correction: "因个人信息主体请求而更正",
    cause_approved_change: "已批准的修改",
    approved_by: "批准人：{name}",
    changed: "修改的字段",
    nothing_changed: "没有值被修改。",
    values_caption: "此版本的值",
    col_field: "字段",
    col_value: "值",
    changed_mark: "已修改",
    same_mark: "相同",
    no_value: "未填写",

    compare_heading: "比较两个版本",
    compare_intro: "选择两个版本，逐个字段并排查看；不同的字段会被标出。",
    compare_a: "版本 A",
    compare_b: "版本 B",
    compare_option: "版本 {n} · {time}",
    col_in_version: "版本 {n}",
    col_changed: "差异",
    compare_count: "不同的字段：{count} 个",
    compare_same_version: "您两次选择了同一个版本，没有差异。",
};
