//! The problems the server found with the backups, each in the console's own words:
//! what is wrong, why it matters, and what to do about it.

use leptos::prelude::*;
use shared::api::backups::BackupProblem;

use super::{problem_is_failure, problem_name, Current};
use crate::i18n::use_i18n;

/// The problems, or a line saying that nothing needs attention.
#[component]
pub(super) fn ProblemsList(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let problems = Memo::new(move |_| {
        current
            .read(|s| (s.problems.clone(), s.interval_hours))
            .unwrap_or_default()
    });
    let body = move || {
        let (problems, hours) = problems.get();
        if problems.is_empty() {
            return view! {
                <p class="backups-all-well" data-testid="backups-problems-none">
                    <span aria-hidden="true">"✓ "</span>
                    {move || i18n.t().backups.problems_none}
                </p>
            }
            .into_any();
        }
        let items = problems
            .into_iter()
            .map(|problem| view! { <Problem problem hours /> })
            .collect_view();
        view! { <ul class="backups-problems" data-testid="backups-problems">{items}</ul> }
            .into_any()
    };
    view! {
        <section class="card" aria-labelledby="backups-problems-heading">
            <h2 id="backups-problems-heading" class="small-heading">
                {move || i18n.t().backups.problems_heading}
            </h2>
            {body}
        </section>
    }
}

/// One problem: its title, why it matters, and what to do.
#[component]
fn Problem(problem: BackupProblem, hours: u32) -> impl IntoView {
    let i18n = use_i18n();
    let (class, icon) = if problem_is_failure(problem) {
        ("backups-problem backups-problem-failure", "✗ ")
    } else {
        ("backups-problem backups-problem-risk", "⚠ ")
    };
    view! {
        <li class=class data-testid="backups-problem" data-problem=problem_name(problem)>
            <p class="backups-problem-title">
                <span aria-hidden="true">{icon}</span>
                <strong>{move || i18n.t().backups.problem(problem).title}</strong>
            </p>
            <p class="backups-problem-why">
                {move || i18n.t().backups.problem_why(problem, hours)}
            </p>
            <p class="backups-problem-fix">
                <strong>{move || i18n.t().backups.fix_label}</strong>
                {move || i18n.t().backups.problem(problem).fix}
            </p>
        </li>
    }
}
