//! The words of the records of processing and the assessment drafts: names of roles,
//! field kinds, sensitivities and lawful bases, retention periods in words, and the
//! security measures as the code applies them.

use crate::{
    access::Visibility,
    api::{
        auth::Role,
        forms::FormStatus,
        processing::{AssessmentTrigger, SecurityMeasure, SecurityMeasureKey},
        records::RecordSource,
    },
    compliance::{civil_from_days, DAY_MS},
    i18n::LocalizedText,
    schema::{
        FieldKind, LawfulBasis, RetentionAction, RetentionPeriod, RetentionStart, Sensitivity,
    },
};

use super::OrganisationFacts;

pub(super) fn t(zh: impl Into<String>, en: impl Into<String>) -> LocalizedText {
    LocalizedText::new(zh, en)
}

/// A day as `yyyy-mm-dd` (UTC).
#[must_use]
pub fn day_text(at_ms: i64) -> String {
    let (y, m, d) = civil_from_days(at_ms.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}-{d:02}")
}

/// A role's name.
#[must_use]
pub fn role_name(role: Role) -> LocalizedText {
    let (zh, en) = match role {
        Role::Admin => ("管理员", "Administrator"),
        Role::Auditor => ("审计员", "Auditor"),
        Role::Manager => ("主管", "Manager"),
        Role::Staff => ("员工", "Staff"),
        Role::PrivacyOfficer => ("个人信息保护负责人", "Privacy officer"),
    };
    t(zh, en)
}

/// Whose records a role reaches (`server/src/records`).
#[must_use]
pub fn role_scope(role: Role) -> LocalizedText {
    let (zh, en) = match role {
        Role::Admin => (
            "全部记录；负责系统运行，个人信息遮蔽显示，敏感个人信息不可见",
            "All records; runs the system, sees personal data masked and sensitive data not at all",
        ),
        Role::Auditor => (
            "全部记录，用于合规检查，个人信息和敏感个人信息均遮蔽显示",
            "All records, to check compliance, with personal and sensitive data masked",
        ),
        Role::Manager => (
            "本团队成员负责的记录（本团队为接收团队时，另含未分配的记录）",
            "The records their team's members own (and unassigned ones when their team is the intake team)",
        ),
        Role::Staff => (
            "仅本人采集或分配给本人的记录",
            "Only the records they collected or were assigned",
        ),
        Role::PrivacyOfficer => (
            "全部记录，用于处理个人权利请求、保存期限和法律保全",
            "All records, for data-subject requests, retention and legal holds",
        ),
    };
    t(zh, en)
}

#[must_use]
pub fn visibility_name(v: Visibility) -> LocalizedText {
    match v {
        Visibility::Full => t("完整显示", "In full"),
        Visibility::Masked => t("遮蔽显示", "Masked"),
        Visibility::Hidden => t("不可见", "Not shown"),
    }
}

#[must_use]
pub fn sensitivity_name(s: Sensitivity) -> LocalizedText {
    match s {
        Sensitivity::Ordinary => t("一般信息", "Not personal"),
        Sensitivity::Personal => t("个人信息", "Personal"),
        Sensitivity::Sensitive => t("敏感个人信息", "Sensitive"),
    }
}

#[must_use]
pub fn kind_name(kind: &FieldKind) -> LocalizedText {
    let (zh, en) = match kind {
        FieldKind::ShortText => ("单行文本", "Short text"),
        FieldKind::LongText => ("多行文本", "Long text"),
        FieldKind::Number { .. } => ("数字", "Number"),
        FieldKind::Email => ("电子邮箱", "Email"),
        FieldKind::Phone { .. } => ("电话号码", "Phone number"),
        FieldKind::ResidentId => ("居民身份证号码", "Resident ID number"),
        FieldKind::Date => ("日期", "Date"),
        FieldKind::SingleChoice { .. } => ("单选", "Single choice"),
        FieldKind::MultipleChoice { .. } => ("多选", "Multiple choice"),
        FieldKind::YesNo => ("是 / 否", "Yes / no"),
        FieldKind::Address => ("地址", "Address"),
        FieldKind::Signature => ("签名", "Signature"),
        FieldKind::Notice => ("说明文字", "Notice"),
    };
    t(zh, en)
}

#[must_use]
pub fn source_name(source: RecordSource) -> LocalizedText {
    match source {
        RecordSource::Web => t("客户在线提交", "Submitted online by customers"),
        RecordSource::Staff => t("员工设备采集", "Collected by staff devices"),
        RecordSource::Import => t("从表格导入", "Imported from spreadsheets"),
    }
}

#[must_use]
pub fn status_name(status: FormStatus) -> LocalizedText {
    match status {
        FormStatus::Active => t("启用（正在收集）", "Active (collecting)"),
        FormStatus::Archived => t(
            "已归档（不再收集，仍保存记录）",
            "Archived (no longer collecting, records still held)",
        ),
    }
}

/// A lawful basis with the articles it rests on.
#[must_use]
pub fn basis_text(basis: LawfulBasis) -> LocalizedText {
    let (zh, en) = match basis {
        LawfulBasis::Consent => (
            "取得个人的同意（《个人信息保护法》第13条第1款第1项；GDPR 第6条第1款(a)项）",
            "Consent (PIPL Art. 13(1)(1); GDPR Art. 6(1)(a))",
        ),
        LawfulBasis::Contract => (
            "为订立、履行个人作为一方当事人的合同所必需（《个人信息保护法》第13条第1款第2项；GDPR 第6条第1款(b)项）",
            "Necessary for a contract with the person (PIPL Art. 13(1)(2); GDPR Art. 6(1)(b))",
        ),
        LawfulBasis::Employment => (
            "按照依法制定的劳动规章制度和依法签订的集体合同实施人力资源管理所必需（《个人信息保护法》第13条第1款第2项）",
            "Necessary for human-resources management under labour rules and collective contracts (PIPL Art. 13(1)(2))",
        ),
        LawfulBasis::LegalObligation => (
            "为履行法定职责或者法定义务所必需（《个人信息保护法》第13条第1款第3项；GDPR 第6条第1款(c)项）",
            "Necessary to meet a legal duty (PIPL Art. 13(1)(3); GDPR Art. 6(1)(c))",
        ),
        LawfulBasis::VitalInterests => (
            "为应对突发公共卫生事件，或者紧急情况下为保护自然人的生命健康和财产安全所必需（《个人信息保护法》第13条第1款第4项；GDPR 第6条第1款(d)项）",
            "Necessary to protect a person's life, health or property (PIPL Art. 13(1)(4); GDPR Art. 6(1)(d))",
        ),
        LawfulBasis::PublicInterest => (
            "为公共利益实施新闻报道、舆论监督等行为（《个人信息保护法》第13条第1款第5项；GDPR 第6条第1款(e)项）",
            "News reporting or other tasks in the public interest (PIPL Art. 13(1)(5); GDPR Art. 6(1)(e))",
        ),
        LawfulBasis::LegitimateInterests => (
            "合法利益（GDPR 第6条第1款(f)项；《个人信息保护法》无此依据）",
            "Legitimate interests (GDPR Art. 6(1)(f); not a ground under PIPL)",
        ),
    };
    t(zh, en)
}

fn years_note_zh(days: u32) -> String {
    if days >= 365 && days.is_multiple_of(365) {
        format!("（{} 年）", days / 365)
    } else {
        String::new()
    }
}

fn years_note_en(days: u32) -> String {
    match days / 365 {
        1 if days == 365 => " (1 year)".to_owned(),
        n if days >= 365 && days.is_multiple_of(365) => format!(" ({n} years)"),
        _ => String::new(),
    }
}

/// A retention period in words: "730 days (2 years) from collection, then anonymised".
#[must_use]
pub fn period_text(p: RetentionPeriod) -> LocalizedText {
    let (zh_from, en_from) = match p.from {
        RetentionStart::Collection => ("自收集之日起", "from collection"),
        RetentionStart::RelationshipEnd => (
            "自客户关系结束之日起",
            "from the end of the customer relationship",
        ),
    };
    let (zh_then, en_then) = match p.action {
        RetentionAction::Delete => ("期满后删除", "then deleted"),
        RetentionAction::Anonymise => ("期满后匿名化", "then anonymised"),
    };
    t(
        format!(
            "{zh_from}保存 {} 天{}，{zh_then}",
            p.days,
            years_note_zh(p.days)
        ),
        format!(
            "{} days{} {en_from}, {en_then}",
            p.days,
            years_note_en(p.days)
        ),
    )
}

/// A purpose's retention: its own period, or its fields'.
#[must_use]
pub fn purpose_retention_text(p: Option<RetentionPeriod>) -> LocalizedText {
    p.map_or_else(
        || t("按各字段的保存期限", "As each of its fields states"),
        period_text,
    )
}

/// A field's retention from the clocks that apply to it (see `crate::retention`):
/// `None` when one of them has no end.
#[must_use]
pub fn field_retention_text(clocks: Option<&[RetentionPeriod]>) -> LocalizedText {
    match clocks {
        None | Some([]) => t(
            "未设定保存期限：随记录一直保存",
            "No period set: kept as long as the record exists",
        ),
        Some([one]) => period_text(*one),
        Some(many) => {
            let texts: Vec<LocalizedText> = many.iter().map(|p| period_text(*p)).collect();
            t(
                format!(
                    "以下期限中最晚结束者：{}",
                    texts
                        .iter()
                        .map(|x| x.zh_cn.as_str())
                        .collect::<Vec<_>>()
                        .join("；")
                ),
                format!(
                    "Whichever ends last of: {}",
                    texts
                        .iter()
                        .map(|x| x.en.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            )
        }
    }
}

/// When retention runs happen.
#[must_use]
pub fn runs_text(org: &OrganisationFacts) -> LocalizedText {
    if org.retention_scheduled {
        t(
            format!(
                "保存期限任务自动运行：每 {} 小时一次，自每日 {} (UTC) 起；到期的值被删除或匿名化。",
                org.retention_interval_hours, org.retention_at_utc
            ),
            format!(
                "Retention runs by itself every {} hours from {} UTC each day, deleting or anonymising due values.",
                org.retention_interval_hours, org.retention_at_utc
            ),
        )
    } else {
        t(
            "保存期限任务未设为自动运行：只在控制台中手动启动时删除或匿名化到期的值。",
            "Retention is not scheduled: due values are deleted or anonymised only when a run is started from the console.",
        )
    }
}

impl AssessmentTrigger {
    /// Every trigger, in the order documents list them.
    pub const ALL: [AssessmentTrigger; 3] = [
        AssessmentTrigger::SensitiveData,
        AssessmentTrigger::Minors,
        AssessmentTrigger::CrossBorderTransfer,
    ];

    /// The stable JSON name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SensitiveData => "sensitive_data",
            Self::Minors => "minors",
            Self::CrossBorderTransfer => "cross_border_transfer",
        }
    }

    #[must_use]
    pub fn title(self) -> LocalizedText {
        match self {
            Self::SensitiveData => t("处理敏感个人信息", "Sensitive personal information"),
            Self::Minors => t(
                "处理不满十四周岁未成年人的个人信息",
                "Personal information of minors",
            ),
            Self::CrossBorderTransfer => t("向境外提供个人信息", "Transfer outside mainland China"),
        }
    }

    #[must_use]
    pub fn law(self) -> LocalizedText {
        match self {
            Self::SensitiveData => t(
                "《个人信息保护法》第28、29、55条第1项；GDPR 第9、35条",
                "PIPL Art. 28–29, 55(1); GDPR Art. 9, 35",
            ),
            Self::Minors => t(
                "《个人信息保护法》第28、31、55条第1项；GDPR 第8条",
                "PIPL Art. 28, 31, 55(1); GDPR Art. 8",
            ),
            Self::CrossBorderTransfer => t(
                "《个人信息保护法》第38、39、55条第4项；GDPR 第44–49条",
                "PIPL Art. 38–39, 55(4); GDPR Art. 44–49",
            ),
        }
    }
}

/// The security measures the system applies, as the code does them.
#[must_use]
pub fn security_measures(org: &OrganisationFacts) -> Vec<SecurityMeasure> {
    let m = |key, title: LocalizedText, description: LocalizedText| SecurityMeasure {
        key,
        title,
        description,
    };
    let transport = if org.https {
        t(
            "对外地址使用 HTTPS（TLS 由前置反向代理终结），并通过 HSTS 要求浏览器始终使用 HTTPS；页面发送严格的内容安全策略（CSP），不允许内联脚本。",
            "The public address uses HTTPS (TLS ends at the reverse proxy in front of the server) and HSTS tells browsers to insist on it; pages send a strict Content-Security-Policy that allows no inline script.",
        )
    } else {
        t(
            "服务器本身只提供 HTTP：配置的对外地址不是 HTTPS，传输加密须由前置反向代理提供，请核实；页面发送严格的内容安全策略（CSP），不允许内联脚本。",
            "The server itself speaks plain HTTP and the configured public address is not HTTPS: encryption in transit must come from a reverse proxy in front of it, which should be checked; pages send a strict Content-Security-Policy that allows no inline script.",
        )
    };
    vec![
        m(
            SecurityMeasureKey::EncryptionAtRest,
            t("静态加密", "Encryption at rest"),
            t(
                "每条记录的字段值以该记录专属的数据密钥用 XChaCha20-Poly1305 加密，密文与记录、字段和密钥版本绑定；数据密钥由主密钥封装，主密钥存放在数据库之外（权限 0600 的文件或环境变量），可轮换。数据库中没有明文个人信息。",
                "Each record's values are sealed with XChaCha20-Poly1305 under the record's own data key, bound to the record, the field and the key version; data keys are wrapped under a master key kept outside the database (a 0600 file or the environment), which can be rotated. No personal data is stored in clear.",
            ),
        ),
        m(
            SecurityMeasureKey::BlindIndexes,
            t("带密钥的盲索引", "Keyed blind indexes"),
            t(
                "手机号、电子邮箱和身份证号码通过带密钥的盲索引（HMAC-SHA-256）精确查找，无需解密或明文保存。",
                "Phone numbers, e-mail addresses and ID numbers are found through keyed blind indexes (HMAC-SHA-256), never by decrypting records or storing them in clear.",
            ),
        ),
        m(
            SecurityMeasureKey::AccessControl,
            t("按角色的访问控制与遮蔽", "Role-based access and masking"),
            t(
                "每个接口都检查调用者的角色；各角色按字段的敏感程度完整、遮蔽或完全看不到字段值；员工只能访问本人的客户记录，主管只能访问本团队的记录；查看被遮蔽的值须填写理由并记入审计日志。",
                "Every API route checks the caller's role; each role sees each sensitivity in full, masked or not at all; staff reach only their own customers' records and managers their team's; revealing a masked value needs a reason and is audited.",
            ),
        ),
        m(
            SecurityMeasureKey::Authentication,
            t("身份认证", "Authentication"),
            t(
                format!(
                    "密码以 Argon2id 哈希保存；登录失败按账号和地址逐步延迟；每个账号都可启用两步验证（TOTP）；会话 Cookie 为 HttpOnly、Secure、SameSite=Strict，修改操作须带 CSRF 令牌，空闲 {} 分钟或最长 {} 小时后失效。",
                    org.session_idle_minutes, org.session_max_hours
                ),
                format!(
                    "Passwords are hashed with Argon2id; failed sign-ins back off per account and address; every account can turn on a second factor (TOTP); the session cookie is HttpOnly, Secure and SameSite=Strict, changes need a CSRF token, and sessions end after {} idle minutes or {} hours at most.",
                    org.session_idle_minutes, org.session_max_hours
                ),
            ),
        ),
        m(
            SecurityMeasureKey::AuditTrail,
            t("防篡改审计日志", "Tamper-evident audit log"),
            t(
                "打开记录、查看明文、导出和修改个人信息都记入只追加的哈希链审计日志；服务器每 30 秒用 Ed25519 对链头签名，删改或截断日志都会被发现。",
                "Opening a record, revealing a value, exports and changes of personal data are recorded in an append-only, hash-chained audit log whose head the server signs with Ed25519 every 30 seconds, so that altering or cutting entries shows.",
            ),
        ),
        m(
            SecurityMeasureKey::SignedConsent,
            t("签名的同意凭证", "Signed consent receipts"),
            t(
                "每份同意都是由个人的浏览器或员工设备签名、再由服务器（Ed25519）会签的凭证，任何人都可离线验证；撤回同样签名。",
                "Each consent is a statement signed by the person's browser or the staff device and countersigned by the server (Ed25519) in a receipt anyone can verify offline; withdrawals are signed alike.",
            ),
        ),
        m(
            SecurityMeasureKey::GovernedExports,
            t("受控导出", "Governed exports"),
            t(
                format!(
                    "只有导出设置允许的角色可以导出；未遮蔽导出仅限可查看明文的角色并须填写理由，超过 {} 行须由另一人审批；文件不在服务器保存，只能下载一次，带有导出人水印和可追溯泄露来源的隐形标记，每一步都记入审计日志。",
                    org.approval_above_rows
                ),
                format!(
                    "Only the roles the export settings allow may export; unmasked exports only for roles that may reveal values, with a reason, and above {} rows after a second person's approval; files are never stored, download once, carry a watermark naming who exported them and invisible marks that trace a leaked file back to its export; every step is audited.",
                    org.approval_above_rows
                ),
            ),
        ),
        m(
            SecurityMeasureKey::Retention,
            t("到期删除与加密粉碎", "Retention and crypto-shredding"),
            t(
                "保存期限任务在期满时删除或匿名化字段值，包括历史版本和编辑冲突中的副本；记录的加密值全部删除后，其数据密钥被替换（加密粉碎）；法律保全可暂停删除。",
                "Retention runs delete or anonymise values when their period ends, in kept versions and edit conflicts too; once none of a record's sealed values is left its data key is replaced (crypto-shredding); legal holds suspend deletion where required.",
            ),
        ),
        m(
            SecurityMeasureKey::OfflineDevices,
            t("离线采集设备", "Offline collection devices"),
            t(
                "员工设备注册签名密钥，每条记录都经设备签名；离线待上传的记录在浏览器中加密保存，密钥只在本人在线或输入密码时打开，15 分钟无操作后自动锁定；管理员可吊销设备。",
                "Staff devices register a signing key and sign every record; records waiting offline are sealed in the browser under a key that opens only online for their owner or with the owner's password, and lock after 15 minutes without input; devices can be revoked.",
            ),
        ),
        m(
            SecurityMeasureKey::Alerts,
            t("异常行为告警", "Alerts on unusual behaviour"),
            t(
                "导出量远超本人常态、超过每日行数、在工作时间以外导出，或短时间内大量查看明文或记录时发出告警，并可暂停该用户的导出权限，直至管理员处理。",
                "Exports far above a user's usual, above a daily row limit or outside working hours, and bursts of reveals or records viewed, raise alerts, which can suspend the user's exports until an admin handles them.",
            ),
        ),
        m(
            SecurityMeasureKey::Transport,
            t("传输安全", "Security in transit"),
            transport,
        ),
    ]
}

/// The name of a measure's key, for tests and logs.
#[must_use]
pub const fn measure_key_name(key: SecurityMeasureKey) -> &'static str {
    match key {
        SecurityMeasureKey::EncryptionAtRest => "encryption_at_rest",
        SecurityMeasureKey::BlindIndexes => "blind_indexes",
        SecurityMeasureKey::AccessControl => "access_control",
        SecurityMeasureKey::Authentication => "authentication",
        SecurityMeasureKey::AuditTrail => "audit_trail",
        SecurityMeasureKey::SignedConsent => "signed_consent",
        SecurityMeasureKey::GovernedExports => "governed_exports",
        SecurityMeasureKey::Retention => "retention",
        SecurityMeasureKey::OfflineDevices => "offline_devices",
        SecurityMeasureKey::Alerts => "alerts",
        SecurityMeasureKey::Transport => "transport",
    }
}
