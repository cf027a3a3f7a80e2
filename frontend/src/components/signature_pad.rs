//! A canvas to sign on with a mouse, finger or pen, which gives the drawing as a PNG
//! data URL: the form renderer's drawn signatures, and the customer's signature on a
//! withdrawal staff record in the console.

use leptos::ev::PointerEvent;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::i18n::use_i18n;

/// The drawing's size in canvas pixels; CSS scales it to the width available.
const PAD_WIDTH: u32 = 600;
const PAD_HEIGHT: u32 = 200;

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

/// The canvas and a button that clears it. `on_drawn` receives the whole drawing after
/// each stroke; `has_drawing` says whether its owner keeps one.
#[component]
pub fn SignaturePad(
    /// The canvas's `id`.
    id: String,
    /// The ids of the texts that describe the canvas.
    #[prop(optional)]
    described_by: Option<String>,
    /// True while a drawing is kept (tracked).
    #[prop(into)]
    has_drawing: Signal<bool>,
    /// Receives the drawing, as a PNG data URL, after each stroke.
    #[prop(into)]
    on_drawn: Callback<String>,
    /// Runs when the person clears the canvas.
    #[prop(into)]
    on_clear: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let canvas = NodeRef::<Canvas>::new();
    let drawing = RwSignal::new(false);
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
    let end = move |_: PointerEvent| {
        if !drawing.get_untracked() {
            return;
        }
        drawing.set(false);
        if let Some(data) = canvas.get_untracked().and_then(|el| el.to_data_url().ok()) {
            on_drawn.run(data);
        }
    };
    let clear = move |_| {
        if let Some(el) = canvas.get_untracked() {
            if let Some(c) = context_2d(&el) {
                c.clear_rect(0.0, 0.0, f64::from(el.width()), f64::from(el.height()));
            }
        }
        on_clear.run(());
    };
    view! {
        <canvas
            node_ref=canvas
            id=id
            class="signature-pad"
            width=PAD_WIDTH
            height=PAD_HEIGHT
            role="img"
            aria-label=move || i18n.t().renderer.signature_canvas_label
            aria-describedby=described_by
            on:pointerdown=start
            on:pointermove=draw
            on:pointerup=end
            on:pointercancel=end
        ></canvas>
        <div class="signature-actions">
            <button type="button" class="button button-secondary button-small" on:click=clear>
                {move || i18n.t().renderer.signature_clear}
            </button>
            <Show when=move || has_drawing.get()>
                <span class="muted" role="status">
                    {move || i18n.t().renderer.signature_drawn_done}
                </span>
            </Show>
        </div>
    }
}
