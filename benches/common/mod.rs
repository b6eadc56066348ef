//! What the benches share: the region, the shape of image ids, and the store sizes.

pub const REGION: &str = "cn-hangzhou";

/// A 22-character image id, like the real ones (`m-` and 20 lowercase alphanumerics).
pub fn image_id(n: usize) -> String {
    format!("m-bp{n:018}")
}

/// The store sizes to measure: the comma-separated numbers in the environment variable `var`,
/// else 1k, 100k and 1M.
pub fn sizes(var: &str) -> Vec<usize> {
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
        .unwrap_or_else(|| vec![1_000, 100_000, 1_000_000])
}
