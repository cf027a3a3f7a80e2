//! A text as a QR code drawn as inline SVG, on the device and offline: the `qrcode`
//! crate encodes, and each run of dark modules in a row becomes one rectangle of a path.

use std::fmt::Write as _;

use leptos::prelude::*;
use qrcode::{Color, EcLevel, QrCode};

/// The light margin around the code, in modules: the standard's minimum, which scanners
/// need to find the code.
const QUIET_ZONE: usize = 4;

/// A QR code ready to draw: the side of its square in modules (margin included) and the
/// SVG path of its dark modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrDrawing {
    pub side: usize,
    pub path: String,
}

/// The QR code of `text` at error correction level M (a crease or a smudge on paper
/// still scans); `None` when the text does not fit in a QR code.
#[must_use]
pub fn drawing(text: &str) -> Option<QrDrawing> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            let run = row[x..].iter().take_while(|c| **c == Color::Dark).count();
            if run == 0 {
                x += 1;
                continue;
            }
            let _ = write!(
                path,
                "M{} {}h{run}v1h-{run}z",
                x + QUIET_ZONE,
                y + QUIET_ZONE
            );
            x += run;
        }
    }
    Some(QrDrawing {
        side: width + 2 * QUIET_ZONE,
        path,
    })
}

/// The QR code of `text` as an `<svg>` named by `label`, black on white whatever the
/// colour scheme (scanners need the contrast); `fallback` when it does not fit.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
pub fn QrCodeSvg(
    text: String,
    #[prop(into)] label: Signal<&'static str>,
    #[prop(into)] fallback: Signal<&'static str>,
    testid: &'static str,
) -> impl IntoView {
    match drawing(&text) {
        Some(QrDrawing { side, path }) => view! {
            <svg
                class="qr-code"
                xmlns="http://www.w3.org/2000/svg"
                viewBox=format!("0 0 {side} {side}")
                shape-rendering="crispEdges"
                role="img"
                aria-label=move || label.get()
                data-testid=testid
            >
                <rect width=side.to_string() height=side.to_string() fill="#fff"></rect>
                <path d=path fill="#000"></path>
            </svg>
        }
        .into_any(),
        None => view! { <p class="alert alert-info">{move || fallback.get()}</p> }.into_any(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const LINK: &str = "https://consent.example/withdraw#01a2273b-df97-7284-bef1-5d62762c677a.\
                        Zt3yT0k3n_-Zt3yT0k3n_-Zt3yT0k3n_-Zt3yT0k3n_-abc";

    #[test]
    fn a_withdrawal_link_becomes_a_square_with_its_finder_patterns_and_margin() {
        let qr = drawing(LINK).unwrap();
        let modules = qr.side - 2 * QUIET_ZONE;
        // Versions are 21, 25, 29, … modules wide.
        assert_eq!((modules - 17) % 4, 0, "{modules}");
        assert!(
            modules > 21,
            "a link of this length needs more than version 1"
        );
        // The top-left finder pattern: a row of seven dark modules, inside the margin.
        assert!(qr.path.starts_with("M4 4h7v1h-7z"), "{}", &qr.path[..40]);
        // The top-right one starts its first row too.
        let right = format!("M{} 4h7v1h-7z", qr.side - QUIET_ZONE - 7);
        assert!(qr.path.contains(&right));
        // The same text gives the same drawing (the printed copy matches the screen).
        assert_eq!(drawing(LINK), Some(qr));
    }

    #[test]
    fn a_text_too_long_for_a_qr_code_gives_none() {
        assert_eq!(drawing(&"x".repeat(4_000)), None);
    }
}
