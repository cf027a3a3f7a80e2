//! The accounts that acted in the log, by name, for the search's "who": auditors and
//! privacy officers read the log but may not list the accounts.

use shared::api::audit::AuditActor;
use sqlx::Row as _;

use crate::{error::AppResult, store::Db, store::IdColumn as _};

/// Every account that is the actor of at least one entry, by display name. The log's
/// index on `actor_id` answers each account's question; accounts are few.
pub async fn actors(db: &Db) -> AppResult<Vec<AuditActor>> {
    let rows = sqlx::query(
        "SELECT u.id, u.username, u.display_name FROM users u \
         WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.actor_id = u.id) \
         ORDER BY u.display_name, u.username, u.id",
    )
    .fetch_all(db.pool())
    .await?;
    let actors = rows
        .iter()
        .map(|row| {
            Ok(AuditActor {
                id: row.id("id")?,
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(actors)
}
