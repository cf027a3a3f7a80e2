//! The answer package: what the organisation holds about the person of a request, as a
//! ZIP the officer downloads once, within a day, and hands over.
//!
//! - `data.json`: every linked record (values in full: they are the person's own), its
//!   consent by purpose and its history;
//! - `records-<n>.csv`: one file per form, field labels as headers (cells written inert);
//! - `receipts/<id>.json`: each consent receipt exactly as issued, which the person can
//!   verify offline against the published keys;
//! - `summary.html`: in the person's language, printable: what is held, for which
//!   purposes, on which basis, for how long, and who it was shared with.
//!
//! Nothing is stored: the package is built from the records when it is downloaded, and
//! only from the records linked to the request.

use std::collections::BTreeMap;
use std::io::Write as _;

use serde_json::json;
use shared::{
    api::requests::{RequestDetail, RequestKind},
    i18n::Locale,
    ids::{FormId, PackageId, RecordId, SubjectRequestId},
    retention::{field_due, Kept},
    schema::{format_iso_date, FormDefinition, RetentionAction},
};

use super::{package_text::Words, service, Sealer};
use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    records::sealed::{data_key, Place, RecordKey},
    retention::engine::clocks_of,
    spreadsheet::inert,
    state::AppState,
    store::{
        records::Scope,
        requests::{self as store, PackageRow},
        retention::ClockRow,
    },
};

/// How long a prepared package may be downloaded.
pub const PACKAGE_VALID_MS: i64 = 24 * 3_600_000;

/// Prepares a one-time download of the package.
pub async fn prepare(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    id: SubjectRequestId,
) -> AppResult<RequestDetail> {
    let now = state.clock.now_ms();
    let package = PackageRow {
        id: PackageId::from_uuid(uuid::Uuid::now_v7()),
        request_id: id,
        prepared_by: Some(caller.user.id),
        prepared_at_ms: now,
        expires_at_ms: now + PACKAGE_VALID_MS,
        downloaded_at_ms: None,
    };
    let sealer = Sealer::new(state)?;
    let mut tx = state.db.begin_write().await?;
    store::request_locked(&mut tx, state.db.kind(), id)
        .await?
        .ok_or_else(|| AppError::not_found("No such request"))?;
    store::insert_package(&mut tx, &package).await?;
    service::note_event(
        &mut tx,
        &sealer,
        id,
        Some(caller.user.id),
        "package_prepared",
        "",
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("requests.package_prepared", Some(&caller.user))
            .target("subject_request", id)
            .details(json!({ "package": package.id, "expires_at_ms": package.expires_at_ms })),
    )
    .await?;
    tx.commit().await?;
    service::detail(state, caller, origin, locale, id).await
}

/// The package's file name and bytes, once: a second download, one after the day, or by
/// someone other than who prepared it is refused.
pub async fn download(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    id: SubjectRequestId,
    package: PackageId,
) -> AppResult<(String, Vec<u8>)> {
    let request = state
        .db
        .request(id)
        .await?
        .ok_or_else(|| AppError::not_found("No such request"))?;
    let ticket = state
        .db
        .latest_package(id)
        .await?
        .filter(|p| p.id == package)
        .ok_or_else(|| AppError::not_found("No such package"))?;
    if ticket.prepared_by != Some(caller.user.id) {
        return Err(AppError::forbidden());
    }
    let now = state.clock.now_ms();
    let sealer = Sealer::new(state)?;
    let mut tx = state.db.begin_write().await?;
    if !store::take_package(&mut tx, id, package, now).await? {
        return Err(AppError::conflict(
            "This package was already downloaded or has expired: prepare a new one",
        ));
    }
    let (bytes, records) = build(state, &sealer, &request).await?;
    service::note_event(
        &mut tx,
        &sealer,
        id,
        Some(caller.user.id),
        "package_downloaded",
        &records.to_string(),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("requests.package_downloaded", Some(&caller.user))
            .target("subject_request", id)
            .details(json!({ "package": package, "records": records, "bytes": bytes.len() })),
    )
    .await?;
    tx.commit().await?;
    Ok((format!("{}.zip", id.reference()), bytes))
}

/// One record's contents for the package.
struct Held {
    id: RecordId,
    form_id: FormId,
    def: std::sync::Arc<shared::schema::FormDefinition>,
    created_at_ms: i64,
    /// Field key → the value in words, in the person's language.
    values: BTreeMap<String, String>,
    /// Field key → the value as the form takes it.
    answers: serde_json::Map<String, serde_json::Value>,
    /// What retention or erasure did, by field key.
    processed: serde_json::Value,
    consent: Vec<shared::api::consent::PurposeState>,
    receipt: Option<(String, String)>,
    history: Vec<serde_json::Value>,
    clock: ClockRow,
}

async fn held(state: &AppState, locale: Locale, id: RecordId) -> AppResult<Option<Held>> {
    let Some(row) = state.db.record_in_scope(&Scope::All, id).await? else {
        return Ok(None);
    };
    let cached = state
        .versions
        .get_any(&state.db, row.form_id, row.form_version)
        .await?;
    let def = std::sync::Arc::new(cached.definition.clone());
    // The record's data key (after erasure, a fresh one that sealed nothing).
    let dek = data_key(state, row.id, &row.wrapped_key)?;
    let key = RecordKey::new(row.id, row.key_version, &dek);
    let open =
        |values: &crate::crypto::SealedValues, place: Place<'_>| key.open_all(&def, place, values);
    let answers = open(&row.values, Place::Record)?;
    let values = def
        .fields()
        .filter_map(|f| {
            answers
                .get(f.key.as_str())
                .map(|v| (f.key.as_str().to_owned(), f.value_text(v, locale)))
        })
        .collect();
    let receipt_row = state.db.receipt_of_record(id).await?;
    let consent = match &receipt_row {
        Some(r) => {
            crate::consent::withdrawal::status_of(state, r)
                .await?
                .purposes
        }
        None => Vec::new(),
    };
    let receipt = match &receipt_row {
        Some(r) => crate::consent::service::stored_receipt_json(state, r)
            .ok()
            .map(|json| (r.receipt_id.to_string(), json)),
        None => None,
    };
    let mut history = Vec::new();
    for v in state.db.record_history(id).await? {
        let opened = open(&v.values, Place::Version(v.version))?;
        history.push(json!({
            "version": v.version,
            "at_ms": v.at_ms,
            "cause": v.cause.unwrap_or_else(|| "device_edit".to_owned()),
            "changed": serde_json::from_str::<serde_json::Value>(&v.changed_fields).unwrap_or_default(),
            "values": opened.to_answers(),
        }));
    }
    let clock = ClockRow {
        id: row.id,
        form_id: row.form_id,
        form_version: row.form_version,
        created_at_ms: row.created_at_ms,
        relationship_ended_at_ms: row.relationship_ended_at_ms,
        withdrawn_json: row.withdrawn_json.clone(),
        values: row.values.clone(),
        version: 1,
    };
    Ok(Some(Held {
        id: row.id,
        form_id: row.form_id,
        created_at_ms: row.created_at_ms,
        values,
        answers: answers.to_answers().into_iter().collect(),
        processed: row
            .retention_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_else(|| json!({})),
        consent,
        receipt,
        history,
        clock,
        def,
    }))
}

fn day(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .map(|t| format_iso_date(t.date()))
        .unwrap_or_default()
}

/// The ZIP and the number of records in it.
async fn build(
    state: &AppState,
    sealer: &Sealer,
    request: &store::RequestRow,
) -> AppResult<(Vec<u8>, usize)> {
    let (requester, _) = service::requester_of(sealer, request);
    let locale = requester.locale;
    let mut records = Vec::new();
    for (id, _) in state.db.request_records(request.id).await? {
        if let Some(h) = held(state, locale, id).await? {
            records.push(h);
        }
    }
    let kind = RequestKind::parse(&request.kind).unwrap_or(RequestKind::Access);
    let data = json!({
        "format": "consentry-subject-package-v1",
        "request": {
            "reference": request.id.reference(),
            "kind": kind.as_str(),
            "received_on": day(request.received_at_ms),
        },
        "generated_on": day(state.clock.now_ms()),
        "records": records.iter().map(|h| json!({
            "record_id": h.id,
            "form_id": h.form_id,
            "form_title": h.def.title.get(locale),
            "collected_on": day(h.created_at_ms),
            "values": h.answers,
            "processed_by_retention": h.processed,
            "consent": h.consent,
            "receipt_id": h.receipt.as_ref().map(|(id, _)| id),
            "history": h.history,
        })).collect::<Vec<_>>(),
        "shared_with": [],
    });
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let fail = |e: &dyn std::fmt::Display| {
        AppError::internal("the answer package", anyhow::anyhow!("{e}"))
    };
    let mut put = |name: &str, bytes: &[u8]| -> AppResult<()> {
        zip.start_file(name, options).map_err(|e| fail(&e))?;
        zip.write_all(bytes).map_err(|e| fail(&e))
    };
    put(
        "data.json",
        serde_json::to_string_pretty(&data)
            .map_err(|e| fail(&e))?
            .as_bytes(),
    )?;
    let mut forms: Vec<FormId> = records.iter().map(|h| h.form_id).collect();
    forms.dedup();
    forms.sort_unstable();
    forms.dedup();
    for (n, form) in forms.iter().enumerate() {
        let of_form: Vec<&Held> = records.iter().filter(|h| h.form_id == *form).collect();
        put(
            &format!("records-{}.csv", n + 1),
            &csv_of(&of_form, locale)?,
        )?;
    }
    for h in &records {
        if let Some((id, json)) = &h.receipt {
            put(&format!("receipts/{id}.json"), json.as_bytes())?;
        }
    }
    let words = Words::of(locale);
    let html = summary(state, words, request, kind, &requester.name, &records);
    put("summary.html", html.as_bytes())?;
    let cursor = zip.finish().map_err(|e| fail(&e))?;
    Ok((cursor.into_inner(), records.len()))
}

/// One form's records as CSV: UTF-8 with a byte-order mark (so Excel reads Chinese),
/// labels in the person's language as headers.
fn csv_of(records: &[&Held], locale: Locale) -> AppResult<Vec<u8>> {
    let Some(first) = records.first() else {
        return Ok(Vec::new());
    };
    let fields: Vec<_> = first.def.fields().filter(|f| f.holds_value()).collect();
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let zh = locale == Locale::ZhCn;
    let mut header = vec![
        if zh { "记录编号" } else { "Record" }.to_owned(),
        if zh { "收集日期" } else { "Collected on" }.to_owned(),
    ];
    header.extend(fields.iter().map(|f| f.label.get(locale).to_owned()));
    let fail = |e: csv::Error| AppError::internal("a package CSV", e);
    out.write_record(header.iter().map(|h| inert(h)).map(|c| c.into_owned()))
        .map_err(fail)?;
    for h in records {
        let mut row = vec![h.id.to_string(), day(h.created_at_ms)];
        row.extend(
            fields
                .iter()
                .map(|f| h.values.get(f.key.as_str()).cloned().unwrap_or_default()),
        );
        out.write_record(row.iter().map(|c| inert(c).into_owned()))
            .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| AppError::internal("a package CSV", e.into_error()))
}

/// `text` for HTML.
fn esc(text: &str) -> String {
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

/// How long a field's value is kept, in words.
fn kept_for(
    words: &Words,
    def: &FormDefinition,
    field: &shared::schema::Field,
    h: &Held,
    grace_ms: i64,
) -> String {
    match field_due(def, field, &clocks_of(&h.clock, grace_ms)) {
        Ok(due) => {
            let action = match due.action {
                RetentionAction::Delete => words.then_deleted,
                RetentionAction::Anonymise => words.then_anonymised,
            };
            format!("{} {} {action}", words.until, day(due.at_ms))
        }
        Err(Kept::NoPeriod) => words.while_needed.to_owned(),
        Err(Kept::UntilRelationshipEnds) => words.after_relationship.to_owned(),
    }
}

fn summary(
    state: &AppState,
    words: &Words,
    request: &store::RequestRow,
    kind: RequestKind,
    name: &str,
    records: &[Held],
) -> String {
    let locale = words.locale;
    let grace_ms = state.config.retention.grace_ms();
    let mut html = String::new();
    html.push_str(&format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:system-ui,'Noto Sans CJK SC',sans-serif;max-width:52rem;\
         margin:2rem auto;padding:0 1rem;color:#111;line-height:1.5}}table{{border-collapse:\
         collapse;width:100%;margin:.5rem 0 1.5rem}}th,td{{border:1px solid #999;padding:.3rem \
         .5rem;text-align:left;vertical-align:top}}th{{background:#eee}}h2{{margin-top:2rem;\
         break-after:avoid}}section{{break-inside:avoid}}@media print{{body{{margin:0}}}}\
         </style></head><body>",
        locale.tag(),
        esc(words.title)
    ));
    html.push_str(&format!(
        "<h1>{}</h1><p>{}: <strong>{}</strong> · {}: {} · {}: {} · {}: {}</p>",
        esc(words.title),
        esc(words.reference),
        esc(&request.id.reference()),
        esc(words.request_kind),
        esc(kind.label(locale)),
        esc(words.requested_by),
        esc(name),
        esc(words.generated_on),
        day(state.clock.now_ms()),
    ));
    if records.is_empty() {
        html.push_str(&format!(
            "<p><strong>{}</strong></p>",
            esc(words.nothing_held)
        ));
    } else {
        html.push_str(&format!("<p>{}</p>", esc(words.intro)));
    }
    for h in records {
        let def = &h.def;
        html.push_str(&format!(
            "<section><h2>{}</h2><p>{}: {} · {}: {}</p>",
            esc(def.title.get(locale)),
            esc(words.collected_on),
            day(h.created_at_ms),
            esc(words.record),
            h.id
        ));
        html.push_str(&format!(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(words.field),
            esc(words.value),
            esc(words.purposes),
            esc(words.kept)
        ));
        for field in def.fields().filter(|f| f.holds_value()) {
            let value = match (
                h.values.get(field.key.as_str()),
                h.processed.get(field.key.as_str()),
            ) {
                (Some(v), _) => esc(v),
                (None, Some(_)) => esc(words.removed),
                (None, None) => continue,
            };
            let purposes: Vec<String> = field
                .purposes
                .iter()
                .filter_map(|k| def.purposes.iter().find(|p| p.key == *k))
                .map(|p| esc(p.name.get(locale)))
                .collect();
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(field.label.get(locale)),
                value,
                purposes.join("<br>"),
                esc(&kept_for(words, def, field, h, grace_ms)),
            ));
        }
        html.push_str("</tbody></table>");
        html.push_str(&format!(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(words.purpose),
            esc(words.basis),
            esc(words.consent_state)
        ));
        for p in &def.purposes {
            let state_words = match h.consent.iter().find(|c| c.key == p.key.as_str()) {
                Some(c) if c.withdrawn_at_ms.is_some() => format!(
                    "{} {}",
                    words.withdrawn_on,
                    day(c.withdrawn_at_ms.unwrap_or_default())
                ),
                Some(c) if c.granted => words.granted.to_owned(),
                Some(_) => words.declined.to_owned(),
                None => words.no_consent_needed.to_owned(),
            };
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(p.name.get(locale)),
                esc(p.lawful_basis.label(locale)),
                esc(&state_words)
            ));
        }
        html.push_str("</tbody></table>");
        if let Some((id, _)) = &h.receipt {
            html.push_str(&format!(
                "<p>{} <code>receipts/{}.json</code></p>",
                esc(words.receipt_file),
                esc(id)
            ));
        }
        html.push_str("</section>");
    }
    html.push_str(&format!(
        "<h2>{}</h2><p>{}</p><h2>{}</h2><p>{}</p><p>{}</p></body></html>",
        esc(words.shared_title),
        esc(words.shared_none),
        esc(words.verify_title),
        esc(words.verify_how),
        esc(words.files_how),
    ));
    html
}
