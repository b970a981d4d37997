//! Reading a case's documents (营业执照, 法人身份证, GPS 定位截图) with the real OCR models, and
//! the findings of what they say against the case. The documents are intake-ocr's synthetic
//! fixtures (`bench/make-ocr-documents.py --seed 21`: made-up people and companies); their
//! values are in `crates/intake-ocr/tests/fixtures/truth.json`.
//!
//! Each test reads only the files it needs (a reading takes about a second): readings are
//! stored by SHA-256, so a second case with the same bytes in one folder is not read again.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use intake_core::DataFolder;
use intake_core::case::{CaseAttributes, Datum, MerchantType, NewCase, Site};
use intake_core::checklist::{CaseCheck, ItemStatus, Severity};
use intake_core::documents::WhichDocuments;
use intake_core::keys::Passphrase;

/// The licence's values (truth.json).
const LICENCE_USCC: &str = "91440106RFRYG5GG5Q";
const LICENCE_NAME: &str = "广州天和文化传媒商行";
/// The ID card's number; its emblem side is valid until 2042-04-06.
const CARD_NUMBER: &str = "420102200007022986";
/// Another valid credit code and ID number.
const OTHER_USCC: &str = "91350100M000100Y43";
const OTHER_NUMBER: &str = "11010519491231002X";
/// The screenshot shows 34.827072, 113.680859 (GCJ-02).
const SHOWN: (f64, f64) = (34.827072, 113.680859);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../intake-ocr/tests/fixtures").join(name)
}

fn new_case(folder: &mut DataFolder, merchant_name: &str, visit: (i32, u32, u32), site: Option<Site>) -> String {
    folder
        .create_case(NewCase {
            merchant_name: merchant_name.into(),
            attributes: CaseAttributes {
                merchant_type: MerchantType::Enterprise,
                opens_payment: true,
                ..CaseAttributes::default()
            },
            visit_date: Some(NaiveDate::from_ymd_opt(visit.0, visit.1, visit.2).unwrap()),
            site,
        })
        .unwrap()
        .id
}

/// Adds the fixtures to a slot and reads what is not read yet.
fn add_and_read(folder: &mut DataFolder, case_id: &str, material: &str, names: &[&str]) {
    let paths: Vec<PathBuf> = names.iter().map(|name| fixture(name)).collect();
    for outcome in folder.add_files(case_id, material, &paths, |_| {}).unwrap() {
        assert!(outcome.error.is_none(), "{:?}", outcome.error);
    }
    folder.read_documents(case_id, WhichDocuments::Unread, |_| {}).unwrap();
}

fn set(folder: &mut DataFolder, case_id: &str, field: &str, value: &str) {
    folder.set_case_field(case_id, field, value, None).unwrap();
}

/// The findings of `code` in a check: (material, severity, message).
fn found(check: &CaseCheck, code: &str) -> Vec<(String, Severity, String)> {
    check
        .findings
        .iter()
        .filter(|finding| finding.code.to_string() == code)
        .map(|finding| (finding.material.clone(), finding.severity, finding.message.clone()))
        .collect()
}

fn status(check: &CaseCheck, material: &str) -> ItemStatus {
    check.items.iter().find(|item| item.item.key == material).unwrap().status
}

#[test]
fn a_licence_whose_credit_code_differs_from_the_case_is_an_error_and_a_matching_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("data")).unwrap();
    let case_id = new_case(&mut folder, LICENCE_NAME, (2026, 11, 20), None);
    set(&mut folder, &case_id, "uscc", OTHER_USCC);
    add_and_read(&mut folder, &case_id, "business_license", &["business_license-01-clean.jpg"]);

    let check = folder.check_case(&case_id).unwrap();
    let mismatch = found(&check, "licence_uscc_mismatch");
    assert_eq!(mismatch.len(), 1, "{:?}", check.findings);
    assert_eq!(mismatch[0].0, "business_license");
    assert_eq!(mismatch[0].1, Severity::Error);
    assert!(mismatch[0].2.contains(LICENCE_USCC) && mismatch[0].2.contains(OTHER_USCC), "{}", mismatch[0].2);
    assert_ne!(status(&check, "business_license"), ItemStatus::Ok, "an error keeps the licence from ok");
    // The merchant name is the licence's (full-width brackets or spaces would not count).
    assert!(found(&check, "licence_name_mismatch").is_empty(), "{:?}", check.findings);
    assert!(found(&check, "document_expired").is_empty(), "the licence is 长期");

    set(&mut folder, &case_id, "uscc", LICENCE_USCC);
    let check = folder.check_case(&case_id).unwrap();
    assert!(found(&check, "licence_uscc_mismatch").is_empty(), "{:?}", check.findings);

    // A merchant name that is not the licence's is a warning showing both.
    let other = new_case(&mut folder, "沪上小面馆", (2026, 11, 20), None);
    add_and_read(&mut folder, &other, "business_license", &["business_license-01-clean.jpg"]);
    let names = found(&folder.check_case(&other).unwrap(), "licence_name_mismatch");
    assert_eq!(names.len(), 1);
    assert_eq!(names[0].1, Severity::Warning);
    assert!(names[0].2.contains(LICENCE_NAME) && names[0].2.contains("沪上小面馆"), "{}", names[0].2);
}

#[test]
fn an_expired_id_card_is_an_error_and_its_number_is_checked_against_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("data")).unwrap();
    // The card is valid until 2042-04-06.
    let late = new_case(&mut folder, LICENCE_NAME, (2043, 1, 1), None);
    set(&mut folder, &late, "legal_rep_id_number", OTHER_NUMBER);
    add_and_read(&mut folder, &late, "legal_rep_id", &["id_front-01-clean.jpg", "id_back-01-clean.jpg"]);
    let check = folder.check_case(&late).unwrap();
    let expired = found(&check, "document_expired");
    assert_eq!(expired.len(), 1, "{:?}", check.findings);
    assert_eq!((expired[0].0.as_str(), expired[0].1), ("legal_rep_id", Severity::Error));
    assert!(expired[0].2.contains("2042-04-06") && expired[0].2.contains("2043-01-01"), "{}", expired[0].2);
    let number = found(&check, "id_number_mismatch");
    assert_eq!(number.len(), 1, "{:?}", check.findings);
    assert_eq!(number[0].1, Severity::Error);
    // Personal numbers are masked in the message.
    assert!(!number[0].2.contains(CARD_NUMBER) && number[0].2.contains("420102********2986"), "{}", number[0].2);
    // The printed birth date is the one inside the number.
    assert!(found(&check, "id_birth_date_mismatch").is_empty(), "{:?}", check.findings);

    set(&mut folder, &late, "legal_rep_id_number", CARD_NUMBER);
    assert!(found(&folder.check_case(&late).unwrap(), "id_number_mismatch").is_empty());

    // Visited while the card was valid: no finding.
    let in_time = new_case(&mut folder, LICENCE_NAME, (2026, 11, 20), None);
    add_and_read(&mut folder, &in_time, "legal_rep_id", &["id_front-01-clean.jpg", "id_back-01-clean.jpg"]);
    assert!(found(&folder.check_case(&in_time).unwrap(), "document_expired").is_empty());

    // The licence's legal representative (王桂) is not the card's holder: a warning with both.
    add_and_read(&mut folder, &in_time, "business_license", &["business_license-01-clean.jpg"]);
    let names = found(&folder.check_case(&in_time).unwrap(), "legal_rep_name_mismatch");
    assert_eq!(names.len(), 1);
    assert_eq!((names[0].0.as_str(), names[0].1), ("business_license", Severity::Warning));
    assert!(names[0].2.contains("王桂") && names[0].2.contains("杨雨梓"), "{}", names[0].2);

    // What was not typed is offered from the documents, with where it was read.
    let offers = folder.document_offers(&in_time).unwrap();
    let offer = |field: &str| offers.iter().find(|offer| offer.field == field).cloned();
    let uscc = offer("uscc").expect("the credit code is offered");
    assert_eq!((uscc.value.as_str(), uscc.source_title_zh.as_str()), (LICENCE_USCC, "营业执照"));
    assert!(uscc.confidence >= intake_core::documents::MIN_CONFIDENCE);
    assert_eq!(offer("legal_rep_id_number").map(|offer| offer.value), Some(CARD_NUMBER.to_string()));
    assert_eq!(offer("legal_rep_name").map(|offer| offer.value), Some("王桂".to_string()));
    // Typed: no longer offered (a different value typed stays a finding instead).
    set(&mut folder, &in_time, "uscc", OTHER_USCC);
    assert!(folder.document_offers(&in_time).unwrap().iter().all(|offer| offer.field != "uscc"));
    assert_eq!(found(&folder.check_case(&in_time).unwrap(), "licence_uscc_mismatch").len(), 1);
}

#[test]
fn the_screenshot_position_is_checked_against_the_premises_or_offered_for_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("data")).unwrap();
    let no_site = new_case(&mut folder, LICENCE_NAME, (2026, 11, 20), None);
    add_and_read(&mut folder, &no_site, "gps_screenshot", &["gps_screenshot-01-clean.jpg"]);
    let offered = found(&folder.check_case(&no_site).unwrap(), "screenshot_position_offered");
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].1, Severity::Warning);
    let site = folder.document_offers(&no_site).unwrap().into_iter().find(|offer| offer.field == "site").unwrap();
    assert_eq!((site.value.as_str(), site.datum), ("34.827072,113.680859", Some(Datum::Gcj02)));

    // Premises given in GCJ-02 at the position shown: inside. 1 km north: outside.
    let here = Site { lat: SHOWN.0, lon: SHOWN.1, datum: Datum::Gcj02, radius_m: Some(200.0) };
    let at_premises = new_case(&mut folder, LICENCE_NAME, (2026, 11, 20), Some(here));
    add_and_read(&mut folder, &at_premises, "gps_screenshot", &["gps_screenshot-01-clean.jpg"]);
    let check = folder.check_case(&at_premises).unwrap();
    assert!(found(&check, "screenshot_outside_site_radius").is_empty(), "{:?}", check.findings);
    assert!(found(&check, "screenshot_position_offered").is_empty());

    let away = Site { lat: SHOWN.0 + 0.009, ..here };
    let elsewhere = new_case(&mut folder, LICENCE_NAME, (2026, 11, 20), Some(away));
    add_and_read(&mut folder, &elsewhere, "gps_screenshot", &["gps_screenshot-01-clean.jpg"]);
    let outside = found(&folder.check_case(&elsewhere).unwrap(), "screenshot_outside_site_radius");
    assert_eq!(outside.len(), 1);
    assert_eq!(outside[0].1, Severity::Error);
    assert!(outside[0].2.contains("1000 m from the premises, beyond 200 m"), "{}", outside[0].2);
}

#[test]
fn a_document_that_cannot_be_read_is_a_warning_and_the_file_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("data")).unwrap();
    let case_id = new_case(&mut folder, LICENCE_NAME, (2026, 11, 20), None);
    set(&mut folder, &case_id, "uscc", OTHER_USCC);
    let scan = dir.path().join("执照扫描.pdf");
    std::fs::write(&scan, b"%PDF-1.7\n% a scan the reader cannot open\n").unwrap();
    let outcome = folder.add_files(&case_id, "business_license", &[scan], |_| {}).unwrap().remove(0);
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    let read = folder.read_documents(&case_id, WhichDocuments::Unread, |_| {}).unwrap();
    assert_eq!(read.len(), 1);
    assert!(read[0].problem.as_deref().is_some_and(|problem| problem.contains("执照扫描.pdf")), "{read:?}");
    assert_eq!(folder.case_evidence(&case_id).unwrap().len(), 1, "the file stays");
    let check = folder.check_case(&case_id).unwrap();
    let not_read = found(&check, "document_not_read");
    assert_eq!(not_read.len(), 1, "{:?}", check.findings);
    assert_eq!(not_read[0].1, Severity::Warning);
    assert!(found(&check, "licence_uscc_mismatch").is_empty());
    // Read once: not read again unless asked.
    assert!(folder.read_documents(&case_id, WhichDocuments::Unread, |_| {}).unwrap().is_empty());
    assert_eq!(folder.read_documents(&case_id, WhichDocuments::All, |_| {}).unwrap().len(), 1);
}

#[test]
fn readings_are_kept_only_sealed_in_an_encrypted_folder() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let passphrase = || Passphrase::new("门头照片 correct horse".to_string());
    DataFolder::encrypt(&home, &passphrase()).unwrap();
    let mut folder = DataFolder::unlock(&home, &passphrase()).unwrap();
    let case_id = new_case(&mut folder, "沪上小面馆", (2026, 11, 20), None);
    add_and_read(&mut folder, &case_id, "legal_rep_id", &["id_front-01-clean.jpg"]);
    let readings = folder.document_readings(&case_id).unwrap();
    let front = readings.iter().find(|reading| reading.kind == "id_front").unwrap();
    assert_eq!(front.confident_text("id_number"), Some(CARD_NUMBER));
    drop(folder);

    // Nothing on disk holds what was read in clear: not the number, not the name, not the address.
    let needles: [&[u8]; 3] = [CARD_NUMBER.as_bytes(), "杨雨梓".as_bytes(), "益民大厦".as_bytes()];
    let mut pending = vec![home.clone()];
    let mut files = 0;
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            files += 1;
            let bytes = std::fs::read(&path).unwrap();
            for needle in needles {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "{} holds a value read in clear",
                    path.display()
                );
            }
        }
    }
    assert!(files >= 3, "the folder holds its store, key and vault ({files} files)");

    // The same search finds them in an unencrypted folder's store: the search can fail.
    let plain_home = dir.path().join("plain");
    let mut plain = DataFolder::open(&plain_home).unwrap();
    let plain_case = new_case(&mut plain, "沪上小面馆", (2026, 11, 20), None);
    add_and_read(&mut plain, &plain_case, "legal_rep_id", &["id_front-01-clean.jpg"]);
    drop(plain);
    let store: Vec<u8> = ["intake.sqlite3", "intake.sqlite3-wal"]
        .iter()
        .filter_map(|name| std::fs::read(plain_home.join(name)).ok())
        .flatten()
        .collect();
    assert!(store.windows(CARD_NUMBER.len()).any(|w| w == CARD_NUMBER.as_bytes()));
}

#[test]
fn a_passport_in_the_id_slot_is_not_read_as_an_id_card_until_the_type_says_resident_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("data")).unwrap();
    let case_id = new_case(&mut folder, LICENCE_NAME, (2026, 11, 20), None);
    set(&mut folder, &case_id, "legal_rep_id_type", "passport");
    let added = folder.add_files(&case_id, "legal_rep_id", &[fixture("id_front-01-clean.jpg")], |_| {}).unwrap();
    assert!(added[0].error.is_none(), "{:?}", added[0].error);
    // The ID card readers do not read it: nothing to read, so no "nothing could be read".
    let read = folder.read_documents(&case_id, WhichDocuments::Unread, |_| {}).unwrap();
    assert!(read.is_empty(), "{read:?}");
    let check = folder.check_case(&case_id).unwrap();
    assert!(found(&check, "document_not_read").is_empty(), "{:?}", check.findings);
    assert!(folder.document_offers(&case_id).unwrap().iter().all(|offer| offer.field != "legal_rep_id_number"));

    // The type corrected to 居民身份证: the file is read now, and its number offered.
    set(&mut folder, &case_id, "legal_rep_id_type", "resident_id");
    let read = folder.read_documents(&case_id, WhichDocuments::Unread, |_| {}).unwrap();
    assert_eq!(read.len(), 1, "{read:?}");
    let offers = folder.document_offers(&case_id).unwrap();
    let number = offers.iter().find(|offer| offer.field == "legal_rep_id_number").map(|offer| offer.value.clone());
    assert_eq!(number.as_deref(), Some(CARD_NUMBER));
}
