//! Messages for the API's error codes and the field issue codes the UI knows, in both
//! languages.

use shared::api::auth::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use shared::api::error::{ApiError, ErrorCode, FieldIssue};

use super::{fill, Texts};

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
    pub gone: &'static str,
    pub payload_too_large: &'static str,
    pub rate_limited: &'static str,
    pub timeout: &'static str,
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
            ErrorCode::Gone => e.gone,
            ErrorCode::PayloadTooLarge => e.payload_too_large,
            ErrorCode::RateLimited => e.rate_limited,
            ErrorCode::Timeout => e.timeout,
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
            // Staff devices only: the customer app has no outbox to unlock.
            #[cfg(feature = "console")]
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

pub const ERRORS_EN: ErrorTexts = ErrorTexts {
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
    gone: "This is no longer available: a one-time download already taken, expired, refused or cancelled.",
    payload_too_large: "What you sent is too large.",
    rate_limited: "Too many attempts. Wait a while and try again.",
    timeout: "The request took too long. Try again.",
    unavailable: "The service cannot be reached right now. Check your connection and try again.",
    internal: "Something went wrong on the server. Try again later.",
};

pub const ISSUES_EN: IssueTexts = IssueTexts {
    required: "Fill in this field.",
    password_too_short: "Use at least {min} characters.",
    password_too_long: "Use at most {max} characters.",
    password_contains_username: "The password must not contain your user name.",
    password_unchanged: "Choose a password different from the current one.",
    password_wrong: "The current password is wrong.",
    passwords_differ: "The two new passwords differ.",
};

pub const ERRORS_ZH_CN: ErrorTexts = ErrorTexts {
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
    gone: "此内容已不可用：一次性下载已被使用、已过期、已被拒绝或已取消。",
    payload_too_large: "提交的内容过大。",
    rate_limited: "尝试次数过多，请稍后再试。",
    timeout: "请求超时，请重试。",
    unavailable: "暂时无法连接服务，请检查网络后重试。",
    internal: "服务器出错，请稍后再试。",
};

pub const ISSUES_ZH_CN: IssueTexts = IssueTexts {
    required: "请填写此项。",
    password_too_short: "至少使用 {min} 个字符。",
    password_too_long: "最多使用 {max} 个字符。",
    password_contains_username: "密码不能包含用户名。",
    password_unchanged: "新密码不能与当前密码相同。",
    password_wrong: "当前密码不正确。",
    passwords_differ: "两次输入的新密码不一致。",
};
