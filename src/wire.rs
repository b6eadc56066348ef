//! DeleteImage and DeleteSnapshot on the wire (RPC style): parameters in, response bodies out.
//!
//! Parsing applies the parameter errors of docs/contract.md §1, in that order; the bodies serialize with
//! serde to exactly the documented shape (§4 success, §5 error: PascalCase keys, all five
//! fields). The library never reads a clock or a random source: request ids come from the
//! caller or from a [`RequestIdSequence`](crate::RequestIdSequence).

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Error, Parameter};
use crate::ids::{AccountId, ImageId, RegionId, RequestId, SnapshotId};
use crate::profile::Profile;
use crate::rule::{DeleteImageRequest, Outcome};
use crate::snapshot_rule::{DeleteSnapshotRequest, SnapshotOutcome};
use crate::store::ImageStore;

impl DeleteImageRequest {
    /// Parses RPC parameters (name, value pairs, as decoded from a query string or form).
    ///
    /// Parameter names are case-sensitive; when a name repeats, its first value counts
    /// ([`first_value`]) \[I\]. The §1 errors, checked in this order: `MissingRegionId` and
    /// `MissingImageId` for an absent or empty value; `InvalidParameter` for a region or image
    /// id that is not well formed \[I\], then for `Force` and `DryRun` values that are not
    /// booleans ([`parse_bool`]; an empty value counts as absent, i.e. false \[I\]). Whether the
    /// region exists is the store's question, answered by [`decide`](crate::decide).
    pub fn from_rpc_params<'a, I>(params: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let params: Vec<(&str, &str)> = params.into_iter().collect();
        Self::from_pairs(&params)
    }

    fn from_pairs(params: &[(&str, &str)]) -> Result<Self, Error> {
        let present = |name: &str| first_value(params, name).filter(|s| !s.is_empty());
        let region_id = present("RegionId").ok_or(Error::MissingParameter(Parameter::RegionId))?;
        let image_id = present("ImageId").ok_or(Error::MissingParameter(Parameter::ImageId))?;
        let invalid = Error::InvalidParameter;
        let flag = |parameter: Parameter| match present(parameter.name()) {
            None => Ok(false),
            Some(value) => parse_bool(value).ok_or(invalid(parameter)),
        };
        Ok(Self {
            region_id: RegionId::new(region_id).map_err(|_| invalid(Parameter::RegionId))?,
            image_id: ImageId::new(image_id).map_err(|_| invalid(Parameter::ImageId))?,
            force: flag(Parameter::Force)?,
            dry_run: flag(Parameter::DryRun)?,
        })
    }
}

impl DeleteSnapshotRequest {
    /// Parses RPC parameters (name, value pairs), with DeleteImage's reading rules: names are
    /// case-sensitive, a repeated name's first value counts, an empty value is absent. In this
    /// order: 400 `MissingParameter` (in the DeleteSnapshot table's words, [`Error::NotSupplied`])
    /// for an absent or empty `SnapshotId` \[D\]; `InvalidParameter` for a `SnapshotId` that is not
    /// a well-formed id, then for a `Force` that is not a boolean \[I\].
    pub fn from_rpc_params<'a, I>(params: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let params: Vec<(&str, &str)> = params.into_iter().collect();
        let present = |name: &str| first_value(&params, name).filter(|s| !s.is_empty());
        let snapshot_id = present(Parameter::SnapshotId.name())
            .ok_or(Error::NotSupplied(Parameter::SnapshotId))?;
        let snapshot_id = SnapshotId::new(snapshot_id)
            .map_err(|_| Error::InvalidParameter(Parameter::SnapshotId))?;
        let force = match present(Parameter::Force.name()) {
            None => false,
            Some(value) => parse_bool(value).ok_or(Error::InvalidParameter(Parameter::Force))?,
        };
        Ok(Self { snapshot_id, force })
    }
}

/// The value of a parameter: when its name repeats, the first value counts \[I\]. Names are
/// case-sensitive. An empty value is returned as it is (whether it counts as absent is the
/// reader's rule).
///
/// ```
/// use ecs_image_rules::wire::first_value;
///
/// let params = [("ImageId", "m-1"), ("imageid", "m-2"), ("ImageId", "m-3")];
/// assert_eq!(first_value(&params, "ImageId"), Some("m-1"));
/// assert_eq!(first_value(&params, "RegionId"), None);
/// ```
pub fn first_value<'p, N, V>(params: &'p [(N, V)], name: &str) -> Option<&'p str>
where
    N: AsRef<str>,
    V: AsRef<str>,
{
    params
        .iter()
        .find(|(n, _)| n.as_ref() == name)
        .map(|(_, v)| v.as_ref())
}

/// An RPC boolean: `true` or `false` in any ASCII case (the Python SDKs send `True`) \[O\].
/// `None` for any other value. Whether an absent value is false is the reader's rule
/// (DeleteImage's `Force` and `DryRun`: false).
///
/// ```
/// use ecs_image_rules::wire::parse_bool;
///
/// assert_eq!(parse_bool("True"), Some(true));
/// assert_eq!(parse_bool("FALSE"), Some(false));
/// assert_eq!(parse_bool("1"), None);
/// ```
pub fn parse_bool(value: &str) -> Option<bool> {
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The central endpoint: the `HostId` of an error about a request that names no region the
/// store knows \[I\].
const CENTRAL_HOST_ID: &str = "ecs.aliyuncs.com";

/// The `HostId` of an error body for a region already known to exist: its regional endpoint;
/// `None` gives the central one. For a request, use [`host_id_for`].
pub fn host_id(region: Option<&RegionId>) -> String {
    match region {
        Some(region) => regional_host_id(region.as_str()),
        None => CENTRAL_HOST_ID.to_owned(),
    }
}

/// The `HostId` of an error body for a request, whatever its action and whatever went wrong:
/// `ecs.<region>.aliyuncs.com` when the request's `RegionId` parameter (its first value,
/// `region_param`) names a region the store knows, else `ecs.aliyuncs.com` \[I\]. So a
/// parameter error in a request that names a known region still names that region.
///
/// ```
/// use ecs_image_rules::ImageStore;
/// use ecs_image_rules::wire::host_id_for;
///
/// let store = ImageStore::new();
/// assert_eq!(host_id_for(&store, Some("cn-hangzhou")), "ecs.cn-hangzhou.aliyuncs.com");
/// assert_eq!(host_id_for(&store, Some("xx-nowhere-1")), "ecs.aliyuncs.com");
/// assert_eq!(host_id_for(&store, None), "ecs.aliyuncs.com");
/// ```
pub fn host_id_for(store: &ImageStore, region_param: Option<&str>) -> String {
    match region_param.filter(|region| store.has_region(region)) {
        Some(region) => regional_host_id(region),
        None => CENTRAL_HOST_ID.to_owned(),
    }
}

fn regional_host_id(region: &str) -> String {
    format!("ecs.{region}.aliyuncs.com")
}

/// The success body: `{"RequestId": "…"}` \[D\].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SuccessBody {
    /// The request id.
    pub request_id: RequestId,
}

/// The error body (docs/contract.md §5): all five fields, capitalised, in the documented order.
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
/// it did. The error body's `HostId` is [`host_id_for`] the request's `RegionId` parameter, also
/// when parsing failed \[I\].
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
    let params: Vec<(&str, &str)> = params.into_iter().collect();
    let result = DeleteImageRequest::from_pairs(&params)
        .and_then(|request| store.delete_image(caller, &request, profile));
    match result {
        Ok(outcome) => (Response::success(request_id), Some(outcome)),
        // A refusal changes nothing, so the store still knows the regions it knew.
        Err(e) => {
            let host = host_id_for(store, first_value(&params, "RegionId"));
            (Response::error(&e, request_id, host), None)
        }
    }
}

/// Handles one DeleteSnapshot call from RPC parameters to response, as [`delete_image`] does
/// for DeleteImage: parse ([`DeleteSnapshotRequest::from_rpc_params`]), decide and apply, write
/// the body. The error body's `HostId` is [`host_id_for`] a `RegionId` parameter the request may
/// carry although DeleteSnapshot declares none \[I\].
pub fn delete_snapshot<'a, I>(
    store: &mut ImageStore,
    caller: &AccountId,
    params: I,
    profile: &Profile,
    request_id: RequestId,
) -> (Response, Option<SnapshotOutcome>)
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let params: Vec<(&str, &str)> = params.into_iter().collect();
    let result = DeleteSnapshotRequest::from_rpc_params(params.iter().copied())
        .and_then(|request| store.delete_snapshot(caller, &request, profile));
    match result {
        Ok(outcome) => (Response::success(request_id), Some(outcome)),
        Err(e) => {
            let host = host_id_for(store, first_value(&params, "RegionId"));
            (Response::error(&e, request_id, host), None)
        }
    }
}
