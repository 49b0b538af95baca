//! The domain's areas point one way (docs/architecture.md): each area may use
//! only the areas below it, so no two areas import each other. Checked on the
//! source: every `crate::<area>` path in an area's files, tests included.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The areas, bottom first: an area may name only those before it.
const LAYERS: &[&str] =
    &["validation", "system", "ids", "user", "timeline", "delivery", "room", "message", "live", "account"];

fn domain_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/domain/src")
}

/// The area's own file and every file under its folder.
fn files_of(area: &str) -> Vec<PathBuf> {
    let src = domain_src();
    let mut files = vec![src.join(format!("{area}.rs"))];
    let mut folders = vec![src.join(area)];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = fs::read_dir(&folder) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The other areas a file names as `crate::<area>`.
fn areas_named(source: &str) -> BTreeSet<&'static str> {
    LAYERS.iter().copied().filter(|area| source.contains(&format!("crate::{area}::"))).collect()
}

#[test]
fn every_domain_area_is_listed_in_the_layers() {
    let listed: BTreeSet<&str> = LAYERS.iter().copied().collect();
    let lib = fs::read_to_string(domain_src().join("lib.rs")).unwrap();
    let declared: BTreeSet<&str> =
        lib.lines().filter_map(|line| line.strip_prefix("pub mod ")?.strip_suffix(';')).collect();
    assert_eq!(declared, listed, "lib.rs's areas and this test's layers differ");
}

#[test]
fn domain_areas_import_only_the_areas_below_them() {
    let mut upward = Vec::new();
    for (level, area) in LAYERS.iter().enumerate() {
        let files = files_of(area);
        assert!(files[0].exists(), "{} is missing", files[0].display());
        for file in files {
            let source = fs::read_to_string(&file).unwrap();
            for named in areas_named(&source) {
                let named_level = LAYERS.iter().position(|a| *a == named).unwrap();
                if named_level > level {
                    upward.push(format!("{} ({area}) uses {named}", file.display()));
                }
            }
        }
    }
    assert!(upward.is_empty(), "an area uses one above it:\n{}", upward.join("\n"));
}
