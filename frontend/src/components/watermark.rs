//! The on-screen watermark of console pages that show personal data: the viewer's user
//! name and the current time to the minute, tiled diagonally and faintly over the page,
//! so that a photo or screenshot of the screen says who was looking, and when.
//!
//! The layout mounts it once for every route (`layout.rs`); [`shows_personal_data`] is
//! the one list of the routes that get it. The customer's app (`embed/`) and the sign-in
//! page never show it. It is plain text laid out by the stylesheet (`.watermark` in
//! `console.css`): the CSP forbids inline styles, and text needs no image. It catches no
//! pointer events, is hidden from screen readers and is printed too.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::session::use_session;

/// The routes, and everything under them, whose pages show personal data: records and
/// their history, data-subject requests, exports (waiting approvals, the ledger, traced
/// files) and edit conflicts.
const PERSONAL_DATA_ROUTES: [&str; 4] = ["/records", "/requests", "/exports", "/conflicts"];

/// Rows of text, and the user name and time in each row: enough to cover the largest
/// screen once turned (the stylesheet clips the rest).
const ROWS: usize = 36;
const PER_ROW: usize = 14;

/// How often the clock is read; the text changes only when the minute does.
const CLOCK_EVERY: Duration = Duration::from_secs(5);

/// Whether the page at `path` shows personal data, and so carries the watermark.
#[must_use]
pub fn shows_personal_data(path: &str) -> bool {
    PERSONAL_DATA_ROUTES.iter().any(|route| {
        path.strip_prefix(route)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// A local time to the minute, as `yyyy-mm-dd hh:mm` (the same in both languages).
#[must_use]
pub fn minute_stamp(year: u32, month: u32, day: u32, hour: u32, minute: u32) -> String {
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}")
}

/// The watermark's text: who is looking, and when.
#[must_use]
pub fn watermark_text(username: &str, stamp: &str) -> String {
    format!("{username} · {stamp}")
}

/// One row of the watermark: the text again and again, with wide gaps.
#[must_use]
fn row_text(text: &str) -> String {
    [text; PER_ROW].join("\u{2003}\u{2003}\u{2003}\u{2003}")
}

/// The browser's local time now, to the minute.
fn now_stamp() -> String {
    let now = js_sys::Date::new_0();
    minute_stamp(
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date(),
        now.get_hours(),
        now.get_minutes(),
    )
}

/// The watermark, over pages that show personal data while someone is signed in.
#[component]
pub fn Watermark() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let username = Memo::new(move |_| session.info().map(|i| i.user.username));
    let shown = move || {
        username.with(Option::is_some) && location.pathname.with(|p| shows_personal_data(p))
    };
    view! {
        <Show when=shown>
            <Tiles username />
        </Show>
    }
}

/// The tiled text, with its clock (running only while it is shown).
#[component]
fn Tiles(username: Memo<Option<String>>) -> impl IntoView {
    let stamp = RwSignal::new(now_stamp());
    let tick = move || {
        let now = now_stamp();
        if stamp.with_untracked(|s| *s != now) {
            stamp.set(now);
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, CLOCK_EVERY) {
        on_cleanup(move || handle.clear());
    }
    let row = Memo::new(move |_| {
        let name = username.get().unwrap_or_default();
        row_text(&watermark_text(&name, &stamp.get()))
    });
    // The text is drawn by CSS from `data-text` (`content: attr(data-text)`): it is a
    // picture over the page, not content, so it is neither read out nor held to the
    // contrast that text must meet.
    view! {
        <div class="watermark" aria-hidden="true" data-testid="watermark" data-text=row>
            <div class="watermark-tiles">
                {(0..ROWS).map(|_| view! { <p class="watermark-row" data-text=row></p> }).collect_view()}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_with_personal_data_carry_it_and_others_do_not() {
        for path in [
            "/records",
            "/records/3f6c/history",
            "/requests",
            "/requests/abc",
            "/exports",
            "/exports/trace",
            "/exports/alerts",
            "/conflicts",
        ] {
            assert!(shows_personal_data(path), "{path}");
        }
        for path in [
            "/",
            "/login",
            "/account",
            "/forms",
            "/recordsx",
            "/audit",
            "/f/abc",
        ] {
            assert!(!shows_personal_data(path), "{path}");
        }
    }

    #[test]
    fn the_text_names_the_viewer_and_the_minute() {
        let stamp = minute_stamp(2025, 3, 7, 9, 5);
        assert_eq!(stamp, "2025-03-07 09:05");
        assert_eq!(
            watermark_text("li.wei", &stamp),
            "li.wei · 2025-03-07 09:05"
        );
        let row = row_text("a");
        assert_eq!(row.matches('a').count(), PER_ROW);
    }
}
