//! Printable HTML of the compliance documents: the records of processing, the impact
//! assessment drafts and the compliance reports, in one language (`?lang=`), each
//! stamped with the moment it was computed and the audit chain's head then. A PDF is
//! the browser's "print to PDF" of the page: the style sheet sets A4 pages, page breaks
//! and a font stack that renders Chinese.
//!
//! The page needs no script. Its one inline `<style>` is allowed by its SHA-256 hash in
//! the page's own Content-Security-Policy ([`html_response`]), which the security
//! headers' middleware keeps; nothing else may load.

use axum::{
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use shared::{
    api::compliance::{AuditStamp, ComplianceReport, Figure, ReportKind},
    compliance::{civil_from_days, percent_text, DAY_MS},
    i18n::{Locale, LocalizedText},
    processing::day_text,
};

use crate::error::AppError;

/// The style of every document: screen and print (A4).
const STYLE: &str = "\
:root{color-scheme:light}\
body{font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;\
color:#111;line-height:1.5;max-width:60rem;margin:2rem auto;padding:0 1rem;font-size:11pt}\
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.25rem;margin:1.6rem 0 .4rem;break-after:avoid}\
h3{font-size:1.05rem;margin:1.1rem 0 .3rem;break-after:avoid}\
.stamp{font-size:.85rem;color:#333;border-bottom:2px solid #111;padding-bottom:.4rem;\
margin-bottom:1rem;overflow-wrap:anywhere}\
.lead{color:#222}.law{font-size:.85rem;color:#444;margin:0 0 .4rem}\
table{border-collapse:collapse;width:100%;margin:.3rem 0 1rem}\
th,td{border:1px solid #888;padding:.25rem .45rem;text-align:left;vertical-align:top;\
overflow-wrap:break-word}.kv td{overflow-wrap:anywhere}th{background:#eee}thead{display:table-header-group}\
tr{break-inside:avoid}td.v{white-space:pre-line}td.n,th.n{text-align:right}\
.kv th{width:28%;font-weight:600}\
.must{display:inline-block;border:1px solid #a00;color:#a00;font-size:.8rem;\
padding:0 .4rem;margin-left:.5rem;vertical-align:middle}\
.answer{border:1px dashed #555;min-height:7rem;margin:.3rem 0 1rem;padding:.4rem;color:#777;\
font-size:.85rem}\
.prompt{margin:.3rem 0}.rate{font-size:2rem;font-weight:700}\
.activity{break-before:page}.activity:first-of-type{break-before:auto}\
.hint{background:#f3f3f3;padding:.4rem .6rem;font-size:.85rem}\
ul{margin:.2rem 0 1rem}\
@page{size:A4;margin:16mm 14mm 18mm}\
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}.hint{display:none}\
th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/// The page's Content-Security-Policy: nothing loads; the inline style is allowed by
/// its hash; only the console itself may frame it (a preview).
#[must_use]
pub fn content_security_policy() -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; \
         frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
    )
}

/// `text` with HTML's special characters escaped, for element content and quoted
/// attribute values.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One of two words by locale.
const fn tr(locale: Locale, zh: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::ZhCn => zh,
        Locale::En => en,
    }
}

/// A localized text in `locale`, escaped.
fn lt(text: &LocalizedText, locale: Locale) -> String {
    escape(text.get(locale))
}

/// A moment as `yyyy-mm-dd hh:mm:ss UTC`.
#[must_use]
pub fn moment_text(at_ms: i64) -> String {
    let (y, m, d) = civil_from_days(at_ms.div_euclid(DAY_MS));
    let secs = at_ms.rem_euclid(DAY_MS) / 1000;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The stamp line: when the document was computed and the audit head then.
#[must_use]
pub fn stamp_line(computed_at_ms: i64, head: &AuditStamp, locale: Locale) -> String {
    format!(
        "{} {} · {} #{} {}",
        tr(locale, "计算时间", "Computed at"),
        moment_text(computed_at_ms),
        tr(locale, "审计日志链头", "audit head"),
        head.seq,
        escape(&head.hash)
    )
}

/// The whole page around `body`.
fn page(locale: Locale, title: &str, stamp: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body>\
         <h1>{title}</h1><p class=\"stamp\">{stamp}</p>\
         <p class=\"hint\">{hint}</p>{body}</body></html>",
        lang = locale.tag(),
        title = escape(title),
        hint = tr(
            locale,
            "保存为 PDF：打印本页（Ctrl+P 或 ⌘P），目标选择“另存为 PDF”，纸张 A4。",
            "To save as PDF, print this page (Ctrl+P or ⌘P) and choose \u{201c}Save as PDF\u{201d} on A4 paper."
        ),
    )
}

/// A table with a header row and rows of already escaped cells.
fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in head {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td class=\"v\">{cell}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// A table of label and value pairs (cells already escaped).
fn key_values(rows: &[(String, String)]) -> String {
    let mut out = String::from("<table class=\"kv\"><tbody>");
    for (k, v) in rows {
        out.push_str(&format!("<tr><th>{k}</th><td class=\"v\">{v}</td></tr>"));
    }
    out.push_str("</tbody></table>");
    out
}

fn list(items: &[String]) -> String {
    let mut out = String::from("<ul>");
    for i in items {
        out.push_str(&format!("<li>{i}</li>"));
    }
    out.push_str("</ul>");
    out
}

fn yes_no(b: bool, locale: Locale) -> String {
    if b {
        tr(locale, "是", "Yes")
    } else {
        tr(locale, "否", "No")
    }
    .to_owned()
}

fn joined(items: impl Iterator<Item = String>, locale: Locale) -> String {
    items.collect::<Vec<_>>().join(tr(locale, "、", ", "))
}

fn kind_name(kind: ReportKind, locale: Locale) -> &'static str {
    match kind {
        ReportKind::Weekly => tr(locale, "周报", "Weekly report"),
        ReportKind::Monthly => tr(locale, "月报", "Monthly report"),
        ReportKind::OnDemand => tr(locale, "按需报告", "On-demand report"),
    }
}

/// The change of a rate from `previous`, in percentage points: `+1.2`, `−0.4`, or a dash.
fn change_text(now: Figure, previous: Option<Figure>, locale: Locale) -> String {
    match (now.permille(), previous.and_then(Figure::permille)) {
        (Some(a), Some(b)) => {
            let d = i64::from(a) - i64::from(b);
            let sign = match d.signum() {
                1 => "+",
                -1 => "\u{2212}",
                _ => "±",
            };
            format!(
                "{sign}{}.{} {}",
                d.abs() / 10,
                d.abs() % 10,
                tr(locale, "个百分点", "pts")
            )
        }
        _ => "—".to_owned(),
    }
}

fn figure_cell(f: Figure) -> String {
    format!("{} / {}", f.passed, f.total)
}

/// A compliance report as a printable page in `locale`.
#[must_use]
pub fn report(doc: &ComplianceReport, locale: Locale) -> String {
    let l = locale;
    let last_day = day_text(doc.period_to_ms.saturating_sub(1).max(doc.period_from_ms));
    let mut body = format!(
        "<p class=\"lead\"><strong>{}</strong> · {} {} – {} · {} {}</p>",
        kind_name(doc.kind, l),
        tr(l, "期间", "Period"),
        day_text(doc.period_from_ms),
        last_day,
        tr(l, "编号", "Report"),
        escape(&doc.id)
    );
    body.push_str(&format!(
        "<h2>{}</h2><p><span class=\"rate\">{}</span> ({} {}) · {} {}</p>",
        tr(l, "总体合规率", "Overall compliance rate"),
        percent_text(doc.rate),
        figure_cell(doc.rate),
        tr(l, "项合格", "passed"),
        tr(l, "较上期", "change from the previous report:"),
        change_text(doc.rate, doc.previous_rate, l)
    ));
    body.push_str(&format!("<h2>{}</h2>", tr(l, "各项检查", "Checks")));
    let rows: Vec<Vec<String>> = doc
        .checks
        .iter()
        .map(|c| {
            vec![
                lt(&c.check.title(), l),
                lt(&c.check.law(), l),
                figure_cell(c.figure),
                percent_text(c.figure),
                c.previous.map_or_else(|| "—".to_owned(), percent_text),
                change_text(c.figure, c.previous, l),
            ]
        })
        .collect();
    body.push_str(&table(
        &[
            tr(l, "检查", "Check"),
            tr(l, "法律依据", "Law"),
            tr(l, "合格 / 总数", "Passed / total"),
            tr(l, "合格率", "Rate"),
            tr(l, "上期", "Previous"),
            tr(l, "变化", "Change"),
        ],
        &rows,
    ));
    let act = &doc.activity;
    body.push_str(&format!(
        "<h2>{}</h2>",
        tr(l, "本期活动", "Activity in the period")
    ));
    let rows: Vec<(String, String)> = [
        (
            tr(l, "采集的记录", "Records collected"),
            act.records_collected,
        ),
        (
            tr(l, "收到的同意", "Consents received"),
            act.consents_received,
        ),
        (tr(l, "撤回同意", "Withdrawals"), act.withdrawals),
        (
            tr(l, "收到的个人权利请求", "Requests received"),
            act.requests_received,
        ),
        (
            tr(l, "办结的个人权利请求", "Requests closed"),
            act.requests_closed,
        ),
        (tr(l, "导出", "Exports"), act.exports),
        (tr(l, "告警", "Alerts"), act.alerts),
        (tr(l, "保存期限任务", "Retention runs"), act.retention_runs),
        (
            tr(
                l,
                "报告生成时未处理的告警",
                "Alerts open when the report was made",
            ),
            doc.open_alerts,
        ),
    ]
    .into_iter()
    .map(|(k, v)| (escape(k), v.to_string()))
    .collect();
    body.push_str(&key_values(&rows));
    body.push_str(&format!(
        "<h2>{}</h2>",
        tr(l, "逾期的个人权利请求", "Overdue data-subject requests")
    ));
    if doc.overdue_requests.is_empty() {
        body.push_str(&format!("<p>{}</p>", tr(l, "无。", "None.")));
    } else {
        let rows: Vec<Vec<String>> = doc
            .overdue_requests
            .iter()
            .map(|r| {
                let days = (doc.computed_at_ms - r.due_at_ms).div_euclid(DAY_MS).max(0);
                vec![
                    escape(&r.request_id.reference()),
                    escape(r.kind.label(l)),
                    day_text(r.received_at_ms),
                    day_text(r.due_at_ms),
                    days.to_string(),
                ]
            })
            .collect();
        body.push_str(&table(
            &[
                tr(l, "编号", "Reference"),
                tr(l, "类型", "Kind"),
                tr(l, "收到", "Received"),
                tr(l, "截止", "Due"),
                tr(l, "逾期天数", "Days overdue"),
            ],
            &rows,
        ));
    }
    page(
        l,
        tr(l, "合规报告", "Compliance report"),
        &stamp_line(doc.computed_at_ms, &doc.audit_head, l),
        &body,
    )
}

/// A file name's stem made safe for `Content-Disposition`: ASCII letters, digits, `.`,
/// `_` and `-` only.
fn safe_stem(stem: &str) -> String {
    let cleaned: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(100)
        .collect();
    let cleaned = cleaned.trim_matches(['-', '.']).to_owned();
    if cleaned.is_empty() {
        "document".to_owned()
    } else {
        cleaned
    }
}

/// A page from this module as the answer: `text/html`, its own Content-Security-Policy
/// (the style's hash, nothing else), never cached, shown in the browser or, with
/// `download`, saved as `<file_stem>.html`.
#[must_use]
pub fn html_response(html: String, file_stem: &str, download: bool) -> Response {
    let disposition = format!(
        "{}; filename=\"{}.html\"",
        if download { "attachment" } else { "inline" },
        safe_stem(file_stem)
    );
    let mut response = html.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy()) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `value` as a JSON file to save: `application/json`, `<file_stem>.json`, never cached.
#[must_use]
pub fn json_download(value: &impl Serialize, file_stem: &str) -> Response {
    match serde_json::to_vec_pretty(value) {
        Ok(body) => json_file(body, file_stem),
        Err(e) => AppError::internal("a document as JSON", e).into_response(),
    }
}

/// JSON bytes already made as a file to save, as [`json_download`] answers.
#[must_use]
pub fn json_file(body: Vec<u8>, file_stem: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}.json\"",
        safe_stem(file_stem)
    )) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

mod pages;

pub use pages::{assessment, processing};

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
