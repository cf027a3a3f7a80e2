//! Writing an export's file as it is downloaded: pages of records read in order, each
//! page turned into the role's views (the same code as the screen) and then into CSV
//! rows, sent as they are ready. The server holds one page at a time, never the file;
//! the file's SHA-256 goes into the ledger when the last byte is sent.

use std::collections::BTreeMap;

use axum::body::{Body, Bytes};
use sha2::{Digest as _, Sha256};
use shared::{
    api::records::{RecordView, ViewValue},
    i18n::{Locale, LocalizedText},
    ids::RecordId,
    schema::FormDefinition,
};
use tokio::sync::mpsc;

use super::service::locale_of;
use crate::{
    auth::Principal,
    error::{AppError, AppResult},
    records::service::{scope_of, views, withdrawn_purposes, Viewer},
    spreadsheet::inert,
    state::AppState,
    store::exports::ExportRow,
};

/// Records read and written per page.
const PAGE: i64 = 500;

type Chunk = Result<Bytes, std::io::Error>;

/// The file's name.
#[must_use]
pub fn file_name(row: &ExportRow) -> String {
    format!("consentry-export-{}.csv", row.id)
}

/// The body of the export's file, written by a task as the client reads it (at most a
/// few pages ahead).
pub fn stream(state: AppState, caller: Principal, row: ExportRow) -> Body {
    let (tx, rx) = mpsc::channel::<Chunk>(4);
    tokio::spawn(async move {
        let id = row.id;
        if let Err(e) = write(&state, &caller, &row, &tx).await {
            tracing::error!(export_id = %id, error = %e, "export file not completed");
            let _ = tx
                .send(Err(std::io::Error::other(
                    "the export could not be completed",
                )))
                .await;
        }
    });
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    }))
}

/// One value as a cell: what the screen shows, in words where the screen shows a state.
fn cell(value: Option<&ViewValue>, locale: Locale) -> String {
    let zh = locale == Locale::ZhCn;
    let words = |zh_text: &str, en_text: &str| if zh { zh_text } else { en_text }.to_owned();
    let Some(v) = value else {
        return String::new();
    };
    if v.withdrawn {
        return words("（已撤回同意）", "(consent withdrawn)");
    }
    match (&v.display, &v.retention, v.unreadable) {
        (Some(text), _, _) => text.clone(),
        (None, Some(_), _) => words("（已删除）", "(deleted)"),
        (None, None, true) => words("（无法读取）", "(unreadable)"),
        (None, None, false) => words("（隐藏）", "(hidden)"),
    }
}

/// Sends chunks and hashes what it sent.
struct Out<'a> {
    tx: &'a mpsc::Sender<Chunk>,
    hash: Sha256,
}

impl Out<'_> {
    /// Sends `bytes`; `false` when the client went away.
    async fn send(&mut self, bytes: Vec<u8>) -> bool {
        self.hash.update(&bytes);
        self.tx.send(Ok(Bytes::from(bytes))).await.is_ok()
    }
}

/// One CSV line, every cell inert for spreadsheets.
fn csv_line(cells: &[String]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(cells.iter().map(|c| inert(c).into_owned()));
    w.into_inner().unwrap_or_default()
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The visible watermark: which export, who, when, what.
fn watermark(caller: &Principal, row: &ExportRow, title: &str, now_ms: i64) -> Vec<u8> {
    let zh = locale_of(row) == Locale::ZhCn;
    let who = format!("{} ({})", caller.user.username, caller.user.display_name);
    let now = rfc3339(now_ms);
    let lines = if zh {
        [
            format!("# Consentry 导出 {}", row.id),
            format!("# 导出人：{who}；导出时间：{now}"),
            format!(
                "# 表单：{title}；{} 条记录；{}",
                row.rows,
                if row.unmasked {
                    "未遮蔽"
                } else {
                    "按角色遮蔽"
                }
            ),
        ]
    } else {
        [
            format!("# Consentry export {}", row.id),
            format!("# Exported by {who} at {now}"),
            format!(
                "# Form: {title}; {} records; {}",
                row.rows,
                if row.unmasked {
                    "unmasked"
                } else {
                    "masked by role"
                }
            ),
        ]
    };
    let mut out = b"\xEF\xBB\xBF".to_vec();
    for line in lines {
        out.extend(csv_line(&[line]));
    }
    out
}

/// The purposes granted and withdrawn of each record of a page, by their names.
struct Purposes(BTreeMap<RecordId, (String, String)>);

impl Purposes {
    fn of(
        page: &[(crate::store::records::RecordRow, Option<String>)],
        def: &FormDefinition,
        locale: Locale,
    ) -> Self {
        let name = |key: &str| {
            def.purposes
                .iter()
                .find(|p| p.key.as_str() == key)
                .map_or_else(|| key.to_owned(), |p| p.name.get(locale).to_owned())
        };
        let sep = if locale == Locale::ZhCn { "、" } else { "; " };
        Self(
            page.iter()
                .map(|(r, granted)| {
                    let granted: Vec<String> = granted
                        .as_deref()
                        .and_then(|j| serde_json::from_str(j).ok())
                        .unwrap_or_default();
                    let withdrawn = withdrawn_purposes(r.withdrawn_json.as_deref());
                    let granted: Vec<String> = granted
                        .iter()
                        .filter(|k| !withdrawn.contains(*k))
                        .map(|k| name(k))
                        .collect();
                    let withdrawn: Vec<String> = withdrawn.iter().map(|k| name(k)).collect();
                    (r.id, (granted.join(sep), withdrawn.join(sep)))
                })
                .collect(),
        )
    }
}

async fn write(
    state: &AppState,
    caller: &Principal,
    row: &ExportRow,
    tx: &mpsc::Sender<Chunk>,
) -> AppResult<()> {
    let locale = locale_of(row);
    let zh = locale == Locale::ZhCn;
    let scope = scope_of(state, caller).await?;
    let latest = state
        .db
        .form(row.form_id)
        .await?
        .and_then(|f| f.latest)
        .ok_or_else(|| AppError::not_found("No such form"))?;
    let def = state
        .versions
        .get_any(&state.db, row.form_id, latest.number)
        .await?
        .definition
        .clone();
    let columns: Vec<(String, LocalizedText)> = def
        .fields()
        .filter(|f| f.holds_value())
        .map(|f| (f.key.as_str().to_owned(), f.label.clone()))
        .collect();
    let mut out = Out {
        tx,
        hash: Sha256::new(),
    };
    let mut head = watermark(caller, row, def.title.get(locale), state.clock.now_ms());
    let mut header = vec![
        if zh { "记录编号" } else { "Record" }.to_owned(),
        if zh { "收集时间" } else { "Collected at" }.to_owned(),
        if zh { "负责人" } else { "Owner" }.to_owned(),
        if zh {
            "已同意的目的"
        } else {
            "Purposes granted"
        }
        .to_owned(),
        if zh {
            "已撤回的目的"
        } else {
            "Purposes withdrawn"
        }
        .to_owned(),
    ];
    header.extend(columns.iter().map(|(_, l)| l.get(locale).to_owned()));
    head.extend(csv_line(&header));
    if !out.send(head).await {
        return Ok(());
    }
    let viewer = Viewer {
        role: caller.role(),
        locale,
        unmask: row.unmasked,
    };
    let mut after: Option<(i64, RecordId)> = None;
    loop {
        let page = state
            .db
            .records_for_export(&scope, row.form_id, (row.from_ms, row.to_ms), after, PAGE)
            .await?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after = Some((last.created_at_ms, last.id));
        let purposes = Purposes::of(&page, &def, locale);
        let rows: Vec<_> = page.into_iter().map(|(r, _)| r).collect();
        let (views, _) = views(state, viewer, &rows).await?;
        let mut chunk = Vec::new();
        for v in &views {
            chunk.extend(csv_line(&line_of(v, &columns, &purposes, locale)));
        }
        if !out.send(chunk).await {
            return Ok(());
        }
    }
    let sha = hex::encode(out.hash.finalize());
    state.db.set_export_hash(row.id, &sha).await?;
    Ok(())
}

fn line_of(
    v: &RecordView,
    columns: &[(String, LocalizedText)],
    purposes: &Purposes,
    locale: Locale,
) -> Vec<String> {
    let (granted, withdrawn) = purposes.0.get(&v.id).cloned().unwrap_or_default();
    let mut line = vec![
        v.id.to_string(),
        rfc3339(v.created_at_ms),
        v.owner_name.clone().unwrap_or_default(),
        granted,
        withdrawn,
    ];
    line.extend(columns.iter().map(|(k, _)| cell(v.values.get(k), locale)));
    line
}
