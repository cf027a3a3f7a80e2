//! Starting a run (after a confirmation), following it until it is done, the list of
//! runs, and a run's report.

use leptos::html::Dialog;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::error::{ApiError, ErrorCode};
use shared::api::retention::{RunReport, RunStatus, RunSummary};

use super::report::{ErrorList, HeldList, ReportLines};
use super::RetentionState;
use crate::components::api_call::ApiCall;
use crate::components::console_ui::{close_dialog, local_time, open_dialog, ErrorAlert, Loading};
use crate::components::focus::focus_soon;
use crate::components::form::FormAlert;
use crate::i18n::{fill, use_i18n};
use crate::session::{use_session, Session};

/// How long to wait between two looks at a working run, in milliseconds.
const POLL_MS: i32 = 1000;

/// The run whose report is shown: asked for, then loaded, then followed while it works.
#[derive(Clone, Copy)]
struct Shown {
    run_id: RwSignal<Option<String>>,
    report: RwSignal<Option<RunReport>>,
    error: RwSignal<Option<ApiError>>,
    /// One more each time a report is asked for: a loop that follows an older ask stops.
    ticket: StoredValue<u64>,
}

impl Shown {
    /// True while `ticket` is the latest ask (false once the page is gone).
    fn is(self, ticket: u64) -> bool {
        self.ticket.try_get_value() == Some(ticket)
    }

    /// Shows the report of run `id`, and loads it again every second while the run
    /// works. When a run seen working is done, `state` loads the runs and the forecast
    /// again. `started` says the run was just started here (so it was working).
    fn follow(self, id: String, started: bool, state: RetentionState, session: Session) {
        let ticket = self.ticket.get_value().wrapping_add(1);
        self.ticket.set_value(ticket);
        self.run_id.set(Some(id.clone()));
        self.report.set(None);
        self.error.set(None);
        focus_soon(vec!["#retention-report-heading".to_owned()]);
        spawn_local(async move {
            let mut seen_working = started;
            loop {
                let result = session.client().retention_run(&id).await;
                // Another run was chosen meanwhile, or the page was left.
                if !self.is(ticket) {
                    return;
                }
                match result {
                    Ok(report) => {
                        let done = report.summary.status == RunStatus::Done;
                        self.report.set(Some(report));
                        if done {
                            if seen_working {
                                state.run_finished();
                            }
                            return;
                        }
                        seen_working = true;
                    }
                    Err(e) => {
                        session.note_error(&e);
                        self.error.set(Some(e));
                        return;
                    }
                }
                sleep(POLL_MS).await;
                if !self.is(ticket) {
                    return;
                }
            }
        });
    }
}

/// Resolves after `ms` milliseconds.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Run now, the runs, and the report shown.
#[component]
pub fn RunsPanel(state: RetentionState) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let dialog = NodeRef::<Dialog>::new();
    let shown = Shown {
        run_id: RwSignal::new(None),
        report: RwSignal::new(None),
        error: RwSignal::new(None),
        ticket: StoredValue::new(0),
    };
    // A run already going: the server says so, and nothing else is wrong.
    let conflict = RwSignal::new(None::<String>);
    let start = ApiCall::new(|api, ()| async move { api.start_retention_run().await })
        .on_ok(move |run: &RunSummary| {
            state.runs.refetch();
            shown.follow(run.id.to_string(), true, state, session);
        })
        .handle_error(move |e| {
            let already = e.code == ErrorCode::Conflict;
            if already {
                conflict.set(Some(e.message.clone()));
            }
            already
        });
    let starting = start.pending();
    let confirm = move |_| {
        close_dialog(dialog);
        conflict.set(None);
        start.run();
    };
    let open = move |id: String| shown.follow(id, false, state, session);
    let list = move || {
        state.runs.get().map(|loaded| match loaded {
            Ok(runs) if runs.is_empty() => view! {
                <p class="muted" data-testid="retention-runs-empty">{move || i18n.t().retention.runs_empty}</p>
            }
            .into_any(),
            Ok(runs) => view! { <RunTable runs open /> }.into_any(),
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section class="card" aria-labelledby="retention-run-heading">
            <h2 id="retention-run-heading" class="small-heading">
                {move || i18n.t().retention.run_heading}
            </h2>
            <p class="muted">{move || i18n.t().retention.run_intro}</p>
            <FormAlert error=start.error() />
            {move || conflict.get().map(|message| {
                let t = &i18n.t().retention;
                let detail = (!message.trim().is_empty()).then_some(message);
                view! {
                    <div class="alert alert-warning" role="alert" data-testid="retention-run-conflict">
                        <p class="alert-title">{t.run_conflict}</p>
                        {detail.map(|d| view! { <p class="alert-detail">{d}</p> })}
                    </div>
                }
            })}
            <div class="row-actions">
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || starting.get()
                    on:click=move |_| open_dialog(dialog)
                    data-testid="retention-run-now"
                >
                    {move || {
                        let t = &i18n.t().retention;
                        if starting.get() { t.run_starting } else { t.run_now }
                    }}
                </button>
            </div>
            <h2 class="small-heading retention-subheading">{move || i18n.t().retention.runs_heading}</h2>
            <Transition fallback=|| view! { <Loading /> }>{list}</Transition>
            <ReportPanel shown />
        </section>
        <dialog
            node_ref=dialog
            class="dialog"
            aria-labelledby="retention-run-confirm-title"
            data-testid="retention-run-dialog"
        >
            <h2 id="retention-run-confirm-title">{move || i18n.t().retention.run_confirm_title}</h2>
            <p>{move || i18n.t().retention.run_confirm_text}</p>
            <div class="row-actions">
                <button type="button" class="button button-danger" on:click=confirm data-testid="retention-run-confirm">
                    {move || i18n.t().retention.run_confirm}
                </button>
                <button type="button" class="button button-secondary" on:click=move |_| close_dialog(dialog)>
                    {move || i18n.t().console.cancel}
                </button>
            </div>
        </dialog>
    }
}

/// The runs, newest first; a row (or its Report button) shows its report.
#[component]
fn RunTable<F>(runs: Vec<RunSummary>, open: F) -> impl IntoView
where
    F: Fn(String) + Copy + 'static,
{
    let i18n = use_i18n();
    let rows = runs
        .into_iter()
        .map(|run| {
            let id = run.id.to_string();
            let status = match run.status {
                RunStatus::Running => "running",
                RunStatus::Done => "done",
            };
            let started = run.started_at_ms;
            let by = run.started_by_name.clone();
            view! {
                // The whole row opens the report; its button is the row's keyboard stop
                // (its click reaches the row).
                <tr
                    class="clickable-row"
                    data-testid="retention-run-row"
                    data-run-id=run.id.to_string()
                    data-status=status
                    on:click=move |_| open(id.clone())
                >
                    <td data-col="started">{move || local_time(started, i18n.locale().tag())}</td>
                    <td data-col="trigger">{move || i18n.t().retention.trigger(run.trigger, by.as_deref())}</td>
                    <td data-col="status">{move || i18n.t().retention.status(run.status)}</td>
                    <td class="num" data-col="records">{run.records}</td>
                    <td class="num" data-col="deleted">{run.deleted}</td>
                    <td class="num" data-col="anonymised">{run.anonymised}</td>
                    <td class="num" data-col="held">{run.held_records}</td>
                    <td class="num" data-col="errors">{run.errors}</td>
                    <td>
                        <button
                            type="button"
                            class="button button-secondary button-small"
                            data-testid="retention-run-open"
                        >
                            {move || i18n.t().retention.open_report}
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table retention-table retention-wide" data-testid="retention-runs">
                <thead>
                    <tr>
                        <th scope="col">{move || i18n.t().retention.col_started}</th>
                        <th scope="col">{move || i18n.t().retention.col_trigger}</th>
                        <th scope="col">{move || i18n.t().retention.col_status}</th>
                        <th scope="col" class="num">{move || i18n.t().retention.col_records}</th>
                        <th scope="col" class="num">{move || i18n.t().retention.col_deleted}</th>
                        <th scope="col" class="num">{move || i18n.t().retention.col_anonymised}</th>
                        <th scope="col" class="num">{move || i18n.t().retention.col_held}</th>
                        <th scope="col" class="num">{move || i18n.t().retention.col_errors}</th>
                        <th scope="col">{move || i18n.t().console.col_actions}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The report of the run shown: loading, working (updated every second), or done.
#[component]
fn ReportPanel(shown: Shown) -> impl IntoView {
    let i18n = use_i18n();
    let body = move || {
        if let Some(e) = shown.error.get() {
            return view! { <ErrorAlert code=e.code /> }.into_any();
        }
        match shown.report.get() {
            None => view! { <Loading /> }.into_any(),
            Some(report) => view! { <Report report /> }.into_any(),
        }
    };
    let close = move |_| {
        // Stops following the run too.
        shown.ticket.update_value(|t| *t = t.wrapping_add(1));
        shown.run_id.set(None);
        shown.report.set(None);
    };
    move || {
        shown.run_id.get().map(|id| {
            let status = move || {
                shown.report.with(|r| match r.as_ref().map(|r| r.summary.status) {
                    Some(RunStatus::Done) => "done",
                    Some(RunStatus::Running) => "running",
                    None => "loading",
                })
            };
            view! {
                <section
                    class="retention-report"
                    aria-labelledby="retention-report-heading"
                    data-testid="retention-report"
                    data-run-id=id
                    data-status=status
                >
                    <h3 id="retention-report-heading" class="small-heading" tabindex="-1">
                        {move || i18n.t().retention.report_heading}
                    </h3>
                    <div aria-live="polite">{body}</div>
                    <button type="button" class="button button-secondary button-small" on:click=close>
                        {move || i18n.t().console.close}
                    </button>
                </section>
            }
        })
    }
}

/// A run's report: when, what it did per field, held records and errors.
#[component]
fn Report(report: RunReport) -> impl IntoView {
    let i18n = use_i18n();
    let RunReport {
        summary,
        lines,
        held,
        errors,
    } = report;
    let running = summary.status == RunStatus::Running;
    let started = summary.started_at_ms;
    let finished = summary.finished_at_ms;
    let nothing = !running && lines.is_empty() && held.is_empty() && errors.is_empty();
    let when = move || {
        let t = &i18n.t().retention;
        let tag = i18n.locale().tag();
        let mut text = fill(t.report_started, &[("time", &local_time(started, tag))]);
        if let Some(end) = finished {
            text.push_str(" · ");
            text.push_str(&fill(t.report_finished, &[("time", &local_time(end, tag))]));
        }
        text
    };
    view! {
        <p class="muted">{when}</p>
        {running.then(|| view! {
            <p class="muted loading" role="status" data-testid="retention-report-running">
                {move || i18n.t().retention.report_running}
            </p>
        })}
        {nothing.then(|| view! {
            <p class="muted" data-testid="retention-report-empty">{move || i18n.t().retention.report_empty}</p>
        })}
        {(!lines.is_empty()).then(|| view! { <ReportLines lines testid="retention-report-line" /> })}
        <HeldList held testid="retention-report-held" />
        <ErrorList errors testid="retention-report-error" />
    }
}
