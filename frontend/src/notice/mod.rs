//! The customer component's first stage: the privacy pop-up, up before the form's code.
//!
//! A phone opening a form first downloads this small module (`consentry-notice`, no
//! Leptos, no form decoder): it reads the pop-up's content from the page (a
//! [`NoticePage`] the server cut out of the published version with
//! [`PrivacyNotice::of`]), draws the same pop-up as the form app's `ConsentDialog` with
//! the DOM directly, and only then starts loading the form app. When the customer
//! continues, their choices are checked by the same rule
//! ([`PrivacyNotice::blockers`]) and handed over ([`handover`]); the form app then
//! takes the page over and goes straight to the form. When there is no pop-up to show
//! (an unknown form, or a signed submission still waiting to be sent) the form app is
//! loaded at once and says so itself.

pub mod handover;
mod view;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use shared::api::forms::{AppFile, AppFileKind, NoticePage, NOTICE_PAGE_ELEMENT};
use shared::consent::notice::{Blocker, PopupAnswers, PrivacyNotice};
use shared::i18n::Locale;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, HtmlDialogElement};

use crate::i18n::{fill, texts};
use handover::{Handover, FIRST_STAGE_ATTRIBUTE};

/// The User Timing mark set when the first stage's pop-up is open.
pub const POPUP_MARK: &str = "consentry:popup";

/// Why the customer cannot continue yet, in `locale`.
#[must_use]
pub fn blocker_text(notice: &PrivacyNotice, blocker: &Blocker, locale: Locale) -> String {
    let t = &texts(locale).customer;
    match blocker {
        Blocker::UndecidedPurpose => t.choose_every_purpose.to_owned(),
        Blocker::RequiredDeclined(i) => {
            let name = notice.purposes.get(*i).map_or("", |p| p.name.get(locale));
            fill(t.required_declined, &[("purpose", name)])
        }
        Blocker::SensitiveNeeded => t.sensitive_needed.to_owned(),
        Blocker::CrossBorderNeeded => t.cross_border_needed.to_owned(),
    }
}

/// Reads the JSON in `<script type="application/json" id="{id}">`.
#[must_use]
pub fn page_json<T: serde::de::DeserializeOwned>(id: &str) -> Option<T> {
    let text = web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .text_content()?;
    serde_json::from_str(&text).ok()
}

/// Starts the first stage (the `consentry-notice` binary's `main`).
pub fn start() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let locale = crate::i18n::initial_locale(crate::embed::requested_locale());
    let Some(page) = page_json::<NoticePage>(NOTICE_PAGE_ELEMENT) else {
        // The server always writes the page; without it there is nothing to start.
        status(&document, texts(locale).customer.form_unavailable);
        return;
    };
    let pending = crate::embed::submission::has_kept(&page.form_id);
    match page.notice {
        Some(notice) if !pending => {
            Stage::show(&document, notice, locale);
        }
        _ => status(&document, texts(locale).customer.loading_form),
    }
    crate::embed::frame::report_height();
    // In a task of its own, after the one that opened the pop-up: nothing of the form
    // app is asked for before the pop-up is open.
    let later = Closure::once_into_js(move || {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            load_app(&document, &page.app, &page.preload);
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback(later.unchecked_ref());
    }
}

/// A line saying what is happening until the form app takes the page over.
fn status(document: &Document, message: &str) {
    let main = view::element(
        document,
        "main",
        &[("class", "embed-main"), (FIRST_STAGE_ATTRIBUTE, "")],
    );
    status_line(document, &main, message);
    if let Some(body) = document.body() {
        let _ = body.append_child(&main);
    }
}

/// Appends `<p class="muted" role="status">message</p>` to `parent`.
fn status_line(document: &Document, parent: &Element, message: &str) {
    let line = view::element(document, "p", &[("class", "muted"), ("role", "status")]);
    line.set_text_content(Some(message));
    let _ = parent.append_child(&line);
}

/// Starts loading the form app: its start script (which Trunk wrote and the server
/// serves under `/_app/boot/`), and with it the JS module and WASM it loads, which would
/// otherwise be asked for one after the other.
fn load_app(document: &Document, src: &str, files: &[AppFile]) {
    let Some(head) = document.head() else {
        return;
    };
    for file in files {
        let mut attributes = vec![("href", file.href.as_str()), ("crossorigin", "anonymous")];
        match file.kind {
            AppFileKind::Module => attributes.push(("rel", "modulepreload")),
            AppFileKind::Wasm => attributes.extend([
                ("rel", "preload"),
                ("as", "fetch"),
                ("type", "application/wasm"),
            ]),
        }
        if let Some(integrity) = &file.integrity {
            attributes.push(("integrity", integrity));
        }
        let _ = head.append_child(&view::element(document, "link", &attributes));
    }
    let script = view::element(document, "script", &[("type", "module"), ("src", src)]);
    let _ = head.append_child(&script);
}

/// The pop-up on the page and what the customer has chosen in it.
struct Stage {
    notice: PrivacyNotice,
    locale: Cell<Locale>,
    answers: RefCell<PopupAnswers>,
    /// The customer pressed Continue once: problems are shown from then on.
    attempted: Cell<bool>,
    /// The choices were handed over: the pop-up closes for good.
    continued: Cell<bool>,
    dialog: HtmlDialogElement,
}

impl Stage {
    fn show(document: &Document, notice: PrivacyNotice, locale: Locale) {
        let Some(body) = document.body() else {
            return;
        };
        crate::i18n::set_page_title(notice.title.get(locale));
        let main = view::element(
            document,
            "main",
            &[
                ("id", "main"),
                ("class", "embed-main"),
                (FIRST_STAGE_ATTRIBUTE, ""),
            ],
        );
        let dialog = view::element(
            document,
            "dialog",
            &[
                ("class", "consent-dialog"),
                ("aria-labelledby", "privacy-title"),
                ("data-testid", "privacy-dialog"),
            ],
        );
        let _ = main.append_child(&dialog);
        let _ = body.append_child(&main);
        let Ok(dialog) = dialog.dyn_into::<HtmlDialogElement>() else {
            return;
        };
        let stage = Rc::new(Self {
            notice,
            locale: Cell::new(locale),
            answers: RefCell::new(PopupAnswers::default()),
            attempted: Cell::new(false),
            continued: Cell::new(false),
            dialog,
        });
        stage.draw();
        stage.listen();
        let _ = stage.dialog.show_modal();
        // When the pop-up was up, for the bench and the browser tests (nothing of the
        // form app may have been asked for before it).
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(POPUP_MARK);
        }
    }

    fn draw(&self) {
        let locale = self.locale.get();
        view::dialog_content(&self.dialog, &self.notice, &self.answers.borrow(), locale);
        self.show_problems();
    }

    fn show_problems(&self) {
        let found = if self.attempted.get() {
            self.notice.blockers(&self.answers.borrow())
        } else {
            Vec::new()
        };
        view::problems(&self.dialog, &self.notice, &found, self.locale.get());
    }

    /// One listener each for the choices, the buttons, Escape and closing; the dialog's
    /// content is drawn again on a language switch, so nothing is bound to its elements.
    fn listen(self: &Rc<Self>) {
        let stage = Rc::clone(self);
        on(&self.dialog, "change", move |event| stage.changed(&event));
        let stage = Rc::clone(self);
        on(&self.dialog, "click", move |event| {
            let Some(target) = target(&event) else {
                return;
            };
            if target
                .matches("[data-testid=privacy-continue]")
                .unwrap_or(false)
            {
                stage.go_on();
            } else if let Some(locale) = target
                .get_attribute("data-lang")
                .as_deref()
                .and_then(Locale::from_tag)
            {
                stage.switch_language(locale);
            }
        });
        // Escape does not dismiss the pop-up without a choice; where the browser closes
        // it anyway (a second Escape, or one before any other key or click: Chromium's
        // close watchers), it opens again.
        on(&self.dialog, "cancel", |event| event.prevent_default());
        let stage = Rc::clone(self);
        on(&self.dialog, "close", move |_| {
            if !stage.continued.get() {
                let _ = stage.dialog.show_modal();
            }
        });
    }

    fn changed(&self, event: &Event) {
        let Some(input) =
            target(event).and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        {
            let mut answers = self.answers.borrow_mut();
            if let Some(key) = input.get_attribute("data-purpose") {
                let agreed = input.get_attribute("data-agree").as_deref() == Some("true");
                answers.decisions.insert(key, agreed);
            } else if input.id() == "consent-sensitive" {
                answers.sensitive = input.checked();
            } else if input.id() == "consent-cross-border" {
                answers.cross_border = input.checked();
            }
        }
        self.show_problems();
    }

    fn switch_language(&self, locale: Locale) {
        if locale == self.locale.get() {
            return;
        }
        self.locale.set(locale);
        crate::i18n::remember_locale(locale);
        crate::i18n::set_page_title(self.notice.title.get(locale));
        self.draw();
        // The button pressed was drawn again: focus stays on it.
        let pressed = format!("[data-lang='{}']", locale.tag());
        if let Ok(Some(button)) = self.dialog.query_selector(&pressed) {
            if let Some(button) = button.dyn_ref::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        }
    }

    /// Continue: hands the choices over when they allow the form, else says why not.
    fn go_on(&self) {
        if !self.notice.blockers(&self.answers.borrow()).is_empty() {
            self.attempted.set(true);
            self.show_problems();
            return;
        }
        self.continued.set(true);
        self.dialog.close();
        if let (Some(main), Some(document)) =
            (self.dialog.parent_element(), self.dialog.owner_document())
        {
            status_line(
                &document,
                &main,
                texts(self.locale.get()).customer.loading_form,
            );
        }
        handover::give(&Handover {
            version_hash: self.notice.version_hash.clone(),
            locale: self.locale.get(),
            answers: self.answers.borrow().clone(),
        });
    }
}

/// The element an event came from.
fn target(event: &Event) -> Option<Element> {
    event.target()?.dyn_into::<Element>().ok()
}

/// Runs `handler` on each `kind` event at `element`, for as long as the page lives.
fn on(element: &Element, kind: &str, handler: impl FnMut(Event) + 'static) {
    let handler = Closure::<dyn FnMut(Event)>::new(handler);
    let _ = element.add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
    handler.forget();
}

#[cfg(test)]
mod tests {
    use shared::schema::FormDefinition;

    use super::*;

    #[test]
    fn each_blocker_is_said_in_the_customers_language() {
        let def = FormDefinition::demo_customer_registration();
        let notice = PrivacyNotice::of(&def, "sha256:x");
        let (i, required) = notice
            .purposes
            .iter()
            .enumerate()
            .find(|(_, p)| p.required)
            .expect("the demo form has a required purpose");
        for locale in Locale::ALL {
            let said = blocker_text(&notice, &Blocker::RequiredDeclined(i), locale);
            assert!(said.contains(required.name.get(locale)), "{said}");
            assert!(!said.contains('{'), "{said}");
            assert_eq!(
                blocker_text(&notice, &Blocker::SensitiveNeeded, locale),
                texts(locale).customer.sensitive_needed
            );
        }
    }
}
