//! Real headless Chromium driven through chromedriver (Debian's `chromium` and
//! `chromium-driver` packages).

use std::{
    os::unix::process::CommandExt as _,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use reqwest::{Method, Url};
use serde_json::{json, Value};

use crate::{process::free_port, TestApp};

/// A Chrome DevTools Protocol command sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &Url,
        session: Option<&str>,
    ) -> Result<Url, <Url as std::str::FromStr>::Err> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &Url) -> (Method, Option<String>) {
        let body = json!({"cmd": self.cmd, "params": self.params});
        (Method::POST, Some(body.to_string()))
    }
}

/// A browser session; the driver process ends when this is dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// Where [`PANIC_HOOK`] keeps the panics of the tab, across its pages.
const PANICS_KEY: &str = "__consentry_test_panics";

/// Runs before any page script: keeps each `console.error` that reports a Rust panic
/// (`console_error_panic_hook`) in the tab's session storage.
const PANIC_HOOK: &str = "(() => {
  const original = console.error;
  console.error = (...args) => {
    try {
      const text = args.map(String).join(' ');
      if (text.includes('panicked at')) {
        const key = '__consentry_test_panics';
        const seen = JSON.parse(sessionStorage.getItem(key) || '[]');
        seen.push(text.slice(0, 600));
        sessionStorage.setItem(key, JSON.stringify(seen));
      }
    } catch (e) {}
    original.apply(console, args);
  };
})();";

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium profile.
    pub async fn start() -> Browser {
        let port = free_port();
        let driver_path =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
        // Its own process group, so that Chromium (its child) goes with it when a failed
        // test drops the browser without closing the session.
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver_path} ({e}); run the README's test command, which installs it"));
        let profile = tempfile::tempdir().expect("a temporary profile folder");
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    "--lang=en-US",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {"intl.accept_languages": "en-US,en"}
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => panic!("chromedriver did not start: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        let browser = Browser {
            client,
            driver,
            _profile: profile,
        };
        browser
            .cdp(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": PANIC_HOOK }),
            )
            .await;
        browser
    }

    /// The Rust panics the web app reported (through `console.error`) on any page of the
    /// test's origin so far.
    pub async fn panics(&self) -> Vec<String> {
        let script = format!("return sessionStorage.getItem('{PANICS_KEY}')");
        let stored = self.client.execute(&script, vec![]).await.ok();
        stored
            .as_ref()
            .and_then(Value::as_str)
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default()
    }

    /// Waits (up to 15 s) for an element matching the CSS selector.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            // A panic freezes the app: say so, it is the likelier cause.
            Err(e) => panic!(
                "no element matches {css}: {e}; the web app's panics: {:#?}",
                self.panics().await
            ),
        }
    }

    /// Opens `path` (such as `/login`) of the app.
    pub async fn open(&self, app: &TestApp, path: &str) {
        self.client
            .goto(&format!("{}{path}", app.address))
            .await
            .unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    }

    /// Clicks the element matching `css`, once it is there.
    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    }

    /// Replaces the text of the input matching `css` with `text`.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.unwrap();
        input.send_keys(text).await.unwrap();
    }

    /// Chooses the option whose value is `value` in the select matching `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("cannot choose {value} in {css}: {e}"));
    }

    /// The visible text of the element matching `css`, once it is there.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// The `name` attribute of the element matching `css`, once it is there.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.find(css).await.attr(name).await.unwrap()
    }

    /// Types `username` and `password` into the login page already open and submits.
    pub async fn submit_login(&self, username: &str, password: &str) {
        self.fill("[data-testid=login-username]", username).await;
        self.fill("[data-testid=login-password]", password).await;
        self.click("[data-testid=login-submit]").await;
    }

    /// Signs in through the login page, asking it to lead to the account page (roles
    /// that see the compliance dashboard land there otherwise), and waits for it.
    pub async fn sign_in(&self, app: &TestApp, username: &str, password: &str) {
        self.open(app, "/login?next=%2Faccount").await;
        self.submit_login(username, password).await;
        self.wait_for_text("[data-testid=account-username]", username)
            .await;
    }

    /// Waits (up to 15 s) until the element matching `css` has exactly `expected` as text.
    pub async fn wait_for_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(text) = el.text().await {
                    if text.trim() == expected {
                        return;
                    }
                    last = text;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never read {expected:?}; last seen {last:?}");
    }

    /// Sends a DevTools protocol command (such as `Network.enable`) to the page.
    pub async fn cdp(&self, cmd: &'static str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp { cmd, params })
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    /// The page's width and the screen's, as a phone of 390 CSS pixels shows the page
    /// now (the emulation is lifted afterwards).
    pub async fn width_on_a_phone(&self) -> (i64, i64) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true}),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let widths = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth]",
                vec![],
            )
            .await
            .unwrap();
        self.cdp("Emulation.clearDeviceMetricsOverride", json!({}))
            .await;
        (
            widths[0].as_i64().unwrap_or(0),
            widths[1].as_i64().unwrap_or(0),
        )
    }

    /// Shows pages as a system in dark mode asks (`prefers-color-scheme: dark`), or in
    /// the light again.
    pub async fn dark_mode(&self, dark: bool) {
        let value = if dark { "dark" } else { "light" };
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": value}]}),
        )
        .await;
    }

    /// Ends the browser session; fails the test if the web app panicked on the way (a
    /// panic leaves the page frozen while the test may still pass).
    pub async fn close(mut self) {
        let panics = self.panics().await;
        let _ = self.client.clone().close().await;
        assert!(panics.is_empty(), "the web app panicked: {panics:#?}");
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium processes it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
