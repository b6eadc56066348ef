//! DeleteImage on the wire (RPC style): parameters in, response bodies out.
//!
//! Parsing applies the spec's §1 parameter errors in the §1 order; the bodies serialize with
//! serde to exactly the documented shape (§4 success, §5 error: PascalCase keys, all five
//! fields). The library never reads a clock or a random source: request ids come from the
//! caller or from a [`RequestIdSequence`](crate::RequestIdSequence).

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, DeleteImageError, Parameter};
use crate::ids::{AccountId, ImageId, RegionId, RequestId};
use crate::profile::Profile;
use crate::rule::{DeleteImageRequest, Outcome};
use crate::store::ImageStore;

/// The parameters DeleteImage reads; everything else (Format, Version, Signature*, ...) is
/// ignored.
#[derive(Default)]
struct Raw<'a> {
    region_id: Option<&'a str>,
    image_id: Option<&'a str>,
    force: Option<&'a str>,
    dry_run: Option<&'a str>,
}

impl DeleteImageRequest {
    /// Parses RPC parameters (name, value pairs, as decoded from a query string or form).
    ///
    /// Parameter names are case-sensitive; when a name repeats, its first value counts \[I\].
    /// The §1 errors, checked in this order: `MissingRegionId` and `MissingImageId` for an
    /// absent or empty value; `InvalidParameter` for a region or image id that is not well
    /// formed \[I\], then for `Force` and `DryRun` values other than `true`/`false` in any ASCII
    /// case (an empty value counts as absent, i.e. false \[I\]). Whether the region exists is
    /// the store's question, answered by [`decide`](crate::decide).
    pub fn from_rpc_params<'a, I>(params: I) -> Result<Self, DeleteImageError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut raw = Raw::default();
        for (name, value) in params {
            let slot = match name {
                "RegionId" => &mut raw.region_id,
                "ImageId" => &mut raw.image_id,
                "Force" => &mut raw.force,
                "DryRun" => &mut raw.dry_run,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
        let present = |v: Option<&'a str>| v.filter(|s| !s.is_empty());
        let region_id = present(raw.region_id).ok_or(DeleteImageError::MissingRegionId)?;
        let image_id = present(raw.image_id).ok_or(DeleteImageError::MissingImageId)?;
        let invalid = DeleteImageError::InvalidParameter;
        Ok(Self {
            region_id: RegionId::new(region_id).map_err(|_| invalid(Parameter::RegionId))?,
            image_id: ImageId::new(image_id).map_err(|_| invalid(Parameter::ImageId))?,
            force: parse_bool(present(raw.force)).ok_or(invalid(Parameter::Force))?,
            dry_run: parse_bool(present(raw.dry_run)).ok_or(invalid(Parameter::DryRun))?,
        })
    }
}

/// `true`/`false` in any ASCII case (the Python SDKs send `True`) \[O\]; absent is false.
/// `None` means not a boolean.
fn parse_bool(value: Option<&str>) -> Option<bool> {
    match value {
        None => Some(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => None,
    }
}

/// The `HostId` of an error body: the regional ECS endpoint, or the central one when the
/// request names no known region \[I\].
pub fn host_id(region: Option<&RegionId>) -> String {
    match region {
        Some(region) => format!("ecs.{region}.aliyuncs.com"),
        None => "ecs.aliyuncs.com".to_owned(),
    }
}

/// The success body: `{"RequestId": "…"}` \[D\].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SuccessBody {
    /// The request id.
    pub request_id: RequestId,
}

/// The error body (spec §5): all five fields, capitalised, in the documented order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ErrorBody {
    /// The request id.
    pub request_id: RequestId,
    /// The endpoint that answered, e.g. `ecs.cn-hangzhou.aliyuncs.com`.
    pub host_id: String,
    /// The error code.
    pub code: String,
    /// The message.
    pub message: String,
    /// The troubleshooting link:
    /// `https://api.aliyun.com/troubleshoot?q=<Code>&product=Ecs&requestId=<RequestId>` \[D\].
    pub recommend: String,
}

impl ErrorBody {
    /// The body for an error, a request id and a host id (see [`host_id`]).
    pub fn new(error: &dyn ApiError, request_id: RequestId, host_id: String) -> Self {
        let code = error.code();
        Self {
            recommend: format!(
                "https://api.aliyun.com/troubleshoot?q={code}&product=Ecs&requestId={request_id}"
            ),
            request_id,
            host_id,
            code: code.to_owned(),
            message: error.message().into_owned(),
        }
    }
}

/// A response: the HTTP status and the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// The HTTP status: 200 on success.
    pub http_status: u16,
    /// The body.
    pub body: Body,
}

/// A response body, serialized as the bare success or error object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Body {
    /// `{"RequestId": …}`.
    Success(SuccessBody),
    /// The five-field error object.
    Error(ErrorBody),
}

impl Response {
    /// 200 with the success body.
    pub fn success(request_id: RequestId) -> Self {
        Self {
            http_status: 200,
            body: Body::Success(SuccessBody { request_id }),
        }
    }

    /// The error's status with the error body.
    pub fn error(error: &dyn ApiError, request_id: RequestId, host_id: String) -> Self {
        Self {
            http_status: error.http_status(),
            body: Body::Error(ErrorBody::new(error, request_id, host_id)),
        }
    }
}

/// Handles one DeleteImage call from RPC parameters to response: parse (§1), decide and apply
/// (§2 to §4), and write the body (§5). Returns the response and, when the call succeeded, what
/// it did. The error body's `HostId` names the request's region once it is known to exist,
/// the central endpoint before that \[I\].
pub fn delete_image<'a, I>(
    store: &mut ImageStore,
    caller: &AccountId,
    params: I,
    profile: &Profile,
    request_id: RequestId,
) -> (Response, Option<Outcome>)
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let (result, region) = match DeleteImageRequest::from_rpc_params(params) {
        Err(e) => (Err(e), None),
        Ok(request) => {
            let known = store.has_region(request.region_id.as_str());
            let region = known.then(|| request.region_id.clone());
            (store.delete_image(caller, &request, profile), region)
        }
    };
    match result {
        Ok(outcome) => (Response::success(request_id), Some(outcome)),
        Err(e) => (
            Response::error(&e, request_id, host_id(region.as_ref())),
            None,
        ),
    }
}
