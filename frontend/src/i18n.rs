//! The UI's two languages: the locale signal, its persistence, and the translation table.
//!
//! Every string the UI shows comes from a [`Texts`] value, one per locale. A key missing
//! from either table is a compile error, never a blank at run time.

#[cfg(feature = "console")]
mod alerts;
#[cfg(feature = "console")]
mod alerts_en;
#[cfg(feature = "console")]
mod alerts_zh;
#[cfg(feature = "console")]
mod api_docs;
#[cfg(feature = "console")]
mod assign;
#[cfg(feature = "console")]
mod backups;
#[cfg(feature = "console")]
mod backups_en;
#[cfg(feature = "console")]
mod backups_zh;
#[cfg(feature = "console")]
mod collect;
#[cfg(feature = "console")]
mod compliance;
#[cfg(feature = "console")]
mod compliance_en;
#[cfg(feature = "console")]
mod compliance_zh;
#[cfg(feature = "console")]
mod conflicts;
#[cfg(feature = "console")]
mod console;
mod customer;
mod customer_request;
#[cfg(feature = "console")]
mod designer;
#[cfg(feature = "console")]
mod designer_en;
#[cfg(feature = "console")]
mod designer_zh;
mod errors;
#[cfg(feature = "console")]
mod exports;
#[cfg(feature = "console")]
mod history;
#[cfg(feature = "console")]
mod imports;
#[cfg(feature = "console")]
mod imports_en;
#[cfg(feature = "console")]
mod imports_zh;
mod renderer;
#[cfg(feature = "console")]
mod requests;
#[cfg(feature = "console")]
mod requests_en;
#[cfg(feature = "console")]
mod requests_zh;
#[cfg(feature = "console")]
mod retention;
#[cfg(feature = "console")]
mod retention_en;
#[cfg(feature = "console")]
mod retention_zh;
#[cfg(feature = "console")]
mod trace;
#[cfg(feature = "console")]
mod withdrawal;

#[cfg(feature = "console")]
pub use alerts::AlertsTexts;
#[cfg(feature = "console")]
pub use api_docs::ApiDocsTexts;
#[cfg(feature = "console")]
pub use assign::AssignTexts;
#[cfg(feature = "console")]
pub use backups::{BackupsTexts, ProblemWords};
#[cfg(feature = "console")]
pub use collect::CollectTexts;
#[cfg(feature = "console")]
pub use compliance::ComplianceTexts;
#[cfg(feature = "console")]
pub use conflicts::ConflictsTexts;
#[cfg(feature = "console")]
pub use console::ConsoleTexts;
pub use customer::CustomerTexts;
pub use customer_request::CustomerRequestTexts;
#[cfg(feature = "console")]
pub use designer::DesignerTexts;
pub use errors::{ErrorTexts, IssueTexts};
#[cfg(feature = "console")]
pub use exports::ExportsTexts;
#[cfg(feature = "console")]
pub use history::HistoryTexts;
#[cfg(feature = "console")]
pub use imports::ImportsTexts;
pub use renderer::RendererTexts;
#[cfg(feature = "console")]
pub use requests::RequestsTexts;
#[cfg(feature = "console")]
pub use retention::RetentionTexts;
#[cfg(feature = "console")]
pub use trace::TraceTexts;
#[cfg(feature = "console")]
pub use withdrawal::WithdrawalTexts;

use leptos::prelude::*;
use shared::api::auth::Role;
use shared::i18n::Locale;

/// The `localStorage` key that remembers the user's language choice.
pub const LOCALE_STORAGE_KEY: &str = "consentry.locale";

/// The current locale, provided to the whole app as context.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// Creates the locale signal from the stored choice or the browser's languages, and
    /// sets `<html lang>` to match.
    #[must_use]
    pub fn new() -> Self {
        Self::starting_with(None)
    }

    /// Like [`I18n::new`], but `requested` (a page's `?lang=`) wins over the stored choice.
    #[must_use]
    pub fn starting_with(requested: Option<Locale>) -> Self {
        let initial = requested
            .or_else(stored_locale)
            .unwrap_or_else(browser_locale);
        set_document_lang(initial);
        Self {
            locale: RwSignal::new(initial),
        }
    }

    /// The current locale (tracked).
    #[must_use]
    pub fn locale(self) -> Locale {
        self.locale.get()
    }

    /// The current locale without subscribing to changes.
    #[must_use]
    pub fn locale_untracked(self) -> Locale {
        self.locale.get_untracked()
    }

    /// The translations of the current locale (tracked).
    #[must_use]
    pub fn t(self) -> &'static Texts {
        texts(self.locale.get())
    }

    /// Switches the language, remembers the choice and updates `<html lang>`.
    pub fn set(self, locale: Locale) {
        store_locale(locale);
        set_document_lang(locale);
        self.locale.set(locale);
    }
}

impl Default for I18n {
    fn default() -> Self {
        Self::new()
    }
}

/// The [`I18n`] context provided by the app shell.
#[must_use]
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn stored_locale() -> Option<Locale> {
    let tag = local_storage()?
        .get_item(LOCALE_STORAGE_KEY)
        .ok()
        .flatten()?;
    Locale::ALL.into_iter().find(|l| l.tag() == tag)
}

fn store_locale(locale: Locale) {
    if let Some(storage) = local_storage() {
        // Private browsing may refuse to store; the choice then lasts for this page only.
        let _ = storage.set_item(LOCALE_STORAGE_KEY, locale.tag());
    }
}

fn browser_locale() -> Locale {
    let tags: Vec<String> = web_sys::window()
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|v| v.as_string())
                .collect()
        })
        .unwrap_or_default();
    Locale::negotiate(tags.iter().map(String::as_str))
}

fn set_document_lang(locale: Locale) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", locale.tag());
    }
}

/// Sets the document title to `page · Consentry`.
pub fn set_page_title(page: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{page} · Consentry"));
    }
}

/// The translations of `locale`.
#[must_use]
pub const fn texts(locale: Locale) -> &'static Texts {
    match locale {
        Locale::ZhCn => &ZH_CN,
        Locale::En => &EN,
    }
}

/// Replaces each `{name}` in `template` with its value from `params`.
#[must_use]
pub fn fill(template: &str, params: &[(&str, &str)]) -> String {
    params
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use shared::api::auth::MIN_PASSWORD_CHARS;
    use shared::api::error::FieldIssue;

    use super::*;

    fn issue(code: &str) -> FieldIssue {
        FieldIssue {
            code: code.to_owned(),
            params: BTreeMap::new(),
            message: "from the server".to_owned(),
        }
    }

    #[test]
    fn templates_are_filled() {
        assert_eq!(fill("at least {min}", &[("min", "12")]), "at least 12");
        assert_eq!(fill("no params", &[]), "no params");
    }

    #[test]
    fn known_issue_codes_are_translated_and_unknown_ones_kept() {
        assert_eq!(
            EN.issue(&issue("password_too_short")),
            format!("Use at least {MIN_PASSWORD_CHARS} characters.")
        );
        assert!(ZH_CN.issue(&issue("required")).contains("请填写"));
        assert_eq!(EN.issue(&issue("phone_invalid")), "from the server");
    }

    #[test]
    fn the_home_title_differs_by_language() {
        assert_eq!(
            texts(Locale::En).home_title,
            "Collect personal data lawfully"
        );
        assert_eq!(texts(Locale::ZhCn).home_title, "合法合规地收集个人信息");
    }
}
