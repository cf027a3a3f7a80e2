//! The visibility builder: "show this field only when" one or more tests on earlier
//! answers hold, all of them or any of them.
//!
//! The builder edits conditions of the shapes it can show: one test, or `all`/`any` of
//! tests (`equals`, `not_equals`, `one_of`, `is_filled`, `includes`). A condition of any
//! other shape (imported JSON, say) is kept unchanged and can only be removed.

use leptos::prelude::*;
use serde_json::Value;
use shared::schema::{Condition, Field, FieldKey, FieldKind};

use super::Editor;

/// A change to the grouping ("any?") and the list of tests.
type ListChange = Box<dyn FnOnce(&mut bool, &mut Vec<Condition>)>;
use crate::i18n::{use_i18n, DesignerTexts};
use crate::pages::forms::widgets::{label, select, text_input};

/// The tests the builder offers, by JSON name.
const OPS: [&str; 5] = ["equals", "not_equals", "one_of", "is_filled", "includes"];

fn op_name(t: &DesignerTexts, op: &str) -> &'static str {
    match op {
        "not_equals" => t.op_not_equals,
        "one_of" => t.op_one_of,
        "is_filled" => t.op_is_filled,
        "includes" => t.op_includes,
        _ => t.op_equals,
    }
}

/// The field and JSON name of a simple test; `None` for groups and negations.
fn simple(c: &Condition) -> Option<(&FieldKey, &'static str)> {
    match c {
        Condition::Equals { field, .. } => Some((field, "equals")),
        Condition::NotEquals { field, .. } => Some((field, "not_equals")),
        Condition::OneOf { field, .. } => Some((field, "one_of")),
        Condition::IsFilled { field } => Some((field, "is_filled")),
        Condition::Includes { field, .. } => Some((field, "includes")),
        Condition::All(_) | Condition::Any(_) | Condition::Not(_) => None,
    }
}

/// The condition as "any?" and a list of simple tests, when the builder can show it.
fn clauses(c: Option<&Condition>) -> Option<(bool, Vec<Condition>)> {
    let all_simple = |v: &[Condition]| v.iter().all(|c| simple(c).is_some());
    match c {
        None => Some((false, Vec::new())),
        Some(Condition::All(v)) if all_simple(v) => Some((false, v.clone())),
        Some(Condition::Any(v)) if all_simple(v) => Some((true, v.clone())),
        Some(c) if simple(c).is_some() => Some((false, vec![c.clone()])),
        Some(_) => None,
    }
}

/// The condition made of `list`, grouped by `any`.
fn compose(any: bool, mut list: Vec<Condition>) -> Option<Condition> {
    match list.len() {
        0 => None,
        1 => list.pop(),
        _ if any => Some(Condition::Any(list)),
        _ => Some(Condition::All(list)),
    }
}

/// The value a new test on `field` starts with.
fn default_value(field: Option<&Field>) -> Value {
    match field.map(|f| &f.kind) {
        Some(FieldKind::YesNo) => Value::Bool(true),
        Some(FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options }) => {
            options
                .first()
                .map_or(Value::Null, |o| Value::String(o.key.as_str().to_owned()))
        }
        _ => Value::String(String::new()),
    }
}

/// A test `op` on `field`, keeping `value` when there is one.
fn make(op: &str, field: FieldKey, value: Value) -> Condition {
    match op {
        "not_equals" => Condition::NotEquals { field, value },
        "one_of" => Condition::OneOf {
            field,
            values: vec![value],
        },
        "is_filled" => Condition::IsFilled { field },
        "includes" => Condition::Includes {
            field,
            value: value.as_str().unwrap_or_default().to_owned(),
        },
        _ => Condition::Equals { field, value },
    }
}

/// The single value of a test (the first of `one_of`).
fn value_of(c: &Condition) -> Value {
    match c {
        Condition::Equals { value, .. } | Condition::NotEquals { value, .. } => value.clone(),
        Condition::OneOf { values, .. } => values.first().cloned().unwrap_or(Value::Null),
        Condition::Includes { value, .. } => Value::String(value.clone()),
        _ => Value::Null,
    }
}

/// The builder for the field at `at`.
#[component]
pub fn ConditionBuilder(editor: Editor, at: (usize, usize)) -> impl IntoView {
    let i18n = use_i18n();
    let shape = Memo::new(move |_| {
        editor
            .field(at, |f| {
                clauses(f.visible_when.as_ref()).map(|(any, list)| (any, list.len()))
            })
            .flatten()
    });
    let set_all = move |change: ListChange| {
        editor.edit_field(at, |f| {
            if let Some((mut any, mut list)) = clauses(f.visible_when.as_ref()) {
                change(&mut any, &mut list);
                f.visible_when = compose(any, list);
            }
        });
    };
    let earlier = move || {
        editor.draft.with(|d| {
            d.sections
                .iter()
                .enumerate()
                .flat_map(|(s, section)| {
                    section
                        .fields
                        .iter()
                        .enumerate()
                        .map(move |(i, f)| ((s, i), f))
                })
                .take_while(|(place, _)| *place != at)
                .filter(|(_, f)| f.holds_value())
                .map(|(_, f)| f.clone())
                .collect::<Vec<_>>()
        })
    };
    let add = move |_| {
        let Some(target) = earlier().pop() else {
            return;
        };
        set_all(Box::new(move |_, list| {
            list.push(Condition::Equals {
                value: default_value(Some(&target)),
                field: target.key,
            });
        }));
    };
    let body = move || {
        match shape.get() {
        None => view! {
            <p class="muted">{move || i18n.t().designer.condition_complex}</p>
        }
        .into_any(),
        Some((_, 0)) => view! {
            <p class="muted" data-testid="condition-none">{move || i18n.t().designer.condition_always}</p>
        }
        .into_any(),
        Some((_, count)) => view! {
            {(count > 1).then(|| select(
                "condition-mode".to_owned(),
                label(|t| t.condition),
                move || {
                    let t = &i18n.t().designer;
                    vec![("all".to_owned(), t.condition_all.to_owned()), ("any".to_owned(), t.condition_any.to_owned())]
                },
                move || if shape.get().is_some_and(|(any, _)| any) { "any".to_owned() } else { "all".to_owned() },
                move |v| set_all(Box::new(move |any, _| *any = v == "any")),
                Some("condition-mode".to_owned()),
            ))}
            <ol class="condition-rows">
                {(0..count).map(|i| view! { <ClauseRow editor at i /> }).collect_view()}
            </ol>
        }
        .into_any(),
    }
    };
    view! {
        <fieldset class="field-group condition-builder" data-testid="condition-builder">
            <legend>{move || i18n.t().designer.condition}</legend>
            {body}
            <div class="button-row">
                <Show when=move || shape.get().is_some() && !earlier().is_empty()>
                    <button type="button" class="button button-secondary button-small" data-testid="condition-add" on:click=add>
                        {move || i18n.t().designer.add_condition}
                    </button>
                </Show>
                <Show when=move || editor.field(at, |f| f.visible_when.is_some()).unwrap_or_default()>
                    <button
                        type="button"
                        class="button button-secondary button-small"
                        data-testid="condition-clear"
                        on:click=move |_| editor.edit_field(at, |f| f.visible_when = None)
                    >
                        {move || i18n.t().designer.condition_clear}
                    </button>
                </Show>
            </div>
        </fieldset>
    }
}

/// One test: which field, which test, and the value.
#[component]
fn ClauseRow(editor: Editor, at: (usize, usize), i: usize) -> impl IntoView {
    let i18n = use_i18n();
    let clause = move || {
        editor
            .field(at, |f| {
                clauses(f.visible_when.as_ref()).and_then(|(_, list)| list.get(i).cloned())
            })
            .flatten()
    };
    let set = move |make_new: Box<dyn FnOnce(&Condition) -> Condition>| {
        editor.edit_field(at, |f| {
            if let Some((any, mut list)) = clauses(f.visible_when.as_ref()) {
                if let Some(old) = list.get(i) {
                    let new = make_new(old);
                    list[i] = new;
                    f.visible_when = compose(any, list);
                }
            }
        });
    };
    let target = move || {
        clause().and_then(|c| {
            let key = simple(&c).map(|(k, _)| k.clone())?;
            editor.draft.with(|d| d.field(key.as_str()).cloned())
        })
    };
    let fields = move || {
        editor.draft.with(|d| {
            let mut out = Vec::new();
            'outer: for (s, section) in d.sections.iter().enumerate() {
                for (f, field) in section.fields.iter().enumerate() {
                    if (s, f) == at {
                        break 'outer;
                    }
                    if field.holds_value() {
                        out.push((
                            field.key.as_str().to_owned(),
                            format!(
                                "{} ({})",
                                field.label.get(i18n.locale()),
                                field.key.as_str()
                            ),
                        ));
                    }
                }
            }
            out
        })
    };
    let field_select = select(
        format!("condition-{i}-field"),
        label(|t| t.condition_field),
        fields,
        move || {
            clause()
                .and_then(|c| simple(&c).map(|(k, _)| k.as_str().to_owned()))
                .unwrap_or_default()
        },
        move |key| {
            let Ok(key) = FieldKey::parse(key) else {
                return;
            };
            let value = editor
                .draft
                .with_untracked(|d| default_value(d.field(key.as_str())));
            set(Box::new(move |old| {
                make(simple(old).map_or("equals", |(_, op)| op), key, value)
            }));
        },
        Some("condition-field".to_owned()),
    );
    let op_select = select(
        format!("condition-{i}-op"),
        label(|t| t.condition_op),
        move || {
            OPS.iter()
                .map(|op| ((*op).to_owned(), op_name(&i18n.t().designer, op).to_owned()))
                .collect()
        },
        move || {
            clause()
                .and_then(|c| simple(&c).map(|(_, op)| op.to_owned()))
                .unwrap_or_default()
        },
        move |op| {
            set(Box::new(move |old| {
                let key = simple(old).map(|(k, _)| k.clone());
                match key {
                    Some(key) => make(&op, key, value_of(old)),
                    None => old.clone(),
                }
            }));
        },
        Some("condition-op".to_owned()),
    );
    // Drawn again only when the test or the tested field's kind changes, so typing a
    // value keeps the focus.
    let value_shape = Memo::new(move |_| {
        let c = clause()?;
        let (_, op) = simple(&c)?;
        Some((op, target().map(|f| f.kind)))
    });
    let value_editor = move || {
        let (op, kind) = value_shape.get()?;
        if op == "is_filled" {
            return None;
        }
        let choices: Option<Vec<(String, String)>> = match kind.as_ref() {
            Some(FieldKind::YesNo) => {
                let t = &i18n.t().renderer;
                Some(vec![
                    ("true".to_owned(), t.yes.to_owned()),
                    ("false".to_owned(), t.no.to_owned()),
                ])
            }
            Some(FieldKind::SingleChoice { options } | FieldKind::MultipleChoice { options }) => {
                Some(
                    options
                        .iter()
                        .map(|o| {
                            (
                                o.key.as_str().to_owned(),
                                o.label.get(i18n.locale()).to_owned(),
                            )
                        })
                        .collect(),
                )
            }
            _ => None,
        };
        let is_bool = matches!(kind, Some(FieldKind::YesNo));
        let to_value = move |text: String| -> Value {
            match (is_bool, text.as_str()) {
                (true, "true") => Value::Bool(true),
                (true, "false") => Value::Bool(false),
                _ => Value::String(text),
            }
        };
        let shown = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let view = match (choices, op) {
            (Some(choices), _) if op != "one_of" => select(
                format!("condition-{i}-value"),
                label(|t| t.condition_value),
                move || choices.clone(),
                move || clause().map(|c| shown(&value_of(&c))).unwrap_or_default(),
                move |text| {
                    let value = to_value(text);
                    set(Box::new(move |old| {
                        simple(old)
                            .map_or_else(|| old.clone(), |(k, op)| make(op, k.clone(), value))
                    }));
                },
                Some("condition-value".to_owned()),
            )
            .into_any(),
            _ => text_input(
                format!("condition-{i}-value"),
                label(if op == "one_of" {
                    |t: &DesignerTexts| t.condition_values_hint
                } else {
                    |t: &DesignerTexts| t.condition_value
                }),
                move || {
                    clause()
                        .map(|c| match c {
                            Condition::OneOf { values, .. } => {
                                values.iter().map(shown).collect::<Vec<_>>().join(", ")
                            }
                            other => shown(&value_of(&other)),
                        })
                        .unwrap_or_default()
                },
                move |text| {
                    set(Box::new(move |old| match old {
                        Condition::OneOf { field, .. } => Condition::OneOf {
                            field: field.clone(),
                            values: text
                                .split([',', '，'])
                                .map(str::trim)
                                .filter(|s| !s.is_empty())
                                .map(|s| to_value(s.to_owned()))
                                .collect(),
                        },
                        other => simple(other).map_or_else(
                            || other.clone(),
                            |(k, op)| make(op, k.clone(), to_value(text)),
                        ),
                    }));
                },
                false,
                Some("condition-value".to_owned()),
            )
            .into_any(),
        };
        Some(view)
    };
    let remove = move |_| {
        editor.edit_field(at, |f| {
            if let Some((any, mut list)) = clauses(f.visible_when.as_ref()) {
                if i < list.len() {
                    list.remove(i);
                }
                f.visible_when = compose(any, list);
            }
        });
    };
    view! {
        <li class="condition-row" data-testid="condition-row">
            {field_select}
            {op_select}
            {value_editor}
            <button type="button" class="button button-secondary button-small" data-testid="condition-remove" on:click=remove>
                {move || i18n.t().designer.remove}
            </button>
        </li>
    }
}
