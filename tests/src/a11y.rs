//! Accessibility checks in the browser: axe-core (from npm, `tests/package.json`) run on
//! the page as it stands, and the keyboard: keys pressed into whatever has focus, and
//! where focus is.
//!
//! axe is injected with WebDriver's "execute script", which the page's Content Security
//! Policy does not govern (chromedriver evaluates it through the DevTools protocol), so
//! the app's CSP stays as strict as it is served.

use std::{path::PathBuf, sync::OnceLock};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde::Deserialize;
use serde_json::Value;

use crate::browser::Browser;

/// `axe.min.js` as npm installed it (`npm ci` in `tests/`, which `scripts/tools.sh
/// --browser` runs when it is missing).
fn axe_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js")
}

fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = axe_path();
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {} ({e}); run `scripts/tools.sh --browser`, which installs axe-core from npm",
                path.display()
            )
        })
    })
}

/// Runs axe on the current document and hands its violations to the last argument.
/// Frames are left out: a test checks a framed page by entering its frame first.
const RUN_AXE: &str = r"
const done = arguments[arguments.length - 1];
axe.run(document, { iframes: false, resultTypes: ['violations'] })
  .then((r) => done({ violations: r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary || '' })),
  })) }))
  .catch((e) => done({ error: String((e && e.stack) || e) }));
";

#[derive(Debug, Deserialize)]
struct AxeOutcome {
    #[serde(default)]
    violations: Vec<Violation>,
    error: Option<String>,
}

/// One rule axe found broken, with the elements that break it.
#[derive(Debug, Deserialize)]
pub struct Violation {
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: Option<String>,
    pub help: String,
    #[serde(rename = "helpUrl")]
    pub help_url: String,
    pub nodes: Vec<ViolationNode>,
}

#[derive(Debug, Deserialize)]
pub struct ViolationNode {
    /// CSS selectors of the element (nested for shadow roots).
    pub target: Value,
    pub summary: String,
}

impl Violation {
    /// Serious and critical violations fail a test; minor and moderate ones are listed.
    #[must_use]
    pub fn fails(&self) -> bool {
        matches!(self.impact.as_deref(), Some("serious" | "critical"))
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let impact = self.impact.as_deref().unwrap_or("?");
        writeln!(
            f,
            "  [{impact}] {}: {} ({})",
            self.id, self.help, self.help_url
        )?;
        for node in &self.nodes {
            let summary = node.summary.replace('\n', "\n        ");
            writeln!(f, "      at {}\n        {summary}", node.target)?;
        }
        Ok(())
    }
}

/// Where keyboard focus is: enough of the element to say which it is.
#[derive(Debug, Clone, Deserialize)]
pub struct Focus {
    /// `tag#id[data-testid] "text"`, for messages.
    pub describe: String,
    /// The element, focused, shows an outline or a shadow (a date input's focus is in
    /// its parts, so it matches only `:focus-within`, which the app rings).
    pub visible: bool,
    /// The outline and shadow it shows, for messages.
    pub ring: String,
    /// Inside an open modal `<dialog>`.
    pub in_dialog: bool,
}

/// Describes `document.activeElement` (`null` when nothing but the body has focus).
const FOCUS: &str = r#"
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return null;
const s = getComputedStyle(el);
const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
const text = (el.value || el.textContent || '').trim().slice(0, 40);
const testid = el.getAttribute('data-testid');
return {
  describe: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (testid ? '[data-testid=' + testid + ']' : '') + (text ? ' "' + text + '"' : ''),
  visible: ring,
  ring: 'outline ' + s.outlineStyle + ' ' + s.outlineWidth + ', shadow ' + s.boxShadow
    + (document.hasFocus() ? '' : ', the page has no focus'),
  in_dialog: el.closest('dialog[open]') !== null,
};
"#;

impl Browser {
    /// Runs axe-core on the current document (the frame a test has entered) and panics
    /// with a readable list of its serious and critical violations: rule, impact, the
    /// elements' selectors and how to fix it. Lesser ones are printed, not failed.
    /// `page` names the step in messages.
    pub async fn axe(&self, page: &str) {
        let inject = format!(
            "if (!window.axe) {{\n{}\n}}\nreturn !!window.axe;",
            axe_source()
        );
        let injected = self
            .client
            .execute(&inject, vec![])
            .await
            .unwrap_or_else(|e| panic!("{page}: cannot inject axe-core: {e}"));
        assert_eq!(injected, Value::Bool(true), "{page}: axe-core did not load");
        let outcome = self
            .client
            .execute_async(RUN_AXE, vec![])
            .await
            .unwrap_or_else(|e| panic!("{page}: axe.run failed: {e}"));
        let outcome: AxeOutcome = serde_json::from_value(outcome).unwrap();
        if let Some(error) = outcome.error {
            panic!("{page}: axe.run failed: {error}");
        }
        let (failing, lesser): (Vec<_>, Vec<_>) =
            outcome.violations.into_iter().partition(Violation::fails);
        if !lesser.is_empty() {
            let list: String = lesser.iter().map(ToString::to_string).collect();
            eprintln!("axe, {page}: minor or moderate:\n{list}");
        }
        if !failing.is_empty() {
            let list: String = failing.iter().map(ToString::to_string).collect();
            panic!(
                "axe, {page}: {} serious or critical accessibility violation(s):\n{list}",
                failing.len()
            );
        }
    }

    /// Presses and releases each key in turn, into whatever has focus.
    pub async fn press(&self, keys: &[Key]) {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for key in keys {
            let value = char::from(*key);
            actions = actions
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.client
            .perform_actions(actions)
            .await
            .unwrap_or_else(|e| panic!("cannot press {keys:?}: {e}"));
    }

    /// Shift+Tab: focus goes back one stop.
    pub async fn shift_tab(&self) {
        let (shift, tab) = (char::from(Key::Shift), char::from(Key::Tab));
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: shift })
            .then(KeyAction::Down { value: tab })
            .then(KeyAction::Up { value: tab })
            .then(KeyAction::Up { value: shift });
        self.client
            .perform_actions(actions)
            .await
            .unwrap_or_else(|e| panic!("cannot press Shift+Tab: {e}"));
    }

    /// Types `text` into whatever has focus, one key at a time.
    pub async fn type_keys(&self, text: &str) {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for value in text.chars() {
            actions = actions
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.client
            .perform_actions(actions)
            .await
            .unwrap_or_else(|e| panic!("cannot type {text:?}: {e}"));
    }

    /// What has keyboard focus now, if anything but the page itself.
    pub async fn focus(&self) -> Option<Focus> {
        let found = self.client.execute(FOCUS, vec![]).await.unwrap();
        serde_json::from_value(found).unwrap()
    }

    /// Whether the element that has focus matches `css`.
    pub async fn focus_is(&self, css: &str) -> bool {
        let found = self
            .client
            .execute(
                "const el = document.activeElement; return el !== null && el.matches(arguments[0]);",
                vec![Value::String(css.to_owned())],
            )
            .await
            .unwrap_or_else(|e| panic!("cannot match the focus against {css}: {e}"));
        found == Value::Bool(true)
    }

    /// Presses Tab (Shift+Tab when `back`) until the element matching `css` has focus,
    /// at most `stops` times. Every stop on the way must show a focus indicator, and
    /// stay in the open modal dialog when one is open. Past the last control (of the
    /// page, or of a modal dialog, whose page behind is inert) focus may leave the page
    /// for the browser's own controls, as Chromium does, once: the next key must bring
    /// it back. Returns the stops passed (`None`: outside the page).
    pub async fn tab_to(&self, css: &str, back: bool, stops: usize) -> Vec<Option<Focus>> {
        let mut passed: Vec<Option<Focus>> = Vec::new();
        for _ in 0..stops {
            let dialog_open = self
                .client
                .execute(
                    "return document.querySelector('dialog[open]') !== null",
                    vec![],
                )
                .await
                .unwrap()
                == Value::Bool(true);
            if back {
                self.shift_tab().await;
            } else {
                self.press(&[Key::Tab]).await;
            }
            let Some(focus) = self.focus().await else {
                assert!(
                    passed.last().is_none_or(Option::is_some),
                    "focus stayed outside the page after {passed:#?}, looking for {css}"
                );
                passed.push(None);
                continue;
            };
            assert!(
                focus.visible,
                "{} has focus but shows no focus indicator ({})",
                focus.describe, focus.ring
            );
            assert!(
                !dialog_open || focus.in_dialog,
                "focus left the open dialog for {}",
                focus.describe
            );
            passed.push(Some(focus));
            if self.focus_is(css).await {
                return passed;
            }
        }
        panic!("{css} never had focus in {stops} Tab stops: {passed:#?}");
    }
}
