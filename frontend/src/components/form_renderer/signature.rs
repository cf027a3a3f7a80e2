//! The signature input: a typed name, or a drawing on a canvas sent as a PNG data URL.
//!
//! Both produce the answer shape `shared::schema::Answers` documents for signatures, so
//! the shared engine turns them into a `Signature::Typed` or `Signature::Drawn`.

use leptos::ev::PointerEvent;
use leptos::html::Canvas;
use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::field::FieldCtx;
use super::state::text_answer;
use crate::i18n::use_i18n;

/// The drawing's size in canvas pixels; CSS scales it to the width available.
const PAD_WIDTH: u32 = 600;
const PAD_HEIGHT: u32 = 200;

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
                    view! { <SignaturePad ctx=pad_ctx.clone() /> }.into_any()
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

fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// The pointer position in canvas pixels.
fn point(canvas: &HtmlCanvasElement, ev: &PointerEvent) -> (f64, f64) {
    let rect = canvas.get_bounding_client_rect();
    let sx = f64::from(canvas.width()) / rect.width().max(1.0);
    let sy = f64::from(canvas.height()) / rect.height().max(1.0);
    (
        (f64::from(ev.client_x()) - rect.left()) * sx,
        (f64::from(ev.client_y()) - rect.top()) * sy,
    )
}

/// A canvas to draw on with a mouse, finger or pen, and a button that clears it.
#[component]
fn SignaturePad(ctx: FieldCtx) -> impl IntoView {
    let i18n = use_i18n();
    let form = ctx.form;
    let canvas = NodeRef::<Canvas>::new();
    let drawing = RwSignal::new(false);
    let has_drawing = {
        let key = ctx.key.clone();
        move || {
            form.answers
                .with(|a| text_answer(a, &key).starts_with("data:"))
        }
    };
    let start = move |ev: PointerEvent| {
        let Some(el) = canvas.get_untracked() else {
            return;
        };
        let Some(c) = context_2d(&el) else { return };
        ev.prevent_default();
        let _ = el.set_pointer_capture(ev.pointer_id());
        let (x, y) = point(&el, &ev);
        c.set_line_width(3.0);
        c.set_line_cap("round");
        c.set_line_join("round");
        c.set_stroke_style_str("#111111");
        c.begin_path();
        c.move_to(x, y);
        c.line_to(x, y);
        c.stroke();
        drawing.set(true);
    };
    let draw = move |ev: PointerEvent| {
        if !drawing.get_untracked() {
            return;
        }
        let Some(el) = canvas.get_untracked() else {
            return;
        };
        if let Some(c) = context_2d(&el) {
            let (x, y) = point(&el, &ev);
            c.line_to(x, y);
            c.stroke();
        }
    };
    let end_key = ctx.key.clone();
    let end = move |_: PointerEvent| {
        if !drawing.get_untracked() {
            return;
        }
        drawing.set(false);
        if let Some(data) = canvas.get_untracked().and_then(|el| el.to_data_url().ok()) {
            form.set(&end_key, Value::String(data));
            form.touch(&end_key);
        }
    };
    let clear_key = ctx.key.clone();
    let clear = move |_| {
        if let Some(el) = canvas.get_untracked() {
            if let Some(c) = context_2d(&el) {
                c.clear_rect(0.0, 0.0, f64::from(el.width()), f64::from(el.height()));
            }
        }
        form.set(&clear_key, Value::Null);
    };
    view! {
        <canvas
            node_ref=canvas
            id=ctx.id.clone()
            class="signature-pad"
            width=PAD_WIDTH
            height=PAD_HEIGHT
            role="img"
            aria-label=move || i18n.t().renderer.signature_canvas_label
            aria-describedby=ctx.described_by
            on:pointerdown=start
            on:pointermove=draw
            on:pointerup=end.clone()
            on:pointercancel=end
        ></canvas>
        <div class="signature-actions">
            <button type="button" class="button button-secondary button-small" on:click=clear>
                {move || i18n.t().renderer.signature_clear}
            </button>
            <Show when=has_drawing>
                <span class="muted" role="status">
                    {move || i18n.t().renderer.signature_drawn_done}
                </span>
            </Show>
        </div>
    }
}
