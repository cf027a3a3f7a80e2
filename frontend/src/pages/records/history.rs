//! `/records/{id}/history`: every version of a record, oldest first, as the server masks
//! it for the viewer's role: when, by whom and why each was made, what it changed, its
//! values, and two versions compared field by field (`history_compare.rs`).
//!
//! Nothing is revealed here: a masked value says so, and is revealed from the records
//! list, where the reason is asked for and audited.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::access::{Permission, Visibility};
use shared::api::records::{
    RecordHistory, RecordSource, RecordVersionView, VersionCause, ViewValue,
};
use shared::api::retention::ProcessedValue;
use shared::i18n::{Locale, LocalizedText};
use shared::schema::RetentionAction;
use std::collections::BTreeMap;

use super::history_compare::{field_keys, Compare};
use crate::components::api_call::api_resource;
use crate::components::console_ui::{local_date, local_time, ErrorAlert, Loading, RolesOnly};
use crate::i18n::{fill, set_page_title, use_i18n, Texts};
use crate::session::use_session;

/// The history page.
#[component]
pub fn RecordHistoryPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ViewRecords>
            <History />
        </RolesOnly>
    }
}

#[component]
fn History() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let params = use_params_map();
    // Read once (see ARCHITECTURE.md: a page never outlives the session).
    let may_open_requests = untrack(|| session.may(Permission::ManageRequests));
    let history = api_resource(move |api| {
        // Values are worded in the viewer's language (choices by their labels):
        // switching it loads them again.
        let _ = i18n.locale();
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        async move { api.record_history(&id).await }
    });
    // The versions compared, kept across reloads (`None`: the default pair).
    let picked = (RwSignal::new(None::<i64>), RwSignal::new(None::<i64>));
    let title = move || {
        let t = &i18n.t().history;
        history
            .with(|h| {
                h.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .map(|h| h.form_title.get(i18n.locale()).to_owned())
            })
            .map_or_else(
                || t.title_loading.to_owned(),
                |form| fill(t.title, &[("form", &form)]),
            )
    };
    Effect::new(move |_| set_page_title(&title()));
    let body = move || {
        history.get().map(|loaded| match loaded {
            Ok(h) if h.versions.is_empty() => view! {
                <p class="muted">{move || i18n.t().history.no_versions}</p>
            }
            .into_any(),
            Ok(h) => {
                let h = StoredValue::new(h);
                view! {
                    <Timeline history=h may_open_requests />
                    <Compare history=h picked />
                }
                .into_any()
            }
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section class="console-page history-page" data-testid="history-page">
            <p>
                <a href="/records" data-testid="history-back">{move || i18n.t().history.back}</a>
            </p>
            <h1>{title}</h1>
            <p class="muted">{move || i18n.t().history.intro}</p>
            <Transition fallback=|| view! { <Loading /> }>{body}</Transition>
        </section>
    }
}

/// The field's label in `locale`; its key only if it has none.
pub(super) fn label_of(
    labels: &BTreeMap<String, LocalizedText>,
    key: &str,
    locale: Locale,
) -> String {
    labels
        .get(key)
        .map(|l| l.get(locale))
        .filter(|l| !l.is_empty())
        .map_or_else(|| key.to_owned(), str::to_owned)
}

/// Who made a version, as the page words it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Author {
    Named(String),
    /// A version collected in the customer's browser (no account, no device).
    Customer,
    Unknown,
}

/// Who made `v` of a record collected from `source`: its author's name, or else the
/// customer for the version a customer's browser collected, or else nobody known.
fn author(source: RecordSource, v: &RecordVersionView) -> Author {
    match &v.by_name {
        Some(name) => Author::Named(name.clone()),
        None if v.cause == VersionCause::Collected && source == RecordSource::Web => {
            Author::Customer
        }
        None => Author::Unknown,
    }
}

/// A device id short enough to read (its first eight characters).
fn short_id(id: &str) -> String {
    id.chars().take(8).collect()
}

/// The versions, oldest first.
#[component]
fn Timeline(history: StoredValue<RecordHistory>, may_open_requests: bool) -> impl IntoView {
    let i18n = use_i18n();
    let versions = history.with_value(|h| h.versions.clone());
    view! {
        <h2>{move || i18n.t().history.timeline_heading}</h2>
        <ol class="history-timeline">
            {versions
                .into_iter()
                .map(|version| view! { <VersionBlock version history may_open_requests /> })
                .collect_view()}
        </ol>
    }
}

/// One version: its facts, what it changed, and its values.
#[component]
fn VersionBlock(
    version: RecordVersionView,
    history: StoredValue<RecordHistory>,
    may_open_requests: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let n = version.version;
    let at = version.at_ms;
    let who = author(history.with_value(|h| h.source), &version);
    let changed = version.changed.clone();
    let changed_labels = {
        let changed = changed.clone();
        move || {
            let locale = i18n.locale();
            history.with_value(|h| {
                changed
                    .iter()
                    .map(|k| label_of(&h.labels, k, locale))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        }
    };
    let show_changed = n > 1 || !changed.is_empty();
    let rows = history.with_value(|h| field_keys(&h.field_order, &[&version.values]));
    let mut values = version.values;
    let rows = rows
        .into_iter()
        .map(|key| {
            let is_changed = changed.contains(&key);
            let value = values.remove(&key);
            let label = {
                let key = key.clone();
                move || history.with_value(|h| label_of(&h.labels, &key, i18n.locale()))
            };
            view! {
                <tr
                    class:history-row-changed=is_changed
                    data-field=key
                    data-changed=if is_changed { "true" } else { "false" }
                >
                    <th scope="row">
                        {label}
                        {is_changed.then(|| view! { " " <ChangedMark /> })}
                    </th>
                    <td>
                        <HistoryValue value />
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <li class="history-version card" data-testid="history-version" data-version=n>
            <h3 class="history-version-title">
                {move || fill(i18n.t().history.version_n, &[("n", &n.to_string())])}
            </h3>
            <dl class="history-facts">
                <div>
                    <dt>{move || i18n.t().history.at}</dt>
                    <dd>{move || local_time(at, i18n.locale().tag())}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t().history.by}</dt>
                    <dd data-testid="history-by">
                        {move || {
                            let t = &i18n.t().history;
                            match &who {
                                Author::Named(name) => name.clone(),
                                Author::Customer => t.by_customer.to_owned(),
                                Author::Unknown => t.by_unknown.to_owned(),
                            }
                        }}
                    </dd>
                </div>
                <div>
                    <dt>{move || i18n.t().history.cause}</dt>
                    <dd data-testid="history-cause" data-cause=version.cause.as_str()>
                        <Cause
                            cause=version.cause
                            approved_by=version.approved_by_name.clone()
                            device=version.device_id.map(|d| d.to_string())
                            request=version.request_id.map(|r| (r.to_string(), r.reference()))
                            may_open_requests
                        />
                    </dd>
                </div>
                {show_changed
                    .then(|| {
                        view! {
                            <div>
                                <dt>{move || i18n.t().history.changed}</dt>
                                <dd data-testid="history-changed">
                                    {if changed.is_empty() {
                                        view! {
                                            <span class="muted">
                                                {move || i18n.t().history.nothing_changed}
                                            </span>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <span class="history-mark" aria-hidden="true">"✎"</span>
                                            " "
                                            {changed_labels}
                                        }
                                            .into_any()
                                    }}
                                </dd>
                            </div>
                        }
                    })}
            </dl>
            <div class="table-wrap">
                <table class="table history-values">
                    <caption class="visually-hidden">
                        {move || i18n.t().history.values_caption}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t().history.col_field}</th>
                            <th scope="col">{move || i18n.t().history.col_value}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </li>
    }
}

/// Why a version was made, in words; a correction names its request, linked for those
/// who work on requests; an approved change names who approved it.
#[component]
fn Cause(
    cause: VersionCause,
    approved_by: Option<String>,
    device: Option<String>,
    request: Option<(String, String)>,
    may_open_requests: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let words = move || {
        let t = &i18n.t().history;
        match cause {
            VersionCause::Collected => t.cause_collected,
            VersionCause::DeviceEdit => t.cause_device_edit,
            VersionCause::ConflictResolved => t.cause_conflict_resolved,
            VersionCause::RequestCorrection => t.cause_request_correction,
            VersionCause::ApprovedChange => t.cause_approved_change,
        }
    };
    let approved_by = approved_by.map(|name| {
        view! {
            " · "
            <span data-testid="history-approved-by">
                {move || fill(i18n.t().history.approved_by, &[("name", &name)])}
            </span>
        }
    });
    let device = device.map(|id| {
        let short = short_id(&id);
        view! { " (" <code title=id>{short}</code> ")" }
    });
    let request = request.map(|(id, reference)| {
        if may_open_requests {
            let href = format!("/requests/{id}");
            view! { " " <a href=href data-testid="history-request">{reference}</a> }.into_any()
        } else {
            view! { " " <span data-testid="history-request">{reference}</span> }.into_any()
        }
    });
    view! { {words} {device} {approved_by} {request} }
}

/// The mark beside a value that changed: an icon and a word, never colour alone.
#[component]
pub(super) fn ChangedMark() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="history-mark history-mark-changed">
            <span aria-hidden="true">"✎"</span>
            " "
            {move || i18n.t().history.changed_mark}
        </span>
    }
}

/// A state's icon (decorative), its word and its class.
type Badge = (&'static str, fn(&Texts) -> &'static str, &'static str);

/// How a value the server sent is shown: its text, and for one that is not shown in
/// full, an icon and a word (as in the records list; no Reveal button here).
#[component]
pub(super) fn HistoryValue(value: Option<ViewValue>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(value) = value else {
        return view! { <span class="muted">{move || i18n.t().history.no_value}</span> }.into_any();
    };
    if let Some(processed) = value.retention {
        return processed_view(processed, value.display).into_any();
    }
    let badge: Option<Badge> = if value.unreadable {
        Some(("⚠", |t| t.console.state_unreadable, "state-unreadable"))
    } else if value.withdrawn {
        Some(("⊘", |t| t.console.state_withdrawn, "state-withdrawn"))
    } else {
        match value.visibility {
            Visibility::Full => None,
            Visibility::Masked => Some(("✱", |t| t.console.state_masked, "state-masked")),
            Visibility::Hidden => Some(("🔒", |t| t.console.state_hidden, "state-hidden")),
        }
    };
    let text = match (value.display, badge) {
        (Some(text), _) => view! { <span class="value-text">{text}</span> }.into_any(),
        (None, None) => {
            view! { <span class="muted">{move || i18n.t().history.no_value}</span> }.into_any()
        }
        (None, Some(_)) => ().into_any(),
    };
    let badge = badge.map(|(icon, word, class)| {
        view! {
            <span class=format!("value-state {class}") data-state=class>
                <span class="value-icon" aria-hidden="true">{icon}</span>
                {move || word(i18n.t())}
            </span>
        }
    });
    view! { <span class="value-cell">{text} {badge}</span> }.into_any()
}

/// A value retention deleted, or what anonymising left of it.
fn processed_view(processed: ProcessedValue, shown: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let at = processed.at_ms;
    let date = move || local_date(at, i18n.locale().tag());
    match processed.action {
        RetentionAction::Anonymise => {
            let anonymised = processed.anonymised;
            let left = move || {
                shown.clone().or_else(|| {
                    anonymised
                        .as_ref()
                        .map(|a| a.display(i18n.locale() == Locale::ZhCn))
                })
            };
            view! {
                <span class="value-cell">
                    <span class="value-text">{left}</span>
                    <span
                        class="value-state state-anonymised"
                        data-state="state-anonymised"
                        title=move || fill(i18n.t().retention.value_anonymised_on, &[("date", &date())])
                    >
                        <span class="value-icon" aria-hidden="true">"◐"</span>
                        {move || i18n.t().retention.value_anonymised}
                    </span>
                </span>
            }
            .into_any()
        }
        RetentionAction::Delete => view! {
            <span class="value-cell">
                <span class="value-state state-erased" data-state="state-erased">
                    <span class="value-icon" aria-hidden="true">"⌫"</span>
                    {move || fill(i18n.t().retention.value_erased, &[("date", &date())])}
                </span>
            </span>
        }
        .into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(by: Option<&str>, cause: VersionCause, device: bool) -> RecordVersionView {
        RecordVersionView {
            version: 1,
            at_ms: 0,
            by_name: by.map(str::to_owned),
            device_id: device.then(|| shared::ids::DeviceId::from_random_bytes([7; 16])),
            cause,
            request_id: None,
            approved_by_name: None,
            changed: Vec::new(),
            values: BTreeMap::new(),
        }
    }

    #[test]
    fn a_version_names_its_author_or_says_who_it_must_have_been() {
        assert_eq!(
            author(
                RecordSource::Staff,
                &version(Some("Li Wei"), VersionCause::DeviceEdit, true)
            ),
            Author::Named("Li Wei".into())
        );
        assert_eq!(
            author(
                RecordSource::Web,
                &version(None, VersionCause::Collected, false)
            ),
            Author::Customer
        );
        assert_eq!(
            author(
                RecordSource::Staff,
                &version(None, VersionCause::Collected, true)
            ),
            Author::Unknown,
            "collected on a device whose account is gone"
        );
        assert_eq!(
            author(
                RecordSource::Web,
                &version(None, VersionCause::DeviceEdit, true)
            ),
            Author::Unknown
        );
    }

    #[test]
    fn labels_fall_back_to_the_key() {
        let mut labels = BTreeMap::new();
        labels.insert("phone".to_owned(), LocalizedText::new("手机", "Phone"));
        assert_eq!(label_of(&labels, "phone", Locale::ZhCn), "手机");
        assert_eq!(label_of(&labels, "email", Locale::En), "email");
        assert_eq!(short_id("0123456789abcdef"), "01234567");
    }
}
