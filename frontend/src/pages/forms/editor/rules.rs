//! The settings and rules that depend on a field's kind: options of choice fields, phone
//! formats, decimals, and the length, value, selection and date limits.

use leptos::prelude::*;
use shared::i18n::LocalizedText;
use shared::schema::{
    parse_iso_date, ChoiceOption, DateLimit, Decimal, FieldKind, OptionKey, Pattern, PhoneFormat,
    Rules,
};

use super::field_editor::KeyInput;
use super::Editor;
use crate::i18n::{fill, use_i18n, DesignerTexts};
use crate::pages::forms::widgets::{
    bilingual, checkbox, label, parse_optional, set_text, text_input,
};

type Label = fn(&DesignerTexts) -> &'static str;

/// A change to the options of a choice field.
type OptionsChange = Box<dyn FnOnce(&mut Vec<ChoiceOption>)>;

/// A text input for an optional rule; text that does not parse is shown as an error and
/// leaves the rule as it was.
fn rule_input(
    editor: Editor,
    at: (usize, usize),
    name: &'static str,
    label_text: Label,
    error_text: Label,
    get: fn(&Rules) -> Option<String>,
    set: fn(&mut Rules, &str) -> Result<(), ()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let initial = editor
        .field(at, |f| get(&f.rules))
        .flatten()
        .unwrap_or_default();
    let text = RwSignal::new(initial);
    let invalid = RwSignal::new(false);
    let id = format!("rule-{name}");
    view! {
        <div class="field" class:field-invalid=move || invalid.get()>
            <label for=id.clone()>{move || label_text(&i18n.t().designer)}</label>
            <input
                id=id
                type="text"
                data-testid=format!("rule-{name}")
                aria-invalid=move || if invalid.get() { "true" } else { "false" }
                prop:value=move || text.get()
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    let mut ok = true;
                    let mut rules = editor.field(at, |f| f.rules.clone()).unwrap_or_default();
                    if set(&mut rules, &value).is_err() {
                        ok = false;
                    } else {
                        editor.edit_field(at, |f| f.rules = rules);
                    }
                    invalid.set(!ok);
                    text.set(value);
                }
            />
            <p class="field-issues" aria-live="polite">
                {move || invalid.get().then(|| error_text(&i18n.t().designer))}
            </p>
        </div>
    }
}

fn whole(text: &str) -> Result<Option<u32>, ()> {
    parse_optional::<u32>(text)
}

fn decimal(text: &str) -> Result<Option<Decimal>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Decimal::parse(text).map(Some).map_err(drop)
}

fn date_limit(text: &str) -> Result<Option<DateLimit>, ()> {
    match text.trim() {
        "" => Ok(None),
        "today" => Ok(Some(DateLimit::Today)),
        other => parse_iso_date(other)
            .map(|d| Some(DateLimit::Fixed(d)))
            .ok_or(()),
    }
}

/// The settings of the field's kind.
#[component]
pub fn KindSettings(editor: Editor, at: (usize, usize), kind: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let invalid_number: Label = |t| t.invalid_number;
    let invalid_decimal: Label = |t| t.invalid_decimal;
    let invalid_date: Label = |t| t.invalid_date_limit;
    let body = match kind {
        "short_text" | "long_text" => view! {
            {rule_input(editor, at, "min_length", |t| t.min_length, invalid_number,
                |r| r.min_length.map(|v| v.to_string()), |r, s| { r.min_length = whole(s)?; Ok(()) })}
            {rule_input(editor, at, "max_length", |t| t.max_length, invalid_number,
                |r| r.max_length.map(|v| v.to_string()), |r, s| { r.max_length = whole(s)?; Ok(()) })}
            <PatternRule editor at />
        }
        .into_any(),
        "number" => view! {
            {text_input(
                "rule-decimals".to_owned(),
                label(|t| t.decimals),
                move || editor.field(at, |f| match f.kind { FieldKind::Number { decimals } => decimals.to_string(), _ => String::new() }).unwrap_or_default(),
                move |text| if let Ok(d) = text.trim().parse::<u8>() {
                    editor.edit_field(at, |f| if let FieldKind::Number { decimals } = &mut f.kind { *decimals = d });
                },
                false,
                Some("rule-decimals".to_owned()),
            )}
            {rule_input(editor, at, "min", |t| t.min, invalid_decimal,
                |r| r.min.as_ref().map(ToString::to_string), |r, s| { r.min = decimal(s)?; Ok(()) })}
            {rule_input(editor, at, "max", |t| t.max, invalid_decimal,
                |r| r.max.as_ref().map(ToString::to_string), |r, s| { r.max = decimal(s)?; Ok(()) })}
        }
        .into_any(),
        "phone" => {
            let formats = [(PhoneFormat::CnMobile, "cn_mobile", (|t| t.phone_cn_mobile) as Label), (PhoneFormat::E164, "e164", |t| t.phone_e164)];
            let boxes = formats.into_iter().map(|(format, name, text)| checkbox(
                format!("phone-format-{name}"),
                label(text),
                move || editor.field(at, |f| matches!(&f.kind, FieldKind::Phone { formats } if formats.contains(&format))).unwrap_or_default(),
                move |on| editor.edit_field(at, |f| if let FieldKind::Phone { formats } = &mut f.kind {
                    formats.retain(|x| *x != format);
                    if on { formats.push(format); }
                }),
                Some(format!("phone-format-{name}")),
            )).collect_view();
            view! {
                <fieldset class="field-group">
                    <legend>{move || i18n.t().designer.phone_formats}</legend>
                    {boxes}
                </fieldset>
            }
            .into_any()
        }
        "date" => view! {
            <p class="field-hint">{move || i18n.t().designer.date_limit_hint}</p>
            {rule_input(editor, at, "date_min", |t| t.date_min, invalid_date,
                |r| r.date_min.map(|d| d.to_string()), |r, s| { r.date_min = date_limit(s)?; Ok(()) })}
            {rule_input(editor, at, "date_max", |t| t.date_max, invalid_date,
                |r| r.date_max.map(|d| d.to_string()), |r, s| { r.date_max = date_limit(s)?; Ok(()) })}
        }
        .into_any(),
        "single_choice" => view! { <OptionsEditor editor at /> }.into_any(),
        "multiple_choice" => view! {
            <OptionsEditor editor at />
            {rule_input(editor, at, "min_selected", |t| t.min_selected, invalid_number,
                |r| r.min_selected.map(|v| v.to_string()), |r, s| { r.min_selected = whole(s)?; Ok(()) })}
            {rule_input(editor, at, "max_selected", |t| t.max_selected, invalid_number,
                |r| r.max_selected.map(|v| v.to_string()), |r, s| { r.max_selected = whole(s)?; Ok(()) })}
        }
        .into_any(),
        _ => ().into_any(),
    };
    view! { <div class="kind-settings">{body}</div> }
}

/// The pattern rule: a regular expression and the message shown when it does not match.
#[component]
fn PatternRule(editor: Editor, at: (usize, usize)) -> impl IntoView {
    let pattern = move || editor.field(at, |f| f.rules.pattern.clone()).flatten();
    view! {
        {text_input(
            "rule-pattern".to_owned(),
            label(|t| t.pattern),
            move || pattern().map(|p| p.regex).unwrap_or_default(),
            move |regex| editor.edit_field(at, |f| {
                if regex.is_empty() {
                    f.rules.pattern = None;
                } else {
                    let message = f.rules.pattern.take().map(|p| p.message).unwrap_or_default();
                    f.rules.pattern = Some(Pattern { regex, message });
                }
            }),
            false,
            Some("rule-pattern".to_owned()),
        )}
        {bilingual(
            "rule-pattern-message",
            |t| t.pattern_message,
            move || pattern().map(|p| p.message).unwrap_or_default(),
            move |locale, text| editor.edit_field(at, |f| if let Some(p) = f.rules.pattern.as_mut() { set_text(&mut p.message, locale, text) }),
            false,
            Some("rule-pattern-message"),
        )}
    }
}

fn options_mut(kind: &mut FieldKind) -> Option<&mut Vec<ChoiceOption>> {
    match kind {
        FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options } => {
            Some(options)
        }
        _ => None,
    }
}

/// The options of a choice field: key and label of each, reorder, remove, add.
#[component]
fn OptionsEditor(editor: Editor, at: (usize, usize)) -> impl IntoView {
    let i18n = use_i18n();
    let count = Memo::new(move |_| editor.field(at, |f| f.options().len()).unwrap_or_default());
    // Bumped when options move, so the rows (and their key inputs) are drawn again.
    let order = RwSignal::new(0_u32);
    let edit_options = move |change: OptionsChange| {
        editor.edit_field(at, |f| {
            if let Some(options) = options_mut(&mut f.kind) {
                change(options);
            }
        });
    };
    let reorder = move |change: OptionsChange| {
        edit_options(change);
        order.update(|n| *n += 1);
    };
    let add = move |_| {
        edit_options(Box::new(|options| {
            let key = (1..)
                .map(|n| format!("option_{n}"))
                .find(|k| !options.iter().any(|o| o.key.as_str() == k));
            if let Some(key) = key.and_then(|k| OptionKey::parse(k).ok()) {
                let n = options.len() + 1;
                options.push(ChoiceOption {
                    key,
                    label: LocalizedText::new(format!("选项 {n}"), format!("Option {n}")),
                });
            }
        }));
    };
    let rows = move || {
        order.track();
        (0..count.get())
            .map(|i| {
                let initial = editor.field(at, |f| f.options().get(i).map(|o| o.key.as_str().to_owned())).flatten().unwrap_or_default();
                let on_key = Callback::new(move |key: String| {
                    if let Ok(key) = OptionKey::parse(key) {
                        edit_options(Box::new(move |o| if let Some(x) = o.get_mut(i) { x.key = key }));
                    }
                });
                let name = move || editor.field(at, |f| f.options().get(i).map(|o| o.label.get(i18n.locale()).to_owned())).flatten().unwrap_or_default();
                let aria = move |t: Label| move || fill(t(&i18n.t().designer), &[("label", &name())]);
                view! {
                    <li class="option-row" data-testid="option-row">
                        <KeyInput id=format!("option-{i}-key") label_text=|t| t.option_key initial on_valid=on_key testid="option-key" />
                        {bilingual(
                            &format!("option-{i}-label"),
                            |t| t.label,
                            move || editor.field(at, |f| f.options().get(i).map(|o| o.label.clone())).flatten().unwrap_or_default(),
                            move |locale, text| edit_options(Box::new(move |o| if let Some(x) = o.get_mut(i) { set_text(&mut x.label, locale, text) })),
                            false,
                            Some("option-label"),
                        )}
                        <span class="field-row-actions">
                            <button type="button" class="icon-button" aria-label=aria(|t| t.move_up)
                                on:click=move |_| reorder(Box::new(move |o| if i > 0 && i < o.len() { o.swap(i, i - 1) }))>"↑"</button>
                            <button type="button" class="icon-button" aria-label=aria(|t| t.move_down)
                                on:click=move |_| reorder(Box::new(move |o| if i + 1 < o.len() { o.swap(i, i + 1) }))>"↓"</button>
                            <button type="button" class="icon-button" aria-label=aria(|t| t.remove_field) data-testid="option-remove"
                                on:click=move |_| reorder(Box::new(move |o| if i < o.len() { o.remove(i); }))>"×"</button>
                        </span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <fieldset class="field-group options-editor">
            <legend>{move || i18n.t().designer.options}</legend>
            <ol class="option-rows">{rows}</ol>
            <button type="button" class="button button-secondary button-small" data-testid="option-add" on:click=add>
                {move || i18n.t().designer.add_option}
            </button>
        </fieldset>
    }
}
