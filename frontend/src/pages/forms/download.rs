//! Saving a form definition as a JSON file: a Blob, an object URL and a temporary link.

use shared::schema::FormDefinition;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Offers `def` as a download named `file_name`; false when the browser refused.
pub fn download_json(def: &FormDefinition, file_name: &str) -> bool {
    let Ok(json) = serde_json::to_string_pretty(def) else {
        return false;
    };
    download_text(&json, file_name, "application/json").is_some()
}

fn download_text(text: &str, file_name: &str, mime: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = Url::create_object_url_with_blob(&blob).ok()?;
    let link: HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
    link.set_href(&url);
    link.set_download(file_name);
    link.set_hidden(true);
    let body = document.body()?;
    let appended = body.append_child(&link).is_ok();
    link.click();
    if appended {
        let _ = body.remove_child(&link);
    }
    // Revoking at once can cancel the download in some browsers; a minute is plenty.
    leptos::prelude::set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Some(())
}

/// A file name for a form: its English (or Chinese) title reduced to safe characters.
#[must_use]
pub fn file_name(def: &FormDefinition, suffix: &str) -> String {
    let title = def.title.get(shared::i18n::Locale::En);
    let stem: String = title
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let stem = if stem.is_empty() {
        "form".to_owned()
    } else {
        stem
    };
    format!("{stem}-{suffix}.json")
}
