//! The number of open alerts as a badge: on the menu's link to the exports console and
//! on the console's alerts tab. Nothing shows while there are none, or while the number
//! is unknown.

use leptos::prelude::*;

use crate::i18n::use_i18n;

/// The badge of `count` open alerts; the number is followed by words for screen readers.
#[component]
pub fn AlertsBadge(
    /// Open alerts, once known.
    #[prop(into)]
    count: Signal<Option<u64>>,
    /// The badge's `data-testid`.
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        count.get().filter(|n| *n > 0).map(|n| {
            view! {
                <span class="badge badge-warning alerts-badge" data-testid=testid data-count=n.to_string()>
                    {n.to_string()}
                    <span class="visually-hidden">" " {move || i18n.t().alerts.badge_open}</span>
                </span>
            }
        })
    }
}
