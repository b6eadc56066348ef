//! Who may reach what, decided from the connection and the headers before a body is read: the
//! admin API's gate, and the cross-site guard for actions under `--no-auth`.
//!
//! A browser is the threat the signature cannot cover. The admin API has no signature, and under
//! `--no-auth` neither do actions, so any web page the user opens could otherwise drive the
//! emulator through the user's browser: a "simple" cross-site `POST` (a form, or `fetch` in
//! `no-cors` mode) is sent without a CORS preflight, and DNS rebinding lets a page read
//! answers from `127.0.0.1` under a name of its own. Browsers mark both: a cross-site request
//! carries an `Origin` (every `POST`) and `Sec-Fetch-Site: cross-site`, and a rebound page's
//! requests carry its own name in `Host`. Real SDKs and test harnesses send none of these.
//!
//! The rules \[I\]:
//!
//! | request | refused when |
//! |---|---|
//! | admin, listen address not loopback, no admin token | always: the admin API is off there |
//! | admin, an admin token is set | `Authorization: Bearer <token>` is absent or wrong |
//! | admin, no admin token (loopback listen address) | the client is not loopback, or `Host` names neither a loopback address, `localhost`, nor the listen address |
//! | admin | a foreign `Origin`, or `Sec-Fetch-Site: cross-site` |
//! | admin, `POST`/`PUT`/`DELETE` | `Content-Type` is `text/plain`, `application/x-www-form-urlencoded` or `multipart/form-data` (what a browser sends cross-site without asking) |
//! | action under `--no-auth` | a foreign `Origin`, `Sec-Fetch-Site: cross-site`, or a `text/plain` or `multipart/form-data` body (the SDKs send form bodies, so that one type stays) |
//!
//! An `Origin` is foreign unless its host is a loopback address, `localhost`, or the listen
//! address.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, Method, header};
use sha2::{Digest, Sha256};

/// Why the gateway refused a request before reading it (403 `Forbidden` \[I\]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Denial {
    /// The listen address is not loopback and no admin token is set: the admin API is off.
    AdminOff,
    /// An admin token is set and the request does not present it.
    AdminToken,
    /// An admin request from a client that is not on this machine.
    RemoteClient,
    /// An admin request whose `Host` is not this machine's (DNS rebinding).
    ForeignHost,
    /// A request with an `Origin` of another site, or `Sec-Fetch-Site: cross-site`.
    CrossSite,
    /// A state-changing request with a content type a browser sends cross-site unasked.
    BrowserContentType,
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Denial::AdminOff => {
                "The admin API is off: the emulator listens on a non-loopback address and no admin token is set (--admin-token)."
            }
            Denial::AdminToken => {
                "The admin API needs the admin token: send Authorization: Bearer <token>."
            }
            Denial::RemoteClient => "The admin API answers clients on this machine only.",
            Denial::ForeignHost => {
                "The Host header names neither this machine nor the listen address."
            }
            Denial::CrossSite => "Cross-site requests are refused (Origin or Sec-Fetch-Site).",
            Denial::BrowserContentType => {
                "This content type is refused here (a browser sends it cross-site): send application/json, or no body."
            }
        })
    }
}

/// The gate's settings: where the server listens and the admin token, if any.
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    listen: SocketAddr,
    /// SHA-256 of the token: compared digest to digest, so the comparison's time tells nothing
    /// about the token.
    token: Option<[u8; 32]>,
}

impl Gate {
    pub(crate) fn new(listen: SocketAddr, token: Option<&str>) -> Self {
        Self {
            listen,
            token: token.map(|t| Sha256::digest(t.as_bytes()).into()),
        }
    }

    /// Whether an admin request may go on.
    pub(crate) fn admin(
        &self,
        peer: Option<SocketAddr>,
        method: &Method,
        headers: &HeaderMap,
    ) -> Result<(), Denial> {
        match &self.token {
            None if !is_loopback(self.listen.ip()) => return Err(Denial::AdminOff),
            None => {
                if !peer.is_some_and(|p| is_loopback(p.ip())) {
                    return Err(Denial::RemoteClient);
                }
                let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
                if !host.is_some_and(|h| self.is_local_name(host_part(h))) {
                    return Err(Denial::ForeignHost);
                }
            }
            Some(token) => {
                let presented = headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .map(|t| <[u8; 32]>::from(Sha256::digest(t.trim().as_bytes())));
                if presented.as_ref() != Some(token) {
                    return Err(Denial::AdminToken);
                }
            }
        }
        self.same_site(headers)?;
        let changes_state = [Method::POST, Method::PUT, Method::DELETE, Method::PATCH];
        if changes_state.contains(method) && browser_simple(headers, true) {
            return Err(Denial::BrowserContentType);
        }
        Ok(())
    }

    /// Whether an action request may go on under `--no-auth`.
    pub(crate) fn unsigned_action(&self, headers: &HeaderMap) -> Result<(), Denial> {
        self.same_site(headers)?;
        if browser_simple(headers, false) {
            return Err(Denial::BrowserContentType);
        }
        Ok(())
    }

    fn same_site(&self, headers: &HeaderMap) -> Result<(), Denial> {
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        if fetch_site.is_some_and(|s| s.eq_ignore_ascii_case("cross-site")) {
            return Err(Denial::CrossSite);
        }
        let Some(origin) = headers.get(header::ORIGIN) else {
            return Ok(());
        };
        let host = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .map(|(_, rest)| host_part(rest));
        match host {
            Some(host) if self.is_local_name(host) => Ok(()),
            _ => Err(Denial::CrossSite),
        }
    }

    /// `localhost`, a loopback address, or the listen address.
    fn is_local_name(&self, host: &str) -> bool {
        if host.eq_ignore_ascii_case("localhost") {
            return true;
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        match bare.parse::<IpAddr>() {
            Ok(ip) => is_loopback(ip) || (ip == self.listen.ip() && !ip.is_unspecified()),
            Err(_) => false,
        }
    }
}

/// Loopback, including an IPv4 loopback address mapped into IPv6 (a dual-stack listener).
pub(crate) fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// The host of `host[:port]`, `[v6]` or `[v6]:port`.
fn host_part(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority
            .find(']')
            .map_or(authority, |end| &authority[..=end]);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// Whether the body's content type is one a browser may send cross-site without a preflight:
/// `text/plain` and `multipart/form-data`, and with `form_too` also
/// `application/x-www-form-urlencoded`.
fn browser_simple(headers: &HeaderMap, form_too: bool) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("text/plain")
        || essence.eq_ignore_ascii_case("multipart/form-data")
        || (form_too && essence.eq_ignore_ascii_case("application/x-www-form-urlencoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local_request(host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, host.parse().unwrap());
        headers
    }

    #[test]
    fn the_admin_api_answers_loopback_clients_only() {
        let gate = Gate::new("127.0.0.1:8080".parse().unwrap(), None);
        let headers = local_request("127.0.0.1:8080");
        let from = |peer: &str| gate.admin(Some(peer.parse().unwrap()), &Method::GET, &headers);
        assert_eq!(from("127.0.0.1:50000"), Ok(()));
        assert_eq!(from("[::1]:50000"), Ok(()));
        // A dual-stack listener sees an IPv4 client as a mapped IPv6 address.
        assert_eq!(from("[::ffff:127.0.0.1]:50000"), Ok(()));
        assert_eq!(from("192.168.1.20:50000"), Err(Denial::RemoteClient));
        assert_eq!(from("[::ffff:10.0.0.7]:50000"), Err(Denial::RemoteClient));
        assert_eq!(
            gate.admin(None, &Method::GET, &headers),
            Err(Denial::RemoteClient)
        );
    }

    #[test]
    fn hosts_of_this_machine_are_loopback_localhost_and_the_listen_address() {
        let gate = Gate::new("10.1.2.3:8080".parse().unwrap(), Some("t"));
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.9.9.9",
            "[::1]",
            "10.1.2.3",
        ] {
            assert!(gate.is_local_name(host), "{host}");
        }
        for host in [
            "attacker.example",
            "10.1.2.4",
            "[::2]",
            "localhost.attacker.example",
            "",
        ] {
            assert!(!gate.is_local_name(host), "{host}");
        }
        // An unspecified listen address names no host.
        let any = Gate::new("0.0.0.0:8080".parse().unwrap(), None);
        assert!(!any.is_local_name("0.0.0.0"));
        assert_eq!(host_part("[::1]:8080"), "[::1]");
        assert_eq!(host_part("example:80"), "example");
        assert_eq!(host_part("example"), "example");
    }
}
