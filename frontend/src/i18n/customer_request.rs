//! The strings of the customer's own data-subject request, filed on their consent page
//! (`/withdraw`) with their receipt, in both languages.

/// Strings of a customer's request about their data. Templates name their parameters in
/// braces.
#[derive(Debug)]
pub struct CustomerRequestTexts {
    pub heading: &'static str,
    pub intro: &'static str,
    pub deadline_note: &'static str,
    pub kinds_heading: &'static str,
    pub explain_access: &'static str,
    pub explain_copy: &'static str,
    pub explain_correction: &'static str,
    pub explain_erasure: &'static str,
    pub explain_restriction: &'static str,
    pub explain_withdrawal: &'static str,
    pub kind_label: &'static str,
    pub name_label: &'static str,
    pub contact_label: &'static str,
    pub contact_hint: &'static str,
    pub details_label: &'static str,
    pub details_hint: &'static str,
    pub details_hint_correction: &'static str,
    pub locale_label: &'static str,
    pub submit: &'static str,
    pub sending: &'static str,

    pub name_required: &'static str,
    pub contact_required: &'static str,
    pub details_required_correction: &'static str,
    /// Mentions `{max}`.
    pub too_long: &'static str,
    pub check_fields: &'static str,

    pub done_title: &'static str,
    pub reference_label: &'static str,
    pub reference_note: &'static str,
    pub received: &'static str,
    pub due: &'static str,
    pub another: &'static str,
}

/// English.
pub const EN: CustomerRequestTexts = CustomerRequestTexts {
    heading: "Your rights: make a request about your data",
    intro: "You can ask the organisation that collected this form to act on the personal data it holds about you. Your receipt shows the request is yours, so you need not prove who you are again here.",
    deadline_note: "The organisation must answer by a deadline the law sets, shown once your request is received. You will get a reference: quote it whenever you contact them about this request.",
    kinds_heading: "What you can ask for",
    explain_access: "Access: to learn what data about you is held, why, and who it is shared with.",
    explain_copy: "Copy: to receive your data in a file you can keep or take to another service.",
    explain_correction: "Correction: to have data about you that is wrong or incomplete corrected.",
    explain_erasure: "Erasure: to have your data deleted, unless the law requires it to be kept.",
    explain_restriction: "Restriction or objection: to have the use of your data limited or stopped.",
    explain_withdrawal: "To withdraw your consent, use the section above.",
    kind_label: "Your request",
    name_label: "Your name",
    contact_label: "Where to answer you",
    contact_hint: "A phone number or email address where you want the answer.",
    details_label: "Details",
    details_hint: "Optional: anything that helps the organisation answer you.",
    details_hint_correction: "Required for a correction: say what is wrong and what it should be.",
    locale_label: "Language of the answer",
    submit: "Send my request",
    sending: "Sending…",

    name_required: "Enter your name.",
    contact_required: "Enter a phone number or email address.",
    details_required_correction: "Say what is wrong and what it should be, so that it can be corrected.",
    too_long: "Use at most {max} characters.",
    check_fields: "Please check the fields marked below.",

    done_title: "Your request has been received",
    reference_label: "Your reference",
    reference_note: "Write this reference down and quote it whenever you contact the organisation about this request.",
    received: "Received",
    due: "Answer due by",
    another: "Make another request",
};

/// Simplified Chinese.
pub const ZH_CN: CustomerRequestTexts = CustomerRequestTexts {
    heading: "您的权利：就您的个人信息提出请求",
    intro: "您可以请求收集本表单的机构处理其持有的关于您的个人信息。您的回执可证明请求由您本人提出，无需在此再次证明身份。",
    deadline_note: "该机构须在法律规定的期限内答复，请求受理后会显示答复期限。您将获得一个受理编号，就此请求联系该机构时请提供该编号。",
    kinds_heading: "您可以提出的请求",
    explain_access: "查阅：了解机构持有您的哪些信息、用于什么目的，以及提供给了谁。",
    explain_copy: "复制：以文件形式获取您的信息，便于保存或转移至其他服务。",
    explain_correction: "更正：更正关于您的不准确或不完整的信息。",
    explain_erasure: "删除：删除您的信息，法律要求保存的除外。",
    explain_restriction: "限制或拒绝处理：限制或停止对您信息的使用。",
    explain_withdrawal: "如需撤回同意，请使用上方的撤回功能。",
    kind_label: "请求类型",
    name_label: "您的姓名",
    contact_label: "答复方式",
    contact_hint: "用于接收答复的手机号码或电子邮箱。",
    details_label: "详细说明",
    details_hint: "选填：有助于机构答复您的任何信息。",
    details_hint_correction: "更正请求必填：请说明哪些信息有误，以及正确的内容。",
    locale_label: "答复语言",
    submit: "提交请求",
    sending: "正在提交…",

    name_required: "请填写您的姓名。",
    contact_required: "请填写手机号码或电子邮箱。",
    details_required_correction: "请说明哪些信息有误以及正确的内容，以便更正。",
    too_long: "最多 {max} 个字符。",
    check_fields: "请检查下方标出的内容。",

    done_title: "您的请求已受理",
    reference_label: "受理编号",
    reference_note: "请记下此编号，就此请求联系该机构时请提供。",
    received: "受理时间",
    due: "答复期限",
    another: "再提出一项请求",
};
