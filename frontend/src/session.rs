//! Who is signed in: the session signal every page reads, and the client built from it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::auth::SessionInfo;
use shared::api::error::{ApiError, ErrorCode};

use crate::api::ApiClient;
use crate::i18n::I18n;

/// What the app knows about the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// The first `GET /auth/session` has not answered yet.
    Checking,
    /// Nobody is signed in.
    SignedOut,
    /// Someone is signed in.
    SignedIn(SessionInfo),
}

/// The session, provided to the whole app as context.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    state: RwSignal<SessionState>,
    i18n: I18n,
}

impl Session {
    /// A session that is still being checked.
    #[must_use]
    pub fn new(i18n: I18n) -> Self {
        Self {
            state: RwSignal::new(SessionState::Checking),
            i18n,
        }
    }

    /// Asks the server who is signed in. Any failure counts as signed out: the sign-in page
    /// then reports the server's state itself.
    pub fn refresh(self) {
        let api = self.client();
        spawn_local(async move {
            let state = match api.session().await {
                Ok(info) => SessionState::SignedIn(info),
                Err(_) => SessionState::SignedOut,
            };
            self.state.set(state);
        });
    }

    /// The session state (tracked).
    #[must_use]
    pub fn state(self) -> SessionState {
        self.state.get()
    }

    /// The signed-in session, if any (tracked).
    #[must_use]
    pub fn info(self) -> Option<SessionInfo> {
        self.state.with(|s| match s {
            SessionState::SignedIn(info) => Some(info.clone()),
            _ => None,
        })
    }

    /// True when the signed-in user's role holds `permission` (tracked): the same rule
    /// the server checks on the API route behind it.
    #[must_use]
    pub fn may(self, permission: shared::access::Permission) -> bool {
        permission.allows(self.info().map(|i| i.user.role))
    }

    /// True while someone is signed in (tracked).
    #[must_use]
    pub fn is_signed_in(self) -> bool {
        self.state.with(|s| matches!(s, SessionState::SignedIn(_)))
    }

    /// True when the signed-in user must replace their password first (tracked).
    #[must_use]
    pub fn must_change_password(self) -> bool {
        self.state.with(|s| match s {
            SessionState::SignedIn(info) => info.user.must_change_password,
            _ => false,
        })
    }

    /// The signed-in user's name, read without tracking.
    #[must_use]
    pub fn username_untracked(self) -> Option<String> {
        self.state.with_untracked(|s| match s {
            SessionState::SignedIn(info) => Some(info.user.username.clone()),
            _ => None,
        })
    }

    /// Records a new or updated session.
    pub fn signed_in(self, info: SessionInfo) {
        self.state.set(SessionState::SignedIn(info));
    }

    /// Forgets the session.
    pub fn signed_out(self) {
        self.state.set(SessionState::SignedOut);
    }

    /// Forgets the session when `error` says it has ended; true when it did.
    pub fn note_error(self, error: &ApiError) -> bool {
        let ended = error.code == ErrorCode::Unauthenticated;
        if ended {
            self.signed_out();
        }
        ended
    }

    /// A client for the current language and session, read without tracking.
    #[must_use]
    pub fn client(self) -> ApiClient {
        let csrf_token = self.state.with_untracked(|s| match s {
            SessionState::SignedIn(info) => Some(info.csrf_token.clone()),
            _ => None,
        });
        ApiClient::new(self.i18n.locale_untracked(), csrf_token)
    }
}

/// The [`Session`] context provided by the app shell.
#[must_use]
pub fn use_session() -> Session {
    expect_context::<Session>()
}
