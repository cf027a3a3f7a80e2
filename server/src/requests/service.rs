//! The register: requests registered by an officer or filed by customers with their
//! receipt, listed by urgency, and one request in full.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shared::{
    api::{
        consent::ConsentTokenRequest,
        error::{ApiError, FieldIssue},
        requests::{
            CustomerRequest, Extension, IdentityCheck, IdentityMethod, NewRequest, PackageTicket,
            RequestDetail, RequestEvent, RequestFiled, RequestKind, RequestList, RequestStatus,
            RequestSummary, Requester, MAX_REQUESTER_CHARS, MAX_REQUEST_TEXT_CHARS,
        },
    },
    i18n::Locale,
    ids::{SubjectRequestId, UserId},
    requests::{days_left, overdue},
    retention::DAY_MS,
    schema::parse_iso_date,
};
use sqlx::AnyConnection;

use super::{person, place, Sealer};
use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::requests::{self as store, NewEvent, NewRequestRow, RequestRow},
};

/// What is sealed in `requester_sealed`: who asked, and what they asked in their words.
#[derive(Serialize, Deserialize)]
struct Asked {
    requester: Requester,
    details: String,
}

/// Issues found in a request's fields, reported together.
#[derive(Default)]
pub(crate) struct Issues(BTreeMap<String, Vec<FieldIssue>>);

impl Issues {
    pub(crate) fn add(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_default()
            .push(FieldIssue {
                code: code.to_owned(),
                params: BTreeMap::new(),
                message: message.into(),
            });
    }

    /// `text` trimmed, checked to be between `min` and `max` characters.
    pub(crate) fn text(&mut self, field: &str, text: &str, min: usize, max: usize) -> String {
        let t = text.trim();
        let n = t.chars().count();
        if n < min {
            if n == 0 {
                self.add(field, "required", "Required");
            } else {
                self.add(field, "too_short", format!("At least {min} characters"));
            }
        } else if n > max {
            self.add(field, "too_long", format!("At most {max} characters"));
        }
        t.to_owned()
    }

    pub(crate) fn done(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Client(ApiError::validation(
                "Some fields are invalid",
                self.0,
            )))
        }
    }
}

fn check_requester(issues: &mut Issues, r: &Requester) -> Requester {
    Requester {
        name: issues.text("requester.name", &r.name, 1, MAX_REQUESTER_CHARS),
        contact: issues.text("requester.contact", &r.contact, 1, MAX_REQUESTER_CHARS),
        locale: r.locale,
    }
}

/// Keeps one line of a request's history, its text sealed.
pub(crate) async fn note_event(
    conn: &mut AnyConnection,
    sealer: &Sealer,
    request_id: SubjectRequestId,
    by: Option<UserId>,
    kind: &str,
    text: &str,
    at_ms: i64,
) -> AppResult<()> {
    let id = uuid::Uuid::now_v7();
    store::insert_event(
        conn,
        &NewEvent {
            id,
            request_id,
            at_ms,
            by,
            kind,
            text_sealed: &sealer.seal(request_id, &place::event(&id), text),
        },
    )
    .await?;
    Ok(())
}

/// Registers a request received by letter, email, phone or in person.
pub async fn register(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    req: NewRequest,
) -> AppResult<RequestDetail> {
    let now = state.clock.now_ms();
    let mut issues = Issues::default();
    let requester = check_requester(&mut issues, &req.requester);
    let details = issues.text("details", &req.details, 1, MAX_REQUEST_TEXT_CHARS);
    let received_at_ms = match req
        .received_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => now,
        Some(text) => match parse_iso_date(text) {
            None => {
                issues.add("received_on", "invalid", "A date as yyyy-mm-dd");
                now
            }
            Some(day) => {
                let at = day.midnight().assume_utc().unix_timestamp() * 1000;
                if at > now {
                    issues.add(
                        "received_on",
                        "in_future",
                        "The day cannot be in the future",
                    );
                } else if at < now - 366 * DAY_MS {
                    issues.add(
                        "received_on",
                        "too_old",
                        "A request received more than a year ago cannot be registered now",
                    );
                }
                at
            }
        },
    };
    let mut found = Vec::new();
    for (i, identifier) in req.identifiers.iter().enumerate() {
        let field = format!("identifiers[{i}].value");
        match crate::records::identifier::index_of(
            state,
            identifier.kind,
            &identifier.value,
            &field,
        ) {
            Ok(index) => found.push((identifier.kind, index)),
            Err(AppError::Client(e)) => {
                for (f, list) in e.details.map(|d| d.fields).unwrap_or_default() {
                    for issue in list {
                        issues.add(&f, &issue.code, issue.message);
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    issues.done()?;
    let id = SubjectRequestId::from_uuid(uuid::Uuid::now_v7());
    let sealer = Sealer::new(state)?;
    let asked = serde_json::to_string(&Asked { requester, details })
        .map_err(|e| AppError::internal("a request", e))?;
    let mut tx = state.db.begin_write().await?;
    store::insert_request(
        &mut tx,
        &NewRequestRow {
            id,
            kind: req.kind.as_str(),
            status: RequestStatus::New.as_str(),
            filed_by_customer: false,
            receipt_id: None,
            requester_sealed: &sealer.seal(id, place::REQUESTER, &asked),
            received_at_ms,
            due_at_ms: state.config.requests.due_at(received_at_ms, false),
            identity_method: None,
            created_by: Some(caller.user.id),
            created_at_ms: now,
        },
    )
    .await?;
    note_event(
        &mut tx,
        &sealer,
        id,
        Some(caller.user.id),
        "registered",
        "",
        now,
    )
    .await?;
    let mut linked = 0;
    for (kind, index) in &found {
        linked += person::link_by_index(&mut tx, state, id, *kind, index, now).await?;
    }
    if !found.is_empty() {
        note_event(
            &mut tx,
            &sealer,
            id,
            Some(caller.user.id),
            "records_found",
            &linked.to_string(),
            now,
        )
        .await?;
    }
    audit::record(
        &mut tx,
        origin,
        Event::new("requests.registered", Some(&caller.user))
            .target("subject_request", id)
            .details(serde_json::json!({ "kind": req.kind.as_str(), "records_linked": linked })),
    )
    .await?;
    tx.commit().await?;
    detail(state, caller, origin, locale, id).await
}

/// A customer files a request about the consent whose receipt and token they hold: it
/// arrives linked to that record, identity shown by the token.
pub async fn file(
    state: &AppState,
    origin: &Origin,
    req: CustomerRequest,
) -> AppResult<RequestFiled> {
    let receipt = crate::consent::withdrawal::receipt_for_token(
        state,
        &ConsentTokenRequest {
            receipt_id: req.receipt_id,
            token: req.token.clone(),
            purposes: Vec::new(),
        },
    )
    .await?;
    let mut issues = Issues::default();
    let requester = check_requester(&mut issues, &req.requester);
    let min_details = usize::from(req.kind == RequestKind::Correction);
    let details = issues.text("details", &req.details, min_details, MAX_REQUEST_TEXT_CHARS);
    issues.done()?;
    let now = state.clock.now_ms();
    let id = SubjectRequestId::from_uuid(uuid::Uuid::now_v7());
    let sealer = Sealer::new(state)?;
    let asked = serde_json::to_string(&Asked { requester, details })
        .map_err(|e| AppError::internal("a request", e))?;
    let due_at_ms = state.config.requests.due_at(now, false);
    let mut tx = state.db.begin_write().await?;
    store::insert_request(
        &mut tx,
        &NewRequestRow {
            id,
            kind: req.kind.as_str(),
            status: RequestStatus::New.as_str(),
            filed_by_customer: true,
            receipt_id: Some(receipt.receipt_id),
            requester_sealed: &sealer.seal(id, place::REQUESTER, &asked),
            received_at_ms: now,
            due_at_ms,
            identity_method: Some("receipt_token"),
            created_by: None,
            created_at_ms: now,
        },
    )
    .await?;
    store::link_record(&mut tx, id, receipt.record_id, "receipt", now).await?;
    note_event(&mut tx, &sealer, id, None, "filed", "", now).await?;
    audit::record(
        &mut tx,
        origin,
        Event::new("requests.filed", None)
            .target("subject_request", id)
            .details(serde_json::json!({
                "kind": req.kind.as_str(),
                "record_id": receipt.record_id,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(RequestFiled {
        id,
        reference: id.reference(),
        received_at_ms: now,
        due_at_ms,
    })
}

fn summary_of(state: &AppState, row: &RequestRow, requester_name: String) -> RequestSummary {
    let now = state.clock.now_ms();
    let status = RequestStatus::parse(&row.status).unwrap_or(RequestStatus::New);
    RequestSummary {
        id: row.id,
        reference: row.id.reference(),
        kind: RequestKind::parse(&row.kind).unwrap_or(RequestKind::Access),
        status,
        filed_by_customer: row.filed_by_customer,
        requester_name,
        received_at_ms: row.received_at_ms,
        due_at_ms: row.due_at_ms,
        overdue: overdue(status, row.due_at_ms, now),
        days_left: days_left(row.due_at_ms, now),
        extended: row.extended_at_ms.is_some(),
        assignee_id: row.assignee_id,
        assignee_name: row.assignee_name.clone(),
        records: u32::try_from(row.records).unwrap_or(u32::MAX),
    }
}

fn asked_of(sealer: &Sealer, row: &RequestRow) -> Asked {
    let json = sealer.open(row.id, place::REQUESTER, &row.requester_sealed);
    serde_json::from_str(&json).unwrap_or(Asked {
        requester: Requester {
            name: json,
            contact: String::new(),
            locale: Locale::ZhCn,
        },
        details: String::new(),
    })
}

/// The register: open requests (or closed ones, or all) by due date, with the counts
/// of overdue and soon due among all open ones.
pub async fn list(state: &AppState, open: Option<bool>) -> AppResult<RequestList> {
    let sealer = Sealer::new(state)?;
    let now = state.clock.now_ms();
    let requests = state
        .db
        .requests(open)
        .await?
        .iter()
        .map(|row| summary_of(state, row, asked_of(&sealer, row).requester.name))
        .collect();
    let overdue = state.db.open_requests_due_before(now).await?;
    let soon = state
        .db
        .open_requests_due_before(now + shared::requests::DUE_SOON_DAYS * DAY_MS)
        .await?
        - overdue;
    Ok(RequestList {
        requests,
        overdue: u32::try_from(overdue).unwrap_or(0),
        due_soon: u32::try_from(soon).unwrap_or(0),
        policy: state.config.requests,
    })
}

/// One request in full; linked records as the caller's role sees them (values shown in
/// clear are audited as a read).
pub async fn detail(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    id: SubjectRequestId,
) -> AppResult<RequestDetail> {
    let row = state
        .db
        .request(id)
        .await?
        .ok_or_else(|| AppError::not_found("No such request"))?;
    let sealer = Sealer::new(state)?;
    let asked = asked_of(&sealer, &row);
    let (records, unmasked) = person::linked(state, caller.role(), locale, id).await?;
    if unmasked > 0 {
        let event = Event::new("records.read", Some(&caller.user))
            .target("subject_request", id)
            .details(serde_json::json!({
                "records": records.iter().map(|r| r.record.id).collect::<Vec<_>>(),
                "unmasked_values": unmasked,
            }));
        audit::record_alone(&state.db, origin, event, None).await?;
    }
    let identity = row.identity_method.as_deref().map(|m| IdentityCheck {
        method: IdentityMethod::parse(m).unwrap_or(IdentityMethod::Other),
        checked_by_name: row.identity_by_name.clone(),
        at_ms: row.identity_at_ms.unwrap_or(row.received_at_ms),
        note: row
            .identity_note_sealed
            .as_deref()
            .map(|s| sealer.open(id, place::IDENTITY_NOTE, s))
            .unwrap_or_default(),
    });
    let extension = row.extended_at_ms.map(|at_ms| Extension {
        reason: row
            .extension_sealed
            .as_deref()
            .map(|s| sealer.open(id, place::EXTENSION, s))
            .unwrap_or_default(),
        by_name: row.extended_by_name.clone(),
        at_ms,
    });
    let events = state
        .db
        .request_events(id)
        .await?
        .into_iter()
        .map(|e| {
            let text = uuid::Uuid::parse_str(&e.id)
                .map(|eid| sealer.open(id, &place::event(&eid), &e.text_sealed))
                .unwrap_or_default();
            RequestEvent {
                at_ms: e.at_ms,
                by_name: e.by_name,
                kind: e.kind,
                text,
            }
        })
        .collect();
    let now = state.clock.now_ms();
    let package = state.db.latest_package(id).await?.map(|p| PackageTicket {
        prepared_at_ms: p.prepared_at_ms,
        expires_at_ms: p.expires_at_ms,
        downloaded_at_ms: p.downloaded_at_ms,
        download_path: (p.downloaded_at_ms.is_none() && p.expires_at_ms > now)
            .then(|| format!("/requests/{id}/package/{}", p.id)),
    });
    Ok(RequestDetail {
        summary: summary_of(state, &row, asked.requester.name.clone()),
        requester: asked.requester,
        details: asked.details,
        identity,
        extension,
        refusal_reason: row
            .refusal_sealed
            .as_deref()
            .map(|s| sealer.open(id, place::REFUSAL, s)),
        closed_at_ms: row.closed_at_ms,
        records,
        events,
        package,
        policy: state.config.requests,
    })
}

/// The requester of a request, opened (for the answer package's language and name).
pub(crate) fn requester_of(sealer: &Sealer, row: &RequestRow) -> (Requester, String) {
    let asked = asked_of(sealer, row);
    (asked.requester, asked.details)
}
