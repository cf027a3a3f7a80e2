//! Writing an export's file as it is downloaded: pages of records read in order, each
//! page turned into the role's views (the same code as the screen), the export's
//! invisible marks mixed in (`marks`), then written as CSV lines or XLSX rows. The
//! server holds one page at a time, never the file: CSV is sent as it is written; XLSX
//! rows go to a temporary file (rust_xlsxwriter's constant-memory mode) and the
//! workbook is zipped straight into the response. Progress is kept in the ledger each
//! page, where a cancel asked for meanwhile stops the writing; the file's SHA-256 goes
//! into the ledger when the last byte is sent.

use std::{collections::BTreeMap, io::Write as _};

use axum::body::{Body, Bytes};
use rust_xlsxwriter::{DocProperties, Workbook, XlsxError};
use sha2::{Digest as _, Sha256};
use shared::{
    api::{
        exports::ExportFormat,
        records::{RecordView, ViewValue},
    },
    i18n::Locale,
    ids::RecordId,
    schema::{Field, FormDefinition},
};
use tokio::sync::mpsc;

use super::{marks::Marks, service::locale_of};
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
/// Bytes of a workbook gathered before they are sent.
const XLSX_CHUNK: usize = 64 * 1024;
/// The most rows a worksheet holds (Excel's limit, less the watermark and header).
pub const XLSX_MAX_ROWS: u64 = 1_048_576 - 8;

type Chunk = Result<Bytes, std::io::Error>;

/// The file's name.
#[must_use]
pub fn file_name(row: &ExportRow) -> String {
    format!("consentry-export-{}.{}", row.id, format_of(row).as_str())
}

/// The file's media type.
#[must_use]
pub fn content_type(row: &ExportRow) -> &'static str {
    match format_of(row) {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
}

fn format_of(row: &ExportRow) -> ExportFormat {
    ExportFormat::parse(&row.format).unwrap_or(ExportFormat::Csv)
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
    let Some(v) = value else {
        return String::new();
    };
    if v.withdrawn {
        return words(locale, "（已撤回同意）", "(consent withdrawn)");
    }
    match (&v.display, &v.retention, v.unreadable) {
        (Some(text), _, _) => text.clone(),
        (None, Some(_), _) => words(locale, "（已删除）", "(deleted)"),
        (None, None, true) => words(locale, "（无法读取）", "(unreadable)"),
        (None, None, false) => hidden(locale),
    }
}

fn hidden(locale: Locale) -> String {
    words(locale, "（隐藏）", "(hidden)")
}

fn words(locale: Locale, zh: &str, en: &str) -> String {
    if locale == Locale::ZhCn { zh } else { en }.to_owned()
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

/// The visible watermark: which export, who, when, what (three lines).
fn watermark(caller: &Principal, row: &ExportRow, title: &str, now_ms: i64) -> [String; 3] {
    let zh = locale_of(row) == Locale::ZhCn;
    let who = who(caller);
    let now = rfc3339(now_ms);
    if zh {
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
    }
}

fn who(caller: &Principal) -> String {
    format!("{} ({})", caller.user.username, caller.user.display_name)
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

/// Where the lines go: CSV straight to the client, or rows to the workbook's writer.
enum Sink<'a> {
    Csv {
        tx: &'a mpsc::Sender<Chunk>,
        hash: Sha256,
        buffer: Vec<u8>,
    },
    Xlsx {
        rows: mpsc::Sender<Vec<String>>,
        done: tokio::task::JoinHandle<Result<String, XlsxError>>,
    },
}

impl Sink<'_> {
    /// Queues one line; `false` when the client went away.
    async fn line(&mut self, cells: Vec<String>) -> bool {
        match self {
            Sink::Csv { buffer, .. } => {
                buffer.extend(csv_line(&cells));
                true
            }
            Sink::Xlsx { rows, .. } => rows.send(cells).await.is_ok(),
        }
    }

    /// Sends what is queued (CSV); `false` when the client went away.
    async fn flush(&mut self) -> bool {
        match self {
            Sink::Csv { tx, hash, buffer } => {
                let bytes = std::mem::take(buffer);
                hash.update(&bytes);
                tx.send(Ok(Bytes::from(bytes))).await.is_ok()
            }
            Sink::Xlsx { .. } => true,
        }
    }

    /// Ends the file; its SHA-256.
    async fn finish(mut self) -> AppResult<Option<String>> {
        if !self.flush().await {
            return Ok(None);
        }
        match self {
            Sink::Csv { hash, .. } => Ok(Some(hex::encode(hash.finalize()))),
            Sink::Xlsx { rows, done } => {
                drop(rows);
                match done.await {
                    Ok(Ok(sha)) => Ok(Some(sha)),
                    Ok(Err(XlsxError::IoError(_))) => Ok(None),
                    Ok(Err(e)) => Err(AppError::internal("the workbook", e)),
                    Err(e) => Err(AppError::internal("the workbook's writer", e)),
                }
            }
        }
    }
}

/// What the workbook shows besides its rows.
struct Sheet {
    title: String,
    author: String,
    export_id: String,
    header: String,
    footer: String,
}

/// The workbook's writer: a blocking task that writes each row to a temporary file
/// and, when the rows end, zips the workbook into the response in chunks.
fn xlsx_sink(tx: mpsc::Sender<Chunk>, sheet: Sheet) -> Sink<'static> {
    let (rows_tx, mut rows_rx) = mpsc::channel::<Vec<String>>(PAGE as usize);
    let done = tokio::task::spawn_blocking(move || -> Result<String, XlsxError> {
        let mut book = Workbook::new();
        book.set_properties(
            &DocProperties::new()
                .set_title(&sheet.title)
                .set_author(&sheet.author)
                .set_comment(format!("Consentry export {}", sheet.export_id))
                .set_custom_property("Consentry export", sheet.export_id.as_str()),
        );
        {
            let ws = book.add_worksheet_with_constant_memory()?;
            ws.set_header(&sheet.header);
            ws.set_footer(&sheet.footer);
            let mut r: u32 = 0;
            while let Some(cells) = rows_rx.blocking_recv() {
                for (c, text) in cells.iter().enumerate() {
                    let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
                    // A string cell: never read as a formula, whatever it starts with.
                    ws.write_string(r, c, text)?;
                }
                r += 1;
            }
        }
        let mut out = ChunkWriter {
            tx,
            hash: Sha256::new(),
            buffer: Vec::with_capacity(XLSX_CHUNK),
        };
        book.save_to_writer(&mut out)?;
        out.flush()?;
        Ok(hex::encode(out.hash.finalize()))
    });
    Sink::Xlsx {
        rows: rows_tx,
        done,
    }
}

/// Sends what the workbook writes to the client, in chunks, hashing it.
struct ChunkWriter {
    tx: mpsc::Sender<Chunk>,
    hash: Sha256,
    buffer: Vec<u8>,
}

impl std::io::Write for ChunkWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= XLSX_CHUNK {
            self.flush()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::replace(&mut self.buffer, Vec::with_capacity(XLSX_CHUNK));
        self.hash.update(&bytes);
        self.tx
            .blocking_send(Ok(Bytes::from(bytes)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}

/// An Excel header or footer text: `&` doubled, within Excel's 255 characters.
fn header_text(text: &str) -> String {
    text.replace('&', "&&").chars().take(200).collect()
}

/// The record a mark sits next to: its time, owner and purposes.
#[derive(Default, Clone)]
struct Neighbour {
    at_ms: Option<i64>,
    owner: String,
    granted: String,
}

/// Writes the marks due before real row `real` (all that remain when `next` is `None`).
struct MarkWriter<'a> {
    marks: Marks<'a>,
    positions: Vec<u64>,
    next: usize,
    fields: Vec<Field>,
    viewer: Viewer,
}

impl MarkWriter<'_> {
    fn due(&self, real: u64) -> bool {
        self.positions.get(self.next).is_some_and(|p| *p <= real)
    }

    fn line(
        &mut self,
        before: &Neighbour,
        after: Option<&Neighbour>,
        fallback_ms: i64,
    ) -> Vec<String> {
        let i = u32::try_from(self.next).unwrap_or(u32::MAX);
        self.next += 1;
        let at = match (before.at_ms, after.and_then(|a| a.at_ms)) {
            (Some(b), Some(a)) => {
                b + self
                    .marks
                    .time_offset(i, (a - b).max(1))
                    .min((a - b).max(0))
            }
            (Some(b), None) => b + self.marks.time_offset(i, 60_000),
            (None, Some(a)) => a - self.marks.time_offset(i, 60_000),
            (None, None) => fallback_ms - self.marks.time_offset(i, 86_400_000),
        };
        let like = after.unwrap_or(before);
        let mut line = vec![
            self.marks.record_id(i, at).to_string(),
            rfc3339(at),
            like.owner.clone(),
            like.granted.clone(),
            String::new(),
        ];
        let locale = self.viewer.locale;
        line.extend(self.fields.iter().map(|f| {
            self.marks
                .value_text(i, f, locale)
                .and_then(|text| self.viewer.show(f, text))
                .unwrap_or_else(|| hidden(locale))
        }));
        line
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
    let fields: Vec<Field> = def.fields().filter(|f| f.holds_value()).cloned().collect();
    let title = def.title.get(locale).to_owned();
    let now = state.clock.now_ms();
    let mark = watermark(caller, row, &title, now);
    let mut sink = match format_of(row) {
        ExportFormat::Csv => Sink::Csv {
            tx,
            hash: Sha256::new(),
            buffer: b"\xEF\xBB\xBF".to_vec(),
        },
        ExportFormat::Xlsx => xlsx_sink(
            tx.clone(),
            Sheet {
                title: title.clone(),
                author: who(caller),
                export_id: row.id.to_string(),
                header: header_text(&format!(
                    "&LConsentry {} {}&R{} {}",
                    if zh { "导出" } else { "export" },
                    row.id,
                    who(caller),
                    rfc3339(now)
                )),
                footer: header_text(&format!("&L{title}&R&P / &N")),
            },
        ),
    };
    for line in mark {
        sink.line(vec![line]).await;
    }
    let mut header = vec![
        words(locale, "记录编号", "Record"),
        words(locale, "收集时间", "Collected at"),
        words(locale, "负责人", "Owner"),
        words(locale, "已同意的目的", "Purposes granted"),
        words(locale, "已撤回的目的", "Purposes withdrawn"),
    ];
    header.extend(fields.iter().map(|f| f.label.get(locale).to_owned()));
    sink.line(header).await;
    if !sink.flush().await {
        return Ok(());
    }
    let viewer = Viewer {
        role: caller.role(),
        locale,
        unmask: row.unmasked,
    };
    let marks = Marks::new(
        &state.subkeys,
        row.id,
        u32::try_from(row.marks.unwrap_or(0)).unwrap_or(0),
    );
    let mut marks = MarkWriter {
        positions: marks.positions(u64::try_from(row.rows).unwrap_or(0)),
        marks,
        next: 0,
        fields: fields.clone(),
        viewer,
    };
    let condition = super::service::export_condition(&scope, &super::service::filter_of(row))?;
    let mut after: Option<(i64, RecordId)> = None;
    let mut real: u64 = 0;
    let mut before = Neighbour::default();
    loop {
        let page = state.db.records_for_export(&condition, after, PAGE).await?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after = Some((last.created_at_ms, last.id));
        let purposes = Purposes::of(&page, &def, locale);
        let rows: Vec<_> = page.into_iter().map(|(r, _)| r).collect();
        let (views, _) = views(state, viewer, &rows).await?;
        for v in &views {
            let (granted, withdrawn) = purposes.0.get(&v.id).cloned().unwrap_or_default();
            let this = Neighbour {
                at_ms: Some(v.created_at_ms),
                owner: v.owner_name.clone().unwrap_or_default(),
                granted,
            };
            while marks.due(real) {
                let line = marks.line(&before, Some(&this), now);
                sink.line(line).await;
            }
            if !sink
                .line(line_of(v, &this, withdrawn, &fields, locale))
                .await
            {
                return Ok(());
            }
            real += 1;
            before = this;
        }
        if !sink.flush().await {
            return Ok(());
        }
        if state
            .db
            .export_progress(row.id, i64::try_from(real).unwrap_or(i64::MAX))
            .await?
        {
            state.db.export_stopped(row.id).await?;
            tracing::info!(export_id = %row.id, "export stopped at its requester's wish");
            let _ = tx
                .send(Err(std::io::Error::other("the export was cancelled")))
                .await;
            return Ok(());
        }
    }
    while marks.next < marks.positions.len() {
        let line = marks.line(&before, None, now);
        sink.line(line).await;
    }
    state
        .db
        .export_progress(row.id, i64::try_from(real).unwrap_or(i64::MAX))
        .await?;
    if let Some(sha) = sink.finish().await? {
        state.db.set_export_hash(row.id, &sha).await?;
    }
    Ok(())
}

fn line_of(
    v: &RecordView,
    this: &Neighbour,
    withdrawn: String,
    fields: &[Field],
    locale: Locale,
) -> Vec<String> {
    let mut line = vec![
        v.id.to_string(),
        rfc3339(v.created_at_ms),
        this.owner.clone(),
        this.granted.clone(),
        withdrawn,
    ];
    line.extend(
        fields
            .iter()
            .map(|f| cell(v.values.get(f.key.as_str()), locale)),
    );
    line
}
