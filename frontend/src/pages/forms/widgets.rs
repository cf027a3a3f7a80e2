//! Labelled inputs of the designer, bound to a getter and a setter on the draft.

use leptos::prelude::*;
use shared::i18n::{Locale, LocalizedText};

use crate::i18n::{use_i18n, DesignerTexts};

/// A label from the designer's strings.
pub type Label = fn(&DesignerTexts) -> &'static str;

/// A labelled one-line input (or text area when `multiline`).
pub fn text_input(
    id: String,
    label: impl Fn() -> String + Send + Sync + 'static,
    get: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + 'static,
    multiline: bool,
    testid: Option<String>,
) -> impl IntoView {
    let input = if multiline {
        view! {
            <textarea
                id=id.clone()
                rows="4"
                data-testid=testid
                prop:value=get
                on:input=move |ev| set(event_target_value(&ev))
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                type="text"
                data-testid=testid
                prop:value=get
                on:input=move |ev| set(event_target_value(&ev))
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {input}
        </div>
    }
}

/// The label `label` followed by the language name, such as "Title (English)".
fn in_language(label: Label, locale: Locale) -> impl Fn() -> String + Send + Sync + 'static {
    let i18n = use_i18n();
    move || {
        let t = &i18n.t().designer;
        let language = match locale {
            Locale::ZhCn => t.zh,
            Locale::En => t.en,
        };
        format!("{} ({language})", label(t))
    }
}

/// Two inputs, Chinese then English, for one bilingual text. Test ids end in `-zh` and `-en`.
pub fn bilingual(
    id: &str,
    label: Label,
    get: impl Fn() -> LocalizedText + Clone + Send + Sync + 'static,
    set: impl Fn(Locale, String) + Clone + 'static,
    multiline: bool,
    testid: Option<&str>,
) -> impl IntoView {
    let parts = [(Locale::ZhCn, "zh"), (Locale::En, "en")].map(|(locale, suffix)| {
        let get = get.clone();
        let set = set.clone();
        text_input(
            format!("{id}-{suffix}"),
            in_language(label, locale),
            move || match locale {
                Locale::ZhCn => get().zh_cn,
                Locale::En => get().en,
            },
            move |text| set(locale, text),
            multiline,
            testid.map(|t| format!("{t}-{suffix}")),
        )
    });
    let [zh, en] = parts;
    view! { <div class="bilingual">{zh}{en}</div> }
}

/// Sets the `locale` part of `text`.
pub fn set_text(text: &mut LocalizedText, locale: Locale, value: String) {
    match locale {
        Locale::ZhCn => text.zh_cn = value,
        Locale::En => text.en = value,
    }
}

/// A labelled checkbox.
pub fn checkbox(
    id: String,
    label: impl Fn() -> String + Send + Sync + 'static,
    get: impl Fn() -> bool + Send + Sync + 'static,
    set: impl Fn(bool) + 'static,
    testid: Option<String>,
) -> impl IntoView {
    view! {
        <div class="choice">
            <input
                id=id.clone()
                type="checkbox"
                data-testid=testid
                prop:checked=get
                on:change=move |ev| set(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
        </div>
    }
}

/// A labelled select; `options` are `(value, text)` pairs, recomputed on language change.
pub fn select(
    id: String,
    label: impl Fn() -> String + Send + Sync + 'static,
    options: impl Fn() -> Vec<(String, String)> + Send + Sync + 'static,
    get: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + 'static,
    testid: Option<String>,
) -> impl IntoView {
    let get = std::sync::Arc::new(get);
    let current = get.clone();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select
                id=id
                data-testid=testid
                prop:value=move || current()
                on:change=move |ev| set(event_target_value(&ev))
            >
                {move || {
                    let selected = get();
                    options()
                        .into_iter()
                        .map(|(value, text)| {
                            let is_selected = value == selected;
                            view! {
                                <option value=value selected=is_selected>
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// A designer string as a label closure.
pub fn label(get: Label) -> impl Fn() -> String + Send + Sync + 'static + Clone {
    let i18n = use_i18n();
    move || get(&i18n.t().designer).to_owned()
}

/// Parses an optional whole number: blank is `None`, anything else must parse.
pub fn parse_optional<T: std::str::FromStr>(text: &str) -> Result<Option<T>, ()> {
    let text = text.trim();
    if text.is_empty() {
        Ok(None)
    } else {
        text.parse().map(Some).map_err(drop)
    }
}
