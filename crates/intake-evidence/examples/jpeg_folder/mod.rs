//! What the examples measure on: the `.jpg` files of a folder. A folder without `main.rs`, so
//! Cargo does not take it for an example of its own.

use std::path::{Path, PathBuf};

/// The folder's `.jpg` files (any case), sorted by name.
pub fn jpegs_in(folder: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(folder)
        .unwrap_or_else(|err| panic!("{}: {err}", folder.display()))
        .map(|entry| entry.expect("a readable folder").path())
        .filter(|path| path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("jpg")))
        .collect();
    paths.sort();
    paths
}
