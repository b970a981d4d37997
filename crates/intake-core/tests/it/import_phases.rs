//! The two phases of an import (issue 19): a file is recorded with its metadata findings as
//! soon as its bytes are stored; its pixel checks (thumbnail, perceptual hash, too_dark,
//! blurry) follow, and a crash between the phases loses nothing.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use exif::{Field, In, Tag, Value};
use image::RgbImage;
use intake_core::case::{CaseAttributes, NewCase};
use intake_core::checklist::CheckedFile;
use intake_core::{DataFolder, FileStatus};

fn ascii(tag: Tag, text: &str) -> Field {
    Field { tag, ifd_num: In::PRIMARY, value: Value::Ascii(vec![text.as_bytes().to_vec()]) }
}

/// A photo edited in Photoshop (a metadata finding: `edited_software`) that is almost black (a
/// pixel finding: `too_dark`).
fn dark_edited_photo(seed: u8) -> Vec<u8> {
    let image = RgbImage::from_fn(640, 480, |x, y| {
        let level = ((x / 16 + y / 16) % 3) as u8 + seed % 4;
        image::Rgb([level, level, level])
    });
    let fields = [
        ascii(Tag::Make, "Apple"),
        ascii(Tag::Model, "iPhone 13"),
        ascii(Tag::Software, "Adobe Photoshop 25.0"),
        ascii(Tag::DateTimeOriginal, "2026:11:20 10:05:00"),
    ];
    crate::evidence::jpeg(&image, &fields)
}

struct Fixture {
    dir: tempfile::TempDir,
    home: PathBuf,
    case_id: String,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let mut folder = DataFolder::open(&home).unwrap();
        let case = folder
            .create_case(NewCase {
                merchant_name: "两阶段导入".into(),
                attributes: CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
                visit_date: None,
                site: None,
            })
            .unwrap();
        Fixture { dir, home, case_id: case.id }
    }

    fn photos(&self, count: u8) -> Vec<PathBuf> {
        (0..count)
            .map(|seed| {
                let path = self.dir.path().join(format!("IMG_{seed:04}.jpg"));
                std::fs::write(&path, dark_edited_photo(seed)).unwrap();
                path
            })
            .collect()
    }
}

/// Imports `paths` and stops the handle right after the first phase recorded the last file, as
/// a crash (or the app locking) between the phases would: the second phase does not run.
fn import_first_phase_only(folder: &mut DataFolder, case_id: &str, paths: &[PathBuf]) {
    let stop = Arc::new(AtomicBool::new(false));
    folder.stop_when(stop.clone());
    let mut recorded = 0;
    let mut pixel_checks = 0;
    let outcomes = folder
        .add_files_in_phases(
            case_id,
            "storefront_photo",
            paths,
            |outcome| {
                assert_eq!(outcome.status, FileStatus::Added, "{:?}", outcome.error);
                recorded += 1;
                if recorded == paths.len() {
                    stop.store(true, Ordering::SeqCst);
                }
            },
            |_| pixel_checks += 1,
        )
        .unwrap();
    assert!(outcomes.iter().all(|outcome| outcome.status == FileStatus::Added));
    assert_eq!(pixel_checks, 0, "the second phase ran although the handle was stopped");
}

fn storefront_files(folder: &DataFolder, case_id: &str) -> Vec<CheckedFile> {
    let check = folder.check_case(case_id).unwrap();
    check.items.into_iter().find(|item| item.item.key == "storefront_photo").unwrap().files
}

fn codes_of(folder: &DataFolder, case_id: &str, sha256: &str) -> Vec<&'static str> {
    let check = folder.check_case(case_id).unwrap();
    check.findings.iter().filter(|finding| finding.sha256 == sha256).map(|finding| finding.code.key()).collect()
}

fn assert_first_phase_state(folder: &DataFolder, case_id: &str) {
    let files = storefront_files(folder, case_id);
    assert!(!files.is_empty());
    for file in &files {
        assert!(file.pixel_checks_pending, "{}: its pixel checks should still be pending", file.name);
        assert!(!file.checked, "{}: a file whose pixels are pending is not checked yet", file.name);
        let codes = codes_of(folder, case_id, &file.sha256);
        assert!(
            codes.contains(&"edited_software"),
            "{}: the metadata findings are there at once: {codes:?}",
            file.name
        );
        assert!(!codes.contains(&"too_dark"), "{}: too_dark needs the pixels: {codes:?}", file.name);
        assert!(folder.vault().read_thumbnail(&file.sha256).unwrap().is_none(), "no thumbnail before the pixels");
        let facts = folder.database().evidence_facts(&file.sha256).unwrap().unwrap();
        assert!(facts.pixels_pending && facts.perceptual_hash.is_none());
    }
    let item = folder.check_case(case_id).unwrap().items.into_iter().find(|item| item.item.key == "storefront_photo");
    assert_ne!(item.unwrap().status, intake_core::checklist::ItemStatus::Ok, "a pending file's item is not ok");
}

fn assert_pixel_checks_done(folder: &DataFolder, case_id: &str) {
    for file in storefront_files(folder, case_id) {
        assert!(!file.pixel_checks_pending && file.checked, "{}: still pending", file.name);
        let codes = codes_of(folder, case_id, &file.sha256);
        assert!(codes.contains(&"edited_software") && codes.contains(&"too_dark"), "{}: {codes:?}", file.name);
        assert!(folder.vault().read_thumbnail(&file.sha256).unwrap().is_some(), "{}: no thumbnail", file.name);
        let facts = folder.database().evidence_facts(&file.sha256).unwrap().unwrap();
        assert!(!facts.pixels_pending && facts.perceptual_hash.is_some());
    }
    assert!(folder.database().pending_pixel_checks(None).unwrap().is_empty());
}

#[test]
fn a_file_is_recorded_with_its_metadata_findings_before_its_pixel_checks_then_both_phases_are_done() {
    let fixture = Fixture::new();
    let paths = fixture.photos(3);
    let mut folder = DataFolder::open(&fixture.home).unwrap();
    let mut stored = Vec::new();
    let checked = std::cell::RefCell::new(Vec::new());
    let outcomes = folder
        .add_files_in_phases(
            &fixture.case_id,
            "storefront_photo",
            &paths,
            |outcome| {
                // Every file is recorded before the first pixel check is reported.
                assert!(checked.borrow().is_empty(), "a pixel check came before the last file was recorded");
                stored.push(outcome.evidence.as_ref().unwrap().sha256.clone());
            },
            |progress| {
                assert!(progress.checked);
                assert_eq!(progress.case_ids, vec![fixture.case_id.clone()]);
                assert_eq!(progress.total, 3);
                checked.borrow_mut().push(progress.sha256.clone());
            },
        )
        .unwrap();
    assert_eq!(outcomes.len(), 3);
    assert_eq!(checked.into_inner(), stored, "each file's pixel checks, in import order");
    // `add_files` returns once both phases are done.
    assert_pixel_checks_done(&folder, &fixture.case_id);
}

#[test]
fn the_first_phase_alone_shows_the_file_with_its_metadata_findings_and_no_pixel_ones() {
    let fixture = Fixture::new();
    let paths = fixture.photos(2);
    let mut folder = DataFolder::open(&fixture.home).unwrap();
    import_first_phase_only(&mut folder, &fixture.case_id, &paths);
    drop(folder);
    let other = DataFolder::open(&fixture.home).unwrap();
    // Opened and looked at without resuming: the state between the phases.
    let holder = other.reopen().unwrap();
    assert_first_phase_state(&holder, &fixture.case_id);
}

#[test]
fn a_crash_between_the_phases_loses_nothing_and_the_next_open_finishes_the_pixel_checks() {
    let fixture = Fixture::new();
    let paths = fixture.photos(3);
    let mut folder = DataFolder::open(&fixture.home).unwrap();
    import_first_phase_only(&mut folder, &fixture.case_id, &paths);
    drop(folder); // the process is gone

    let reopened = DataFolder::open(&fixture.home).unwrap();
    assert_eq!(reopened.database().pending_pixel_checks(None).unwrap().len(), 3, "the database says what is left");
    assert_first_phase_state(&reopened, &fixture.case_id);
    let mut reported = 0;
    assert_eq!(reopened.resume_pixel_checks(|_| reported += 1).unwrap(), 3);
    assert_eq!(reported, 3);
    assert_pixel_checks_done(&reopened, &fixture.case_id);
    assert_eq!(reopened.case_evidence(&fixture.case_id).unwrap().len(), 3, "every file kept");
}

#[test]
fn a_folder_opened_while_another_handle_has_it_does_not_take_over_its_pixel_checks() {
    let fixture = Fixture::new();
    let paths = fixture.photos(1);
    let mut importing = DataFolder::open(&fixture.home).unwrap();
    import_first_phase_only(&mut importing, &fixture.case_id, &paths);
    // The importing handle is still open (an import under way in the window): a second process
    // does not know the first one died, so it leaves the work to it.
    let second = DataFolder::open(&fixture.home).unwrap();
    assert_eq!(second.resume_pixel_checks(|_| {}).unwrap(), 0);
    assert_eq!(second.database().pending_pixel_checks(None).unwrap().len(), 1);
    // Asked explicitly (the app after unlocking, an export), it does them.
    assert_eq!(second.finish_pixel_checks(Some(&fixture.case_id), |_| {}).unwrap(), 1);
    assert_pixel_checks_done(&second, &fixture.case_id);
}

#[test]
fn the_same_bytes_imported_again_keep_their_complete_facts() {
    let fixture = Fixture::new();
    let paths = fixture.photos(1);
    let mut folder = DataFolder::open(&fixture.home).unwrap();
    folder.add_files(&fixture.case_id, "storefront_photo", &paths, |_| {}).unwrap();
    assert_pixel_checks_done(&folder, &fixture.case_id);
    // Into another slot, first phase only: the facts already complete are not replaced by
    // metadata-only ones, so nothing is pending.
    let stop = Arc::new(AtomicBool::new(false));
    folder.stop_when(stop.clone());
    folder
        .add_files_in_phases(
            &fixture.case_id,
            "interior_photo",
            &paths,
            |_| stop.store(true, Ordering::SeqCst),
            |_| panic!("nothing to check"),
        )
        .unwrap();
    assert!(folder.database().pending_pixel_checks(None).unwrap().is_empty());
}

#[test]
fn an_export_finishes_pending_pixel_checks_first() {
    let fixture = crate::package::Fixture::complete_case();
    let photo_dir = fixture.dir.path().join("pending");
    std::fs::create_dir_all(&photo_dir).unwrap();
    let path = photo_dir.join("IMG_9999.jpg");
    std::fs::write(&path, crate::package::photo(99, 10.0, 10.0, "2026:11:20 10:30:00")).unwrap();
    let mut importing = fixture.folder.reopen().unwrap();
    let case_id = fixture.case_id.clone();
    let stop = Arc::new(AtomicBool::new(false));
    importing.stop_when(stop.clone());
    importing
        .add_files_in_phases(&case_id, "storefront_photo", &[path], |_| stop.store(true, Ordering::SeqCst), |_| {})
        .unwrap();
    drop(importing);
    assert_eq!(fixture.folder.database().pending_pixel_checks(Some(&case_id)).unwrap().len(), 1);

    let package = fixture.export("pending.zip", true);
    assert!(package.is_file());
    assert!(fixture.folder.database().pending_pixel_checks(None).unwrap().is_empty(), "the export finished them");
    let files = storefront_files(&fixture.folder, &case_id);
    assert!(files.iter().all(|file| !file.pixel_checks_pending && file.checked));
}
