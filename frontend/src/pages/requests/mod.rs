//! `/requests` and `/requests/{id}` (admins and privacy officers): the register of
//! data-subject requests with their deadlines, registering a request received by
//! letter, phone or in person, and the work on one request up to its answer or refusal.
//!
//! A request's page keeps the server's `RequestDetail` in one signal: every step posts
//! to the API and shows the request as the answer has it, without loading it again.

mod closing;
mod correction;
mod detail;
mod draft;
mod events;
mod fields;
mod handling;
mod identity;
mod linked;
mod linked_record;
mod new_request;
mod register;

use leptos::prelude::*;
use shared::api::requests::{RequestAction, RequestDetail, RequestSummary};
use shared::ids::SubjectRequestId;

use crate::components::api_call::ApiCall;
use crate::components::console_ui::local_date;
use crate::i18n::{use_i18n, RequestsTexts};

pub use detail::RequestPage;
pub use register::RequestsPage;

/// Open requests due in less than this many days count as due soon (the server's rule).
pub(crate) use shared::requests::DUE_SOON_DAYS;

/// Where a request stands against its deadline, as the console words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Answered or refused: the deadline no longer counts.
    Closed,
    /// Past its due moment by this many days (at least one).
    Overdue(i64),
    /// Due later today.
    Today,
    /// Due in this many whole days, fewer than [`DUE_SOON_DAYS`].
    Soon(i64),
    /// Due in this many whole days, [`DUE_SOON_DAYS`] or more.
    Later(i64),
}

impl Due {
    /// Where `request` stands, from the server's own `overdue` and `days_left`.
    pub fn of(request: &RequestSummary) -> Self {
        Self::from_parts(
            request.status.is_closed(),
            request.overdue,
            request.days_left,
        )
    }

    fn from_parts(closed: bool, overdue: bool, days_left: i64) -> Self {
        if closed {
            Due::Closed
        } else if overdue || days_left < 0 {
            Due::Overdue(days_left.saturating_neg().max(1))
        } else if days_left == 0 {
            Due::Today
        } else if days_left < DUE_SOON_DAYS {
            Due::Soon(days_left)
        } else {
            Due::Later(days_left)
        }
    }

    /// Its words (nothing once the request is closed).
    pub fn words(self, t: &RequestsTexts) -> String {
        match self {
            Due::Closed => String::new(),
            Due::Overdue(n) => t.overdue_by(n),
            Due::Today => t.due_today.to_owned(),
            Due::Soon(n) | Due::Later(n) => t.days_left(n),
        }
    }

    /// The icon shown beside the words (decorative: the words say it all).
    pub const fn icon(self) -> &'static str {
        match self {
            Due::Closed => "✓",
            Due::Overdue(_) => "⚠",
            Due::Today | Due::Soon(_) => "⏳",
            Due::Later(_) => "🗓",
        }
    }

    /// The class that styles it (border style and weight as well as colour).
    pub const fn class(self) -> &'static str {
        match self {
            Due::Closed => "requests-due requests-due-closed",
            Due::Overdue(_) => "requests-due requests-due-overdue",
            Due::Today | Due::Soon(_) => "requests-due requests-due-soon",
            Due::Later(_) => "requests-due",
        }
    }

    /// The name of its state, for `data-due` (browser tests and styles).
    pub const fn as_str(self) -> &'static str {
        match self {
            Due::Closed => "closed",
            Due::Overdue(_) => "overdue",
            Due::Today => "today",
            Due::Soon(_) => "soon",
            Due::Later(_) => "later",
        }
    }
}

/// The due date, and while the request is open how long is left or how late it is, in
/// words beside an icon.
#[component]
pub fn DueLine(
    due: Due,
    due_at_ms: i64,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let date = move || local_date(due_at_ms, i18n.locale().tag());
    let words = move || {
        let t = &i18n.t().requests;
        match due {
            Due::Closed => date(),
            _ => format!("{} · {}", date(), due.words(t)),
        }
    };
    view! {
        <span class=due.class() data-due=due.as_str() data-testid=testid>
            <span class="requests-due-icon" aria-hidden="true">{due.icon()}</span>
            {words}
        </span>
    }
}

/// What a request's page shares: its id and the request as the server last gave it.
#[derive(Clone, Copy)]
pub(crate) struct RequestState {
    pub id: SubjectRequestId,
    pub detail: RwSignal<RequestDetail>,
}

impl RequestState {
    /// True while the request is open (tracked).
    pub fn open(self) -> bool {
        self.detail.with(|d| !d.summary.status.is_closed())
    }

    /// Shows the request as the server now has it.
    pub fn show(self, detail: &RequestDetail) {
        self.detail.set(detail.clone());
    }

    /// A call that sends one step of the work and shows the request as it then stands,
    /// then runs `then` (to clear a form, say). Make it where the page keeps it (not in
    /// a part that the answer takes away).
    pub fn action_call(
        self,
        then: impl Fn(&RequestDetail) + 'static,
    ) -> ApiCall<RequestAction, RequestDetail> {
        let id = self.id;
        ApiCall::new(move |api, action: RequestAction| async move {
            api.request_action(&id, &action).await
        })
        .on_ok(move |detail: &RequestDetail| {
            self.show(detail);
            then(detail);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_requests_say_how_long_is_left_and_closed_ones_do_not() {
        assert_eq!(Due::from_parts(false, false, 10), Due::Later(10));
        assert_eq!(Due::from_parts(false, false, 4), Due::Later(4));
        assert_eq!(Due::from_parts(false, false, 3), Due::Later(3));
        assert_eq!(Due::from_parts(false, false, 2), Due::Soon(2));
        assert_eq!(Due::from_parts(false, false, 1), Due::Soon(1));
        assert_eq!(Due::from_parts(false, false, 0), Due::Today);
        assert_eq!(Due::from_parts(false, true, -1), Due::Overdue(1));
        assert_eq!(Due::from_parts(false, true, -12), Due::Overdue(12));
        assert_eq!(Due::from_parts(true, true, -12), Due::Closed);
        assert_eq!(Due::from_parts(true, false, 5), Due::Closed);
    }

    #[test]
    fn deadlines_are_worded_with_the_right_number() {
        let (en, zh) = (&crate::i18n::EN.requests, &crate::i18n::ZH_CN.requests);
        assert_eq!(Due::Later(10).words(en), "10 days left");
        assert_eq!(Due::Soon(1).words(en), "1 day left");
        assert_eq!(Due::Today.words(en), "due today");
        assert_eq!(Due::Overdue(1).words(en), "overdue by 1 day");
        assert_eq!(Due::Overdue(3).words(en), "overdue by 3 days");
        assert_eq!(Due::Closed.words(en), "");
        assert_eq!(Due::Soon(2).words(zh), "剩余 2 天");
        assert_eq!(Due::Overdue(3).words(zh), "已逾期 3 天");
    }

    #[test]
    fn an_overdue_request_is_late_by_at_least_a_day() {
        // The server's flag wins over a count that has not yet turned negative.
        assert_eq!(Due::from_parts(false, true, 0), Due::Overdue(1));
        assert_eq!(Due::from_parts(false, false, -2), Due::Overdue(2));
        assert_eq!(
            Due::from_parts(false, true, i64::MIN),
            Due::Overdue(i64::MAX)
        );
    }
}
