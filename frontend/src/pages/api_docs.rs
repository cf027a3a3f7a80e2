//! `/api-docs`: the API's contract for admins, read from the OpenAPI document the
//! server publishes (`GET /api/v1/openapi.json`). Operations are grouped by tag, each
//! with its method, path, summary and permission; its parameters, request body and
//! answers open on demand, with the schemas they name. A light list rather than an
//! interactive explorer: the document itself is one link away.

use leptos::prelude::*;
use serde_json::Value;
use shared::access::Permission;
use shared::api::API_PREFIX;

use crate::components::api_call::api_resource;
use crate::components::console_ui::{ErrorAlert, Loading, RolesOnly};
use crate::i18n::{fill, set_page_title, use_i18n};

/// The API contract page.
#[component]
pub fn ApiDocsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ManageUsers>
            <ApiDocs />
        </RolesOnly>
    }
}

#[component]
fn ApiDocs() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_page_title(i18n.t().api_docs.title));
    let document = api_resource(|api| async move { api.openapi().await });
    let content = move || {
        document.get().map(|loaded| match loaded {
            Ok(doc) => {
                let groups = operations_by_tag(&doc);
                let count = groups.iter().map(|g| g.operations.len()).sum::<usize>();
                let doc = StoredValue::new(doc);
                view! {
                    <p class="muted" data-testid="api-operation-count">
                        {move || fill(i18n.t().api_docs.operations, &[("count", &count.to_string())])}
                    </p>
                    {groups
                        .into_iter()
                        .map(|group| view! { <TagSection group doc /> })
                        .collect_view()}
                }
                .into_any()
            }
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section class="console-page api-docs" data-testid="api-docs-page">
            <h1>{move || i18n.t().api_docs.title}</h1>
            <p class="muted">{move || i18n.t().api_docs.intro}</p>
            <p>
                <a href=format!("{API_PREFIX}/openapi.json") download="openapi.json">
                    {move || i18n.t().api_docs.download}
                </a>
            </p>
            <Transition fallback=|| view! { <Loading /> }>{content}</Transition>
        </section>
    }
}

/// The operations of one tag.
#[component]
fn TagSection(group: TagGroup, doc: StoredValue<Value>) -> impl IntoView {
    let operations = group
        .operations
        .into_iter()
        .map(|op| view! { <OperationItem op doc /> })
        .collect_view();
    view! {
        <section class="api-tag" data-testid="api-tag" data-tag=group.name.clone()>
            <h2>{group.name.clone()}</h2>
            {(!group.description.is_empty()).then(|| view! { <p class="muted">{group.description.clone()}</p> })}
            <ul class="api-operations">{operations}</ul>
        </section>
    }
}

/// One operation: a line always shown, the details on demand.
#[component]
fn OperationItem(op: OperationDoc, doc: StoredValue<Value>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || &i18n.t().api_docs;
    let roles = op.roles.clone();
    let parameters = (!op.parameters.is_empty()).then(|| {
        let items = op
            .parameters
            .iter()
            .map(|p| {
                let required = p.required;
                view! {
                    <li>
                        <code>{p.name.clone()}</code>
                        " (" {p.location.clone()}
                        {move || required.then(|| format!(", {}", t().required))} ")"
                        {(!p.description.is_empty()).then(|| format!(": {}", p.description))}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h3>{move || t().parameters}</h3>
            <ul>{items}</ul>
        }
    });
    let request = op.request.clone().map(|schema| {
        view! {
            <h3>{move || t().request_body}</h3>
            <SchemaView schema doc />
        }
    });
    let responses = op
        .responses
        .iter()
        .map(|r| {
            let schema = r.schema.clone();
            view! {
                <li>
                    <strong>{r.status.clone()}</strong> " " {r.description.clone()}
                    {match schema {
                        Some(schema) => view! { <SchemaView schema doc /> }.into_any(),
                        None => view! { <span class="muted">" — " {move || t().no_body}</span> }.into_any(),
                    }}
                </li>
            }
        })
        .collect_view();
    view! {
        <li class="api-operation" data-testid="api-operation" data-method=op.method.clone() data-path=op.path.clone()>
            <details>
                <summary>
                    <code class=format!("api-method api-method-{}", op.method.to_lowercase())>{op.method.clone()}</code>
                    " " <code class="api-path">{format!("{API_PREFIX}{}", op.path)}</code>
                    " " <span>{op.summary.clone()}</span>
                    " " <span class="badge" title=move || t().permission>{op.permission.clone()}</span>
                </summary>
                {(!op.description.is_empty()).then(|| view! { <p>{op.description.clone()}</p> })}
                <p class="muted">
                    {move || t().roles} ": "
                    {move || {
                        if roles.is_empty() || op.permission == "public" {
                            t().anyone.to_owned()
                        } else {
                            roles.join(", ")
                        }
                    }}
                </p>
                {parameters}
                {request}
                <h3>{move || t().responses}</h3>
                <ul>{responses}</ul>
            </details>
        </li>
    }
}

/// A schema: its name, and its JSON (with the named schemas it uses) on demand.
#[component]
fn SchemaView(schema: Value, doc: StoredValue<Value>) -> impl IntoView {
    let name = schema_label(&schema);
    let text = doc.with_value(|doc| schema_text(doc, &schema));
    view! {
        <details class="api-schema">
            <summary><code>{name}</code></summary>
            <pre>{text}</pre>
        </details>
    }
}

/// The operations of one tag, in the document's order.
#[derive(Debug, Clone, PartialEq)]
pub struct TagGroup {
    pub name: String,
    pub description: String,
    pub operations: Vec<OperationDoc>,
}

/// What the page shows of one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationDoc {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub permission: String,
    pub roles: Vec<String>,
    pub parameters: Vec<ParameterDoc>,
    /// The JSON schema of the request body, if it has one.
    pub request: Option<Value>,
    pub responses: Vec<ResponseDoc>,
}

/// A path or query parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterDoc {
    pub name: String,
    pub location: String,
    pub required: bool,
    pub description: String,
}

/// One documented answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseDoc {
    pub status: String,
    pub description: String,
    pub schema: Option<Value>,
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

fn text(value: &Value, key: &str) -> String {
    value[key].as_str().unwrap_or_default().to_owned()
}

/// The schema of the first content type of a body or answer.
fn content_schema(value: &Value) -> Option<Value> {
    value["content"]
        .as_object()?
        .values()
        .next()
        .map(|media| media["schema"].clone())
        .filter(|schema| !schema.is_null())
}

/// The document's operations grouped by their first tag: the tags in the order the
/// document declares them, then any others.
#[must_use]
pub fn operations_by_tag(doc: &Value) -> Vec<TagGroup> {
    let mut groups: Vec<TagGroup> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|tag| TagGroup {
            name: text(tag, "name"),
            description: text(tag, "description"),
            operations: Vec::new(),
        })
        .collect();
    let paths = doc["paths"].as_object().into_iter().flatten();
    for (path, item) in paths {
        for method in METHODS {
            let op = &item[method];
            if !op.is_object() {
                continue;
            }
            let tag = op["tags"][0].as_str().unwrap_or("other").to_owned();
            let doc = OperationDoc {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(op, "summary"),
                description: text(op, "description"),
                permission: text(op, "x-permission"),
                roles: op["x-roles"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r.as_str().map(str::to_owned))
                    .collect(),
                parameters: op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| ParameterDoc {
                        name: text(p, "name"),
                        location: text(p, "in"),
                        required: p["required"].as_bool().unwrap_or(false),
                        description: text(p, "description"),
                    })
                    .collect(),
                request: content_schema(&op["requestBody"]),
                responses: op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(status, r)| ResponseDoc {
                        status: status.clone(),
                        description: text(r, "description"),
                        schema: content_schema(r),
                    })
                    .collect(),
            };
            match groups.iter_mut().find(|g| g.name == tag) {
                Some(group) => group.operations.push(doc),
                None => groups.push(TagGroup {
                    name: tag,
                    description: String::new(),
                    operations: vec![doc],
                }),
            }
        }
    }
    groups.retain(|g| !g.operations.is_empty());
    groups
}

/// The name of a schema that refers to a named one (`SessionInfo`, `Vec<FormSummary>`
/// as `FormSummary[]`), or its type.
#[must_use]
pub fn schema_label(schema: &Value) -> String {
    if let Some(name) = ref_name(schema) {
        return name.to_owned();
    }
    if schema["type"] == "array" {
        return format!("{}[]", schema_label(&schema["items"]));
    }
    if let Some(options) = schema["oneOf"].as_array() {
        return options
            .iter()
            .map(schema_label)
            .collect::<Vec<_>>()
            .join(" | ");
    }
    match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "any".to_owned(),
    }
}

fn ref_name(schema: &Value) -> Option<&str> {
    schema["$ref"]
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// The schema as indented JSON, followed by every named schema it uses, each once.
#[must_use]
pub fn schema_text(doc: &Value, schema: &Value) -> String {
    let mut seen: Vec<String> = Vec::new();
    let mut queue = vec![schema.clone()];
    let mut out = String::new();
    let mut first = true;
    while let Some(next) = queue.pop() {
        let mut names = Vec::new();
        collect_refs(&next, &mut names);
        if !first || ref_name(&next).is_none() {
            out.push_str(&serde_json::to_string_pretty(&next).unwrap_or_default());
            out.push_str("\n\n");
        }
        first = false;
        for name in names {
            if seen.contains(&name) {
                continue;
            }
            let body = &doc["components"]["schemas"][&name];
            out.push_str(&format!("{name}:\n"));
            seen.push(name);
            queue.insert(0, body.clone());
        }
    }
    out.trim_end().to_owned()
}

fn collect_refs(value: &Value, names: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = ref_name(value) {
                names.push(name.to_owned());
            }
            for v in map.values() {
                collect_refs(v, names);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, names)),
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "openapi": "3.1.0",
            "tags": [{"name": "auth", "description": "Signing in"}, {"name": "forms"}],
            "paths": {
                "/auth/login": {"post": {
                    "tags": ["auth"], "summary": "Sign in", "x-permission": "public",
                    "x-roles": ["admin", "staff"],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Login"}}}},
                    "responses": {
                        "200": {"description": "Signed in", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}}},
                        "204": {"description": "Nothing"}
                    }
                }},
                "/forms/{id}": {"get": {
                    "tags": ["forms"], "summary": "A form", "x-permission": "manage_forms",
                    "parameters": [{"name": "id", "in": "path", "required": true}],
                    "responses": {"200": {"description": "The form", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Form"}}}}}}
                }}
            },
            "components": {"schemas": {
                "Login": {"type": "object", "properties": {"user": {"$ref": "#/components/schemas/User"}}},
                "User": {"type": "string"},
                "Session": {"type": "object"},
                "Form": {"type": "object"}
            }}
        })
    }

    #[test]
    fn operations_are_grouped_by_tag_in_the_documents_order() {
        let groups = operations_by_tag(&doc());
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].name, "auth");
        assert_eq!(groups[0].description, "Signing in");
        let login = &groups[0].operations[0];
        assert_eq!(
            (login.method.as_str(), login.path.as_str()),
            ("POST", "/auth/login")
        );
        assert_eq!(login.permission, "public");
        assert_eq!(login.roles, vec!["admin", "staff"]);
        assert_eq!(schema_label(login.request.as_ref().unwrap()), "Login");
        assert_eq!(login.responses.len(), 2);
        assert!(login.responses[1].schema.is_none());
        let form = &groups[1].operations[0];
        assert!(form.parameters[0].required);
        assert_eq!(
            schema_label(form.responses[0].schema.as_ref().unwrap()),
            "Form[]"
        );
    }

    #[test]
    fn a_schema_is_shown_with_the_named_schemas_it_uses() {
        let doc = doc();
        let text = schema_text(&doc, &json!({"$ref": "#/components/schemas/Login"}));
        assert!(text.starts_with("Login:"), "{text}");
        assert!(text.contains("User:"), "{text}");
        assert_eq!(text.matches("User:").count(), 1, "{text}");
    }
}
