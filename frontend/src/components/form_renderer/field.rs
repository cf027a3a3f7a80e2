//! One section and one field of a rendered form: label, help, badges, input and issues.

use leptos::prelude::*;
use shared::i18n::LocalizedText;
use shared::schema::{Field, FieldKind, Section, Sensitivity};

use super::{inputs, signature::SignatureInput, FormState};
use crate::i18n::use_i18n;

/// What the input widgets of one field need.
#[derive(Debug, Clone)]
pub(super) struct FieldCtx {
    pub form: FormState,
    pub key: String,
    /// The `id` of the (first) input.
    pub id: String,
    /// The ids of the help text and the issue list.
    pub described_by: String,
    pub required: bool,
    pub invalid: Signal<bool>,
}

impl FieldCtx {
    /// `aria-invalid` as text.
    pub fn aria_invalid(&self) -> impl Fn() -> &'static str + Send + Sync + 'static {
        let invalid = self.invalid;
        move || if invalid.get() { "true" } else { "false" }
    }
}

/// A section: its heading, when it has one, and its fields.
#[component]
pub(super) fn SectionView(form: FormState, section: Section) -> impl IntoView {
    let i18n = use_i18n();
    let title = section.title.clone();
    let has_title = !title.is_blank();
    let heading_id = format!("{}-section-{}", form.prefix, section.key.as_str());
    let labelled_by = has_title.then(|| heading_id.clone());
    view! {
        <section class="form-section" aria-labelledby=labelled_by>
            {has_title
                .then(|| {
                    view! {
                        <h3 id=heading_id class="form-section-title" tabindex="-1">
                            {move || title.get(i18n.locale()).to_owned()}
                        </h3>
                    }
                })}
            {section
                .fields
                .into_iter()
                .map(|field| view! { <FieldView form field /> })
                .collect_view()}
        </section>
    }
}

/// One field, shown only while its condition holds.
#[component]
fn FieldView(form: FormState, field: Field) -> impl IntoView {
    let key = field.key.clone();
    let shown = Memo::new(move |_| form.visible.with(|v| v.contains(&key)));
    move || shown.get().then(|| field_body(form, &field))
}

fn localized(text: LocalizedText) -> impl Fn() -> String + Send + Sync + 'static {
    let i18n = use_i18n();
    move || text.get(i18n.locale()).to_owned()
}

fn field_body(form: FormState, field: &Field) -> AnyView {
    let i18n = use_i18n();
    let key = field.key.as_str().to_owned();
    if matches!(field.kind, FieldKind::Notice) {
        return view! {
            <div class="form-notice-block" data-field-key=key role="note">
                <p class="form-notice-title">{localized(field.label.clone())}</p>
                <p class="preserve-lines">{localized(field.help.clone())}</p>
            </div>
        }
        .into_any();
    }
    let id = form.input_id(&key);
    let help_id = format!("{id}-help");
    let issues_id = format!("{id}-issues");
    let has_help = !field.help.is_blank();
    let described_by = if has_help {
        format!("{help_id} {issues_id}")
    } else {
        issues_id.clone()
    };
    let issue_key = key.clone();
    let issues = Memo::new(move |_| {
        if !form.touched.with(|t| t.contains(&issue_key)) {
            return Vec::new();
        }
        let locale = i18n.locale();
        form.issues(&issue_key)
            .iter()
            .map(|i| i.message(locale))
            .collect::<Vec<_>>()
    });
    let invalid = Signal::derive(move || issues.with(|i| !i.is_empty()));
    let ctx = FieldCtx {
        form,
        key: key.clone(),
        id: id.clone(),
        described_by: described_by.clone(),
        required: field.required,
        invalid,
    };
    let label = view! {
        <span class="field-label-text">{localized(field.label.clone())}</span>
        {field
            .required
            .then(|| {
                view! {
                    <span class="required-marker" aria-hidden="true">
                        "*"
                    </span>
                    <span class="visually-hidden">{move || i18n.t().renderer.required}</span>
                }
            })}
        {(field.sensitivity == Sensitivity::Sensitive)
            .then(|| {
                view! {
                    <span class="badge badge-sensitive" data-testid="sensitive-badge">
                        {move || i18n.t().renderer.sensitive_badge}
                    </span>
                }
            })}
    };
    let help = has_help.then(|| {
        view! { <p id=help_id class="field-hint preserve-lines">{localized(field.help.clone())}</p> }
    });
    let issue_list = view! {
        <ul id=issues_id class="field-issues" aria-live="polite">
            {move || issues.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
        </ul>
    };
    let touch_key = key.clone();
    let touch = move |_| form.touch(&touch_key);
    let kind = field.kind.name();
    let grouped = matches!(
        field.kind,
        FieldKind::SingleChoice { .. }
            | FieldKind::MultipleChoice { .. }
            | FieldKind::YesNo
            | FieldKind::Address
            | FieldKind::Signature
    );
    let widget = match &field.kind {
        FieldKind::LongText => inputs::long_text(&ctx),
        FieldKind::Number { .. } => inputs::text(&ctx, "text", Some("decimal"), None),
        FieldKind::Email => inputs::text(&ctx, "email", Some("email"), Some("email")),
        FieldKind::Phone { .. } => inputs::text(&ctx, "tel", Some("tel"), Some("tel")),
        FieldKind::ResidentId => inputs::text(&ctx, "text", None, Some("off")),
        FieldKind::Date => inputs::text(&ctx, "date", None, None),
        FieldKind::SingleChoice { options } => inputs::single_choice(&ctx, options),
        FieldKind::MultipleChoice { options } => inputs::multiple_choice(&ctx, options),
        FieldKind::YesNo => inputs::yes_no(&ctx),
        FieldKind::Address => inputs::address(&ctx),
        FieldKind::Signature => view! { <SignatureInput ctx /> }.into_any(),
        FieldKind::ShortText | FieldKind::Notice => inputs::text(&ctx, "text", None, None),
    };
    if grouped {
        view! {
            <fieldset
                class="field field-group"
                class:field-invalid=move || invalid.get()
                data-field-key=key
                data-kind=kind
                aria-describedby=described_by
                on:focusout=touch
            >
                <legend>{label}</legend>
                {help}
                {widget}
                {issue_list}
            </fieldset>
        }
        .into_any()
    } else {
        view! {
            <div
                class="field"
                class:field-invalid=move || invalid.get()
                data-field-key=key
                data-kind=kind
                on:focusout=touch
            >
                <label for=id>{label}</label>
                {help}
                {widget}
                {issue_list}
            </div>
        }
        .into_any()
    }
}
