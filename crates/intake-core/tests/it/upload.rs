//! The outbox and the upload settings, without a server (the uploads themselves are tested
//! against real S3 servers in the CLI's tests, `crates/intake-cli/tests/it/upload.rs`).

use intake_core::case::{CaseAttributes, NewCase};
use intake_core::package::ExportOptions;
use intake_core::settings::{SettingsChange, UploadSettings};
use intake_core::upload::{OutboxState, RetryTiming, UploadTarget};
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
        .change_settings(SettingsChange {
            branch: Some("上海分公司".into()),
            manager_name: Some("张三".into()),
            ..SettingsChange::default()
        })
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
    let options =
        ExportOptions { allow_incomplete: true, incomplete_reason: Some("测试".into()), ..ExportOptions::default() };
    let first = folder.export_case(&case.id, &dir.path().join("a.zip"), &options).unwrap();
    let outbox = folder.outbox().unwrap();
    assert_eq!(outbox.len(), 1);
    let entry = &outbox[0];
    assert_eq!(entry.sha256, first.sha256);
    assert_eq!(entry.bytes, first.bytes);
    assert_eq!(entry.case_id, case.id);
    assert_eq!(entry.state, OutboxState::Waiting);
    assert_eq!(entry.bytes_sent, 0);
    // Queued sealed in the vault's outbox, whatever --out wrote besides.
    assert_eq!(entry.path, first.sealed_path);
    assert!(std::path::Path::new(&entry.path).is_absolute(), "{}", entry.path);
    let bytes = std::fs::read(dir.path().join("a.zip")).unwrap();
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes).iter().map(|byte| format!("{byte:02x}")).collect();
    assert_eq!(entry.sha256, sha, "the outbox names the package by the SHA-256 of its bytes");

    // The same case packed again is the same bytes: one entry, the same sealed package.
    let second = folder.export_case(&case.id, &dir.path().join("b.zip"), &options).unwrap();
    assert_eq!(second.sha256, first.sha256);
    let outbox = folder.outbox().unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].path, second.sealed_path);

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

    let flags =
        UploadSettings { bucket: Some("other".into()), prefix: Some(String::new()), ..UploadSettings::default() };
    let environment = |name: &str| match name {
        "AWS_ACCESS_KEY_ID" => Some("AKID-ENV".to_string()),
        "AWS_SECRET_ACCESS_KEY" => Some("secret-from-env".to_string()),
        _ => None,
    };
    let target = UploadTarget::resolve(&settings, &flags, &environment).unwrap();
    assert_eq!(target.destination(), "https://oss-cn-shanghai.aliyuncs.com/other");
    let shown = format!("{target:?}");
    assert!(shown.contains("AKID-ENV"), "the environment's key id wins: {shown}");
    assert!(shown.contains("secret_access_key: <redacted>"), "the secret's place is named: {shown}");
    assert!(!shown.contains("secret-from-env"), "Debug never shows a secret: {shown}");
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

/// A data folder with one exported package, and a target nobody listens on (nothing is sent:
/// these tests are about which run may send what, not about the network).
fn exported_package(dir: &std::path::Path) -> (DataFolder, UploadTarget) {
    let mut folder = DataFolder::open(&dir.join("home")).unwrap();
    folder
        .change_settings(SettingsChange {
            branch: Some("上海分公司".into()),
            manager_name: Some("张三".into()),
            ..SettingsChange::default()
        })
        .unwrap();
    let case = folder
        .create_case(NewCase {
            merchant_name: "沪上小面馆".into(),
            attributes: CaseAttributes::default(),
            visit_date: None,
            site: None,
        })
        .unwrap();
    let options =
        ExportOptions { allow_incomplete: true, incomplete_reason: Some("测试".into()), ..ExportOptions::default() };
    folder.export_case(&case.id, &dir.join("a.zip"), &options).unwrap();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let settings = UploadSettings {
        endpoint: Some(format!("http://127.0.0.1:{closed_port}")),
        max_retries: Some(0),
        ..complete_settings()
    };
    let target = UploadTarget::resolve(&settings, &UploadSettings::default(), &no_environment).unwrap();
    (folder, target)
}

#[test]
fn while_one_upload_runs_a_second_from_the_same_data_folder_is_refused_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (folder, target) = exported_package(dir.path());
    // Another handle on the folder, as the CLI beside the app.
    let beside = DataFolder::open(&dir.path().join("home")).unwrap();
    let mut second_run = None;
    let first = folder
        .upload_packages(&target, None, RetryTiming::Now, &mut |_| {
            if second_run.is_none() {
                second_run = Some(beside.upload_packages(&target, None, RetryTiming::Now, &mut |_| {}));
            }
        })
        .unwrap();
    let refused = second_run.expect("the first run reported progress").unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::UploadBusy, "{}", refused.message());
    assert_eq!(first.len(), 1);
    assert_eq!(folder.outbox().unwrap()[0].attempts, 1, "only the first run tried the package");

    // The lock goes with the run: the next one may send.
    let after = beside.upload_packages(&target, None, RetryTiming::Now, &mut |_| {}).unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].error.as_ref().unwrap().code, intake_core::ErrorKind::UploadUnreachable);
}

#[test]
fn a_failed_package_waits_for_its_next_retry_time_unless_the_upload_is_asked_for_now() {
    let dir = tempfile::tempdir().unwrap();
    let (folder, target) = exported_package(dir.path());
    let failed = folder.upload_packages(&target, None, RetryTiming::WhenDue, &mut |_| {}).unwrap();
    assert_eq!(failed[0].state, OutboxState::Failed);
    assert!(failed[0].not_before.is_none(), "it was tried: {:?}", failed[0]);
    let entry = &folder.outbox().unwrap()[0];
    let next_retry_at = entry.next_retry_at.expect("a failed package has a next retry time");

    let mut progress_seen = 0;
    let skipped = folder.upload_packages(&target, None, RetryTiming::WhenDue, &mut |_| progress_seen += 1).unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].not_before, Some(next_retry_at));
    assert_eq!(
        skipped[0].error.as_ref().unwrap().code,
        intake_core::ErrorKind::UploadUnreachable,
        "the last reason is kept"
    );
    assert_eq!(progress_seen, 0, "a package not due is not even read");
    assert_eq!(folder.outbox().unwrap()[0].attempts, 1);

    let forced = folder.upload_packages(&target, None, RetryTiming::Now, &mut |_| {}).unwrap();
    assert!(forced[0].not_before.is_none());
    assert_eq!(folder.outbox().unwrap()[0].attempts, 2, "asked for now, it is tried at once");
}

#[test]
fn upload_settings_change_field_by_field_are_checked_and_never_show_the_secret() {
    use intake_core::settings::UploadSettingsChange;
    let dir = tempfile::tempdir().unwrap();
    let folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let shown = folder
        .change_upload_settings(UploadSettingsChange {
            endpoint: Some(" https://oss-cn-shanghai.aliyuncs.com ".into()),
            bucket: Some("packages".into()),
            part_size_mib: Some(16),
            access_key_id: Some("AKID".into()),
            secret_access_key: Some("s3cr3t".into()),
            ..UploadSettingsChange::default()
        })
        .unwrap();
    assert!(shown.secret_access_key_set);
    assert!(!serde_json::to_string(&shown).unwrap().contains("s3cr3t"), "the secret never goes back out");
    assert_eq!(shown.settings.endpoint.as_deref(), Some("https://oss-cn-shanghai.aliyuncs.com"));
    assert_eq!(shown.settings.part_size_mib, Some(16));
    assert_eq!(
        folder.settings().unwrap().upload.secret_access_key.as_ref().map(|secret| secret.expose()),
        Some("s3cr3t")
    );

    // None leaves a value, empty text clears it.
    let shown = folder
        .change_upload_settings(UploadSettingsChange { bucket: Some(String::new()), ..UploadSettingsChange::default() })
        .unwrap();
    assert_eq!(shown.settings.bucket, None);
    assert_eq!(shown.settings.access_key_id.as_deref(), Some("AKID"));
    assert!(shown.secret_access_key_set);

    for (change, named) in [
        (UploadSettingsChange { endpoint: Some("ftp://x".into()), ..UploadSettingsChange::default() }, "ftp://x"),
        (UploadSettingsChange { part_size_mib: Some(4), ..UploadSettingsChange::default() }, "part size"),
        (UploadSettingsChange { bucket: Some("a\nb".into()), ..UploadSettingsChange::default() }, "bucket"),
    ] {
        let err = folder.change_upload_settings(change).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().contains(named), "{named}: {}", err.message());
    }
    assert_eq!(folder.settings().unwrap().upload.part_size_mib, Some(16), "a refused change changes nothing");
}

/// Packages never leave in clear: `http://` to another host is refused when it is set and
/// when it is used (a settings file written elsewhere, a flag), unless
/// `upload.allow_insecure_http` says so; loopback is fine (a local server or tunnel).
#[test]
fn an_http_endpoint_is_refused_unless_loopback_or_explicitly_allowed() {
    use intake_core::settings::UploadSettingsChange;
    let dir = tempfile::tempdir().unwrap();
    let folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let endpoint = |url: &str| UploadSettingsChange { endpoint: Some(url.into()), ..UploadSettingsChange::default() };
    let refused = folder.change_upload_settings(endpoint("http://oss.branch.example:9000")).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InsecureEndpoint, "{}", refused.message());
    assert!(refused.message().contains("allow_insecure_http"), "{}", refused.message());
    assert_eq!(folder.settings().unwrap().upload.endpoint, None, "a refused change changes nothing");
    folder.change_upload_settings(endpoint("http://127.0.0.1:9000")).unwrap();
    let allowed = folder
        .change_upload_settings(UploadSettingsChange {
            endpoint: Some("http://oss.branch.example:9000".into()),
            allow_insecure_http: Some(true),
            ..UploadSettingsChange::default()
        })
        .unwrap();
    assert!(allowed.settings.allow_insecure_http);
    // Turning the permission off while such an endpoint is set is refused too.
    let off = UploadSettingsChange { allow_insecure_http: Some(false), ..UploadSettingsChange::default() };
    assert_eq!(folder.change_upload_settings(off).unwrap_err().kind(), ErrorKind::InsecureEndpoint);

    // When used: settings from elsewhere, or a flag.
    let stored = UploadSettings { endpoint: Some("http://oss.branch.example".into()), ..complete_settings() };
    let used = UploadTarget::resolve(&stored, &UploadSettings::default(), &no_environment).unwrap_err();
    assert_eq!(used.kind(), ErrorKind::InsecureEndpoint);
    let flag = UploadSettings { endpoint: Some("http://10.1.2.3:9000".into()), ..UploadSettings::default() };
    assert_eq!(
        UploadTarget::resolve(&complete_settings(), &flag, &no_environment).unwrap_err().kind(),
        ErrorKind::InsecureEndpoint
    );
    let allowed = UploadSettings { allow_insecure_http: true, ..stored };
    assert!(UploadTarget::resolve(&allowed, &UploadSettings::default(), &no_environment).is_ok());
}

#[test]
fn parts_in_flight_default_to_four_are_checked_and_never_hold_more_than_a_gib_of_parts_in_memory() {
    use intake_core::settings::UploadSettingsChange;
    let in_flight = |settings: &UploadSettings, flags: &UploadSettings| {
        let target = UploadTarget::resolve(settings, flags, &no_environment).unwrap();
        let shown = format!("{target:?}");
        let value = shown.split("parts_in_flight: ").nth(1).unwrap().split(',').next().unwrap().to_string();
        value.parse::<u32>().unwrap()
    };
    assert_eq!(in_flight(&complete_settings(), &UploadSettings::default()), 4);
    let stored = UploadSettings { parts_in_flight: Some(6), ..complete_settings() };
    assert_eq!(in_flight(&stored, &UploadSettings::default()), 6);
    let flag = UploadSettings { parts_in_flight: Some(1), ..UploadSettings::default() };
    assert_eq!(in_flight(&stored, &flag), 1, "the flag wins over the settings");
    // 16 parts of 512 MiB would hold 8 GiB: two of them at once.
    let huge = UploadSettings { parts_in_flight: Some(16), part_size_mib: Some(512), ..complete_settings() };
    assert_eq!(in_flight(&huge, &UploadSettings::default()), 2);
    for bad in [0, 17] {
        let flags = UploadSettings { parts_in_flight: Some(bad), ..UploadSettings::default() };
        let err = UploadTarget::resolve(&complete_settings(), &flags, &no_environment).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().contains("parts in flight"), "{}", err.message());
    }

    let dir = tempfile::tempdir().unwrap();
    let folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let change = |parts_in_flight| UploadSettingsChange { parts_in_flight, ..UploadSettingsChange::default() };
    assert_eq!(folder.change_upload_settings(change(Some(8))).unwrap().settings.parts_in_flight, Some(8));
    let err = folder.change_upload_settings(change(Some(0))).unwrap_err();
    assert!(err.message().contains("parts in flight"), "{}", err.message());
    assert_eq!(folder.settings().unwrap().upload.parts_in_flight, Some(8), "a refused change changes nothing");
    assert_eq!(folder.change_upload_settings(change(None)).unwrap().settings.parts_in_flight, Some(8));
}

#[test]
fn the_automatic_retry_takes_only_failed_packages_once_their_time_has_come() {
    let dir = tempfile::tempdir().unwrap();
    let (mut folder, target) = exported_package(dir.path());
    let failed_sha256 = folder.outbox().unwrap()[0].sha256.clone();
    folder.upload_packages(&target, None, RetryTiming::Now, &mut |_| {}).unwrap();
    // A second case's package, never tried: the automatic retry leaves it to the manager's 上传.
    let other = folder
        .create_case(NewCase {
            merchant_name: "面包房".into(),
            attributes: CaseAttributes::default(),
            visit_date: None,
            site: None,
        })
        .unwrap();
    let options =
        ExportOptions { allow_incomplete: true, incomplete_reason: Some("测试".into()), ..ExportOptions::default() };
    let waiting = folder.export_case(&other.id, &dir.path().join("b.zip"), &options).unwrap();

    let overview = folder.outbox_overview().unwrap();
    assert_eq!((overview.not_done, overview.failed), (2, 1));
    let due = overview.next_retry_at.expect("the failed package has its retry time");
    assert_eq!(Some(due), folder.outbox().unwrap().iter().find(|e| e.sha256 == failed_sha256).unwrap().next_retry_at);

    // Before its time: nothing is tried, nothing is read.
    let mut progress_seen = 0;
    let early = folder.retry_due_packages(&target, due - chrono::Duration::seconds(1), &mut |_| progress_seen += 1);
    assert_eq!(early.unwrap(), vec![]);
    assert_eq!(progress_seen, 0);

    // Its time has come: the failed package is tried again (the server is still down, so it
    // fails once more, with a later retry time); the waiting one is not touched.
    let retried = folder.retry_due_packages(&target, due, &mut |_| {}).unwrap();
    assert_eq!(retried.len(), 1, "{retried:?}");
    assert_eq!(retried[0].sha256, failed_sha256);
    assert_eq!(retried[0].error.as_ref().unwrap().code, ErrorKind::UploadUnreachable);
    let entries = folder.outbox().unwrap();
    let failed = entries.iter().find(|e| e.sha256 == failed_sha256).unwrap();
    assert_eq!(failed.attempts, 2);
    assert!(failed.next_retry_at.unwrap() > due, "the next try is later");
    let untouched = entries.iter().find(|e| e.sha256 == waiting.sha256).unwrap();
    assert_eq!((untouched.state, untouched.attempts), (OutboxState::Waiting, 0));
}

#[test]
fn the_row_retry_sends_that_one_package_now_and_refuses_one_not_in_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let (folder, target) = exported_package(dir.path());
    let sha256 = folder.outbox().unwrap()[0].sha256.clone();
    folder.upload_packages(&target, None, RetryTiming::Now, &mut |_| {}).unwrap();
    // Not due yet, but asked for: tried at once.
    let outcomes = folder.upload_package(&target, &sha256, &mut |_| {}).unwrap();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(folder.outbox().unwrap()[0].attempts, 2);
    let unknown = folder.upload_package(&target, &"0".repeat(64), &mut |_| {}).unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::InvalidInput);
}

#[test]
fn the_outbox_overview_names_the_merchant_says_whether_complete_and_puts_each_cases_latest_package_first() {
    let dir = tempfile::tempdir().unwrap();
    let (mut folder, _target) = exported_package(dir.path());
    let first_case = folder.outbox().unwrap()[0].case_id.clone();
    let first = folder.outbox().unwrap()[0].sha256.clone();
    let other = folder
        .create_case(NewCase {
            merchant_name: "面包房".into(),
            attributes: CaseAttributes::default(),
            visit_date: None,
            site: None,
        })
        .unwrap();
    let options =
        ExportOptions { allow_incomplete: true, incomplete_reason: Some("测试".into()), ..ExportOptions::default() };
    let bakery = folder.export_case(&other.id, &dir.path().join("b.zip"), &options).unwrap();
    // The first case changes and is packed again: its new package replaces the old one.
    folder.add_note(&first_case, None, "补充说明").unwrap();
    let replaced = folder.export_case(&first_case, &dir.path().join("c.zip"), &options).unwrap();
    assert_ne!(replaced.sha256, first);

    let overview = folder.outbox_overview().unwrap();
    let order: Vec<(&str, bool)> = overview.entries.iter().map(|e| (e.sha256.as_str(), e.latest_of_case)).collect();
    assert_eq!(
        order,
        vec![(replaced.sha256.as_str(), true), (first.as_str(), false), (bakery.sha256.as_str(), true)],
        "the case packed last first, its latest package before the one it replaced"
    );
    assert_eq!(overview.entries[0].merchant_name, "沪上小面馆");
    assert_eq!(overview.entries[2].merchant_name, "面包房");
    assert!(overview.entries.iter().all(|e| !e.complete), "every one was exported incomplete");
    assert_eq!((overview.not_done, overview.failed, overview.next_retry_at), (3, 0, None));
}
