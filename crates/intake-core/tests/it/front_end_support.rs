//! The core calls that exist for the desktop app: a folder's files, a field checked as it is
//! typed, the case list with statuses, the vocabulary of the domain's terms.

use std::fs;

use intake_core::DataFolder;
use intake_core::case::{CaseAttributes, NewCase, vocabulary};
use intake_core::data_folder::files_in_folder;

fn payment_case(folder: &mut DataFolder) -> String {
    folder
        .create_case(NewCase {
            merchant_name: "沪上小面馆".into(),
            attributes: CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
            visit_date: None,
            site: None,
        })
        .unwrap()
        .id
}

#[test]
fn a_folder_gives_its_files_and_its_subfolders_files_sorted_without_hidden_ones() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("DCIM");
    fs::create_dir_all(root.join("Camera")).unwrap();
    fs::create_dir_all(root.join(".thumbnails")).unwrap();
    fs::write(root.join("b.jpg"), b"b").unwrap();
    fs::write(root.join("Camera").join("a.jpg"), b"a").unwrap();
    fs::write(root.join(".thumbnails").join("t.jpg"), b"t").unwrap();
    fs::write(root.join(".DS_Store"), b"x").unwrap();

    let files = files_in_folder(&root).unwrap();
    assert_eq!(files, vec![root.join("Camera").join("a.jpg"), root.join("b.jpg")]);

    let not_a_folder = files_in_folder(&root.join("b.jpg")).unwrap_err();
    assert_eq!(not_a_folder.code(), "invalid_input");
    assert!(not_a_folder.message().contains("b.jpg"), "{}", not_a_folder.message());
    assert_eq!(files_in_folder(&root.join("nowhere")).unwrap_err().code(), "file_missing");
}

#[test]
fn a_field_is_validated_without_being_recorded() {
    let home = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(home.path()).unwrap();
    let case_id = payment_case(&mut folder);

    let wrong_check_digit = folder.validate_case_field(&case_id, "legal_rep_id_number", "110105194912310021").unwrap();
    assert_eq!(wrong_check_digit.problems.len(), 1, "{wrong_check_digit:?}");
    assert_eq!(wrong_check_digit.display_value, None);

    let valid = folder.validate_case_field(&case_id, "legal_rep_id_number", "11010519491231002X").unwrap();
    assert!(valid.problems.is_empty(), "{valid:?}");
    let shown = valid.display_value.expect("an accepted value has a display form");
    assert!(!shown.contains("19491231"), "personal data is masked: {shown}");

    assert!(folder.case_fields(&case_id).unwrap().is_empty(), "validation records nothing");
    assert_eq!(folder.validate_case_field(&case_id, "no_such_field", "x").unwrap_err().code(), "invalid_input");
}

#[test]
fn the_case_list_carries_each_cases_check() {
    let home = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(home.path()).unwrap();
    let case_id = payment_case(&mut folder);

    let overviews = folder.list_case_overviews().unwrap();
    assert_eq!(overviews.len(), 1);
    assert_eq!(overviews[0].case.id, case_id);
    let check = folder.check_case(&case_id).unwrap();
    assert!(overviews[0].blocking, "a case with no file is not ready");
    assert_eq!(overviews[0].summary, check.summary);
}

#[test]
fn the_vocabulary_holds_every_value_with_both_labels() {
    let words = vocabulary();
    assert_eq!(words.merchant_types.len(), 4);
    assert_eq!(words.datums.iter().map(|term| term.key.as_str()).collect::<Vec<_>>(), ["wgs84", "gcj02", "bd09"]);
    assert!(words.stages.iter().any(|term| term.zh == "客户入网"));
    // Every yes/no attribute of CaseAttributes, and nothing else.
    let attributes = serde_json::to_value(CaseAttributes::default()).unwrap();
    let mut flags: Vec<&str> = attributes
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, value)| value.is_boolean())
        .map(|(key, _)| key.as_str())
        .collect();
    flags.sort_unstable();
    let mut labelled: Vec<&str> = words.flags.iter().map(|term| term.key.as_str()).collect();
    labelled.sort_unstable();
    assert_eq!(labelled, flags);
    for term in words.flags.iter().chain(&words.marks).chain(&words.item_statuses) {
        assert!(!term.zh.is_empty() && !term.en.is_empty(), "{term:?}");
    }
}
