//! Staff devices in the database.

use shared::api::sync::DeviceInfo;
use shared::ids::{DeviceId, RecordId, UserId};
use sqlx::{AnyConnection, Row as _};

use super::{Db, IdColumn as _};

const DEVICE_COLUMNS: &str =
    "id, user_id, name, public_key, created_at_ms, revoked_at_ms, last_seq";

fn device_from_row(row: &sqlx::any::AnyRow) -> Result<DeviceInfo, sqlx::Error> {
    Ok(DeviceInfo {
        id: row.id("id")?,
        user_id: row.id("user_id")?,
        name: row.try_get("name")?,
        public_key: row.try_get("public_key")?,
        created_at_ms: row.try_get("created_at_ms")?,
        revoked_at_ms: row.try_get("revoked_at_ms")?,
        last_seq: row.try_get("last_seq")?,
    })
}

impl Db {
    /// Registers a device; `Ok(false)` when its public key is already registered.
    pub async fn insert_device(&self, d: &DeviceInfo) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO devices (id, user_id, name, public_key, created_at_ms, last_seq) \
             VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (public_key) DO NOTHING",
        )
        .bind(d.id.to_string())
        .bind(d.user_id.to_string())
        .bind(&d.name)
        .bind(&d.public_key)
        .bind(d.created_at_ms)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn device(&self, id: DeviceId) -> Result<Option<DeviceInfo>, sqlx::Error> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1");
        sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(device_from_row)
            .transpose()
    }

    /// A user's devices, or everyone's when `user_id` is `None`.
    pub async fn devices(&self, user_id: Option<UserId>) -> Result<Vec<DeviceInfo>, sqlx::Error> {
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE ($1 IS NULL OR user_id = $1) ORDER BY created_at_ms DESC"
        );
        sqlx::query(&sql)
            .bind(user_id.map(|id| id.to_string()))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(device_from_row)
            .collect()
    }

    pub async fn revoke_device(&self, id: DeviceId, at_ms: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE devices SET revoked_at_ms = $2 WHERE id = $1 AND revoked_at_ms IS NULL",
        )
        .bind(id.to_string())
        .bind(at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// (sequence number, record) of the device's stored records among `seqs`.
    pub async fn records_by_device_seq(
        &self,
        device: DeviceId,
        seqs: &[i64],
    ) -> Result<Vec<(i64, RecordId)>, sqlx::Error> {
        let mut found = Vec::new();
        for chunk in seqs.chunks(super::records::NARROW_ROWS_PER_STATEMENT) {
            // `$1` is the device, `$2`… the numbers.
            let list: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT device_seq, id FROM records WHERE device_id = $1 AND device_seq IN ({})",
                list.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(device.to_string());
            for seq in chunk {
                query = query.bind(*seq);
            }
            for row in query.fetch_all(self.pool()).await? {
                found.push((row.try_get("device_seq")?, row.id("id")?));
            }
        }
        Ok(found)
    }

    /// Notes that the device reached the sync endpoint at `at_ms`.
    pub async fn device_reached(&self, id: DeviceId, at_ms: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE devices SET last_sync_at_ms = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(at_ms)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Raises the device's highest stored sequence number.
    pub async fn advance_device_seq(&self, id: DeviceId, seq: i64) -> Result<(), sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        advance_seq(&mut conn, id, seq).await
    }
}

/// Records that device `id` has sent records up to `seq` (it never goes back).
pub async fn advance_seq(
    conn: &mut AnyConnection,
    id: DeviceId,
    seq: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE devices SET last_seq = $2 WHERE id = $1 AND last_seq < $2")
        .bind(id.to_string())
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
