//! The 50-field form of the comparison, as a Consentry form definition published
//! through the admin API and as SurveyJS JSON, with the same fields and labels.

use anyhow::{bail, Context as _};
use serde_json::{json, Value};
use shared::schema::FormDefinition;

use super::FIELDS;

/// The kinds of field both forms have, each as the other product's nearest equivalent.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Email,
    Number,
    Date,
    Phone,
    /// Consentry's single choice (radios); SurveyJS's radiogroup.
    Single,
    /// Consentry's multiple choice; SurveyJS's checkbox question.
    Multiple,
    /// Consentry's yes/no; SurveyJS's boolean shown as two radios.
    YesNo,
    LongText,
    /// Consentry's signature with a typed name; SurveyJS's text question.
    Signature,
}

/// The 50 fields: ten kinds five times over, the last one a signature.
fn fields() -> Vec<(String, Kind, String)> {
    const CYCLE: [(Kind, &str); 10] = [
        (Kind::Text, "Given name"),
        (Kind::Text, "Family name"),
        (Kind::Email, "Email"),
        (Kind::Number, "Visits per year"),
        (Kind::Date, "Preferred date"),
        (Kind::Phone, "Mobile number"),
        (Kind::Single, "Preferred store"),
        (Kind::Multiple, "Interests"),
        (Kind::YesNo, "Newsletter"),
        (Kind::LongText, "Comments"),
    ];
    (0..FIELDS)
        .map(|i| {
            let (kind, label) = if i + 1 == FIELDS {
                (Kind::Signature, "Signature")
            } else {
                CYCLE[i % CYCLE.len()]
            };
            (
                format!("f{:02}", i + 1),
                kind,
                format!("{label} ({})", i / CYCLE.len() + 1),
            )
        })
        .collect()
}

const OPTIONS: [(&str, &str); 4] = [
    ("north", "North"),
    ("south", "South"),
    ("east", "East"),
    ("west", "West"),
];

/// The Consentry form: the demo form's controller, notice and membership purpose, and
/// the 50 fields, all required, on one page.
fn consentry_form() -> anyhow::Result<Value> {
    let mut def = serde_json::to_value(FormDefinition::demo_customer_registration())?;
    let service = def["purposes"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["key"] == "membership_service"))
        .cloned()
        .context("the demo form has a membership purpose")?;
    let text = |s: &str| json!({"zh-CN": s, "en": s});
    let options: Vec<Value> = OPTIONS
        .iter()
        .map(|(key, label)| json!({"key": key, "label": text(label)}))
        .collect();
    let fields: Vec<Value> = fields()
        .into_iter()
        .map(|(key, kind, label)| {
            let kind = match kind {
                Kind::Text => json!({"type": "short_text"}),
                Kind::Email => json!({"type": "email"}),
                Kind::Number => json!({"type": "number", "decimals": 0}),
                Kind::Date => json!({"type": "date"}),
                Kind::Phone => json!({"type": "phone"}),
                Kind::Single => json!({"type": "single_choice", "options": options[..3]}),
                Kind::Multiple => json!({"type": "multiple_choice", "options": options}),
                Kind::YesNo => json!({"type": "yes_no"}),
                Kind::LongText => json!({"type": "long_text"}),
                Kind::Signature => json!({"type": "signature"}),
            };
            json!({
                "key": key, "kind": kind, "label": text(&label), "required": true,
                "sensitivity": "personal", "purposes": ["membership_service"],
                "retention": {"days": 730, "action": "anonymise"}
            })
        })
        .collect();
    let object = def.as_object_mut().context("a definition is an object")?;
    object.insert("title".into(), text("Fifty fields"));
    object.insert("purposes".into(), json!([service]));
    object.remove("guardian_consent_under_age");
    object.insert(
        "sections".into(),
        json!([{"key": "details", "title": text("Your details"), "new_page": false, "fields": fields}]),
    );
    Ok(def)
}

/// The same form as SurveyJS JSON.
pub(super) fn surveyjs_form() -> Value {
    let choices: Vec<Value> = OPTIONS
        .iter()
        .map(|(value, text)| json!({"value": value, "text": text}))
        .collect();
    let elements: Vec<Value> = fields()
        .into_iter()
        .map(|(name, kind, title)| {
            let mut q = match kind {
                Kind::Text | Kind::Signature => json!({"type": "text"}),
                Kind::Email => json!({"type": "text", "inputType": "email",
                    "validators": [{"type": "email"}]}),
                Kind::Number => json!({"type": "text", "inputType": "number"}),
                Kind::Date => json!({"type": "text", "inputType": "date"}),
                Kind::Phone => json!({"type": "text", "inputType": "tel",
                    "validators": [{"type": "regex", "regex": "^[+0-9 ()-]{7,20}$"}]}),
                Kind::Single => json!({"type": "radiogroup", "choices": choices[..3]}),
                Kind::Multiple => json!({"type": "checkbox", "choices": choices}),
                Kind::YesNo => json!({"type": "boolean", "renderAs": "radio"}),
                Kind::LongText => json!({"type": "comment"}),
            };
            q["name"] = json!(name);
            q["title"] = json!(title);
            q["isRequired"] = json!(true);
            q
        })
        .collect();
    json!({
        "title": "Fifty fields",
        "completeText": "Submit",
        "pages": [{"name": "details", "title": "Your details", "elements": elements}]
    })
}

/// Signs in as the seeded admin (changing the first password, as the first sign-in
/// must), creates the Consentry form and publishes it; its id.
pub(super) async fn publish_form(
    http: &reqwest::Client,
    base: &str,
    first_password: &str,
) -> anyhow::Result<String> {
    let admin = crate::export::admin(http, base, first_password).await;
    let created = admin
        .post("/forms")
        .json(&json!({"definition": consentry_form()?}))
        .send()
        .await?;
    let created: Value = ok_json(created).await.context("creating the form")?;
    let id = created["summary"]["id"]
        .as_str()
        .context("the new form's id")?
        .to_owned();
    let published = admin
        .post(&format!("/forms/{id}/publish"))
        .json(&json!({"base_revision": created["summary"]["draft_revision"]}))
        .send()
        .await?;
    ok_json(published).await.context("publishing the form")?;
    Ok(id)
}

async fn ok_json(r: reqwest::Response) -> anyhow::Result<Value> {
    let status = r.status();
    let body = r.text().await?;
    if !status.is_success() {
        bail!("{status}: {body}");
    }
    Ok(serde_json::from_str(&body)?)
}
