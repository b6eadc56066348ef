//! The errors the emulator itself answers, before or around an action: the gateway's protocol,
//! identity and signature checks, the request size bound, the admin API, and persistence.
//!
//! Each carries its HTTP status, code and message through the library's [`ApiError`], so it is
//! written with exactly the same error body as a DeleteImage refusal. Sources are tagged as in
//! docs/contract.md: \[D\] documented, \[O\] observed from the real service, \[I\] our own decision.

use std::borrow::Cow;

use ecs_image_rules::ApiError;

/// An error the emulator answers on its own account (not one of an action's).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// 400 `MissingParameter`: `Action` or `Version` is absent (neither a parameter nor an
    /// `x-acs-*` header) [D, ECS common error table].
    #[error(
        "The input parameter \"{0}\" that is mandatory for processing this request is not supplied."
    )]
    MissingParameter(&'static str),
    /// 400 `InvalidVersion`: `Version` is not `2014-05-26` \[O\].
    #[error("Specified parameter Version is not valid.")]
    InvalidVersion,
    /// 404 `InvalidAction.NotFound`: no such action, or a path other than `/` [O code and
    /// message; I status 404].
    #[error("Specified api is not found, please check your url and method.")]
    ActionNotFound,
    /// 403 `UnsupportedHTTPMethod`: a method other than GET or POST on `/` [D code; I message].
    #[error("The specified HTTP method is not supported.")]
    UnsupportedHttpMethod,
    /// 400 `MissingAccessKeyId`: neither an `Authorization` header nor an `AccessKeyId`
    /// parameter \[O\].
    #[error("AccessKeyId is mandatory for this action.")]
    MissingAccessKeyId,
    /// 404 `InvalidAccessKeyId.NotFound`: the world holds no such access key [O, py-legacy log].
    #[error("Specified access key is not found.")]
    AccessKeyNotFound,
    /// 400 `IncompleteSignature`: an `Authorization` header that is not a well-formed
    /// `ACS3-HMAC-SHA256` one, or an RPC V1 request without `Signature` [D code; I message].
    #[error("The request signature does not conform to Aliyun standards.")]
    IncompleteSignature,
    /// 400 `InvalidParameter`: an RPC V1 `SignatureMethod` other than `HMAC-SHA1` \[I\].
    #[error("The specified parameter \"SignatureMethod\" is not valid.")]
    UnsupportedSignatureMethod,
    /// 400 `SignatureDoesNotMatch`: the signature is not the one the secret gives. The message
    /// ends with the server's string to sign after a `:`, as the real service writes it; the
    /// legacy Python client splits on that `:` \[O\].
    #[error(
        "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
    )]
    SignatureDoesNotMatch {
        /// The string to sign the emulator computed.
        string_to_sign: String,
    },
    /// 413 `RequestTooLarge`: the body is longer than the configured bound \[I\].
    #[error("The request body is larger than {limit} bytes.")]
    RequestTooLarge {
        /// The bound, in bytes.
        limit: usize,
    },
    /// 400 `InvalidParameter`: the body could not be read \[I\].
    #[error("The request body could not be read.")]
    UnreadableBody,
    /// 400 `InvalidWorld`: an admin `PUT /_emulator/world` body that is not a valid world \[I\].
    #[error("The world is not valid: {0}")]
    InvalidWorld(String),
    /// 400 `InvalidParameter`: an admin parameter that is not valid \[I\].
    #[error("The specified parameter \"{0}\" is not valid.")]
    InvalidAdminParameter(&'static str),
    /// 404 `InvalidTaskId.NotFound`: the admin API was asked to complete a task or an image's
    /// tasks and there is none \[I\].
    #[error("The specified task does not exist.")]
    AdminTaskNotFound,
    /// 405 `UnsupportedHTTPMethod`: an admin path with the wrong method \[I\].
    #[error("The method is not allowed on this admin path; allowed: {0}.")]
    AdminMethodNotAllowed(&'static str),
    /// 404 `NotFound`: an admin path that does not exist \[I\].
    #[error("No such admin path. See docs/emulator.md (Admin API) for the /_emulator/ paths.")]
    AdminPathNotFound,
    /// 500 `InternalError`: the state file could not be written; the request changed nothing
    /// [D code and message, ECS common error table].
    #[error("The request processing has failed due to some unknown error, exception or failure.")]
    PersistenceFailed,
    /// 500 `InternalError`: a server-side fault that is not the client's doing (a worker
    /// panicked); the request changed nothing [D code and message].
    #[error("The request processing has failed due to some unknown error, exception or failure.")]
    Internal,
}

impl ApiError for GatewayError {
    fn http_status(&self) -> u16 {
        use GatewayError::*;
        match self {
            MissingParameter(_)
            | InvalidVersion
            | MissingAccessKeyId
            | IncompleteSignature
            | UnsupportedSignatureMethod
            | SignatureDoesNotMatch { .. }
            | UnreadableBody
            | InvalidWorld(_)
            | InvalidAdminParameter(_) => 400,
            UnsupportedHttpMethod => 403,
            ActionNotFound | AccessKeyNotFound | AdminTaskNotFound | AdminPathNotFound => 404,
            AdminMethodNotAllowed(_) => 405,
            RequestTooLarge { .. } => 413,
            PersistenceFailed | Internal => 500,
        }
    }

    fn code(&self) -> &'static str {
        use GatewayError::*;
        match self {
            MissingParameter(_) => "MissingParameter",
            InvalidVersion => "InvalidVersion",
            ActionNotFound => "InvalidAction.NotFound",
            UnsupportedHttpMethod | AdminMethodNotAllowed(_) => "UnsupportedHTTPMethod",
            MissingAccessKeyId => "MissingAccessKeyId",
            AccessKeyNotFound => "InvalidAccessKeyId.NotFound",
            IncompleteSignature => "IncompleteSignature",
            UnsupportedSignatureMethod | UnreadableBody | InvalidAdminParameter(_) => {
                "InvalidParameter"
            }
            SignatureDoesNotMatch { .. } => "SignatureDoesNotMatch",
            RequestTooLarge { .. } => "RequestTooLarge",
            InvalidWorld(_) => "InvalidWorld",
            AdminTaskNotFound => "InvalidTaskId.NotFound",
            AdminPathNotFound => "NotFound",
            PersistenceFailed | Internal => "InternalError",
        }
    }

    fn message(&self) -> Cow<'static, str> {
        Cow::Owned(self.to_string())
    }
}
