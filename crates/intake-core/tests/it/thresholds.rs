//! The installation's thresholds (`settings.json`): a change shows in the next check without
//! any file being read again (the vault object may even be gone), gives exactly the findings a
//! fresh import under the new thresholds gives, reaches case-level rules (radius, visit window)
//! and the package, which records them; bad values are refused naming the field and the file.

use std::path::{Path, PathBuf};

use intake_core::DataFolder;
use intake_core::case::{CaseAttributes, Datum, NewCase, Site};
use intake_core::evidence::Thresholds;
use intake_core::settings::SettingsChange;

use crate::package::{Fixture, SITE_LAT, SITE_LON, entries_of, photo};

/// (material, code) of every finding of a case.
fn findings(folder: &DataFolder, case_id: &str) -> Vec<(String, String)> {
    let check = folder.check_case(case_id).unwrap();
    check.findings.iter().map(|finding| (finding.material.clone(), finding.code.to_string())).collect()
}

fn has(folder: &DataFolder, case_id: &str, material: &str, code: &str) -> bool {
    findings(folder, case_id)
        .iter()
        .any(|(found_material, found_code)| found_material == material && found_code == code)
}

fn set(folder: &DataFolder, change: impl FnOnce(&mut Thresholds)) {
    let mut thresholds = folder.thresholds().unwrap();
    change(&mut thresholds);
    folder.set_thresholds(thresholds).unwrap();
}

/// Every file under `folder` whose name is `name`.
fn files_named(folder: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_named(&path, name));
        } else if path.file_name().is_some_and(|file| file == name) {
            found.push(path);
        }
    }
    found
}

#[test]
fn a_threshold_change_shows_at_the_next_check_without_reading_the_file_again() {
    let mut fixture = Fixture::empty_case();
    let id = fixture.add_generated("storefront_photo"); // 640x480: under the default 1280 px
    let case_id = fixture.case_id.clone();
    assert!(has(&fixture.folder, &case_id, "storefront_photo", "low_resolution"));

    // The stored object goes away: whatever the check needs must come from the database.
    let sha256 = fixture.folder.case_evidence(&case_id).unwrap()[0].sha256.clone();
    let objects = files_named(fixture.dir.path(), &sha256);
    assert_eq!(objects.len(), 1, "{objects:?}");
    std::fs::remove_file(&objects[0]).unwrap();

    set(&fixture.folder, |thresholds| thresholds.min_long_side_px = 600);
    assert!(!has(&fixture.folder, &case_id, "storefront_photo", "low_resolution"));
    assert!(fixture.folder.case_evidence_findings(&case_id).unwrap().unchecked.is_empty(), "read again?");
    set(&fixture.folder, |thresholds| thresholds.min_long_side_px = 641);
    assert!(has(&fixture.folder, &case_id, "storefront_photo", "low_resolution"));
    let message = fixture
        .folder
        .check_case(&case_id)
        .unwrap()
        .findings
        .into_iter()
        .find(|f| f.code == intake_core::evidence::FindingCode::LowResolution);
    assert!(message.unwrap().message.contains("641"), "the message names the new threshold");

    // A reading limit is different: what was measured may depend on it, so the file is read
    // again, which now fails (the object is gone): the file is unchecked, not judged by old facts.
    set(&fixture.folder, |thresholds| thresholds.max_pixels = 50_000_000);
    assert!(fixture.folder.case_evidence_findings(&case_id).unwrap().unchecked.contains(&id));
}

/// Photos whose findings depend on several thresholds.
fn sample_files(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let write = |name: &str, bytes: Vec<u8>| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    vec![
        ("storefront_photo", write("near.jpg", photo(1, 150.0, 0.0, "2026:11:20 10:05:00"))),
        ("interior_photo", write("day-before.jpg", photo(2, 10.0, 10.0, "2026:11:19 23:30:00"))),
        ("operator_with_storefront", write("far.jpg", photo(3, 900.0, 0.0, "2026:11:20 11:00:00"))),
        ("business_license", write("mmexport1700000000000.jpg", crate::package::scan(4))),
    ]
}

fn case_in(folder: &mut DataFolder, radius_m: Option<f64>) -> String {
    folder
        .create_case(NewCase {
            merchant_name: "沪上小面馆".into(),
            attributes: CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
            visit_date: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()),
            site: Some(Site { lat: SITE_LAT, lon: SITE_LON, datum: Datum::Wgs84, radius_m }),
        })
        .unwrap()
        .id
}

fn changed(thresholds: &mut Thresholds) {
    thresholds.min_long_side_px = 500;
    thresholds.min_mean_luminance = 160.0; // the test cards average about 144
    thresholds.editing_software = vec!["16.1".into()];
    thresholds.default_utc_offset_minutes = 0;
    thresholds.site_radius_m = 1000.0;
    thresholds.visit_window_days = 1;
}

#[test]
fn derived_findings_are_those_of_a_fresh_import_under_the_same_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let files = sample_files(dir.path());

    // Imported under the defaults, then the thresholds change.
    let mut before = DataFolder::open(&dir.path().join("before")).unwrap();
    let before_case = case_in(&mut before, None);
    for (material, path) in &files {
        before.add_files(&before_case, material, std::slice::from_ref(path), |_| {}).unwrap();
    }
    let under_defaults = findings(&before, &before_case);
    set(&before, changed);
    let derived = before.check_case(&before_case).unwrap().findings;

    // Imported under the changed thresholds from the start.
    let mut after = DataFolder::open(&dir.path().join("after")).unwrap();
    set(&after, changed);
    let after_case = case_in(&mut after, None);
    for (material, path) in &files {
        after.add_files(&after_case, material, std::slice::from_ref(path), |_| {}).unwrap();
    }
    let fresh = after.check_case(&after_case).unwrap().findings;

    let shown = |list: &[intake_core::checklist::CaseFinding]| -> Vec<(String, String, String)> {
        list.iter().map(|f| (f.material.clone(), f.code.to_string(), f.message.clone())).collect()
    };
    assert_eq!(shown(&derived), shown(&fresh));
    // And the change did change something, in each kind of rule.
    let derived_codes: Vec<(String, String)> =
        derived.iter().map(|f| (f.material.clone(), f.code.to_string())).collect();
    for (material, code) in [
        ("storefront_photo", intake_core::evidence::FindingCode::TooDark),
        ("storefront_photo", intake_core::evidence::FindingCode::EditedSoftware),
    ] {
        let pair = (material.to_string(), code.to_string());
        assert!(derived_codes.contains(&pair) && !under_defaults.contains(&pair), "{pair:?}: {derived_codes:?}");
    }
    for (material, code) in [
        ("storefront_photo", "low_resolution"),
        ("operator_with_storefront", "outside_site_radius"),
        ("interior_photo", "outside_visit_window"),
    ] {
        let pair = (material.to_string(), code.to_string());
        assert!(!derived_codes.contains(&pair) && under_defaults.contains(&pair), "{pair:?}: {under_defaults:?}");
    }
}

#[test]
fn a_case_with_its_own_radius_keeps_it_and_one_without_follows_the_installation() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let own = case_in(&mut folder, Some(200.0));
    let follows = case_in(&mut folder, None);
    let far = dir.path().join("far.jpg");
    std::fs::write(&far, photo(7, 300.0, 0.0, "2026:11:20 10:00:00")).unwrap();
    for case_id in [&own, &follows] {
        folder.add_files(case_id, "storefront_photo", std::slice::from_ref(&far), |_| {}).unwrap();
        assert!(has(&folder, case_id, "storefront_photo", "outside_site_radius"), "300 m > the default 200 m");
    }
    set(&folder, |thresholds| thresholds.site_radius_m = 400.0);
    assert!(has(&folder, &own, "storefront_photo", "outside_site_radius"));
    assert!(!has(&folder, &follows, "storefront_photo", "outside_site_radius"));
    assert_eq!(folder.visit_plot(&follows).unwrap().positions.unwrap().radius_m, 400.0);
}

#[test]
fn bad_thresholds_are_refused_naming_the_field_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let settings = dir.path().join("home").join("settings.json");

    for (value, field) in [
        (r#"{"thresholds": {"min_long_side_px": 50000}}"#, "thresholds.min_long_side_px"),
        (r#"{"thresholds": {"min_long_side_px": -1}}"#, "thresholds.min_long_side_px"),
        (r#"{"thresholds": {"site_radius_m": 0}}"#, "thresholds.site_radius_m"),
        (r#"{"thresholds": {"near_duplicate_max_distance": "ten"}}"#, "thresholds.near_duplicate_max_distance"),
        (r#"{"thresholds": {"blur": 3}}"#, "thresholds.blur"),
        (
            r#"{"thresholds": {"chat_app_file_names": [{"app": "x", "pattern": "("}]}}"#,
            "thresholds.chat_app_file_names",
        ),
        (r#"{"thresholds": 5}"#, "thresholds"),
    ] {
        std::fs::write(&settings, value).unwrap();
        let err = folder.settings().unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(err.message().contains("settings.json") && err.message().contains(field), "{value}: {}", err.message());
        // Every use of the thresholds refuses too, rather than judging under ones nobody chose.
        assert!(folder.thresholds().is_err());
    }

    // A field left out is its default.
    std::fs::write(&settings, r#"{"branch": "上海分公司", "thresholds": {"min_long_side_px": 2000}}"#).unwrap();
    let thresholds = folder.thresholds().unwrap();
    assert_eq!(thresholds.min_long_side_px, 2000);
    assert_eq!(thresholds, Thresholds { min_long_side_px: 2000, ..Thresholds::default() });

    // Setting an out-of-range value is refused and leaves the file as it was.
    let before = std::fs::read(&settings).unwrap();
    let err = folder.set_thresholds(Thresholds { visit_window_days: 400, ..Thresholds::default() }).unwrap_err();
    assert!(err.message().contains("visit_window_days"), "{}", err.message());
    assert_eq!(std::fs::read(&settings).unwrap(), before);
    let err = Thresholds::default().with_value("min_mean_luminance", "NaN").unwrap_err();
    assert_eq!(err.field, "min_mean_luminance");
    assert!(Thresholds::default().problem().is_none(), "the defaults are in range");
}

#[test]
fn the_package_records_its_thresholds_and_carries_no_finding_of_older_ones() {
    let fixture = Fixture::complete_case();
    let case_json = |zip: &Path| -> serde_json::Value {
        let entries = entries_of(&std::fs::read(zip).unwrap());
        let (_, bytes, _) = entries.iter().find(|(name, ..)| name.ends_with("data/case.json")).unwrap().clone();
        serde_json::from_slice(&bytes).unwrap()
    };
    let low_resolution = |document: &serde_json::Value| {
        document["files"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|file| file["findings"].as_array().unwrap().clone())
            .filter(|finding| finding["code"] == "low_resolution")
            .count()
    };

    let first = case_json(&fixture.export("first.zip", false));
    assert!(low_resolution(&first) > 0, "the fixture's 640 px photos are under 1280 px");
    assert_eq!(first["thresholds"]["min_long_side_px"], 1280);
    assert_eq!(first["thresholds"], serde_json::to_value(Thresholds::default()).unwrap());

    // Under the 640 px photos and the 320 px scans.
    set(&fixture.folder, |thresholds| thresholds.min_long_side_px = 300);
    let one = fixture.export("one.zip", false);
    let two = fixture.export("two.zip", false);
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap(), "same case, same thresholds: same bytes");
    let document = case_json(&one);
    assert_eq!(document["thresholds"]["min_long_side_px"], 300);
    assert_eq!(low_resolution(&document), 0, "no finding of the older thresholds");
    assert_ne!(std::fs::read(fixture.dir.path().join("first.zip")).unwrap(), std::fs::read(&one).unwrap());

    // The settings' other fields are untouched by a thresholds change.
    let settings = fixture.folder.change_settings(SettingsChange::default()).unwrap();
    assert_eq!(settings.branch, "上海分公司");
}
