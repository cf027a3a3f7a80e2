//! The end of a record's customer relationship: shown once recorded, recorded by staff,
//! managers and admins (it starts the retention clocks counted from it), and for admins
//! a link to place a legal hold on the record.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::access::Permission;
use shared::api::records::RecordView;
use shared::api::retention::RelationshipEnd as EndRequest;
use shared::schema::format_iso_date;
use time::OffsetDateTime;

use crate::api::query_string;
use crate::components::api_call::ApiCall;
use crate::components::console_ui::{today_iso, utc_date};
use crate::components::form::{local_validation, FieldIssues, FormAlert};
use crate::i18n::{fill, use_i18n};
use crate::session::use_session;

/// The UTC day of a Unix time in milliseconds as `yyyy-mm-dd`, the way the day was
/// entered; `None` outside the dates the calendar handles.
#[must_use]
pub fn iso_day(unix_ms: i64) -> Option<String> {
    let at = OffsetDateTime::from_unix_timestamp(unix_ms.div_euclid(1000)).ok()?;
    Some(format_iso_date(at.date()))
}

/// The relationship's end, its form and the hold link of the record in `record`.
#[component]
pub fn RelationshipEnd(record: RwSignal<RecordView>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    // Read once: a row does not outlive the session (signing out leaves the page), and
    // a row that followed the session would rebuild its form while the page goes away.
    let may_end = untrack(|| session.may(Permission::EndRelationships));
    let may_hold = untrack(|| session.may(Permission::ManageRetention));
    let id = record.with_untracked(|r| r.id.to_string());
    let ended_at = move || record.with(|r| r.relationship_ended_at_ms);
    let day = RwSignal::new(
        record
            .with_untracked(|r| r.relationship_ended_at_ms)
            .and_then(iso_day)
            .unwrap_or_default(),
    );
    let saved = RwSignal::new(false);
    let save = ApiCall::new(|api, (id, req): (String, EndRequest)| async move {
        api.end_relationship(&id, &req).await
    })
    .on_ok(move |view: &RecordView| {
        saved.set(true);
        record.set(view.clone());
    });
    let error = save.error();
    let submit = {
        let id = id.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            saved.set(false);
            let ended_on = day.get_untracked().trim().to_owned();
            if ended_on.is_empty() {
                save.fail(local_validation(&[("ended_on", "required")]));
            } else {
                save.dispatch((id.clone(), EndRequest { ended_on }));
            }
        }
    };
    let input_id = format!("relationship-end-{id}");
    let issues_id = format!("relationship-end-{id}-issues");
    let hold_href = format!("/retention{}", query_string(&[("hold_record", id)]));
    let invalid = move || {
        error.with(|e| {
            e.as_ref()
                .is_some_and(|e| !e.field_issues("ended_on").is_empty())
        })
    };
    view! {
        {move || ended_at().map(|ms| view! {
            <p data-testid="record-relationship-ended" data-date=iso_day(ms).unwrap_or_default()>
                {move || fill(i18n.t().retention.relationship_ended, &[("date", &utc_date(ms, i18n.locale().tag()))])}
            </p>
        })}
        <Show when=move || may_end>
            <form class="relationship-form" on:submit=submit.clone() novalidate data-testid="record-relationship-form">
                <FormAlert error />
                <div class="field" class:field-invalid=invalid>
                    <label for=input_id.clone()>{move || i18n.t().retention.relationship_end_label}</label>
                    <div class="inline-field">
                        <input
                            id=input_id.clone()
                            type="date"
                            max=today_iso()
                            title=move || i18n.t().retention.relationship_end_hint
                            aria-invalid=move || invalid().to_string()
                            aria-describedby=issues_id.clone()
                            bind:value=day
                            data-testid="record-relationship-end"
                        />
                        <button
                            type="submit"
                            class="button button-secondary button-small"
                            disabled=move || save.pending().get()
                            data-testid="record-relationship-end-save"
                        >
                            {move || {
                                let t = &i18n.t().retention;
                                if save.pending().get() { t.relationship_end_saving } else { t.relationship_end_save }
                            }}
                        </button>
                    </div>
                    <FieldIssues id=issues_id.clone() field="ended_on" error />
                    <Show when=move || saved.get()>
                        <p class="field-hint" role="status" data-testid="record-relationship-end-saved">
                            {move || i18n.t().retention.relationship_end_saved}
                        </p>
                    </Show>
                </div>
            </form>
        </Show>
        <Show when=move || may_hold>
            <p>
                <A href=hold_href.clone() attr:data-testid="record-hold-link">
                    {move || i18n.t().retention.hold_link}
                </A>
            </p>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_day_reads_back_as_it_was_entered() {
        // 2026-03-01T00:00:00Z, as the server stores the day.
        assert_eq!(iso_day(1_772_323_200_000).as_deref(), Some("2026-03-01"));
        // Any moment of that day is the same day.
        assert_eq!(
            iso_day(1_772_323_200_000 + 86_399_999).as_deref(),
            Some("2026-03-01")
        );
        assert_eq!(iso_day(-1).as_deref(), Some("1969-12-31"));
    }
}
