//! "Alerts" (admins, auditors and privacy officers): what the alert rules noticed, open
//! ones first shown, all on request. Each alert says its rule, whose behaviour, when,
//! what was observed against the limit, the events behind it, whether the person's
//! export permission is suspended, and where it was sent. Admins acknowledge or dismiss
//! an open alert with a note, lifting the suspension it caused if they choose; the
//! settings of the rules follow the list for them (`alert_settings.rs`).

use leptos::prelude::*;
use shared::api::alerts::{
    AlertDelivery, AlertEntry, AlertEvent, AlertList, AlertStatus, DeliveryStatus, HandleAlert,
    MAX_ALERT_NOTE_CHARS,
};
use shared::api::error::{ApiError, ErrorCode, FieldIssue};

use super::alert_settings::AlertSettingsCard;
use super::{short_hash, ExportsConsole, TOO_LONG};
use crate::components::api_call::{api_resource, ApiCall};
use crate::components::console_ui::{local_time, ErrorAlert, Loading};
use crate::components::form::{local_validation, FieldIssues};
use crate::i18n::{fill, use_i18n, Texts};

/// The filter's values: open alerts, or all.
const FILTERS: [&str; 2] = ["open", "all"];

/// A delivery's state in words; `time` writes a Unix time in milliseconds.
pub(crate) fn delivery_words(
    t: &Texts,
    delivery: &AlertDelivery,
    time: impl Fn(i64) -> String,
) -> String {
    let a = &t.alerts;
    match delivery.status {
        DeliveryStatus::Sent => a.delivery_sent.to_owned(),
        DeliveryStatus::Pending => match delivery.next_attempt_ms {
            Some(at) => fill(a.delivery_next, &[("time", &time(at))]),
            None => a.delivery_pending.to_owned(),
        },
        DeliveryStatus::Failed => {
            let attempts = delivery.attempts.to_string();
            match delivery.last_error.as_deref().filter(|e| !e.is_empty()) {
                Some(error) => fill(
                    a.delivery_failed,
                    &[("attempts", &attempts), ("error", error)],
                ),
                None => fill(a.delivery_failed_plain, &[("attempts", &attempts)]),
            }
        }
    }
}

/// A note's issue in words.
fn note_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        TOO_LONG => fill(
            t.alerts.issue_too_long,
            &[("max", &MAX_ALERT_NOTE_CHARS.to_string())],
        ),
        _ => t.issue(issue),
    }
}

/// The words for a failed handling, next to the buttons.
fn handling_error(t: &Texts, error: &ApiError) -> Option<String> {
    if error.details.as_ref().is_some_and(|d| !d.is_empty()) {
        // Shown at the note.
        return None;
    }
    Some(match error.code {
        ErrorCode::AlreadyResolved | ErrorCode::Conflict => t.alerts.handled_elsewhere.to_owned(),
        _ => t.error_text(error),
    })
}

/// The alerts tab: the list and, for admins, the settings.
#[component]
pub(super) fn Alerts(admin: bool) -> impl IntoView {
    let i18n = use_i18n();
    let console = expect_context::<ExportsConsole>();
    let filter = RwSignal::new(FILTERS[0].to_owned());
    // Open alerts are the console's (they make the tab's badge); all are loaded here
    // when asked for.
    let all = api_resource(move |api| {
        let wanted = filter.with(|f| f == "all");
        async move {
            if wanted {
                api.alerts(true).await.map(Some)
            } else {
                Ok(None)
            }
        }
    });
    let reload = Callback::new(move |()| {
        if let Some(open) = console.open_alerts {
            open.refetch();
        }
        if filter.with_untracked(|f| f == "all") {
            all.refetch();
        }
    });
    let loaded = move || -> Option<Result<AlertList, ApiError>> {
        if filter.with(|f| f == "all") {
            all.get()?.transpose()
        } else {
            console.open_alerts?.get()
        }
    };
    let list = move || {
        loaded().map(|loaded| match loaded {
            Ok(list) if list.alerts.is_empty() => view! {
                <p class="muted" data-testid="alerts-empty">
                    {move || {
                        let t = &i18n.t().alerts;
                        if filter.with(|f| f == "all") { t.empty_all } else { t.empty_open }
                    }}
                </p>
            }
            .into_any(),
            Ok(list) => {
                let items = list
                    .alerts
                    .into_iter()
                    .map(|entry| view! { <AlertItem entry admin reload /> })
                    .collect_view();
                view! { <ul class="alerts-list" data-testid="alerts-list">{items}</ul> }.into_any()
            }
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    let option = move |value: &'static str| {
        view! {
            <option value=value selected=move || filter.with(|f| f == value)>
                {move || {
                    let t = &i18n.t().alerts;
                    if value == "all" { t.filter_all } else { t.filter_open }
                }}
            </option>
        }
    };
    view! {
        <section class="exports-section alerts" aria-labelledby="alerts-heading" data-testid="alerts-page">
            <h2 id="alerts-heading">{move || i18n.t().alerts.title}</h2>
            <p class="muted">{move || i18n.t().alerts.intro}</p>
            <div class="field alerts-filter">
                <label for="alerts-filter">{move || i18n.t().alerts.filter_label}</label>
                <select
                    id="alerts-filter"
                    prop:value=move || filter.get()
                    on:change=move |ev| filter.set(event_target_value(&ev))
                    data-testid="alerts-filter"
                >
                    {FILTERS.map(option)}
                </select>
            </div>
            <Transition fallback=|| view! { <Loading /> }>{list}</Transition>
        </section>
        {admin.then(|| view! { <AlertSettingsCard /> })}
    }
}

/// One alert.
#[component]
fn AlertItem(entry: AlertEntry, admin: bool, reload: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let AlertEntry {
        id,
        rule,
        at_ms,
        user_name,
        observed,
        limit,
        events,
        suspended,
        suspension_active,
        status,
        handled_by_name,
        handled_at_ms,
        note,
        deliveries,
        ..
    } = entry;
    let time = move |ms: i64| local_time(ms, i18n.locale().tag());
    let person = move || {
        user_name
            .clone()
            .unwrap_or_else(|| i18n.t().alerts.unknown_person.to_owned())
    };
    let count = move |n: u64| fill(i18n.t().alerts.count(rule), &[("count", &n.to_string())]);
    let handled = (status != AlertStatus::Open).then(|| {
        let by = move || {
            let name = handled_by_name
                .clone()
                .unwrap_or_else(|| i18n.t().alerts.unknown_person.to_owned());
            let at = handled_at_ms.map(time).unwrap_or_default();
            fill(
                i18n.t().alerts.handled_by,
                &[("name", &name), ("time", &at)],
            )
        };
        view! { <span class="muted" data-testid="alert-handled-by">" " {by}</span> }
    });
    let suspension = suspended.then(|| {
        let (class, testid) = if suspension_active {
            ("alerts-suspended", "alert-suspended")
        } else {
            ("alerts-lifted muted", "alert-suspension-lifted")
        };
        view! {
            <p class=class data-testid=testid>
                {suspension_active.then(|| view! { <span aria-hidden="true">"⛔ "</span> })}
                {move || {
                    let t = &i18n.t().alerts;
                    if suspension_active { t.suspended_active } else { t.suspended_lifted }
                }}
            </p>
        }
    });
    let note = note.filter(|n| !n.trim().is_empty()).map(|n| {
        view! {
            <p class="exports-reason-label">{move || i18n.t().alerts.note_heading}</p>
            <blockquote class="exports-quote" data-testid="alert-note">{n}</blockquote>
        }
    });
    // Only an open alert is handled (the server answers `already_resolved` after); a
    // suspension left in force when it was handled is lifted on its own.
    let handling = if admin && status == AlertStatus::Open {
        Some(view! { <Handling id=id.to_string() suspension_active reload /> }.into_any())
    } else if admin && suspension_active {
        Some(view! { <LiftLater id=id.to_string() reload /> }.into_any())
    } else {
        None
    };
    let heading_id = format!("alert-{id}-heading");
    let labelled_by = heading_id.clone();
    view! {
        <li
            class=format!("card alerts-item alerts-item-{}", status.as_str())
            aria-labelledby=labelled_by
            data-testid="alert"
            data-id=id.to_string()
            data-rule=rule.as_str()
            data-status=status.as_str()
            data-suspended=suspension_active.to_string()
        >
            <h3 id=heading_id class="small-heading">{move || i18n.t().alerts.rule(rule)}</h3>
            <dl class="facts alerts-facts">
                <div>
                    <dt>{move || i18n.t().alerts.person}</dt>
                    <dd data-testid="alert-person">{person}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t().alerts.raised}</dt>
                    <dd>{move || time(at_ms)}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t().alerts.observed}</dt>
                    <dd data-testid="alert-observed" data-value=observed.to_string()>{move || count(observed)}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t().alerts.limit}</dt>
                    <dd data-testid="alert-limit" data-value=limit.to_string()>{move || count(limit)}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t().alerts.status}</dt>
                    <dd data-testid="alert-status">
                        <strong class=format!("alerts-status alerts-status-{}", status.as_str())>
                            {move || i18n.t().alerts.status(status)}
                        </strong>
                        {handled}
                    </dd>
                </div>
            </dl>
            {suspension}
            {note}
            <Events events />
            <Deliveries deliveries />
            {handling}
        </li>
    }
}

/// The events behind an alert.
#[component]
fn Events(events: Vec<AlertEvent>) -> impl IntoView {
    let i18n = use_i18n();
    if events.is_empty() {
        return ().into_any();
    }
    let header = move |label: fn(&Texts) -> &'static str| {
        view! { <th scope="col">{move || label(i18n.t())}</th> }
    };
    let rows = events
        .into_iter()
        .map(|event| {
            let AlertEvent {
                at_ms,
                action,
                count,
                subject_id,
            } = event;
            let action_words = {
                let action = action.clone();
                move || {
                    i18n.t()
                        .alerts
                        .action(&action)
                        .map_or_else(|| action.clone(), str::to_owned)
                }
            };
            let subject = subject_id.map_or_else(
                || view! { <span>{move || i18n.t().alerts.none}</span> }.into_any(),
                |s| view! { <code title=s.clone()>{short_hash(&s)}</code> }.into_any(),
            );
            view! {
                <tr data-testid="alert-event" data-action=action>
                    <th scope="row">{move || local_time(at_ms, i18n.locale().tag())}</th>
                    <td>{action_words}</td>
                    <td class="exports-number">{count.to_string()}</td>
                    <td>{subject}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h4 class="small-heading">{move || i18n.t().alerts.events_heading}</h4>
        <div
            class="table-wrap"
            tabindex="0"
            role="region"
            aria-label=move || i18n.t().alerts.events_heading
        >
            <table class="table alerts-events" data-testid="alert-events">
                <thead>
                    <tr>
                        {header(|t| t.alerts.col_time)}
                        {header(|t| t.alerts.col_action)}
                        {header(|t| t.alerts.col_count)}
                        {header(|t| t.alerts.col_subject)}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Where an alert was sent, and how that went.
#[component]
fn Deliveries(deliveries: Vec<AlertDelivery>) -> impl IntoView {
    let i18n = use_i18n();
    let body = if deliveries.is_empty() {
        view! {
            <p class="muted" data-testid="alert-deliveries-none">
                {move || i18n.t().alerts.deliveries_none}
            </p>
        }
        .into_any()
    } else {
        let items = deliveries
            .into_iter()
            .map(|delivery| {
                let channel = delivery.channel;
                let status = delivery.status;
                let words = move || {
                    delivery_words(i18n.t(), &delivery, |ms| {
                        local_time(ms, i18n.locale().tag())
                    })
                };
                let status_name = match status {
                    DeliveryStatus::Pending => "pending",
                    DeliveryStatus::Sent => "sent",
                    DeliveryStatus::Failed => "failed",
                };
                view! {
                    <li
                        class=format!("alerts-delivery alerts-delivery-{status_name}")
                        data-testid="alert-delivery"
                        data-channel=match channel {
                            shared::api::alerts::AlertChannel::Webhook => "webhook",
                            shared::api::alerts::AlertChannel::Email => "email",
                        }
                        data-status=status_name
                    >
                        <strong>{move || i18n.t().alerts.channel(channel)}</strong>
                        ": "
                        {words}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="alerts-deliveries">{items}</ul> }.into_any()
    };
    view! {
        <h4 class="small-heading">{move || i18n.t().alerts.deliveries_heading}</h4>
        {body}
    }
}

/// Lifting the suspension of an alert already handled.
#[component]
fn LiftLater(id: String, reload: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let lift =
        ApiCall::new(move |api, id: String| async move { api.lift_alert_suspension(&id).await })
            .on_ok(move |_| reload.run(()));
    let pending = lift.pending();
    let error = lift.error();
    let failure = move || {
        error.with(|e| {
            e.as_ref().map(|e| {
                let text = i18n.t().error_text(e);
                view! { <p class="inline-error" role="alert" data-testid="alert-lift-error">{text}</p> }
            })
        })
    };
    view! {
        <div class="row-actions exports-decision">
            <button
                type="button"
                class="button button-secondary button-small"
                disabled=move || pending.get()
                aria-busy=move || pending.get().to_string()
                on:click=move |_| lift.dispatch(id.clone())
                data-testid="alert-lift-later"
            >
                {move || i18n.t().alerts.lift}
            </button>
            <p class="field-hint">{move || i18n.t().alerts.lift_hint}</p>
            {failure}
        </div>
    }
}

/// An admin's handling of an open alert: acknowledge or dismiss it with a note, and lift
/// the suspension it caused.
#[component]
fn Handling(id: String, suspension_active: bool, reload: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let note = RwSignal::new(String::new());
    let lift = RwSignal::new(false);
    let handle = {
        let id = id.clone();
        ApiCall::new(move |api, req: HandleAlert| {
            let id = id.clone();
            async move { api.handle_alert(&id, &req).await }
        })
        .on_ok(move |_| reload.run(()))
    };
    let pending = handle.pending();
    let error = handle.error();
    let send = move |status: AlertStatus| {
        let text = note.get_untracked();
        if text.trim().chars().count() > MAX_ALERT_NOTE_CHARS {
            handle.fail(local_validation(&[("note", TOO_LONG)]));
            return;
        }
        let text = text.trim().to_owned();
        handle.dispatch(HandleAlert {
            status,
            note: (!text.is_empty()).then_some(text),
            lift_suspension: suspension_active && lift.get_untracked(),
        });
    };
    let failed = move || error.with(|e| e.as_ref().and_then(|e| handling_error(i18n.t(), e)));
    let failure = move || {
        failed().map(|text| {
            view! { <p class="inline-error" role="alert" data-testid="alert-handle-error">{text}</p> }
        })
    };
    let busy_label = move |label: fn(&Texts) -> &'static str| {
        move || {
            if pending.get() {
                i18n.t().alerts.handling
            } else {
                label(i18n.t())
            }
        }
    };
    let note_id = format!("alert-note-{id}");
    let issues_id = format!("alert-note-{id}-issues");
    let lift_id = format!("alert-lift-{id}");
    let lift_hint_id = format!("alert-lift-{id}-hint");
    let lift_box = suspension_active.then(|| {
        view! {
            <div class="checkbox-field">
                <input
                    id=lift_id.clone()
                    type="checkbox"
                    aria-describedby=lift_hint_id.clone()
                    bind:checked=lift
                    data-testid="alert-lift"
                />
                <label for=lift_id>{move || i18n.t().alerts.lift}</label>
                <p id=lift_hint_id class="field-hint">{move || i18n.t().alerts.lift_hint}</p>
            </div>
        }
    });
    view! {
        <div class="alerts-handling" data-testid="alert-handling">
            <div class="field">
                <label for=note_id.clone()>{move || i18n.t().alerts.note}</label>
                <textarea
                    id=note_id
                    rows="2"
                    maxlength=MAX_ALERT_NOTE_CHARS.to_string()
                    aria-describedby=issues_id.clone()
                    bind:value=note
                    data-testid="alert-note-input"
                ></textarea>
                <FieldIssues id=issues_id field="note" error text=note_issue />
            </div>
            {lift_box}
            <div class="row-actions exports-decision">
                <button
                    type="button"
                    class="button button-primary button-small"
                    disabled=move || pending.get()
                    aria-busy=move || pending.get().to_string()
                    on:click=move |_| send(AlertStatus::Acknowledged)
                    data-testid="alert-acknowledge"
                >
                    {busy_label(|t| t.alerts.acknowledge)}
                </button>
                <button
                    type="button"
                    class="button button-secondary button-small"
                    disabled=move || pending.get()
                    aria-busy=move || pending.get().to_string()
                    on:click=move |_| send(AlertStatus::Dismissed)
                    data-testid="alert-dismiss"
                >
                    {busy_label(|t| t.alerts.dismiss)}
                </button>
                {failure}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ZH_CN};
    use shared::api::alerts::{AlertChannel, AlertRule};

    fn delivery(status: DeliveryStatus) -> AlertDelivery {
        AlertDelivery {
            channel: AlertChannel::Webhook,
            status,
            attempts: 3,
            next_attempt_ms: None,
            last_error: None,
        }
    }

    #[test]
    fn deliveries_say_how_they_went() {
        let time = |ms: i64| format!("t{ms}");
        assert_eq!(
            delivery_words(&EN, &delivery(DeliveryStatus::Sent), time),
            "Sent"
        );
        let later = AlertDelivery {
            next_attempt_ms: Some(42),
            ..delivery(DeliveryStatus::Pending)
        };
        assert_eq!(
            delivery_words(&EN, &later, time),
            "Not sent yet; next attempt t42"
        );
        assert_eq!(
            delivery_words(&ZH_CN, &later, time),
            "尚未发送；下次尝试：t42"
        );
        let failed = AlertDelivery {
            last_error: Some("HTTP 500".to_owned()),
            ..delivery(DeliveryStatus::Failed)
        };
        assert_eq!(
            delivery_words(&EN, &failed, time),
            "Failed after 3 attempts: HTTP 500"
        );
        assert_eq!(
            delivery_words(&EN, &delivery(DeliveryStatus::Failed), time),
            "Failed after 3 attempts"
        );
    }

    #[test]
    fn rules_actions_and_counts_are_worded() {
        for rule in AlertRule::ALL {
            assert!(!EN.alerts.rule(rule).is_empty());
            assert!(!ZH_CN.alerts.rule(rule).is_empty());
        }
        assert_eq!(
            fill(EN.alerts.count(AlertRule::ViewBurst), &[("count", "2001")]),
            "2001 records viewed"
        );
        assert_eq!(
            EN.alerts.action("exports.requested"),
            Some("Asked for an export")
        );
        assert_eq!(
            ZH_CN.alerts.action("records.reveal"),
            Some("查看遮蔽值的明文")
        );
        assert_eq!(EN.alerts.action("users.create"), None);
    }

    #[test]
    fn a_late_handling_says_someone_else_did_it() {
        let late = ApiError::new(ErrorCode::AlreadyResolved, "done");
        assert_eq!(
            handling_error(&EN, &late).as_deref(),
            Some(EN.alerts.handled_elsewhere)
        );
        let long = local_validation(&[("note", TOO_LONG)]);
        assert_eq!(long.map(|e| handling_error(&EN, &e)), Some(None));
        let issue = FieldIssue {
            code: TOO_LONG.to_owned(),
            params: std::collections::BTreeMap::new(),
            message: "too long".to_owned(),
        };
        assert_eq!(
            note_issue(&EN, &issue),
            format!("Use at most {MAX_ALERT_NOTE_CHARS} characters.")
        );
    }
}
