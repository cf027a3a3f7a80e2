//! Imports from spreadsheets, the pure part: which column goes to which field (a
//! suggestion from header names in Chinese or English, with common synonyms), and a
//! cell's text turned into the answer the form's own validation expects (full-width
//! characters, phone numbers with or without +86, dates as Chinese Excel writes them,
//! yes/no and choices by their labels). Validation itself is the form's
//! (`schema::validate`), the same as in the browser and on the server.

use serde_json::Value;

use crate::schema::{Field, FieldKind, FormDefinition};

/// A header or label reduced for comparison: full-width folded, lower case, without
/// spaces, punctuation or a trailing colon.
#[must_use]
pub fn header_key(text: &str) -> String {
    half_width(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Full-width ASCII (digits, letters, punctuation) and the ideographic space folded to
/// their ASCII forms; the rest unchanged.
#[must_use]
pub fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Other names people give a column of this field's kind.
fn synonyms(field: &Field) -> &'static [&'static str] {
    match &field.kind {
        FieldKind::Phone { .. } => &[
            "手机",
            "手机号",
            "手机号码",
            "电话",
            "电话号码",
            "联系电话",
            "联系方式",
            "移动电话",
            "mobile",
            "phone",
            "phonenumber",
            "mobilephone",
            "tel",
            "telephone",
            "cell",
        ],
        FieldKind::Email => &[
            "邮箱",
            "电子邮箱",
            "邮件",
            "电子邮件",
            "email",
            "mail",
            "emailaddress",
        ],
        FieldKind::ResidentId => &[
            "身份证",
            "身份证号",
            "身份证号码",
            "证件号",
            "证件号码",
            "居民身份证",
            "id",
            "idnumber",
            "idcard",
            "residentid",
        ],
        FieldKind::Address => &["地址", "住址", "联系地址", "家庭住址", "address"],
        FieldKind::Date if field.key.as_str().contains("birth") => &[
            "出生日期",
            "生日",
            "出生年月日",
            "birthday",
            "dateofbirth",
            "dob",
            "birthdate",
        ],
        FieldKind::ShortText if field.key.as_str().contains("name") => &[
            "姓名",
            "名字",
            "客户姓名",
            "客户名称",
            "联系人",
            "name",
            "fullname",
            "customername",
        ],
        _ => &[],
    }
}

/// The field each column suggests, by header: a field's key or label in either
/// language, then its kind's synonyms; each field is suggested for one column at most
/// (the first that names it).
#[must_use]
pub fn suggest_mapping(headers: &[String], def: &FormDefinition) -> Vec<Option<String>> {
    let fields: Vec<&Field> = def.fields().filter(|f| f.holds_value()).collect();
    let mut taken = std::collections::BTreeSet::new();
    headers
        .iter()
        .map(|h| {
            let h = header_key(h);
            if h.is_empty() {
                return None;
            }
            let exact = fields.iter().find(|f| {
                !taken.contains(f.key.as_str())
                    && (header_key(f.key.as_str()) == h
                        || header_key(&f.label.zh_cn) == h
                        || header_key(&f.label.en) == h)
            });
            let found = exact.or_else(|| {
                fields.iter().find(|f| {
                    !taken.contains(f.key.as_str())
                        && synonyms(f).iter().any(|s| header_key(s) == h)
                })
            })?;
            taken.insert(found.key.as_str());
            Some(found.key.as_str().to_owned())
        })
        .collect()
}

/// What is remembered of a mapping for a form's next import: each named column's
/// header (as [`header_key`] reduces it) and the field it went to, or `None` when it
/// was left out on purpose.
#[must_use]
pub fn mapping_to_remember(
    headers: &[String],
    mapping: &[Option<String>],
) -> std::collections::BTreeMap<String, Option<String>> {
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| (header_key(h), mapping.get(i).cloned().flatten()))
        .filter(|(h, _)| !h.is_empty())
        .collect()
}

/// The mapping for `headers`: a column whose header this form's last import named goes
/// where it went then (while the field still takes a value and no earlier column took
/// it); the others as [`suggest_mapping`] suggests.
#[must_use]
pub fn mapping_with_remembered(
    headers: &[String],
    def: &FormDefinition,
    remembered: &std::collections::BTreeMap<String, Option<String>>,
) -> Vec<Option<String>> {
    let suggested = suggest_mapping(headers, def);
    let mut taken = std::collections::BTreeSet::new();
    let chosen: Vec<Option<Option<String>>> = headers
        .iter()
        .map(|h| {
            let went = remembered.get(&header_key(h))?;
            match went {
                None => Some(None),
                Some(key) => def
                    .field(key)
                    .filter(|f| f.holds_value() && taken.insert(key.clone()))
                    .map(|_| Some(key.clone())),
            }
        })
        .collect();
    chosen
        .into_iter()
        .zip(suggested)
        .map(|(chosen, suggested)| match chosen {
            Some(went) => went,
            None => suggested.filter(|k| !taken.contains(k)),
        })
        .collect()
}

/// A cell's text as the answer the form's validation expects for `field`; `Null` when
/// the cell is blank. What cannot be read stays text, for validation to name.
#[must_use]
pub fn answer_of(field: &Field, cell: &str) -> Value {
    let text = half_width(cell).trim().to_owned();
    if text.is_empty() {
        return Value::Null;
    }
    match &field.kind {
        FieldKind::Phone { .. } => {
            let compact: String = text
                .chars()
                .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '(' | ')' | '.'))
                .collect();
            // `86` before a mainland mobile number, as exported by some systems.
            let national = compact
                .strip_prefix("0086")
                .or_else(|| compact.strip_prefix("86").filter(|n| n.len() == 11))
                .map_or(compact.clone(), |n| format!("+86{n}"));
            Value::String(national)
        }
        FieldKind::ResidentId => Value::String(
            text.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_uppercase(),
        ),
        FieldKind::Email => Value::String(text.to_lowercase()),
        FieldKind::Number { .. } => Value::String(text.replace([',', ' '], "")),
        FieldKind::Date => Value::String(date_text(&text).unwrap_or(text)),
        FieldKind::YesNo => match text.to_lowercase().as_str() {
            "是" | "有" | "对" | "yes" | "y" | "true" | "1" | "√" | "✓" => Value::Bool(true),
            "否" | "无" | "不" | "no" | "n" | "false" | "0" | "×" | "✗" => Value::Bool(false),
            _ => Value::String(text),
        },
        FieldKind::SingleChoice { .. } => Value::String(option_key(field, &text).unwrap_or(text)),
        FieldKind::MultipleChoice { .. } => Value::Array(
            text.split(['、', ',', ';', '|', '/'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| Value::String(option_key(field, p).unwrap_or_else(|| p.to_owned())))
                .collect(),
        ),
        FieldKind::Address => {
            let parts: Vec<&str> = text.split_whitespace().collect();
            if parts.len() >= 4 {
                serde_json::json!({
                    "province": parts[0], "city": parts[1], "district": parts[2],
                    "detail": parts[3..].join(" "),
                })
            } else if parts.len() == 3 {
                serde_json::json!({
                    "province": parts[0], "city": parts[1], "district": "", "detail": parts[2],
                })
            } else {
                Value::String(text)
            }
        }
        // A typed signature is the name as text.
        FieldKind::Signature => Value::String(text),
        FieldKind::ShortText | FieldKind::LongText | FieldKind::Notice => Value::String(text),
    }
}

/// The key of the option whose key or label (either language) is `text`.
fn option_key(field: &Field, text: &str) -> Option<String> {
    let want = header_key(text);
    field
        .options()
        .iter()
        .find(|o| {
            header_key(o.key.as_str()) == want
                || header_key(&o.label.zh_cn) == want
                || header_key(&o.label.en) == want
        })
        .map(|o| o.key.as_str().to_owned())
}

/// A date as `yyyy-mm-dd` from the ways spreadsheets write one: `2024-3-5`,
/// `2024/03/05`, `2024.3.5`, `2024年3月5日`, `20240305`, an Excel date with a time
/// (`2024-03-05 00:00:00`).
#[must_use]
pub fn date_text(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text.split([' ', 'T']).next().unwrap_or(text);
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!("{}-{}-{}", &text[..4], &text[4..6], &text[6..]));
    }
    let parts: Vec<&str> = text
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    (y >= 1000 && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn demo() -> FormDefinition {
        FormDefinition::demo_customer_registration()
    }

    #[test]
    fn headers_map_by_label_key_or_synonym_in_either_language() {
        let headers: Vec<String> = ["姓名", "手机号", "E-mail", "身份证号码", "备注", "出生日期"]
            .map(str::to_owned)
            .to_vec();
        let m = suggest_mapping(&headers, &demo());
        assert_eq!(m[0].as_deref(), Some("full_name"));
        assert_eq!(m[1].as_deref(), Some("mobile"));
        assert_eq!(m[2].as_deref(), Some("email"));
        assert_eq!(m[3].as_deref(), Some("resident_id"));
        assert_eq!(m[4], None);
        assert!(m[5].is_some());
        // A field is offered once.
        let twice = suggest_mapping(&["电话".into(), "手机".into()], &demo());
        assert_eq!(twice, [Some("mobile".to_owned()), None]);
        assert_eq!(header_key("  Ｍｏｂｉｌｅ　Phone："), "mobilephone");
    }

    #[test]
    fn cells_become_the_answers_the_form_validates() {
        let def = demo();
        let field = |k: &str| def.fields().find(|f| f.key.as_str() == k).unwrap().clone();
        let phone = field("mobile");
        assert_eq!(answer_of(&phone, "１３８ ００１３-８０００"), "13800138000");
        assert_eq!(answer_of(&phone, "8613800138000"), "+8613800138000");
        assert_eq!(answer_of(&phone, "0086 138 0013 8000"), "+8613800138000");
        assert_eq!(answer_of(&phone, "  "), Value::Null);
        assert_eq!(
            answer_of(&field("resident_id"), "11010119900307123x"),
            "11010119900307123X"
        );
        assert_eq!(
            answer_of(&field("email"), "Li@Example.COM"),
            "li@example.com"
        );
        assert_eq!(date_text("2024年3月5日").as_deref(), Some("2024-03-05"));
        assert_eq!(date_text("2024/3/5").as_deref(), Some("2024-03-05"));
        assert_eq!(date_text("20240305").as_deref(), Some("2024-03-05"));
        assert_eq!(
            date_text("2024-03-05 00:00:00").as_deref(),
            Some("2024-03-05")
        );
        assert_eq!(date_text("5/3/2024"), None);
        assert_eq!(date_text("2024-13-01"), None);
        assert_eq!(half_width("ＡＢＣ１２３＠"), "ABC123@");
    }

    #[test]
    fn a_remembered_mapping_wins_over_the_suggestion() {
        let headers: Vec<String> = ["客户", "手机号", "备注"].map(str::to_owned).to_vec();
        let last = mapping_to_remember(
            &headers,
            &[Some("full_name".to_owned()), None, Some("gone".to_owned())],
        );
        assert_eq!(last.get("手机号"), Some(&None));
        let m = mapping_with_remembered(&headers, &demo(), &last);
        // Remembered: 客户 → full_name; 手机号 left out on purpose; a field the form no
        // longer has falls back to the suggestion (none for 备注).
        assert_eq!(m, [Some("full_name".to_owned()), None, None]);
        // A header never seen before is suggested, unless a remembered column took its
        // field.
        let m = mapping_with_remembered(&["姓名".into(), "客户".into()], &demo(), &last);
        assert_eq!(m, [None, Some("full_name".to_owned())]);
    }
}
