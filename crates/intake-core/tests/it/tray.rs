//! The 未分类 tray (`tray`): a whole phone folder imported at once, each file stored and
//! audited like any import, a material suggested for each from what the core knows of it, and
//! an assignment that gives the file exactly the findings a direct import gives.

use std::path::{Path, PathBuf};

use intake_core::ErrorKind;
use intake_core::FileStatus;
use intake_core::checklist::CaseFinding;
use intake_core::data_folder::files_in_folder;
use intake_core::package::{ExportOptions, verify};
use intake_core::tray::{FileKind, KindSign, UNSORTED_MATERIAL};

use crate::package::{Fixture, photo, scan, test_card};

/// A tall PNG with a phone screen's proportions (19.5:9), as a map app's screenshot is.
fn screen_png(seed: u32) -> Vec<u8> {
    use image::ImageEncoder;
    let card = test_card(seed, 360, 780);
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(card.as_raw(), card.width(), card.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// The smallest file every sniffer takes for a PDF.
fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// A phone folder as copied to the laptop: two camera photos, a screenshot by name, one by
/// its shape, a PDF, a scan without any camera data, and a hidden file the import skips.
fn phone_folder(root: &Path) -> PathBuf {
    let folder = root.join("DCIM");
    std::fs::create_dir_all(folder.join("Screenshots")).unwrap();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("IMG_0001.jpg", photo(1, 20.0, 10.0, "2026:11:20 10:01:00")),
        ("IMG_0002.jpg", photo(2, -15.0, 5.0, "2026:11:20 10:03:00")),
        ("Screenshots/Screenshot_20261120-100500.png", scan(3)),
        ("IMG_0003.png", screen_png(4)),
        ("营业执照扫描.pdf", pdf()),
        ("扫描 0005.png", scan(5)),
        (".thumbnails", b"not a file of the visit".to_vec()),
    ];
    for (name, bytes) in files {
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    folder
}

fn import_folder(fixture: &mut Fixture, folder: &Path) -> Vec<intake_core::FileOutcome> {
    let paths = files_in_folder(folder).unwrap();
    let mut reported = 0;
    let outcomes = fixture.folder.add_unsorted_files(&fixture.case_id, &paths, |_| reported += 1).unwrap();
    assert_eq!(reported, paths.len(), "one progress report per file");
    outcomes
}

fn by_name<'a>(tray: &'a intake_core::tray::UnsortedTray, name: &str) -> &'a intake_core::tray::UnsortedFile {
    tray.files.iter().find(|file| file.evidence.original_name == name).unwrap_or_else(|| panic!("{name} in the tray"))
}

#[test]
fn a_phone_folder_goes_into_the_tray_whole_stored_and_audited_but_in_no_slot() {
    let mut fixture = Fixture::empty_case();
    let folder = phone_folder(fixture.dir.path());
    let outcomes = import_folder(&mut fixture, &folder);
    assert_eq!(outcomes.len(), 6, "the hidden file is left out");
    for outcome in &outcomes {
        assert_eq!(outcome.status, FileStatus::Added, "{outcome:?}");
        let evidence = outcome.evidence.as_ref().unwrap();
        assert_eq!(evidence.material_key, UNSORTED_MATERIAL);
        // Byte for byte in the vault, under its SHA-256.
        let stored = fixture.folder.vault().read_object_checked(&evidence.sha256, 1 << 20).unwrap();
        assert_eq!(stored, std::fs::read(&outcome.path).unwrap(), "{}", outcome.path);
    }
    // Audited like any import.
    let report = fixture.folder.audit_case(&fixture.case_id).unwrap();
    assert!(report.valid, "{:#?}", report.faults);
    let added: Vec<_> = report
        .entries
        .iter()
        .filter(|entry| entry.action == "file_added")
        .map(|entry| entry.details["material"].as_str())
        .collect();
    assert_eq!(added, vec![UNSORTED_MATERIAL; 6]);

    // In no slot: no material counts them, no finding names them, but the case is blocked.
    assert!(fixture.folder.case_evidence(&fixture.case_id).unwrap().is_empty());
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert!(check.findings.is_empty(), "{:#?}", check.findings);
    assert_eq!(check.summary.unsorted_files, 6);
    assert!(check.blocking);
    assert_eq!(fixture.folder.list_cases().unwrap()[0].file_count, 0);

    // The same folder again: nothing doubled.
    let again = import_folder(&mut fixture, &folder);
    assert!(again.iter().all(|outcome| outcome.status == FileStatus::AlreadyPresent), "{again:#?}");
    assert_eq!(fixture.folder.unsorted_tray(&fixture.case_id).unwrap().files.len(), 6);
}

#[test]
fn each_file_is_offered_a_material_by_what_it_is_and_what_the_case_lacks() {
    let mut fixture = Fixture::empty_case();
    let folder = phone_folder(fixture.dir.path());
    import_folder(&mut fixture, &folder);
    let tray = fixture.folder.unsorted_tray(&fixture.case_id).unwrap();
    let rules = fixture.folder.rules().unwrap();

    let first = by_name(&tray, "IMG_0001.jpg");
    assert_eq!((first.kind, first.signs.as_slice()), (Some(FileKind::CameraPhoto), &[KindSign::CameraExif][..]));
    assert_eq!(first.camera.as_deref(), Some("Apple iPhone 13"));
    assert_eq!(first.captured_at.as_deref(), Some("2026-11-20T10:01:00"));
    // Camera photos go to the photo materials still empty, one after the other.
    assert_eq!(first.suggested_material.as_deref(), Some("storefront_photo"));
    assert_eq!(by_name(&tray, "IMG_0002.jpg").suggested_material.as_deref(), Some("interior_photo"));
    assert!(first.candidates.iter().all(|key| rules.file_kinds(key).contains(&FileKind::CameraPhoto)));
    assert!(first.candidates.contains(&"manager_with_legal_rep".to_string()));

    // In the folder's order (by path), the screenshot by its shape comes first.
    let by_its_shape = by_name(&tray, "IMG_0003.png");
    assert_eq!(by_its_shape.kind, Some(FileKind::Screenshot));
    assert!(by_its_shape.signs.contains(&KindSign::ScreenProportions), "{:?}", by_its_shape.signs);
    assert_eq!(by_its_shape.suggested_material.as_deref(), Some("gps_screenshot"));
    let by_its_name = by_name(&tray, "Screenshot_20261120-100500.png");
    assert_eq!(by_its_name.kind, Some(FileKind::Screenshot));
    assert!(by_its_name.signs.contains(&KindSign::ScreenshotName), "{:?}", by_its_name.signs);
    // The one screenshot material of an offline case is taken by the first screenshot.
    assert_eq!(by_its_name.candidates, vec!["gps_screenshot".to_string()]);
    assert_eq!(by_its_name.suggested_material, None);

    let document = by_name(&tray, "营业执照扫描.pdf");
    assert_eq!((document.kind, document.signs.as_slice()), (Some(FileKind::Document), &[KindSign::Pdf][..]));
    let suggested = document.suggested_material.as_deref().expect("a document material lacks a file");
    assert!(rules.file_kinds(suggested).contains(&FileKind::Document), "{suggested}");
    assert!(!document.candidates.contains(&"storefront_photo".to_string()));

    // A picture with nothing to tell: no guess.
    let plain = by_name(&tray, "扫描 0005.png");
    assert_eq!((plain.kind, plain.suggested_material.as_deref()), (None, None));

    // A material already filled is not offered again.
    let storefront = tray.files.iter().find(|file| file.evidence.original_name == "IMG_0001.jpg").unwrap();
    fixture.folder.assign_unsorted_files(&fixture.case_id, &[storefront.evidence.id], "storefront_photo").unwrap();
    fixture.add_file("gps_screenshot", "定位.png", &scan(40));
    let tray = fixture.folder.unsorted_tray(&fixture.case_id).unwrap();
    assert_eq!(tray.files.len(), 5);
    assert_eq!(by_name(&tray, "IMG_0002.jpg").suggested_material.as_deref(), Some("interior_photo"));
    assert_eq!(by_name(&tray, "IMG_0003.png").suggested_material, None, "the screenshot's material is filled");
}

/// A file's findings, without what names the slot-independent file identity.
#[test]
fn an_ofd_or_an_office_file_is_a_document_and_an_archive_is_nothing() {
    let mut fixture = Fixture::empty_case();
    let folder = fixture.dir.path().join("下载");
    std::fs::create_dir_all(&folder).unwrap();
    // ZIP packages: only the name tells an OFD (the Chinese e-document format) from an archive.
    let zip = |note: &str| [&b"PK\x03\x04\x14\0\0\0\0\0"[..], note.as_bytes()].concat();
    std::fs::write(folder.join("电子营业执照.ofd"), zip("licence")).unwrap();
    std::fs::write(folder.join("照片.zip"), zip("photos")).unwrap();
    import_folder(&mut fixture, &folder);
    let tray = fixture.folder.unsorted_tray(&fixture.case_id).unwrap();
    let rules = fixture.folder.rules().unwrap();
    let ofd = by_name(&tray, "电子营业执照.ofd");
    assert_eq!(ofd.evidence.media_type, "application/ofd");
    assert_eq!((ofd.kind, ofd.signs.as_slice()), (Some(FileKind::Document), &[KindSign::OtherDocument][..]));
    let suggested = ofd.suggested_material.as_deref().expect("a document material lacks a file");
    assert!(rules.file_kinds(suggested).contains(&FileKind::Document), "{suggested}");
    let archive = by_name(&tray, "照片.zip");
    assert_eq!((archive.evidence.media_type.as_str(), archive.kind), ("application/zip", None));
    assert_eq!(archive.suggested_material, None);
}

fn findings_of(findings: &[CaseFinding], sha256: &str) -> Vec<(String, String, String, String)> {
    let mut found: Vec<_> = findings
        .iter()
        .filter(|finding| finding.sha256 == sha256)
        .map(|finding| {
            (
                finding.material.clone(),
                finding.code.to_string(),
                format!("{:?}", finding.severity),
                finding.message.clone(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn an_assigned_file_gets_exactly_the_findings_of_a_direct_import() {
    // Far from the premises, on another day; and a picture stripped of its EXIF.
    let far = photo(9, 650.0, 0.0, "2026:11:18 16:40:00");
    let stripped = scan(11);
    let mut direct = Fixture::empty_case();
    let far_direct = direct.add_file("storefront_photo", "IMG_0100.jpg", &far);
    direct.add_file("interior_photo", "IMG_0101.jpg", &stripped);
    let direct_check = direct.folder.check_case(&direct.case_id).unwrap();

    let mut sorted = Fixture::empty_case();
    let input = sorted.dir.path().join("phone");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("IMG_0100.jpg"), &far).unwrap();
    std::fs::write(input.join("IMG_0101.jpg"), &stripped).unwrap();
    let outcomes = import_folder(&mut sorted, &input);
    let ids: Vec<i64> = outcomes.iter().map(|outcome| outcome.evidence.as_ref().unwrap().id).collect();
    let assigned = sorted.folder.assign_unsorted_files(&sorted.case_id, &ids[..1], "storefront_photo").unwrap();
    let second = sorted.folder.assign_unsorted_files(&sorted.case_id, &ids[1..], "interior_photo").unwrap();
    let sorted_check = sorted.folder.check_case(&sorted.case_id).unwrap();

    let far_sha = &assigned[0].evidence.as_ref().unwrap().sha256;
    let direct_findings = findings_of(&direct_check.findings, far_sha);
    let codes: Vec<&str> = direct_findings.iter().map(|finding| finding.1.as_str()).collect();
    assert!(codes.contains(&"outside_site_radius") && codes.contains(&"outside_visit_window"), "{codes:?}");
    assert_eq!(findings_of(&sorted_check.findings, far_sha), direct_findings);
    assert_eq!(findings_of(&assigned[0].findings, far_sha), direct_findings, "the assignment says them at once");
    let stripped_sha = &second[0].evidence.as_ref().unwrap().sha256;
    assert!(!findings_of(&direct_check.findings, stripped_sha).is_empty());
    assert_eq!(findings_of(&sorted_check.findings, stripped_sha), findings_of(&direct_check.findings, stripped_sha));
    // And the checklist stands the same.
    let statuses = |check: &intake_core::checklist::CaseCheck| {
        check.items.iter().map(|item| (item.item.key.clone(), item.status)).collect::<Vec<_>>()
    };
    assert_eq!(statuses(&sorted_check), statuses(&direct_check));
    assert_eq!(sorted_check.summary.unsorted_files, 0);
    let _ = far_direct;

    // The assignment is the audited move out of the tray.
    let report = sorted.folder.audit_case(&sorted.case_id).unwrap();
    assert!(report.valid, "{:#?}", report.faults);
    let moved: Vec<_> = report
        .entries
        .iter()
        .filter(|entry| entry.action == "file_moved")
        .map(|entry| (entry.details["from"].clone(), entry.details["to"].clone()))
        .collect();
    assert_eq!(
        moved,
        vec![
            (UNSORTED_MATERIAL.to_string(), "storefront_photo".to_string()),
            (UNSORTED_MATERIAL.to_string(), "interior_photo".to_string())
        ]
    );
}

#[test]
fn a_multi_selection_is_assigned_together_and_what_cannot_be_is_said_per_file() {
    let mut fixture = Fixture::empty_case();
    let already = photo(21, 5.0, 5.0, "2026:11:20 10:20:00");
    fixture.add_file("storefront_photo", "门头.jpg", &already);
    let input = fixture.dir.path().join("phone");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("a.jpg"), photo(22, 5.0, 5.0, "2026:11:20 10:21:00")).unwrap();
    std::fs::write(input.join("b.jpg"), photo(23, 5.0, 5.0, "2026:11:20 10:22:00")).unwrap();
    std::fs::write(input.join("门头副本.jpg"), &already).unwrap();
    let outcomes = import_folder(&mut fixture, &input);
    let id = |name: &str| {
        outcomes.iter().find(|outcome| outcome.path.ends_with(name)).unwrap().evidence.as_ref().unwrap().id
    };

    // The copy of a file already in a slot is said to be so, and nothing is suggested for it.
    let tray = fixture.folder.unsorted_tray(&fixture.case_id).unwrap();
    let copy = by_name(&tray, "门头副本.jpg");
    assert_eq!(copy.already_in, vec!["storefront_photo".to_string()]);
    assert_eq!(copy.suggested_material, None);

    let outcomes = fixture
        .folder
        .assign_unsorted_files(
            &fixture.case_id,
            &[id("a.jpg"), id("b.jpg"), id("门头副本.jpg"), 999_999],
            "interior_photo",
        )
        .unwrap();
    assert!(outcomes[0].error.is_none() && outcomes[1].error.is_none(), "{outcomes:#?}");
    assert!(outcomes[2].error.is_none(), "another slot may take a copy (then duplicate_in_case): {outcomes:#?}");
    assert!(outcomes[2].findings.iter().any(|finding| finding.code.to_string() == "duplicate_in_case"));
    assert_eq!(outcomes[3].error.as_ref().map(|error| error.code), Some(ErrorKind::InvalidInput));
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    let interior = check.items.iter().find(|item| item.item.key == "interior_photo").unwrap();
    assert_eq!(interior.files.len(), 3);

    // Not a material of the rules: refused whole.
    let err = fixture.folder.assign_unsorted_files(&fixture.case_id, &[id("a.jpg")], "storefront").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    // A file in a slot is not in the tray any more.
    let again = fixture.folder.assign_unsorted_files(&fixture.case_id, &[id("a.jpg")], "storefront_photo").unwrap();
    assert!(again[0].error.as_ref().unwrap().message.contains("未分类"), "{again:?}");
}

#[test]
fn files_left_in_the_tray_block_even_an_incomplete_export_until_assigned_or_withdrawn() {
    let mut fixture = Fixture::complete_case();
    let input = fixture.dir.path().join("phone");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("IMG_9001.jpg"), photo(91, 5.0, 5.0, "2026:11:20 10:40:00")).unwrap();
    std::fs::write(input.join("家里的猫.jpg"), photo(92, 9000.0, 0.0, "2026:10:01 19:00:00")).unwrap();
    let outcomes = import_folder(&mut fixture, &input);
    let ids: Vec<i64> = outcomes.iter().map(|outcome| outcome.evidence.as_ref().unwrap().id).collect();
    assert!(fixture.folder.check_case(&fixture.case_id).unwrap().blocking, "a complete case with a tray is not ready");

    for allow_incomplete in [false, true] {
        let options = ExportOptions {
            allow_incomplete,
            incomplete_reason: allow_incomplete.then(|| "资料不全也导出".to_string()),
            ..ExportOptions::default()
        };
        let err =
            fixture.folder.export_case(&fixture.case_id, &fixture.dir.path().join("x.zip"), &options).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsortedFilesRemain, "{}", err.message());
        assert!(err.message().contains("家里的猫.jpg"), "{}", err.message());
    }

    // The cat is withdrawn with a reason; the other photo goes to its material.
    let err = fixture.folder.withdraw_unsorted_files(&fixture.case_id, &ids[1..], " ").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    fixture.folder.withdraw_unsorted_files(&fixture.case_id, &ids[1..], "与本案无关").unwrap();
    assert!(fixture.folder.check_case(&fixture.case_id).unwrap().blocking, "one file still waits");
    fixture.folder.assign_unsorted_files(&fixture.case_id, &ids[..1], "interior_photo").unwrap();
    let check = fixture.folder.check_case(&fixture.case_id).unwrap();
    assert!(!check.blocking, "{:#?}", check.summary);

    let zip_path = fixture.export("sorted.zip", false);
    let report = verify::verify_package(&zip_path, &fixture.trusting_own_key()).unwrap();
    assert!(report.valid, "{:#?}", report.problems);
    let zip = std::fs::read(&zip_path).unwrap();
    let document = crate::package::entries_of(&zip)
        .into_iter()
        .find(|entry| entry.0 == intake_core::package::layout::CASE_JSON)
        .map(|entry| serde_json::from_slice::<serde_json::Value>(&entry.1).unwrap())
        .unwrap();
    let withdrawn = document["withdrawn_files"].as_array().unwrap();
    assert_eq!(withdrawn.len(), 1);
    assert_eq!(withdrawn[0]["reason"], "与本案无关");
    assert_eq!(withdrawn[0]["material"], UNSORTED_MATERIAL);
}

#[test]
fn a_rule_file_may_not_name_a_material_after_the_tray() {
    let text =
        intake_core::checklist::Rules::embedded_text().replace("key = \"supporting_evidence\"", "key = \"unsorted\"");
    let err = intake_core::checklist::Rules::parse(&text, "rules.toml").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRules);
    assert!(err.message().contains("未分类"), "{}", err.message());
}
