//! The first stage's DOM, drawn directly (no framework): the privacy pop-up with its
//! language switch, in the same markup, classes and test ids as the form app's
//! `ConsentDialog` and `LangSwitch`, so both look and test alike.

use shared::consent::notice::{Blocker, PopupAnswers, PrivacyNotice};
use shared::i18n::Locale;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use crate::embed::rich_text::{parse, Block, Inline};
use crate::i18n::{fill, texts};

/// `<tag>` with `attributes`.
pub(super) fn element(document: &Document, tag: &str, attributes: &[(&str, &str)]) -> Element {
    // Fails only for an invalid tag name; ours are literals.
    let el = document.create_element(tag).expect("a valid tag name");
    for (name, value) in attributes {
        let _ = el.set_attribute(name, value);
    }
    el
}

fn text(parent: &Element, text: &str) {
    let _ = parent.append_with_str_1(text);
}

/// `<tag attributes>text</tag>` appended to `parent`.
fn child(parent: &Element, tag: &str, attributes: &[(&str, &str)], content: &str) -> Element {
    let document = parent.owner_document().expect("an element has a document");
    let el = element(&document, tag, attributes);
    if !content.is_empty() {
        text(&el, content);
    }
    let _ = parent.append_child(&el);
    el
}

/// The language switch, `locale` pressed (the page behind a modal pop-up is inert, so
/// the pop-up carries its own).
fn lang_switch(parent: &Element, locale: Locale) {
    let top = child(parent, "div", &[("class", "consent-dialog-top")], "");
    let switch = child(
        &top,
        "div",
        &[
            ("class", "lang-switch"),
            ("role", "group"),
            ("aria-label", texts(locale).language_label),
            ("data-testid", "lang-switch"),
        ],
        "",
    );
    for option in Locale::ALL {
        let pressed = if option == locale { "true" } else { "false" };
        child(
            &switch,
            "button",
            &[
                ("type", "button"),
                ("class", "lang-option"),
                ("lang", option.tag()),
                ("data-lang", option.tag()),
                ("aria-pressed", pressed),
            ],
            option.native_name(),
        );
    }
}

/// Fills `dialog` with the pop-up in `locale`, showing `answers` as chosen.
pub(super) fn dialog_content(
    dialog: &Element,
    notice: &PrivacyNotice,
    answers: &PopupAnswers,
    locale: Locale,
) {
    let t = &texts(locale).customer;
    dialog.set_text_content(None);
    lang_switch(dialog, locale);
    // The pop-up opens with its title focused: read first, and nothing chosen for the
    // customer by a focused control.
    child(
        dialog,
        "h2",
        &[
            ("id", "privacy-title"),
            ("tabindex", "-1"),
            ("autofocus", ""),
        ],
        t.privacy_title,
    );
    child(dialog, "p", &[("class", "muted")], t.privacy_intro);
    let who = child(dialog, "dl", &[("class", "consent-controller")], "");
    child(&who, "dt", &[], t.controller);
    child(
        &who,
        "dd",
        &[("data-testid", "controller-name")],
        notice.controller.get(locale),
    );
    child(&who, "dt", &[], t.contact);
    child(&who, "dd", &[], &notice.contact);
    let body = child(
        dialog,
        "div",
        &[
            ("class", "consent-notice"),
            ("data-testid", "privacy-notice"),
        ],
        "",
    );
    rich_text(&body, notice.notice.get(locale));
    let version = child(
        dialog,
        "p",
        &[("class", "consent-version")],
        &format!("{}: ", t.version),
    );
    child(&version, "code", &[], &notice.version_hash);
    child(dialog, "h3", &[], t.purposes_heading);
    child(dialog, "p", &[("class", "muted")], t.purposes_help);
    for purpose in &notice.purposes {
        let set = child(
            dialog,
            "fieldset",
            &[("class", "consent-purpose"), ("data-purpose", &purpose.key)],
            "",
        );
        child(&set, "legend", &[], purpose.name.get(locale));
        child(&set, "p", &[], purpose.description.get(locale));
        let need = if purpose.required {
            t.purpose_required
        } else {
            t.purpose_optional
        };
        child(&set, "p", &[("class", "muted")], need);
        let pair = child(&set, "div", &[("class", "choices choices-inline")], "");
        for (agree, label) in [(true, t.agree), (false, t.decline)] {
            let group = format!("purpose-{}", purpose.key);
            let id = format!("{group}-{}", if agree { "agree" } else { "decline" });
            let choice = child(&pair, "div", &[("class", "choice")], "");
            let input = child(
                &choice,
                "input",
                &[
                    ("id", &id),
                    ("type", "radio"),
                    ("name", &group),
                    ("data-testid", &id),
                    ("data-purpose", &purpose.key),
                    ("data-agree", if agree { "true" } else { "false" }),
                ],
                "",
            );
            let chosen = answers.decisions.get(&purpose.key) == Some(&agree);
            set_checked(&input, chosen);
            child(&choice, "label", &[("for", &id)], label);
        }
    }
    if let Some(wording) = &notice.sensitive {
        separate(
            dialog,
            t.sensitive_heading,
            "consent-sensitive",
            wording.get(locale),
            answers.sensitive,
        );
    }
    if let Some(transfer) = &notice.cross_border {
        let wording = format!(
            "{} {}",
            fill(
                t.cross_border_text,
                &[
                    ("recipient", &transfer.recipient),
                    ("country", &transfer.country)
                ],
            ),
            transfer.purpose.get(locale)
        );
        separate(
            dialog,
            t.cross_border_heading,
            "consent-cross-border",
            &wording,
            answers.cross_border,
        );
    }
    if let Some(age) = notice.guardian_under_age {
        child(
            dialog,
            "p",
            &[("class", "consent-guardian-note")],
            &fill(t.guardian_notice, &[("age", &age.to_string())]),
        );
    }
    child(dialog, "div", &[("data-problems", "")], "");
    let nav = child(dialog, "div", &[("class", "form-nav")], "");
    child(
        &nav,
        "button",
        &[
            ("type", "button"),
            ("class", "button button-primary"),
            ("data-testid", "privacy-continue"),
        ],
        t.continue_to_form,
    );
}

/// A separate consent: its heading and one checkbox.
fn separate(dialog: &Element, heading: &str, id: &str, wording: &str, checked: bool) {
    let set = child(dialog, "fieldset", &[("class", "consent-separate")], "");
    child(&set, "legend", &[], heading);
    let choice = child(&set, "div", &[("class", "choice")], "");
    let input = child(
        &choice,
        "input",
        &[("id", id), ("type", "checkbox"), ("data-testid", id)],
        "",
    );
    set_checked(&input, checked);
    child(&choice, "label", &[("for", id)], wording);
}

fn set_checked(input: &Element, checked: bool) {
    if let Some(input) = input.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_checked(checked);
    }
}

/// Shows why the customer cannot go on yet (nothing when they can).
pub(super) fn problems(
    dialog: &Element,
    notice: &PrivacyNotice,
    found: &[Blocker],
    locale: Locale,
) {
    let Ok(Some(place)) = dialog.query_selector("[data-problems]") else {
        return;
    };
    place.set_text_content(None);
    if found.is_empty() {
        return;
    }
    let alert = child(
        &place,
        "div",
        &[
            ("class", "alert alert-error"),
            ("role", "alert"),
            ("data-testid", "privacy-problems"),
        ],
        "",
    );
    let list = child(&alert, "ul", &[], "");
    for blocker in found {
        child(
            &list,
            "li",
            &[],
            &super::blocker_text(notice, blocker, locale),
        );
    }
}

/// The notice's restricted rich text as text nodes (never as HTML), as the form app's
/// `rich_text::render` draws it.
fn rich_text(parent: &Element, source: &str) {
    for block in parse(source) {
        match block {
            Block::Paragraph(lines) => {
                let p = child(parent, "p", &[], "");
                let count = lines.len();
                for (i, line) in lines.into_iter().enumerate() {
                    inline(&p, line);
                    if i + 1 < count {
                        child(&p, "br", &[], "");
                    }
                }
            }
            Block::List(items) => {
                let list = child(parent, "ul", &[], "");
                for item in items {
                    inline(&child(&list, "li", &[], ""), item);
                }
            }
        }
    }
}

fn inline(parent: &Element, parts: Vec<Inline>) {
    for part in parts {
        match part {
            Inline::Text(t) => text(parent, &t),
            Inline::Bold(t) => {
                child(parent, "strong", &[], &t);
            }
            Inline::Link { text, href } => {
                child(
                    parent,
                    "a",
                    &[
                        ("href", &href),
                        ("target", "_blank"),
                        ("rel", "noopener noreferrer"),
                    ],
                    &text,
                );
            }
        }
    }
}
