//! The signature input: a typed name, or a drawing on a canvas sent as a PNG data URL.
//!
//! Both produce the answer shape `shared::schema::Answers` documents for signatures, so
//! the shared engine turns them into a `Signature::Typed` or `Signature::Drawn`.

use leptos::prelude::*;
use serde_json::Value;

use super::field::FieldCtx;
use super::state::text_answer;
use crate::components::signature_pad::SignaturePad;
use crate::i18n::use_i18n;

/// The choice of signing method and the matching input.
#[component]
pub(super) fn SignatureInput(ctx: FieldCtx) -> impl IntoView {
    let i18n = use_i18n();
    let form = ctx.form;
    let key = ctx.key.clone();
    let drawn = RwSignal::new(
        form.answers
            .with_untracked(|a| text_answer(a, &key).starts_with("data:")),
    );
    let mode_name = format!("{}-method", ctx.id);
    let mode = move |is_drawn: bool, suffix: &'static str| {
        let id = format!("{mode_name}-{suffix}");
        let key = key.clone();
        view! {
            <div class="choice">
                <input
                    id=id.clone()
                    type="radio"
                    name=mode_name.clone()
                    prop:checked=move || drawn.get() == is_drawn
                    on:change=move |_| {
                        form.set(&key, Value::Null);
                        drawn.set(is_drawn);
                    }
                />
                <label for=id>
                    {move || {
                        let t = &i18n.t().renderer;
                        if is_drawn { t.signature_drawn } else { t.signature_typed }
                    }}
                </label>
            </div>
        }
    };
    let typed_ctx = ctx.clone();
    let pad_ctx = ctx;
    view! {
        <div class="signature">
            <div
                class="choices choices-inline"
                role="radiogroup"
                aria-label=move || i18n.t().renderer.signature_mode
            >
                {mode(false, "typed")}
                {mode(true, "drawn")}
            </div>
            {move || {
                if drawn.get() {
                    pad(&pad_ctx).into_any()
                } else {
                    typed(&typed_ctx).into_any()
                }
            }}
        </div>
    }
}

fn typed(ctx: &FieldCtx) -> impl IntoView {
    let i18n = use_i18n();
    let form = ctx.form;
    let (read_key, write_key) = (ctx.key.clone(), ctx.key.clone());
    view! {
        <label class="signature-typed-label" for=ctx.id.clone()>
            {move || i18n.t().renderer.signature_typed_label}
        </label>
        <input
            id=ctx.id.clone()
            class="signature-typed"
            type="text"
            autocomplete="name"
            required=ctx.required
            aria-invalid=ctx.aria_invalid()
            aria-describedby=ctx.described_by.clone()
            prop:value=move || form.answers.with(|a| text_answer(a, &read_key))
            on:input=move |ev| form.set(&write_key, Value::String(event_target_value(&ev)))
        />
    }
}

/// The canvas, whose drawing becomes the field's answer.
fn pad(ctx: &FieldCtx) -> impl IntoView {
    let form = ctx.form;
    let has_drawing = {
        let key = ctx.key.clone();
        Signal::derive(move || {
            form.answers
                .with(|a| text_answer(a, &key).starts_with("data:"))
        })
    };
    let (drawn_key, clear_key) = (ctx.key.clone(), ctx.key.clone());
    view! {
        <SignaturePad
            id=ctx.id.clone()
            described_by=ctx.described_by.clone()
            has_drawing
            on_drawn=move |data: String| {
                form.set(&drawn_key, Value::String(data));
                form.touch(&drawn_key);
            }
            on_clear=move |()| form.set(&clear_key, Value::Null)
        />
    }
}
