//! The UI's two languages: the locale signal, its persistence, and the translation table.
//!
//! Every string the UI shows comes from a [`Texts`] value, one per locale. A key missing
//! from either table is a compile error, never a blank at run time.

mod assign;
mod collect;
mod console;
mod customer;
mod designer;
mod designer_en;
mod designer_zh;
mod renderer;

pub use assign::AssignTexts;
pub use collect::CollectTexts;
pub use console::ConsoleTexts;
pub use customer::CustomerTexts;
pub use designer::DesignerTexts;
pub use renderer::RendererTexts;

use leptos::prelude::*;
use shared::api::auth::{Role, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use shared::api::error::{ApiError, ErrorCode, FieldIssue};
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
    pub collect: CollectTexts,
    /// Giving forms to teams and people.
    pub assign: AssignTexts,
    /// Accounts, records, the audit log and two-step sign-in.
    pub console: ConsoleTexts,
    /// The form renderer customers see.
    pub renderer: RendererTexts,
    /// The customer-facing app around the renderer.
    pub customer: CustomerTexts,
    /// The form designer.
    pub designer: DesignerTexts,
    /// A message for each stable API error code.
    pub errors: ErrorTexts,
    /// Messages for the field issue codes the UI knows.
    pub issues: IssueTexts,
}

/// One message per [`ErrorCode`].
#[derive(Debug)]
pub struct ErrorTexts {
    pub bad_request: &'static str,
    pub invalid_json: &'static str,
    pub unsupported_media_type: &'static str,
    pub validation_failed: &'static str,
    pub not_found: &'static str,
    pub method_not_allowed: &'static str,
    pub unauthenticated: &'static str,
    pub totp_required: &'static str,
    pub forbidden: &'static str,
    pub csrf_rejected: &'static str,
    pub invalid_signature: &'static str,
    pub conflict: &'static str,
    pub already_resolved: &'static str,
    pub payload_too_large: &'static str,
    pub rate_limited: &'static str,
    pub unavailable: &'static str,
    pub internal: &'static str,
}

/// Messages for field issue codes; `{min}` and `{max}` are filled in.
#[derive(Debug)]
pub struct IssueTexts {
    pub required: &'static str,
    pub password_too_short: &'static str,
    pub password_too_long: &'static str,
    pub password_contains_username: &'static str,
    pub password_unchanged: &'static str,
    pub password_wrong: &'static str,
    pub passwords_differ: &'static str,
}

impl Texts {
    /// The message for an API error code.
    #[must_use]
    pub const fn error(&self, code: ErrorCode) -> &'static str {
        let e = &self.errors;
        match code {
            ErrorCode::BadRequest => e.bad_request,
            ErrorCode::InvalidJson => e.invalid_json,
            ErrorCode::UnsupportedMediaType => e.unsupported_media_type,
            ErrorCode::ValidationFailed => e.validation_failed,
            ErrorCode::NotFound => e.not_found,
            ErrorCode::MethodNotAllowed => e.method_not_allowed,
            ErrorCode::Unauthenticated => e.unauthenticated,
            ErrorCode::TotpRequired => e.totp_required,
            ErrorCode::Forbidden => e.forbidden,
            ErrorCode::CsrfRejected => e.csrf_rejected,
            ErrorCode::InvalidSignature => e.invalid_signature,
            ErrorCode::Conflict => e.conflict,
            ErrorCode::AlreadyResolved => e.already_resolved,
            ErrorCode::PayloadTooLarge => e.payload_too_large,
            ErrorCode::RateLimited => e.rate_limited,
            ErrorCode::Unavailable => e.unavailable,
            ErrorCode::Internal => e.internal,
        }
    }

    /// An API error in this language: the code's sentence when the error is generic,
    /// else the server's message about the request.
    #[must_use]
    pub fn error_text(&self, error: &ApiError) -> String {
        if error.generic {
            self.error(error.code).to_owned()
        } else {
            error.message.clone()
        }
    }

    /// The name of a role.
    #[must_use]
    pub const fn role(&self, role: Role) -> &'static str {
        match role {
            Role::Admin => self.role_admin,
            Role::Auditor => self.role_auditor,
            Role::Manager => self.role_manager,
            Role::Staff => self.role_staff,
        }
    }

    /// A field issue in this language; an unknown code keeps the server's message.
    #[must_use]
    pub fn issue(&self, issue: &FieldIssue) -> String {
        let i = &self.issues;
        let template = match issue.code.as_str() {
            "required" => i.required,
            "password_too_short" => i.password_too_short,
            "password_too_long" => i.password_too_long,
            "password_contains_username" => i.password_contains_username,
            "password_unchanged" => i.password_unchanged,
            "password_wrong" => i.password_wrong,
            "passwords_differ" => i.passwords_differ,
            "vault_password_wrong" => self.collect.unlock_wrong,
            _ => return issue.message.clone(),
        };
        let min = MIN_PASSWORD_CHARS.to_string();
        let max = MAX_PASSWORD_CHARS.to_string();
        let mut params: Vec<(&str, &str)> = issue
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        params.extend([("min", min.as_str()), ("max", max.as_str())]);
        fill(template, &params)
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
    collect: collect::EN,
    assign: assign::EN,
    console: console::EN,
    renderer: renderer::EN,
    customer: customer::EN,
    designer: designer::EN,
    errors: ErrorTexts {
        bad_request: "The request was not valid.",
        invalid_json: "The request could not be read.",
        unsupported_media_type: "The request was sent in a format the server does not accept.",
        validation_failed: "Some fields need your attention.",
        not_found: "It does not exist, or you may not see it.",
        method_not_allowed: "This action is not available here.",
        unauthenticated: "You are not signed in, or your session has ended.",
        totp_required: "Enter the 6-digit code from your authenticator app.",
        forbidden: "You do not have permission to do this.",
        csrf_rejected: "Your session could not be verified. Reload the page and try again.",
        invalid_signature: "A signature in the request could not be verified.",
        conflict: "This conflicts with a recent change. Reload and try again.",
        already_resolved: "Someone already resolved this. Reload to see what is left.",
        payload_too_large: "What you sent is too large.",
        rate_limited: "Too many attempts. Wait a while and try again.",
        unavailable:
            "The service cannot be reached right now. Check your connection and try again.",
        internal: "Something went wrong on the server. Try again later.",
    },
    issues: IssueTexts {
        required: "Fill in this field.",
        password_too_short: "Use at least {min} characters.",
        password_too_long: "Use at most {max} characters.",
        password_contains_username: "The password must not contain your user name.",
        password_unchanged: "Choose a password different from the current one.",
        password_wrong: "The current password is wrong.",
        passwords_differ: "The two new passwords differ.",
    },
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
    collect: collect::ZH_CN,
    assign: assign::ZH_CN,
    console: console::ZH_CN,
    renderer: renderer::ZH_CN,
    customer: customer::ZH_CN,
    designer: designer::ZH_CN,
    errors: ErrorTexts {
        bad_request: "请求无效。",
        invalid_json: "无法读取请求内容。",
        unsupported_media_type: "请求格式不被服务器接受。",
        validation_failed: "部分字段需要修改。",
        not_found: "内容不存在，或您无权查看。",
        method_not_allowed: "此处不支持该操作。",
        unauthenticated: "您尚未登录，或会话已过期。",
        totp_required: "请输入身份验证器应用中的 6 位验证码。",
        forbidden: "您没有执行此操作的权限。",
        csrf_rejected: "无法验证您的会话，请刷新页面后重试。",
        invalid_signature: "请求中的签名无法验证。",
        conflict: "与最近的修改冲突，请刷新后重试。",
        already_resolved: "已有人处理过此冲突，请刷新查看剩余项。",
        payload_too_large: "提交的内容过大。",
        rate_limited: "尝试次数过多，请稍后再试。",
        unavailable: "暂时无法连接服务，请检查网络后重试。",
        internal: "服务器出错，请稍后再试。",
    },
    issues: IssueTexts {
        required: "请填写此项。",
        password_too_short: "至少使用 {min} 个字符。",
        password_too_long: "最多使用 {max} 个字符。",
        password_contains_username: "密码不能包含用户名。",
        password_unchanged: "新密码不能与当前密码相同。",
        password_wrong: "当前密码不正确。",
        passwords_differ: "两次输入的新密码不一致。",
    },
};

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

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
