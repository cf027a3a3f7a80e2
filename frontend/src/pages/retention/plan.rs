//! The dry run: exactly what a run now would do, changing nothing. Totals per form,
//! field and action, the first actions one by one, held records and errors.

use leptos::prelude::*;
use shared::api::retention::{PlannedAction, RetentionPlan};

use super::forecast::action_badge;
use super::report::{ErrorList, HeldList, ReportLines};
use super::{field_label, short_id};
use crate::components::api_call::ApiCall;
use crate::components::console_ui::{local_date, local_time};
use crate::components::form::FormAlert;
use crate::i18n::{fill, use_i18n};

/// The Dry run card.
#[component]
pub fn DryRunPanel() -> impl IntoView {
    let i18n = use_i18n();
    let dry_run = ApiCall::new(|api, ()| async move { api.retention_dry_run().await });
    let pending = dry_run.pending();
    let plan = move || {
        if pending.get() {
            return Some(
                view! {
                    <p class="muted loading" role="status" data-testid="retention-plan-loading">
                        {move || i18n.t().retention.dry_running}
                    </p>
                }
                .into_any(),
            );
        }
        dry_run
            .value()
            .map(|plan| view! { <Plan plan /> }.into_any())
    };
    view! {
        <section class="card" aria-labelledby="retention-dry-run-heading">
            <h2 id="retention-dry-run-heading" class="small-heading">
                {move || i18n.t().retention.dry_run_heading}
            </h2>
            <p class="muted">{move || i18n.t().retention.dry_run_intro}</p>
            <FormAlert error=dry_run.error() />
            <div class="row-actions">
                <button
                    type="button"
                    class="button button-secondary"
                    disabled=move || pending.get()
                    aria-busy=move || if pending.get() { "true" } else { "false" }
                    on:click=move |_| dry_run.run()
                    data-testid="retention-dry-run"
                >
                    {move || i18n.t().retention.dry_run}
                </button>
            </div>
            <div aria-live="polite">{plan}</div>
        </section>
    }
}

/// True when a plan would change nothing and skips nothing.
fn plan_is_empty(plan: &RetentionPlan) -> bool {
    plan.actions.is_empty()
        && plan.lines.is_empty()
        && plan.held.is_empty()
        && plan.errors.is_empty()
}

/// How many actions a plan counts in all (its list may stop before).
fn total_actions(plan: &RetentionPlan) -> u64 {
    plan.lines.iter().map(|l| l.count).sum()
}

/// A plan: totals, the first actions, held records and errors.
#[component]
fn Plan(plan: RetentionPlan) -> impl IntoView {
    let i18n = use_i18n();
    let as_of = plan.as_of_ms;
    let empty = plan_is_empty(&plan);
    let shown = plan.actions.len().to_string();
    let total = total_actions(&plan).to_string();
    let body = if empty {
        view! {
            <p class="alert alert-success" role="status" data-testid="retention-plan-empty">
                {move || i18n.t().retention.plan_empty}
            </p>
        }
        .into_any()
    } else {
        let actions = (!plan.actions.is_empty()).then(|| {
            let rows = plan
                .actions
                .into_iter()
                .map(|action| view! { <ActionRow action /> })
                .collect_view();
            view! {
                <h3 class="small-heading">
                    {move || fill(i18n.t().retention.plan_first, &[("shown", &shown), ("total", &total)])}
                </h3>
                <div class="table-wrap">
                    <table class="table retention-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || i18n.t().retention.col_record}</th>
                                <th scope="col">{move || i18n.t().retention.col_field}</th>
                                <th scope="col">{move || i18n.t().retention.col_action}</th>
                                <th scope="col">{move || i18n.t().retention.col_due}</th>
                                <th scope="col">{move || i18n.t().retention.col_because}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        });
        let lines = (!plan.lines.is_empty()).then(|| {
            view! {
                <h3 class="small-heading">{move || i18n.t().retention.totals}</h3>
                <ReportLines lines=plan.lines testid="retention-plan-line" />
            }
        });
        view! {
            {lines}
            {actions}
            <HeldList held=plan.held testid="retention-plan-held" />
            <ErrorList errors=plan.errors testid="retention-plan-error" />
        }
        .into_any()
    };
    view! {
        <div class="retention-plan" data-testid="retention-plan" data-empty=if empty { "true" } else { "false" }>
            <p class="muted">
                {move || {
                    let time = local_time(as_of, i18n.locale().tag());
                    fill(i18n.t().retention.as_of, &[("time", &time)])
                }}
            </p>
            {body}
        </div>
    }
}

/// One thing the run would do.
#[component]
fn ActionRow(action: PlannedAction) -> impl IntoView {
    let i18n = use_i18n();
    let PlannedAction {
        record_id,
        form_id: _,
        field_key,
        label,
        action,
        due_at_ms,
        because,
    } = action;
    let id = record_id.to_string();
    let key = field_key.clone();
    let because_attr = because.clone();
    view! {
        <tr data-testid="retention-plan-action" data-record-id=id.clone() data-field-key=field_key data-because=because_attr>
            <td>
                <code title=id.clone()>{short_id(&id)}</code>
            </td>
            <td>{move || field_label(&label, &key, i18n.locale())}</td>
            <td>{action_badge(action)}</td>
            <td>{move || local_date(due_at_ms, i18n.locale().tag())}</td>
            <td data-col="because">{move || i18n.t().retention.because(&because)}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use shared::api::retention::ReportLine;
    use shared::i18n::LocalizedText;
    use shared::ids::FormId;
    use shared::schema::RetentionAction;

    use super::*;

    fn line(count: u64) -> ReportLine {
        ReportLine {
            form_id: FormId::from_random_bytes([1; 16]),
            form_title: LocalizedText::new("表单", "Form"),
            field_key: "email".to_owned(),
            label: LocalizedText::new("邮箱", "Email"),
            action: RetentionAction::Delete,
            count,
        }
    }

    #[test]
    fn a_plan_counts_every_action_even_past_its_list() {
        let mut plan = RetentionPlan {
            as_of_ms: 0,
            actions: Vec::new(),
            lines: Vec::new(),
            held: Vec::new(),
            errors: Vec::new(),
        };
        assert!(plan_is_empty(&plan));
        assert_eq!(total_actions(&plan), 0);
        plan.lines = vec![line(600), line(3)];
        assert!(!plan_is_empty(&plan));
        assert_eq!(total_actions(&plan), 603);
    }
}
