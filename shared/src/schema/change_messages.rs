//! Messages of draft changes in both languages, for translators; kept beside `messages.rs`.
//!
//! Items are named by their label (or title, or purpose name) in the message's language,
//! and by their key when that is blank. No message ends with a full stop.

use super::diff::DraftChange;
use crate::i18n::{Locale, LocalizedText};

/// Names of the changed parts: JSON name, Chinese, English.
const PART_NAMES: &[(&str, &str, &str)] = &[
    ("format_version", "格式版本", "format version"),
    ("title", "标题", "title"),
    ("description", "说明", "description"),
    ("controller", "个人信息处理者", "controller"),
    (
        "sensitive_consent_text",
        "单独同意文字",
        "separate-consent wording",
    ),
    ("embed_origins", "允许嵌入的网站", "embedding sites"),
    ("cross_border", "出境传输", "cross-border transfer"),
    (
        "guardian_consent_age",
        "监护人同意年龄",
        "guardian-consent age",
    ),
    ("name", "名称", "name"),
    ("lawful_basis", "合法性基础", "lawful basis"),
    ("required", "是否必需", "required"),
    ("position", "顺序", "position"),
    ("new_page", "分页", "new page"),
    ("label", "标签", "label"),
    ("help", "帮助文字", "help text"),
    ("kind", "类型或选项", "type or options"),
    ("rules", "校验规则", "rules"),
    ("default", "默认值", "default"),
    ("visibility", "显示条件", "visibility"),
    ("sensitivity", "敏感程度", "sensitivity"),
    ("purposes", "处理目的", "purposes"),
    ("retention", "保存期限", "retention"),
    ("mask", "脱敏方式", "masking"),
];

/// The name of a changed part in `locale` (its JSON name if the table lacks it).
fn part_name(part: &str, locale: Locale) -> &str {
    PART_NAMES
        .iter()
        .find(|(json, _, _)| *json == part)
        .map_or(part, |(_, zh, en)| match locale {
            Locale::ZhCn => zh,
            Locale::En => en,
        })
}

fn part_list(parts: &[&str], locale: Locale) -> String {
    let names: Vec<&str> = parts.iter().map(|p| part_name(p, locale)).collect();
    names.join(if locale == Locale::ZhCn { "、" } else { ", " })
}

/// A name in `locale`, or the key when the name is blank.
fn named<'a>(text: &'a LocalizedText, key: &'a str, locale: Locale) -> &'a str {
    if text.is_blank() {
        key
    } else {
        text.get(locale)
    }
}

/// The message for a change of a draft against the published version.
#[must_use]
pub fn change_message(change: &DraftChange, locale: Locale) -> String {
    let zh = locale == Locale::ZhCn;
    let pick = |zh_text: String, en_text: String| if zh { zh_text } else { en_text };
    let names = |parts: Vec<&str>| part_list(&parts, locale);
    match change {
        DraftChange::SettingsChanged { settings } => {
            let list = names(settings.iter().map(|s| s.as_str()).collect());
            pick(
                format!("表单设置已修改：{list}"),
                format!("Form settings changed: {list}"),
            )
        }
        DraftChange::NoticeChanged => {
            pick("隐私告知已修改".into(), "The privacy notice changed".into())
        }
        DraftChange::PurposeAdded { key, name } => {
            let n = named(name, key.as_str(), locale);
            pick(
                format!("新增处理目的“{n}”"),
                format!("Purpose \"{n}\" added"),
            )
        }
        DraftChange::PurposeRemoved { key, name } => {
            let n = named(name, key.as_str(), locale);
            pick(
                format!("删除了处理目的“{n}”"),
                format!("Purpose \"{n}\" removed"),
            )
        }
        DraftChange::PurposeChanged {
            key,
            name,
            attributes,
        } => {
            let n = named(name, key.as_str(), locale);
            let list = names(attributes.iter().map(|a| a.as_str()).collect());
            pick(
                format!("处理目的“{n}”已修改：{list}"),
                format!("Purpose \"{n}\" changed: {list}"),
            )
        }
        DraftChange::SectionAdded { key, title } => {
            let n = named(title, key.as_str(), locale);
            pick(format!("新增分区“{n}”"), format!("Section \"{n}\" added"))
        }
        DraftChange::SectionRemoved { key, title } => {
            let n = named(title, key.as_str(), locale);
            pick(
                format!("删除了分区“{n}”"),
                format!("Section \"{n}\" removed"),
            )
        }
        DraftChange::SectionChanged {
            key,
            title,
            attributes,
        } => {
            let n = named(title, key.as_str(), locale);
            let list = names(attributes.iter().map(|a| a.as_str()).collect());
            pick(
                format!("分区“{n}”已修改：{list}"),
                format!("Section \"{n}\" changed: {list}"),
            )
        }
        DraftChange::FieldAdded { key, label, .. } => {
            let n = named(label, key.as_str(), locale);
            pick(format!("新增字段“{n}”"), format!("Field \"{n}\" added"))
        }
        DraftChange::FieldRemoved { key, label, .. } => {
            let n = named(label, key.as_str(), locale);
            pick(format!("删除了字段“{n}”"), format!("Field \"{n}\" removed"))
        }
        DraftChange::FieldChanged {
            key,
            label,
            attributes,
        } => {
            let n = named(label, key.as_str(), locale);
            let list = names(attributes.iter().map(|a| a.as_str()).collect());
            pick(
                format!("字段“{n}”已修改：{list}"),
                format!("Field \"{n}\" changed: {list}"),
            )
        }
        DraftChange::FieldMoved {
            key,
            label,
            from_section,
            to_section,
        } => {
            let n = named(label, key.as_str(), locale);
            if from_section == to_section {
                pick(
                    format!("字段“{n}”调整了顺序"),
                    format!("Field \"{n}\" moved"),
                )
            } else {
                pick(
                    format!("字段“{n}”移到了分区 {to_section}"),
                    format!("Field \"{n}\" moved to section {to_section}"),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{FieldAttribute, FormSetting, PurposeAttribute, SectionAttribute};

    #[test]
    fn every_changed_part_has_a_name_in_both_languages() {
        let parts = FormSetting::ALL
            .iter()
            .map(|s| s.as_str())
            .chain(PurposeAttribute::ALL.iter().map(|a| a.as_str()))
            .chain(SectionAttribute::ALL.iter().map(|a| a.as_str()))
            .chain(FieldAttribute::ALL.iter().map(|a| a.as_str()));
        for part in parts {
            assert!(
                PART_NAMES.iter().any(|(json, _, _)| *json == part),
                "{part} has no names"
            );
            assert!(!part_name(part, Locale::ZhCn).is_ascii(), "{part}");
            assert!(!part_name(part, Locale::En).contains('_'), "{part}");
        }
    }
}
