//! Pieces the console's pages share: the permission gate, a copy button, the loading
//! notice and the error alert of a load, dialogs, and local times.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use shared::access::Permission;
use shared::api::error::{ApiError, ErrorCode};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::use_i18n;
use crate::session::{use_session, SessionState};

/// Shows `children` to signed-in roles that hold `permission` (the rule the server
/// checks on the page's API routes); sends signed-out visitors to the sign-in page
/// (which brings them back) and shows `forbidden` to other roles.
#[component]
pub fn RolesOnly(permission: Permission, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    Effect::new(move |was_signed_in: Option<bool>| {
        let state = session.state();
        let was_signed_in = was_signed_in.unwrap_or(false);
        if state == SessionState::SignedOut && !was_signed_in {
            let here = location.pathname.get_untracked();
            let next = String::from(js_sys::encode_uri_component(&here));
            navigate(
                &format!("/login?next={next}"),
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            );
        }
        was_signed_in || matches!(state, SessionState::SignedIn(_))
    });
    move || match session.info() {
        Some(info) if permission.allows(Some(info.user.role)) => children().into_any(),
        Some(_) => view! { <ErrorAlert code=ErrorCode::Forbidden /> }.into_any(),
        None => view! { <Loading /> }.into_any(),
    }
}

/// Says that something is loading: the fallback of a page's `Suspense` or `Transition`.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="muted loading" role="status" data-testid="loading">
            {move || i18n.t().loading}
        </p>
    }
}

/// The translated message of an error code, as an alert.
#[component]
pub fn ErrorAlert(code: ErrorCode) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="alert alert-error" role="alert">
            <p class="alert-title">{move || i18n.t().error(code)}</p>
        </div>
    }
}

/// Shows a failed load's or action's error, if any, as an alert.
#[component]
pub fn LoadError(#[prop(into)] error: Signal<Option<ApiError>>) -> impl IntoView {
    move || error.get().map(|e| view! { <ErrorAlert code=e.code /> })
}

/// A button that copies `text` to the clipboard and says whether it worked.
#[component]
pub fn CopyButton(text: String, #[prop(optional)] testid: Option<&'static str>) -> impl IntoView {
    let i18n = use_i18n();
    let outcome = RwSignal::new(None::<bool>);
    let text = StoredValue::new(text);
    let copy = move |_| {
        let text = text.get_value();
        leptos::task::spawn_local(async move {
            outcome.set(Some(write_clipboard(&text).await));
        });
    };
    view! {
        <button
            type="button"
            class="button button-secondary button-small"
            on:click=copy
            data-testid=testid
        >
            {move || i18n.t().console.copy}
        </button>
        <span class="copy-outcome" role="status">
            {move || {
                let t = &i18n.t().console;
                outcome.get().map(|ok| if ok { t.copied } else { t.copy_failed })
            }}
        </span>
    }
}

/// Writes `text` to the clipboard; false when the browser refuses.
async fn write_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let clipboard = js_sys::Reflect::get(&window.navigator(), &JsValue::from_str("clipboard"))
        .ok()
        .filter(|c| !c.is_undefined());
    let Some(clipboard) = clipboard else {
        return false;
    };
    let write = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText"))
        .ok()
        .and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok());
    let Some(write) = write else {
        return false;
    };
    match write.call1(&clipboard, &JsValue::from_str(text)) {
        Ok(promise) => match wasm_bindgen::JsCast::dyn_into::<js_sys::Promise>(promise) {
            Ok(promise) => JsFuture::from(promise).await.is_ok(),
            Err(_) => false,
        },
        Err(_) => false,
    }
}

/// A Unix time in milliseconds as the browser writes a local date and time in `locale`.
#[must_use]
pub fn local_time(unix_ms: i64, locale: &str) -> String {
    #[allow(clippy::cast_precision_loss)] // Exact for any date before the year 285,000.
    let date = js_sys::Date::new(&JsValue::from_f64(unix_ms as f64));
    date.to_locale_string(locale, &JsValue::UNDEFINED).into()
}

/// A Unix time in milliseconds as the browser writes a local date (no time) in `locale`.
#[must_use]
pub fn local_date(unix_ms: i64, locale: &str) -> String {
    #[allow(clippy::cast_precision_loss)] // Exact for any date before the year 285,000.
    let date = js_sys::Date::new(&JsValue::from_f64(unix_ms as f64));
    date.to_locale_date_string(locale, &JsValue::UNDEFINED)
        .into()
}

/// The calendar day (UTC) of a Unix time in milliseconds as the browser writes a date in
/// `locale`: for days entered as `yyyy-mm-dd` and stored as their UTC midnight.
#[must_use]
pub fn utc_date(unix_ms: i64, locale: &str) -> String {
    #[allow(clippy::cast_precision_loss)] // Exact for any date before the year 285,000.
    let date = js_sys::Date::new(&JsValue::from_f64(unix_ms as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &options,
        &JsValue::from_str("timeZone"),
        &JsValue::from_str("UTC"),
    );
    date.to_locale_date_string(locale, &options).into()
}

/// Today's local date as `yyyy-mm-dd`, the format of `<input type=date>`.
#[must_use]
pub fn today_iso() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

/// The Unix milliseconds of local midnight at the start of `yyyy-mm-dd`, or of the next
/// day when `end_of_day`; `None` for an empty or invalid date.
#[must_use]
pub fn date_to_ms(date: &str, end_of_day: bool) -> Option<i64> {
    if date.is_empty() {
        return None;
    }
    let parsed = js_sys::Date::new(&JsValue::from_str(&format!("{date}T00:00:00")));
    let ms = parsed.get_time();
    if ms.is_nan() {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)] // A date's milliseconds fit an i64.
    let ms = ms as i64;
    Some(if end_of_day { ms + 86_400_000 - 1 } else { ms })
}

/// Opens a `<dialog>` as a modal.
pub fn open_dialog(dialog: NodeRef<leptos::html::Dialog>) {
    if let Some(d) = dialog.get_untracked() {
        let _ = d.show_modal();
    }
}

/// Closes a `<dialog>`.
pub fn close_dialog(dialog: NodeRef<leptos::html::Dialog>) {
    if let Some(d) = dialog.get_untracked() {
        d.close();
    }
}
