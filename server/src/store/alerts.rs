//! Alerts, export suspensions, the activity the burst rules count, and the alerts'
//! deliveries. Events are ids, actions, times and counts; handling notes are sealed by
//! the caller (`alerts::Sealer`).

use shared::ids::{AlertId, UserId};
use sqlx::{any::AnyRow, AnyConnection, Row as _};

use super::{Db, IdColumn as _};

/// An alert as stored, with the names of the people it mentions.
#[derive(Debug, Clone)]
pub struct AlertRow {
    pub id: AlertId,
    pub rule: String,
    pub user_id: UserId,
    pub user_name: Option<String>,
    pub at_ms: i64,
    pub observed: i64,
    pub limit: i64,
    pub events_json: String,
    pub suspended: bool,
    pub suspension_active: bool,
    pub status: String,
    pub handled_by_name: Option<String>,
    pub handled_at_ms: Option<i64>,
    pub note_sealed: Option<String>,
}

const ALERT_SELECT: &str = "SELECT a.id, a.rule, a.user_id, u.username AS user_name, a.at_ms, \
     a.observed, a.limit_value, a.events_json, a.suspended, \
     CASE WHEN s.alert_id IS NULL THEN 0 ELSE 1 END AS suspension_active, a.status, \
     h.username AS handled_by_name, a.handled_at_ms, a.note_sealed \
     FROM alerts a LEFT JOIN users u ON u.id = a.user_id \
     LEFT JOIN users h ON h.id = a.handled_by \
     LEFT JOIN export_suspensions s ON s.alert_id = a.id";

fn alert_from(row: &AnyRow) -> Result<AlertRow, sqlx::Error> {
    Ok(AlertRow {
        id: row.id("id")?,
        rule: row.try_get("rule")?,
        user_id: row.id("user_id")?,
        user_name: row.try_get("user_name")?,
        at_ms: row.try_get("at_ms")?,
        observed: row.try_get("observed")?,
        limit: row.try_get("limit_value")?,
        events_json: row.try_get("events_json")?,
        suspended: row.try_get::<i64, _>("suspended")? != 0,
        suspension_active: row.try_get::<i64, _>("suspension_active")? != 0,
        status: row.try_get("status")?,
        handled_by_name: row.try_get("handled_by_name")?,
        handled_at_ms: row.try_get("handled_at_ms")?,
        note_sealed: row.try_get("note_sealed")?,
    })
}

/// A new alert.
pub struct NewAlert<'a> {
    pub id: AlertId,
    pub rule: &'a str,
    pub user_id: UserId,
    pub at_ms: i64,
    pub observed: i64,
    pub limit: i64,
    pub events_json: &'a str,
    pub suspended: bool,
}

pub async fn insert_alert(conn: &mut AnyConnection, a: &NewAlert<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO alerts (id, rule, user_id, at_ms, observed, limit_value, events_json, \
         suspended, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open')",
    )
    .bind(a.id.to_string())
    .bind(a.rule)
    .bind(a.user_id.to_string())
    .bind(a.at_ms)
    .bind(a.observed)
    .bind(a.limit)
    .bind(a.events_json)
    .bind(i64::from(a.suspended))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Suspends `user`'s export permission by `alert` (a suspension in force stays).
pub async fn suspend(
    conn: &mut AnyConnection,
    user: UserId,
    alert: AlertId,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO export_suspensions (user_id, alert_id, since_ms) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user.to_string())
    .bind(alert.to_string())
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Lifts `user`'s suspension; whether there was one.
pub async fn lift(conn: &mut AnyConnection, user: UserId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM export_suspensions WHERE user_id = $1")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Queues an alert's delivery on `channel`.
pub async fn queue_delivery(
    conn: &mut AnyConnection,
    alert: AlertId,
    channel: &str,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO alert_deliveries (alert_id, channel, status, attempts, next_attempt_ms) \
         VALUES ($1, $2, 'pending', 0, $3)",
    )
    .bind(alert.to_string())
    .bind(channel)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records the handling of an open alert; `false` when it was already handled.
pub async fn handle(
    conn: &mut AnyConnection,
    id: AlertId,
    status: &str,
    by: UserId,
    at_ms: i64,
    note_sealed: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE alerts SET status = $2, handled_by = $3, handled_at_ms = $4, note_sealed = $5 \
         WHERE id = $1 AND status = 'open'",
    )
    .bind(id.to_string())
    .bind(status)
    .bind(by.to_string())
    .bind(at_ms)
    .bind(note_sealed)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One delivery as stored.
#[derive(Debug, Clone)]
pub struct DeliveryRow {
    pub alert_id: AlertId,
    pub channel: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_ms: Option<i64>,
    pub last_error: Option<String>,
}

fn delivery_from(row: &AnyRow) -> Result<DeliveryRow, sqlx::Error> {
    Ok(DeliveryRow {
        alert_id: row.id("alert_id")?,
        channel: row.try_get("channel")?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        next_attempt_ms: row.try_get("next_attempt_ms")?,
        last_error: row.try_get("last_error")?,
    })
}

/// A user's activity of `kind` (`reveal`, `view`) for the burst rules.
pub async fn note_activity(
    conn: &mut AnyConnection,
    user: UserId,
    kind: &str,
    at_ms: i64,
    n: i64,
    subject: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_activity (user_id, kind, at_ms, n, subject) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user.to_string())
    .bind(kind)
    .bind(at_ms)
    .bind(n)
    .bind(subject)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Db {
    pub async fn alert(&self, id: AlertId) -> Result<Option<AlertRow>, sqlx::Error> {
        sqlx::query(&format!("{ALERT_SELECT} WHERE a.id = $1"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(alert_from)
            .transpose()
    }

    /// Alerts, newest first: open ones only, or all.
    pub async fn alerts(&self, open_only: bool, limit: i64) -> Result<Vec<AlertRow>, sqlx::Error> {
        let filter = if open_only {
            " WHERE a.status = 'open'"
        } else {
            ""
        };
        sqlx::query(&format!(
            "{ALERT_SELECT}{filter} ORDER BY a.at_ms DESC, a.id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(alert_from)
        .collect()
    }

    pub async fn open_alerts(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE status = 'open'")
            .fetch_one(self.pool())
            .await
    }

    /// The alert that suspended `user`'s export permission, if one is in force.
    pub async fn export_suspension(&self, user: UserId) -> Result<Option<AlertId>, sqlx::Error> {
        let raw: Option<String> =
            sqlx::query_scalar("SELECT alert_id FROM export_suspensions WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_optional(self.pool())
                .await?;
        raw.map(|r| super::decode_id("alert_id", &r)).transpose()
    }

    /// Whether `user` had an alert of `rule` since `since_ms` (one alert per burst).
    pub async fn alerted_since(
        &self,
        user: UserId,
        rule: &str,
        since_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM alerts WHERE user_id = $1 AND rule = $2 AND at_ms >= $3",
        )
        .bind(user.to_string())
        .bind(rule)
        .bind(since_ms)
        .fetch_one(self.pool())
        .await?;
        Ok(n > 0)
    }

    /// A user's activity of `kind` since `since_ms`: (time, count, subject), oldest first.
    pub async fn activity_since(
        &self,
        user: UserId,
        kind: &str,
        since_ms: i64,
    ) -> Result<Vec<(i64, i64, Option<String>)>, sqlx::Error> {
        sqlx::query(
            "SELECT at_ms, n, subject FROM user_activity \
             WHERE user_id = $1 AND kind = $2 AND at_ms >= $3 ORDER BY at_ms",
        )
        .bind(user.to_string())
        .bind(kind)
        .bind(since_ms)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("at_ms")?, r.try_get("n")?, r.try_get("subject")?)))
        .collect()
    }

    /// Forgets activity older than `before_ms`.
    pub async fn prune_activity(&self, before_ms: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM user_activity WHERE at_ms < $1")
            .bind(before_ms)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Every delivery of the alerts among `ids`.
    pub async fn deliveries(&self, ids: &[AlertId]) -> Result<Vec<DeliveryRow>, sqlx::Error> {
        let mut out = Vec::new();
        for chunk in ids.chunks(100) {
            let sql = format!(
                "SELECT alert_id, channel, status, attempts, next_attempt_ms, last_error \
                 FROM alert_deliveries WHERE alert_id IN {} ORDER BY channel",
                super::records::placeholders_for(self.kind(), 1, chunk.len())
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.to_string());
            }
            for row in q.fetch_all(self.pool()).await? {
                out.push(delivery_from(&row)?);
            }
        }
        Ok(out)
    }

    /// Deliveries due at `now_ms`, oldest first.
    pub async fn due_deliveries(
        &self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>, sqlx::Error> {
        sqlx::query(
            "SELECT alert_id, channel, status, attempts, next_attempt_ms, last_error \
             FROM alert_deliveries WHERE status = 'pending' AND next_attempt_ms <= $1 \
             ORDER BY next_attempt_ms LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(delivery_from)
        .collect()
    }

    /// Takes a due delivery's turn (so that one replica sends it): moves its next
    /// attempt to `lease_until_ms`; whether this caller got it.
    pub async fn claim_delivery(
        &self,
        d: &DeliveryRow,
        now_ms: i64,
        lease_until_ms: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE alert_deliveries SET next_attempt_ms = $4 WHERE alert_id = $1 AND channel = $2 \
             AND status = 'pending' AND next_attempt_ms <= $3",
        )
        .bind(d.alert_id.to_string())
        .bind(&d.channel)
        .bind(now_ms)
        .bind(lease_until_ms)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records an attempt: sent, to be tried again at `next_ms`, or failed for good.
    pub async fn delivery_attempted(
        &self,
        d: &DeliveryRow,
        status: &str,
        next_ms: Option<i64>,
        error: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE alert_deliveries SET status = $3, attempts = attempts + 1, \
             next_attempt_ms = $4, last_error = $5 WHERE alert_id = $1 AND channel = $2",
        )
        .bind(d.alert_id.to_string())
        .bind(&d.channel)
        .bind(status)
        .bind(next_ms)
        .bind(error)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The alert settings as stored (JSON) and the sealed webhook secret, if saved.
    pub async fn alert_settings_json(
        &self,
    ) -> Result<(Option<String>, Option<String>), sqlx::Error> {
        let get = |name: &'static str| async move {
            sqlx::query_scalar::<_, String>("SELECT value FROM org_settings WHERE name = $1")
                .bind(name)
                .fetch_optional(self.pool())
                .await
        };
        Ok((get("alerts").await?, get("alerts.webhook_secret").await?))
    }
}

impl Db {
    /// An org setting by name.
    pub async fn org_setting(&self, name: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar::<_, String>("SELECT value FROM org_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await
    }
}

/// Saves an org setting by name.
pub async fn save_setting(
    conn: &mut AnyConnection,
    name: &str,
    value: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO org_settings (name, value) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(name)
    .bind(value)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
