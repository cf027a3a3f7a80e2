//! Extractors that answer bad input in the application's error shape.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{rejection::JsonRejection, ConnectInfo, FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, StatusCode},
};
use serde::de::DeserializeOwned;
use shared::{api::error::ErrorCode, i18n::Locale};

use crate::{error::AppError, state::AppState};

/// The unit per-address limits count (rate limits, sign-in back-off and throttling): an
/// IPv4 address, or an IPv6 /64 (what one subscriber is usually given, and could cycle
/// through).
#[must_use]
pub fn address_group(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(std::net::Ipv6Addr::from(
            u128::from(v6) & !u128::from(u64::MAX),
        )),
        v4 @ IpAddr::V4(_) => v4,
    }
}

/// Like [`axum::Json`], but a rejected body comes back as an [`AppError`] with a
/// stable code (`invalid_json`, `unsupported_media_type`, `payload_too_large`).
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_body(req, state).await?;
        if holds_nul(&bytes) {
            return Err(nul_refused("body"));
        }
        parse(&bytes).map(AppJson)
    }
}

/// Whether JSON text holds the escape `\u0000`. No text field takes U+0000: PostgreSQL
/// cannot store it in a text column (a query binding it fails), so it is refused at the
/// door, alike on both databases, rather than as a 500 deep inside (issue #18). Raw
/// control bytes are not valid JSON, so this escape is its only spelling. Sync batches
/// (`LenientJson`) are not scanned: their texts are stored only sealed or as JSON.
fn holds_nul(bytes: &[u8]) -> bool {
    let mut from = 0;
    while let Some(at) = bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\\'))
    {
        let escape = from + at;
        if bytes.get(escape + 1) == Some(&b'u')
            && bytes.get(escape + 2..escape + 6) == Some(b"0000".as_slice())
        {
            return true;
        }
        // Past the backslash and the character it escapes (`\\` included).
        from = escape + 2;
    }
    false
}

fn nul_refused(place: &str) -> AppError {
    AppError::bad_request(format!(
        "The {place} holds the character U+0000, which no field accepts"
    ))
}

/// A body with parts that are each checked on their own (see [`Lenient`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct LenientJson<L>(pub L);

/// A type read from JSON strictly when it can be and leniently when it cannot: the
/// strict parse is the fast path for well-formed input, and only a body that fails it
/// is read again as `Self`, which keeps a malformed part as a value to refuse on its
/// own (a sync batch's malformed record) instead of refusing the whole body.
pub trait Lenient: DeserializeOwned {
    type Strict: DeserializeOwned;
    fn from_strict(strict: Self::Strict) -> Self;
}

impl<S, L> FromRequest<S> for LenientJson<L>
where
    L: Lenient,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_body(req, state).await?;
        match serde_json::from_slice::<L::Strict>(&bytes) {
            Ok(strict) => Ok(LenientJson(L::from_strict(strict))),
            Err(_) => parse(&bytes).map(LenientJson),
        }
    }
}

/// The body of a request that says it is JSON.
async fn json_body<S: Send + Sync>(req: Request, state: &S) -> Result<axum::body::Bytes, AppError> {
    if !json_content_type(req.headers()) {
        return Err(json_rejection(&JsonRejection::MissingJsonContentType(
            Default::default(),
        )));
    }
    axum::body::Bytes::from_request(req, state)
        .await
        .map_err(|rejection| json_rejection(&JsonRejection::from(rejection)))
}

/// Parses a JSON body with the plain parser; only a body that fails is parsed again
/// with axum's path tracking, to say where it went wrong (tracking every value of every
/// body is costly: docs/performance.md).
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    match serde_json::from_slice::<T>(bytes) {
        Ok(value) => Ok(value),
        Err(_) => match axum::Json::<T>::from_bytes(bytes) {
            Ok(axum::Json(value)) => Ok(value),
            Err(rejection) => Err(json_rejection(&rejection)),
        },
    }
}

/// Whether the request says its body is JSON (`application/json` or `application/*+json`,
/// parameters allowed), as axum's `Json` requires.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.split_once('/') {
        Some(("application", sub)) => sub == "json" || sub.ends_with("+json"),
        _ => false,
    }
}

fn json_rejection(rejection: &JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => AppError::client(
            ErrorCode::UnsupportedMediaType,
            "Send the body as JSON with Content-Type: application/json",
        ),
        JsonRejection::JsonSyntaxError(e) => AppError::client(
            ErrorCode::InvalidJson,
            format!("The body is not valid JSON: {}", e.body_text()),
        ),
        JsonRejection::JsonDataError(e) => AppError::client(
            ErrorCode::InvalidJson,
            format!(
                "The JSON does not have the expected shape: {}",
                e.body_text()
            ),
        ),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::client(ErrorCode::PayloadTooLarge, "The request body is too large")
        }
        other => AppError::client(ErrorCode::BadRequest, other.body_text()),
    }
}

/// Like [`axum::extract::Path`], but a path that cannot be read (say, bad percent-encoding)
/// is a 404 in the application's error shape: such a resource cannot exist.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppPath<T>(pub T);

impl<S, T> FromRequestParts<S> for AppPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| AppPath(value))
            .map_err(|_| AppError::not_found("No such resource"))
    }
}

/// Like [`axum::extract::Query`], but a query string that does not parse (`?limit=abc`)
/// is a `bad_request` in the API's JSON error shape rather than axum's plain text.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for AppQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // `%00` is U+0000 once decoded (see `holds_nul`).
        if parts.uri.query().is_some_and(|q| {
            q.as_bytes()
                .windows(3)
                .any(|w| w.eq_ignore_ascii_case(b"%00"))
        }) {
            return Err(nul_refused("query string"));
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| AppQuery(value))
            .map_err(|rejection| {
                // serde_urlencoded names the parameter and the problem, not the value.
                AppError::bad_request(format!(
                    "The query string is not valid: {}",
                    rejection.body_text()
                ))
            })
    }
}

/// The language the caller prefers, from `Accept-Language` (English when none fits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestLocale(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for RequestLocale {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Ok(RequestLocale(negotiate_accept_language(header)))
    }
}

/// Picks a locale from an `Accept-Language` value, honouring `q` weights (ties keep the
/// header's order; `q=0` means "not this one").
#[must_use]
pub fn negotiate_accept_language(header: &str) -> Locale {
    let mut tags: Vec<(&str, u16)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            // Weights have at most three decimals; compare them as integers.
            let weight = (q.clamp(0.0, 1.0) * 1000.0).round();
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let weight = weight as u16;
            (weight > 0 && !tag.is_empty()).then_some((tag, weight))
        })
        .collect();
    tags.sort_by_key(|t| std::cmp::Reverse(t.1));
    Locale::negotiate(tags.into_iter().map(|(tag, _)| tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_escape_of_u0000_is_found_and_nothing_else() {
        assert!(holds_nul(br#"{"name": "a\u0000b"}"#));
        assert!(holds_nul(br#"["\\\u0000"]"#));
        assert!(!holds_nul(br#"{"name": "a\\u0000b"}"#));
        assert!(holds_nul(br#"{"name": "\u00001"}"#));
        assert!(!holds_nul(br#"{"x": "\n\u0001\u1000"}"#));
        assert!(!holds_nul(br#"{"name": "\u0001\\"}"#));
        assert!(!holds_nul(b"\\"));
        assert!(!holds_nul(b"\\u000"));
    }

    #[test]
    fn accept_language_weights_are_honoured() {
        assert_eq!(negotiate_accept_language(""), Locale::En);
        assert_eq!(negotiate_accept_language("zh-CN"), Locale::ZhCn);
        assert_eq!(
            negotiate_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Locale::ZhCn
        );
        assert_eq!(negotiate_accept_language("en;q=0.5, zh-TW"), Locale::ZhCn);
        assert_eq!(negotiate_accept_language("fr, en-GB;q=0.7"), Locale::En);
        assert_eq!(negotiate_accept_language("zh;q=0, en;q=0.1"), Locale::En);
        assert_eq!(negotiate_accept_language("de;q=abc,*"), Locale::En);
    }
}

/// Where a request came from: the client's address and browser, for the audit log and
/// the sign-in throttle.
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
