//! `/conflicts`: what staff changed offline that waits for a manager (their team's
//! records and unassigned ones) or an admin. An edit conflict (the field also changed on
//! the server) shows the server's value beside the device's and the choice to keep one;
//! a change of a key field (`Field::needs_approval`) shows the value in force beside the
//! proposed one, to approve or reject (never by its author). Values come masked as the
//! caller's role requires; a decision may carry a comment; errors show next to the item
//! (`item.rs`).

mod item;

use leptos::prelude::*;
use shared::access::Permission;
use shared::access::Visibility;
use shared::api::conflicts::{ConflictKind, MAX_DECISION_COMMENT_CHARS};

use crate::components::api_call::api_resource;
use crate::components::console_ui::{ErrorAlert, Loading, RolesOnly};
use crate::i18n::{set_page_title, use_i18n, ConflictsTexts};
use item::{ApprovalItem, ConflictItem};

/// The conflicts and approvals page.
#[component]
pub fn ConflictsPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ResolveConflicts>
            <Conflicts />
        </RolesOnly>
    }
}

#[component]
fn Conflicts() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| set_page_title(i18n.t().conflicts.title));
    let conflicts = api_resource(|api| async move { api.conflicts().await });
    let items = move || {
        conflicts.get().map(|loaded| match loaded {
            Ok(list) if list.conflicts.is_empty() => view! {
                <p class="muted" data-testid="no-conflicts">
                    {move || i18n.t().conflicts.none}
                </p>
            }
            .into_any(),
            Ok(list) => {
                let rows = list
                    .conflicts
                    .into_iter()
                    .map(|c| match c.kind {
                        ConflictKind::Conflict => {
                            view! { <ConflictItem conflict=c conflicts /> }.into_any()
                        }
                        ConflictKind::Approval => {
                            view! { <ApprovalItem change=c conflicts /> }.into_any()
                        }
                    })
                    .collect_view();
                view! { <ul class="conflict-list" data-testid="conflict-list">{rows}</ul> }
                    .into_any()
            }
            Err(e) => view! { <ErrorAlert code=e.code /> }.into_any(),
        })
    };
    view! {
        <section class="console-page" data-testid="conflicts-page">
            <h1>{move || i18n.t().conflicts.title}</h1>
            <p class="muted">{move || i18n.t().conflicts.intro}</p>
            <Transition fallback=|| view! { <Loading /> }>{items}</Transition>
        </section>
    }
}

/// A value as the server showed it to this role: the value, or why there is none.
fn value_words(
    t: &ConflictsTexts,
    value: Option<&str>,
    visibility: Visibility,
    cleared: bool,
) -> String {
    match (value, visibility) {
        (Some(v), _) => v.to_owned(),
        (None, Visibility::Hidden) => t.hidden.to_owned(),
        (None, _) if cleared => t.cleared.to_owned(),
        (None, _) => t.empty.to_owned(),
    }
}

/// The comment to send with a decision: none when blank, trimmed otherwise; `Err` when
/// it is longer than the server keeps.
fn decision_comment(text: &str) -> Result<Option<String>, CommentTooLong> {
    let text = text.trim();
    if text.chars().count() > MAX_DECISION_COMMENT_CHARS {
        Err(CommentTooLong)
    } else {
        Ok((!text.is_empty()).then(|| text.to_owned()))
    }
}

/// A comment longer than [`MAX_DECISION_COMMENT_CHARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CommentTooLong;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::texts;
    use shared::i18n::Locale;

    #[test]
    fn a_blank_comment_is_none_and_a_long_one_is_refused() {
        assert_eq!(decision_comment("  \n "), Ok(None));
        assert_eq!(
            decision_comment(" Checked by phone \n"),
            Ok(Some("Checked by phone".to_owned()))
        );
        let longest = "核".repeat(MAX_DECISION_COMMENT_CHARS);
        assert_eq!(decision_comment(&longest), Ok(Some(longest.clone())));
        assert_eq!(
            decision_comment(&format!("{longest}x")),
            Err(CommentTooLong)
        );
    }

    #[test]
    fn a_missing_value_says_why() {
        let t = &texts(Locale::En).conflicts;
        assert_eq!(
            value_words(t, Some("138****8000"), Visibility::Masked, false),
            "138****8000"
        );
        assert_eq!(value_words(t, None, Visibility::Hidden, true), t.hidden);
        assert_eq!(value_words(t, None, Visibility::Full, true), t.cleared);
        assert_eq!(value_words(t, None, Visibility::Masked, false), t.empty);
    }
}
