//! The strings of the API contract page (admins) in both languages.

/// Strings of the API contract page.
#[derive(Debug)]
pub struct ApiDocsTexts {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub download: &'static str,
    /// Mentions `{count}`.
    pub operations: &'static str,
    pub permission: &'static str,
    pub roles: &'static str,
    pub anyone: &'static str,
    pub parameters: &'static str,
    pub required: &'static str,
    pub request_body: &'static str,
    pub responses: &'static str,
    pub no_body: &'static str,
    pub schemas: &'static str,
}

/// English.
pub const EN: ApiDocsTexts = ApiDocsTexts {
    nav: "API",
    title: "API contract",
    intro: "Every operation of the API, as the OpenAPI 3.1 document the server publishes \
            describes it. The document is generated from the code, so it is always the \
            API that runs here.",
    download: "Download openapi.json",
    operations: "{count} operations",
    permission: "Permission",
    roles: "Roles",
    anyone: "anyone, signed in or not",
    parameters: "Parameters",
    required: "required",
    request_body: "Request body",
    responses: "Responses",
    no_body: "no body",
    schemas: "Schemas",
};

/// Simplified Chinese.
pub const ZH_CN: ApiDocsTexts = ApiDocsTexts {
    nav: "API",
    title: "API 契约",
    intro: "API 的每个操作，按服务器发布的 OpenAPI 3.1 文档列出。该文档由代码生成，\
            因此始终与此处运行的 API 一致。",
    download: "下载 openapi.json",
    operations: "共 {count} 个操作",
    permission: "权限",
    roles: "角色",
    anyone: "任何人，无论是否登录",
    parameters: "参数",
    required: "必填",
    request_body: "请求体",
    responses: "响应",
    no_body: "无响应体",
    schemas: "数据结构",
};
