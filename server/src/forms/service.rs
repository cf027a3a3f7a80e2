//! The rules of form design: drafts saved with optimistic concurrency, published versions
//! that never change, and the public form with answers validated on the server.
//!
//! Ids that are not UUIDs and version numbers that are not positive integers are "no such
//! form/version" (404): such resources cannot exist. A draft may be saved with structural
//! problems (they are reported with it) but is published only when it has none.

use std::collections::BTreeMap;

use shared::{
    api::{
        error::{ApiError, FieldIssue},
        forms::{FormDetail, FormStatus, FormSummary, VersionDetail, VersionSummary},
    },
    i18n::{Locale, LocalizedText},
    schema::{compliance_warnings, diff, Answers, FormDefinition, SchemaProblem, FORMAT_VERSION},
};

use shared::ids::{FormId, UserId};
use sqlx::AnyConnection;

use crate::{
    audit::{self, Event},
    auth::Principal,
    error::{AppError, AppResult},
    extract::Origin,
    store::{
        forms::{self as store, FormRow, NewForm, NewVersion, PublishOutcome, VersionRow},
        now_ms, Db,
    },
};

/// Who changes a form and from where: the creator or publisher stored with it, and the
/// actor of its audit entry (recorded in the same transaction as the change).
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    /// The signed-in admin; `None` for first-start seeding.
    pub caller: Option<&'a Principal>,
    /// Stored as creator or publisher: the caller, or the first admin when seeding.
    pub user_id: Option<UserId>,
    pub origin: &'a Origin,
}

impl<'a> Author<'a> {
    /// A signed-in admin acting through the API.
    #[must_use]
    pub fn caller(caller: &'a Principal, origin: &'a Origin) -> Self {
        Self {
            caller: Some(caller),
            user_id: Some(caller.user.id),
            origin,
        }
    }

    /// Records a change on `conn`, inside its transaction. First-start seeding (no
    /// caller) is nobody's action and is not recorded.
    async fn record(
        &self,
        conn: &mut AnyConnection,
        action: &str,
        form_id: FormId,
        details: serde_json::Value,
    ) -> AppResult<()> {
        if let Some(caller) = self.caller {
            let event = Event::new(action, Some(&caller.user))
                .target("form", form_id)
                .details(details);
            audit::record(conn, self.origin, event).await?;
        }
        Ok(())
    }
}

fn no_such_form() -> AppError {
    AppError::not_found("No such form")
}

fn no_such_version() -> AppError {
    AppError::not_found("No such form version")
}

/// A version number from a path; 404 unless it is a positive integer.
pub fn parse_version_number(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(no_such_version)
}

/// The `status` filter of a list query string, such as `status=archived`; active forms
/// when there is none.
pub fn status_filter(query: Option<&str>) -> AppResult<FormStatus> {
    let value = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(name, value)| (name == "status").then_some(value));
    match value {
        None | Some("") => Ok(FormStatus::Active),
        Some(v) => FormStatus::parse(v)
            .ok_or_else(|| AppError::bad_request("The status filter must be active or archived")),
    }
}

/// The answer to every attempt to change or delete a published version.
#[must_use]
pub fn versions_are_immutable() -> AppError {
    AppError::conflict("Published versions are immutable; edit the draft and publish a new version")
}

fn stale(current: i64, base: i64) -> AppError {
    AppError::conflict(format!(
        "The draft was saved elsewhere after revision {base} and is now at revision \
         {current}; reload it and apply your changes again"
    ))
}

fn read_definition(json: &str, what: &'static str) -> AppResult<FormDefinition> {
    FormDefinition::from_json(json).map_err(|e| AppError::internal(what, e))
}

fn write_definition(def: &FormDefinition) -> AppResult<String> {
    def.to_json()
        .map_err(|e| AppError::internal("serialising a draft", e))
}

/// Refuses definitions the server could not read back: only the format version can be
/// wrong after the request's JSON was parsed into a definition.
fn accept_definition(def: &FormDefinition) -> AppResult<()> {
    if def.format_version == FORMAT_VERSION {
        return Ok(());
    }
    Err(AppError::invalid_field(
        "definition.format_version",
        "unsupported_format_version",
        format!(
            "Format version {} is not supported; this server reads format {FORMAT_VERSION}",
            def.format_version
        ),
    ))
}

fn version_summary(v: &VersionRow) -> VersionSummary {
    VersionSummary {
        number: v.number,
        hash: v.hash.clone(),
        published_at_ms: v.published_at_ms,
        published_by: v.published_by.clone(),
    }
}

fn summary(row: &FormRow, draft: &FormDefinition) -> FormSummary {
    FormSummary {
        id: row.id,
        title: draft.title.clone(),
        status: row.status,
        draft_revision: row.draft_revision,
        latest_version: row.latest.as_ref().map(version_summary),
        has_unpublished_changes: row
            .latest
            .as_ref()
            .is_none_or(|v| v.hash != draft.version_hash()),
        updated_at_ms: row.updated_at_ms,
    }
}

async fn load(db: &Db, id: FormId) -> AppResult<FormRow> {
    db.form(id).await?.ok_or_else(no_such_form)
}

async fn detail_of(db: &Db, row: &FormRow) -> AppResult<FormDetail> {
    let draft = read_definition(&row.draft_json, "a stored draft is unreadable")?;
    let mut changes = Vec::new();
    if let Some(latest) = &row.latest {
        if let Some((_, json)) = db.version(row.id, latest.number, false).await? {
            let published = read_definition(&json, "a stored version is unreadable")?;
            changes = diff(&published, &draft);
        }
    }
    Ok(FormDetail {
        summary: summary(row, &draft),
        problems: draft.check(),
        warnings: compliance_warnings(&draft),
        changes,
        draft,
    })
}

/// The forms with `status`, most recently changed first.
pub async fn list(db: &Db, status: FormStatus) -> AppResult<Vec<FormSummary>> {
    db.forms(status)
        .await?
        .iter()
        .map(|row| {
            let draft = read_definition(&row.draft_json, "a stored draft is unreadable")?;
            Ok(summary(row, &draft))
        })
        .collect()
}

/// One form with its draft, problems, warnings and changes.
pub async fn detail(db: &Db, form_id: FormId) -> AppResult<FormDetail> {
    detail_of(db, &load(db, form_id).await?).await
}

/// Creates a form whose draft is `definition`, or the blank starter.
pub async fn create(
    db: &Db,
    author: Author<'_>,
    definition: Option<FormDefinition>,
) -> AppResult<FormDetail> {
    insert(db, author, definition, None).await
}

/// Inserts a new form, audited as `forms.create`, or as `forms.duplicate` of `from`.
async fn insert(
    db: &Db,
    author: Author<'_>,
    definition: Option<FormDefinition>,
    from: Option<FormId>,
) -> AppResult<FormDetail> {
    let def = definition.unwrap_or_else(FormDefinition::blank);
    accept_definition(&def)?;
    let id = FormId::from_uuid(uuid::Uuid::new_v4());
    let draft_json = write_definition(&def)?;
    let new = NewForm {
        id,
        draft_json: &draft_json,
        created_by: author.user_id,
    };
    let mut tx = db.begin_write().await?;
    store::insert_form(&mut tx, &new, now_ms()).await?;
    let (action, details) = match from {
        None => ("forms.create", serde_json::json!({"draft_revision": 1})),
        Some(from) => (
            "forms.duplicate",
            serde_json::json!({"from": from, "draft_revision": 1}),
        ),
    };
    author.record(&mut tx, action, id, details).await?;
    tx.commit().await?;
    tracing::info!(form_id = %id, "form created");
    detail_of(db, &load(db, id).await?).await
}

/// Replaces the draft if it is still at `base_revision`; 409 otherwise.
pub async fn save_draft(
    db: &Db,
    author: Author<'_>,
    form_id: FormId,
    definition: &FormDefinition,
    base_revision: i64,
) -> AppResult<FormDetail> {
    accept_definition(definition)?;
    let draft_json = write_definition(definition)?;
    let mut tx = db.begin_write().await?;
    let saved = store::save_draft(&mut tx, form_id, &draft_json, base_revision, now_ms()).await?;
    if let Some(revision) = saved {
        let details =
            serde_json::json!({"draft_revision": revision, "hash": definition.version_hash()});
        author
            .record(&mut tx, "forms.save_draft", form_id, details)
            .await?;
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    let row = load(db, form_id).await?;
    if saved.is_none() {
        return Err(stale(row.draft_revision, base_revision));
    }
    detail_of(db, &row).await
}

/// The title of a copy: each language that has text gets its own "copy" suffix.
fn copy_title(title: &LocalizedText) -> LocalizedText {
    if title.is_blank() {
        return LocalizedText::new("副本", "Copy");
    }
    let suffix = |text: &str, s: &str| {
        if text.trim().is_empty() {
            text.to_owned()
        } else {
            format!("{text}{s}")
        }
    };
    LocalizedText::new(
        suffix(&title.zh_cn, "（副本）"),
        suffix(&title.en, " (copy)"),
    )
}

/// A new active form with a copy of the draft (not the versions) of another.
pub async fn duplicate(db: &Db, author: Author<'_>, form_id: FormId) -> AppResult<FormDetail> {
    let row = load(db, form_id).await?;
    let mut def = read_definition(&row.draft_json, "a stored draft is unreadable")?;
    def.title = copy_title(&def.title);
    let detail = insert(db, author, Some(def), Some(form_id)).await?;
    tracing::info!(form_id = %detail.summary.id, from = %form_id, "form duplicated");
    Ok(detail)
}

/// Archives or restores a form.
pub async fn set_status(
    db: &Db,
    author: Author<'_>,
    form_id: FormId,
    status: FormStatus,
) -> AppResult<FormSummary> {
    let mut row = load(db, form_id).await?;
    if row.status != status {
        let mut tx = db.begin_write().await?;
        if !store::set_form_status(&mut tx, form_id, status, now_ms()).await? {
            return Err(no_such_form());
        }
        let action = match status {
            FormStatus::Archived => "forms.archive",
            FormStatus::Active => "forms.restore",
        };
        let details = serde_json::json!({"latest_version": row.latest.as_ref().map(|v| v.number)});
        author.record(&mut tx, action, form_id, details).await?;
        tx.commit().await?;
        tracing::info!(form_id = %form_id, status = status.as_str(), "form status changed");
        row = load(db, form_id).await?;
    }
    let draft = read_definition(&row.draft_json, "a stored draft is unreadable")?;
    Ok(summary(&row, &draft))
}

/// A `validation_failed` error listing the draft's problems by their path.
fn problems_error(problems: &[SchemaProblem], locale: Locale) -> AppError {
    let mut fields: BTreeMap<String, Vec<FieldIssue>> = BTreeMap::new();
    for p in problems {
        fields.entry(p.path.clone()).or_default().push(FieldIssue {
            code: p.code.as_str().to_owned(),
            params: p.params.clone(),
            message: p.message(locale),
        });
    }
    let message = match locale {
        Locale::ZhCn => "草稿还有问题，修正后才能发布",
        Locale::En => "The draft has problems to fix before it can be published",
    };
    AppError::Client(ApiError::validation(message, fields))
}

/// Publishes the draft at `base_revision` as the next version.
pub async fn publish(
    db: &Db,
    author: Author<'_>,
    form_id: FormId,
    base_revision: i64,
    locale: Locale,
) -> AppResult<VersionDetail> {
    let row = load(db, form_id).await?;
    if row.status == FormStatus::Archived {
        return Err(AppError::conflict(
            "Archived forms cannot be published; restore the form first",
        ));
    }
    if row.draft_revision != base_revision {
        return Err(stale(row.draft_revision, base_revision));
    }
    let draft = read_definition(&row.draft_json, "a stored draft is unreadable")?;
    let problems = draft.check();
    if !problems.is_empty() {
        return Err(problems_error(&problems, locale));
    }
    let hash = draft.version_hash();
    if let Some(latest) = row.latest.as_ref().filter(|v| v.hash == hash) {
        return Err(AppError::conflict(format!(
            "Nothing changed since version {}; edit the draft before publishing",
            latest.number
        )));
    }
    if let Some(earlier) = db.version_number_with_hash(form_id, &hash).await? {
        return Err(AppError::conflict(format!(
            "The draft is identical to version {earlier}, and a version's content can be \
             published only once; change the draft before publishing"
        )));
    }
    let number = row.latest.as_ref().map_or(1, |v| v.number + 1);
    let canonical = String::from_utf8(draft.canonical_bytes())
        .map_err(|e| AppError::internal("canonical bytes", e))?;
    let new = NewVersion {
        form_id,
        number,
        hash: &hash,
        definition_json: &canonical,
        published_by: author.user_id,
        draft_revision: base_revision,
    };
    let mut tx = db.begin_write().await?;
    match store::insert_version(&mut tx, &new, now_ms()).await? {
        PublishOutcome::Published => {
            let details = serde_json::json!({"version": number, "hash": hash});
            author
                .record(&mut tx, "forms.publish", form_id, details)
                .await?;
            tx.commit().await?;
        }
        PublishOutcome::FormChanged => {
            return Err(AppError::conflict(
                "The form changed while it was being published; reload it and try again",
            ))
        }
        PublishOutcome::Taken => {
            return Err(AppError::conflict(
                "The form was published by someone else at the same moment; reload it to see \
                 the new version",
            ))
        }
    }
    tracing::info!(form_id = %form_id, version = number, "form published");
    version(db, form_id, &number.to_string()).await
}

/// The versions of a form, newest first.
pub async fn versions(db: &Db, form_id: FormId) -> AppResult<Vec<VersionSummary>> {
    load(db, form_id).await?;
    Ok(db
        .versions(form_id)
        .await?
        .iter()
        .map(version_summary)
        .collect())
}

/// One version with its definition.
pub async fn version(db: &Db, form_id: FormId, raw_number: &str) -> AppResult<VersionDetail> {
    let number = parse_version_number(raw_number)?;
    let (v, json) = db
        .version(form_id, number, false)
        .await?
        .ok_or_else(no_such_version)?;
    Ok(VersionDetail {
        summary: version_summary(&v),
        form_id,
        definition: read_definition(&json, "a stored version is unreadable")?,
    })
}

/// The newest version of an active form, as the public sees it (without who published it).
pub async fn public_form(db: &Db, form_id: FormId) -> AppResult<VersionDetail> {
    let (v, json) = db
        .latest_public_version(form_id)
        .await?
        .ok_or_else(no_such_form)?;
    Ok(VersionDetail {
        summary: VersionSummary {
            published_by: None,
            ..version_summary(&v)
        },
        form_id,
        definition: read_definition(&json, "a stored version is unreadable")?,
    })
}

/// Validates answers against a version of an active form, as of `today`: the server's
/// own check, whatever the browser said.
pub async fn check_answers(
    db: &Db,
    form_id: FormId,
    raw_number: &str,
    answers: &Answers,
    locale: Locale,
    today: time::Date,
) -> AppResult<()> {
    let number = parse_version_number(raw_number)?;
    let (_, json) = db
        .version(form_id, number, true)
        .await?
        .ok_or_else(no_such_version)?;
    let def = read_definition(&json, "a stored version is unreadable")?;
    def.validate(answers, today)
        .map(|_| ())
        .map_err(|e| AppError::Client(e.to_api_error(locale)))
}

/// On a database without forms, creates the demo form owned by `owner` and publishes its
/// first version; returns its id.
pub async fn seed_demo(db: &Db, owner: Option<UserId>) -> AppResult<Option<FormId>> {
    if db.count_forms().await? > 0 {
        return Ok(None);
    }
    let demo = FormDefinition::demo_customer_registration();
    let origin = Origin::default();
    let author = Author {
        caller: None,
        user_id: owner,
        origin: &origin,
    };
    let detail = create(db, author, Some(demo)).await?;
    let form_id = detail.summary.id;
    publish(
        db,
        author,
        form_id,
        detail.summary.draft_revision,
        Locale::En,
    )
    .await?;
    Ok(Some(form_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_numbers_that_cannot_exist_are_not_found() {
        assert_eq!(parse_version_number("3").ok(), Some(3));
        for bad in ["0", "-1", "x", "1.5", "99999999999999999999"] {
            assert!(parse_version_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn list_filters_read_the_status() {
        assert_eq!(status_filter(None).ok(), Some(FormStatus::Active));
        assert_eq!(
            status_filter(Some("x=1&status=archived")).ok(),
            Some(FormStatus::Archived)
        );
        assert_eq!(
            status_filter(Some("status=")).ok(),
            Some(FormStatus::Active)
        );
        assert!(status_filter(Some("status=gone")).is_err());
    }

    #[test]
    fn copies_are_titled_in_each_language() {
        let t = copy_title(&LocalizedText::new("会员注册", "Sign-up"));
        assert_eq!(t, LocalizedText::new("会员注册（副本）", "Sign-up (copy)"));
        let t = copy_title(&LocalizedText::new("", "Sign-up"));
        assert_eq!(t, LocalizedText::new("", "Sign-up (copy)"));
        assert!(!copy_title(&LocalizedText::default()).is_blank());
    }

    #[test]
    fn publish_problems_are_keyed_by_path() {
        let problems = FormDefinition::blank().check();
        let AppError::Client(e) = problems_error(&problems, Locale::ZhCn) else {
            panic!("not a client error")
        };
        assert_eq!(e.code.http_status(), 422);
        assert_eq!(e.field_issues("notice")[0].code, "blank_text");
        assert!(!e.field_issues("controller.name")[0].message.is_ascii());
    }
}
