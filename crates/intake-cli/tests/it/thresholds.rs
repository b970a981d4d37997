//! `intake settings --threshold KEY=VALUE` / `--thresholds FILE` / `--reset-thresholds`: the
//! next `check` follows on the same stored files without re-import (the vault object may even
//! be gone), `inspect --home` uses them, and bad values are refused naming the field.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use exif::{Field, In, Rational, Tag, Value};
use image::{ImageEncoder, RgbImage};

use crate::harness::OutputOnceStarted;
use crate::harness::{Sandbox, intake_binary, sha256_of};

const SITE: (f64, f64) = (31.2304, 121.4737);

/// A sharp picture with large shapes; `patch` brightens one block (a near-identical variant).
fn scene(seed: u32, patch: bool) -> RgbImage {
    RgbImage::from_fn(1600, 1200, |x, y| {
        let (u, v) = (x * 8 / 1600, y * 6 / 1200);
        let block = (u * 7 + v * 13 + seed * 29) % 11;
        let lift = if patch && u == 2 && v == 2 { 90 } else { 0 };
        let level = (30 + block * 20 + ((x / 3 + y / 3) % 2) * 18 + lift).min(255) as u8;
        image::Rgb([level, level / 2 + 40, 255 - level])
    })
}

fn ascii(tag: Tag, text: &str) -> Field {
    Field { tag, ifd_num: In::PRIMARY, value: Value::Ascii(vec![text.as_bytes().to_vec()]) }
}

fn degrees(tag: Tag, value: f64) -> Field {
    let micro = (value.abs() * 1e6).round() as u32;
    let value = Value::Rational(vec![
        Rational { num: micro, denom: 1_000_000 },
        Rational { num: 0, denom: 1 },
        Rational { num: 0, denom: 1 },
    ]);
    Field { tag, ifd_num: In::PRIMARY, value }
}

/// A 1600x1200 phone photo taken `north_m` north of the premises on the visit day.
fn photo(image: &RgbImage, north_m: f64) -> Vec<u8> {
    let fields = [
        ascii(Tag::Make, "Apple"),
        ascii(Tag::Model, "iPhone 13"),
        ascii(Tag::DateTimeOriginal, "2026:11:20 10:22:33"),
        ascii(Tag::OffsetTimeOriginal, "+08:00"),
        ascii(Tag::GPSLatitudeRef, "N"),
        degrees(Tag::GPSLatitude, SITE.0 + north_m / 111_195.0),
        ascii(Tag::GPSLongitudeRef, "E"),
        degrees(Tag::GPSLongitude, SITE.1),
    ];
    let mut writer = exif::experimental::Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92);
    encoder.set_exif_metadata(tiff.into_inner()).unwrap();
    encoder.write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8).unwrap();
    out
}

/// The codes `check --json` lists for a material.
fn codes(sandbox: &Sandbox, case_id: &str, material: &str) -> Vec<String> {
    let run = sandbox.run(["check", "--case", case_id, "--json"]);
    assert!(run.status <= 1, "{}", run.stderr);
    let json = run.json();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["material"] == material)
        .map(|finding| finding["code"].as_str().unwrap().to_string())
        .collect()
}

fn settings(sandbox: &Sandbox, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["settings", "--json"];
    all.extend_from_slice(args);
    let run = sandbox.run(&all);
    assert_eq!(run.status, 0, "settings {args:?}: {}", run.stderr);
    run.json()
}

fn add(sandbox: &Sandbox, case_id: &str, material: &str, path: &Path) {
    let run = sandbox.run(["add", "--case", case_id, "--material", material, path.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

/// Every file under `folder` named `name`.
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

const VISIT: [&str; 7] =
    ["--opens-payment", "--visit-date", "2026-11-20", "--site-lat", "31.2304", "--site-lon", "121.4737"];

#[test]
fn resolution_and_radius_thresholds_change_check_on_the_stored_files() {
    let sandbox = Sandbox::new();
    let follows = sandbox.new_case(&VISIT);
    let mut own_radius = VISIT.to_vec();
    own_radius.extend_from_slice(&["--site-radius-m", "200"]);
    let own = sandbox.new_case(&own_radius);
    let far = sandbox.file("far.jpg", &photo(&scene(1, false), 300.0));
    add(&sandbox, &follows, "storefront_photo", &far);
    add(&sandbox, &own, "storefront_photo", &far);
    let found = codes(&sandbox, &follows, "storefront_photo");
    assert!(found.contains(&"outside_site_radius".into()) && !found.contains(&"low_resolution".into()), "{found:?}");

    // Not one byte of the file is needed again: its vault object goes away.
    let objects = files_named(&sandbox.home(), &sha256_of(&far));
    assert_eq!(objects.len(), 1, "{objects:?}");
    std::fs::remove_file(&objects[0]).unwrap();

    let json = settings(&sandbox, &["--threshold", "min_long_side_px=2000", "--threshold", "site_radius_m=500"]);
    assert_eq!(json["thresholds"]["min_long_side_px"], 2000);
    assert_eq!(json["thresholds"]["site_radius_m"], 500.0);
    let found = codes(&sandbox, &follows, "storefront_photo");
    assert!(!found.contains(&"outside_site_radius".into()) && found.contains(&"low_resolution".into()), "{found:?}");
    assert!(!found.contains(&"unreadable".into()), "{found:?}");
    // A case that named its own radius keeps it.
    assert!(codes(&sandbox, &own, "storefront_photo").contains(&"outside_site_radius".into()));

    let json = settings(&sandbox, &["--reset-thresholds"]);
    assert_eq!(json["thresholds"]["min_long_side_px"], 1280);
    let found = codes(&sandbox, &follows, "storefront_photo");
    assert!(found.contains(&"outside_site_radius".into()) && !found.contains(&"low_resolution".into()), "{found:?}");

    // A file of thresholds sets the ones it names and keeps the others.
    let file = sandbox.file("limits.json", br#"{"site_radius_m": 350}"#);
    let json = settings(&sandbox, &["--threshold", "min_long_side_px=1700", "--thresholds", file.to_str().unwrap()]);
    assert_eq!(json["thresholds"]["site_radius_m"], 350.0);
    assert_eq!(json["thresholds"]["min_long_side_px"], 1700);
    let found = codes(&sandbox, &follows, "storefront_photo");
    assert!(!found.contains(&"outside_site_radius".into()) && found.contains(&"low_resolution".into()), "{found:?}");
}

#[test]
fn the_near_duplicate_distance_follows_the_setting() {
    let sandbox = Sandbox::new();
    let case_id = sandbox.new_case(&VISIT);
    let original = sandbox.file("original.jpg", &photo(&scene(3, false), 20.0));
    let variant = sandbox.file("variant.jpg", &photo(&scene(3, true), 30.0));
    add(&sandbox, &case_id, "storefront_photo", &original);
    add(&sandbox, &case_id, "interior_photo", &variant);

    let run = sandbox.run(["check", "--case", &case_id, "--json"]);
    let json = run.json();
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["material"] == "interior_photo" && finding["code"] == "near_duplicate")
        .unwrap_or_else(|| panic!("no near_duplicate at the default distance: {json}"))
        .clone();
    // The message ends naming the other file and the distance, "… storefront_photo (d/64).".
    let message = finding["message"].as_str().unwrap();
    let distance: u32 = message.rsplit("/64)").nth(1).unwrap().rsplit('(').next().unwrap().parse().unwrap();
    assert!((1..=10).contains(&distance), "the variant must differ a little: {message}");

    settings(&sandbox, &["--threshold", &format!("near_duplicate_max_distance={}", distance - 1)]);
    assert!(!codes(&sandbox, &case_id, "interior_photo").contains(&"near_duplicate".into()));
    settings(&sandbox, &["--threshold", &format!("near_duplicate_max_distance={distance}")]);
    assert!(codes(&sandbox, &case_id, "interior_photo").contains(&"near_duplicate".into()));
}

#[test]
fn bad_thresholds_are_refused_naming_the_field() {
    let sandbox = Sandbox::new();
    let case_id = sandbox.new_case(&VISIT);
    settings(&sandbox, &["--threshold", "min_long_side_px=1500"]);
    for (assignment, named) in [
        ("min_long_side_px=-5", "min_long_side_px"),
        ("min_long_side_px=50000", "min_long_side_px"),
        ("site_radius_m=0", "site_radius_m"),
        ("near_duplicate_max_distance=65", "near_duplicate_max_distance"),
        ("min_mean_luminance=dark", "min_mean_luminance"),
        ("blurriness=3", "blurriness"),
        ("min_long_side_px", "KEY=VALUE"),
    ] {
        let run = sandbox.run(["settings", "--threshold", assignment]);
        assert_eq!(run.status, 2, "{assignment}: {}", run.stderr);
        assert!(run.stderr.contains(named), "{assignment}: {}", run.stderr);
    }
    let json = settings(&sandbox, &[]);
    assert_eq!(json["thresholds"]["min_long_side_px"], 1500, "a refused change changes nothing");

    // A settings file edited by hand with a bad value: every command that judges refuses,
    // naming the file and the field.
    let path = sandbox.home().join("settings.json");
    std::fs::write(&path, r#"{"thresholds": {"visit_window_days": 99}}"#).unwrap();
    let run = sandbox.run(["check", "--case", &case_id]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    let run = sandbox.run(["settings"]);
    assert_eq!(run.status, 2);
    assert!(
        run.stderr.contains("settings.json") && run.stderr.contains("thresholds.visit_window_days"),
        "{}",
        run.stderr
    );
}

#[test]
fn inspect_with_a_data_folder_uses_its_thresholds() {
    let sandbox = Sandbox::new();
    let photo_path = sandbox.file("shop.jpg", &photo(&scene(5, false), 0.0));
    settings(&sandbox, &["--threshold", "min_long_side_px=2000"]);
    let codes_of = |run: crate::harness::Run| -> Vec<String> {
        run.json()["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| finding["code"].as_str().unwrap().to_string())
            .collect()
    };
    let with_home = codes_of(sandbox.run(["inspect", "--json", photo_path.to_str().unwrap()]));
    assert!(with_home.contains(&"low_resolution".into()), "{with_home:?}");

    let output = std::process::Command::new(intake_binary())
        .args(["inspect", "--json", photo_path.to_str().unwrap()])
        .env_remove("INTAKE_HOME")
        .output_once_started()
        .unwrap();
    let without_home = codes_of(output.into());
    assert!(!without_home.contains(&"low_resolution".into()), "{without_home:?}");

    // --thresholds FILE goes on top of the installation's.
    let file = sandbox.file("t.json", br#"{"min_long_side_px": 1000}"#);
    let run = sandbox.run(["inspect", "--json", "--thresholds", file.to_str().unwrap(), photo_path.to_str().unwrap()]);
    assert!(!codes_of(run).contains(&"low_resolution".into()));
    let bad = sandbox.file("bad.json", br#"{"min_long_side_px": 1000, "typo": 1}"#);
    let run = sandbox.run(["inspect", "--thresholds", bad.to_str().unwrap(), photo_path.to_str().unwrap()]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("bad.json") && run.stderr.contains("typo"), "{}", run.stderr);
}
