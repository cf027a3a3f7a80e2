//! The strings of withdrawals that staff hand out or record, in both languages: the
//! customer's receipt on a staff device (with the withdrawal link and its QR code) and
//! recording a customer's withdrawal on the records page.

/// Strings of the customer's receipt on a staff device and of recorded withdrawals.
/// Templates name their parameters in braces.
#[derive(Debug)]
pub struct WithdrawalTexts {
    pub receipt_open: &'static str,
    pub receipt_title: &'static str,
    pub receipt_intro: &'static str,
    /// For the customer, shown (and printed) in both languages at once.
    pub receipt_note: &'static str,
    pub receipt_id: &'static str,
    pub receipt_form: &'static str,
    pub receipt_received: &'static str,
    pub receipt_link: &'static str,
    pub receipt_qr: &'static str,
    pub receipt_qr_failed: &'static str,
    pub receipt_print: &'static str,
    pub close: &'static str,

    pub record_open: &'static str,
    pub record_title: &'static str,
    pub record_intro: &'static str,
    pub purposes_legend: &'static str,
    /// Mentions `{date}`.
    pub withdrawn_on: &'static str,
    pub not_consented: &'static str,
    pub nothing_left: &'static str,
    pub reason_label: &'static str,
    /// Mentions `{min}` and `{max}`.
    pub reason_hint: &'static str,
    pub signature_legend: &'static str,
    pub signature_hint: &'static str,
    pub submit: &'static str,
    pub pending: &'static str,
    pub done_title: &'static str,
    /// Mentions `{time}` and `{purposes}`.
    pub done_text: &'static str,
    pub done_nothing_new: &'static str,
    pub download: &'static str,

    pub issue_purposes_required: &'static str,
    pub issue_not_granted: &'static str,
    pub issue_reason_required: &'static str,
    /// Mentions `{min}` and `{max}`.
    pub issue_reason_length: &'static str,
    pub issue_signature_too_long: &'static str,
}

/// English.
pub const EN: WithdrawalTexts = WithdrawalTexts {
    receipt_open: "Customer's receipt",
    receipt_title: "Customer's receipt",
    receipt_intro: "Give this to the customer: let them scan the code or copy the link, or print this receipt. The link is how they see or withdraw this consent themselves.",
    receipt_note: "Keep this receipt. Scan the code or open the link to see your consent or withdraw it at any time, or to make a request about your data. Anyone with the link can do so: keep it private.",
    receipt_id: "Receipt number",
    receipt_form: "Form",
    receipt_received: "Received",
    receipt_link: "Withdrawal link",
    receipt_qr: "QR code of the withdrawal link",
    receipt_qr_failed: "This link does not fit in a QR code; give the customer the link instead.",
    receipt_print: "Print",
    close: "Close",

    record_open: "Record a withdrawal",
    record_title: "Record a customer's withdrawal",
    record_intro: "Record a withdrawal the customer asked for, in person or by phone. It is signed and receipted like one the customer makes themselves, and values kept only for the withdrawn purposes are no longer shown.",
    purposes_legend: "Purposes to withdraw",
    withdrawn_on: "withdrawn on {date}",
    not_consented: "not consented to",
    nothing_left: "Every purpose the customer consented to is already withdrawn.",
    reason_label: "How the customer asked",
    reason_hint: "For example “by phone on 3 December, identity checked”: {min} to {max} characters. Needed unless the customer signs below.",
    signature_legend: "The customer's signature (optional)",
    signature_hint: "When the customer is with you, let them sign: their name typed, or drawn.",
    submit: "Record the withdrawal",
    pending: "Recording…",
    done_title: "Withdrawal recorded",
    done_text: "Withdrawn on {time}: {purposes}.",
    done_nothing_new: "Nothing changed: these purposes were already withdrawn.",
    download: "Download the withdrawal receipt",

    issue_purposes_required: "Choose at least one purpose to withdraw.",
    issue_not_granted: "The customer did not consent to this purpose, so it cannot be withdrawn. Reload and try again.",
    issue_reason_required: "Say how the customer asked, or let them sign.",
    issue_reason_length: "Use {min} to {max} characters.",
    issue_signature_too_long: "The signature is too large. Clear it and sign again, or type the name.",
};

/// Simplified Chinese.
pub const ZH_CN: WithdrawalTexts = WithdrawalTexts {
    receipt_open: "客户回执",
    receipt_title: "客户回执",
    receipt_intro: "请把此回执交给客户：让客户扫描二维码或复制链接，也可以打印。客户凭此链接自行查看或撤回这份同意。",
    receipt_note: "请保存此回执。扫描二维码或打开链接，即可随时查看或撤回您的同意，或就您的个人信息提出请求。任何持有此链接的人都能这样做，请妥善保管。",
    receipt_id: "回执编号",
    receipt_form: "表单",
    receipt_received: "接收时间",
    receipt_link: "撤回链接",
    receipt_qr: "撤回链接的二维码",
    receipt_qr_failed: "此链接过长，无法生成二维码；请直接把链接交给客户。",
    receipt_print: "打印",
    close: "关闭",

    record_open: "登记撤回同意",
    record_title: "登记客户撤回同意",
    record_intro: "登记客户当面或通过电话提出的撤回。它与客户自行撤回一样经过签名并出具回执，仅为所撤回目的而保存的值将不再显示。",
    purposes_legend: "要撤回的目的",
    withdrawn_on: "已于 {date} 撤回",
    not_consented: "客户未同意",
    nothing_left: "客户同意的所有目的均已撤回。",
    reason_label: "客户如何提出撤回",
    reason_hint: "例如“12 月 3 日来电，已核实身份”：{min} 至 {max} 个字符。客户未在下方签名时必填。",
    signature_legend: "客户签名（可选）",
    signature_hint: "客户在场时，请客户签名：输入姓名或手写。",
    submit: "登记撤回",
    pending: "正在登记…",
    done_title: "已登记撤回",
    done_text: "已于 {time} 撤回：{purposes}。",
    done_nothing_new: "没有变化：这些目的此前已经撤回。",
    download: "下载撤回回执",

    issue_purposes_required: "请至少选择一个要撤回的目的。",
    issue_not_granted: "客户未同意此目的，因此无法撤回。请刷新后重试。",
    issue_reason_required: "请说明客户如何提出撤回，或请客户签名。",
    issue_reason_length: "请使用 {min} 至 {max} 个字符。",
    issue_signature_too_long: "签名过大。请清除后重新签名，或输入姓名。",
};
