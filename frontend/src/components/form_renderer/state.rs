//! Pure helpers of the renderer: today's date, pages, answer access and pruning.

use std::collections::BTreeSet;

use serde_json::Value;
use shared::schema::{Answers, FieldKey, FormDefinition};
use time::{Date, Month};

/// Today's date in the browser's time zone (the same day the person sees on their clock).
#[must_use]
pub fn today() -> Date {
    let now = js_sys::Date::new_0();
    let year = i32::try_from(now.get_full_year()).unwrap_or(1970);
    let month = u8::try_from(now.get_month() + 1)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .unwrap_or(Month::January);
    let day = u8::try_from(now.get_date()).unwrap_or(1);
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN)
}

/// The sections of each page, by index: a section with `new_page` starts a page (the first
/// section always does).
#[must_use]
pub fn pages(def: &FormDefinition) -> Vec<Vec<usize>> {
    let mut pages: Vec<Vec<usize>> = Vec::new();
    for (i, section) in def.sections.iter().enumerate() {
        match pages.last_mut() {
            Some(page) if !section.new_page => page.push(i),
            _ => pages.push(vec![i]),
        }
    }
    if pages.is_empty() {
        pages.push(Vec::new());
    }
    pages
}

/// The page that holds the field `key`, if any.
#[must_use]
pub fn page_of_field(def: &FormDefinition, key: &str) -> Option<usize> {
    let section = def
        .sections
        .iter()
        .position(|s| s.fields.iter().any(|f| f.key.as_str() == key))?;
    pages(def).iter().position(|p| p.contains(&section))
}

/// The keys of the fields on page `page`.
#[must_use]
pub fn keys_on_page(def: &FormDefinition, page: usize) -> BTreeSet<String> {
    pages(def)
        .get(page)
        .map(|sections| {
            sections
                .iter()
                .filter_map(|s| def.sections.get(*s))
                .flat_map(|s| s.fields.iter().map(|f| f.key.as_str().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The answers the form would submit: only those of visible fields that take an answer.
/// Answers to hidden fields stay in the editing state (so they come back if the field
/// shows again) but are never sent.
#[must_use]
pub fn submittable(
    def: &FormDefinition,
    answers: &Answers,
    visible: &BTreeSet<FieldKey>,
) -> Answers {
    answers
        .iter()
        .filter(|(key, _)| {
            def.field(key)
                .is_some_and(|f| f.holds_value() && visible.contains(&f.key))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// What a submit sends, checked as the server will check it: the answers of the fields
/// `shown` displays (the published form narrowed by the customer's choices), and the
/// same answers validated against the `published` definition.
pub fn validated_submission(
    published: &FormDefinition,
    shown: &FormDefinition,
    answers: &Answers,
    locale: shared::i18n::Locale,
    today: Date,
) -> Result<(Answers, shared::schema::ValidatedAnswers), shared::api::error::ApiError> {
    let sendable = submittable(shown, answers, &shown.visible_fields(answers, today));
    let validated = published
        .validate(&sendable, today)
        .map_err(|e| e.to_api_error(locale))?;
    Ok((sendable, validated))
}

/// Adds each field's default answer where the answers have none yet.
pub fn apply_defaults(def: &FormDefinition, answers: &mut Answers) {
    for field in def.fields() {
        if let Some(default) = &field.default {
            answers
                .entry(field.key.as_str().to_owned())
                .or_insert_with(|| default.clone());
        }
    }
}

/// The answer to `key` as text (empty when unanswered or not text).
#[must_use]
pub fn text_answer(answers: &Answers, key: &str) -> String {
    match answers.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Sets the answer to `key`, removing it when `value` is blank.
pub fn set_answer(answers: &mut Answers, key: &str, value: Value) {
    if shared::schema::is_blank(&value) {
        answers.remove(key);
    } else {
        answers.insert(key.to_owned(), value);
    }
}

/// The member `part` of an address answer.
#[must_use]
pub fn address_part(answers: &Answers, key: &str, part: &str) -> String {
    answers
        .get(key)
        .and_then(|v| v.get(part))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sections_are_grouped_into_pages() {
        let mut def = FormDefinition::demo_customer_registration();
        let first = pages(&def);
        assert_eq!(
            first.iter().map(Vec::len).sum::<usize>(),
            def.sections.len()
        );
        if let Some(last) = def.sections.last_mut() {
            last.new_page = true;
        }
        let n = def.sections.len();
        let split = pages(&def);
        assert_eq!(split.last(), Some(&vec![n - 1]));
    }

    #[test]
    fn blank_answers_are_removed() {
        let mut answers = Answers::new();
        set_answer(&mut answers, "name", json!("张三"));
        assert_eq!(text_answer(&answers, "name"), "张三");
        set_answer(&mut answers, "name", json!(""));
        assert!(answers.is_empty());
        set_answer(&mut answers, "ok", json!(false));
        assert_eq!(answers.get("ok"), Some(&json!(false)));
    }
}
