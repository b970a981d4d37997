//! The evidence vault: content addressing, idempotence, cleanup.

use std::collections::HashSet;

use intake_core::ErrorKind;
use intake_core::vault::Vault;
use sha2::{Digest, Sha256};

fn sha256_hex(bytes: &[u8]) -> String {
    intake_core::vault::hex(&Sha256::digest(bytes))
}

#[test]
fn a_stored_copy_is_byte_identical_and_named_by_its_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::open(&dir.path().join("vault")).unwrap();
    let source = dir.path().join("IMG_0001.jpg");
    let content: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&source, &content).unwrap();
    let stored = vault.store_copy(&source, u64::MAX).unwrap();
    assert_eq!(stored.sha256, sha256_hex(&content));
    assert_eq!(stored.bytes, content.len() as u64);
    assert!(!stored.already_present);
    assert_eq!(std::fs::read(vault.object_path(&stored.sha256)).unwrap(), content);
    assert_eq!(std::fs::read(&source).unwrap(), content, "the original must be untouched");
    assert!(vault.verify(&stored.sha256).unwrap());
    // No temp file is left behind.
    assert_eq!(std::fs::read_dir(dir.path().join("vault/tmp")).unwrap().count(), 0);
}

#[test]
fn storing_the_same_bytes_again_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::open(&dir.path().join("vault")).unwrap();
    let first = dir.path().join("a.jpg");
    let second = dir.path().join("copy of a.jpg");
    std::fs::write(&first, b"same bytes").unwrap();
    std::fs::write(&second, b"same bytes").unwrap();
    let one = vault.store_copy(&first, u64::MAX).unwrap();
    let modified = std::fs::metadata(vault.object_path(&one.sha256)).unwrap().modified().unwrap();
    let two = vault.store_copy(&second, u64::MAX).unwrap();
    assert!(two.already_present);
    assert_eq!(one.sha256, two.sha256);
    assert_eq!(std::fs::metadata(vault.object_path(&one.sha256)).unwrap().modified().unwrap(), modified);
}

#[test]
fn a_file_over_the_limit_is_refused_before_anything_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::open(&dir.path().join("vault")).unwrap();
    let source = dir.path().join("video.mp4");
    std::fs::write(&source, vec![1u8; 4096]).unwrap();
    let err = vault.store_copy(&source, 1024).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FileTooLarge);
    assert!(err.message().contains("video.mp4"));
    assert!(vault.object_paths().unwrap().is_empty());
    assert_eq!(std::fs::read_dir(dir.path().join("vault/tmp")).unwrap().count(), 0);
}

#[test]
fn an_altered_object_fails_verification() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::open(&dir.path().join("vault")).unwrap();
    let source = dir.path().join("a.jpg");
    std::fs::write(&source, b"original evidence").unwrap();
    let stored = vault.store_copy(&source, u64::MAX).unwrap();
    std::fs::write(vault.object_path(&stored.sha256), b"tampered evidence").unwrap();
    assert!(!vault.verify(&stored.sha256).unwrap());
}

#[test]
fn leftovers_and_unreferenced_objects_are_removed_and_referenced_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let vault = Vault::open(&dir.path().join("vault")).unwrap();
    std::fs::write(dir.path().join("vault/tmp/deadbeef.part"), b"half a file").unwrap();
    let keep = dir.path().join("keep.jpg");
    let drop = dir.path().join("drop.jpg");
    std::fs::write(&keep, b"keep me").unwrap();
    std::fs::write(&drop, b"nobody refers to me").unwrap();
    let kept = vault.store_copy(&keep, u64::MAX).unwrap();
    let dropped = vault.store_copy(&drop, u64::MAX).unwrap();
    assert_eq!(vault.remove_leftovers().unwrap(), 1);
    let referenced: HashSet<String> = [kept.sha256.clone()].into();
    assert_eq!(vault.remove_unreferenced(&referenced).unwrap(), 1);
    assert!(vault.contains(&kept.sha256));
    assert!(!vault.contains(&dropped.sha256));
}
