//! The tamper-evident audit log: recording events, signing the chain's head, and
//! verifying the whole chain (see `shared::audit` for the hash chain itself).

pub mod actors;
pub mod handlers;
pub mod reasons;

use shared::ids::UserId;
use std::{sync::Arc, time::Duration};

use shared::{
    api::auth::CurrentUser,
    audit::{verify_chain, AuditEntry, AuditHead, ChainReport},
    consent::{PublishedKey, PublishedKeySet},
};
use sqlx::AnyConnection;

use crate::{
    error::AppResult,
    extract::Origin,
    keys::{KeyRing, SigningKeys},
    store::{
        audit::{append, NewAuditEntry},
        now_ms, Db,
    },
};

/// One event to record.
pub struct Event<'a> {
    pub action: &'a str,
    /// The signed-in user who acted, if any.
    pub actor: Option<&'a CurrentUser>,
    /// The kind of thing acted on and its id.
    pub target: Option<(&'a str, String)>,
    /// References only (ids, hashes, counts): never personal data.
    pub details: serde_json::Value,
}

impl<'a> Event<'a> {
    #[must_use]
    pub fn new(action: &'a str, actor: Option<&'a CurrentUser>) -> Self {
        Self {
            action,
            actor,
            target: None,
            details: serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    #[must_use]
    pub fn target(mut self, kind: &'a str, id: impl std::fmt::Display) -> Self {
        self.target = Some((kind, id.to_string()));
        self
    }

    #[must_use]
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    fn into_entry(self, origin: &Origin, actor_override: Option<(UserId, &str)>) -> NewAuditEntry {
        let (actor_id, actor_role) = match (self.actor, actor_override) {
            (Some(user), _) => (
                Some(user.id.to_string()),
                Some(user.role.as_str().to_owned()),
            ),
            (None, Some((id, role))) => (Some(id.to_string()), Some(role.to_owned())),
            (None, None) => (None, None),
        };
        let (target_kind, target_id) = match self.target {
            Some((kind, id)) => (Some(kind.to_owned()), Some(id)),
            None => (None, None),
        };
        NewAuditEntry {
            at_ms: now_ms(),
            actor_id,
            actor_role,
            action: self.action.to_owned(),
            target_kind,
            target_id,
            ip: origin.ip.clone(),
            user_agent: origin.user_agent.clone(),
            details: self.details,
        }
    }
}

/// Records `event` on `conn`, inside the transaction of the change it describes.
pub async fn record(
    conn: &mut AnyConnection,
    origin: &Origin,
    event: Event<'_>,
) -> Result<(), sqlx::Error> {
    append(conn, event.into_entry(origin, None))
        .await
        .map(|_| ())
}

/// Records `event` in a transaction of its own (for events that change nothing else),
/// naming an actor who is not (yet) a signed-in principal, such as a user signing in.
pub async fn record_alone(
    db: &Db,
    origin: &Origin,
    event: Event<'_>,
    actor: Option<(UserId, &str)>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    append(&mut tx, event.into_entry(origin, actor)).await?;
    tx.commit().await
}

/// Signs the chain's newest entry if no signed head covers it yet.
pub async fn sign_head(db: &Db, keys: &SigningKeys) -> Result<Option<AuditHead>, sqlx::Error> {
    let (seq, hash) = db.audit_chain_head().await?;
    if seq == 0 || db.last_signed_head_seq().await? >= seq {
        return Ok(None);
    }
    let head = AuditHead::sign(seq, &hash, now_ms(), keys.current_id(), keys.current());
    db.insert_audit_head(&head).await?;
    Ok(Some(head))
}

/// Checks the whole chain and every signed head against the published keys.
pub async fn verify(db: &Db, published: &PublishedKeySet) -> Result<ChainReport, sqlx::Error> {
    let entries = db.audit_all().await?;
    let heads = db.audit_heads().await?;
    Ok(check(&entries, &heads, published))
}

/// [`verify`] against this server's keys, read again first when a head names a key
/// they lack (one another replica made since this server last read them).
pub async fn verify_with(db: &Db, keys: &KeyRing) -> AppResult<ChainReport> {
    let entries = db.audit_all().await?;
    let heads = db.audit_heads().await?;
    let mut known = keys.snapshot();
    if let Some(head) = heads
        .iter()
        .find(|h| known.published().find(&h.key_id).is_none())
    {
        known = keys.knowing(&head.key_id).await?;
    }
    Ok(check(&entries, &heads, known.published()))
}

fn check(entries: &[AuditEntry], heads: &[AuditHead], published: &PublishedKeySet) -> ChainReport {
    verify_chain(entries, heads, |id| {
        published.find(id).map(|k| k.public_key.as_str())
    })
}

/// Signs the head every `period` until the server stops.
pub fn spawn_head_signer(
    db: Db,
    keys: Arc<KeyRing>,
    period: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // One replica signs (the database lease `audit-head`, renewed at each tick);
        // another takes over when it stops renewing.
        let holder = uuid::Uuid::new_v4().to_string();
        let lease_ms = i64::try_from(period.as_millis()).unwrap_or(30_000) * 3;
        loop {
            tick.tick().await;
            let leased = async {
                let mut conn = db.pool().acquire().await?;
                let now = now_ms();
                crate::store::retention::take_lease(
                    &mut conn,
                    "audit-head",
                    &holder,
                    now,
                    now + lease_ms,
                )
                .await
            }
            .await;
            match leased {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "could not take the head-signing lease");
                    continue;
                }
            }
            match sign_head(&db, &keys.snapshot()).await {
                Ok(Some(head)) => tracing::debug!(seq = head.seq, "signed the audit head"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "could not sign the audit head"),
            }
        }
    })
}

/// The public halves of every signing key in the database (no master key needed).
pub async fn published_keys(db: &Db) -> Result<PublishedKeySet, sqlx::Error> {
    Ok(PublishedKeySet {
        keys: db
            .server_keys()
            .await?
            .into_iter()
            .map(|r| PublishedKey {
                key_id: r.key_id,
                public_key: r.public_key,
                created_at_ms: r.created_at_ms,
                retired_at_ms: r.retired_at_ms,
            })
            .collect(),
    })
}
