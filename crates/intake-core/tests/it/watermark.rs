//! Watermarked ID copies: the package holds a marked copy of each identity document (the
//! originals stay in the vault, their hashes in case.json), `verify` accepts it, the mark is
//! visible in the pixels, the copy carries no EXIF, and packing twice gives the same bytes.

use std::io::Cursor;

use exif::{Field, In, Tag, Value};
use image::ImageEncoder;
use intake_core::ErrorKind;
use intake_core::package::ExportOptions;
use intake_core::package::verify;
use intake_core::settings::SettingsChange;

use super::package::{Fixture, entries_of, sha256_hex, test_card};

const IDENTITY_MATERIALS: [&str; 2] = ["legal_rep_id", "operator_holding_id"];

/// A phone photo of 640x480 stored sideways: EXIF orientation 6 (turn 90° clockwise to view),
/// with a GPS position that must not survive into the copy.
fn sideways_photo() -> Vec<u8> {
    let card = test_card(77, 640, 480);
    let mut writer = exif::experimental::Writer::new();
    let fields = [
        Field { tag: Tag::Orientation, ifd_num: In::PRIMARY, value: Value::Short(vec![6]) },
        Field { tag: Tag::GPSLatitudeRef, ifd_num: In::PRIMARY, value: Value::Ascii(vec![b"N".to_vec()]) },
    ];
    for field in &fields {
        writer.push_field(field);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    encoder.set_exif_metadata(tiff.into_inner()).unwrap();
    encoder.write_image(card.as_raw(), 640, 480, image::ExtendedColorType::Rgb8).unwrap();
    out
}

fn export(fixture: &Fixture, name: &str, watermark: Option<bool>) -> intake_core::Result<std::path::PathBuf> {
    let out = fixture.dir.path().join(name);
    fixture.folder.export_case(
        &fixture.case_id,
        &out,
        &ExportOptions { allow_incomplete: true, incomplete_reason: Some("测试".into()), watermark },
    )?;
    Ok(out)
}

fn case_json(zip: &[u8]) -> serde_json::Value {
    let entries = entries_of(zip);
    serde_json::from_slice(&entries.iter().find(|entry| entry.0 == "data/case.json").unwrap().1).unwrap()
}

#[test]
fn identity_documents_go_in_as_marked_copies_and_the_originals_stay() {
    let mut fixture = Fixture::complete_case();
    let sideways = sideways_photo();
    fixture.add_file("operator_holding_id", "手持身份证 IMG_0099.jpg", &sideways);

    let path = export(&fixture, "marked.zip", Some(true)).unwrap();
    let report = verify::verify_package(&path, &fixture.trusting_own_key()).unwrap();
    assert!(report.valid, "{:?}", report.problems);
    let zip = std::fs::read(&path).unwrap();
    let entries = entries_of(&zip);
    let document = case_json(&zip);
    let recorded = fixture.folder.case_evidence(&fixture.case_id).unwrap();

    let mut marked = 0;
    for file in document["files"].as_array().unwrap() {
        let material = file["material"].as_str().unwrap();
        let packed = &entries.iter().find(|entry| entry.0 == file["path"].as_str().unwrap()).unwrap().1;
        if !IDENTITY_MATERIALS.contains(&material) {
            assert!(file["watermarked_copy"].is_null(), "{material} was marked");
            assert_eq!(sha256_hex(packed), file["sha256"].as_str().unwrap());
            continue;
        }
        marked += 1;
        let copy = &file["watermarked_copy"];
        let original_sha256 = file["sha256"].as_str().unwrap();
        // case.json keeps the original's hash, as the vault knows it, and the copy's.
        assert!(recorded.iter().any(|record| record.sha256 == original_sha256 && record.material_key == material));
        assert_eq!(sha256_hex(packed), copy["sha256"].as_str().unwrap());
        assert_ne!(copy["sha256"], file["sha256"]);
        assert!(copy["text"].as_str().unwrap().starts_with("仅供通联支付商户入网使用 2026-"), "{copy}");
        // The vault's original is untouched.
        let original = fixture.folder.vault().read_object_checked(original_sha256, u64::MAX).unwrap();

        // The copy decodes, upright, and carries the mark: a share of its pixels turned red.
        let copy_image = image::load_from_memory(packed).unwrap().to_rgb8();
        let source = image::load_from_memory(&original).unwrap().to_rgb8();
        if original == sideways {
            assert_eq!(copy_image.dimensions(), (480, 640), "orientation 6 was not applied");
            assert!(exif::Reader::new().read_from_container(&mut Cursor::new(packed)).is_err(), "EXIF kept");
            continue;
        }
        assert_eq!(copy_image.dimensions(), source.dimensions());
        let reddened = copy_image
            .pixels()
            .zip(source.pixels())
            .filter(|(after, before)| {
                let shift = |pixel: &image::Rgb<u8>| i32::from(pixel[0]) - i32::from(pixel[1]);
                shift(after) - shift(before) > 40
            })
            .count();
        let share = reddened as f64 / f64::from(copy_image.width() * copy_image.height());
        assert!(share > 0.03, "{material}: only {share:.4} of the pixels carry the mark");
        assert!(share < 0.6, "{material}: {share:.4} of the pixels changed: the document would be unreadable");
    }
    assert_eq!(marked, 4, "two ID card sides and two photos holding an ID");

    // Reproducible: the same case marked twice is the same bytes.
    let again = export(&fixture, "marked-again.zip", Some(true)).unwrap();
    assert!(zip == std::fs::read(&again).unwrap(), "two watermarked exports differ");
    let plain = export(&fixture, "plain.zip", Some(false)).unwrap();
    assert!(zip != std::fs::read(&plain).unwrap());
}

#[test]
fn the_setting_decides_unless_the_export_says_otherwise_and_unmarkable_documents_are_refused() {
    let mut fixture = Fixture::complete_case();
    assert!(!fixture.folder.settings().unwrap().watermark_id_copies, "off by default");
    fixture
        .folder
        .change_settings(SettingsChange {
            watermark_id_copies: Some(true),
            watermark_text: Some("仅供测试使用".into()),
            ..SettingsChange::default()
        })
        .unwrap();
    let by_setting = export(&fixture, "setting.zip", None).unwrap();
    let document = case_json(&std::fs::read(&by_setting).unwrap());
    let texts: Vec<&str> = document["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|file| file["watermarked_copy"]["text"].as_str())
        .collect();
    assert_eq!(texts.len(), 3);
    assert!(texts.iter().all(|text| text.starts_with("仅供测试使用 ")), "{texts:?}");
    let unmarked = export(&fixture, "override.zip", Some(false)).unwrap();
    let document = case_json(&std::fs::read(&unmarked).unwrap());
    assert!(document["files"].as_array().unwrap().iter().all(|file| file["watermarked_copy"].is_null()));

    // A character the font does not have is refused by name.
    let err = fixture
        .folder
        .change_settings(SettingsChange { watermark_text: Some("仅供喆使用".into()), ..SettingsChange::default() })
        .unwrap_err();
    assert!(err.message().contains("喆"), "{}", err.message());

    // A PDF of an ID card cannot be marked: the export says which file and writes nothing.
    fixture.add_file("legal_rep_id", "身份证扫描.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
    let err = export(&fixture, "refused.zip", Some(true)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("身份证扫描.pdf") && err.message().contains("--no-watermark"), "{}", err.message());
    assert!(!fixture.dir.path().join("refused.zip").exists());
}
