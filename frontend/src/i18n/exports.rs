//! The strings of governed exports in the console, in both languages: the export dialog
//! on the records page, and the exports page (the caller's exports, approvals, the
//! ledger and the organisation's settings).

use shared::api::exports::{ExportFormat, ExportStatus};
use shared::api::records::ConsentState;

/// Strings of governed exports. Templates name their parameters in braces.
#[derive(Debug)]
pub struct ExportsTexts {
    pub nav: &'static str,
    /// After the number of exports ready to download, for screen readers.
    pub ready_badge: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    /// The console's tabs: their list's name and the first tab.
    pub tabs_label: &'static str,
    pub tab_exports: &'static str,

    // The dialog on the records page.
    pub open: &'static str,
    pub open_hint: &'static str,
    /// Mentions `{form}`.
    pub dialog_title: &'static str,
    pub dialog_intro: &'static str,
    pub format: &'static str,
    pub format_csv: &'static str,
    pub format_xlsx: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub dates_hint: &'static str,
    pub language: &'static str,
    pub language_hint: &'static str,
    pub unmasked_label: &'static str,
    pub unmasked_hint: &'static str,
    pub reason: &'static str,
    /// Mentions `{min}` and `{max}`.
    pub reason_hint: &'static str,
    pub approval_note: &'static str,
    pub submit: &'static str,
    pub submitting: &'static str,
    pub close: &'static str,
    pub forbidden: &'static str,
    /// Mentions `{count}`.
    pub ready: &'static str,
    /// Mentions `{count}`.
    pub awaiting: &'static str,
    pub awaiting_next: &'static str,
    pub to_exports: &'static str,
    pub download_started: &'static str,

    // The download link.
    pub download: &'static str,
    /// Mentions `{time}`.
    pub expires: &'static str,

    // The caller's exports.
    pub mine_heading: &'static str,
    pub empty: &'static str,
    pub col_form: &'static str,
    pub col_requested: &'static str,
    pub col_rows: &'static str,
    pub col_values: &'static str,
    pub col_status: &'static str,
    pub col_expires: &'static str,
    pub col_downloaded: &'static str,
    pub col_actions: &'static str,
    pub masked: &'static str,
    pub unmasked: &'static str,
    pub cancel: &'static str,
    pub cancelling: &'static str,
    pub status_awaiting_approval: &'static str,
    pub status_ready: &'static str,
    pub status_downloaded: &'static str,
    pub status_rejected: &'static str,
    pub status_expired: &'static str,
    pub status_cancelled: &'static str,
    /// Shown where a time or name is missing.
    pub none: &'static str,
    pub col_format: &'static str,
    /// Mentions `{written}` and `{rows}`.
    pub progress: &'static str,
    pub held_by_alert: &'static str,

    // Waiting for approval.
    pub waiting_heading: &'static str,
    pub waiting_intro: &'static str,
    pub waiting_empty: &'static str,
    /// Mentions `{name}` and `{time}`.
    pub asked_by: &'static str,
    pub yours: &'static str,
    pub comment: &'static str,
    pub approve: &'static str,
    pub refuse: &'static str,
    pub deciding: &'static str,
    pub own_export: &'static str,
    pub decided_elsewhere: &'static str,

    // The ledger.
    pub ledger_heading: &'static str,
    pub ledger_intro: &'static str,
    pub col_requester: &'static str,
    pub col_when: &'static str,
    pub col_reason: &'static str,
    pub col_decision: &'static str,
    pub col_download: &'static str,
    pub col_sha: &'static str,
    pub col_filter: &'static str,
    pub filter_everything: &'static str,
    /// Mentions `{from}` and `{to}`.
    pub filter_between: &'static str,
    /// Mentions `{from}`.
    pub filter_from: &'static str,
    /// Mentions `{to}`.
    pub filter_to: &'static str,
    /// Mentions `{name}`.
    /// Mentions `{n}`.
    pub filter_version: &'static str,
    pub filter_team: &'static str,
    /// Mentions `{name}`.
    pub filter_owner: &'static str,
    /// Mentions `{state}`.
    pub filter_consent: &'static str,
    pub consent_in_force: &'static str,
    pub consent_partly_withdrawn: &'static str,
    pub consent_withdrawn: &'static str,
    /// Mentions `{time}` and `{address}`.
    pub downloaded_from: &'static str,
    pub unknown_person: &'static str,

    // The settings.
    pub settings_heading: &'static str,
    pub settings_intro: &'static str,
    pub settings_roles: &'static str,
    pub settings_admins: &'static str,
    pub settings_threshold: &'static str,
    pub settings_threshold_hint: &'static str,
    pub settings_hours: &'static str,
    pub settings_hours_hint: &'static str,
    pub settings_save: &'static str,
    pub settings_saving: &'static str,
    pub settings_saved: &'static str,

    // Field issues.
    /// Mentions `{min}`.
    pub issue_too_short: &'static str,
    /// Mentions `{max}`.
    pub issue_too_long: &'static str,
    pub issue_date: &'static str,
    pub issue_before_from: &'static str,
    pub issue_hours: &'static str,
    pub issue_number: &'static str,
}

impl ExportsTexts {
    /// The words for an export's status.
    #[must_use]
    pub const fn status(&self, status: ExportStatus) -> &'static str {
        match status {
            ExportStatus::AwaitingApproval => self.status_awaiting_approval,
            ExportStatus::Ready => self.status_ready,
            ExportStatus::Downloaded => self.status_downloaded,
            ExportStatus::Rejected => self.status_rejected,
            ExportStatus::Expired => self.status_expired,
            ExportStatus::Cancelled => self.status_cancelled,
        }
    }

    /// A file format's name.
    #[must_use]
    pub const fn format_name(&self, format: ExportFormat) -> &'static str {
        match format {
            ExportFormat::Csv => "CSV",
            ExportFormat::Xlsx => "XLSX",
        }
    }

    /// A file format with what it is good for (the choice in the export dialog).
    #[must_use]
    pub const fn format_choice(&self, format: ExportFormat) -> &'static str {
        match format {
            ExportFormat::Csv => self.format_csv,
            ExportFormat::Xlsx => self.format_xlsx,
        }
    }

    /// The state of a record's consent, as a filter says it.
    #[must_use]
    pub const fn consent_state(&self, state: ConsentState) -> &'static str {
        match state {
            ConsentState::InForce => self.consent_in_force,
            ConsentState::PartlyWithdrawn => self.consent_partly_withdrawn,
            ConsentState::Withdrawn => self.consent_withdrawn,
        }
    }

    /// Masked or unmasked, in words.
    #[must_use]
    pub const fn masking(&self, unmasked: bool) -> &'static str {
        if unmasked {
            self.unmasked
        } else {
            self.masked
        }
    }
}

/// English.
pub const EN: ExportsTexts = ExportsTexts {
    nav: "Exports",
    ready_badge: "ready to download",
    title: "Exports",
    intro: "Files of records you asked for, each downloadable once by you, within a limited \
            time. Every export is kept in the ledger.",
    tabs_label: "Exports",
    tab_exports: "Exports and ledger",

    open: "Export…",
    open_hint: "Choose a form in the filter to export its records.",
    dialog_title: "Export “{form}”",
    dialog_intro: "The file holds what you see on screen: the same records, with values masked \
                   as they are shown to you.",
    format: "Format",
    format_csv: "CSV (opens in Excel, Chinese included)",
    format_xlsx: "Excel workbook (XLSX)",
    from: "Collected from",
    to: "Collected until",
    dates_hint: "Leave both empty for every date.",
    language: "Column headings in",
    language_hint: "The fields' labels in this language.",
    unmasked_label: "Unmasked",
    unmasked_hint: "Values you see masked come out in full. Say why; the reason is kept in the \
                    export ledger.",
    reason: "Reason",
    reason_hint: "Between {min} and {max} characters.",
    approval_note: "Above the organisation's number of rows, a second person (an administrator \
                    or the privacy officer) must approve an unmasked export before the file is \
                    produced.",
    submit: "Export",
    submitting: "Preparing…",
    close: "Close",
    // The server's own words, so that English shows them once.
    forbidden: "Your role may not export records; an admin can allow it in the export settings.",
    ready: "The file is ready: {count} records.",
    awaiting: "{count} records, unmasked: an administrator or the privacy officer must approve \
               this export first.",
    awaiting_next: "Once it is approved, the Exports page offers the download.",
    to_exports: "Go to Exports",
    download_started: "The download has started. The file can be downloaded only once.",

    download: "Download",
    expires: "Once, until {time}",

    mine_heading: "My exports",
    empty: "No exports yet.",
    col_form: "Form",
    col_requested: "Requested",
    col_rows: "Rows",
    col_values: "Values",
    col_status: "Status",
    col_expires: "Expires",
    col_downloaded: "Downloaded",
    col_actions: "Actions",
    masked: "Masked",
    unmasked: "Unmasked",
    cancel: "Cancel",
    cancelling: "Cancelling…",
    status_awaiting_approval: "Awaiting approval",
    status_ready: "Ready to download",
    status_downloaded: "Downloaded",
    status_rejected: "Refused",
    status_expired: "Expired",
    status_cancelled: "Cancelled",
    none: "—",
    col_format: "Format",
    progress: "Downloading: {written} of {rows} rows",
    held_by_alert: "Held by an alert: an administrator must approve",

    waiting_heading: "Waiting for approval",
    waiting_intro: "Unmasked exports above the organisation's number of rows. Another \
                    administrator or privacy officer decides an export you asked for.",
    waiting_empty: "No export is waiting for approval.",
    asked_by: "Asked for by {name} on {time}",
    yours: "Your export",
    comment: "Comment (optional)",
    approve: "Approve",
    refuse: "Refuse",
    deciding: "Saving…",
    own_export: "You cannot approve your own export",
    decided_elsewhere: "Someone else already decided this export. Reload to see the list as it is.",

    ledger_heading: "Ledger",
    ledger_intro: "Every export: who asked, for what and why, who decided, when and from where \
                   it was downloaded, and the SHA-256 of the file as sent.",
    col_requester: "Requested by",
    col_when: "When",
    col_reason: "Reason",
    col_decision: "Decision",
    col_download: "Downloaded",
    col_sha: "File SHA-256",
    col_filter: "Records",
    filter_everything: "All of the form's records",
    filter_between: "Collected {from} to {to}",
    filter_from: "Collected from {from}",
    filter_to: "Collected until {to}",
    filter_version: "Version {n}",
    filter_team: "Team: {name}",
    filter_owner: "Owner: {name}",
    filter_consent: "Consent: {state}",
    consent_in_force: "in force",
    consent_partly_withdrawn: "partly withdrawn",
    consent_withdrawn: "withdrawn",
    downloaded_from: "{time} from {address}",
    unknown_person: "(unknown)",

    settings_heading: "Export settings",
    settings_intro: "Who may export records, when an unmasked export needs a second person's \
                     approval, and how long a file may be downloaded.",
    settings_roles: "Roles that may export",
    settings_admins: "Administrators always may.",
    settings_threshold: "Approval needed above (rows)",
    settings_threshold_hint: "An unmasked export of more records than this waits for an \
                              administrator or the privacy officer.",
    settings_hours: "Download valid for (hours)",
    settings_hours_hint: "Between 1 and 168 hours.",
    settings_save: "Save",
    settings_saving: "Saving…",
    settings_saved: "The export settings are saved.",

    issue_too_short: "Use at least {min} characters.",
    issue_too_long: "Use at most {max} characters.",
    issue_date: "Enter a date.",
    issue_before_from: "The last day is before the first.",
    issue_hours: "Enter between 1 and 168 hours.",
    issue_number: "Enter a whole number, 0 or more.",
};

/// Simplified Chinese.
pub const ZH_CN: ExportsTexts = ExportsTexts {
    nav: "导出",
    ready_badge: "个导出可下载",
    title: "导出记录",
    intro: "您申请导出的文件：仅限本人在有效期内下载一次。每次导出都记入导出台账。",
    tabs_label: "导出",
    tab_exports: "导出与台账",

    open: "导出…",
    open_hint: "请先在筛选中选择一个表单，再导出其记录。",
    dialog_title: "导出“{form}”",
    dialog_intro: "文件内容与您在屏幕上看到的一致：相同的记录，遮蔽方式也相同。",
    format: "格式",
    format_csv: "CSV（可用 Excel 打开，中文不乱码）",
    format_xlsx: "Excel 工作簿（XLSX）",
    from: "采集日期自",
    to: "采集日期至",
    dates_hint: "两项都不填则导出全部日期。",
    language: "表头语言",
    language_hint: "列名使用该语言的字段名称。",
    unmasked_label: "未遮蔽导出",
    unmasked_hint: "屏幕上遮蔽显示的值将完整导出。请说明原因，原因将记入导出台账。",
    reason: "导出原因",
    reason_hint: "{min} 至 {max} 个字符。",
    approval_note: "行数超过本组织设定的阈值时，未遮蔽导出须经另一人（管理员或个人信息保护负责人）审批后才会生成文件。",
    submit: "导出",
    submitting: "正在准备…",
    close: "关闭",
    forbidden: "您的角色无权导出记录；管理员可在导出设置中开放此权限。",
    ready: "文件已准备好：共 {count} 条记录。",
    awaiting: "共 {count} 条记录，未遮蔽：须先由管理员或个人信息保护负责人审批。",
    awaiting_next: "审批通过后，可在“导出记录”页面下载。",
    to_exports: "前往导出记录",
    download_started: "已开始下载。该文件只能下载一次。",

    download: "下载",
    expires: "限下载一次，有效期至 {time}",

    mine_heading: "我的导出",
    empty: "暂无导出记录。",
    col_form: "表单",
    col_requested: "申请时间",
    col_rows: "行数",
    col_values: "数据",
    col_status: "状态",
    col_expires: "有效期至",
    col_downloaded: "下载时间",
    col_actions: "操作",
    masked: "已遮蔽",
    unmasked: "未遮蔽",
    cancel: "取消导出",
    cancelling: "正在取消…",
    status_awaiting_approval: "待审批",
    status_ready: "可下载",
    status_downloaded: "已下载",
    status_rejected: "已拒绝",
    status_expired: "已过期",
    status_cancelled: "已取消",
    none: "—",
    col_format: "格式",
    progress: "正在下载：已写入 {written} / {rows} 行",
    held_by_alert: "因告警被暂扣：须由管理员批准",

    waiting_heading: "待审批",
    waiting_intro: "行数超过本组织阈值的未遮蔽导出。您本人申请的导出由其他管理员或个人信息保护负责人审批。",
    waiting_empty: "没有待审批的导出。",
    asked_by: "{name} 于 {time} 申请",
    yours: "您的申请",
    comment: "审批意见（选填）",
    approve: "批准",
    refuse: "拒绝",
    deciding: "正在保存…",
    own_export: "您不能审批自己的导出申请",
    decided_elsewhere: "此导出已由他人审批，请刷新查看最新列表。",

    ledger_heading: "导出台账",
    ledger_intro: "每一次导出：申请人、导出内容与原因、审批人、下载时间与来源地址，以及所发送文件的 SHA-256 值。",
    col_requester: "申请人",
    col_when: "时间",
    col_reason: "原因",
    col_decision: "审批",
    col_download: "下载",
    col_sha: "文件 SHA-256",
    col_filter: "记录范围",
    filter_everything: "该表单的全部记录",
    filter_between: "采集于 {from} 至 {to}",
    filter_from: "采集于 {from} 及之后",
    filter_to: "采集于 {to} 及之前",
    filter_version: "第 {n} 版",
    filter_team: "团队：{name}",
    filter_owner: "负责人：{name}",
    filter_consent: "同意状态：{state}",
    consent_in_force: "有效",
    consent_partly_withdrawn: "部分撤回",
    consent_withdrawn: "已撤回",
    downloaded_from: "{time}，来自 {address}",
    unknown_person: "（未知）",

    settings_heading: "导出设置",
    settings_intro: "哪些角色可以导出记录、未遮蔽导出超过多少行须经他人审批，以及文件的下载有效期。",
    settings_roles: "可导出的角色",
    settings_admins: "管理员始终可以导出。",
    settings_threshold: "超过此行数须审批",
    settings_threshold_hint: "未遮蔽导出的记录数超过此值时，须由管理员或个人信息保护负责人审批。",
    settings_hours: "下载有效期（小时）",
    settings_hours_hint: "1 至 168 小时。",
    settings_save: "保存",
    settings_saving: "正在保存…",
    settings_saved: "导出设置已保存。",

    issue_too_short: "至少填写 {min} 个字符。",
    issue_too_long: "最多填写 {max} 个字符。",
    issue_date: "请填写日期。",
    issue_before_from: "结束日期早于开始日期。",
    issue_hours: "请填写 1 至 168 之间的小时数。",
    issue_number: "请填写 0 或更大的整数。",
};
