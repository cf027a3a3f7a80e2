//! The parts a dry run's plan and a run's report share: counts per form, field and
//! action, records skipped because of holds, and records that could not be processed.

use leptos::prelude::*;
use shared::api::retention::{HeldCount, ReportLine, RunError};

use super::forecast::action_badge;
use super::{field_label, short_id};
use crate::i18n::{fill, use_i18n};

/// The counts per form, field and action; each row has `data-testid=testid`.
#[component]
pub fn ReportLines(lines: Vec<ReportLine>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let rows = lines
        .into_iter()
        .map(|line| {
            let ReportLine {
                form_id,
                form_title,
                field_key,
                label,
                action,
                count,
            } = line;
            let key = field_key.clone();
            view! {
                <tr data-testid=testid data-form-id=form_id.to_string() data-field-key=field_key data-count=count.to_string()>
                    <td>{move || form_title.get(i18n.locale()).to_owned()}</td>
                    <td>{move || field_label(&label, &key, i18n.locale())}</td>
                    <td>{action_badge(action)}</td>
                    <td class="num" data-col="count">{count}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table retention-table">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().retention.col_form}</th>
                        <th scope="col">{move || i18n.t().retention.col_field}</th>
                        <th scope="col">{move || i18n.t().retention.col_action}</th>
                        <th scope="col" class="num">{move || i18n.t().retention.col_count}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Records skipped because of legal holds, per form; nothing when there are none.
#[component]
pub fn HeldList(held: Vec<HeldCount>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    (!held.is_empty()).then(|| {
        let items = held
            .into_iter()
            .map(|h| {
                let count = h.records.to_string();
                view! {
                    <li data-testid=testid data-form-id=h.form_id.to_string() data-count=h.records.to_string()>
                        {move || {
                            let form = h.form_title.get(i18n.locale()).to_owned();
                            fill(i18n.t().retention.held_line, &[("form", &form), ("count", &count)])
                        }}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h3 class="small-heading">{move || i18n.t().retention.held_heading}</h3>
            <ul class="retention-list">{items}</ul>
        }
    })
}

/// Records that could not be processed, and why; nothing when there are none.
#[component]
pub fn ErrorList(errors: Vec<RunError>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    (!errors.is_empty()).then(|| {
        let items = errors
            .into_iter()
            .map(|e| {
                let id = e.record_id.to_string();
                view! {
                    <li data-testid=testid data-record-id=id.clone()>
                        <code title=id.clone()>{short_id(&id)}</code>
                        ": "
                        {e.message}
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="alert alert-error retention-errors" role="status">
                <h3 class="small-heading">{move || i18n.t().retention.errors_heading}</h3>
                <ul class="retention-list">{items}</ul>
            </div>
        }
    })
}
