//! What the benches share: the region, the shape of image ids, and the store sizes.

pub const REGION: &str = "cn-hangzhou";

/// A 22-character image id, like the real ones (`m-` and 20 lowercase alphanumerics).
pub fn image_id(n: usize) -> String {
    format!("m-bp{n:018}")
}

/// The store sizes to measure: the comma-separated numbers in the environment variable `var`,
/// else 1k, 100k and 1M.
#[allow(dead_code, reason = "not every bench uses the default sizes")]
pub fn sizes(var: &str) -> Vec<usize> {
    sizes_or(var, &[1_000, 100_000, 1_000_000])
}

/// The store sizes to measure: the comma-separated numbers in `var`, else `default`.
pub fn sizes_or(var: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(var)
        .ok()
        .map(|s| {
            s.split(',')
                .map(|n| {
                    n.trim()
                        .parse()
                        .unwrap_or_else(|_| panic!("{var}: numbers"))
                })
                .collect()
        })
        .unwrap_or_else(|| default.to_vec())
}
