//! The outbox and the upload settings, without a server (the uploads themselves are tested
//! against real S3 servers in the CLI's tests, `crates/intake-cli/tests/it/upload.rs`).

use intake_core::case::{CaseAttributes, NewCase};
use intake_core::package::ExportOptions;
use intake_core::settings::{SettingsChange, UploadSettings};
use intake_core::upload::{OutboxState, UploadTarget};
use intake_core::{DataFolder, ErrorKind};

fn no_environment(_: &str) -> Option<String> {
    None
}

fn complete_settings() -> UploadSettings {
    UploadSettings {
        endpoint: Some("https://oss-cn-shanghai.aliyuncs.com/".into()),
        bucket: Some("packages".into()),
        prefix: Some("/branch-sh/".into()),
        access_key_id: Some("AKID-SETTINGS".into()),
        secret_access_key: Some("secret-from-settings".into()),
        ..UploadSettings::default()
    }
}

#[test]
fn every_export_is_queued_once_by_its_sha256_and_keeps_its_state_when_exported_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    folder
        .change_settings(SettingsChange { branch: Some("上海分公司".into()), manager_name: Some("张三".into()), ..SettingsChange::default() })
        .unwrap();
    let case = folder
        .create_case(NewCase {
            merchant_name: "沪上小面馆".into(),
            attributes: CaseAttributes::default(),
            visit_date: None,
            site: None,
        })
        .unwrap();
    assert!(folder.outbox().unwrap().is_empty());
    let options = ExportOptions { allow_incomplete: true, ..ExportOptions::default() };
    let first = folder.export_case(&case.id, &dir.path().join("a.zip"), &options).unwrap();
    let outbox = folder.outbox().unwrap();
    assert_eq!(outbox.len(), 1);
    let entry = &outbox[0];
    assert_eq!(entry.sha256, first.sha256);
    assert_eq!(entry.bytes, first.bytes);
    assert_eq!(entry.case_id, case.id);
    assert_eq!(entry.state, OutboxState::Waiting);
    assert_eq!(entry.bytes_sent, 0);
    assert!(entry.path.ends_with("a.zip") && std::path::Path::new(&entry.path).is_absolute(), "{}", entry.path);
    let bytes = std::fs::read(dir.path().join("a.zip")).unwrap();
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes).iter().map(|byte| format!("{byte:02x}")).collect();
    assert_eq!(entry.sha256, sha, "the outbox names the package by the SHA-256 of its bytes");

    // The same case packed again is the same bytes: one entry, at its newest path.
    let second = folder.export_case(&case.id, &dir.path().join("b.zip"), &options).unwrap();
    assert_eq!(second.sha256, first.sha256);
    let outbox = folder.outbox().unwrap();
    assert_eq!(outbox.len(), 1);
    assert!(outbox[0].path.ends_with("b.zip"));

    // Reopened (another process, a reboot): still there.
    drop(folder);
    let reopened = DataFolder::open(&dir.path().join("home")).unwrap();
    assert_eq!(reopened.outbox().unwrap().len(), 1);
}

#[test]
fn the_target_comes_from_settings_flags_and_environment_in_that_order_of_strength() {
    let settings = complete_settings();
    let target = UploadTarget::resolve(&settings, &UploadSettings::default(), &no_environment).unwrap();
    assert_eq!(target.destination(), "https://oss-cn-shanghai.aliyuncs.com/packages");
    assert_eq!(target.remote_key("20261120-ABCDEF", "ab12"), "branch-sh/20261120-ABCDEF/ab12.zip");

    let flags = UploadSettings { bucket: Some("other".into()), prefix: Some(String::new()), ..UploadSettings::default() };
    let environment = |name: &str| match name {
        "AWS_ACCESS_KEY_ID" => Some("AKID-ENV".to_string()),
        "AWS_SECRET_ACCESS_KEY" => Some("secret-from-env".to_string()),
        _ => None,
    };
    let target = UploadTarget::resolve(&settings, &flags, &environment).unwrap();
    assert_eq!(target.destination(), "https://oss-cn-shanghai.aliyuncs.com/other");
    let shown = format!("{target:?}");
    assert!(shown.contains("AKID-ENV"), "the environment's key id wins: {shown}");
    assert!(!shown.contains("secret"), "Debug never shows a secret: {shown}");
    assert!(!format!("{settings:?}").contains("secret-from-settings"));
}

#[test]
fn missing_or_bad_upload_settings_are_refused_naming_the_flag() {
    let cases: [(UploadSettings, &str); 4] = [
        (UploadSettings { endpoint: None, ..complete_settings() }, "--endpoint"),
        (UploadSettings { bucket: None, ..complete_settings() }, "--bucket"),
        (UploadSettings { secret_access_key: None, ..complete_settings() }, "AWS_SECRET_ACCESS_KEY"),
        (UploadSettings { endpoint: Some("ftp://example.com".into()), ..complete_settings() }, "ftp://example.com"),
    ];
    for (settings, named) in cases {
        let err = UploadTarget::resolve(&settings, &UploadSettings::default(), &no_environment).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().contains(named), "{named}: {}", err.message());
    }
    for part_size_mib in [4, 513] {
        let flags = UploadSettings { part_size_mib: Some(part_size_mib), ..UploadSettings::default() };
        let err = UploadTarget::resolve(&complete_settings(), &flags, &no_environment).unwrap_err();
        assert!(err.message().contains("part size"), "{}", err.message());
    }
}

#[test]
fn a_settings_file_with_a_secret_is_owner_only_and_the_redacted_copy_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let mut settings = folder.settings().unwrap();
    settings.upload = complete_settings();
    settings.save(folder.root()).unwrap();
    let reread = folder.settings().unwrap();
    assert_eq!(reread.upload, complete_settings());
    assert!(reread.redacted().upload.secret_access_key.is_none());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(intake_core::settings::settings_path(folder.root())).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "settings holding a secret must be owner-only, mode {mode:o}");
    }
}
