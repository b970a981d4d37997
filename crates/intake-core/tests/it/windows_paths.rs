//! What a Windows laptop does to a data folder that a Linux one does not: a folder deeper than
//! MAX_PATH (260 UTF-16 units) in Chinese-named folders, and the default folder's place. Run
//! on every platform, and for the Windows target under Wine (scripts/test-windows.sh); Wine
//! does not enforce MAX_PATH, so only real Windows fully checks the first test (the rule
//! itself is unit-tested in `long_paths`).

use intake_core::DataFolder;
use intake_core::case::{CaseAttributes, NewCase};
use intake_core::package::ExportOptions;
use intake_core::package::verify::{self, VerifyOptions};

#[test]
fn a_data_folder_deeper_than_max_path_opens_imports_exports_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let mut deep = dir.path().to_path_buf();
    // Past 300 UTF-16 units (Windows's measure) but under 512 bytes of UTF-8: SQLite's Unix
    // build refuses longer names (SQLITE_MAX_PATHNAME), so all-hanzi folders cannot be used.
    for n in 0..14 {
        deep.push(format!("客户资料-branch-folder-{n:02}"));
    }
    let home = deep.join("数据");
    assert!(utf16_len(&home) > 300, "{}", home.display());

    let mut folder = DataFolder::open(&home).unwrap();
    let case = folder
        .create_case(NewCase {
            merchant_name: "沪上小面馆".into(),
            attributes: CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
            visit_date: None,
            site: None,
        })
        .unwrap();
    let photo = deep.join("门头照片.jpg");
    std::fs::write(&photo, b"\xFF\xD8\xFF\xE0 a storefront").unwrap();
    let outcomes = folder.add_files(&case.id, "storefront_photo", &[photo], |_| {}).unwrap();
    assert!(outcomes[0].error.is_none(), "{:?}", outcomes[0].error);

    let sender = intake_core::settings::SettingsChange {
        branch: Some("上海分公司".into()),
        manager_name: Some("张三".into()),
        ..Default::default()
    };
    folder.change_settings(sender).unwrap();
    let out = deep.join("导出").join(format!("{}.zip", case.id));
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let options =
        ExportOptions { allow_incomplete: true, incomplete_reason: Some("测试".into()), ..ExportOptions::default() };
    folder.export_case(&case.id, &out, &options).unwrap();
    let fingerprint = folder.signing_key_fingerprint().unwrap().unwrap();
    let trusted = intake_core::package::trust::data_folder_key(folder.root(), &fingerprint);
    let report = verify::verify_package(&out, &VerifyOptions::trusting(vec![trusted])).unwrap();
    assert!(report.valid, "{:#?}", report.problems);

    // Closed and opened again: the lock is taken, released and taken shared at this depth too.
    drop(folder);
    let (folder, cleanup) = DataFolder::open_reporting_cleanup(&home).unwrap();
    assert!(cleanup.ran);
    assert_eq!(folder.case_evidence(&case.id).unwrap()[0].original_name, "门头照片.jpg");
}

/// A path's length as Windows counts it (UTF-16 units).
fn utf16_len(path: &std::path::Path) -> usize {
    path.to_string_lossy().encode_utf16().count()
}

#[test]
fn a_second_open_while_the_first_holds_the_folder_neither_fails_nor_cleans_up() {
    // The lock's dance (exclusive try, release, shared) with a holder in between: under Wine
    // the release by `File::unlock` failed with os error 33 and every open failed.
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("数据文件夹");
    let first = DataFolder::open(&home).unwrap();
    let (second, report) = DataFolder::open_reporting_cleanup(&home).unwrap();
    assert!(!report.ran);
    let (third, report) = DataFolder::open_reporting_cleanup(&home).unwrap();
    assert!(!report.ran);
    drop((first, second, third));
    let (_alone, report) = DataFolder::open_reporting_cleanup(&home).unwrap();
    assert!(report.ran, "the lock of a closed folder was not released");
}

#[cfg(windows)]
#[test]
fn the_default_data_folder_is_merchant_intake_in_local_app_data() {
    let local = std::env::var_os("LOCALAPPDATA").expect("Windows sets LOCALAPPDATA");
    assert_eq!(DataFolder::default_path().unwrap(), std::path::Path::new(&local).join("merchant-intake"));
}
