//! When runs start, and what is due: per form, each field's values due now and within
//! 7, 30 and 90 days, with what happens to them, and the values waiting for a
//! relationship to end or kept by a hold.

use leptos::prelude::*;
use shared::api::retention::{FieldForecast, FormForecast, RetentionSchedule};
use shared::schema::RetentionAction;

use super::{field_label, RetentionState};
use crate::components::console_ui::{local_time, ErrorAlert, Loading};
use crate::i18n::{fill, use_i18n};

/// The schedule and the forecast.
#[component]
pub fn ForecastPanel(state: RetentionState) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = move || {
        state.forecast.get().map(|loaded| match loaded {
            Ok(f) => {
                let as_of = f.as_of_ms;
                let shown = forms_to_show(f.forms);
                let body = if shown.is_empty() {
                    view! {
                        <p class="muted" data-testid="retention-forecast-empty">
                            {move || i18n.t().retention.forecast_empty}
                        </p>
                    }
                    .into_any()
                } else {
                    shown
                        .into_iter()
                        .map(|form| view! { <FormDue form /> })
                        .collect_view()
                        .into_any()
                };
                view! {
                    <Schedule schedule=f.schedule />
                    <section class="card" aria-labelledby="retention-forecast-heading" data-testid="retention-forecast">
                        <h2 id="retention-forecast-heading" class="small-heading">
                            {move || i18n.t().retention.forecast_heading}
                        </h2>
                        <p class="muted">
                            {move || {
                                let time = local_time(as_of, i18n.locale().tag());
                                fill(i18n.t().retention.as_of, &[("time", &time)])
                            }}
                        </p>
                        {body}
                    </section>
                }
                .into_any()
            }
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! { <Transition fallback=|| view! { <Loading /> }>{loaded}</Transition> }
}

/// The forms with something to say: values due within 90 days, waiting for the end of
/// a relationship, or held.
fn forms_to_show(forms: Vec<FormForecast>) -> Vec<FormForecast> {
    forms
        .into_iter()
        .filter(|f| {
            !f.fields.is_empty() || f.waiting_for_relationship_end > 0 || f.held_records > 0
        })
        .collect()
}

/// When runs start by themselves, if they do.
#[component]
fn Schedule(schedule: RetentionSchedule) -> impl IntoView {
    let i18n = use_i18n();
    let RetentionSchedule {
        enabled,
        interval_hours,
        at_utc,
        withdrawal_grace_days,
        next_run_at_ms,
    } = schedule;
    let rhythm = move || {
        let t = &i18n.t().retention;
        if enabled {
            let hours = interval_hours.to_string();
            fill(t.schedule_on, &[("hours", &hours), ("time", &at_utc)])
        } else {
            t.schedule_off.to_owned()
        }
    };
    let next = move || match next_run_at_ms.filter(|_| enabled) {
        Some(ms) => local_time(ms, i18n.locale().tag()),
        None => i18n.t().retention.next_run_none.to_owned(),
    };
    view! {
        <section
            class="card"
            aria-labelledby="retention-schedule-heading"
            data-testid="retention-schedule"
            data-enabled=if enabled { "true" } else { "false" }
        >
            <h2 id="retention-schedule-heading" class="small-heading">
                {move || i18n.t().retention.schedule_heading}
            </h2>
            <p>{rhythm}</p>
            <p>
                {move || {
                    let days = withdrawal_grace_days.to_string();
                    fill(i18n.t().retention.grace, &[("days", &days)])
                }}
            </p>
            <dl class="facts">
                <div>
                    <dt>{move || i18n.t().retention.next_run}</dt>
                    <dd data-testid="retention-next-run">{next}</dd>
                </div>
            </dl>
        </section>
    }
}

/// The badge of what happens to a value: a word, and a border style of its own.
pub fn action_badge(action: RetentionAction) -> impl IntoView {
    let i18n = use_i18n();
    let name = match action {
        RetentionAction::Delete => "delete",
        RetentionAction::Anonymise => "anonymise",
    };
    view! {
        <span class=format!("badge retention-action retention-{name}") data-action=name>
            {move || i18n.t().retention.action(action)}
        </span>
    }
}

/// One form's fields with values due, and its waiting and held counts.
#[component]
fn FormDue(form: FormForecast) -> impl IntoView {
    let i18n = use_i18n();
    let FormForecast {
        form_id,
        title,
        records,
        fields,
        waiting_for_relationship_end: waiting,
        held_records: held,
    } = form;
    let form_id = form_id.to_string();
    let count = |n: u64| n.to_string();
    let table = if fields.is_empty() {
        view! { <p class="muted">{move || i18n.t().retention.form_nothing_due}</p> }.into_any()
    } else {
        let rows = fields
            .into_iter()
            .map(|field| view! { <FieldDue form_id=form_id.clone() field /> })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="table retention-table">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().retention.col_field}</th>
                            <th scope="col">{move || i18n.t().retention.col_action}</th>
                            <th scope="col" class="num">{move || i18n.t().retention.col_due_now}</th>
                            <th scope="col" class="num">{move || i18n.t().retention.col_d7}</th>
                            <th scope="col" class="num">{move || i18n.t().retention.col_d30}</th>
                            <th scope="col" class="num">{move || i18n.t().retention.col_d90}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <div class="retention-form" data-testid="retention-forecast-form" data-form-id=form_id>
            <h3 class="retention-form-title">{move || title.get(i18n.locale()).to_owned()}</h3>
            <p class="muted retention-counts">
                <span>{move || fill(i18n.t().retention.form_records, &[("count", &count(records))])}</span>
                <span data-testid="retention-waiting" data-count=waiting.to_string()>
                    {move || fill(i18n.t().retention.waiting, &[("count", &count(waiting))])}
                </span>
                <span data-testid="retention-held" data-count=held.to_string()>
                    {move || fill(i18n.t().retention.held_records, &[("count", &count(held))])}
                </span>
            </p>
            {table}
        </div>
    }
}

/// One field's row: its label, action and counts.
#[component]
#[allow(clippy::needless_pass_by_value)] // Component props are owned.
fn FieldDue(form_id: String, field: FieldForecast) -> impl IntoView {
    let i18n = use_i18n();
    let FieldForecast {
        field_key,
        label,
        action,
        due_now,
        within_7_days,
        within_30_days,
        within_90_days,
    } = field;
    let key = field_key.clone();
    view! {
        <tr data-testid="retention-forecast-row" data-form-id=form_id data-field-key=field_key>
            <th scope="row">{move || field_label(&label, &key, i18n.locale())}</th>
            <td>{action_badge(action)}</td>
            <td class="num" data-col="due_now" class:retention-due={due_now > 0}>{due_now}</td>
            <td class="num" data-col="d7">{within_7_days}</td>
            <td class="num" data-col="d30">{within_30_days}</td>
            <td class="num" data-col="d90">{within_90_days}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use shared::i18n::LocalizedText;
    use shared::ids::FormId;

    use super::*;

    fn form(fields: usize, waiting: u64, held: u64) -> FormForecast {
        let field = FieldForecast {
            field_key: "mobile".to_owned(),
            label: LocalizedText::new("手机号", "Mobile"),
            action: RetentionAction::Anonymise,
            due_now: 1,
            within_7_days: 2,
            within_30_days: 3,
            within_90_days: 4,
        };
        FormForecast {
            form_id: FormId::from_random_bytes([7; 16]),
            title: LocalizedText::new("会员登记", "Membership"),
            records: 10,
            fields: vec![field; fields],
            waiting_for_relationship_end: waiting,
            held_records: held,
        }
    }

    #[test]
    fn forms_with_nothing_to_say_are_left_out() {
        assert!(forms_to_show(vec![form(0, 0, 0)]).is_empty());
        assert_eq!(forms_to_show(vec![form(1, 0, 0), form(0, 0, 0)]).len(), 1);
        assert_eq!(forms_to_show(vec![form(0, 3, 0)]).len(), 1);
        assert_eq!(forms_to_show(vec![form(0, 0, 2)]).len(), 1);
    }
}
