//! The frame around every page: header with navigation, language and account controls
//! (the exports link with the number of open alerts, for those who read them), the
//! watermark of pages that show personal data, the first-password banner, and the
//! footer.

use std::time::Duration;

use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use shared::access::Permission;
use wasm_bindgen::JsCast;

use crate::components::alerts_badge::AlertsBadge;
use crate::components::api_call::{api_resource, ApiCall};
use crate::components::lang_switch::LangSwitch;
use crate::components::watermark::Watermark;
use crate::i18n::use_i18n;
use crate::offline::{forget_user, use_collector};
use crate::pages::imports::opens_imports;
use crate::session::use_session;

/// The id of the `<main>` element, the target of the skip link.
pub const MAIN_ID: &str = "main";

/// How often the menu's number of open alerts is loaded again (and on each navigation).
const ALERTS_EVERY: Duration = Duration::from_secs(60);

/// The site header.
#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let collector = use_collector();
    let nav = NodeRef::<leptos::html::Nav>::new();
    let location = use_location();
    // On a phone the links scroll sideways: keep the current page's in sight.
    Effect::new(move |_| {
        location.pathname.track();
        request_animation_frame(move || show_current_link(nav));
    });
    view! {
        <header class="site-header">
            <SkipLink />
            <div class="header-inner">
                <div class="brand">
                    <A href="/" exact=true>
                        {move || i18n.t().product_name}
                    </A>
                </div>
                <nav class="site-nav" node_ref=nav aria-label=move || i18n.t().nav_label>
                    <ul>
                        <li>
                            <A href="/" exact=true>
                                {move || i18n.t().nav_home}
                            </A>
                        </li>
                        <Show when=move || session.may(Permission::ViewCompliance)>
                            <li>
                                <A href="/compliance" attr:data-testid="nav-compliance">
                                    {move || i18n.t().compliance.nav}
                                </A>
                            </li>
                        </Show>
                        <Show when=move || session.may(Permission::ManageForms)>
                            <li>
                                <A href="/forms">{move || i18n.t().nav_forms}</A>
                            </li>
                        </Show>
                        <Show when=move || session.may(Permission::ManageUsers)>
                            <li>
                                <A href="/users" attr:data-testid="nav-users">
                                    {move || i18n.t().console.nav_users}
                                </A>
                            </li>
                        </Show>
                        <Show when=move || session.may(Permission::ViewRecords)>
                            <li>
                                <A href="/records" attr:data-testid="nav-records">
                                    {move || i18n.t().console.nav_records}
                                </A>
                            </li>
                        </Show>
                        <Show when=move || session.may(Permission::ViewRecords)>
                            <li>
                                <A href="/exports" attr:data-testid="nav-exports">
                                    {move || i18n.t().exports.nav}
                                    <ReadyExports />
                                    <Show when=move || session.may(Permission::ViewAudit)>
                                        <OpenAlerts />
                                    </Show>
                                </A>
                            </li>
                        </Show>
                        <Show when=move || opens_imports(session.info().map(|i| i.user.role))>
                            <li>
                                <A href="/imports" attr:data-testid="nav-imports">
                                    {move || i18n.t().imports.nav}
                                </A>
                            </li>
                        </Show>
                        <Show when=move || session.may(Permission::ViewAudit)>
                            <li>
                                <A href="/audit" attr:data-testid="nav-audit">
                                    {move || i18n.t().console.nav_audit}
                                </A>
                            </li>
                        </Show>
                        <Show when=move || session.may(Permission::ViewBackups)>
                            <li>
                                <A href="/backups" attr:data-testid="nav-backups">
                                    {move || i18n.t().backups.nav}
                                </A>
                            </li>
                        </Show>
                        <Show when=move || session.may(Permission::ManageRetention)>
                            <li>
                                <A href="/retention" attr:data-testid="nav-retention">
                                    {move || i18n.t().retention.nav}
                                </A>
                            </li>
                        </Show>
                        <Show when=move || session.may(Permission::ManageRequests)>
                            <li>
                                <A href="/requests" attr:data-testid="nav-requests">
                                    {move || i18n.t().requests.nav}
                                </A>
                            </li>
                        </Show>
                        <Show when=move || session.may(Permission::ResolveConflicts)>
                            <li>
                                <A href="/conflicts" attr:data-testid="nav-conflicts">
                                    {move || i18n.t().console.nav_conflicts}
                                </A>
                            </li>
                        </Show>
                        <Show when=move || session.may(Permission::AssignForms)>
                            <li>
                                <A href="/assignments" attr:data-testid="nav-assignments">
                                    {move || i18n.t().assign.nav}
                                </A>
                            </li>
                        </Show>
                        <Show when=move || session.may(Permission::ManageUsers)>
                            <li>
                                <A href="/api-docs" attr:data-testid="nav-api-docs">
                                    {move || i18n.t().api_docs.nav}
                                </A>
                            </li>
                        </Show>
                        // Staff and managers collect; offline, the one who last collected here.
                        <Show when=move || collector.user.with(Option::is_some)>
                            <li>
                                <A href="/collect" attr:data-testid="nav-collect">
                                    {move || i18n.t().nav_collect}
                                </A>
                            </li>
                        </Show>
                        <li>
                            <Show
                                when=move || session.is_signed_in()
                                fallback=move || {
                                    view! { <A href="/login">{move || i18n.t().nav_sign_in}</A> }
                                }
                            >
                                <A href="/account">{move || i18n.t().nav_account}</A>
                            </Show>
                        </li>
                    </ul>
                </nav>
                <div class="header-tools">
                    <LangSwitch />
                    <SignOut />
                </div>
            </div>
        </header>
        <Watermark />
    }
}

/// The number of the caller's exports ready to download (approved, not yet taken), on
/// the menu, loaded on each navigation and every minute: how who asked learns that an
/// export waiting for approval is ready.
#[component]
fn ReadyExports() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let tick = RwSignal::new(0_u32);
    if let Ok(handle) = set_interval_with_handle(
        move || tick.update(|n| *n = n.wrapping_add(1)),
        ALERTS_EVERY,
    ) {
        on_cleanup(move || handle.clear());
    }
    let list = api_resource(move |api| {
        tick.track();
        location.pathname.track();
        async move { api.exports(false).await }
    });
    let ready = move || {
        list.get()
            .and_then(Result::ok)
            .map(|l| {
                l.exports
                    .iter()
                    .filter(|e| e.download_path.is_some())
                    .count()
            })
            .filter(|n| *n > 0)
    };
    move || {
        ready().map(|n| {
            view! {
                <span class="badge badge-ok" data-testid="nav-exports-ready" data-count=n.to_string()>
                    {n.to_string()}
                    <span class="visually-hidden">" " {move || i18n.t().exports.ready_badge}</span>
                </span>
            }
        })
    }
}

/// The number of open alerts on the menu, loaded on each navigation and every minute.
#[component]
fn OpenAlerts() -> impl IntoView {
    let location = use_location();
    let tick = RwSignal::new(0_u32);
    if let Ok(handle) = set_interval_with_handle(
        move || tick.update(|n| *n = n.wrapping_add(1)),
        ALERTS_EVERY,
    ) {
        on_cleanup(move || handle.clear());
    }
    let list = api_resource(move |api| {
        tick.track();
        location.pathname.track();
        async move { api.alerts(false).await }
    });
    let open = Signal::derive(move || list.get().and_then(Result::ok).map(|l| l.open));
    view! { <AlertsBadge count=open testid="nav-alerts-badge" /> }
}

/// Scrolls the navigation sideways, if it scrolls, to centre the current page's link.
/// Only the navigation moves, never the page.
fn show_current_link(nav: NodeRef<leptos::html::Nav>) {
    let Some(nav) = nav.get_untracked() else {
        return;
    };
    let link = nav
        .query_selector("[aria-current=page]")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(link) = link {
        let centre = link.offset_left() + link.offset_width() / 2;
        nav.set_scroll_left(centre - nav.client_width() / 2);
    }
}

/// A link, visible on keyboard focus, that moves focus to the page's main content.
#[component]
fn SkipLink() -> impl IntoView {
    let i18n = use_i18n();
    // The router would treat `#main` as a navigation; focus the element directly instead.
    let on_click = move |ev: MouseEvent| {
        ev.prevent_default();
        if let Some(main) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(MAIN_ID))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = main.focus();
        }
    };
    view! {
        <a class="skip-link" href=format!("#{MAIN_ID}") on:click=on_click>
            {move || i18n.t().skip_to_content}
        </a>
    }
}

/// The signed-in user's name and the sign-out button.
#[component]
fn SignOut() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let leave = move || {
        forget_user();
        session.signed_out();
        navigate("/login", NavigateOptions::default());
    };
    let leave = std::rc::Rc::new(leave);
    let sign_out = ApiCall::new(|api, ()| async move { api.logout().await })
        .on_ok({
            let leave = leave.clone();
            move |()| leave()
        })
        // The session had already ended: signed out all the same.
        .handle_error(move |e| {
            let ended = session.note_error(e);
            if ended {
                leave();
            }
            ended
        });
    let pending = sign_out.pending();
    let failed = move || sign_out.error().with(Option::is_some);
    view! {
        <Show when=move || session.is_signed_in()>
            <div class="user-menu">
                <span class="user-name">
                    {move || session.info().map(|i| i.user.display_name).unwrap_or_default()}
                </span>
                <button
                    type="button"
                    class="button button-secondary button-small"
                    disabled=move || pending.get()
                    on:click=move |_| sign_out.run()
                    data-testid="sign-out"
                >
                    {move || {
                        let t = i18n.t();
                        if pending.get() { t.signing_out } else { t.sign_out }
                    }}
                </button>
                <Show when=failed>
                    <p class="inline-error" role="alert">
                        {move || i18n.t().sign_out_failed}
                    </p>
                </Show>
            </div>
        </Show>
    }
}

/// Tells a user who must replace a generated password to do so, on every page but the
/// one where they can.
#[component]
pub fn MustChangeBanner() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let location = use_location();
    let show = move || session.must_change_password() && location.pathname.get() != "/account";
    view! {
        <Show when=show>
            <div class="banner" role="status">
                <p>
                    {move || i18n.t().must_change_banner} " "
                    <A href="/account">{move || i18n.t().must_change_link}</A>
                </p>
            </div>
        </Show>
    }
}

/// The site footer.
#[component]
pub fn Footer() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="site-footer">
            <div class="footer-inner">
                <p>{move || i18n.t().footer_text}</p>
                <p class="footer-meta">{move || i18n.t().footer_license}</p>
            </div>
        </footer>
    }
}
