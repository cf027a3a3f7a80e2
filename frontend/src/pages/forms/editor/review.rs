//! The editor's header (save state, export, publish with confirmation) and the review
//! panel: problems and warnings with links to their place, changes, and versions.

use leptos::html::Dialog;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::error::ErrorCode;
use shared::api::forms::{FormStatus, PublishRequest};

use super::{Editor, SaveState};
use crate::components::api_call::ApiCall;
use crate::components::console_ui::local_time;
use crate::components::form::FormAlert;
use crate::i18n::{fill, use_i18n};
use crate::pages::forms::download::{download_json, file_name};

/// The field a problem path such as `sections[1].fields[2].rules.min` points at.
#[must_use]
pub fn field_at(path: &str) -> Option<(usize, usize)> {
    let rest = path.strip_prefix("sections[")?;
    let (s, rest) = rest.split_once(']')?;
    let rest = rest.strip_prefix(".fields[")?;
    let (f, _) = rest.split_once(']')?;
    Some((s.parse().ok()?, f.parse().ok()?))
}

/// Shows the place a problem or warning points at: the field, or else the settings.
fn reveal(editor: Editor, path: &str) {
    if let Some(at) = field_at(path) {
        editor.selected.set(Some(at));
        request_animation_frame(|| {
            if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| {
                d.query_selector("[data-testid=field-editor]")
                    .ok()
                    .flatten()
            }) {
                el.scroll_into_view();
            }
        });
    } else if !path.starts_with("sections") {
        editor.settings_open.set(true);
    }
}

/// The number the next published version will get.
fn next_version(editor: Editor) -> i64 {
    editor.detail.with(|d| {
        d.as_ref()
            .and_then(|d| d.summary.latest_version.as_ref())
            .map_or(1, |v| v.number + 1)
    })
}

/// Title, save state, conflict notice, export and publish.
#[component]
pub fn EditorHeader(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let dialog = NodeRef::<Dialog>::new();
    let published = RwSignal::new(None::<i64>);
    let problems = move || {
        editor
            .detail
            .with(|d| d.as_ref().map_or(0, |d| d.problems.len()))
    };
    let archived = move || {
        editor.detail.with(|d| {
            d.as_ref()
                .is_some_and(|d| d.summary.status == FormStatus::Archived)
        })
    };
    let can_publish =
        move || editor.save.get() == SaveState::Saved && problems() == 0 && !archived();
    let close_dialog = move || {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
    };
    let publish = ApiCall::new(move |api, req: PublishRequest| {
        let id = editor.id.get_value();
        async move { api.publish_form(&id, &req).await }
    })
    .on_ok(move |version| {
        published.set(Some(version.summary.number));
        close_dialog();
        editor.load();
    })
    .handle_error(move |e| {
        // Someone else saved in between: the editor's notice says so.
        let conflict = e.code == ErrorCode::Conflict;
        if conflict {
            close_dialog();
            editor.save.set(SaveState::Conflict);
        }
        conflict
    });
    let pending = publish.pending();
    let error = publish.error();
    let open_dialog = move |_| {
        error.set(None);
        if let Some(d) = dialog.get_untracked() {
            let _ = d.show_modal();
        }
    };
    let confirm = move |_| {
        publish.dispatch(PublishRequest {
            base_revision: editor.revision(),
        });
    };
    let status_text = move || {
        let t = &i18n.t().designer;
        match editor.save.get() {
            SaveState::Saved => t.saved,
            SaveState::Dirty => t.unsaved,
            SaveState::Saving => t.saving,
            SaveState::Failed => t.save_failed,
            SaveState::Conflict => t.conflict_title,
        }
    };
    let export = move |_| {
        editor
            .draft
            .with_untracked(|d| download_json(d, &file_name(d, "draft")));
    };
    let n = move || next_version(editor).to_string();
    view! {
        <header class="designer-header">
            <div>
                <p class="muted"><A href="/forms">{move || i18n.t().designer.forms_title}</A></p>
                <h1 data-testid="editor-title">
                    {move || editor.draft.with(|d| d.title.get(i18n.locale()).to_owned())}
                </h1>
                <p
                    class="save-status"
                    role="status"
                    data-testid="save-status"
                    data-state=move || editor.save.get().name()
                >
                    {status_text}
                </p>
            </div>
            <div class="button-row">
                <button type="button" class="button button-secondary" data-testid="export-draft" on:click=export>
                    {move || i18n.t().designer.export_draft}
                </button>
                <button
                    type="button"
                    class="button button-primary"
                    data-testid="publish"
                    disabled=move || !can_publish()
                    on:click=open_dialog
                >
                    {move || i18n.t().designer.publish}
                </button>
            </div>
        </header>
        <Show when=move || editor.save.get() == SaveState::Conflict>
            <div class="alert alert-error" role="alert" data-testid="conflict">
                <p class="alert-title">{move || i18n.t().designer.conflict_title}</p>
                <p class="alert-detail">{move || i18n.t().designer.conflict_text}</p>
                <button type="button" class="button button-secondary" data-testid="reload" on:click=move |_| editor.load()>
                    {move || i18n.t().designer.reload}
                </button>
            </div>
        </Show>
        <Show when=move || { problems() > 0 && editor.save.get() == SaveState::Saved }>
            <p class="muted">{move || i18n.t().designer.publish_blocked}</p>
        </Show>
        {move || published.get().map(|n| view! {
            <p class="alert alert-success" role="status" data-testid="publish-result">
                {move || fill(i18n.t().designer.published, &[("n", &n.to_string())])}
            </p>
        })}
        <dialog node_ref=dialog class="dialog" data-testid="publish-dialog" aria-labelledby="publish-title">
            <h2 id="publish-title">{move || fill(i18n.t().designer.publish_title, &[("n", &n())])}</h2>
            <p>{move || fill(i18n.t().designer.publish_text, &[("n", &n())])}</p>
            <ChangeList editor />
            <FormAlert error />
            <div class="button-row">
                <button type="button" class="button button-secondary" on:click=move |_| close_dialog()>
                    {move || i18n.t().designer.cancel}
                </button>
                <button
                    type="button"
                    class="button button-primary"
                    data-testid="publish-confirm"
                    disabled=move || pending.get()
                    on:click=confirm
                >
                    {move || {
                        let t = &i18n.t().designer;
                        if pending.get() { t.publishing.to_owned() } else { fill(t.publish_confirm, &[("n", &n())]) }
                    }}
                </button>
            </div>
        </dialog>
    }
}

/// What the draft changes compared with the newest version.
#[component]
fn ChangeList(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let locale = i18n.locale();
        let t = &i18n.t().designer;
        editor.detail.with(|d| {
            let Some(d) = d else { return ().into_any() };
            if d.summary.latest_version.is_none() {
                return view! { <p class="muted">{t.first_version}</p> }.into_any();
            }
            if d.changes.is_empty() {
                return view! { <p class="muted">{t.no_changes}</p> }.into_any();
            }
            view! {
                <ul class="change-list" data-testid="changes">
                    {d.changes.iter().map(|c| view! { <li>{c.message(locale)}</li> }).collect_view()}
                </ul>
            }
            .into_any()
        })
    }
}

/// Problems, warnings, changes and versions.
#[component]
pub fn ReviewPanel(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let items = move |warnings: bool| {
        let locale = i18n.locale();
        editor.detail.with(|d| {
            let list: Vec<(String, String)> = match d {
                Some(d) if warnings => d.warnings.iter().map(|w| (w.path.clone(), w.message(locale))).collect(),
                Some(d) => d.problems.iter().map(|p| (p.path.clone(), p.message(locale))).collect(),
                None => Vec::new(),
            };
            // "None" stands beside the list, not in it: a list holds only items.
            if list.is_empty() {
                return view! { <p class="muted">{move || i18n.t().designer.no_problems}</p> }.into_any();
            }
            let rows = list
                .into_iter()
                .map(|(path, message)| {
                    let target = path.clone();
                    view! {
                        <li>
                            <button type="button" class="link-button" data-testid="issue-link" data-path=path.clone()
                                on:click=move |_| reveal(editor, &target)>
                                {message}
                            </button>
                            " " <code class="path">{path}</code>
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="issue-list">{rows}</ul> }.into_any()
        })
    };
    let id = editor.id.get_value();
    let versions = move || {
        let id = id.clone();
        let list = editor.versions.get();
        if list.is_empty() {
            return view! { <p class="muted">{move || i18n.t().designer.no_versions}</p> }
                .into_any();
        }
        let locale = i18n.locale();
        let rows = list
            .into_iter()
            .map(|v| {
                let label = fill(i18n.t().designer.version_n, &[("n", &v.number.to_string())]);
                view! {
                    <li data-version=v.number>
                        <A href=format!("/forms/{id}/versions/{}", v.number) attr:data-testid="version-link">{label}</A>
                        " · " {local_time(v.published_at_ms, locale.tag())}
                        {v.published_by.map(|by| format!(" · {by}"))}
                        <br /><code class="hash">{v.hash}</code>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="version-list">{rows}</ul> }.into_any()
    };
    view! {
        <section class="card review" aria-labelledby="problems-heading">
            <h2 id="problems-heading">{move || i18n.t().designer.problems}</h2>
            <div data-testid="problems">{move || items(false)}</div>
            <h2>{move || i18n.t().designer.warnings}</h2>
            <div data-testid="warnings">{move || items(true)}</div>
            <h2>{move || i18n.t().designer.changes}</h2>
            <ChangeList editor />
            <h2>{move || i18n.t().designer.versions}</h2>
            <div data-testid="version-list">{versions}</div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::field_at;

    #[test]
    fn problem_paths_point_at_fields() {
        assert_eq!(field_at("sections[1].fields[2].rules.min"), Some((1, 2)));
        assert_eq!(field_at("sections[0].fields[10]"), Some((0, 10)));
        assert_eq!(field_at("sections[0].title"), None);
        assert_eq!(field_at("notice"), None);
    }
}
