//! The records list's filter: the form, the days of collection, the team and the owner
//! by name, the state of consent and the order. A choice applies at once; the list and
//! its export read the applied [`ListQuery`].

use leptos::prelude::*;
use shared::api::error::{ErrorCode, FieldIssue};
use shared::api::records::{ConsentState, RecordFilter, RecordOwner, RecordSort, RecordTeam};
use shared::ids::{FormId, TeamId, UserId};

use super::export::ExportTarget;
use super::RecordsState;
use crate::components::api_call::api_resource;
use crate::components::form::{local_validation, FieldIssues};
use crate::i18n::{use_i18n, Texts};

/// Records per page.
pub(crate) const PAGE_SIZE: &str = "50";

/// The list's query as applied: what the list shows and what an export exports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ListQuery {
    pub filter: RecordFilter,
    pub sort: RecordSort,
}

impl ListQuery {
    /// The query parameters of the page that starts at `cursor` (the first without).
    pub fn params(&self, cursor: Option<&str>) -> Vec<(&'static str, String)> {
        let mut params = self.filter.query_pairs();
        params.push(("sort", self.sort.as_str().to_owned()));
        params.push(("limit", PAGE_SIZE.to_owned()));
        if let Some(cursor) = cursor {
            params.push(("cursor", cursor.to_owned()));
        }
        params
    }
}

/// What the filter's inputs hold, as the inputs give it: ids, `yyyy-mm-dd` days and
/// names of states, empty for "all".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FilterDraft {
    pub form: String,
    pub version: String,
    pub from: String,
    pub to: String,
    pub team: String,
    pub owner: String,
    pub consent: String,
    pub sort: String,
}

impl FilterDraft {
    /// The query, or the problems under their fields, with the codes the server uses
    /// for the same problems.
    pub fn query(&self) -> Result<ListQuery, Vec<(&'static str, &'static str)>> {
        let mut problems = Vec::new();
        let form_id = pick(&mut problems, "form_id", &self.form, |v| {
            FormId::parse(v).ok()
        });
        let form_version = pick(&mut problems, "form_version", &self.version, |v| {
            v.parse::<i64>().ok().filter(|n| *n >= 1)
        });
        let team_id = pick(&mut problems, "team_id", &self.team, |v| {
            TeamId::parse(v).ok()
        });
        let owner_id = pick(&mut problems, "owner_id", &self.owner, |v| {
            UserId::parse(v).ok()
        });
        let consent = pick(&mut problems, "consent", &self.consent, ConsentState::parse);
        let sort = pick(&mut problems, "sort", &self.sort, RecordSort::parse);
        let day = |d: &str| Some(d.trim().to_owned()).filter(|d| !d.is_empty());
        let filter = RecordFilter {
            form_id,
            form_version,
            from: day(&self.from),
            to: day(&self.to),
            team_id,
            owner_id,
            consent,
        };
        if let Err(problem) = filter.collected_between() {
            problems.push((problem.field(), problem.code()));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(ListQuery {
            filter,
            sort: sort.unwrap_or_default(),
        })
    }
}

/// An input's value read by `parse` when given (empty is "all"); one that does not
/// parse is a problem under `field`.
fn pick<T>(
    problems: &mut Vec<(&'static str, &'static str)>,
    field: &'static str,
    text: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Option<T> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let parsed = parse(text);
    if parsed.is_none() {
        problems.push((field, "invalid"));
    }
    parsed
}

/// An account as pickers name it: the display name, and the user name (which rows and
/// logs show) when it differs.
pub(crate) fn person_label(display_name: &str, username: &str) -> String {
    if display_name.trim().is_empty() || display_name == username {
        username.to_owned()
    } else {
        format!("{display_name} ({username})")
    }
}

/// An owner as the picker names them.
fn owner_label(owner: &RecordOwner) -> String {
    person_label(&owner.display_name, &owner.username)
}

/// A day's issue in words.
fn date_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        "invalid" => t.console.list.issue_date.to_owned(),
        "before_from" => t.console.list.issue_before_from.to_owned(),
        _ => t.issue(issue),
    }
}

/// A picker's issue in words: the server did not accept the choice.
fn choice_issue(t: &Texts, issue: &FieldIssue) -> String {
    match issue.code.as_str() {
        "invalid" => t.console.list.issue_choice.to_owned(),
        _ => t.issue(issue),
    }
}

/// One input of the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Form,
    Version,
    From,
    To,
    Team,
    Owner,
    Consent,
    Sort,
}

impl Part {
    /// The field the server's issues name (the query parameter).
    const fn field(self) -> &'static str {
        match self {
            Self::Form => "form_id",
            Self::Version => "form_version",
            Self::From => "from",
            Self::To => "to",
            Self::Team => "team_id",
            Self::Owner => "owner_id",
            Self::Consent => "consent",
            Self::Sort => "sort",
        }
    }
}

impl FilterDraft {
    fn part(&self, part: Part) -> &String {
        match part {
            Part::Form => &self.form,
            Part::Version => &self.version,
            Part::From => &self.from,
            Part::To => &self.to,
            Part::Team => &self.team,
            Part::Owner => &self.owner,
            Part::Consent => &self.consent,
            Part::Sort => &self.sort,
        }
    }

    fn part_mut(&mut self, part: Part) -> &mut String {
        match part {
            Part::Form => &mut self.form,
            Part::Version => &mut self.version,
            Part::From => &mut self.from,
            Part::To => &mut self.to,
            Part::Team => &mut self.team,
            Part::Owner => &mut self.owner,
            Part::Consent => &mut self.consent,
            Part::Sort => &mut self.sort,
        }
    }
}

/// The filter's card: pickers that apply at once, the days, the order, "show all" and
/// the export of what the list shows.
#[component]
pub(crate) fn FilterForm(state: RecordsState) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(state.query.with_untracked(super::first_draft));
    let error = state.filter_error;
    // The filter offers the forms, teams and owners of the records in reach, by name.
    let forms = api_resource(|api| async move { api.record_forms().await });
    let people = api_resource(|api| async move { api.record_people().await });
    let people_now = move || people.get().and_then(Result::ok).unwrap_or_default();
    let apply = move || match draft.get_untracked().query() {
        Ok(query) => {
            error.set(None);
            state.show(query);
        }
        Err(problems) => error.set(local_validation(&problems)),
    };
    // A change of any input applies the filter.
    let on_change = move |part: Part| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            draft.update(|d| {
                // Another form's versions are not this one's.
                if part == Part::Form {
                    d.version.clear();
                }
                *d.part_mut(part) = value;
            });
            apply();
        }
    };
    let value_of = move |part: Part| move || draft.with(|d| d.part(part).clone());
    let chosen = move |part: Part, value: &str| draft.with(|d| d.part(part) == value);
    let clear = move |_| {
        draft.set(FilterDraft::default());
        apply();
    };
    let form_options = move || {
        let locale = i18n.locale();
        forms
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|f| {
                let id = f.id.to_string();
                let selected = chosen(Part::Form, &id);
                view! { <option value=id selected=selected>{f.title.get(locale).to_owned()}</option> }
            })
            .collect_view()
    };
    // The versions of the chosen form that records in reach were collected with.
    let versions = move || {
        let form = draft.with(|d| d.form.clone());
        forms.with(|f| {
            f.as_ref()
                .and_then(|f| f.as_ref().ok())
                .and_then(|list| list.iter().find(|f| f.id.to_string() == form))
                .map(|f| f.versions.clone())
                .unwrap_or_default()
        })
    };
    let version_options = move || {
        versions()
            .into_iter()
            .map(|n| {
                let value = n.to_string();
                let selected = chosen(Part::Version, &value);
                view! {
                    <option value=value selected=selected>
                        {move || i18n.t().console.list.version_n.replace("{n}", &n.to_string())}
                    </option>
                }
            })
            .collect_view()
    };
    let team_options = move || {
        people_now()
            .teams
            .into_iter()
            .map(|team: RecordTeam| {
                let id = team.id.to_string();
                let selected = chosen(Part::Team, &id);
                view! { <option value=id selected=selected>{team.name}</option> }
            })
            .collect_view()
    };
    let owner_options = move || {
        people_now()
            .owners
            .into_iter()
            .map(|owner| {
                let id = owner.id.to_string();
                let selected = chosen(Part::Owner, &id);
                view! { <option value=id selected=selected>{owner_label(&owner)}</option> }
            })
            .collect_view()
    };
    let consent_options = move || {
        ConsentState::ALL
            .into_iter()
            .map(|s| {
                let selected = chosen(Part::Consent, s.as_str());
                view! {
                    <option value=s.as_str() selected=selected>
                        {move || i18n.t().console.list.consent_state(s)}
                    </option>
                }
            })
            .collect_view()
    };
    let sort_options = move || {
        RecordSort::ALL
            .into_iter()
            .map(|s| {
                let selected = draft.with(|d| RecordSort::parse(&d.sort).unwrap_or_default() == s);
                view! {
                    <option value=s.as_str() selected=selected>
                        {move || i18n.t().console.list.sort_name(s)}
                    </option>
                }
            })
            .collect_view()
    };
    // An export is of one form: the one the applied filter names.
    let export_target = move || {
        let query = state.query.get();
        let form_id = query.filter.form_id?;
        let form = forms.with(|f| {
            f.as_ref()
                .and_then(|f| f.as_ref().ok())
                .and_then(|list| list.iter().find(|f| f.id == form_id).cloned())
        })?;
        let found = people_now();
        let team_name = query
            .filter
            .team_id
            .and_then(|id| found.teams.iter().find(|t| t.id == id))
            .map(|t| t.name.clone());
        let owner_name = query
            .filter
            .owner_id
            .and_then(|id| found.owners.iter().find(|o| o.id == id))
            .map(owner_label);
        Some(ExportTarget {
            form,
            filter: query.filter,
            team_name,
            owner_name,
        })
    };
    let no_form = move || export_target().is_none();
    let open_export = move |_| {
        if let Some(target) = untrack(export_target) {
            state.export_target.set(Some(target));
        }
    };
    let invalid = move |part: Part| {
        move || {
            error.with(|e| {
                e.as_ref()
                    .is_some_and(|e| !e.field_issues(part.field()).is_empty())
            })
        }
    };
    let select = move |id: &'static str,
                       part: Part,
                       label: fn(&Texts) -> &'static str,
                       all: fn(&Texts) -> &'static str,
                       options: AnyView| {
        let issues = format!("{id}-issues");
        view! {
            <div class="field" class:field-invalid=invalid(part)>
                <label for=id>{move || label(i18n.t())}</label>
                <select
                    id=id
                    prop:value=value_of(part)
                    aria-invalid=move || invalid(part)().to_string()
                    aria-describedby=issues.clone()
                    on:change=on_change(part)
                    data-testid=id
                >
                    <option value="">{move || all(i18n.t())}</option>
                    {options}
                </select>
                <FieldIssues id=issues field=part.field() error text=choice_issue />
            </div>
        }
    };
    let date = move |id: &'static str, part: Part, label: fn(&Texts) -> &'static str| {
        let issues = format!("{id}-issues");
        let described = format!("records-dates-hint {issues}");
        view! {
            <div class="field" class:field-invalid=invalid(part)>
                <label for=id>{move || label(i18n.t())}</label>
                <input
                    id=id
                    type="date"
                    prop:value=value_of(part)
                    aria-invalid=move || invalid(part)().to_string()
                    aria-describedby=described
                    on:change=on_change(part)
                    data-testid=id
                />
                <FieldIssues id=issues field=part.field() error text=date_issue />
            </div>
        }
    };
    view! {
        <form
            class="card form inline-form"
            on:submit=move |ev| {
                ev.prevent_default();
                apply();
            }
            novalidate
            data-testid="records-filter"
        >
            <h2 class="small-heading">{move || i18n.t().console.filter_heading}</h2>
            {select(
                "records-form-filter",
                Part::Form,
                |t| t.console.filter_form,
                |t| t.console.filter_all_forms,
                form_options.into_any(),
            )}
            <Show when=move || !versions().is_empty()>
                {select(
                    "records-version-filter",
                    Part::Version,
                    |t| t.console.list.version,
                    |t| t.console.list.all_versions,
                    version_options.into_any(),
                )}
            </Show>
            <p id="records-dates-hint" class="field-hint">
                {move || i18n.t().console.list.dates_hint}
            </p>
            <div class="exports-dates">
                {date("records-from", Part::From, |t| t.console.list.from)}
                {date("records-to", Part::To, |t| t.console.list.to)}
            </div>
            {select(
                "records-team-filter",
                Part::Team,
                |t| t.console.list.team,
                |t| t.console.list.all_teams,
                team_options.into_any(),
            )}
            {select(
                "records-owner-filter",
                Part::Owner,
                |t| t.console.list.owner,
                |t| t.console.list.all_owners,
                owner_options.into_any(),
            )}
            {select(
                "records-consent-filter",
                Part::Consent,
                |t| t.console.list.consent,
                |t| t.console.list.any_consent,
                consent_options.into_any(),
            )}
            <div class="field">
                <label for="records-sort">{move || i18n.t().console.list.sort}</label>
                <select
                    id="records-sort"
                    prop:value=move || {
                        draft.with(|d| RecordSort::parse(&d.sort).unwrap_or_default().as_str())
                    }
                    on:change=on_change(Part::Sort)
                    data-testid="records-sort"
                >
                    {sort_options}
                </select>
            </div>
            <div class="row-actions">
                <button
                    type="button"
                    class="button button-secondary button-small"
                    on:click=clear
                    data-testid="records-filter-clear"
                >
                    {move || i18n.t().console.filter_clear}
                </button>
                <button
                    type="button"
                    class="button button-secondary button-small"
                    disabled=no_form
                    aria-describedby=move || no_form().then_some("export-open-hint")
                    on:click=open_export
                    data-testid="export-open"
                >
                    {move || i18n.t().exports.open}
                </button>
            </div>
            <Show when=no_form>
                <p id="export-open-hint" class="field-hint">
                    {move || i18n.t().exports.open_hint}
                </p>
            </Show>
        </form>
    }
}

/// Shows the list's own 422 (a filter the server did not accept) under the fields, as
/// checks made before sending are shown.
pub(crate) fn keep_list_issues(state: RecordsState) {
    Effect::new(move |_| {
        if let Some(Err(e)) = state.first.get() {
            if e.code == ErrorCode::ValidationFailed {
                state.filter_error.set(Some(e));
            }
        }
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_draft_is_every_record_newest_first() {
        let query = FilterDraft::default().query().unwrap();
        assert_eq!(query, ListQuery::default());
        assert_eq!(
            query.params(None),
            [
                ("sort", "newest".to_owned()),
                ("limit", PAGE_SIZE.to_owned())
            ]
        );
    }

    #[test]
    fn a_full_draft_becomes_the_query_the_server_reads() {
        let form = FormId::from_random_bytes([1; 16]);
        let team = TeamId::from_random_bytes([2; 16]);
        let owner = UserId::from_random_bytes([3; 16]);
        let draft = FilterDraft {
            form: form.to_string(),
            version: "2".to_owned(),
            from: "2024-03-01".to_owned(),
            to: "2024-03-31".to_owned(),
            team: team.to_string(),
            owner: owner.to_string(),
            consent: "withdrawn".to_owned(),
            sort: "oldest".to_owned(),
        };
        let query = draft.query().unwrap();
        assert_eq!(
            query.params(Some("abc")),
            [
                ("form_id", form.to_string()),
                ("form_version", "2".to_owned()),
                ("from", "2024-03-01".to_owned()),
                ("to", "2024-03-31".to_owned()),
                ("team_id", team.to_string()),
                ("owner_id", owner.to_string()),
                ("consent", "withdrawn".to_owned()),
                ("sort", "oldest".to_owned()),
                ("limit", PAGE_SIZE.to_owned()),
                ("cursor", "abc".to_owned()),
            ]
        );
    }

    #[test]
    fn problems_are_named_by_the_servers_fields() {
        let draft = FilterDraft {
            from: "2024-03-02".to_owned(),
            to: "2024-03-01".to_owned(),
            team: "not-an-id".to_owned(),
            ..FilterDraft::default()
        };
        assert_eq!(
            draft.query(),
            Err(vec![("team_id", "invalid"), ("to", "before_from")])
        );
    }

    #[test]
    fn owners_are_named_by_both_names_when_they_differ() {
        let mut owner = RecordOwner {
            id: UserId::from_random_bytes([4; 16]),
            username: "lwang".to_owned(),
            display_name: "王丽".to_owned(),
            team_id: None,
        };
        assert_eq!(owner_label(&owner), "王丽 (lwang)");
        owner.display_name = "lwang".to_owned();
        assert_eq!(owner_label(&owner), "lwang");
    }
}
