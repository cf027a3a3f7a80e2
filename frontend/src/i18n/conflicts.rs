//! The strings of the console's conflicts and approvals page (`/conflicts`): edit
//! conflicts and changes of key fields waiting for approval, in both languages.

/// Strings of the conflicts and approvals page. Templates name their parameters in
/// braces.
#[derive(Debug)]
pub struct ConflictsTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub none: &'static str,

    pub server_value: &'static str,
    pub device_value: &'static str,
    pub keep_server: &'static str,
    pub take_device: &'static str,
    /// Mentions `{record}`, `{base}` and `{current}`.
    pub record: &'static str,
    /// Mentions `{author}`, `{device}` and `{time}`.
    pub by: &'static str,
    pub cleared: &'static str,
    pub hidden: &'static str,
    pub empty: &'static str,

    /// The heading of a change of a key field; mentions `{field}`.
    pub approval_heading: &'static str,
    /// Mentions `{form}` and `{record}`.
    pub approval_record: &'static str,
    /// Mentions `{author}` and `{time}`.
    pub approval_by: &'static str,
    pub approval_old: &'static str,
    pub approval_new: &'static str,
    pub approval_contested: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,

    pub comment: &'static str,
    pub comment_hint: &'static str,
    /// Mentions `{max}`.
    pub comment_too_long: &'static str,
    /// A 403 on a change's decision: its author may not decide it.
    pub own_change: &'static str,
    /// A 409: someone else decided first.
    pub already_decided: &'static str,
}

/// English.
pub const EN: ConflictsTexts = ConflictsTexts {
    title: "Conflicts and approvals",
    intro: "Staff edited these fields offline. A conflict: the record also changed on the server, so keep the server's value or take the device's. A change of a key field (a phone number, email or ID): it waits until someone other than its author approves it. Nothing changes until you decide.",
    none: "Nothing waits for you: no conflicts and no changes to approve.",

    server_value: "Server value",
    device_value: "Device value",
    keep_server: "Keep server value",
    take_device: "Take device value",
    record: "Record {record} · edited from version {base} · now version {current}",
    by: "Edited by {author} on device {device}, {time}",
    cleared: "(cleared)",
    hidden: "(hidden)",
    empty: "(empty)",

    approval_heading: "Change waiting for approval: {field}",
    approval_record: "Form “{form}” · record {record}",
    approval_by: "Changed by {author}, {time}",
    approval_old: "Now (in force)",
    approval_new: "Proposed",
    approval_contested: "This field changed since the change was made, or another change of it waits too. Deciding this one does not decide the other.",
    approve: "Approve",
    reject: "Reject",

    comment: "Comment (optional)",
    comment_hint: "Kept with the decision, for example how you checked the change.",
    comment_too_long: "Keep the comment to {max} characters.",
    own_change: "You cannot approve your own change: another manager or an admin decides it.",
    already_decided: "Someone else already decided this; it no longer waits for you.",
};

/// Simplified Chinese.
pub const ZH_CN: ConflictsTexts = ConflictsTexts {
    title: "冲突与审批",
    intro: "员工离线修改了这些字段。冲突：服务器上的记录也已更改，请选择保留服务器的值或采用设备的值。关键字段（手机号、电子邮箱或证件号）的修改：须由修改人以外的人批准后才生效。在您作出决定之前不会有任何更改。",
    none: "没有等待您处理的事项：既无冲突，也无待审批的修改。",

    server_value: "服务器的值",
    device_value: "设备的值",
    keep_server: "保留服务器的值",
    take_device: "采用设备的值",
    record: "记录 {record} · 基于版本 {base} 修改 · 当前版本 {current}",
    by: "由 {author} 在设备 {device} 上修改，{time}",
    cleared: "（已清空）",
    hidden: "（已隐藏）",
    empty: "（空）",

    approval_heading: "待审批的修改：{field}",
    approval_record: "表单“{form}” · 记录 {record}",
    approval_by: "修改人 {author}，{time}",
    approval_old: "当前值（生效中）",
    approval_new: "拟修改为",
    approval_contested: "此字段在提交修改后已有变动，或另有针对此字段的修改在等待审批。对本项的决定不影响另一项。",
    approve: "批准",
    reject: "驳回",

    comment: "备注（可选）",
    comment_hint: "将与决定一并保存，例如您如何核实了这项修改。",
    comment_too_long: "备注不能超过 {max} 个字符。",
    own_change: "您不能审批自己提交的修改，须由另一位主管或管理员决定。",
    already_decided: "已有其他人作出决定，此项无需您再处理。",
};
