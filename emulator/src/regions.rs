//! DescribeRegions on the wire: `AcceptLanguage` read into the library's request, its regions
//! rendered in the real response shape (SDK 7.11.8's model).

use ecs_image_rules::{DescribeRegions, Error, Parameter, RequestId};
use serde::Serialize;

use crate::call::Context;
use crate::protocol::Reply;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeRegionsBody {
    request_id: RequestId,
    regions: Regions,
}

#[derive(Serialize)]
struct Regions {
    #[serde(rename = "Region")]
    region: Vec<RegionItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RegionItem {
    region_id: String,
    local_name: String,
    region_endpoint: String,
    status: &'static str,
}

/// DescribeRegions: `AcceptLanguage` (`zh-CN`, the default, or `en-US`).
pub(crate) fn describe_regions(cx: &mut Context<'_, '_>) -> Result<Reply, Error> {
    let p = cx.params();
    let mut request = DescribeRegions::default();
    if let Some(language) = p.optional(Parameter::AcceptLanguage)? {
        request.accept_language = language;
    }
    let regions = cx.store().describe_regions(&request);
    Ok(cx.ok(&DescribeRegionsBody {
        request_id: cx.request_id(),
        regions: Regions {
            region: regions
                .into_iter()
                .map(|r| RegionItem {
                    region_id: r.id.to_string(),
                    local_name: r.local_name.to_owned(),
                    region_endpoint: r.endpoint,
                    status: r.status,
                })
                .collect(),
        },
    }))
}
