//! The API's contract: an OpenAPI 3.1 document served at `GET /api/v1/openapi.json`.
//!
//! It is generated, not written: each handler describes its operation with
//! `#[utoipa::path]` (body, answers, parameters), the payloads' schemas are derived from
//! `shared`'s types (its `openapi` feature), and [`document`] adds what the route table
//! knows, so that it cannot disagree with the router: the permission of every operation
//! (`x-permission`), its security (the session cookie, plus the CSRF header on state
//! changes) and the error answers every route of its kind can give, each an
//! [`ApiError`]. A test checks that the document describes exactly the routes
//! [`ApiRoutes`] registered, so a route without a description fails.

use axum::{
    http::{header, HeaderValue, Method},
    response::{IntoResponse, Response},
    Extension,
};
use shared::api::{auth::CSRF_HEADER, error::ApiError, API_PREFIX};
use utoipa::{
    openapi::{
        path::{Operation, ParameterIn, PathItem},
        response::ResponseBuilder,
        security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme},
        ContentBuilder, OpenApi as Document, Ref, RefOr, Server,
    },
    OpenApi, PartialSchema as _, ToSchema as _,
};

use crate::auth::{
    session::{is_state_changing, COOKIE_NAME},
    ApiRoutes, Permission, RouteSpec,
};

/// The security scheme of the session cookie.
const SESSION: &str = "session";
/// The security scheme of the CSRF header.
const CSRF: &str = "csrf";

/// The route of the document itself.
pub fn routes() -> ApiRoutes {
    ApiRoutes::new().route(Method::GET, "/openapi.json", Permission::Public, published)
}

/// The document, written once when the router is built.
#[derive(Clone)]
pub struct Published(bytes::Bytes);

impl Published {
    /// The document of the routes in `table`, as JSON.
    #[must_use]
    pub fn new(table: &[RouteSpec]) -> Self {
        let json = serde_json::to_vec(&document(table)).unwrap_or_default();
        Self(bytes::Bytes::from(json))
    }
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "system",
    summary = "This document",
    description = "The OpenAPI 3.1 description of the whole API, generated from the code.",
    responses((status = 200, description = "The document", content_type = "application/json", body = Object))
)]
async fn published(Extension(Published(json)): Extension<Published>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        json,
    )
        .into_response()
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Consentry API",
        description = "Consent records for PIPL and GDPR: forms, customer submissions with signed receipts, offline collection by staff, records by role, and a tamper-evident audit log.\n\nEvery error is an `ApiError` with a stable `code`. Signed-in calls carry the session cookie; state-changing ones also the session's CSRF token in `x-csrf-token` (from `GET /auth/session` or the sign-in answer). `x-permission` on each operation names the permission it needs."
    ),
    paths(published),
    // A sync batch is generic over its records (the server also reads malformed ones),
    // so the derive names the record's schema without adding it.
    components(schemas(shared::api::sync::SyncRecord, shared::ids::PackageId)),
    tags(
        (name = "auth", description = "Signing in and out, the session, passwords and the second factor"),
        (name = "users", description = "Accounts and teams (admins)"),
        (name = "forms", description = "Designing and publishing forms (admins)"),
        (name = "assignments", description = "Which forms staff and managers collect with"),
        (name = "public", description = "The customer's side: public forms, submissions, receipts and withdrawal"),
        (name = "records", description = "Collected records, by role, masked"),
        (name = "conflicts", description = "Edit conflicts from offline devices"),
        (name = "sync", description = "Staff devices and offline sync"),
        (name = "audit", description = "The tamper-evident audit log"),
        (name = "exports", description = "Governed exports: permission, approval, the ledger, one-time files and leak tracing"),
        (name = "alerts", description = "Alerts on unusual behaviour, their handling and where they are sent"),
        (name = "imports", description = "Importing records from Excel and CSV: preview, then commit"),
        (name = "compliance", description = "The compliance dashboard: checks over the data, the rate, drill-downs, charts, reports, records of processing and impact-assessment drafts"),
        (name = "system", description = "Version, keys and this document"),
    )
)]
struct Base;

/// The whole document: every feature's operations and the facts of `table`.
#[must_use]
pub fn document(table: &[RouteSpec]) -> Document {
    let mut doc = Base::openapi();
    for part in [
        crate::system::ApiDoc::openapi(),
        crate::auth::handlers::ApiDoc::openapi(),
        crate::audit::handlers::ApiDoc::openapi(),
        crate::consent::handlers::ApiDoc::openapi(),
        crate::records::handlers::ApiDoc::openapi(),
        crate::sync::handlers::ApiDoc::openapi(),
        crate::forms::handlers::ApiDoc::openapi(),
        crate::users::handlers::ApiDoc::openapi(),
        crate::assignments::handlers::ApiDoc::openapi(),
        crate::requests::handlers::ApiDoc::openapi(),
        crate::compliance::handlers::ApiDoc::openapi(),
        crate::compliance::documents::ApiDoc::openapi(),
        crate::backup::handlers::ApiDoc::openapi(),
        crate::exports::handlers::ApiDoc::openapi(),
        crate::alerts::handlers::ApiDoc::openapi(),
        crate::imports::handlers::ApiDoc::openapi(),
        crate::retention::handlers::ApiDoc::openapi(),
    ] {
        doc.merge(part);
    }
    env!("CARGO_PKG_VERSION").clone_into(&mut doc.info.version);
    doc.servers = Some(vec![Server::new(API_PREFIX)]);
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .schemas
        .entry(ApiError::name().into_owned())
        .or_insert_with(ApiError::schema);
    let mut errors = Vec::new();
    ApiError::schemas(&mut errors);
    for (name, schema) in errors {
        components.schemas.entry(name).or_insert(schema);
    }
    components.security_schemes.insert(
        SESSION.to_owned(),
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            COOKIE_NAME,
            "The session, set by `POST /auth/login`",
        ))),
    );
    components.security_schemes.insert(
        CSRF.to_owned(),
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            CSRF_HEADER,
            "The session's CSRF token, on every state-changing request",
        ))),
    );
    for (path, item) in &mut doc.paths.paths {
        for (method, operation) in operations(item) {
            let spec = table
                .iter()
                .find(|r| r.method == method && r.path == path.as_str());
            if let Some(spec) = spec {
                describe(operation, spec);
            }
        }
    }
    doc
}

/// The operations of a path, with their methods.
fn operations(item: &mut PathItem) -> Vec<(Method, &mut Operation)> {
    [
        (Method::GET, item.get.as_mut()),
        (Method::PUT, item.put.as_mut()),
        (Method::POST, item.post.as_mut()),
        (Method::DELETE, item.delete.as_mut()),
        (Method::PATCH, item.patch.as_mut()),
        (Method::HEAD, item.head.as_mut()),
        (Method::OPTIONS, item.options.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
    .collect()
}

/// The name of a permission as the document shows it.
#[must_use]
pub fn permission_name(permission: Permission) -> &'static str {
    match permission {
        Permission::Public => "public",
        Permission::OwnAccount => "own_account",
        Permission::SignedIn => "signed_in",
        Permission::ManageForms => "manage_forms",
        Permission::ManageUsers => "manage_users",
        Permission::ViewRecords => "view_records",
        Permission::RevealValues => "reveal_values",
        Permission::AssignRecords => "assign_records",
        Permission::AssignForms => "assign_forms",
        Permission::CollectRecords => "collect_records",
        Permission::ResolveConflicts => "resolve_conflicts",
        Permission::ViewAudit => "view_audit",
        Permission::ManageRetention => "manage_retention",
        Permission::EndRelationships => "end_relationships",
        Permission::RecordWithdrawals => "record_withdrawals",
        Permission::ManageRequests => "manage_requests",
        Permission::DecideExports => "decide_exports",
        Permission::ImportRecords => "import_records",
        Permission::ViewCompliance => "view_compliance",
        Permission::ComplianceReports => "compliance_reports",
        Permission::ConfigureCompliance => "configure_compliance",
        Permission::ViewBackups => "view_backups",
        Permission::ManageBackups => "manage_backups",
    }
}

/// Adds the route's permission, security and the error answers its kind can give.
fn describe(operation: &mut Operation, spec: &RouteSpec) {
    use shared::api::auth::Role;
    let roles: Vec<&str> = Role::ALL
        .into_iter()
        .filter(|role| spec.permission.allows(Some(*role)))
        .map(Role::as_str)
        .collect();
    let mut extensions = operation.extensions.take().unwrap_or_default();
    extensions.insert(
        "x-permission".to_owned(),
        serde_json::json!(permission_name(spec.permission)),
    );
    extensions.insert("x-roles".to_owned(), serde_json::json!(roles));
    operation.extensions = Some(extensions);

    let public = spec.permission == Permission::Public;
    let changes = is_state_changing(&spec.method);
    if !public {
        let mut needed = SecurityRequirement::new(SESSION, Vec::<String>::new());
        if changes {
            needed = needed.add(CSRF, Vec::<String>::new());
        }
        operation.security = Some(vec![needed]);
    }

    let params = operation.parameters.as_deref().unwrap_or_default();
    let in_path = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let in_query = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let body = operation.request_body.is_some();

    let mut errors: Vec<(u16, &str)> = Vec::new();
    if body || in_query {
        errors.push((
            400,
            "`invalid_json` (a body that is not JSON of the expected shape) or `bad_request`",
        ));
    }
    if !public {
        errors.push((
            401,
            "`unauthenticated`: not signed in, or the session ended",
        ));
        errors.push((
            403,
            "`forbidden` (the role may not, or a generated password must be replaced first) or `csrf_rejected`",
        ));
    }
    if in_path {
        errors.push((404, "`not_found`: no such resource, or a malformed id"));
    }
    errors.push((408, "`timeout`: the request took too long"));
    if body {
        errors.push((413, "`payload_too_large`"));
        errors.push((
            415,
            "`unsupported_media_type`: the body is not `application/json`",
        ));
    }
    errors.push((500, "`internal`: logged on the server"));
    errors.push((
        503,
        "`unavailable`: the database is busy or unreachable; try again",
    ));
    for (status, description) in errors {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| error_response(description));
    }
}

/// An error answer: its description and the `ApiError` body.
fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(ApiError::name())))
                .build(),
        )
        .into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn document_of_all_routes() -> (Document, Vec<RouteSpec>) {
        let table = crate::api_routes().table().to_vec();
        (document(&table), table)
    }

    #[test]
    fn every_route_is_described_and_nothing_else() {
        let (mut doc, table) = document_of_all_routes();
        let routed: BTreeSet<(String, String)> = table
            .iter()
            .map(|r| (r.method.to_string(), r.path.to_owned()))
            .collect();
        let mut described = BTreeSet::new();
        for (path, item) in &mut doc.paths.paths {
            for (method, _) in operations(item) {
                described.insert((method.to_string(), path.clone()));
            }
        }
        let missing: Vec<_> = routed.difference(&described).collect();
        let extra: Vec<_> = described.difference(&routed).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "routes without a #[utoipa::path]: {missing:?}; described but not routed: {extra:?}"
        );
    }

    #[test]
    fn every_operation_names_its_permission_and_security() {
        let (doc, table) = document_of_all_routes();
        let json = serde_json::to_value(&doc).unwrap();
        assert_eq!(json["openapi"], "3.1.0");
        for spec in &table {
            let op = &json["paths"][spec.path][spec.method.as_str().to_lowercase()];
            assert_eq!(
                op["x-permission"],
                permission_name(spec.permission),
                "{} {}",
                spec.method,
                spec.path
            );
            let security = &op["security"];
            if spec.permission == Permission::Public {
                assert!(security.is_null(), "{} {}", spec.method, spec.path);
            } else {
                assert!(
                    security[0].get(SESSION).is_some(),
                    "{} {}",
                    spec.method,
                    spec.path
                );
                assert_eq!(
                    security[0].get(CSRF).is_some(),
                    is_state_changing(&spec.method),
                    "{} {}",
                    spec.method,
                    spec.path
                );
                assert!(op["responses"]["401"].is_object());
            }
            assert!(op["responses"]["500"].is_object());
        }
    }

    #[test]
    fn every_referenced_schema_is_in_the_document() {
        let (doc, _) = document_of_all_routes();
        let json = serde_json::to_string(&doc).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let schemas = value["components"]["schemas"].as_object().unwrap();
        let mut missing = BTreeSet::new();
        for part in json.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap();
            if !schemas.contains_key(name) {
                missing.insert(name.to_owned());
            }
        }
        assert!(
            missing.is_empty(),
            "schemas referenced but absent: {missing:?}"
        );
    }

    #[test]
    fn ids_are_uuid_strings_and_tagged_enums_keep_their_tag() {
        let (doc, _) = document_of_all_routes();
        let value = serde_json::to_value(&doc).unwrap();
        let schemas = &value["components"]["schemas"];
        assert_eq!(schemas["FormId"]["type"], "string");
        assert_eq!(schemas["FormId"]["format"], "uuid");
        let kinds = serde_json::to_string(&schemas["FieldKind"]).unwrap();
        assert!(kinds.contains("\"type\""), "{kinds}");
    }
}
