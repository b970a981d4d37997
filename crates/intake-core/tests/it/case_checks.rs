//! Case-level evidence checks through `DataFolder::check_case`: each code appears when it
//! should and not otherwise, on generated JPEGs with EXIF GPS and times.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use exif::{Field, Tag};
use image::RgbImage;
use intake_core::DataFolder;
use intake_core::case::{CaseAttributes, Datum, NewCase, Site};
use intake_core::checklist::{CaseCheck, ItemStatus};
use intake_core::evidence::datum::{self, LatLon};

use crate::evidence::{ascii, jpeg, phone_exif, png, rationals, with, without};

/// The premises (WGS-84) and the position `phone_exif` records (31°13'49.44", 121°28'25.32").
const SITE: (f64, f64) = (31.2304, 121.4737);
const VISIT: (i32, u32, u32) = (2026, 11, 20);

struct Fixture {
    dir: tempfile::TempDir,
    folder: DataFolder,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let folder = DataFolder::open(&dir.path().join("data")).unwrap();
        Fixture { dir, folder }
    }

    fn case_with(&mut self, site: Option<Site>) -> String {
        self.folder
            .create_case(NewCase {
                merchant_name: "沪上小面馆".into(),
                attributes: CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
                visit_date: Some(NaiveDate::from_ymd_opt(VISIT.0, VISIT.1, VISIT.2).unwrap()),
                site,
            })
            .unwrap()
            .id
    }

    fn case(&mut self) -> String {
        self.case_with(Some(Site { lat: SITE.0, lon: SITE.1, datum: Datum::Wgs84, radius_m: Some(200.0) }))
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn add(&mut self, case_id: &str, material: &str, path: &Path) {
        let outcomes = self.folder.add_files(case_id, material, &[path.to_path_buf()], |_| {}).unwrap();
        assert!(outcomes[0].error.is_none(), "{:?}", outcomes[0].error);
    }

    fn check(&self, case_id: &str) -> CaseCheck {
        self.folder.check_case(case_id).unwrap()
    }
}

/// The codes found on the files of `material` in a check.
fn codes(check: &CaseCheck, material: &str) -> Vec<String> {
    check
        .findings
        .iter()
        .filter(|finding| finding.material == material)
        .map(|finding| finding.code.to_string())
        .collect()
}

fn has(check: &CaseCheck, material: &str, code: &str) -> bool {
    codes(check, material).iter().any(|found| found == code)
}

fn status(check: &CaseCheck, material: &str) -> ItemStatus {
    check.items.iter().find(|item| item.item.key == material).unwrap().status
}

/// A scene with large shapes (what a perceptual hash sees) and fine texture (so it is not blurry).
fn scene(width: u32, height: u32, seed: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = (x * 8 / width, y * 6 / height);
        let block = (u * 7 + v * 13 + seed * 29) % 11;
        let base = 30 + block * 20;
        let texture = ((x / 3 + y / 3) % 2) * 18;
        let level = (base + texture).min(255) as u8;
        image::Rgb([level, level / 2 + 40, 255 - level])
    })
}

fn degrees(tag: Tag, value: f64) -> Field {
    rationals(tag, &[((value.abs() * 1e6).round() as u32, 1_000_000), (0, 1), (0, 1)])
}

/// Phone EXIF with the position replaced.
fn exif_at(lat: f64, lon: f64) -> Vec<Field> {
    let fields = with(phone_exif(), degrees(Tag::GPSLatitude, lat));
    with(fields, degrees(Tag::GPSLongitude, lon))
}

/// A photo with this EXIF (same picture each time unless `seed` differs).
fn photo(fields: &[Field], seed: u32) -> Vec<u8> {
    jpeg(&scene(1600, 1200, seed), fields)
}

/// A point `metres` due north of `from`.
fn north_of(from: (f64, f64), metres: f64) -> (f64, f64) {
    (from.0 + metres / 111_195.0, from.1)
}

#[test]
fn a_photo_far_from_the_premises_is_flagged_and_a_near_one_is_not() {
    let mut fixture = Fixture::new();
    let case = fixture.case();
    let far = north_of(SITE, 1300.0);
    let near = north_of(SITE, 50.0);
    let far_photo = fixture.write("far.jpg", &photo(&exif_at(far.0, far.1), 1));
    let near_photo = fixture.write("near.jpg", &photo(&exif_at(near.0, near.1), 2));
    fixture.add(&case, "storefront_photo", &far_photo);
    fixture.add(&case, "interior_photo", &near_photo);

    let check = fixture.check(&case);
    assert!(has(&check, "storefront_photo", "outside_site_radius"), "{:?}", check.findings);
    assert!(!has(&check, "interior_photo", "outside_site_radius"), "{:?}", check.findings);
    let finding = check
        .findings
        .iter()
        .find(|finding| finding.code == intake_core::evidence::FindingCode::OutsideSiteRadius)
        .unwrap();
    assert_eq!(finding.file, "far.jpg");
    assert!(finding.message.contains("1.3 km") && finding.message.contains("200 m"), "{}", finding.message);
    // The premises were given in WGS-84: nothing was converted, and the message says nothing of it.
    assert!(!finding.message.contains("换算"), "{}", finding.message);
    assert_eq!(finding.severity, intake_core::checklist::Severity::Error);
    // The error keeps its item from `ok`; the near photo's item is ok.
    assert_eq!(status(&check, "storefront_photo"), ItemStatus::Present);
    assert_eq!(status(&check, "interior_photo"), ItemStatus::Ok, "{:?}", codes(&check, "interior_photo"));
    assert!(check.blocking);
}

#[test]
fn the_premises_position_is_converted_from_its_datum_before_comparing() {
    let mut fixture = Fixture::new();
    let premises_wgs = LatLon::new(SITE.0, SITE.1);
    let premises_gcj = datum::from_wgs84(premises_wgs, Datum::Gcj02);
    // A naive comparison (GCJ-02 numbers taken as WGS-84) would put the photo ~500 m away.
    let naive_m = datum::distance_m(premises_wgs, premises_gcj);
    assert!(naive_m > 300.0, "{naive_m}");
    let case = fixture.case_with(Some(Site {
        lat: premises_gcj.lat,
        lon: premises_gcj.lon,
        datum: Datum::Gcj02,
        radius_m: Some(200.0),
    }));
    let at_premises = fixture.write("at.jpg", &photo(&exif_at(SITE.0, SITE.1), 1));
    fixture.add(&case, "storefront_photo", &at_premises);
    let check = fixture.check(&case);
    assert!(!has(&check, "storefront_photo", "outside_site_radius"), "{:?}", check.findings);
    // Far from GCJ-02 premises: the message says the premises were converted, and from what.
    let far = north_of(SITE, 1300.0);
    let far_photo = fixture.write("far.jpg", &photo(&exif_at(far.0, far.1), 2));
    fixture.add(&case, "interior_photo", &far_photo);
    let check = fixture.check(&case);
    let finding = check
        .findings
        .iter()
        .find(|finding| finding.code == intake_core::evidence::FindingCode::OutsideSiteRadius)
        .unwrap();
    assert!(finding.message.contains("按 GCJ-02 换算为 WGS-84"), "{}", finding.message);

    // The same numbers declared as WGS-84 are ~500 m off, and flagged.
    let naive_case = fixture.case_with(Some(Site {
        lat: premises_gcj.lat,
        lon: premises_gcj.lon,
        datum: Datum::Wgs84,
        radius_m: Some(200.0),
    }));
    fixture.add(&naive_case, "interior_photo", &at_premises);
    let check = fixture.check(&naive_case);
    assert!(has(&check, "interior_photo", "outside_site_radius"), "{:?}", check.findings);
}

#[test]
fn the_case_radius_is_used() {
    let mut fixture = Fixture::new();
    let case = fixture.case_with(Some(Site { lat: SITE.0, lon: SITE.1, datum: Datum::Wgs84, radius_m: Some(2000.0) }));
    let far = north_of(SITE, 1300.0);
    let path = fixture.write("far.jpg", &photo(&exif_at(far.0, far.1), 1));
    fixture.add(&case, "storefront_photo", &path);
    assert!(!has(&fixture.check(&case), "storefront_photo", "outside_site_radius"));
}

#[test]
fn capture_date_must_be_the_visit_date_in_the_files_own_offset() {
    let mut fixture = Fixture::new();
    let case = fixture.case();
    // Right day (10:22 +08:00 on the 20th).
    let right = fixture.write("right.jpg", &photo(&phone_exif(), 1));
    // Wrong day.
    let wrong_fields = with(phone_exif(), ascii(Tag::DateTimeOriginal, "2026:11:18 10:22:33"));
    let wrong_fields = with(wrong_fields, ascii(Tag::GPSDateStamp, "2026:11:18"));
    let wrong = fixture.write("wrong.jpg", &photo(&wrong_fields, 2));
    // 23:30 on the 19th in UTC (the file says +00:00): the 19th in the file's offset, although
    // it was already 07:30 on the 20th in China.
    let utc_fields = with(phone_exif(), ascii(Tag::DateTimeOriginal, "2026:11:19 23:30:00"));
    let utc_fields = with(utc_fields, ascii(Tag::OffsetTimeOriginal, "+00:00"));
    let utc_fields = with(utc_fields, ascii(Tag::GPSDateStamp, "2026:11:19"));
    let utc_fields = with(utc_fields, rationals(Tag::GPSTimeStamp, &[(23, 1), (30, 1), (0, 1)]));
    let late_utc = fixture.write("late-utc.jpg", &photo(&utc_fields, 3));
    // 00:30 on the 20th with no offset recorded: UTC+8 is assumed, so the 20th (in UTC it
    // was still the 19th).
    let china_fields = without(phone_exif(), &[Tag::OffsetTimeOriginal]);
    let china_fields = with(china_fields, ascii(Tag::DateTimeOriginal, "2026:11:20 00:30:00"));
    let china_fields = with(china_fields, ascii(Tag::GPSDateStamp, "2026:11:19"));
    let china_fields = with(china_fields, rationals(Tag::GPSTimeStamp, &[(16, 1), (30, 1), (0, 1)]));
    let early_china = fixture.write("early-china.jpg", &photo(&china_fields, 4));

    fixture.add(&case, "storefront_photo", &right);
    fixture.add(&case, "interior_photo", &wrong);
    fixture.add(&case, "operator_holding_id", &late_utc);
    fixture.add(&case, "manager_with_storefront", &early_china);
    let check = fixture.check(&case);
    assert!(!has(&check, "storefront_photo", "outside_visit_window"), "{:?}", check.findings);
    assert!(has(&check, "interior_photo", "outside_visit_window"), "{:?}", check.findings);
    assert!(has(&check, "operator_holding_id", "outside_visit_window"), "{:?}", check.findings);
    assert!(!has(&check, "manager_with_storefront", "outside_visit_window"), "{:?}", check.findings);
    let message = &check.findings.iter().find(|finding| finding.material == "operator_holding_id").unwrap().message;
    assert!(message.contains("2026-11-19") && message.contains("2026-11-20"), "{message}");
}

#[test]
fn a_site_photo_taken_hours_apart_from_the_others_is_flagged() {
    let mut fixture = Fixture::new();
    let case = fixture.case();
    // Taken at `time` (+08:00) on the visit day, the GPS clock agreeing.
    let taken_at = |time: &str, seed: u32| {
        let (hours, minutes): (u32, u32) = (time[..2].parse().unwrap(), time[3..].parse().unwrap());
        let fields = with(phone_exif(), ascii(Tag::DateTimeOriginal, &format!("2026:11:20 {time}:00")));
        let fields = with(fields, rationals(Tag::GPSTimeStamp, &[(hours - 8, 1), (minutes, 1), (0, 1)]));
        photo(&fields, seed)
    };
    let storefront = fixture.write("门头.jpg", &taken_at("10:22", 1));
    fixture.add(&case, "storefront_photo", &storefront);
    let alone = fixture.check(&case);
    assert!(!has(&alone, "storefront_photo", "apart_from_other_photos"), "one photo has nothing to be apart from");

    let interior = fixture.write("内景.jpg", &taken_at("10:40", 2));
    let holding_id = fixture.write("手持.jpg", &taken_at("10:55", 3));
    let late = fixture.write("合照.jpg", &taken_at("15:10", 4));
    // A scanned form is no site photo: its time does not count, however far.
    let form = fixture.write("考察表.jpg", &taken_at("21:00", 5));
    fixture.add(&case, "interior_photo", &interior);
    fixture.add(&case, "operator_holding_id", &holding_id);
    fixture.add(&case, "manager_with_storefront", &late);
    fixture.add(&case, "site_inspection_form", &form);
    let check = fixture.check(&case);
    for material in ["storefront_photo", "interior_photo", "operator_holding_id", "site_inspection_form"] {
        assert!(!has(&check, material, "apart_from_other_photos"), "{material}: {:?}", check.findings);
    }
    let finding = check
        .findings
        .iter()
        .find(|finding| {
            finding.material == "manager_with_storefront" && finding.code.to_string() == "apart_from_other_photos"
        })
        .unwrap_or_else(|| panic!("the 15:10 photo is flagged: {:?}", check.findings));
    // The middle of 10:22, 10:40, 10:55 and 15:10 is 10:47:30; 15:10 is 4.4 hours from it.
    assert_eq!(finding.severity, intake_core::checklist::Severity::Warning);
    for expected in ["15:10", "10:47", "4.4 小时", "4 张现场照片", "more than 2 hours"] {
        assert!(finding.message.contains(expected), "{expected:?} in {:?}", finding.message);
    }

    // A longer spread in the settings lets it pass.
    let mut thresholds = fixture.folder.thresholds().unwrap();
    thresholds.site_photo_spread_hours = 5.0;
    fixture.folder.set_thresholds(thresholds).unwrap();
    assert!(!has(&fixture.check(&case), "manager_with_storefront", "apart_from_other_photos"));
}

#[test]
fn the_same_bytes_in_two_slots_or_two_cases_are_duplicates() {
    let mut fixture = Fixture::new();
    let case = fixture.case();
    let other_case = fixture.case();
    let path = fixture.write("shop.jpg", &photo(&phone_exif(), 1));
    fixture.add(&case, "storefront_photo", &path);
    let check = fixture.check(&case);
    assert!(!has(&check, "storefront_photo", "duplicate_in_case"));
    assert!(!has(&check, "storefront_photo", "duplicate_other_case"));

    fixture.add(&case, "interior_photo", &path);
    let check = fixture.check(&case);
    assert!(has(&check, "storefront_photo", "duplicate_in_case"), "{:?}", check.findings);
    assert!(has(&check, "interior_photo", "duplicate_in_case"), "{:?}", check.findings);
    assert!(!has(&check, "interior_photo", "duplicate_other_case"));
    // Byte-identical is not "near": no near_duplicate on top.
    assert!(!has(&check, "interior_photo", "near_duplicate"), "{:?}", check.findings);

    fixture.add(&other_case, "storefront_photo", &path);
    let check = fixture.check(&other_case);
    assert!(has(&check, "storefront_photo", "duplicate_other_case"), "{:?}", check.findings);
    assert!(!has(&check, "storefront_photo", "duplicate_in_case"));
    let finding = check
        .findings
        .iter()
        .find(|finding| finding.code == intake_core::evidence::FindingCode::DuplicateOtherCase)
        .unwrap();
    assert!(finding.message.contains(&case), "{}", finding.message);
    assert_eq!(status(&check, "storefront_photo"), ItemStatus::Present);
}

#[test]
fn a_resized_reencoded_copy_is_a_near_duplicate_and_another_picture_is_not() {
    let mut fixture = Fixture::new();
    let case = fixture.case();
    let other_case = fixture.case();
    let original = fixture.write("original.jpg", &photo(&phone_exif(), 1));
    let resized = image::imageops::resize(&scene(1600, 1200, 1), 1280, 960, image::imageops::FilterType::Triangle);
    let copy = fixture.write("copy.jpg", &jpeg(&resized, &phone_exif()));
    let different = fixture.write("different.jpg", &photo(&phone_exif(), 5));
    fixture.add(&case, "storefront_photo", &original);
    fixture.add(&case, "interior_photo", &different);
    let check = fixture.check(&case);
    assert!(!has(&check, "storefront_photo", "near_duplicate"), "{:?}", check.findings);
    assert!(!has(&check, "interior_photo", "near_duplicate"), "{:?}", check.findings);

    fixture.add(&other_case, "storefront_photo", &copy);
    let check = fixture.check(&other_case);
    assert!(has(&check, "storefront_photo", "near_duplicate"), "{:?}", check.findings);
    assert!(!has(&check, "storefront_photo", "duplicate_other_case"), "different bytes");
    let finding = check
        .findings
        .iter()
        .find(|finding| finding.code == intake_core::evidence::FindingCode::NearDuplicate)
        .unwrap();
    assert_eq!(finding.severity, intake_core::checklist::Severity::Warning);
    assert!(finding.message.contains(&case), "{}", finding.message);
    // A warning does not keep the item from ok.
    assert_eq!(status(&check, "storefront_photo"), ItemStatus::Ok, "{:?}", check.findings);
}

#[test]
fn screenshots_and_scans_need_no_exif_but_site_photos_do() {
    let mut fixture = Fixture::new();
    let case = fixture.case();
    let screenshot = fixture.write("map.png", &png(&scene(1600, 1200, 2)));
    let scan = fixture.write("licence.jpg", &jpeg(&scene(1600, 1200, 3), &[]));
    let pdf = fixture.write("form.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
    let stripped = fixture.write("stripped.jpg", &jpeg(&scene(1600, 1200, 4), &[]));
    let no_gps = fixture.write("no-gps.jpg", &photo(&without(phone_exif(), &[Tag::GPSLatitude, Tag::GPSLongitude]), 6));
    fixture.add(&case, "gps_screenshot", &screenshot);
    fixture.add(&case, "business_license", &scan);
    fixture.add(&case, "site_inspection_form", &pdf);
    fixture.add(&case, "storefront_photo", &stripped);
    fixture.add(&case, "interior_photo", &no_gps);
    let check = fixture.check(&case);
    assert_eq!(codes(&check, "gps_screenshot"), Vec::<String>::new());
    assert!(!has(&check, "business_license", "exif_missing"), "{:?}", check.findings);
    assert!(!has(&check, "business_license", "gps_missing"), "{:?}", check.findings);
    assert_eq!(codes(&check, "site_inspection_form"), Vec::<String>::new(), "a PDF is not 'unreadable'");
    assert!(has(&check, "storefront_photo", "exif_missing"), "{:?}", check.findings);
    assert!(has(&check, "interior_photo", "gps_missing"), "{:?}", check.findings);

    // The same PNG as a site photo: no EXIF is a finding there.
    fixture.add(&case, "operator_holding_id", &screenshot);
    let check = fixture.check(&case);
    assert!(has(&check, "operator_holding_id", "exif_missing"), "{:?}", check.findings);
}

#[test]
fn file_level_findings_of_the_stored_inspection_are_listed() {
    let mut fixture = Fixture::new();
    let case = fixture.case();
    let edited = with(phone_exif(), ascii(Tag::Software, "Adobe Photoshop 25.0"));
    let path = fixture.write("edited.jpg", &photo(&edited, 1));
    fixture.add(&case, "storefront_photo", &path);
    let check = fixture.check(&case);
    assert!(has(&check, "storefront_photo", "edited_software"), "{:?}", check.findings);
}

#[test]
fn files_whose_facts_are_missing_are_read_at_check() {
    let mut fixture = Fixture::new();
    let case = fixture.case();
    let far = north_of(SITE, 1300.0);
    let path = fixture.write("far.jpg", &photo(&exif_at(far.0, far.1), 1));
    fixture.add(&case, "storefront_photo", &path);
    // As if imported by a version without facts.
    let connection = rusqlite::Connection::open(fixture.dir.path().join("data/intake.sqlite3")).unwrap();
    intake_core::database::register_sql_functions(&connection).unwrap();
    let removed = connection.execute("DELETE FROM evidence_facts", []).unwrap();
    assert_eq!(removed, 1, "the facts were recorded at import");
    let check = fixture.check(&case);
    assert!(has(&check, "storefront_photo", "outside_site_radius"), "{:?}", check.findings);
    let stored: i64 = connection.query_row("SELECT count(*) FROM evidence_facts", [], |row| row.get(0)).unwrap();
    assert_eq!(stored, 1, "what check read is kept");

    // A file whose vault object is gone cannot be checked: its item stays `present`.
    connection.execute("DELETE FROM evidence_facts", []).unwrap();
    let sha256 = fixture.check(&case).items.iter().find(|item| item.item.key == "storefront_photo").unwrap().files[0]
        .sha256
        .clone();
    connection.execute("DELETE FROM evidence_facts", []).unwrap();
    std::fs::remove_file(fixture.folder.vault().object_path(&sha256)).unwrap();
    let check = fixture.check(&case);
    let item = check.items.iter().find(|item| item.item.key == "storefront_photo").unwrap();
    assert_eq!(item.unchecked_files, 1);
    assert_eq!(item.status, ItemStatus::Present);
}

#[test]
fn a_file_of_a_type_its_material_does_not_take_is_an_error() {
    let mut fixture = Fixture::new();
    let case = fixture.case();
    let storefront_pdf = fixture.write("门头.pdf", b"%PDF-1.4\n1 0 obj << /Title (storefront) >> endobj\n%%EOF\n");
    let licence_pdf = fixture.write("执照.pdf", b"%PDF-1.4\n1 0 obj << /Title (licence) >> endobj\n%%EOF\n");
    // The start of an MP4: a video by its bytes, whatever its reading finds in it.
    let video = fixture.write("inside.mp4", b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2\0\0\0\x08free");
    let report = fixture.write("考察报告.pdf", b"%PDF-1.4\n1 0 obj << /Title (report) >> endobj\n%%EOF\n");
    let text = fixture.write("holding-id.jpg", b"not a picture at all\n");
    // A ZIP package: an OFD by its name (the Chinese e-document format), else an archive.
    let zip = |note: &str| [&b"PK\x03\x04\x14\0\0\0\0\0"[..], note.as_bytes()].concat();
    let ofd = fixture.write("开户证明.ofd", &zip("bank statement"));
    let ofd_as_photo = fixture.write("内景.ofd", &zip("not a photo"));
    let archive = fixture.write("risk-rating.zip", &zip("scans"));
    // A Word file: a ZIP whose first entry is a Word package's (a local header of 30 bytes,
    // the name's length at 26).
    let word = |note: &str| {
        let name = b"word/document.xml";
        let mut header = [0u8; 30];
        header[..4].copy_from_slice(b"PK\x03\x04");
        header[26] = name.len() as u8;
        [&header[..], name, note.as_bytes()].concat()
    };
    let unstamped_word = fixture.write("开户许可证.docx", &word("account"));
    let stamped_word = fixture.write("现场考察表.docx", &word("inspection form"));
    fixture.add(&case, "storefront_photo", &storefront_pdf);
    fixture.add(&case, "business_license", &licence_pdf);
    fixture.add(&case, "interior_photo", &video);
    fixture.add(&case, "inspection_video", &report);
    fixture.add(&case, "operator_holding_id", &text);
    fixture.add(&case, "account_opening_proof", &ofd);
    fixture.add(&case, "manager_with_legal_rep", &ofd_as_photo);
    fixture.add(&case, "risk_rating_form", &archive);
    fixture.add(&case, "account_opening_proof", &unstamped_word);
    fixture.add(&case, "site_inspection_form", &stamped_word);
    let check = fixture.check(&case);

    let wrong = |material: &str| {
        check
            .findings
            .iter()
            .find(|finding| finding.material == material && finding.code.to_string() == "wrong_file_type")
            .unwrap_or_else(|| panic!("{material}: {:?}", check.findings))
    };
    let pdf_as_photo = wrong("storefront_photo");
    assert_eq!(pdf_as_photo.severity, intake_core::checklist::Severity::Error);
    assert!(
        pdf_as_photo.message.contains("此文件是 PDF 文档") && pdf_as_photo.message.contains("a PDF document"),
        "{pdf_as_photo:?}"
    );
    assert!(pdf_as_photo.message.contains("图片"), "names what the material takes: {pdf_as_photo:?}");
    assert!(wrong("interior_photo").message.contains("this file is a video"), "{:?}", check.findings);
    assert!(
        wrong("inspection_video").message.contains(
            "takes a picture (a photo, a screenshot or a scan) or a video (MOV, MP4); this file is a PDF document"
        ),
        "{:?}",
        check.findings
    );
    // A licence may be a PDF; a file nobody reads is unreadable, not of a wrong type.
    assert_eq!(codes(&check, "business_license"), Vec::<String>::new());
    assert_eq!(codes(&check, "operator_holding_id"), ["unreadable"]);
    assert!(wrong("manager_with_legal_rep").message.contains("this file is an OFD document"), "{:?}", check.findings);
    assert_eq!(codes(&check, "risk_rating_form"), ["unreadable"], "an archive is not a document");
    // An office file is a document, but not where stamps or signatures must be seen.
    let recorded = fixture.folder.case_evidence(&case).unwrap();
    let word_type = &recorded.iter().find(|file| file.original_name == "开户许可证.docx").unwrap().media_type;
    assert!(word_type.starts_with("application/vnd.openxmlformats-officedocument."), "{word_type}");
    assert_eq!(codes(&check, "account_opening_proof"), Vec::<String>::new(), "an OFD and a Word file");
    let unstamped = wrong("site_inspection_form");
    assert!(
        unstamped
            .message
            .contains("这份资料须有盖章或签字,需要图片(照片、截图或扫描件)或 PDF/OFD 文档,此文件是办公文档")
            && unstamped.message.contains("must carry stamps or signatures, takes a picture"),
        "{unstamped:?}"
    );

    // An OFD recorded as a ZIP (imported before OFD was told apart) is read as the OFD it is.
    let connection = rusqlite::Connection::open(fixture.dir.path().join("data/intake.sqlite3")).unwrap();
    intake_core::database::register_sql_functions(&connection).unwrap();
    let changed = connection
        .execute("UPDATE evidence SET media_type = 'application/zip' WHERE media_type = 'application/ofd'", [])
        .unwrap();
    assert_eq!(changed, 2, "both OFD files were recorded as OFD");
    let check = fixture.check(&case);
    assert_eq!(codes(&check, "account_opening_proof"), Vec::<String>::new());
    assert!(has(&check, "manager_with_legal_rep", "wrong_file_type"), "{:?}", check.findings);
    // An error keeps its item from ok.
    assert_ne!(status(&check, "storefront_photo"), ItemStatus::Ok);
    assert_ne!(status(&check, "operator_holding_id"), ItemStatus::Ok);
}
