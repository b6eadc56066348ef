//! The errors the emulator itself answers, before or around an action: the gateway's protocol,
//! identity and signature checks, the request size bound, proxy mode, the admin API, the
//! service errors fault rules inject, and persistence.
//!
//! Each is one value with one answer on the wire (HTTP status, code and message, written once in
//! [`GatewayError`]'s table) through the library's [`ApiError`], so it is written with exactly
//! the same error body as a DeleteImage refusal. Sources are tagged as in
//! docs/contract.md: \[D\] documented, \[O\] observed from the real service, \[I\] our own decision.

use std::borrow::Cow;
use std::fmt;

use ecs_image_rules::{ApiError, Error};

use crate::access::Denial;

/// An error the emulator answers on its own account (not one of an action's).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GatewayError {
    /// 400 `MissingParameter`: `Action` or `Version` is absent (neither a parameter nor an
    /// `x-acs-*` header) [D, ECS common error table].
    MissingParameter(&'static str),
    /// 400 `InvalidVersion`: `Version` is not `2014-05-26` \[O\].
    InvalidVersion,
    /// 404 `InvalidAction.NotFound`: no such action, or a path other than `/` [O code and
    /// message; I status 404].
    ActionNotFound,
    /// 400 `Emulator.ActionNotEmulated`: an action ECS has (emulator/declared) that the emulator
    /// does not answer; the message names it \[I\]. Not `InvalidAction.NotFound`, which says the
    /// name is no API at all, and not a 404, which Terraform reads as "the resource is gone";
    /// not a 5xx either, which the Go SDK retries.
    ActionNotEmulated(&'static str),
    /// 400 `Emulator.ParameterNotModelled`: a parameter the real action declares but the
    /// emulator does not model, named as it was sent; refused rather than ignored, since
    /// answering as if it were absent would answer another question \[I\].
    ParameterNotModelled {
        /// The action.
        action: &'static str,
        /// The parameter, as the request named it (`Tag.1.Key`).
        parameter: String,
    },
    /// 403 `UnsupportedHTTPMethod`: a method other than GET or POST on `/` [D code; I message].
    UnsupportedHttpMethod,
    /// 400 `MissingAccessKeyId`: neither an `Authorization` header nor an `AccessKeyId`
    /// parameter \[O\].
    MissingAccessKeyId,
    /// 404 `InvalidAccessKeyId.NotFound`: the world holds no such access key [O, py-legacy log].
    AccessKeyNotFound,
    /// 400 `IncompleteSignature`: an `Authorization` header that is not a well-formed
    /// `ACS3-HMAC-SHA256` one, or an RPC V1 request without `Signature` [D code; I message].
    IncompleteSignature,
    /// 400 `InvalidParameter`: an RPC V1 `SignatureMethod` other than `HMAC-SHA1` \[I\].
    UnsupportedSignatureMethod,
    /// 400 `SignatureDoesNotMatch`: the signature is not the one the secret gives. The message
    /// ends with the server's string to sign after a `:`, as the real service writes it; the
    /// legacy Python client splits on that `:` \[O\].
    SignatureDoesNotMatch {
        /// The string to sign the emulator computed.
        string_to_sign: String,
    },
    /// 413 `RequestTooLarge`: the body is longer than the configured bound \[I\].
    RequestTooLarge {
        /// The bound, in bytes.
        limit: usize,
    },
    /// 400 `InvalidParameter`: the body could not be read \[I\].
    UnreadableBody,
    /// 400 `InvalidParameter`: more parameters than the bound (1,000, query and form body
    /// together), refused before the signature is checked \[I\].
    TooManyParameters {
        /// The bound.
        limit: usize,
    },
    /// 400 `InvalidWorld`: an admin `PUT /_emulator/world` body that is not a valid world \[I\].
    InvalidWorld(String),
    /// 400 `InvalidParameter`: an admin parameter (not one of ECS's) that is not valid \[I\].
    InvalidAdminParameter(&'static str),
    /// 404 `InvalidTaskId.NotFound`: the admin API was asked to complete a task or an image's
    /// tasks and there is none \[I\].
    AdminTaskNotFound,
    /// 405 `UnsupportedHTTPMethod`: an admin path with the wrong method \[I\].
    AdminMethodNotAllowed(&'static str),
    /// 404 `NotFound`: an admin path that does not exist \[I\].
    AdminPathNotFound,
    /// 400 `IncompleteSignature`: an ACS3 `SignedHeaders` that leaves out a header the emulator
    /// acts on, so that changing it would not break the signature [D: the common request
    /// headers present must be signed; I: the code, and the set required, see
    /// docs/security.md].
    UnsignedHeader(&'static str),
    /// 400 `SignatureNonceUsed`, "Specified signature nonce was used already.": with replay
    /// protection on, a nonce used within twice the window [O: the real gateway's code and
    /// message, as clients handle them].
    SignatureNonceUsed,
    /// 400 `InvalidTimeStamp.Expired`, "Specified time stamp or date value is expired.": with
    /// replay protection on, a `Timestamp` or `x-acs-date` more than the window away from the
    /// server's clock [D, OpenAPI client-side errors].
    TimestampExpired,
    /// 400 `InvalidTimeStamp.Format`, "Specified time stamp or date value is not well
    /// formatted.": with replay protection on, a `Timestamp` or `x-acs-date` that is not an
    /// RFC 3339 time [D, OpenAPI client-side errors].
    TimestampFormat,
    /// 403 `Forbidden`: the gateway's access rules refuse the request before it is read (the
    /// admin API's gate; the cross-site guard under `--no-auth`); the message is the
    /// [`Denial`]'s \[I\].
    Denied(Denial),
    /// 408 `RequestTimeout`: the body did not arrive within the body-read timeout \[I\].
    BodyTimeout(std::time::Duration),
    /// 500 `InternalError`, "The request processing has failed due to some unknown error,
    /// exception or failure.": a server-side fault that is not the client's doing (the state
    /// file could not be written, a worker panicked, a fault rule injected it); the request
    /// changed nothing [D code and message, ECS common error table].
    Internal,
    /// A refusal in the library's vocabulary (e.g. an admin `TaskId` that is not a valid id),
    /// answered exactly as the library answers it.
    Library(Error),
    /// 400 `Throttling`: injected by a fault rule [D, ECS common error table].
    Throttling,
    /// 400 `Throttling.User`: the gateway's per-user flow control, injected by a fault rule
    /// [D code and message, other products' pages; O status, a public Q&A thread].
    ThrottlingUser,
    /// 400 `UnknownError`: injected by a fault rule [D, ECS common error table].
    UnknownError,
    /// 503 `ServiceUnavailable`: injected by a fault rule [D, ECS common error table].
    ServiceUnavailable,
    /// 501 `UnsupportedProxyMethod`: `CONNECT`, i.e. HTTPS through the emulator as a proxy \[I\].
    ProxyConnect,
    /// 502 `InvalidProxyHost`: a request in proxy (absolute) form for a host that is not an ECS
    /// endpoint \[I\].
    ProxyHostNotEcs,
}

impl From<Error> for GatewayError {
    fn from(error: Error) -> Self {
        GatewayError::Library(error)
    }
}

impl GatewayError {
    /// The answer on the wire: the one table of (status, code, message).
    fn answer(&self) -> (u16, &'static str, Cow<'static, str>) {
        use Cow::{Borrowed as B, Owned as O};
        use GatewayError::*;
        match self {
            MissingParameter(name) => (
                400,
                "MissingParameter",
                O(format!(
                    "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
                )),
            ),
            InvalidVersion => (
                400,
                "InvalidVersion",
                B("Specified parameter Version is not valid."),
            ),
            ActionNotFound => (
                404,
                "InvalidAction.NotFound",
                B("Specified api is not found, please check your url and method."),
            ),
            ActionNotEmulated(action) => (
                400,
                "Emulator.ActionNotEmulated",
                O(format!(
                    "The action \"{action}\" exists in ECS 2014-05-26 but this emulator does not emulate it; see docs/coverage.md."
                )),
            ),
            ParameterNotModelled { action, parameter } => (
                400,
                "Emulator.ParameterNotModelled",
                O(format!(
                    "The parameter \"{parameter}\" of {action} is declared by ECS but not modelled by this emulator, so it is refused rather than ignored; see docs/coverage.md."
                )),
            ),
            UnsupportedHttpMethod => (
                403,
                "UnsupportedHTTPMethod",
                B("The specified HTTP method is not supported."),
            ),
            MissingAccessKeyId => (
                400,
                "MissingAccessKeyId",
                B("AccessKeyId is mandatory for this action."),
            ),
            AccessKeyNotFound => (
                404,
                "InvalidAccessKeyId.NotFound",
                B("Specified access key is not found."),
            ),
            IncompleteSignature => (
                400,
                "IncompleteSignature",
                B("The request signature does not conform to Aliyun standards."),
            ),
            UnsupportedSignatureMethod => (
                400,
                "InvalidParameter",
                B("The specified parameter \"SignatureMethod\" is not valid."),
            ),
            SignatureDoesNotMatch { string_to_sign } => (
                400,
                "SignatureDoesNotMatch",
                O(format!(
                    "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
                )),
            ),
            RequestTooLarge { limit } => (
                413,
                "RequestTooLarge",
                O(format!("The request body is larger than {limit} bytes.")),
            ),
            UnreadableBody => (
                400,
                "InvalidParameter",
                B("The request body could not be read."),
            ),
            TooManyParameters { limit } => (
                400,
                "InvalidParameter",
                O(format!("The request has more than {limit} parameters.")),
            ),
            InvalidWorld(why) => (
                400,
                "InvalidWorld",
                O(format!("The world is not valid: {why}")),
            ),
            InvalidAdminParameter(name) => (
                400,
                "InvalidParameter",
                O(format!("The specified parameter \"{name}\" is not valid.")),
            ),
            AdminTaskNotFound => (
                404,
                "InvalidTaskId.NotFound",
                B("The specified task does not exist."),
            ),
            AdminMethodNotAllowed(allowed) => (
                405,
                "UnsupportedHTTPMethod",
                O(format!(
                    "The method is not allowed on this admin path; allowed: {allowed}."
                )),
            ),
            AdminPathNotFound => (
                404,
                "NotFound",
                B(
                    "No such admin path. See docs/emulator.md (Admin API) for the /_emulator/ paths.",
                ),
            ),
            Library(error) => (error.http_status(), error.code(), error.message()),
            UnsignedHeader(name) => (
                400,
                "IncompleteSignature",
                O(format!(
                    "The request signature does not conform to Aliyun standards: SignedHeaders must include \"{name}\"."
                )),
            ),
            SignatureNonceUsed => (
                400,
                "SignatureNonceUsed",
                B("Specified signature nonce was used already."),
            ),
            TimestampExpired => (
                400,
                "InvalidTimeStamp.Expired",
                B("Specified time stamp or date value is expired."),
            ),
            TimestampFormat => (
                400,
                "InvalidTimeStamp.Format",
                B("Specified time stamp or date value is not well formatted."),
            ),
            Denied(denial) => (403, "Forbidden", O(denial.to_string())),
            BodyTimeout(limit) => (
                408,
                "RequestTimeout",
                O(format!(
                    "The request body did not arrive within {}.",
                    humantime::format_duration(*limit)
                )),
            ),
            Internal => (
                500,
                "InternalError",
                B(
                    "The request processing has failed due to some unknown error, exception or failure.",
                ),
            ),
            Throttling => (
                400,
                "Throttling",
                B(
                    "You have made too many requests within a short time; your request is denied due to request throttling.",
                ),
            ),
            ThrottlingUser => (
                400,
                "Throttling.User",
                B("Request was denied due to user flow control."),
            ),
            UnknownError => (
                400,
                "UnknownError",
                B("The request processing has failed due to some unknown error."),
            ),
            ServiceUnavailable => (
                503,
                "ServiceUnavailable",
                B("The request has failed due to a temporary failure of the server."),
            ),
            ProxyConnect => (
                501,
                "UnsupportedProxyMethod",
                B(
                    "The emulator serves ECS over plain HTTP only: HTTPS through it as a proxy (CONNECT) is not supported. Use an http:// endpoint, or HTTP_PROXY with the http protocol.",
                ),
            ),
            ProxyHostNotEcs => (
                502,
                "InvalidProxyHost",
                B(
                    "The emulator proxies ECS hosts only (ecs.aliyuncs.com, ecs-<region>.aliyuncs.com, ecs.<region>.aliyuncs.com).",
                ),
            ),
        }
    }
}

impl ApiError for GatewayError {
    fn http_status(&self) -> u16 {
        self.answer().0
    }

    fn code(&self) -> &'static str {
        self.answer().1
    }

    fn message(&self) -> Cow<'static, str> {
        self.answer().2
    }
}

impl fmt::Display for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.answer().2)
    }
}

impl std::error::Error for GatewayError {}
