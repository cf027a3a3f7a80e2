//! The strings of the form renderer, which customers see, in both languages.

/// Strings of the form renderer.
#[derive(Debug)]
pub struct RendererTexts {
    /// Read by screen readers after a required field's label.
    pub required: &'static str,
    pub sensitive_badge: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub next: &'static str,
    pub back: &'static str,
    pub submit: &'static str,
    /// Mentions `{n}` and `{total}`.
    pub page_of: &'static str,
    pub province: &'static str,
    pub city: &'static str,
    pub district: &'static str,
    pub address_detail: &'static str,
    pub signature_mode: &'static str,
    pub signature_typed: &'static str,
    pub signature_drawn: &'static str,
    pub signature_typed_label: &'static str,
    pub signature_canvas_label: &'static str,
    pub signature_clear: &'static str,
    pub signature_drawn_done: &'static str,
    pub privacy_notice: &'static str,
    pub controller: &'static str,
    /// Mentions `{count}`.
    pub issues_summary: &'static str,
}

/// English.
pub const EN: RendererTexts = RendererTexts {
    required: "(required)",
    sensitive_badge: "Sensitive personal information",
    yes: "Yes",
    no: "No",
    next: "Next",
    back: "Back",
    submit: "Submit",
    page_of: "Page {n} of {total}",
    province: "Province",
    city: "City",
    district: "District or county",
    address_detail: "Street address",
    signature_mode: "How to sign",
    signature_typed: "Type my name",
    signature_drawn: "Draw my signature",
    signature_typed_label: "Your full name, as your signature",
    signature_canvas_label: "Signature pad: draw with a mouse, finger or pen",
    signature_clear: "Clear",
    signature_drawn_done: "Signature drawn",
    privacy_notice: "Privacy notice",
    controller: "Collected by",
    issues_summary: "{count} answers need your attention.",
};

/// Simplified Chinese.
pub const ZH_CN: RendererTexts = RendererTexts {
    required: "（必填）",
    sensitive_badge: "敏感个人信息",
    yes: "是",
    no: "否",
    next: "下一页",
    back: "上一页",
    submit: "提交",
    page_of: "第 {n} 页，共 {total} 页",
    province: "省份",
    city: "城市",
    district: "区县",
    address_detail: "详细地址",
    signature_mode: "签名方式",
    signature_typed: "输入姓名",
    signature_drawn: "手写签名",
    signature_typed_label: "请输入您的姓名作为签名",
    signature_canvas_label: "签名板：请用鼠标、手指或触控笔书写",
    signature_clear: "清除",
    signature_drawn_done: "已完成手写签名",
    privacy_notice: "个人信息处理规则",
    controller: "个人信息处理者",
    issues_summary: "有 {count} 项填写内容需要修改。",
};
