//! `intake inspect`: JSON of interfaces.md, every file reported even when others cannot be
//! read, exit status 0 / 1 / 2, thresholds from a file.

use image::{ImageEncoder, RgbImage};

use crate::harness::Sandbox;

/// A sharp 1600x1200 test card, as PNG (a scan: no EXIF expected) or JPEG.
fn card() -> RgbImage {
    RgbImage::from_fn(1600, 1200, |x, y| {
        let level = 40 + (((x / 8) * 31 + (y / 8) * 17) * 53 % 180) as u8;
        image::Rgb([level, level, 255 - level])
    })
}

fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

#[test]
fn clean_files_exit_0_with_one_json_document() {
    let sandbox = Sandbox::new();
    let scan = sandbox.file("scan.png", &png(&card()));
    let run = sandbox.run([std::ffi::OsStr::new("inspect"), std::ffi::OsStr::new("--json"), scan.as_os_str()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = run.json();
    let file = &json["files"][0];
    assert_eq!(file["path"], scan.display().to_string());
    assert_eq!(file["media_type"], "image/png");
    assert_eq!((file["width"].as_u64(), file["height"].as_u64()), (Some(1600), Some(1200)));
    assert_eq!(file["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(file["findings"], serde_json::json!([]));
    assert!(file["exif"].is_null() && file["error"].is_null());
    assert!(!sandbox.home().exists(), "inspect needs no data folder");
}

#[test]
fn warnings_alone_exit_0_and_are_printed_in_both_languages() {
    let sandbox = Sandbox::new();
    let forwarded = sandbox.file("mmexport1700000000000.jpg", &jpeg(&card()));
    let run = sandbox.run([std::ffi::OsStr::new("inspect"), forwarded.as_os_str()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("exif_missing") && run.stdout.contains("forwarded_copy"), "{}", run.stdout);
    assert!(run.stdout.contains("微信") && run.stdout.contains("WeChat"), "{}", run.stdout);
}

#[test]
fn a_missing_file_exits_2_and_a_damaged_one_is_unreadable_while_the_others_are_still_inspected() {
    let sandbox = Sandbox::new();
    let good = sandbox.file("scan.png", &png(&card()));
    let broken = sandbox.file("broken.jpg", b"this is not a photo");
    let missing = sandbox.dir.path().join("missing.jpg");
    let run = sandbox.run([
        std::ffi::OsStr::new("inspect"),
        std::ffi::OsStr::new("--json"),
        broken.as_os_str(),
        missing.as_os_str(),
        good.as_os_str(),
    ]);
    assert_eq!(run.status, 2, "a file that cannot be read at all exits 2: {}", run.stderr);
    let json = run.json();
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    for unreadable in &files[..2] {
        assert_eq!(unreadable["findings"][0]["code"], "unreadable");
        assert_eq!(unreadable["findings"][0]["severity"], "error");
        assert!(unreadable["error"].is_string());
    }
    assert!(files[2]["error"].is_null());
    assert!(run.stderr.contains("broken.jpg") && run.stderr.contains("missing.jpg"), "{}", run.stderr);
}

#[test]
fn thresholds_come_from_a_file_and_a_bad_file_is_bad_input() {
    let sandbox = Sandbox::new();
    let small = sandbox.file(
        "small.png",
        &png(&RgbImage::from_fn(400, 300, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]))),
    );
    let default_run = sandbox.run([std::ffi::OsStr::new("inspect"), std::ffi::OsStr::new("--json"), small.as_os_str()]);
    assert_eq!(default_run.json()["files"][0]["findings"][0]["code"], "low_resolution");

    let settings = sandbox.file("thresholds.json", br#"{"min_long_side_px": 300}"#);
    let run = sandbox.run([
        std::ffi::OsStr::new("inspect"),
        std::ffi::OsStr::new("--json"),
        std::ffi::OsStr::new("--thresholds"),
        settings.as_os_str(),
        small.as_os_str(),
    ]);
    let codes: Vec<_> =
        run.json()["files"][0]["findings"].as_array().unwrap().iter().map(|finding| finding["code"].clone()).collect();
    assert!(!codes.contains(&serde_json::json!("low_resolution")), "{codes:?}");

    let typo = sandbox.file("typo.json", br#"{"min_long_side": 300}"#);
    let run = sandbox.run([
        std::ffi::OsStr::new("inspect"),
        std::ffi::OsStr::new("--thresholds"),
        typo.as_os_str(),
        small.as_os_str(),
    ]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("typo.json"), "{}", run.stderr);
}

#[test]
fn a_damaged_file_that_was_read_exits_1() {
    let sandbox = Sandbox::new();
    let broken = sandbox.file("broken.jpg", b"this is not a photo");
    let run = sandbox.run([std::ffi::OsStr::new("inspect"), std::ffi::OsStr::new("--json"), broken.as_os_str()]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert_eq!(run.json()["files"][0]["findings"][0]["code"], "unreadable");
}

#[test]
fn no_pixel_checks_reads_metadata_only_and_says_what_it_did_not_check() {
    let sandbox = Sandbox::new();
    let dark = RgbImage::from_fn(1600, 1200, |x, y| image::Rgb([((x + y) % 20) as u8, 5, 5]));
    let photo = sandbox.file("dark.jpg", &jpeg(&dark));
    let args = |extra: &[&str]| {
        let mut args: Vec<std::ffi::OsString> = vec!["inspect".into(), "--json".into()];
        args.extend(extra.iter().map(std::ffi::OsString::from));
        args.push(photo.clone().into_os_string());
        args
    };
    let codes = |file: &serde_json::Value, field: &str| -> Vec<String> {
        file[field].as_array().unwrap().iter().map(|entry| entry["code"].as_str().unwrap().to_string()).collect()
    };

    let full = sandbox.run(args(&[])).json();
    assert!(codes(&full["files"][0], "findings").contains(&"too_dark".to_string()), "{full}");

    let quick = sandbox.run(args(&["--no-pixel-checks"]));
    assert_eq!(quick.status, 0, "{}", quick.stderr);
    let file = &quick.json()["files"][0];
    assert!(!codes(file, "findings").contains(&"too_dark".to_string()), "{file}");
    assert_eq!(codes(file, "skipped_checks"), ["too_dark", "blurry"], "{file}");
    // The facts that need no pixels are still there.
    assert_eq!((file["width"].as_u64(), file["height"].as_u64()), (Some(1600), Some(1200)));
    assert_eq!(file["sha256"], full["files"][0]["sha256"]);
}
