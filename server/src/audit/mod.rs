//! The tamper-evident audit log: recording events, signing the chain's head, and
//! verifying the whole chain (see `shared::audit` for the hash chain itself).

pub mod handlers;

use std::{
    net::{IpAddr, SocketAddr},
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{header, request::Parts},
};
use shared::{
    audit::{verify_chain, AuditHead, ChainReport},
    consent::{PublishedKey, PublishedKeySet},
};
use sqlx::AnyConnection;

use crate::{
    auth::Principal,
    keys::SigningKeys,
    state::AppState,
    store::{
        audit::{append, NewAuditEntry},
        now_ms, Db,
    },
};

/// Where a request came from, for the audit log.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The client's address. The socket's peer, unless the peer is one of the `trusted`
/// proxies: then the `X-Forwarded-For` chain is read from the right (each proxy
/// appends the address it received from) and the first address that is not a trusted
/// proxy is the client. An entry that is not an address ends the walk at the last
/// trusted hop, so a client cannot pass off a made-up address as its own. IPv4 addresses
/// mapped into IPv6 are given as IPv4.
#[must_use]
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &[ipnet::IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    let hops: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|header| header.split(','))
        .collect();
    for hop in hops.into_iter().rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = ip.to_canonical();
        if !is_trusted(&client) {
            break;
        }
    }
    client
}

impl FromRequestParts<AppState> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| {
                client_ip(addr.ip(), forwarded, &state.config.trusted_proxies).to_string()
            });
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(256).collect());
        Ok(Origin { ip, user_agent })
    }
}

/// One event to record.
pub struct Event<'a> {
    pub action: &'a str,
    pub actor: Option<&'a Principal>,
    /// The kind of thing acted on and its id.
    pub target: Option<(&'a str, String)>,
    /// References only (ids, hashes, counts): never personal data.
    pub details: serde_json::Value,
}

impl<'a> Event<'a> {
    #[must_use]
    pub fn new(action: &'a str, actor: Option<&'a Principal>) -> Self {
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

    fn into_entry(self, origin: &Origin, actor_override: Option<(&str, &str)>) -> NewAuditEntry {
        let (actor_id, actor_role) = match (self.actor, actor_override) {
            (Some(p), _) => (
                Some(p.user.id.to_string()),
                Some(p.role().as_str().to_owned()),
            ),
            (None, Some((id, role))) => (Some(id.to_owned()), Some(role.to_owned())),
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
    actor: Option<(&str, &str)>,
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
    Ok(verify_chain(&entries, &heads, |id| {
        published.find(id).map(|k| k.public_key.as_str())
    }))
}

/// Signs the head every `period` until the server stops.
pub fn spawn_head_signer(state: &AppState, period: Duration) -> tokio::task::JoinHandle<()> {
    let db = state.db.clone();
    let keys = state.keys.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sign_head(&db, &keys).await {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod client_ip_tests {
    use super::client_ip;

    fn ip(text: &str) -> std::net::IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_forwarded_address_counts_only_through_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // No proxy trusted, or a peer that is not one: the header is ignored.
        assert_eq!(
            client_ip(ip("10.0.0.2"), ["203.0.113.7"], &[]),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_ip(ip("198.51.100.1"), ["203.0.113.7"], &trusted),
            ip("198.51.100.1")
        );
        // Through a trusted proxy: the nearest untrusted address, from the right; what
        // the client wrote further left is not believed.
        assert_eq!(
            client_ip(ip("10.0.0.2"), ["1.2.3.4, 203.0.113.7"], &trusted),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_ip(
                ip("10.0.0.2"),
                ["1.2.3.4", "203.0.113.7, 10.0.0.9"],
                &trusted
            ),
            ip("203.0.113.7")
        );
        // Nothing usable forwarded: the last trusted hop.
        assert_eq!(client_ip(ip("10.0.0.2"), [], &trusted), ip("10.0.0.2"));
        assert_eq!(
            client_ip(ip("10.0.0.2"), ["1.2.3.4, junk, 10.0.0.5"], &trusted),
            ip("10.0.0.5")
        );
        // Only proxies in the chain: the leftmost of them.
        assert_eq!(
            client_ip(ip("10.0.0.2"), ["10.1.1.1, 10.0.0.5"], &trusted),
            ip("10.1.1.1")
        );
        // IPv4-mapped IPv6 peers and hops are IPv4.
        assert_eq!(
            client_ip(ip("::ffff:10.0.0.2"), ["::ffff:203.0.113.7"], &trusted),
            ip("203.0.113.7")
        );
    }
}
