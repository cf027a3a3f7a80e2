//! What the records of processing and the impact assessment drafts count: live records
//! per form and source, and enabled accounts per role.

use shared::{api::auth::Role, api::records::RecordSource, ids::FormId};
use sqlx::{any::AnyRow, Row as _};

use super::{Db, IdColumn as _};

/// The live (not erased) records of one form from one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceVolumeRow {
    pub form_id: FormId,
    pub source: RecordSource,
    pub records: i64,
    /// The oldest and newest collection among them.
    pub first_collected_at_ms: i64,
    pub last_collected_at_ms: i64,
}

/// The enabled accounts of one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleCountRow {
    pub role: Role,
    pub accounts: i64,
}

const VOLUMES: &str = "SELECT form_id, source, COUNT(*) AS n, MIN(created_at_ms) AS first_ms, \
     MAX(created_at_ms) AS last_ms FROM records WHERE status <> 'erased'";

fn volume_from(row: &AnyRow) -> Result<SourceVolumeRow, sqlx::Error> {
    let source: String = row.try_get("source")?;
    Ok(SourceVolumeRow {
        form_id: row.id("form_id")?,
        source: RecordSource::parse(&source).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "source".into(),
            source: format!("unknown record source {source}").into(),
        })?,
        records: row.try_get("n")?,
        first_collected_at_ms: row.try_get("first_ms")?,
        last_collected_at_ms: row.try_get("last_ms")?,
    })
}

impl Db {
    /// Live records per form and source: of every form, or of `form` only.
    pub async fn record_volumes(
        &self,
        form: Option<FormId>,
    ) -> Result<Vec<SourceVolumeRow>, sqlx::Error> {
        let rows = match form {
            Some(id) => {
                sqlx::query(&format!(
                    "{VOLUMES} AND form_id = $1 GROUP BY form_id, source"
                ))
                .bind(id.to_string())
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!("{VOLUMES} GROUP BY form_id, source"))
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(volume_from).collect()
    }

    /// Enabled accounts per role (roles without any left out).
    pub async fn enabled_accounts_per_role(&self) -> Result<Vec<RoleCountRow>, sqlx::Error> {
        sqlx::query("SELECT role, COUNT(*) AS n FROM users WHERE disabled = 0 GROUP BY role")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|row| {
                Ok(RoleCountRow {
                    role: super::role_column(row)?,
                    accounts: row.try_get("n")?,
                })
            })
            .collect()
    }
}
