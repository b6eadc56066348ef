//! Writes the conformance vectors into `vectors/` (this crate's parent folder).

use std::path::Path;

fn main() -> ecs_image_vectors::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (name, contents) in ecs_image_vectors::files()? {
        std::fs::write(dir.join(&name), contents)?;
        println!("wrote vectors/{name}");
    }
    Ok(())
}
