//! The data folder: cases and imports through the public API.

use std::path::PathBuf;

use intake_core::case::{CaseAttributes, NewCase};
use intake_core::{DataFolder, ErrorKind, FileStatus};

fn new_case(name: &str) -> NewCase {
    NewCase {
        merchant_name: name.into(),
        attributes: CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
        visit_date: None,
        site: None,
    }
}

#[test]
fn adding_files_records_them_and_the_same_bytes_twice_is_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let case = folder.create_case(new_case("沪上小面馆")).unwrap();
    let a = dir.path().join("a.jpg");
    let b = dir.path().join("b.jpg");
    std::fs::write(&a, b"\xFF\xD8\xFF\xE0 photo a").unwrap();
    std::fs::write(&b, b"\xFF\xD8\xFF\xE0 photo b").unwrap();

    let first = folder.add_files(&case.id, "storefront_photo", &[a.clone(), b.clone()], |_| {}).unwrap();
    assert!(first.iter().all(|outcome| outcome.status == FileStatus::Added));
    assert_eq!(first[0].evidence.as_ref().unwrap().media_type, "image/jpeg");
    assert_eq!(first[0].evidence.as_ref().unwrap().original_name, "a.jpg");

    let again = folder.add_files(&case.id, "storefront_photo", std::slice::from_ref(&a), |_| {}).unwrap();
    assert_eq!(again[0].status, FileStatus::AlreadyPresent);
    assert_eq!(again[0].evidence, first[0].evidence);
    assert_eq!(folder.case_evidence(&case.id).unwrap().len(), 2);

    // The same bytes in another material are a separate record (the duplicate check flags it).
    let other = folder.add_files(&case.id, "interior_photo", &[a], |_| {}).unwrap();
    assert_eq!(other[0].status, FileStatus::Added);
    assert_eq!(folder.case_evidence(&case.id).unwrap().len(), 3);
    assert_eq!(folder.list_cases().unwrap()[0].file_count, 3);
}

#[test]
fn one_bad_file_fails_alone_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let case = folder.create_case(new_case("A")).unwrap();
    let good = dir.path().join("good.jpg");
    let empty = dir.path().join("empty.jpg");
    std::fs::write(&good, b"good").unwrap();
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.path().join("missing.jpg");
    let folder_path = dir.path().to_path_buf();
    let paths: Vec<PathBuf> = vec![missing, good, folder_path, empty];
    let outcomes = folder.add_files(&case.id, "storefront_photo", &paths, |_| {}).unwrap();
    let codes: Vec<Option<&str>> =
        outcomes.iter().map(|outcome| outcome.error.as_ref().map(|error| error.code.code())).collect();
    assert_eq!(codes, vec![Some("file_missing"), None, Some("not_a_file"), Some("file_empty")]);
    for outcome in &outcomes {
        if let Some(error) = &outcome.error {
            assert!(error.message.starts_with(&outcome.path), "message must name the file: {}", error.message);
        }
    }
    assert_eq!(folder.case_evidence(&case.id).unwrap().len(), 1);
}

#[test]
fn a_file_over_the_size_limit_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    folder.set_max_file_bytes(10);
    let case = folder.create_case(new_case("A")).unwrap();
    let big = dir.path().join("big.mov");
    std::fs::write(&big, [0u8; 11]).unwrap();
    let outcomes = folder.add_files(&case.id, "inspection_video", &[big], |_| {}).unwrap();
    assert_eq!(outcomes[0].error.as_ref().unwrap().code, intake_core::ErrorKind::FileTooLarge);
    assert!(folder.vault().object_paths().unwrap().is_empty());
}

#[test]
fn adding_to_an_unknown_case_or_a_malformed_material_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let file = dir.path().join("a.jpg");
    std::fs::write(&file, b"x").unwrap();
    let err = folder.add_files("20260101-XXXXXX", "storefront_photo", std::slice::from_ref(&file), |_| {}).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CaseNotFound);
    let case = folder.create_case(new_case("A")).unwrap();
    let err = folder.add_files(&case.id, "../etc/passwd", &[file], |_| {}).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn opening_cleans_up_after_a_crash_but_not_while_another_process_has_it_open() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    // While another holder has the folder open (it may be writing that very file),
    // nothing is removed.
    let holder = DataFolder::open(&home).unwrap();
    let leftover = home.join("vault/tmp/0123456789abcdef.part");
    std::fs::write(&leftover, b"half").unwrap();
    let (second, report) = DataFolder::open_reporting_cleanup(&home).unwrap();
    assert!(!report.ran);
    assert!(leftover.exists());
    drop(second);
    drop(holder);

    let (_folder, report) = DataFolder::open_reporting_cleanup(&home).unwrap();
    assert!(report.ran);
    assert_eq!(report.temp_files_removed, 1);
    assert!(!leftover.exists());
}

#[test]
fn case_ids_are_dated_and_distinct() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let ids: std::collections::HashSet<String> =
        (0..50).map(|_| folder.create_case(new_case("A")).unwrap().id).collect();
    assert_eq!(ids.len(), 50);
    let today = chrono::Utc::now().format("%Y%m%d").to_string();
    assert!(ids.iter().all(|id| id.starts_with(&today) && id.len() == 15));
}

#[test]
fn a_data_folder_that_is_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("home");
    std::fs::write(&file, b"x").unwrap();
    let err = DataFolder::open(&file).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::DataFolderUnwritable);
}

#[test]
fn a_batch_is_recorded_in_the_order_given_with_progress_on_the_calling_thread() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let case = folder.create_case(new_case("顺序")).unwrap();
    // Large files first, so that on several threads the later, small ones finish first; a
    // missing file and an empty one in between fail in their place.
    let mut paths = Vec::new();
    for index in 0..24usize {
        let path = dir.path().join(format!("file-{index:02}.bin"));
        match index {
            5 => {}
            9 => std::fs::write(&path, b"").unwrap(),
            _ => {
                let size = if index < 3 { 12 << 20 } else { 1000 + index };
                let mut bytes = vec![index as u8; size];
                bytes[0] = b'x';
                std::fs::write(&path, bytes).unwrap();
            }
        }
        paths.push(path);
    }
    let caller = std::thread::current().id();
    let mut seen = Vec::new();
    let outcomes = folder
        .add_files(&case.id, "storefront_photo", &paths, |outcome| {
            assert_eq!(std::thread::current().id(), caller, "progress must come on the calling thread");
            seen.push(outcome.path.clone());
        })
        .unwrap();
    let given: Vec<String> = paths.iter().map(|path| path.display().to_string()).collect();
    assert_eq!(seen, given);
    assert_eq!(outcomes.iter().map(|outcome| outcome.path.clone()).collect::<Vec<_>>(), given);
    let failed: Vec<usize> = (0..outcomes.len()).filter(|&i| outcomes[i].status == FileStatus::Failed).collect();
    assert_eq!(failed, vec![5, 9]);
    // The database rows are in the order given too (import order is the case's file order).
    let recorded: Vec<String> =
        folder.case_evidence(&case.id).unwrap().into_iter().map(|record| record.original_name).collect();
    let expected: Vec<String> =
        (0..24).filter(|index| ![5, 9].contains(index)).map(|index| format!("file-{index:02}.bin")).collect();
    assert_eq!(recorded, expected);
}
