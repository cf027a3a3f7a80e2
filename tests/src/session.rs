//! A caller of the API ([`Session`]: cookie and CSRF token attached) and the checks of
//! its answers ([`Expect`], [`expect_json`]).

use std::future::Future;

use reqwest::{header, RequestBuilder, Response};
use serde::{de::DeserializeOwned, Serialize};
use shared::api::auth::{ChangePasswordRequest, LoginRequest, SessionInfo, CSRF_HEADER};

/// The `name=value` of the session cookie a response sets.
fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// A caller of the API: anonymous or signed in (cookie and CSRF token attached).
#[derive(Clone, Debug)]
pub struct Session {
    pub(crate) http: reqwest::Client,
    pub(crate) address: String,
    pub cookie: Option<String>,
    pub info: Option<SessionInfo>,
}

impl Session {
    /// Signs in as `username` to the server at `address` (`http://127.0.0.1:<port>`),
    /// one of a [`TestApp`] or a [`process::ServerProcess`]: the session, or the refusal.
    pub async fn sign_in(
        http: &reqwest::Client,
        address: &str,
        username: &str,
        password: &str,
    ) -> Result<Session, Response> {
        let response = http
            .post(format!("{address}/api/v1/auth/login"))
            .json(&LoginRequest {
                username: username.to_owned(),
                password: password.to_owned(),
            })
            .send()
            .await
            .unwrap();
        if !response.status().is_success() {
            return Err(response);
        }
        let cookie =
            session_cookie(&response).expect("a successful sign-in sets the session cookie");
        let info: SessionInfo = response.json().await.unwrap();
        Ok(Session {
            http: http.clone(),
            address: address.to_owned(),
            cookie: Some(cookie),
            info: Some(info),
        })
    }

    /// Changes the password from `current` to `new` and continues in the new session the
    /// server starts for it (the old one ends with the change).
    pub async fn change_password(&mut self, current: &str, new: &str) -> SessionInfo {
        let response = self
            .post("/auth/password")
            .json(&ChangePasswordRequest {
                current_password: current.to_owned(),
                new_password: new.to_owned(),
            })
            .expect_status(200)
            .await;
        let cookie =
            session_cookie(&response).expect("a password change sets a new session cookie");
        assert_ne!(
            self.cookie.as_ref(),
            Some(&cookie),
            "the session token is rotated"
        );
        let info: SessionInfo = response.json().await.unwrap();
        self.cookie = Some(cookie);
        self.info = Some(info.clone());
        info
    }

    fn with_auth(&self, builder: RequestBuilder, state_changing: bool) -> RequestBuilder {
        let mut builder = builder;
        if let Some(cookie) = &self.cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        if state_changing {
            if let Some(info) = &self.info {
                builder = builder.header(CSRF_HEADER, &info.csrf_token);
            }
        }
        builder
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }

    /// The signed-in user's id.
    pub async fn user_id(&self) -> shared::ids::UserId {
        let info: shared::api::auth::SessionInfo = self.get_json("/auth/session", 200).await;
        info.user.id
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.with_auth(self.http.get(self.url(path)), false)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.with_auth(self.http.post(self.url(path)), true)
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.with_auth(self.http.put(self.url(path)), true)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.with_auth(self.http.delete(self.url(path)), true)
    }

    /// A request with any method, authenticated like the others.
    pub fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        let changing = !matches!(method, reqwest::Method::GET | reqwest::Method::HEAD);
        self.with_auth(self.http.request(method, self.url(path)), changing)
    }

    /// The signed-in account.
    ///
    /// # Panics
    /// For an anonymous caller.
    #[must_use]
    pub fn user(&self) -> &shared::api::auth::CurrentUser {
        &self.info.as_ref().expect("a signed-in session").user
    }

    /// `GET path`: the answer must have `status`; its JSON body.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str, status: u16) -> T {
        self.get(path).expect_json(status).await
    }

    /// `POST path` with `body` as JSON: the answer must have `status`; its JSON body.
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
        status: u16,
    ) -> T {
        self.post(path).json(body).expect_json(status).await
    }

    /// `PUT path` with `body` as JSON: the answer must have `status`; its JSON body.
    pub async fn put_json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
        status: u16,
    ) -> T {
        self.put(path).json(body).expect_json(status).await
    }

    /// The audit entries whose action starts with `action`, as this caller reads them.
    pub async fn audit_log(&self, action: &str) -> shared::api::audit::AuditPage {
        self.get_json(&format!("/audit?action={action}"), 200).await
    }
}

/// Sends a request built by hand (extra headers, no body, a raw body) and checks the
/// answer in the same step, printing the body when the status is not the one expected.
pub trait Expect {
    /// The answer must have `status`; its JSON body.
    fn expect_json<T: DeserializeOwned>(self, status: u16) -> impl Future<Output = T> + Send;

    /// The answer must have `status`; the answer, its body unread.
    fn expect_status(self, status: u16) -> impl Future<Output = Response> + Send;
}

impl Expect for RequestBuilder {
    async fn expect_json<T: DeserializeOwned>(self, status: u16) -> T {
        expect_json(self.send().await.unwrap(), status).await
    }

    async fn expect_status(self, status: u16) -> Response {
        let response = self.send().await.unwrap();
        if response.status().as_u16() != status {
            let actual = response.status();
            let text = response.text().await.unwrap_or_default();
            panic!("expected status {status}, got {actual}; body: {text}");
        }
        response
    }
}

/// Reads a JSON body after checking the status, printing the body when it differs.
pub async fn expect_json<T: DeserializeOwned>(response: Response, status: u16) -> T {
    let actual = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("body is not the expected JSON ({e}): {text}"))
}
