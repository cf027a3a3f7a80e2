//! The translation table: [`Texts`], every string of the user interface in one
//! language, and its two values, [`EN`] and [`ZH_CN`]. Each section's strings are in
//! their own file of `i18n/`; the console's sections exist only with the `console`
//! feature, so that the customer apps carry none of them.

use shared::api::auth::Role;

use super::*;

/// Every string of the user interface, in one language.
#[derive(Debug)]
pub struct Texts {
    /// The product name as the header shows it.
    pub product_name: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub nav_sign_in: &'static str,
    pub nav_account: &'static str,
    pub language_label: &'static str,
    pub sign_out: &'static str,
    pub signing_out: &'static str,
    pub sign_out_failed: &'static str,
    pub footer_text: &'static str,
    pub footer_license: &'static str,
    pub loading: &'static str,
    pub retry: &'static str,
    pub must_change_banner: &'static str,
    pub must_change_link: &'static str,

    pub home_title: &'static str,
    pub home_lead: &'static str,
    pub home_cta_sign_in: &'static str,
    pub home_cta_account: &'static str,
    pub server_heading: &'static str,
    pub server_name: &'static str,
    pub server_version: &'static str,
    pub server_api_version: &'static str,
    pub server_database: &'static str,
    pub server_loading: &'static str,
    pub server_unreachable: &'static str,

    pub login_title: &'static str,
    pub login_intro: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_submit: &'static str,
    pub login_pending: &'static str,
    pub login_wrong_credentials: &'static str,

    pub account_title: &'static str,
    pub account_profile: &'static str,
    pub display_name: &'static str,
    pub role: &'static str,
    pub session_expires: &'static str,
    pub role_admin: &'static str,
    pub role_auditor: &'static str,
    pub role_privacy_officer: &'static str,
    pub role_manager: &'static str,
    pub role_staff: &'static str,
    pub must_change_title: &'static str,
    pub must_change_explanation: &'static str,
    pub change_password_title: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub confirm_password: &'static str,
    /// Mentions `{min}`.
    pub new_password_hint: &'static str,
    pub change_password_submit: &'static str,
    pub change_password_pending: &'static str,
    pub password_changed: &'static str,

    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub not_found_home: &'static str,

    pub nav_forms: &'static str,
    pub nav_collect: &'static str,
    /// Offline collection by staff and managers.
    #[cfg(feature = "console")]
    pub collect: CollectTexts,
    /// Giving forms to teams and people.
    #[cfg(feature = "console")]
    pub assign: AssignTexts,
    /// The API contract page.
    #[cfg(feature = "console")]
    pub api_docs: ApiDocsTexts,
    /// Accounts, records, the audit log and two-step sign-in.
    #[cfg(feature = "console")]
    pub console: ConsoleTexts,
    /// Edit conflicts and changes waiting for approval.
    #[cfg(feature = "console")]
    pub conflicts: ConflictsTexts,
    /// The form renderer customers see.
    pub renderer: RendererTexts,
    /// The customer-facing app around the renderer.
    pub customer: CustomerTexts,
    /// The form designer.
    #[cfg(feature = "console")]
    pub designer: DesignerTexts,
    /// Data retention: the retention page, and retention on records and in the designer.
    #[cfg(feature = "console")]
    pub retention: RetentionTexts,
    /// Data-subject requests: the register and the work on one request.
    #[cfg(feature = "console")]
    pub requests: RequestsTexts,
    /// Withdrawals staff hand out (the customer's receipt on a device) or record.
    #[cfg(feature = "console")]
    pub withdrawal: WithdrawalTexts,
    /// A record's versions in the console.
    #[cfg(feature = "console")]
    pub history: HistoryTexts,
    /// Governed exports: the export dialog, the caller's exports, approvals, the ledger.
    #[cfg(feature = "console")]
    pub exports: ExportsTexts,
    /// Tracing a leaked file back to its export.
    #[cfg(feature = "console")]
    pub trace: TraceTexts,
    /// Alerts on unusual behaviour and their settings.
    #[cfg(feature = "console")]
    pub alerts: AlertsTexts,
    /// Imports from spreadsheets: preview, lawful basis, commit, history and undo.
    #[cfg(feature = "console")]
    pub imports: ImportsTexts,
    /// The compliance dashboard, a check's drill-down, and the compliance reports.
    #[cfg(feature = "console")]
    pub compliance: ComplianceTexts,
    /// The backups page: the last backup, off-site copy and restore drill, problems and
    /// the list of backups.
    #[cfg(feature = "console")]
    pub backups: BackupsTexts,
    /// A customer's own request about their data, on their consent page.
    pub customer_request: CustomerRequestTexts,
    /// A message for each stable API error code.
    pub errors: ErrorTexts,
    /// Messages for the field issue codes the UI knows.
    pub issues: IssueTexts,
}

impl Texts {
    /// The name of a role.
    #[must_use]
    pub const fn role(&self, role: Role) -> &'static str {
        match role {
            Role::Admin => self.role_admin,
            Role::Auditor => self.role_auditor,
            Role::Manager => self.role_manager,
            Role::Staff => self.role_staff,
            Role::PrivacyOfficer => self.role_privacy_officer,
        }
    }
}

/// English.
pub static EN: Texts = Texts {
    product_name: "Consentry / 知情同意",
    skip_to_content: "Skip to content",
    nav_label: "Main",
    nav_home: "Home",
    nav_sign_in: "Sign in",
    nav_account: "Account",
    language_label: "Language",
    sign_out: "Sign out",
    signing_out: "Signing out…",
    sign_out_failed: "Signing out failed. Try again.",
    footer_text: "Open-source software for collecting personal data lawfully under PIPL and GDPR.",
    footer_license: "Licensed under Apache-2.0",
    loading: "Loading…",
    retry: "Try again",
    must_change_banner: "Choose a new password before you continue.",
    must_change_link: "Change password",

    home_title: "Collect personal data lawfully",
    home_lead: "Consentry records informed consent, collects only what each purpose needs, \
                and keeps personal data encrypted and auditable.",
    home_cta_sign_in: "Sign in",
    home_cta_account: "Go to your account",
    server_heading: "Server",
    server_name: "Product",
    server_version: "Version",
    server_api_version: "API version",
    server_database: "Database",
    server_loading: "Contacting the server…",
    server_unreachable: "The server could not be reached.",

    login_title: "Sign in",
    login_intro: "Staff accounts are created by an administrator.",
    username: "User name",
    password: "Password",
    login_submit: "Sign in",
    login_pending: "Signing in…",
    login_wrong_credentials: "Wrong user name or password.",

    account_title: "Your account",
    account_profile: "Profile",
    display_name: "Display name",
    role: "Role",
    session_expires: "Session ends",
    role_admin: "Administrator",
    role_auditor: "Auditor",
    role_privacy_officer: "Privacy officer",
    role_manager: "Manager",
    role_staff: "Staff",
    must_change_title: "Choose a new password",
    must_change_explanation: "Your password was generated for your first sign-in. \
                              Choose a new one before you use Consentry.",
    change_password_title: "Change password",
    current_password: "Current password",
    new_password: "New password",
    confirm_password: "Repeat the new password",
    new_password_hint: "At least {min} characters, and not containing your user name.",
    change_password_submit: "Change password",
    change_password_pending: "Saving…",
    password_changed: "Your password has been changed. Your other sessions were signed out.",

    not_found_title: "Page not found",
    not_found_text: "There is nothing at this address.",
    not_found_home: "Back to the home page",

    nav_forms: "Forms",
    nav_collect: "Collect",
    #[cfg(feature = "console")]
    collect: collect::EN,
    #[cfg(feature = "console")]
    assign: assign::EN,
    #[cfg(feature = "console")]
    api_docs: api_docs::EN,
    #[cfg(feature = "console")]
    console: console::EN,
    #[cfg(feature = "console")]
    conflicts: conflicts::EN,
    renderer: renderer::EN,
    customer: customer::EN,
    #[cfg(feature = "console")]
    designer: designer::EN,
    #[cfg(feature = "console")]
    retention: retention::EN,
    #[cfg(feature = "console")]
    requests: requests::EN,
    #[cfg(feature = "console")]
    withdrawal: withdrawal::EN,
    #[cfg(feature = "console")]
    history: history::EN,
    #[cfg(feature = "console")]
    exports: exports::EN,
    #[cfg(feature = "console")]
    trace: trace::EN,
    #[cfg(feature = "console")]
    alerts: alerts::EN,
    #[cfg(feature = "console")]
    imports: imports::EN,
    #[cfg(feature = "console")]
    compliance: compliance::EN,
    #[cfg(feature = "console")]
    backups: backups::EN,
    customer_request: customer_request::EN,
    errors: errors::ERRORS_EN,
    issues: errors::ISSUES_EN,
};

/// Simplified Chinese.
pub static ZH_CN: Texts = Texts {
    product_name: "Consentry / 知情同意",
    skip_to_content: "跳到正文",
    nav_label: "主导航",
    nav_home: "首页",
    nav_sign_in: "登录",
    nav_account: "我的账号",
    language_label: "语言",
    sign_out: "退出登录",
    signing_out: "正在退出…",
    sign_out_failed: "退出失败，请重试。",
    footer_text: "依照《个人信息保护法》和 GDPR 合法收集个人信息的开源软件。",
    footer_license: "以 Apache-2.0 许可证发布",
    loading: "正在加载…",
    retry: "重试",
    must_change_banner: "请先设置新密码再继续。",
    must_change_link: "修改密码",

    home_title: "合法合规地收集个人信息",
    home_lead: "Consentry 记录知情同意，只收集每项处理目的所必需的信息，\
                并对个人信息加密存储、全程可审计。",
    home_cta_sign_in: "登录",
    home_cta_account: "进入我的账号",
    server_heading: "服务器",
    server_name: "产品",
    server_version: "版本",
    server_api_version: "API 版本",
    server_database: "数据库",
    server_loading: "正在连接服务器…",
    server_unreachable: "无法连接服务器。",

    login_title: "登录",
    login_intro: "员工账号由管理员创建。",
    username: "用户名",
    password: "密码",
    login_submit: "登录",
    login_pending: "正在登录…",
    login_wrong_credentials: "用户名或密码错误。",

    account_title: "我的账号",
    account_profile: "个人资料",
    display_name: "显示名称",
    role: "角色",
    session_expires: "会话到期时间",
    role_admin: "管理员",
    role_auditor: "审计员",
    role_privacy_officer: "个人信息保护负责人",
    role_manager: "主管",
    role_staff: "员工",
    must_change_title: "请设置新密码",
    must_change_explanation:
        "您当前的密码是为首次登录生成的。使用 Consentry 之前，请先设置新密码。",
    change_password_title: "修改密码",
    current_password: "当前密码",
    new_password: "新密码",
    confirm_password: "再次输入新密码",
    new_password_hint: "至少 {min} 个字符，且不能包含用户名。",
    change_password_submit: "修改密码",
    change_password_pending: "正在保存…",
    password_changed: "密码已修改，您在其他设备上的会话均已退出。",

    not_found_title: "页面不存在",
    not_found_text: "此地址没有任何内容。",
    not_found_home: "返回首页",

    nav_forms: "表单",
    nav_collect: "采集",
    #[cfg(feature = "console")]
    collect: collect::ZH_CN,
    #[cfg(feature = "console")]
    assign: assign::ZH_CN,
    #[cfg(feature = "console")]
    api_docs: api_docs::ZH_CN,
    #[cfg(feature = "console")]
    console: console::ZH_CN,
    #[cfg(feature = "console")]
    conflicts: conflicts::ZH_CN,
    renderer: renderer::ZH_CN,
    customer: customer::ZH_CN,
    #[cfg(feature = "console")]
    designer: designer::ZH_CN,
    #[cfg(feature = "console")]
    retention: retention::ZH_CN,
    #[cfg(feature = "console")]
    requests: requests::ZH_CN,
    #[cfg(feature = "console")]
    withdrawal: withdrawal::ZH_CN,
    #[cfg(feature = "console")]
    history: history::ZH_CN,
    #[cfg(feature = "console")]
    exports: exports::ZH_CN,
    #[cfg(feature = "console")]
    trace: trace::ZH_CN,
    #[cfg(feature = "console")]
    alerts: alerts::ZH_CN,
    #[cfg(feature = "console")]
    imports: imports::ZH_CN,
    #[cfg(feature = "console")]
    compliance: compliance::ZH_CN,
    #[cfg(feature = "console")]
    backups: backups::ZH_CN,
    customer_request: customer_request::ZH_CN,
    errors: errors::ERRORS_ZH_CN,
    issues: errors::ISSUES_ZH_CN,
};
