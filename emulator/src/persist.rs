//! The `--state` file: the world, rewritten atomically after every change, so that a process
//! killed at any instant leaves either the old or the new world on disk, never a torn one, and
//! never loses a change it acknowledged.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ecs_image_rules::World;

/// Why the state file could not be read at start-up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateFileError {
    /// The file could not be read or written.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The file is not a valid world.
    #[error("state file {path} is not a valid world: {source}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: serde_json::Error,
    },
}

/// Reads a world file (`--world` or `--state`).
pub fn read_world(path: &Path) -> Result<World, StateFileError> {
    let bytes = fs::read(path).map_err(|source| StateFileError::Io {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| StateFileError::Invalid {
        path: path.to_owned(),
        source,
    })
}

/// Writes the world: to a temporary file beside `path`, fsynced, renamed over `path`, and the
/// directory fsynced so that the rename itself survives a crash.
pub fn write_world(path: &Path, world: &World) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(world).map_err(io::Error::other)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the state path names no file"))?
        .to_string_lossy();
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written?;
    File::open(&dir)?.sync_all()
}
