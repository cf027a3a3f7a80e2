//! `/forms/{id}`: the editor of a form's draft, with autosave, a live preview, the
//! problems and warnings of the draft, its changes, publishing and the versions.

mod condition;
mod embed;
mod field_editor;
mod retention;
mod review;
mod rules;
mod settings;
mod structure;

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use shared::api::error::{ApiError, ErrorCode};
use shared::api::forms::{FormDetail, SaveDraftRequest, VersionSummary};
use shared::schema::{Answers, Field, FormDefinition, ValidatedAnswers};

use crate::components::api_call::api_resource;
use crate::components::console_ui::{Loading, RolesOnly};
use crate::components::form::FormAlert;
use crate::components::form_renderer::FormRenderer;
use crate::i18n::{set_page_title, use_i18n};
use crate::session::{use_session, Session};
use shared::access::Permission;

/// How long the draft must stay unchanged before it is saved.
const AUTOSAVE_DELAY: Duration = Duration::from_millis(1000);
/// How long to wait before trying a failed save again.
const RETRY_DELAY: Duration = Duration::from_secs(5);

/// Where the draft stands relative to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveState {
    /// The server has exactly what is shown.
    Saved,
    /// Edits wait for the autosave delay.
    Dirty,
    /// A save is in flight.
    Saving,
    /// The last save failed; it is retried.
    Failed,
    /// Someone else saved in between: the user must reload.
    Conflict,
}

impl SaveState {
    const fn name(self) -> &'static str {
        match self {
            SaveState::Saved => "saved",
            SaveState::Dirty => "dirty",
            SaveState::Saving => "saving",
            SaveState::Failed => "failed",
            SaveState::Conflict => "conflict",
        }
    }
}

/// The form as the server has it, and its published versions (`None` when they could
/// not be listed).
type Loaded = (FormDetail, Option<Vec<VersionSummary>>);

/// The state of the editor, shared by its panels.
#[derive(Clone, Copy)]
pub struct Editor {
    pub id: StoredValue<String>,
    pub draft: RwSignal<FormDefinition>,
    /// The server's last answer: summary, problems, warnings and changes.
    pub detail: RwSignal<Option<FormDetail>>,
    pub versions: RwSignal<Vec<VersionSummary>>,
    pub save: RwSignal<SaveState>,
    /// The selected field as (section, field) indexes.
    pub selected: RwSignal<Option<(usize, usize)>>,
    pub settings_open: RwSignal<bool>,
    /// Why the form could not be loaded, if it could not.
    pub failure: RwSignal<Option<ApiError>>,
    /// The server's state of the form, applied to the editor as it arrives.
    loaded: LocalResource<Result<Loaded, ApiError>>,
    revision: StoredValue<i64>,
    /// Counts edits, so a save knows whether more came in while it was in flight.
    generation: StoredValue<u64>,
    timer: StoredValue<Option<TimeoutHandle>>,
    session: Session,
}

impl Editor {
    fn new(id: String, session: Session) -> Self {
        let id = StoredValue::new(id);
        Self {
            session,
            id,
            loaded: api_resource(move |api| {
                let id = id.get_value();
                async move {
                    let detail = api.form(&id).await?;
                    Ok((detail, api.form_versions(&id).await.ok()))
                }
            }),
            draft: RwSignal::new(FormDefinition::blank()),
            detail: RwSignal::new(None),
            versions: RwSignal::new(Vec::new()),
            save: RwSignal::new(SaveState::Saved),
            selected: RwSignal::new(None),
            settings_open: RwSignal::new(false),
            failure: RwSignal::new(None),
            revision: StoredValue::new(0),
            generation: StoredValue::new(0),
            timer: StoredValue::new(None),
        }
    }

    /// The draft revision the next save or publish starts from.
    #[must_use]
    pub fn revision(self) -> i64 {
        self.revision.get_value()
    }

    /// Changes the draft and schedules the autosave.
    pub fn edit(self, change: impl FnOnce(&mut FormDefinition)) {
        if self.save.get_untracked() == SaveState::Conflict {
            return;
        }
        self.draft.update(change);
        self.generation.update_value(|g| *g += 1);
        self.save.set(SaveState::Dirty);
        self.schedule(AUTOSAVE_DELAY);
    }

    /// Reads the field at `at` (tracked).
    pub fn field<R>(self, at: (usize, usize), read: impl FnOnce(&Field) -> R) -> Option<R> {
        self.draft.with(|d| {
            d.sections
                .get(at.0)
                .and_then(|s| s.fields.get(at.1))
                .map(read)
        })
    }

    /// Changes the field at `at`.
    pub fn edit_field(self, at: (usize, usize), change: impl FnOnce(&mut Field)) {
        self.edit(|d| {
            if let Some(field) = d
                .sections
                .get_mut(at.0)
                .and_then(|s| s.fields.get_mut(at.1))
            {
                change(field);
            }
        });
    }

    fn schedule(self, delay: Duration) {
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(move || self.save_now(), delay).ok();
        self.timer.set_value(handle);
    }

    /// Sends the draft now, unless a save is already in flight (it then saves again).
    ///
    /// The autosave is not an `ApiCall`: nobody presses anything, and its state
    /// ([`SaveState`]: debounced, retried, stopped by a conflict) is more than pending
    /// and error.
    fn save_now(self) {
        self.timer.set_value(None);
        if matches!(
            self.save.get_untracked(),
            SaveState::Saving | SaveState::Conflict | SaveState::Saved
        ) {
            return;
        }
        let generation = self.generation.get_value();
        let req = SaveDraftRequest {
            definition: self.draft.get_untracked(),
            base_revision: self.revision(),
        };
        self.save.set(SaveState::Saving);
        let session = self.session;
        let api = session.client();
        let id = self.id.get_value();
        spawn_local(async move {
            match api.save_draft(&id, &req).await {
                Ok(detail) => {
                    self.revision.set_value(detail.summary.draft_revision);
                    self.detail.set(Some(detail));
                    if self.generation.get_value() == generation {
                        self.save.set(SaveState::Saved);
                    } else {
                        self.save.set(SaveState::Dirty);
                        self.schedule(Duration::ZERO);
                    }
                }
                Err(e) if e.code == ErrorCode::Conflict => self.save.set(SaveState::Conflict),
                Err(e) => {
                    session.note_error(&e);
                    self.save.set(SaveState::Failed);
                    self.schedule(RETRY_DELAY);
                }
            }
        });
    }

    /// Replaces everything with the server's current state.
    pub fn load(self) {
        self.loaded.refetch();
    }

    /// Takes the server's state once it has loaded (tracked): the editor's state on
    /// success, else why it failed.
    fn take_loaded(self) {
        match self.loaded.get() {
            None => {}
            Some(Ok((detail, versions))) => {
                self.failure.set(None);
                self.apply(detail);
                if let Some(versions) = versions {
                    self.versions.set(versions);
                }
            }
            Some(Err(e)) => self.failure.set(Some(e)),
        }
    }

    /// Takes a server answer as the new state of the draft.
    pub fn apply(self, detail: FormDetail) {
        self.revision.set_value(detail.summary.draft_revision);
        self.draft.set(detail.draft.clone());
        self.detail.set(Some(detail));
        self.selected.set(None);
        self.save.set(SaveState::Saved);
    }
}

/// The editor page.
#[component]
pub fn FormEditorPage() -> impl IntoView {
    view! {
        <RolesOnly permission=Permission::ManageForms>
            <EditorBody />
        </RolesOnly>
    }
}

#[component]
fn EditorBody() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    let editor = Editor::new(id, use_session());
    Effect::new(move |_| editor.take_loaded());
    Effect::new(move |_| {
        let title = editor.draft.with(|d| d.title.get(i18n.locale()).to_owned());
        set_page_title(&format!("{} · {title}", i18n.t().designer.editor_title));
    });
    let loaded = move || editor.detail.with(Option::is_some);
    view! {
        <section class="designer" data-testid="form-editor">
            <Show
                when=loaded
                fallback=move || {
                    view! {
                        <FormAlert error=editor.failure />
                        <Show when=move || editor.failure.with(Option::is_none)>
                            <Loading />
                        </Show>
                    }
                }
            >
                <review::EditorHeader editor />
                <div class="designer-columns">
                    <div class="designer-main">
                        <settings::SettingsPanel editor />
                        <structure::StructurePanel editor />
                        <field_editor::SelectedField editor />
                    </div>
                    <aside class="designer-side">
                        <Preview editor />
                        <review::ReviewPanel editor />
                    </aside>
                </div>
            </Show>
        </section>
    }
}

/// The live preview: the draft rendered with the customers' renderer.
#[component]
fn Preview(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let answers = RwSignal::new(Answers::new());
    let valid = RwSignal::new(false);
    Effect::new(move |_| {
        answers.track();
        valid.set(false);
    });
    let on_submit = Callback::new(move |_: ValidatedAnswers| valid.set(true));
    view! {
        <section class="card preview" aria-labelledby="preview-heading" data-testid="preview">
            <div class="panel-heading">
                <h2 id="preview-heading">{move || i18n.t().designer.preview}</h2>
                <button
                    type="button"
                    class="button button-secondary button-small"
                    on:click=move |_| answers.set(Answers::new())
                >
                    {move || i18n.t().designer.preview_reset}
                </button>
            </div>
            <FormRenderer definition=editor.draft answers on_submit id_prefix="preview" />
            <Show when=move || valid.get()>
                <p class="alert alert-success" role="status" data-testid="preview-valid">
                    {move || i18n.t().designer.preview_valid}
                </p>
            </Show>
        </section>
    }
}
