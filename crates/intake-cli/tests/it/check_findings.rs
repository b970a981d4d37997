//! `intake check --json` lists the evidence findings of the case in the shape of
//! interfaces.md, and an error finding keeps its item from `ok` (exit status 1).

use image::{ImageEncoder, RgbImage};

use crate::harness::Sandbox;

/// A sharp 1600x1200 JPEG with no EXIF.
fn stripped_jpeg(seed: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(1600, 1200, |x, y| {
        let level = 40 + (((x / 8) * 31 + (y / 8) * 17 + seed) * 53 % 180) as u8;
        image::Rgb([level, level, 255 - level])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

#[test]
fn check_json_lists_case_findings_in_the_contract_shape() {
    let sandbox = Sandbox::new();
    let id = sandbox.new_case(&[
        "--opens-payment",
        "--visit-date",
        "2026-11-20",
        "--site-lat",
        "31.2304",
        "--site-lon",
        "121.4737",
    ]);
    let photo = sandbox.file("shop.jpg", &stripped_jpeg(0));
    for material in ["storefront_photo", "interior_photo"] {
        let run = sandbox.run(["add", "--case", &id, "--material", material, photo.to_str().unwrap()]);
        assert_eq!(run.status, 0, "{}", run.stderr);
    }
    let run = sandbox.run(["check", "--case", &id, "--json"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    let sha256 = crate::harness::sha256_of(&photo);
    for material in ["storefront_photo", "interior_photo"] {
        let duplicate = findings
            .iter()
            .find(|finding| finding["material"] == material && finding["code"] == "duplicate_in_case")
            .unwrap_or_else(|| panic!("no duplicate_in_case on {material}: {findings:?}"));
        let mut keys: Vec<&str> = duplicate.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["code", "file", "material", "message", "severity", "sha256"]);
        assert_eq!(duplicate["file"], "shop.jpg");
        assert_eq!(duplicate["sha256"], sha256.as_str());
        assert_eq!(duplicate["severity"], "error");
        assert!(findings.iter().any(|finding| finding["material"] == material && finding["code"] == "exif_missing"));
    }
    let item = json["items"].as_array().unwrap().iter().find(|item| item["key"] == "storefront_photo").unwrap();
    assert_eq!(item["status"], "present");

    // A scan in a slot that is not a site photo: no exif_missing, no duplicate.
    let scan = sandbox.file("licence.jpg", &stripped_jpeg(7));
    let run = sandbox.run(["add", "--case", &id, "--material", "business_license", scan.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = sandbox.run(["check", "--case", &id, "--json"]).json();
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["material"] == "business_license")
        .map(|finding| finding["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"exif_missing") && !codes.contains(&"duplicate_in_case"), "{codes:?}");
}
