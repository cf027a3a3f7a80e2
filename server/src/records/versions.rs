//! Writing a new version of a record: its values re-sealed, a compare-and-set on the
//! record's version (replicas may write the same record at once), the kept history row
//! and the identifier lookups, all on the caller's transaction.

use shared::api::records::VersionCause;
use shared::ids::{DeviceId, SubjectRequestId, UserId};
use shared::schema::{FormDefinition, ValidatedAnswers};
use sqlx::AnyConnection;

use super::sealed::{lookups_kept, Place, RecordKey};
use crate::{
    error::AppResult,
    state::AppState,
    store::edits::{self, NewVersion},
};

/// Who made a version.
pub struct Author {
    pub user_id: UserId,
    /// The device and its sequence number, for an edit synced from a device.
    pub device: Option<(DeviceId, i64)>,
    /// Why the version is made.
    pub cause: VersionCause,
    /// The data-subject request behind a correction.
    pub request_id: Option<SubjectRequestId>,
    /// The approved change of a key field it applies.
    pub change_id: Option<shared::ids::ConflictId>,
}

/// Keeps the values a record was collected with as version 1, when the first change
/// arrives (records that were never edited have no history rows).
pub async fn keep_first_version(
    conn: &mut AnyConnection,
    key: &RecordKey<'_>,
    def: &FormDefinition,
    current_version: i64,
    current: &ValidatedAnswers,
    at_ms: i64,
) -> AppResult<()> {
    if current_version == 1 {
        edits::insert_version(
            conn,
            &NewVersion {
                record_id: key.record_id,
                version: 1,
                values: &key.seal_all(def, Place::Version(1), current),
                changed_fields: "[]",
                author_id: None,
                device: None,
                cause: VersionCause::Collected,
                request_id: None,
                change_id: None,
                at_ms,
            },
        )
        .await?;
    }
    Ok(())
}

/// Stores `answers` as the version after `expected`; `None` when the record is no
/// longer at `expected` (nothing was written; roll back and start again).
#[allow(clippy::too_many_arguments)]
pub async fn write_next(
    conn: &mut AnyConnection,
    state: &AppState,
    key: &RecordKey<'_>,
    def: &FormDefinition,
    expected: i64,
    answers: &ValidatedAnswers,
    changed: &[String],
    author: &Author,
    at_ms: i64,
) -> AppResult<Option<i64>> {
    let record_id = key.record_id;
    let values = key.seal_all(def, Place::Record, answers);
    if !edits::update_values(conn, record_id, expected, &values, at_ms).await? {
        return Ok(None);
    }
    let version = expected + 1;
    let kept = edits::insert_version(
        conn,
        &NewVersion {
            record_id,
            version,
            values: &key.seal_all(def, Place::Version(version), answers),
            changed_fields: &serde_json::to_string(changed).unwrap_or_default(),
            author_id: Some(author.user_id),
            device: author.device,
            cause: author.cause,
            request_id: author.request_id,
            change_id: author.change_id,
            at_ms,
        },
    )
    .await?;
    if !kept {
        return Ok(None);
    }
    // Values that serve only withdrawn purposes are no longer looked up by.
    let gone =
        super::service::withdrawn_purposes(edits::withdrawn_of(conn, record_id).await?.as_deref());
    let kept = lookups_kept(state, def, answers, |f| super::service::withdrawn(f, &gone));
    edits::replace_lookups(conn, record_id, &kept).await?;
    Ok(Some(version))
}
