//! Proxy mode: the emulator as an HTTP proxy for ECS, for tools that build their endpoint from
//! the region and have no endpoint setting, but honour `HTTP_PROXY`.
//!
//! A request in absolute form (`GET http://ecs-cn-hangzhou.aliyuncs.com/?Action=… HTTP/1.1`) for
//! an ECS host is served exactly as if it had been sent to the emulator itself: its path and
//! query are read as usual and the host is not forwarded anywhere. A request in absolute form
//! for any other host is refused (never answered as if it were ECS), and so is `CONNECT`: HTTPS
//! through the proxy would need a certificate for `*.aliyuncs.com` that the client trusts, which
//! the emulator does not make \[I\].

use std::borrow::Cow;

use axum::http::{Method, Uri};
use ecs_image_rules::ApiError;

/// Why a proxied request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProxyRefusal {
    /// 501 `UnsupportedProxyMethod`: `CONNECT`, i.e. HTTPS through the proxy \[I\].
    Connect,
    /// 502 `InvalidProxyHost`: a request in absolute form for a host that is not ECS \[I\].
    NotEcs,
}

impl ApiError for ProxyRefusal {
    fn http_status(&self) -> u16 {
        match self {
            ProxyRefusal::Connect => 501,
            ProxyRefusal::NotEcs => 502,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ProxyRefusal::Connect => "UnsupportedProxyMethod",
            ProxyRefusal::NotEcs => "InvalidProxyHost",
        }
    }

    fn message(&self) -> Cow<'static, str> {
        match self {
            ProxyRefusal::Connect => "The emulator serves ECS over plain HTTP only: HTTPS through it as a proxy (CONNECT) is not supported. Use an http:// endpoint or HTTP_PROXY with the http protocol.".into(),
            ProxyRefusal::NotEcs => "The emulator proxies ECS hosts only (ecs.aliyuncs.com, ecs-<region>.aliyuncs.com, ecs.<region>.aliyuncs.com).".into(),
        }
    }
}

/// Whether a request may go on: one in origin form, or in absolute form for an ECS host.
pub(crate) fn check(method: &Method, uri: &Uri) -> Result<(), ProxyRefusal> {
    if method == Method::CONNECT {
        return Err(ProxyRefusal::Connect);
    }
    match uri.host() {
        None => Ok(()),
        Some(host) if is_ecs_host(host) => Ok(()),
        Some(_) => Err(ProxyRefusal::NotEcs),
    }
}

/// `ecs.aliyuncs.com`, `ecs-<region>.aliyuncs.com` or `ecs.<region>.aliyuncs.com`, in any
/// ASCII case: the ECS endpoints the SDKs build from a region.
fn is_ecs_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let Some(name) = host.strip_suffix(".aliyuncs.com") else {
        return false;
    };
    if name == "ecs" {
        return true;
    }
    let region = name
        .strip_prefix("ecs-")
        .or_else(|| name.strip_prefix("ecs."));
    region.is_some_and(|r| {
        !r.is_empty()
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecs_hosts_in_each_form() {
        for host in [
            "ecs.aliyuncs.com",
            "ecs-cn-hangzhou.aliyuncs.com",
            "ecs.cn-hangzhou.aliyuncs.com",
            "ECS.AP-SOUTHEAST-1.aliyuncs.com",
        ] {
            assert!(is_ecs_host(host), "{host}");
        }
        for host in [
            "oss-cn-hangzhou.aliyuncs.com",
            "ecs.aliyuncs.com.evil.example",
            "ecs-.aliyuncs.com",
            "vpc.cn-hangzhou.aliyuncs.com",
            "ecs.cn.hangzhou.aliyuncs.com",
            "example.com",
        ] {
            assert!(!is_ecs_host(host), "{host}");
        }
    }
}
