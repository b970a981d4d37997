//! What head office builds: `intake-bag` and its `intake-verify` must not pull in the data
//! folder's machinery (SQLCipher, the async runtime, the S3 client) nor the core itself.
//! Asked of cargo, so a dependency added anywhere below (intake-domain, intake-evidence, or
//! a crate of theirs) is caught too.

use std::process::Command;

/// Crates that belong to the data folder or the upload, never to the verifier.
const FORBIDDEN: &[&str] =
    &["rusqlite", "libsqlite3-sys", "tokio", "object_store", "reqwest", "rustls", "intake-core", "tauri"];

#[test]
fn the_verifier_builds_without_the_store_the_runtime_or_the_s3_client() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    // `-e normal`: what the library and its binary link (not the tests' dev-dependencies,
    // which export a package with the core). Every target platform, not only this one.
    let output = Command::new(env!("CARGO"))
        .args(["tree", "--offline", "--manifest-path", manifest, "-p", "intake-bag", "-e", "normal"])
        .args(["--target", "all", "--prefix", "none", "--format", "{p}"])
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    let crates: Vec<&str> = stdout.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert!(crates.contains(&"intake-bag") && crates.contains(&"sm2"), "not the tree expected:\n{stdout}");
    let found: Vec<&&str> = FORBIDDEN.iter().filter(|name| crates.contains(name)).collect();
    assert!(found.is_empty(), "intake-bag depends on {found:?}:\n{stdout}");
}
