//! The generator of the conformance vectors in `vectors/`: `cargo run -p ecs-image-vectors`
//! rewrites them, and this crate's own test checks that the committed files are exactly what
//! [`files`] produces.
//!
//! The expected answers are *not* obtained by running the library's decisions: that would make
//! the replay tests in the library's `tests/` circular. Codes and messages are copied by hand
//! from the docs (docs/decision.md and docs/contract.md for DeleteImage, docs/delete-snapshot.md
//! for DeleteSnapshot) into each API's module; which answer a test expects follows from what
//! the module put into the test's world and a few lines of precedence, Force and policy logic
//! written there. The library is used only for its data types: to build each world and to
//! serialize it in the `World` format that the emulator's `--world` reads.

use std::error::Error;

mod delete_image;
mod delete_snapshot;
mod shape;

/// The generator's errors: a world the library refuses, or a table that does not parse.
pub type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Every generated file: its name in `vectors/` and its exact contents.
pub fn files() -> Result<Vec<(String, String)>> {
    let mut files = delete_image::files()?;
    files.extend(delete_snapshot::files()?);
    Ok(files)
}

// ---- hand-written tables ---------------------------------------------------------------------

/// The rows of a hand-written table: one a line, cells separated by ` | ` (taken verbatim, so a
/// value may begin or end with a space).
fn table(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|line| !line.is_empty())
        .map(|line| line.split(" | ").collect())
}

/// The words of a cell; `-` means none.
fn words(cell: &'static str) -> Vec<&'static str> {
    cell.split_whitespace().filter(|w| *w != "-").collect()
}

/// A cell's value, or `None` for `-`.
fn given(cell: &'static str) -> Option<&'static str> {
    (cell != "-").then_some(cell)
}

/// A params cell, `name=value` pairs joined with `&` (raw, so spaces and control characters are
/// part of the value; `-` or empty: no parameters), as owned pairs in order.
fn rpc_params(cell: &'static str) -> Vec<(String, String)> {
    given(cell)
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

/// Owned parameter pairs, in order.
fn pairs(params: &[(&str, &str)]) -> Vec<(String, String)> {
    params
        .iter()
        .map(|&(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}
