//! The input widgets per field kind: text boxes, radios, checkboxes and the address parts.
//!
//! Each widget reads its answer from the form's `answers` and writes it back in the API's
//! answer shape (see `shared::schema::Answers`).

use leptos::prelude::*;
use serde_json::Value;
use shared::schema::ChoiceOption;

use super::field::FieldCtx;
use super::state::{address_part, text_answer};
use crate::i18n::{use_i18n, RendererTexts};

/// A one-line input whose answer is its text.
pub(super) fn text(
    ctx: &FieldCtx,
    input_type: &'static str,
    inputmode: Option<&'static str>,
    autocomplete: Option<&'static str>,
) -> AnyView {
    let form = ctx.form;
    let read_key = ctx.key.clone();
    let write_key = ctx.key.clone();
    view! {
        <input
            id=ctx.id.clone()
            name=ctx.id.clone()
            type=input_type
            inputmode=inputmode
            autocomplete=autocomplete
            required=ctx.required
            aria-invalid=ctx.aria_invalid()
            aria-describedby=ctx.described_by.clone()
            prop:value=move || form.answers.with(|a| text_answer(a, &read_key))
            on:input=move |ev| form.set(&write_key, Value::String(event_target_value(&ev)))
        />
    }
    .into_any()
}

/// A multi-line text area.
pub(super) fn long_text(ctx: &FieldCtx) -> AnyView {
    let form = ctx.form;
    let read_key = ctx.key.clone();
    let write_key = ctx.key.clone();
    view! {
        <textarea
            id=ctx.id.clone()
            name=ctx.id.clone()
            rows="4"
            required=ctx.required
            aria-invalid=ctx.aria_invalid()
            aria-describedby=ctx.described_by.clone()
            prop:value=move || form.answers.with(|a| text_answer(a, &read_key))
            on:input=move |ev| form.set(&write_key, Value::String(event_target_value(&ev)))
        ></textarea>
    }
    .into_any()
}

/// One radio button or checkbox with its label.
fn choice(
    ctx: &FieldCtx,
    input_type: &'static str,
    id: String,
    label: impl Fn() -> String + Send + Sync + 'static,
    checked: impl Fn() -> bool + Send + Sync + 'static,
    on_change: impl Fn() + 'static,
) -> impl IntoView {
    let key = ctx.key.clone();
    let form = ctx.form;
    view! {
        <div class="choice">
            <input
                id=id.clone()
                type=input_type
                name=ctx.id.clone()
                aria-invalid=ctx.aria_invalid()
                prop:checked=checked
                on:change=move |_| {
                    on_change();
                    form.touch(&key);
                }
            />
            <label for=id>{label}</label>
        </div>
    }
}

/// Radios answered with the chosen option's key.
pub(super) fn single_choice(ctx: &FieldCtx, options: &[ChoiceOption]) -> AnyView {
    let i18n = use_i18n();
    let items = options
        .iter()
        .map(|option| {
            let form = ctx.form;
            let value = option.key.as_str().to_owned();
            let label = option.label.clone();
            let (read_key, write_key) = (ctx.key.clone(), ctx.key.clone());
            let (read_value, write_value) = (value.clone(), value.clone());
            choice(
                ctx,
                "radio",
                format!("{}-{value}", ctx.id),
                move || label.get(i18n.locale()).to_owned(),
                move || {
                    form.answers
                        .with(|a| text_answer(a, &read_key) == read_value)
                },
                move || form.set(&write_key, Value::String(write_value.clone())),
            )
        })
        .collect_view();
    view! { <div class="choices">{items}</div> }.into_any()
}

/// Checkboxes answered with the chosen keys, in the options' order.
pub(super) fn multiple_choice(ctx: &FieldCtx, options: &[ChoiceOption]) -> AnyView {
    let i18n = use_i18n();
    let order: Vec<String> = options.iter().map(|o| o.key.as_str().to_owned()).collect();
    let items = options
        .iter()
        .map(|option| {
            let form = ctx.form;
            let value = option.key.as_str().to_owned();
            let label = option.label.clone();
            let (read_key, write_key) = (ctx.key.clone(), ctx.key.clone());
            let (read_value, write_value) = (value.clone(), value.clone());
            let order = order.clone();
            let checked = move || {
                form.answers.with(|a| {
                    a.get(&read_key)
                        .and_then(Value::as_array)
                        .is_some_and(|items| items.iter().any(|i| i.as_str() == Some(&read_value)))
                })
            };
            let toggle = move || {
                let mut picked: Vec<String> = form.answers.with_untracked(|a| {
                    a.get(&write_key)
                        .and_then(Value::as_array)
                        .map(|items| {
                            items
                                .iter()
                                .filter_map(|i| i.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default()
                });
                if picked.contains(&write_value) {
                    picked.retain(|p| *p != write_value);
                } else {
                    picked.push(write_value.clone());
                }
                let sorted: Vec<Value> = order
                    .iter()
                    .filter(|o| picked.contains(o))
                    .map(|o| Value::String(o.clone()))
                    .collect();
                form.set(&write_key, Value::Array(sorted));
            };
            choice(
                ctx,
                "checkbox",
                format!("{}-{value}", ctx.id),
                move || label.get(i18n.locale()).to_owned(),
                checked,
                toggle,
            )
        })
        .collect_view();
    view! { <div class="choices">{items}</div> }.into_any()
}

/// Two radios answered with `true` or `false`.
pub(super) fn yes_no(ctx: &FieldCtx) -> AnyView {
    let i18n = use_i18n();
    let items = [
        (
            true,
            "yes",
            (|t: &RendererTexts| t.yes) as fn(&RendererTexts) -> &'static str,
        ),
        (false, "no", |t: &RendererTexts| t.no),
    ]
    .into_iter()
    .map(|(value, suffix, label)| {
        let form = ctx.form;
        let (read_key, write_key) = (ctx.key.clone(), ctx.key.clone());
        choice(
            ctx,
            "radio",
            format!("{}-{suffix}", ctx.id),
            move || label(&i18n.t().renderer).to_owned(),
            move || {
                form.answers
                    .with(|a| a.get(&read_key) == Some(&Value::Bool(value)))
            },
            move || form.set(&write_key, Value::Bool(value)),
        )
    })
    .collect_view();
    view! { <div class="choices choices-inline">{items}</div> }.into_any()
}

/// Province, city, district and street inputs answered as one object.
pub(super) fn address(ctx: &FieldCtx) -> AnyView {
    let i18n = use_i18n();
    type Label = fn(&RendererTexts) -> &'static str;
    let parts: [(&'static str, &'static str, Label); 4] = [
        ("province", "address-level1", |t| t.province),
        ("city", "address-level2", |t| t.city),
        ("district", "address-level3", |t| t.district),
        ("detail", "street-address", |t| t.address_detail),
    ];
    let items = parts
        .into_iter()
        .enumerate()
        .map(|(i, (part, autocomplete, label))| {
            let form = ctx.form;
            let (read_key, write_key) = (ctx.key.clone(), ctx.key.clone());
            // The first part carries the field's id, so the field can be focused.
            let id = if i == 0 {
                ctx.id.clone()
            } else {
                format!("{}-{part}", ctx.id)
            };
            let write = move |text: String| {
                let mut object = serde_json::Map::new();
                form.answers.with_untracked(|a| {
                    for name in ["province", "city", "district", "detail"] {
                        object.insert(
                            name.to_owned(),
                            Value::String(address_part(a, &write_key, name)),
                        );
                    }
                });
                object.insert(part.to_owned(), Value::String(text));
                form.set(&write_key, Value::Object(object));
            };
            view! {
                <div class=format!("address-part address-{part}")>
                    <label for=id.clone()>{move || label(&i18n.t().renderer)}</label>
                    <input
                        id=id
                        type="text"
                        autocomplete=autocomplete
                        required=ctx.required && part != "district"
                        aria-invalid=ctx.aria_invalid()
                        aria-describedby=ctx.described_by.clone()
                        prop:value=move || form.answers.with(|a| address_part(a, &read_key, part))
                        on:input=move |ev| write(event_target_value(&ev))
                    />
                </div>
            }
        })
        .collect_view();
    view! { <div class="address">{items}</div> }.into_any()
}
