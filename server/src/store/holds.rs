//! Legal holds in the database: what they cover, and the records they keep from runs.

use std::collections::HashSet;

use shared::ids::{FormId, LegalHoldId, RecordId, UserId};
use sqlx::{any::AnyRow, AnyConnection, Row as _};

use super::{Db, IdColumn as _};

/// A legal hold as stored.
#[derive(Debug, Clone)]
pub struct HoldRow {
    pub id: LegalHoldId,
    pub scope: String,
    pub record_id: Option<RecordId>,
    pub form_id: Option<FormId>,
    pub blind_index: Option<String>,
    pub lookup_kind: Option<String>,
    pub reason_sealed: String,
    pub created_by_name: Option<String>,
    pub created_at_ms: i64,
    pub ends_at_ms: Option<i64>,
    pub lifted_at_ms: Option<i64>,
    pub lifted_by_name: Option<String>,
}

const HOLD_SELECT: &str = "SELECT h.id, h.scope, h.record_id, h.form_id, h.blind_index, \
     h.lookup_kind, h.reason_sealed, c.username AS created_by_name, h.created_at_ms, \
     h.ends_at_ms, h.lifted_at_ms, l.username AS lifted_by_name \
     FROM legal_holds h LEFT JOIN users c ON c.id = h.created_by \
     LEFT JOIN users l ON l.id = h.lifted_by";

fn hold_from(row: &AnyRow) -> Result<HoldRow, sqlx::Error> {
    Ok(HoldRow {
        id: row.id("id")?,
        scope: row.try_get("scope")?,
        record_id: row.id_opt("record_id")?,
        form_id: row.id_opt("form_id")?,
        blind_index: row.try_get("blind_index")?,
        lookup_kind: row.try_get("lookup_kind")?,
        reason_sealed: row.try_get("reason_sealed")?,
        created_by_name: row.try_get("created_by_name")?,
        created_at_ms: row.try_get("created_at_ms")?,
        ends_at_ms: row.try_get("ends_at_ms")?,
        lifted_at_ms: row.try_get("lifted_at_ms")?,
        lifted_by_name: row.try_get("lifted_by_name")?,
    })
}

/// A new hold.
pub struct NewHoldRow<'a> {
    pub id: LegalHoldId,
    pub scope: &'a str,
    pub record_id: Option<RecordId>,
    pub form_id: Option<FormId>,
    pub blind_index: Option<&'a str>,
    pub lookup_kind: Option<&'a str>,
    pub reason_sealed: &'a str,
    pub created_by: UserId,
    pub created_at_ms: i64,
    pub ends_at_ms: Option<i64>,
}

pub async fn insert_hold(conn: &mut AnyConnection, h: &NewHoldRow<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO legal_holds (id, scope, record_id, form_id, blind_index, lookup_kind, \
         reason_sealed, created_by, created_at_ms, ends_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(h.id.to_string())
    .bind(h.scope)
    .bind(h.record_id.map(|id| id.to_string()))
    .bind(h.form_id.map(|id| id.to_string()))
    .bind(h.blind_index)
    .bind(h.lookup_kind)
    .bind(h.reason_sealed)
    .bind(h.created_by.to_string())
    .bind(h.created_at_ms)
    .bind(h.ends_at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Lifts a hold that is not lifted yet; false when there is none such.
pub async fn lift_hold(
    conn: &mut AnyConnection,
    id: LegalHoldId,
    by: UserId,
    at_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE legal_holds SET lifted_at_ms = $3, lifted_by = $2 \
         WHERE id = $1 AND lifted_at_ms IS NULL",
    )
    .bind(id.to_string())
    .bind(by.to_string())
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What active holds cover, gathered once per page of a run.
#[derive(Debug, Clone, Default)]
pub struct Held {
    pub records: HashSet<RecordId>,
    pub forms: HashSet<FormId>,
}

impl Held {
    #[must_use]
    pub fn covers(&self, record: RecordId, form: FormId) -> bool {
        self.records.contains(&record) || self.forms.contains(&form)
    }
}

impl Db {
    /// Records under a hold in force at `now_ms`, per form.
    pub async fn held_records_per_form(
        &self,
        now_ms: i64,
    ) -> Result<Vec<(FormId, i64)>, sqlx::Error> {
        sqlx::query(
            "SELECT r.form_id, COUNT(*) AS n FROM records r WHERE r.status <> 'erased' AND (\
               EXISTS (SELECT 1 FROM legal_holds h WHERE h.lifted_at_ms IS NULL \
                 AND (h.ends_at_ms IS NULL OR h.ends_at_ms > $1) \
                 AND ((h.scope = 'record' AND h.record_id = r.id) \
                   OR (h.scope = 'form' AND h.form_id = r.form_id))) \
               OR EXISTS (SELECT 1 FROM record_lookup l JOIN legal_holds h \
                 ON h.blind_index = l.blind_index WHERE l.record_id = r.id \
                 AND h.scope = 'person' AND h.lifted_at_ms IS NULL \
                 AND (h.ends_at_ms IS NULL OR h.ends_at_ms > $1))) \
             GROUP BY r.form_id",
        )
        .bind(now_ms)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| Ok((row.id("form_id")?, row.try_get("n")?)))
        .collect()
    }

    /// Every hold, newest first.
    pub async fn holds(&self) -> Result<Vec<HoldRow>, sqlx::Error> {
        sqlx::query(&format!(
            "{HOLD_SELECT} ORDER BY h.created_at_ms DESC, h.id"
        ))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(hold_from)
        .collect()
    }

    /// One hold.
    pub async fn hold(&self, id: LegalHoldId) -> Result<Option<HoldRow>, sqlx::Error> {
        sqlx::query(&format!("{HOLD_SELECT} WHERE h.id = $1"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(hold_from)
            .transpose()
    }

    /// How many records carry the identifier with blind index `index`.
    pub async fn records_with_lookup(&self, index: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(DISTINCT record_id) FROM record_lookup WHERE blind_index = $1",
        )
        .bind(index)
        .fetch_one(self.pool())
        .await
    }

    /// What the holds in force at `now_ms` cover: records (directly, or as a held
    /// person's through the blind index) and forms.
    pub async fn held(&self, now_ms: i64) -> Result<Held, sqlx::Error> {
        let active = "lifted_at_ms IS NULL AND (ends_at_ms IS NULL OR ends_at_ms > $1)";
        let mut held = Held::default();
        for row in sqlx::query(&format!(
            "SELECT record_id, form_id FROM legal_holds WHERE {active} AND scope <> 'person'"
        ))
        .bind(now_ms)
        .fetch_all(self.pool())
        .await?
        {
            if let Some(id) = row.id_opt::<RecordId>("record_id")? {
                held.records.insert(id);
            }
            if let Some(id) = row.id_opt::<FormId>("form_id")? {
                held.forms.insert(id);
            }
        }
        for row in sqlx::query(
            "SELECT DISTINCT l.record_id FROM record_lookup l JOIN legal_holds h \
             ON h.blind_index = l.blind_index WHERE h.scope = 'person' \
             AND h.lifted_at_ms IS NULL AND (h.ends_at_ms IS NULL OR h.ends_at_ms > $1)",
        )
        .bind(now_ms)
        .fetch_all(self.pool())
        .await?
        {
            held.records.insert(row.id("record_id")?);
        }
        Ok(held)
    }
}
