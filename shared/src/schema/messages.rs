//! Every message of the schema module in both languages, in one place for translators.
//! (Messages of draft changes are in `change_messages.rs`, beside them.)
//!
//! Messages are for people; programs use the codes. Parameters come from the issue,
//! problem or warning (`min`, `max`, `part`, ...). No message ends with a full stop.

use std::collections::BTreeMap;

use super::check::ProblemCode;
use super::compliance::WarningCode;
use super::issue::IssueCode;
use crate::i18n::Locale;

type Params = BTreeMap<String, String>;

fn param<'a>(params: &'a Params, name: &str) -> &'a str {
    params.get(name).map_or("?", String::as_str)
}

fn address_part(part: &str, locale: Locale) -> &str {
    match (locale, part) {
        (Locale::ZhCn, "province") => "省份",
        (Locale::ZhCn, "city") => "城市",
        (Locale::ZhCn, "district") => "区县",
        (Locale::ZhCn, "detail") => "详细地址",
        (Locale::En, "province") => "province",
        (Locale::En, "city") => "city",
        (Locale::En, "district") => "district",
        (Locale::En, "detail") => "street address",
        _ => part,
    }
}

/// The summary message of a `validation_failed` error.
#[must_use]
pub fn validation_failed(locale: Locale) -> String {
    match locale {
        Locale::ZhCn => "部分填写内容有误，请检查后重新提交",
        Locale::En => "Some answers need your attention",
    }
    .to_owned()
}

/// The message for an answer issue.
#[must_use]
pub fn issue_message(code: IssueCode, params: &Params, locale: Locale) -> String {
    let p = |name| param(params, name);
    let zh = locale == Locale::ZhCn;
    let pick = |zh_text: String, en_text: String| if zh { zh_text } else { en_text };
    match code {
        IssueCode::Required => pick("此项为必填项".into(), "This field is required".into()),
        IssueCode::UnknownField => pick(
            "表单中没有此项".into(),
            "This form has no such field".into(),
        ),
        IssueCode::HiddenField => pick(
            "此项当前未显示，不应填写".into(),
            "This field is not shown, so it must not be answered".into(),
        ),
        IssueCode::ReadOnly => pick(
            "此项仅供阅读，无需填写".into(),
            "This item is for reading only".into(),
        ),
        IssueCode::WrongType => pick(
            "填写内容的格式不正确".into(),
            "The answer has the wrong format".into(),
        ),
        IssueCode::TooShort => pick(
            format!("至少需要 {} 个字符", p("min")),
            format!("Enter at least {} characters", p("min")),
        ),
        IssueCode::TooLong => match params.get("part") {
            Some(part) => pick(
                format!("{}最多 {} 个字符", address_part(part, locale), p("max")),
                format!(
                    "The {} can have at most {} characters",
                    address_part(part, locale),
                    p("max")
                ),
            ),
            None => pick(
                format!("最多 {} 个字符", p("max")),
                format!("Enter at most {} characters", p("max")),
            ),
        },
        IssueCode::InvalidCharacters => pick(
            "包含不允许的控制字符".into(),
            "The text contains characters that are not allowed".into(),
        ),
        IssueCode::BelowMin => pick(
            format!("不能小于 {}", p("min")),
            format!("Enter {} or more", p("min")),
        ),
        IssueCode::AboveMax => pick(
            format!("不能大于 {}", p("max")),
            format!("Enter {} or less", p("max")),
        ),
        IssueCode::PatternMismatch => pick(
            "填写内容的格式不符合要求".into(),
            "The answer is not in the expected format".into(),
        ),
        IssueCode::NotAnOption => pick(
            "请从给出的选项中选择".into(),
            "Choose one of the options given".into(),
        ),
        IssueCode::DuplicateOption => pick(
            "同一选项不能重复选择".into(),
            "Each option can be chosen only once".into(),
        ),
        IssueCode::TooFewSelected => pick(
            format!("请至少选择 {} 项", p("min")),
            format!("Choose at least {}", p("min")),
        ),
        IssueCode::TooManySelected => pick(
            format!("最多选择 {} 项", p("max")),
            format!("Choose at most {}", p("max")),
        ),
        IssueCode::EmailInvalid => pick(
            "请输入有效的电子邮箱地址".into(),
            "Enter a valid email address".into(),
        ),
        IssueCode::PhoneInvalid => pick(
            "请输入有效的手机号码，如 13800138000".into(),
            "Enter a valid phone number, such as 13800138000 or +44 20 7946 0958".into(),
        ),
        IssueCode::ResidentIdInvalid => pick(
            "身份证号码应为18位，由17位数字和1位数字或X组成".into(),
            "A resident ID number has 18 characters: 17 digits and a digit or X".into(),
        ),
        IssueCode::ResidentIdChecksum => pick(
            "身份证号码校验位不正确，请核对".into(),
            "This resident ID number is not valid; check it for typing errors".into(),
        ),
        IssueCode::ResidentIdBirthDate => pick(
            "身份证号码中的出生日期无效".into(),
            "The birth date in this resident ID number is not valid".into(),
        ),
        IssueCode::DateInvalid => pick(
            "请输入有效日期，格式为 年-月-日".into(),
            "Enter a real date as yyyy-mm-dd".into(),
        ),
        IssueCode::DateBeforeMin => pick(
            format!("日期不能早于 {}", p("min")),
            format!("Enter a date on or after {}", p("min")),
        ),
        IssueCode::DateAfterMax => pick(
            format!("日期不能晚于 {}", p("max")),
            format!("Enter a date on or before {}", p("max")),
        ),
        IssueCode::NumberInvalid => pick("请输入数字".into(), "Enter a number".into()),
        IssueCode::TooManyDecimals => {
            if p("max") == "0" {
                pick("请输入整数".into(), "Enter a whole number".into())
            } else {
                pick(
                    format!("最多保留 {} 位小数", p("max")),
                    format!("Enter at most {} decimal places", p("max")),
                )
            }
        }
        IssueCode::AddressIncomplete => pick(
            format!("请填写{}", address_part(p("part"), locale)),
            format!("Enter the {}", address_part(p("part"), locale)),
        ),
        IssueCode::SignatureMissing => pick("请签名".into(), "Please sign".into()),
        IssueCode::SignatureInvalid => pick(
            "签名无法识别，请重新签名".into(),
            "The signature could not be read; please sign again".into(),
        ),
        IssueCode::SignatureTooLarge => pick(
            "签名图片过大，请重新签名".into(),
            "The signature image is too large; please sign again".into(),
        ),
    }
}

/// The message for a structural problem of a definition.
#[must_use]
pub fn problem_message(code: ProblemCode, params: &Params, locale: Locale) -> String {
    let p = |name| param(params, name);
    let zh = locale == Locale::ZhCn;
    let pick = |zh_text: String, en_text: String| if zh { zh_text } else { en_text };
    match code {
        ProblemCode::UnsupportedFormatVersion => pick(
            format!("不支持的格式版本 {}", p("version")),
            format!("Format version {} is not supported", p("version")),
        ),
        ProblemCode::BlankText => pick(
            "请至少用一种语言填写此文本".into(),
            "Give this text in at least one language".into(),
        ),
        ProblemCode::InvalidOrigin => pick(
            "嵌入来源应为 https://主机名[:端口] 的形式".into(),
            "An embed origin must look like https://host[:port]".into(),
        ),
        ProblemCode::InvalidGuardianAge => pick(
            "监护人同意年龄应在 1 到 18 之间".into(),
            "The guardian-consent age must be 1 to 18".into(),
        ),
        ProblemCode::DuplicatePurposeKey => pick(
            format!("目的标识 {} 重复", p("key")),
            format!("Purpose key {} is used twice", p("key")),
        ),
        ProblemCode::DuplicateSectionKey => pick(
            format!("分区标识 {} 重复", p("key")),
            format!("Section key {} is used twice", p("key")),
        ),
        ProblemCode::DuplicateFieldKey => pick(
            format!("字段标识 {} 重复", p("key")),
            format!("Field key {} is used twice", p("key")),
        ),
        ProblemCode::DuplicateOptionKey => pick(
            format!("选项标识 {} 重复", p("key")),
            format!("Option key {} is used twice", p("key")),
        ),
        ProblemCode::NoFields => pick(
            "表单至少需要一个字段".into(),
            "The form needs at least one field".into(),
        ),
        ProblemCode::UnknownPurpose => pick(
            format!("表单未声明处理目的 {}", p("purpose")),
            format!("The form declares no purpose {}", p("purpose")),
        ),
        ProblemCode::NoOptions => pick(
            "选择题至少需要一个选项".into(),
            "A choice field needs at least one option".into(),
        ),
        ProblemCode::NoPhoneFormat => pick(
            "电话字段至少需要一种号码格式".into(),
            "A phone field needs at least one format".into(),
        ),
        ProblemCode::InvalidDecimals => pick(
            format!("小数位数最多为 {}", p("max")),
            format!("At most {} decimal places are allowed", p("max")),
        ),
        ProblemCode::NoticeRequired => pick(
            "说明文字无需填写，不能设为必填".into(),
            "A notice takes no answer, so it cannot be required".into(),
        ),
        ProblemCode::RuleNotApplicable => pick(
            format!("规则 {} 不适用于 {} 类型的字段", p("rule"), p("kind")),
            format!("Rule {} does not apply to {} fields", p("rule"), p("kind")),
        ),
        ProblemCode::MinAboveMax => pick(
            format!("下限 {} 大于上限 {}", p("min"), p("max")),
            format!(
                "The lower limit {} is above the upper limit {}",
                p("min"),
                p("max")
            ),
        ),
        ProblemCode::InvalidPattern => pick(
            format!("正则表达式无效：{}", p("error")),
            format!("The regular expression is not valid: {}", p("error")),
        ),
        ProblemCode::InvalidDefault => pick(
            "默认值不是此字段的有效答案".into(),
            "The default is not a valid answer for this field".into(),
        ),
        ProblemCode::InvalidRetention => pick(
            "保存期限至少为 1 天".into(),
            "The retention period must be at least 1 day".into(),
        ),
        ProblemCode::UnknownConditionField => pick(
            format!("显示条件引用了不存在的字段 {}", p("field")),
            format!(
                "The condition refers to a field {} the form does not have",
                p("field")
            ),
        ),
        ProblemCode::ConditionFieldNotEarlier => pick(
            format!("显示条件只能引用排在前面的字段，{} 不在前面", p("field")),
            format!(
                "A condition may only refer to earlier fields, and {} is not earlier",
                p("field")
            ),
        ),
        ProblemCode::ConditionFieldHoldsNoValue => pick(
            format!("{} 是说明文字，没有可比较的答案", p("field")),
            format!("{} is a notice and has no answer to test", p("field")),
        ),
        ProblemCode::ConditionValueMismatch => pick(
            format!("值 {} 不可能是字段 {} 的答案", p("value"), p("field")),
            format!(
                "{} can never be an answer of field {}",
                p("value"),
                p("field")
            ),
        ),
        ProblemCode::ConditionUnknownOption => pick(
            format!("字段 {} 没有选项 {}", p("field"), p("value")),
            format!("Field {} has no option {}", p("field"), p("value")),
        ),
        ProblemCode::ConditionNotApplicable => pick(
            format!(
                "“包含”条件只适用于选择题，{} 是 {} 类型",
                p("field"),
                p("kind")
            ),
            format!(
                "An includes condition needs a choice field, and {} is {}",
                p("field"),
                p("kind")
            ),
        ),
        ProblemCode::EmptyCondition => pick(
            "组合条件至少需要一个子条件".into(),
            "A combined condition needs at least one part".into(),
        ),
    }
}

/// The message for a compliance warning.
#[must_use]
pub fn warning_message(code: WarningCode, params: &Params, locale: Locale) -> String {
    let p = |name| param(params, name);
    let zh = locale == Locale::ZhCn;
    let pick = |zh_text: String, en_text: String| if zh { zh_text } else { en_text };
    match code {
        WarningCode::SensitiveFieldWithoutPurpose => pick(
            "敏感个人信息字段必须说明处理目的（《个人信息保护法》第二十八条）".into(),
            "A sensitive field must state its purpose (PIPL Art. 28, GDPR Art. 9)".into(),
        ),
        WarningCode::PersonalFieldWithoutPurpose => pick(
            "个人信息字段应说明处理目的（《个人信息保护法》第六条）".into(),
            "A personal data field should state its purpose (PIPL Art. 6, GDPR Art. 5(1)(b))".into(),
        ),
        WarningCode::PurposeNotDeclared => pick(
            format!("字段使用了表单未声明的处理目的 {}", p("purpose")),
            format!("The field uses purpose {}, which the form does not declare", p("purpose")),
        ),
        WarningCode::PurposeNotInNotice => pick(
            format!("隐私告知中未提及处理目的“{}”（《个人信息保护法》第十七条）", p("name")),
            format!("The privacy notice does not mention the purpose \"{}\" (PIPL Art. 17, GDPR Art. 13)", p("name")),
        ),
        WarningCode::SensitiveFieldWithoutRetention => pick(
            "敏感个人信息字段应设置保存期限（《个人信息保护法》第十九条）".into(),
            "A sensitive field should have a retention period (PIPL Art. 19, GDPR Art. 5(1)(e))".into(),
        ),
        WarningCode::SensitiveConsentTextMissing => pick(
            "表单收集敏感个人信息，需填写单独同意的文字（《个人信息保护法》第二十九条）".into(),
            "The form collects sensitive data, so it needs separate-consent wording (PIPL Art. 29)".into(),
        ),
        WarningCode::CrossBorderRecipientMissing => pick(
            "出境传输须写明境外接收方（《个人信息保护法》第三十九条）".into(),
            "A cross-border transfer must name the overseas recipient (PIPL Art. 39)".into(),
        ),
        WarningCode::CrossBorderCountryMissing => pick(
            "出境传输须写明接收方所在国家或地区".into(),
            "A cross-border transfer must name the recipient's country or region".into(),
        ),
        WarningCode::RequiredPurposeReliesOnConsent => pick(
            "必需的处理目的以同意为依据：不得因个人不同意而拒绝提供服务（《个人信息保护法》第十六条）".into(),
            "A required purpose relies on consent, but refusing consent must not block the service (PIPL Art. 16, GDPR Art. 7(4))".into(),
        ),
        WarningCode::ResidentIdNotSensitive => pick(
            "身份证号码通常属于敏感个人信息，建议标记为敏感".into(),
            "A resident ID number is usually sensitive personal information; mark it sensitive".into(),
        ),
        WarningCode::GuardianAgeBelowPipl => pick(
            format!("《个人信息保护法》第三十一条要求不满 14 周岁须经监护人同意，此处为 {}", p("age")),
            format!("PIPL Art. 31 requires guardian consent under 14, but this form sets {}", p("age")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_params() -> Params {
        [
            "min", "max", "part", "value", "version", "key", "purpose", "rule", "kind", "error",
            "field", "name", "age",
        ]
        .into_iter()
        .map(|k| (k.to_owned(), "1".to_owned()))
        .collect()
    }

    #[test]
    fn every_code_has_a_message_in_both_languages() {
        let params = full_params();
        for locale in Locale::ALL {
            let all = IssueCode::ALL
                .iter()
                .map(|c| issue_message(*c, &params, locale))
                .chain(
                    ProblemCode::ALL
                        .iter()
                        .map(|c| problem_message(*c, &params, locale)),
                )
                .chain(
                    WarningCode::ALL
                        .iter()
                        .map(|c| warning_message(*c, &params, locale)),
                );
            for m in all {
                assert!(!m.trim().is_empty());
                assert!(!m.ends_with('.') && !m.ends_with('。'), "{m}");
                assert!(!m.contains("{}") && !m.contains('?'), "{m}");
            }
        }
        let zh = issue_message(IssueCode::Required, &params, Locale::ZhCn);
        assert_ne!(zh, issue_message(IssueCode::Required, &params, Locale::En));
    }

    #[test]
    fn messages_have_no_trailing_full_stop_and_fill_parameters() {
        let mut params = Params::new();
        params.insert("min".into(), "2".into());
        for locale in Locale::ALL {
            let m = issue_message(IssueCode::TooShort, &params, locale);
            assert!(m.contains('2'), "{m}");
            assert!(!m.ends_with('.') && !m.ends_with('。'), "{m}");
        }
        let mut params = Params::new();
        params.insert("part".into(), "city".into());
        assert_eq!(
            issue_message(IssueCode::AddressIncomplete, &params, Locale::ZhCn),
            "请填写城市"
        );
        assert_eq!(
            issue_message(IssueCode::AddressIncomplete, &params, Locale::En),
            "Enter the city"
        );
    }
}
