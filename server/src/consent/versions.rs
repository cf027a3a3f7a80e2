//! Published form versions kept in memory: they never change, and parsing a definition
//! on every submission would cost more than the rest of the request.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use shared::{consent::notice_hash, ids::FormId, schema::FormDefinition};

use crate::{
    error::{AppError, AppResult},
    store::Db,
};

/// A published version, parsed once.
#[derive(Debug)]
pub struct CachedVersion {
    pub form_id: FormId,
    pub number: i64,
    pub hash: String,
    pub notice_hash: String,
    pub definition: FormDefinition,
}

impl CachedVersion {
    /// What a consent statement for `answers` to this version is checked against.
    #[must_use]
    pub fn statement_context<'a>(
        &'a self,
        answers: &'a shared::schema::ValidatedAnswers,
        today: time::Date,
    ) -> shared::consent::StatementContext<'a> {
        shared::consent::StatementContext {
            form_id: self.form_id,
            form_version: self.number,
            version_hash: &self.hash,
            notice_hash: &self.notice_hash,
            definition: &self.definition,
            answers,
            today,
            hash_key: None,
        }
    }
}

/// How long a form's active/archived status is trusted before it is read again (other
/// replicas may archive it).
const STATUS_TTL: Duration = Duration::from_secs(5);

/// Parsed versions by (form, number), and recent form statuses.
#[derive(Default)]
pub struct VersionCache {
    versions: RwLock<HashMap<(FormId, i64), Arc<CachedVersion>>>,
    status: RwLock<HashMap<FormId, (bool, Instant)>>,
}

impl VersionCache {
    /// The version, read and parsed on first use; 404 when the form or version does not
    /// exist, 409 when the form is archived.
    pub async fn get(
        &self,
        db: &Db,
        form_id: FormId,
        number: i64,
    ) -> AppResult<Arc<CachedVersion>> {
        let version = self.get_any(db, form_id, number).await?;
        if !self.is_active(db, form_id).await? {
            return Err(AppError::conflict(
                "This form no longer accepts submissions",
            ));
        }
        Ok(version)
    }

    /// The version whether or not its form is still active.
    pub async fn get_any(
        &self,
        db: &Db,
        form_id: FormId,
        number: i64,
    ) -> AppResult<Arc<CachedVersion>> {
        let key = (form_id, number);
        let cached = self.versions.read().ok().and_then(|m| m.get(&key).cloned());
        let version = match cached {
            Some(v) => v,
            None => {
                let (row, json) = db
                    .version(form_id, number, false)
                    .await?
                    .ok_or_else(|| AppError::not_found("No such form version"))?;
                let definition = FormDefinition::from_json(&json)
                    .map_err(|e| AppError::internal("a stored version", e))?;
                let v = Arc::new(CachedVersion {
                    form_id,
                    number,
                    hash: row.hash,
                    notice_hash: notice_hash(&definition),
                    definition,
                });
                if let Ok(mut m) = self.versions.write() {
                    m.insert(key, v.clone());
                }
                v
            }
        };
        Ok(version)
    }

    async fn is_active(&self, db: &Db, form_id: FormId) -> AppResult<bool> {
        let fresh = self
            .status
            .read()
            .ok()
            .and_then(|m| m.get(&form_id).copied())
            .filter(|(_, at)| at.elapsed() < STATUS_TTL);
        if let Some((active, _)) = fresh {
            return Ok(active);
        }
        let active = db
            .form(form_id)
            .await?
            .is_some_and(|f| f.status == shared::api::forms::FormStatus::Active);
        if let Ok(mut m) = self.status.write() {
            m.insert(form_id, (active, Instant::now()));
        }
        Ok(active)
    }
}
