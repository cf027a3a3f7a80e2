//! Every API route declares the permission it needs, and can only be registered with one.
//!
//! [`ApiRoutes`] is the only way to add an API route: its `route` method takes a
//! [`Permission`] and wraps the handler in the check, and it records the route in a
//! table that the access-control test walks for every role.

use axum::{
    extract::{FromRequestParts, Request},
    handler::Handler,
    http::{request::Parts, Method},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{on, MethodFilter},
    Router,
};
use shared::api::{auth::CSRF_HEADER, error::ErrorCode};

use super::{session::is_state_changing, Principal};
use crate::{error::AppError, state::AppState};

pub use shared::access::Permission;

/// One registered API route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub permission: Permission,
}

/// Builder of the API router that cannot register a route without a permission.
pub struct ApiRoutes {
    router: Router<AppState>,
    table: Vec<RouteSpec>,
}

impl Default for ApiRoutes {
    fn default() -> Self {
        Self::new()
    }
}

impl ApiRoutes {
    #[must_use]
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    /// Adds `handler` at `method path`, reachable only by callers with `permission`.
    #[must_use]
    pub fn route<H, T>(
        self,
        method: Method,
        path: &'static str,
        permission: Permission,
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(method, path, permission, handler, None)
    }

    fn add<H, T>(
        mut self,
        method: Method,
        path: &'static str,
        permission: Permission,
        handler: H,
        body_limit: Option<usize>,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone())
            .unwrap_or_else(|_| panic!("unsupported method {method} for {path}"));
        let mut checked =
            on(filter, handler).layer(middleware::from_fn(move |req: Request, next: Next| {
                authorize(permission, req, next)
            }));
        if let Some(limit) = body_limit {
            // Inside the API-wide limit, so this one wins for this route.
            checked = checked.layer(axum::extract::DefaultBodyLimit::max(limit));
        }
        self.router = self.router.route(path, checked);
        self.table.push(RouteSpec {
            method,
            path,
            permission,
        });
        self
    }

    /// Like [`ApiRoutes::route`], with its own request body limit (for bulk uploads).
    #[must_use]
    pub fn route_with_body_limit<H, T>(
        self,
        method: Method,
        path: &'static str,
        permission: Permission,
        handler: H,
        max_body_bytes: usize,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(method, path, permission, handler, Some(max_body_bytes))
    }

    /// Adds every route of `other`.
    #[must_use]
    pub fn merge(mut self, other: ApiRoutes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// The routes registered so far.
    #[must_use]
    pub fn table(&self) -> &[RouteSpec] {
        &self.table
    }

    /// The router and the table of its routes.
    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.table)
    }
}

/// The check wrapped around every API handler.
async fn authorize(permission: Permission, mut req: Request, next: Next) -> Response {
    let principal = req
        .extensions()
        .get::<Option<Principal>>()
        .cloned()
        .flatten();
    let role = principal.as_ref().map(Principal::role);
    if !permission.allows(role) {
        return match principal {
            None => AppError::unauthenticated(),
            Some(_) => AppError::forbidden(),
        }
        .into_response();
    }
    if let Some(p) = &principal {
        if permission != Permission::Public {
            if p.user.must_change_password && permission != Permission::OwnAccount {
                return AppError::client(
                    ErrorCode::Forbidden,
                    "Choose a new password before doing anything else",
                )
                .into_response();
            }
            if is_state_changing(req.method()) {
                let sent = req
                    .headers()
                    .get(CSRF_HEADER)
                    .map(axum::http::HeaderValue::as_bytes)
                    .unwrap_or_default();
                if !super::constant_time_eq(sent, p.csrf_token.as_bytes()) {
                    return AppError::client(
                        ErrorCode::CsrfRejected,
                        "The request lacks a valid CSRF token; reload the page and try again",
                    )
                    .into_response();
                }
            }
        }
    }
    if let Some(p) = principal {
        req.extensions_mut().insert(Caller(p));
    }
    next.run(req).await
}

/// The signed-in caller of a route whose permission requires one.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(AppError::unauthenticated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::auth::Role;

    #[test]
    fn public_is_open_and_the_rest_need_a_role() {
        for p in Permission::ALL {
            assert_eq!(p.allows(None), p == Permission::Public, "{p:?}");
        }
        assert!(Permission::ManageForms.allows(Some(Role::Admin)));
        assert!(!Permission::ManageForms.allows(Some(Role::Staff)));
        assert!(!Permission::ManageUsers.allows(Some(Role::Auditor)));
        assert!(Permission::SignedIn.allows(Some(Role::Staff)));
        assert!(Permission::AssignRecords.allows(Some(Role::Manager)));
        assert!(Permission::AssignRecords.allows(Some(Role::Admin)));
        assert!(!Permission::AssignRecords.allows(Some(Role::Staff)));
        assert!(!Permission::AssignRecords.allows(Some(Role::Auditor)));
        assert!(Permission::AssignForms.allows(Some(Role::Manager)));
        assert!(Permission::AssignForms.allows(Some(Role::Admin)));
        assert!(!Permission::AssignForms.allows(Some(Role::Staff)));
        assert!(!Permission::AssignForms.allows(Some(Role::Auditor)));
    }
}
