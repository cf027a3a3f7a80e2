//! A call to the API that someone starts on a page (sends a form, presses a button):
//! whether it is in flight, the API's error from the last attempt, and its last result.
//!
//! [`ApiCall`] wraps a Leptos [`Action`] made with `Action::new_local` (the browser's
//! fetch futures are not `Send`). What a page loads to show itself is a `LocalResource`
//! read under `Suspense` or `Transition` instead.

use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use shared::api::error::ApiError;

use crate::api::ApiClient;
use crate::session::use_session;

/// What a page does with a successful result.
type OnOk<T> = Rc<dyn Fn(&T)>;

/// Which errors a page deals with itself (true for those).
type Handled = Rc<dyn Fn(&ApiError) -> bool>;

/// What a page does when a call ends, beyond recording its result.
struct Outcomes<T> {
    ok: Option<OnOk<T>>,
    handled: Option<Handled>,
}

/// One kind of call a page makes, with input `I` and result `T`.
///
/// A failed call stores the API's error in [`ApiCall::error`], the signal that
/// `FormAlert` and `TextField` show, after telling the session (an `unauthenticated`
/// answer signs the user out). Checks made before sending put their error in the same
/// signal.
pub struct ApiCall<I: 'static, T: 'static> {
    action: Action<I, Result<T, ApiError>>,
    error: RwSignal<Option<ApiError>>,
    outcomes: StoredValue<Outcomes<T>, LocalStorage>,
}

impl<I: 'static, T: 'static> Clone for ApiCall<I, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I: 'static, T: 'static> Copy for ApiCall<I, T> {}

impl<I: 'static, T: 'static> ApiCall<I, T> {
    /// A call that sends `input` with `send`, through a client for the current session
    /// and language.
    pub fn new<F, Fu>(send: F) -> Self
    where
        F: Fn(ApiClient, I) -> Fu + 'static,
        Fu: Future<Output = Result<T, ApiError>> + 'static,
        I: Clone,
    {
        Self::with_error(RwSignal::new(None), send)
    }

    /// Like [`ApiCall::new`], showing errors in a signal the page already has (one alert
    /// for several buttons, say).
    pub fn with_error<F, Fu>(error: RwSignal<Option<ApiError>>, send: F) -> Self
    where
        F: Fn(ApiClient, I) -> Fu + 'static,
        Fu: Future<Output = Result<T, ApiError>> + 'static,
        I: Clone,
    {
        let session = use_session();
        let outcomes = StoredValue::new_local(Outcomes {
            ok: None,
            handled: None,
        });
        let action = Action::new_local(move |input: &I| {
            let sent = send(session.client(), input.clone());
            async move {
                let result = sent.await;
                match &result {
                    Ok(value) => {
                        if let Some(ok) = outcomes.with_value(|o| o.ok.clone()) {
                            ok(value);
                        }
                    }
                    Err(e) => {
                        let handled = outcomes
                            .with_value(|o| o.handled.clone())
                            .is_some_and(|handled| handled(e));
                        if !handled {
                            session.note_error(e);
                            error.set(Some(e.clone()));
                        }
                    }
                }
                result
            }
        });
        Self {
            action,
            error,
            outcomes,
        }
    }

    /// Runs `ok` with each successful result, as soon as it arrives.
    #[must_use]
    pub fn on_ok(self, ok: impl Fn(&T) + 'static) -> Self {
        self.outcomes.update_value(|o| o.ok = Some(Rc::new(ok)));
        self
    }

    /// Lets the page deal with some errors itself: `handled` returns true for those,
    /// which are then neither shown nor passed to the session.
    #[must_use]
    pub fn handle_error(self, handled: impl Fn(&ApiError) -> bool + 'static) -> Self {
        self.outcomes
            .update_value(|o| o.handled = Some(Rc::new(handled)));
        self
    }

    /// Sends `input`, unless a call is already in flight; clears the last error.
    pub fn dispatch(self, input: I) {
        if self.action.pending().get_untracked() {
            return;
        }
        self.error.set(None);
        self.action.dispatch_local(input);
    }

    /// True while a call is in flight (tracked).
    #[must_use]
    pub fn pending(self) -> Signal<bool> {
        self.action.pending().into()
    }

    /// The error of the last call, or of a check made before sending.
    #[must_use]
    pub fn error(self) -> RwSignal<Option<ApiError>> {
        self.error
    }

    /// Shows `error`, found before sending, as the call's error.
    pub fn fail(self, error: Option<ApiError>) {
        self.error.set(error);
    }

    /// The result of the last successful call, if the last call succeeded (tracked).
    #[must_use]
    pub fn value(self) -> Option<T>
    where
        T: Clone,
    {
        self.action
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().ok()).cloned())
    }

    /// Forgets the last result.
    pub fn clear(self) {
        self.action.clear();
    }
}

impl<T: 'static> ApiCall<(), T> {
    /// Sends the call that takes no input.
    pub fn run(self) {
        self.dispatch(());
    }
}

/// What a page loads to show itself, fetched through a client for the current session
/// and language, again whenever a signal `load` reads (before its `async` part) changes.
/// An `unauthenticated` answer signs the user out. Read it under `Suspense` or
/// `Transition`, with [`Loading`](super::console_ui::Loading) as the fallback.
pub fn api_resource<T, F, Fu>(load: F) -> LocalResource<Result<T, ApiError>>
where
    T: 'static,
    F: Fn(ApiClient) -> Fu + 'static,
    Fu: Future<Output = Result<T, ApiError>> + 'static,
{
    let session = use_session();
    LocalResource::new(move || {
        let loaded = load(session.client());
        async move {
            loaded.await.inspect_err(|e| {
                session.note_error(e);
            })
        }
    })
}
