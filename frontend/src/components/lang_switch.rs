//! The header's language switch: one button per locale, the active one pressed.

use leptos::prelude::*;
use shared::i18n::Locale;

use crate::i18n::use_i18n;

/// Buttons that switch the UI between Simplified Chinese and English.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div
            class="lang-switch"
            role="group"
            aria-label=move || i18n.t().language_label
            data-testid="lang-switch"
        >
            {Locale::ALL
                .into_iter()
                .map(|locale| {
                    view! {
                        <button
                            type="button"
                            class="lang-option"
                            lang=locale.tag()
                            data-lang=locale.tag()
                            aria-pressed=move || {
                                if i18n.locale() == locale { "true" } else { "false" }
                            }
                            on:click=move |_| i18n.set(locale)
                        >
                            {locale.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
