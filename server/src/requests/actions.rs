//! The steps of the work on a request, each in one write transaction with the request
//! locked, kept in its history (sealed) and audited (ids and kinds, never the words).

use shared::{
    api::requests::{
        IdentityMethod, RequestAction, RequestDetail, RequestStatus, MAX_REQUEST_TEXT_CHARS,
        MIN_REASON_CHARS,
    },
    i18n::Locale,
    ids::SubjectRequestId,
};

use super::{
    person, place,
    service::{self, note_event, Issues},
    Sealer,
};
use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    state::AppState,
    store::requests::{self as store, Change},
};

/// The audit name of an action.
fn action_name(action: &RequestAction) -> &'static str {
    match action {
        RequestAction::Assign { .. } => "requests.assign",
        RequestAction::CheckIdentity { .. } => "requests.identity_checked",
        RequestAction::AwaitIdentity => "requests.awaiting_identity",
        RequestAction::Note { .. } => "requests.note",
        RequestAction::Extend { .. } => "requests.extend",
        RequestAction::FindPerson { .. } => "requests.find_person",
        RequestAction::Unlink { .. } => "requests.unlink",
        RequestAction::Answer { .. } => "requests.answer",
        RequestAction::Refuse { .. } => "requests.refuse",
    }
}

/// Carries out one step; the request as it then stands.
pub async fn act(
    state: &AppState,
    caller: &Principal,
    origin: &Origin,
    locale: Locale,
    id: SubjectRequestId,
    action: RequestAction,
) -> AppResult<RequestDetail> {
    let now = state.clock.now_ms();
    let sealer = Sealer::new(state)?;
    let by = Some(caller.user.id);
    // Input is checked before anything is locked.
    let mut issues = Issues::default();
    let text = match &action {
        RequestAction::Note { text } => issues.text("text", text, 1, MAX_REQUEST_TEXT_CHARS),
        RequestAction::CheckIdentity { method, note } => {
            if *method == IdentityMethod::ReceiptToken {
                issues.add(
                    "method",
                    "not_allowed",
                    "Only the server records a check by receipt token",
                );
            }
            issues.text("note", note, 1, MAX_REQUEST_TEXT_CHARS)
        }
        RequestAction::Answer { note } => issues.text("note", note, 0, MAX_REQUEST_TEXT_CHARS),
        RequestAction::Extend { reason } | RequestAction::Refuse { reason } => {
            issues.text("reason", reason, MIN_REASON_CHARS, MAX_REQUEST_TEXT_CHARS)
        }
        _ => String::new(),
    };
    let found = match &action {
        RequestAction::FindPerson { identifier } => Some((
            identifier.kind,
            match crate::records::identifier::index_of(
                state,
                identifier.kind,
                &identifier.value,
                "identifier.value",
            ) {
                Ok(index) => index,
                Err(e) => return Err(e),
            },
        )),
        _ => None,
    };
    if let RequestAction::Assign {
        assignee: Some(user),
    } = &action
    {
        if !state
            .db
            .request_assignees()
            .await?
            .iter()
            .any(|(id, _)| id == user)
        {
            issues.add(
                "assignee",
                "not_allowed",
                "A request can be given only to an enabled admin or privacy officer",
            );
        }
    }
    issues.done()?;

    let mut tx = state.db.begin_write().await?;
    let row = store::request_locked(&mut tx, state.db.kind(), id)
        .await?
        .ok_or_else(|| AppError::not_found("No such request"))?;
    let status = RequestStatus::parse(&row.status).unwrap_or(RequestStatus::New);
    if status.is_closed() && !matches!(action, RequestAction::Note { .. }) {
        return Err(AppError::conflict(
            "This request is closed: only notes can be added",
        ));
    }
    let mut details = serde_json::json!({});
    let (kind, event_text) = match &action {
        RequestAction::Assign { assignee } => {
            store::update_request(&mut tx, id, &Change::Assignee(*assignee)).await?;
            details = serde_json::json!({ "assignee": assignee });
            let name = match assignee {
                None => String::new(),
                Some(user) => state
                    .db
                    .user_names(&[*user])
                    .await?
                    .remove(user)
                    .unwrap_or_default(),
            };
            ("assigned", name)
        }
        RequestAction::CheckIdentity { method, .. } => {
            store::update_request(
                &mut tx,
                id,
                &Change::Identity {
                    method: method.as_str(),
                    by: caller.user.id,
                    at_ms: now,
                    note_sealed: &sealer.seal(id, place::IDENTITY_NOTE, &text),
                },
            )
            .await?;
            if matches!(status, RequestStatus::New | RequestStatus::IdentityCheck) {
                set_status(&mut tx, id, RequestStatus::InProgress, None).await?;
            }
            details = serde_json::json!({ "method": method.as_str() });
            ("identity_checked", method.as_str().to_owned())
        }
        RequestAction::AwaitIdentity => {
            set_status(&mut tx, id, RequestStatus::IdentityCheck, None).await?;
            ("status", RequestStatus::IdentityCheck.as_str().to_owned())
        }
        RequestAction::Note { .. } => ("note", text.clone()),
        RequestAction::Extend { .. } => {
            if state.config.requests.extension.is_none() {
                return Err(AppError::conflict(
                    "The organisation's policy allows no extension of the deadline",
                ));
            }
            if row.extended_at_ms.is_some() {
                return Err(AppError::conflict("The deadline was already extended"));
            }
            let due_at_ms = state.config.requests.due_at(row.received_at_ms, true);
            store::update_request(
                &mut tx,
                id,
                &Change::Extension {
                    by: caller.user.id,
                    at_ms: now,
                    reason_sealed: &sealer.seal(id, place::EXTENSION, &text),
                    due_at_ms,
                },
            )
            .await?;
            details = serde_json::json!({ "due_at_ms": due_at_ms });
            ("extended", text.clone())
        }
        RequestAction::FindPerson { identifier } => {
            let (kind, index) = found
                .as_ref()
                .ok_or_else(|| AppError::invariant("an identifier without its index"))?;
            let linked = person::link_by_index(&mut tx, state, id, *kind, index, now).await?;
            details = serde_json::json!({ "kind": identifier.kind.as_str(), "linked": linked });
            (
                "records_found",
                format!("{linked} {}", identifier.kind.as_str()),
            )
        }
        RequestAction::Unlink { record_id } => {
            if !store::unlink_record(&mut tx, id, *record_id).await? {
                return Err(AppError::not_found(
                    "This record is not linked to the request",
                ));
            }
            details = serde_json::json!({ "record_id": record_id });
            ("record_unlinked", record_id.to_string())
        }
        RequestAction::Answer { .. } => {
            if row.identity_method.is_none() {
                return Err(AppError::conflict(
                    "Record how the requester's identity was checked before answering",
                ));
            }
            set_status(&mut tx, id, RequestStatus::Answered, Some(now)).await?;
            ("answered", text.clone())
        }
        RequestAction::Refuse { .. } => {
            store::update_request(
                &mut tx,
                id,
                &Change::Refusal {
                    reason_sealed: &sealer.seal(id, place::REFUSAL, &text),
                },
            )
            .await?;
            set_status(&mut tx, id, RequestStatus::Refused, Some(now)).await?;
            ("refused", text.clone())
        }
    };
    note_event(&mut tx, &sealer, id, by, kind, &event_text, now).await?;
    audit::record(
        &mut tx,
        origin,
        Event::new(action_name(&action), Some(&caller.user))
            .target("subject_request", id)
            .details(details),
    )
    .await?;
    tx.commit().await?;
    service::detail(state, caller, origin, locale, id).await
}

async fn set_status(
    conn: &mut sqlx::AnyConnection,
    id: SubjectRequestId,
    status: RequestStatus,
    closed_at_ms: Option<i64>,
) -> AppResult<()> {
    store::update_request(
        conn,
        id,
        &Change::Status {
            status: status.as_str(),
            closed_at_ms,
        },
    )
    .await?;
    Ok(())
}
