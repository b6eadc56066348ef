//! The committed files in `vectors/` are exactly what the generator writes, and nothing else
//! sits beside them but the schema (and this generator's folder).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn committed_vectors_are_what_the_generator_writes() {
    let files = ecs_image_vectors::files().expect("the generator runs");
    for (name, contents) in &files {
        let path = vectors_dir().join(name);
        let committed =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            committed == *contents,
            "vectors/{name} differs from what the generator writes: run `cargo run -p ecs-image-vectors`"
        );
    }
    let mut expected: BTreeSet<String> = files.into_iter().map(|(name, _)| name).collect();
    expected.insert("schema.json".to_owned());
    let present: BTreeSet<String> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        present, expected,
        "vectors/ holds exactly the generated files and the schema"
    );
}
