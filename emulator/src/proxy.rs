//! Proxy mode: the emulator as an HTTP proxy for ECS, for tools that build their endpoint from
//! the region and have no endpoint setting, but honour `HTTP_PROXY`.
//!
//! A request in absolute form (`GET http://ecs-cn-hangzhou.aliyuncs.com/?Action=… HTTP/1.1`) for
//! an ECS host is served exactly as if it had been sent to the emulator itself: its path and
//! query are read as usual and the host is not forwarded anywhere. A request in absolute form
//! for any other host is refused (never answered as if it were ECS), and so is `CONNECT`: HTTPS
//! through the proxy would need a certificate for `*.aliyuncs.com` that the client trusts, which
//! the emulator does not make \[I\].

use axum::http::{Method, Uri};

use crate::error::GatewayError;

/// Whether a request may go on: one in origin form, or in absolute form for an ECS host.
pub(crate) fn check(method: &Method, uri: &Uri) -> Result<(), GatewayError> {
    if method == Method::CONNECT {
        return Err(GatewayError::ProxyConnect);
    }
    match uri.host() {
        None => Ok(()),
        Some(host) if is_ecs_host(host) => Ok(()),
        Some(_) => Err(GatewayError::ProxyHostNotEcs),
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
