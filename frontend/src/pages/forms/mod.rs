//! `/forms`: the form designer for administrators — the list of forms, the editor of a
//! form's draft, and read-only published versions.

mod download;
pub mod editor;
mod list;
mod version;
mod widgets;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use shared::access::Permission;

use crate::i18n::use_i18n;
use crate::session::{use_session, SessionState};

pub use editor::FormEditorPage;
pub use list::FormsListPage;
pub use version::FormVersionPage;

/// Sends a signed-out visitor to the sign-in page, which brings them back here.
fn require_sign_in() {
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
}

/// Shows `children` to administrators; a loading line while the session is checked, and
/// the `forbidden` message to other roles.
#[component]
fn AdminOnly(children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    require_sign_in();
    move || match session.info() {
        Some(info) if Permission::ManageForms.allows(Some(info.user.role)) => children().into_any(),
        Some(_) => view! {
            <div class="alert alert-error" role="alert">
                <p class="alert-title">
                    {move || i18n.t().error(shared::api::error::ErrorCode::Forbidden)}
                </p>
            </div>
        }
        .into_any(),
        None => view! {
            <p class="muted loading" aria-live="polite">
                {move || i18n.t().loading}
            </p>
        }
        .into_any(),
    }
}

/// A Unix time in milliseconds as the browser writes a local date and time in `locale`.
fn local_time(unix_ms: i64, locale: &str) -> String {
    #[allow(clippy::cast_precision_loss)] // Exact for any date before the year 285,000.
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix_ms as f64));
    date.to_locale_string(locale, &wasm_bindgen::JsValue::UNDEFINED)
        .into()
}
