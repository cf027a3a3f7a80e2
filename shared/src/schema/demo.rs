//! A realistic bilingual customer-registration form, seeded by the server on first start.

use super::condition::Condition;
use super::contact::PhoneFormat;
use super::decimal::Decimal;
use super::definition::{
    Controller, FormDefinition, LawfulBasis, Purpose, Section, FORMAT_VERSION,
};
use super::field::{
    ChoiceOption, DateLimit, Field, FieldKind, RetentionAction, RetentionPeriod, RetentionStart,
    Rules, Sensitivity,
};
use super::keys::{FieldKey, OptionKey, PurposeKey, SectionKey};
use crate::i18n::LocalizedText;
use crate::mask::MaskStyle;

const SERVICE: &str = "membership_service";
const IDENTITY: &str = "identity_verification";
const MARKETING: &str = "marketing";

fn text(zh: &str, en: &str) -> LocalizedText {
    LocalizedText::new(zh, en)
}

fn purposes(keys: &[&'static str]) -> Vec<PurposeKey> {
    keys.iter().map(|k| PurposeKey::from_static(k)).collect()
}

fn options(items: &[(&'static str, &str, &str)]) -> Vec<ChoiceOption> {
    items
        .iter()
        .map(|(key, zh, en)| ChoiceOption {
            key: OptionKey::from_static(key),
            label: text(zh, en),
        })
        .collect()
}

/// A personal field collected for the membership service, ready to adjust.
fn field(key: &'static str, kind: FieldKind, label: LocalizedText) -> Field {
    Field {
        key: FieldKey::from_static(key),
        kind,
        label,
        help: LocalizedText::default(),
        required: false,
        rules: Rules::default(),
        default: None,
        visible_when: None,
        sensitivity: Sensitivity::Personal,
        purposes: purposes(&[SERVICE]),
        retention: Some(RetentionPeriod {
            days: 730,
            action: RetentionAction::Anonymise,
            from: RetentionStart::Collection,
        }),
        mask: MaskStyle::None,
        needs_approval: false,
    }
}

fn notice_block(key: &'static str, label: LocalizedText, body: LocalizedText) -> Field {
    Field {
        help: body,
        sensitivity: Sensitivity::Ordinary,
        purposes: Vec::new(),
        retention: None,
        ..field(key, FieldKind::Notice, label)
    }
}

const NOTICE_ZH: &str = "**示例零售有限公司**（以下简称“我们”）依照《中华人民共和国个人信息保护法》处理您在本表单中填写的个人信息。

我们为以下目的处理您的个人信息：
- **提供会员服务**：创建和管理您的会员账户，就订单和售后与您联系（为订立、履行合同所必需）；
- **身份核验**：依照法律法规的要求核验您的真实身份。这涉及身份证号码等敏感个人信息，需要您单独同意；
- **营销推广**：经您同意，向您发送优惠和活动信息。您可以随时撤回同意，这不影响会员服务。

我们只在实现上述目的所必需的最短期间内保存您的信息：身份证号码保存 3 年后删除；其他信息在会员注销后 2 年内删除或匿名化。我们不会向境外提供您的个人信息。

您有权查阅、复制、更正、删除您的个人信息，有权撤回同意。未满 14 周岁的未成年人，请在父母或其他监护人的陪同下填写，并取得其同意。联系我们：privacy@example.com";

const NOTICE_EN: &str = "**Example Retail Co., Ltd.** (\"we\") processes the personal information you give in this form under the Personal Information Protection Law of the People's Republic of China and, where it applies, the EU GDPR.

We process your personal information for these purposes:
- **Membership service**: to create and run your membership account and to contact you about orders and after-sales service (necessary for our contract with you);
- **Identity verification**: to verify your identity as laws and regulations require. This involves your resident ID number, which is sensitive personal information, and needs your separate consent;
- **Marketing**: with your consent, to send you offers and news of events. You can withdraw consent at any time without affecting the membership service.

We keep your information only as long as these purposes need: your resident ID number for 3 years, after which it is deleted; other information is deleted or anonymised within 2 years after your membership ends. We do not transfer your personal information outside mainland China.

You have the right to access, copy, correct and delete your personal information and to withdraw your consent. If you are under 14, please fill in this form with a parent or guardian, who must consent. Contact us: privacy@example.com";

impl FormDefinition {
    /// A complete, valid set of answers to [`Self::demo_customer_registration`], with
    /// marketing accepted (for tests, the bench and examples).
    #[must_use]
    pub fn demo_answers() -> super::value::Answers {
        serde_json::from_value(serde_json::json!({
            "full_name": "张三",
            "mobile": "138 0013 8000",
            "email": "zhang.san@example.com",
            "date_of_birth": "1990-03-07",
            "gender": "male",
            "resident_id": "110101199003071233",
            "interests": ["travel", "food"],
            "marketing_opt_in": true,
            "preferred_channel": "wechat",
            "messages_per_month": 4,
            "address": {"province": "上海市", "city": "上海市", "district": "浦东新区", "detail": "示例路 1 号"},
            "signature": "张三"
        }))
        .unwrap_or_default()
    }

    /// A bilingual customer-registration form: name, mobile, email, date of birth, gender,
    /// resident ID (sensitive), interests, marketing consent with a conditional preferred
    /// channel, address, a declaration and a signature, under three purposes. It passes
    /// [`FormDefinition::check`] and has no compliance warnings.
    #[must_use]
    pub fn demo_customer_registration() -> Self {
        FormDefinition {
            format_version: FORMAT_VERSION,
            title: text("会员注册", "Membership registration"),
            description: text(
                "注册成为示例零售会员，享受积分和专属服务。",
                "Join Example Retail's membership for points and member-only service.",
            ),
            controller: Controller {
                name: text("示例零售有限公司", "Example Retail Co., Ltd."),
                contact: "privacy@example.com; +86 21 5555 0100; 上海市浦东新区示例路 1 号".to_owned(),
            },
            purposes: vec![
                Purpose {
                    key: PurposeKey::from_static(SERVICE),
                    name: text("提供会员服务", "Membership service"),
                    description: text(
                        "创建和管理会员账户，处理订单和售后",
                        "Create and run your membership account; handle orders and after-sales service",
                    ),
                    lawful_basis: LawfulBasis::Contract,
                    required: true,
                    retention: None,
                },
                Purpose {
                    key: PurposeKey::from_static(MARKETING),
                    name: text("营销推广", "Marketing"),
                    description: text("发送优惠和活动信息", "Send offers and news of events"),
                    lawful_basis: LawfulBasis::Consent,
                    required: false,
                    retention: None,
                },
                Purpose {
                    key: PurposeKey::from_static(IDENTITY),
                    name: text("身份核验", "Identity verification"),
                    description: text(
                        "依照法律法规要求核验真实身份",
                        "Verify your identity as laws and regulations require",
                    ),
                    lawful_basis: LawfulBasis::LegalObligation,
                    required: true,
                    retention: None,
                },
            ],
            notice: text(NOTICE_ZH, NOTICE_EN),
            sensitive_consent_text: text(
                "我单独同意示例零售有限公司为身份核验目的处理我的身份证号码。我知道身份证号码属于敏感个人信息，一旦泄露可能对我的人身和财产安全造成危害。",
                "I separately consent to Example Retail Co., Ltd. processing my resident ID number for identity verification. I understand that it is sensitive personal information whose leak could harm my safety or property.",
            ),
            embed_origins: Vec::new(),
            cross_border: None,
            guardian_consent_under_age: Some(14),
            sections: vec![basic_section(), identity_section(), preferences_section(), confirmation_section()],
        }
    }
}

fn basic_section() -> Section {
    Section {
        key: SectionKey::from_static("basic"),
        title: text("基本信息", "About you"),
        new_page: false,
        fields: vec![
            Field {
                required: true,
                rules: Rules {
                    min_length: Some(1),
                    max_length: Some(50),
                    ..Rules::default()
                },
                mask: MaskStyle::Name,
                ..field("full_name", FieldKind::ShortText, text("姓名", "Full name"))
            },
            Field {
                required: true,
                help: text(
                    "用于登录和接收订单通知",
                    "Used to sign in and for order updates",
                ),
                mask: MaskStyle::Phone,
                needs_approval: true,
                ..field(
                    "mobile",
                    FieldKind::Phone {
                        formats: vec![PhoneFormat::CnMobile, PhoneFormat::E164],
                    },
                    text("手机号码", "Mobile number"),
                )
            },
            Field {
                mask: MaskStyle::Email,
                needs_approval: true,
                ..field("email", FieldKind::Email, text("电子邮箱", "Email"))
            },
            Field {
                rules: Rules {
                    date_min: Some(DateLimit::Fixed(time::macros::date!(1900 - 01 - 01))),
                    date_max: Some(DateLimit::Today),
                    ..Rules::default()
                },
                mask: MaskStyle::Full,
                ..field(
                    "date_of_birth",
                    FieldKind::Date,
                    text("出生日期", "Date of birth"),
                )
            },
            field(
                "gender",
                FieldKind::SingleChoice {
                    options: options(&[
                        ("female", "女", "Female"),
                        ("male", "男", "Male"),
                        ("undisclosed", "不愿透露", "Prefer not to say"),
                    ]),
                },
                text("性别", "Gender"),
            ),
        ],
    }
}

fn identity_section() -> Section {
    Section {
        key: SectionKey::from_static("identity"),
        title: text("身份核验", "Identity verification"),
        new_page: true,
        fields: vec![
            notice_block(
                "identity_notice",
                text("为什么需要身份证号码", "Why we ask for your ID number"),
                text(
                    "身份证号码属于敏感个人信息，仅用于身份核验，保存 3 年后删除。",
                    "Your resident ID number is sensitive personal information. We use it only for identity verification and delete it after 3 years.",
                ),
            ),
            Field {
                required: true,
                sensitivity: Sensitivity::Sensitive,
                purposes: purposes(&[IDENTITY]),
                retention: Some(RetentionPeriod {
                    days: 1095,
                    action: RetentionAction::Delete,
                    from: RetentionStart::Collection,
                }),
                mask: MaskStyle::IdNumber,
                needs_approval: true,
                ..field("resident_id", FieldKind::ResidentId, text("居民身份证号码", "Resident ID number"))
            },
        ],
    }
}

fn preferences_section() -> Section {
    Section {
        key: SectionKey::from_static("preferences"),
        title: text("兴趣与联系偏好", "Interests and contact preferences"),
        new_page: true,
        fields: vec![
            Field {
                rules: Rules {
                    max_selected: Some(3),
                    ..Rules::default()
                },
                purposes: purposes(&[SERVICE, MARKETING]),
                ..field(
                    "interests",
                    FieldKind::MultipleChoice {
                        options: options(&[
                            ("fashion", "服饰", "Fashion"),
                            ("home", "家居", "Home"),
                            ("electronics", "数码", "Electronics"),
                            ("food", "美食", "Food"),
                            ("travel", "旅行", "Travel"),
                        ]),
                    },
                    text("感兴趣的商品（最多 3 项）", "What interests you (up to 3)"),
                )
            },
            Field {
                help: text(
                    "可随时在会员中心撤回",
                    "You can withdraw this at any time in your account",
                ),
                purposes: purposes(&[MARKETING]),
                ..field(
                    "marketing_opt_in",
                    FieldKind::YesNo,
                    text("接收优惠和活动信息", "Send me offers and news"),
                )
            },
            Field {
                required: true,
                visible_when: Some(Condition::Equals {
                    field: FieldKey::from_static("marketing_opt_in"),
                    value: serde_json::Value::Bool(true),
                }),
                purposes: purposes(&[MARKETING]),
                ..field(
                    "preferred_channel",
                    FieldKind::SingleChoice {
                        options: options(&[
                            ("sms", "短信", "Text message"),
                            ("email", "电子邮件", "Email"),
                            ("wechat", "微信", "WeChat"),
                        ]),
                    },
                    text("希望通过哪种方式接收", "How should we contact you"),
                )
            },
            Field {
                rules: Rules {
                    min: Decimal::parse("0").ok(),
                    max: Decimal::parse("20").ok(),
                    ..Rules::default()
                },
                purposes: purposes(&[MARKETING]),
                visible_when: Some(Condition::Equals {
                    field: FieldKey::from_static("marketing_opt_in"),
                    value: serde_json::Value::Bool(true),
                }),
                ..field(
                    "messages_per_month",
                    FieldKind::Number { decimals: 0 },
                    text("每月最多接收几条", "At most how many messages a month"),
                )
            },
            Field {
                mask: MaskStyle::Partial,
                ..field(
                    "address",
                    FieldKind::Address,
                    text("收货地址", "Delivery address"),
                )
            },
        ],
    }
}

fn confirmation_section() -> Section {
    Section {
        key: SectionKey::from_static("confirmation"),
        title: text("确认", "Confirmation"),
        new_page: true,
        fields: vec![
            notice_block(
                "declaration",
                text("声明", "Declaration"),
                text(
                    "我确认以上信息真实、准确，并已阅读隐私告知。",
                    "I confirm that the information above is true and accurate and that I have read the privacy notice.",
                ),
            ),
            Field {
                required: true,
                purposes: purposes(&[SERVICE, IDENTITY]),
                mask: MaskStyle::Full,
                ..field("signature", FieldKind::Signature, text("签名", "Signature"))
            },
        ],
    }
}
