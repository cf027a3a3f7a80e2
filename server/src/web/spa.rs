//! The built web app's entry page, prepared once at start.
//!
//! Trunk writes a small inline `<script type="module">` into `index.html` that loads the
//! WASM. Our Content-Security-Policy forbids inline scripts, so at start the server
//! moves each inline script into a file served from memory under
//! `/_app/boot/<hash>.js` and points the page at it.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use shared::api::forms::{AppFile, AppFileKind};

/// The URL prefix of the boot scripts taken out of `index.html`.
pub const BOOT_PREFIX: &str = "/_app/boot/";

/// The entry pages of the web apps without inline scripts, and the scripts taken out of
/// them: the admin console (`dist/index.html`) and the two small customer apps, forms
/// (`dist/embed/index.html`: the privacy pop-up, the form, the receipt) and the pages
/// customers come back to (`dist/embed/self/index.html`: withdrawal and requests,
/// verification, consent requests for imported records).
#[derive(Debug, Default)]
pub struct SpaAssets {
    pub dir: PathBuf,
    /// The console's page; `None` when the web app has not been built.
    pub index: Option<Bytes>,
    /// The form app's page; `None` when it has not been built.
    pub embed_index: Option<Bytes>,
    /// The self-service app's page; `None` when it has not been built.
    pub self_service_index: Option<Bytes>,
    /// The URL of the form app's start script (`dist/embed/form/`), which the first
    /// stage on the form's page loads once the privacy pop-up is up; `None` when it has
    /// not been built.
    pub form_app: Option<String>,
    /// The JS module and WASM the form app's start script loads, which the first stage
    /// asks for together with it.
    pub form_app_files: Vec<AppFile>,
    /// (file name, body) of each boot script.
    pub boot_scripts: Vec<(String, Bytes)>,
}

impl SpaAssets {
    /// Reads and rewrites both entry pages; a missing file leaves its page empty.
    #[must_use]
    pub fn load(dir: &Path) -> Self {
        let mut assets = Self {
            dir: dir.to_owned(),
            ..Self::default()
        };
        assets.index = assets.read_page(&dir.join("index.html"));
        assets.embed_index = assets.read_page(&dir.join("embed").join("index.html"));
        assets.self_service_index =
            assets.read_page(&dir.join("embed").join("self").join("index.html"));
        // The form app's own page is never served: only its start script is used.
        let scripts_before = assets.boot_scripts.len();
        let form_app = assets.read_page(&dir.join("embed").join("form").join("index.html"));
        assets.form_app_files = form_app
            .as_ref()
            .map(|page| preloads(&String::from_utf8_lossy(page)))
            .unwrap_or_default();
        assets.form_app = form_app
            .and_then(|_| assets.boot_scripts.get(scripts_before))
            .map(|(name, _)| format!("{BOOT_PREFIX}{name}"));
        if assets.index.is_none() {
            tracing::warn!(dir = %dir.display(), "web app not built: no index.html; the API still works");
        }
        assets
    }

    fn read_page(&mut self, path: &Path) -> Option<Bytes> {
        let html = std::fs::read_to_string(path).ok()?;
        let (html, scripts) = externalize_inline_scripts(&html);
        self.boot_scripts.extend(
            scripts
                .into_iter()
                .map(|(name, body)| (name, Bytes::from(body))),
        );
        Some(Bytes::from(html))
    }

    /// The boot script named `file`, if there is one.
    #[must_use]
    pub fn boot_script(&self, file: &str) -> Option<Bytes> {
        self.boot_scripts
            .iter()
            .find(|(name, _)| name == file)
            .map(|(_, body)| body.clone())
    }
}

/// The files a page built by Trunk preloads: its JS module (`rel="modulepreload"`) and
/// its WASM (`rel="preload"`, `type="application/wasm"`), with their integrity hashes.
#[must_use]
pub fn preloads(html: &str) -> Vec<AppFile> {
    html.split("<link")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>')?];
            let kind = match (attribute(tag, "rel"), attribute(tag, "type")) {
                (Some("modulepreload"), _) => AppFileKind::Module,
                (Some("preload"), Some("application/wasm")) => AppFileKind::Wasm,
                _ => return None,
            };
            Some(AppFile {
                href: attribute(tag, "href")?.to_owned(),
                kind,
                integrity: attribute(tag, "integrity").map(str::to_owned),
            })
        })
        .collect()
}

/// The value of the double-quoted attribute `name` in the inside of a tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// `page` with each (element id, JSON) of `data` as a `<script type="application/json">`
/// at the end of its `<head>`. A `<` in the JSON is written `\u003c`, so no text in it
/// can close the element (JSON reads both the same).
#[must_use]
pub fn with_json_data(page: &[u8], data: &[(&str, String)]) -> Bytes {
    let page = String::from_utf8_lossy(page);
    let blocks: String = data
        .iter()
        .map(|(id, json)| {
            format!(
                "<script type=\"application/json\" id=\"{id}\">{}</script>\n",
                json.replace('<', "\\u003c")
            )
        })
        .collect();
    let at = page.find("</head>").unwrap_or(0);
    Bytes::from(format!("{}{blocks}{}", &page[..at], &page[at..]))
}

/// Replaces each inline `<script>` with one that loads the same code from
/// [`BOOT_PREFIX`]; returns the new page and the (file name, code) pairs.
#[must_use]
pub fn externalize_inline_scripts(html: &str) -> (String, Vec<(String, String)>) {
    let mut out = String::with_capacity(html.len());
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let open_tag = &rest[start..open_end];
        let Some(close) = rest[open_end..].find("</script>").map(|i| open_end + i) else {
            break;
        };
        let body = &rest[open_end..close];
        out.push_str(&rest[..start]);
        if open_tag.contains(" src=") || body.trim().is_empty() {
            out.push_str(&rest[start..close + "</script>".len()]);
        } else {
            let name = format!("{}.js", &hex::encode(Sha256::digest(body.as_bytes()))[..20]);
            let module = if open_tag.contains("module") {
                " type=\"module\""
            } else {
                ""
            };
            out.push_str(&format!(
                "<script{module} src=\"{BOOT_PREFIX}{name}\"></script>"
            ));
            scripts.push((name, body.to_owned()));
        }
        rest = &rest[close + "</script>".len()..];
    }
    out.push_str(rest);
    (out, scripts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_move_out_and_external_ones_stay() {
        let html = "<html><head><script src=\"/a.js\"></script>\
            <script type=\"module\" nonce=\"x\">import init from '/app.js';init('/app_bg.wasm');</script>\
            </head><body></body></html>";
        let (page, scripts) = externalize_inline_scripts(html);
        assert_eq!(scripts.len(), 1);
        assert!(scripts[0].1.contains("init('/app_bg.wasm')"));
        assert!(page.contains("<script src=\"/a.js\"></script>"));
        assert!(page.contains(&format!(
            "<script type=\"module\" src=\"{BOOT_PREFIX}{}\"></script>",
            scripts[0].0
        )));
        assert!(!page.contains("import init"));
    }

    #[test]
    fn json_data_goes_in_the_head_and_cannot_close_its_element() {
        let page = b"<html><head><title>t</title></head><body></body></html>";
        let hostile = "</script><script>alert(1)</script>";
        let json = serde_json::to_string(hostile).expect("a string serialises");
        let out = with_json_data(page, &[("data", json)]);
        let out = String::from_utf8_lossy(&out);
        assert_eq!(out.matches("</script>").count(), 1);
        let open = "<script type=\"application/json\" id=\"data\">";
        let start = out.find(open).expect("the data element") + open.len();
        let end = out.find("</script>").expect("its end");
        assert!(end < out.find("</head>").expect("the head's end"));
        let back: String = serde_json::from_str(&out[start..end]).expect("JSON reads it");
        assert_eq!(back, hostile);
    }

    #[test]
    fn the_module_and_the_wasm_trunk_preloads_are_found() {
        let html = "<head><link rel=\"icon\" href=\"/f.svg\">\
            <link rel=\"modulepreload\" href=\"/embed/form/app-1.js\" crossorigin=\"anonymous\" integrity=\"sha384-AB\">\
            <link rel=\"preload\" href=\"/embed/form/app-1_bg.wasm\" crossorigin=\"anonymous\" integrity=\"sha384-CD\" as=\"fetch\" type=\"application/wasm\">\
            <link rel=\"stylesheet\" href=\"/s.css\"></head>";
        assert_eq!(
            preloads(html),
            vec![
                AppFile {
                    href: "/embed/form/app-1.js".to_owned(),
                    kind: AppFileKind::Module,
                    integrity: Some("sha384-AB".to_owned()),
                },
                AppFile {
                    href: "/embed/form/app-1_bg.wasm".to_owned(),
                    kind: AppFileKind::Wasm,
                    integrity: Some("sha384-CD".to_owned()),
                },
            ]
        );
        assert!(preloads("<link rel=\"preload\" as=\"style\" href=\"/a.css\">").is_empty());
    }

    #[test]
    fn a_page_without_scripts_is_unchanged() {
        let html = "<html><body><p>hi</p></body></html>";
        assert_eq!(externalize_inline_scripts(html).0, html);
    }
}
