//! The sealed outbox (issue 15, item 4): an export without `--out` leaves no zip in clear
//! anywhere in the data folder, its package is sealed in the vault and is byte for byte the
//! package a plain export writes; a plain copy is written only where asked; uploaded packages
//! go after the retention period, and only those; a new data folder is owner-only.

use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use intake_core::encrypted_file::MAGIC;
use intake_core::keys::Passphrase;
use intake_core::package::{ExportOptions, ExportPhase};
use intake_core::settings::UploadSettingsChange;
use intake_core::{DataFolder, ErrorKind};

use crate::package::Fixture;

const PASSPHRASE: &str = "门头照片 correct horse";

/// Every file under `folder`.
fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { pending.push(path) } else { files.push(path) }
        }
    }
    files
}

/// The files under `folder` that are zips in clear (a local file header first).
fn plain_zips_under(folder: &Path) -> Vec<PathBuf> {
    files_under(folder).into_iter().filter(|path| std::fs::read(path).unwrap().starts_with(b"PK\x03\x04")).collect()
}

fn complete() -> ExportOptions {
    ExportOptions { allow_incomplete: false, ..ExportOptions::default() }
}

/// A complete case in an encrypted data folder, unlocked.
struct EncryptedCase {
    dir: tempfile::TempDir,
    folder: DataFolder,
    case_id: String,
}

/// A complete case in an encrypted data folder, and the plain package it packed to before.
fn encrypted_case() -> (EncryptedCase, Vec<u8>) {
    let fixture = Fixture::complete_case();
    let plain = fixture.dir.path().join("before-encryption.zip");
    let before = fixture.folder.export_case(&fixture.case_id, &plain, &complete()).unwrap();
    let plain_package = std::fs::read(&plain).unwrap();
    std::fs::remove_file(&plain).unwrap();
    let Fixture { dir, folder, case_id, .. } = fixture;
    let home = folder.root().to_path_buf();
    drop(folder);
    DataFolder::encrypt(&home, &Passphrase::new(PASSPHRASE.to_string())).unwrap();
    // The package queued before the encryption was sealed with the rest of the vault.
    assert!(std::fs::read(&before.sealed_path).unwrap().starts_with(MAGIC));
    let folder = DataFolder::unlock(&home, &Passphrase::new(PASSPHRASE.to_string())).unwrap();
    (EncryptedCase { dir, folder, case_id }, plain_package)
}

#[test]
fn an_export_to_the_outbox_of_an_encrypted_folder_leaves_no_zip_in_clear_and_packs_the_same_bytes() {
    let (fixture, plain_package) = encrypted_case();
    let home = fixture.folder.root().to_path_buf();
    let mut phases = Vec::new();
    let mut last = None;
    let summary = fixture
        .folder
        .export_to_outbox_with_progress(&fixture.case_id, &complete(), &mut |progress| {
            phases.push(progress.phase);
            last = Some(progress.clone());
        })
        .unwrap();
    assert!(summary.sealed_encrypted);
    assert_eq!(summary.unencrypted_copy, None);
    let sealed = PathBuf::from(&summary.sealed_path);
    assert_eq!(sealed, home.join("vault").join("outbox").join(format!("{}.zip", summary.sha256)));
    assert!(std::fs::read(&sealed).unwrap().starts_with(MAGIC), "the queued package is not sealed");
    assert_eq!(plain_zips_under(&home), Vec::<PathBuf>::new(), "a zip in clear was left in the data folder");
    assert!(!home.join("exports").exists());
    // Counted once although packed twice: the last report has every file written, the bytes
    // of both passes.
    let last = last.unwrap();
    assert_eq!(last.files_done, last.files_total);
    assert_eq!(last.bytes_done, last.bytes_total);
    phases.dedup();
    assert_eq!(
        phases,
        [ExportPhase::Checking, ExportPhase::Signing, ExportPhase::Writing, ExportPhase::Finishing, ExportPhase::Done]
    );

    // The two passes give the very package a plain export writes (packing is reproducible).
    let copy = fixture.dir.path().join("另存为.zip");
    let written = fixture.folder.save_plain_copy(&summary.sha256, &copy).unwrap();
    assert_eq!(written, summary.bytes);
    assert!(std::fs::read(&copy).unwrap() == plain_package, "the sealed package differs from the plain one");
    let queued = fixture.folder.outbox().unwrap();
    assert_eq!(queued.len(), 1, "the same bytes are queued once: {queued:?}");
    assert_eq!(queued[0].path, summary.sealed_path);
}

#[test]
fn an_export_with_out_queues_it_sealed_and_writes_a_plain_copy_said_to_be_unencrypted() {
    let (fixture, plain_package) = encrypted_case();
    let out = fixture.dir.path().join("case.zip");
    let summary = fixture.folder.export_case(&fixture.case_id, &out, &complete()).unwrap();
    assert_eq!(summary.unencrypted_copy.as_deref(), Some(out.display().to_string().as_str()));
    assert!(summary.sealed_encrypted);
    assert!(std::fs::read(&out).unwrap() == plain_package);
    assert!(std::fs::read(&summary.sealed_path).unwrap().starts_with(MAGIC));
    assert_eq!(plain_zips_under(fixture.folder.root()), Vec::<PathBuf>::new());
}

#[test]
fn a_sealed_package_altered_on_disk_is_refused_and_no_copy_is_left() {
    let (fixture, _) = encrypted_case();
    let summary = fixture.folder.export_to_outbox(&fixture.case_id, &complete()).unwrap();
    let mut bytes = std::fs::read(&summary.sealed_path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&summary.sealed_path, bytes).unwrap();
    let copy = fixture.dir.path().join("copy.zip");
    let err = fixture.folder.save_plain_copy(&summary.sha256, &copy).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::VaultCorrupt | ErrorKind::PackageChanged), "{err:?}");
    assert!(!copy.exists());
    assert!(files_under(fixture.dir.path()).iter().all(|path| !path.to_string_lossy().ends_with(".part")));
}

/// Marks a queued package uploaded and verified at `when`.
fn uploaded_at(folder: &DataFolder, sha256: &str, when: chrono::DateTime<Utc>) {
    folder.database().finish_package_upload(sha256, "http://127.0.0.1:9/bucket", "key", when).unwrap();
}

#[test]
fn retention_removes_only_sealed_packages_uploaded_and_verified_longer_ago_than_the_setting() {
    let mut fixture = Fixture::complete_case();
    let options = ExportOptions { allow_incomplete: true, incomplete_reason: Some("测试".into()), ..complete() };
    // Three different packages of the same case: each a note later.
    let mut sealed = Vec::new();
    for note in ["一", "二", "三"] {
        fixture.folder.add_note(&fixture.case_id, None, note).unwrap();
        sealed.push(fixture.folder.export_to_outbox(&fixture.case_id, &options).unwrap());
    }
    // And one exported by an older version: a plain zip under exports/, named by the outbox.
    fixture.folder.add_note(&fixture.case_id, None, "四").unwrap();
    let folder = &fixture.folder;
    let legacy_path = folder.root().join("exports").join("legacy.zip");
    std::fs::create_dir_all(legacy_path.parent().unwrap()).unwrap();
    // (This version writes no package inside the data folder: written beside it, moved in.)
    let written = fixture.dir.path().join("legacy.zip");
    let legacy = folder.export_case(&fixture.case_id, &written, &options).unwrap();
    std::fs::rename(&written, &legacy_path).unwrap();
    std::fs::remove_file(&legacy.sealed_path).unwrap();
    rusqlite::Connection::open(folder.root().join("intake.sqlite3"))
        .unwrap()
        .execute(
            "UPDATE outbox SET path = ?1 WHERE sha256 = ?2",
            [legacy_path.display().to_string(), legacy.sha256.clone()],
        )
        .unwrap();

    let now = Utc::now();
    uploaded_at(folder, &sealed[0].sha256, now - Duration::days(31)); // expired
    uploaded_at(folder, &sealed[1].sha256, now - Duration::days(5)); // within 30 days
    uploaded_at(folder, &legacy.sha256, now - Duration::days(90)); // not sealed: the manager's file
    // sealed[2] still waits.
    assert_eq!(folder.remove_expired_packages(now).unwrap(), 1);
    let exists = |summary: &intake_core::package::ExportSummary| Path::new(&summary.sealed_path).exists();
    assert!(!exists(&sealed[0]), "uploaded 31 days ago: removed");
    assert!(exists(&sealed[1]) && exists(&sealed[2]));
    assert!(legacy_path.exists(), "a plain zip is never removed");
    // The outbox keeps the row (and its hash) of the removed package.
    assert_eq!(folder.outbox().unwrap().len(), 4);

    // A shorter period, and the next open applies it.
    let folder = fixture.folder;
    folder
        .change_upload_settings(UploadSettingsChange { keep_uploaded_days: Some(0), ..UploadSettingsChange::default() })
        .unwrap();
    let home = folder.root().to_path_buf();
    drop(folder);
    let (_folder, report) = DataFolder::open_reporting_cleanup(&home).unwrap();
    assert!(report.ran);
    assert_eq!(report.expired_packages_removed, 1);
    assert!(!exists(&sealed[1]), "uploaded 5 days ago, kept 0 days: removed at open");
    assert!(exists(&sealed[2]), "not uploaded: kept");
    assert!(legacy_path.exists());
}

#[cfg(unix)]
#[test]
fn a_new_data_folder_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("parent").join("plain");
    drop(DataFolder::open(&plain).unwrap());
    let mode = std::fs::metadata(&plain).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "mode {mode:o}");
    let encrypted = dir.path().join("encrypted");
    DataFolder::encrypt(&encrypted, &Passphrase::new(PASSPHRASE.to_string())).unwrap();
    let mode = std::fs::metadata(&encrypted).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "mode {mode:o}");
}
