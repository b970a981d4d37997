//! `evidence::Inspector` on generated files: each file-level finding appears when it should
//! and not otherwise, limits refuse bombs, and the JSON has the shape of `interfaces.md`.

use std::io::Cursor;

use chrono::{DateTime, TimeZone, Utc};
use exif::{Field, In, Rational, Tag, Value};
use image::{ImageEncoder, RgbImage};
use intake_core::evidence::report::FileInspection;
use intake_core::evidence::{self, FindingCode, Severity, Thresholds};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap()
}

/// A sharp test card: 8-pixel squares of varying grey, with colour, `width` x `height`.
pub(crate) fn test_card(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let cell = (x / 8) * 31 + (y / 8) * 17;
        let level = 40 + (cell * 53 % 180) as u8;
        image::Rgb([level, level.wrapping_add(20), 255 - level])
    })
}

pub(crate) fn ascii(tag: Tag, text: &str) -> Field {
    Field { tag, ifd_num: In::PRIMARY, value: Value::Ascii(vec![text.as_bytes().to_vec()]) }
}

pub(crate) fn rationals(tag: Tag, values: &[(u32, u32)]) -> Field {
    let values = values.iter().map(|&(num, denom)| Rational { num, denom }).collect();
    Field { tag, ifd_num: In::PRIMARY, value: Value::Rational(values) }
}

/// EXIF of a phone photo taken in Shanghai at 2026-11-20 10:22:33 +08:00 (02:22:33 UTC).
pub(crate) fn phone_exif() -> Vec<Field> {
    vec![
        ascii(Tag::Make, "Apple"),
        ascii(Tag::Model, "iPhone 13"),
        ascii(Tag::Software, "16.1"),
        ascii(Tag::DateTimeOriginal, "2026:11:20 10:22:33"),
        ascii(Tag::OffsetTimeOriginal, "+08:00"),
        ascii(Tag::GPSLatitudeRef, "N"),
        rationals(Tag::GPSLatitude, &[(31, 1), (13, 1), (4944, 100)]),
        ascii(Tag::GPSLongitudeRef, "E"),
        rationals(Tag::GPSLongitude, &[(121, 1), (28, 1), (2532, 100)]),
        rationals(Tag::GPSAltitude, &[(12, 1)]),
        rationals(Tag::GPSHPositioningError, &[(5, 1)]),
        ascii(Tag::GPSDateStamp, "2026:11:20"),
        rationals(Tag::GPSTimeStamp, &[(2, 1), (22, 1), (31, 1)]),
    ]
}

/// Replaces (or adds) one field.
pub(crate) fn with(mut fields: Vec<Field>, field: Field) -> Vec<Field> {
    fields.retain(|existing| existing.tag != field.tag);
    fields.push(field);
    fields
}

pub(crate) fn without(mut fields: Vec<Field>, tags: &[Tag]) -> Vec<Field> {
    fields.retain(|field| !tags.contains(&field.tag));
    fields
}

pub(crate) fn jpeg(image: &RgbImage, exif: &[Field]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92);
    if !exif.is_empty() {
        let mut writer = exif::experimental::Writer::new();
        for field in exif {
            writer.push_field(field);
        }
        let mut tiff = Cursor::new(Vec::new());
        writer.write(&mut tiff, false).expect("EXIF encodes");
        encoder.set_exif_metadata(tiff.into_inner()).unwrap();
    }
    encoder.write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8).unwrap();
    out
}

pub(crate) fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A 64x48 PNG, different for every seed.
pub(crate) fn small_png(seed: usize) -> Vec<u8> {
    png(&RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x as usize * seed) as u8, (y as usize + seed) as u8, (seed * 37) as u8])
    }))
}

/// The MP4 of `tests/fixtures/one-track.mp4` (one 1280x720 picture track, no frames) with
/// `note` in a `free` box after it, so that every note gives other bytes.
pub(crate) fn movie(note: &str) -> Vec<u8> {
    let movie = include_bytes!("../../../../tests/fixtures/one-track.mp4");
    let free = [&(8 + note.len() as u32).to_be_bytes()[..], b"free", note.as_bytes()].concat();
    [&movie[..], &free].concat()
}

fn inspect(name: &str, bytes: &[u8]) -> FileInspection {
    evidence::Inspector::new(&Thresholds::default()).at(now()).bytes(name, name, bytes)
}

fn codes(inspection: &FileInspection) -> Vec<FindingCode> {
    inspection.findings.iter().map(|finding| finding.code).collect()
}

fn message(inspection: &FileInspection, code: FindingCode) -> String {
    inspection
        .findings
        .iter()
        .find(|finding| finding.code == code)
        .map(|finding| finding.message.clone())
        .unwrap_or_default()
}

#[test]
fn a_good_phone_photo_has_no_findings_and_reports_its_facts() {
    let inspection = inspect("IMG_0001.jpg", &jpeg(&test_card(1600, 1200), &phone_exif()));
    assert_eq!(codes(&inspection), vec![], "{:#?}", inspection.findings);
    assert_eq!(inspection.media_type.as_deref(), Some("image/jpeg"));
    assert_eq!((inspection.width, inspection.height), (Some(1600), Some(1200)));
    assert_eq!(inspection.sha256.as_ref().map(String::len), Some(64));
    let exif = inspection.exif.as_ref().unwrap();
    assert_eq!(exif.make.as_deref(), Some("Apple"));
    assert_eq!(exif.datetime_original.as_deref(), Some("2026-11-20T10:22:33"));
    assert_eq!(exif.offset_time_original.as_deref(), Some("+08:00"));
    assert_eq!(exif.capture_utc.as_deref(), Some("2026-11-20T02:22:33Z"));
    let gps = exif.gps.as_ref().unwrap();
    assert!((gps.lat - 31.2304).abs() < 1e-6 && (gps.lon - 121.4737).abs() < 1e-6, "{gps:?}");
    assert_eq!((gps.alt_m, gps.h_error_m), (Some(12.0), Some(5.0)));
    assert_eq!(gps.utc.as_deref(), Some("2026-11-20T02:22:31Z"));
    let pixels = inspection.pixels.as_ref().unwrap();
    assert!(pixels.mean_luminance > 40.0 && pixels.laplacian_variance > 150.0, "{pixels:?}");
}

#[test]
fn json_has_the_shape_of_interfaces_md() {
    let inspection = inspect(
        "a.jpg",
        &jpeg(&test_card(1600, 1200), &with(phone_exif(), ascii(Tag::Software, "Adobe Photoshop 2025"))),
    );
    let json = serde_json::to_value(evidence::InspectReport { files: vec![inspection] }).unwrap();
    let file = &json["files"][0];
    for key in ["path", "sha256", "bytes", "media_type", "width", "height", "orientation", "exif", "findings", "error"]
    {
        assert!(file.get(key).is_some(), "missing {key}: {file}");
    }
    for key in ["make", "model", "software", "datetime_original", "offset_time_original", "gps"] {
        assert!(file["exif"].get(key).is_some(), "missing exif.{key}");
    }
    for key in ["lat", "lon", "alt_m", "h_error_m", "utc"] {
        assert!(file["exif"]["gps"].get(key).is_some(), "missing gps.{key}");
    }
    let finding = &file["findings"][0];
    assert_eq!(finding["code"], "edited_software");
    assert_eq!(finding["severity"], "warning");
    assert!(finding["message"].as_str().unwrap().contains("Adobe Photoshop 2025"));
    assert!(file["error"].is_null());
}

#[test]
fn editing_software_is_named() {
    for software in ["Adobe Photoshop Lightroom Classic 12.0", "GIMP 2.10", "美图秀秀", "Snapseed 2.0", "Meitu 9.9"]
    {
        let inspection =
            inspect("a.jpg", &jpeg(&test_card(1600, 1200), &with(phone_exif(), ascii(Tag::Software, software))));
        assert_eq!(codes(&inspection), vec![FindingCode::EditedSoftware], "{software}");
        assert!(message(&inspection, FindingCode::EditedSoftware).contains(software));
    }
}

#[test]
fn capture_time_and_gps_clock_must_agree_within_ten_minutes() {
    let eleven_minutes_off = with(phone_exif(), rationals(Tag::GPSTimeStamp, &[(2, 1), (33, 1), (34, 1)]));
    let inspection = inspect("a.jpg", &jpeg(&test_card(1600, 1200), &eleven_minutes_off));
    assert_eq!(codes(&inspection), vec![FindingCode::TimeGpsMismatch]);
    assert!(
        message(&inspection, FindingCode::TimeGpsMismatch).contains("11 分钟"),
        "{}",
        message(&inspection, FindingCode::TimeGpsMismatch)
    );

    let nine_minutes_off = with(phone_exif(), rationals(Tag::GPSTimeStamp, &[(2, 1), (31, 1), (30, 1)]));
    assert_eq!(codes(&inspect("a.jpg", &jpeg(&test_card(1600, 1200), &nine_minutes_off))), vec![]);

    // No offset recorded: UTC+8 is assumed, and the message says so.
    let no_offset = without(eleven_minutes_off, &[Tag::OffsetTimeOriginal]);
    let inspection = inspect("a.jpg", &jpeg(&test_card(1600, 1200), &no_offset));
    assert!(message(&inspection, FindingCode::TimeGpsMismatch).contains("assumed"));

    // A malformed GPS date is absent: no comparison, no crash.
    let bad_date = with(phone_exif(), ascii(Tag::GPSDateStamp, "2014:09:259"));
    let inspection = inspect("a.jpg", &jpeg(&test_card(1600, 1200), &bad_date));
    assert_eq!(codes(&inspection), vec![]);
    assert_eq!(inspection.exif.unwrap().gps.unwrap().utc, None);
}

#[test]
fn capture_time_more_than_a_day_ahead_is_an_error() {
    let tomorrow_and_more = with(phone_exif(), ascii(Tag::DateTimeOriginal, "2026:11:21 12:30:00"));
    let without_gps_clock = without(tomorrow_and_more, &[Tag::GPSDateStamp, Tag::GPSTimeStamp]);
    let inspection = inspect("a.jpg", &jpeg(&test_card(1600, 1200), &without_gps_clock));
    assert_eq!(codes(&inspection), vec![FindingCode::FutureTimestamp]);
    assert!(inspection.has_errors());
    assert_eq!(inspection.findings[0].severity, Severity::Error);

    let within_a_day = with(without_gps_clock, ascii(Tag::DateTimeOriginal, "2026:11:21 11:30:00"));
    assert_eq!(codes(&inspect("a.jpg", &jpeg(&test_card(1600, 1200), &within_a_day))), vec![]);
}

#[test]
fn malformed_capture_times_are_kept_raw_and_used_for_nothing() {
    for raw in ["0000:00:00 00:00:00", "    :  :     :  :  "] {
        let fields = with(phone_exif(), ascii(Tag::DateTimeOriginal, raw));
        let inspection = inspect("a.jpg", &jpeg(&test_card(1600, 1200), &fields));
        let exif = inspection.exif.as_ref().unwrap();
        assert_eq!(exif.datetime_original, None);
        assert_eq!(exif.datetime_original_raw.as_deref(), Some(raw));
        assert_eq!(exif.capture_utc, None);
        assert_eq!(codes(&inspection), vec![]);
    }
}

#[test]
fn missing_exif_and_missing_gps() {
    let card = test_card(1600, 1200);
    // (These JPEGs come from a standard encoder, hence also `forwarded_copy`.)
    assert_eq!(
        codes(&inspect("IMG_0002.jpg", &jpeg(&card, &[]))),
        vec![FindingCode::ExifMissing, FindingCode::ForwardedCopy]
    );
    // Screenshots and PNG/WebP/TIFF are not expected to carry EXIF.
    assert_eq!(codes(&inspect("Screenshot_2026-11-20.jpg", &jpeg(&card, &[]))), vec![FindingCode::ForwardedCopy]);
    assert_eq!(codes(&inspect("截屏2026-11-20.jpg", &jpeg(&card, &[]))), vec![FindingCode::ForwardedCopy]);
    assert_eq!(codes(&inspect("scan.png", &png(&card))), vec![]);

    let no_position =
        without(phone_exif(), &[Tag::GPSLatitude, Tag::GPSLatitudeRef, Tag::GPSLongitude, Tag::GPSLongitudeRef]);
    let inspection = inspect("a.jpg", &jpeg(&card, &no_position));
    assert_eq!(codes(&inspection), vec![FindingCode::GpsMissing]);
    assert!(inspection.exif.unwrap().gps.is_none());

    let null_island = with(
        with(phone_exif(), rationals(Tag::GPSLatitude, &[(0, 1), (0, 1), (0, 1)])),
        rationals(Tag::GPSLongitude, &[(0, 1), (0, 1), (0, 1)]),
    );
    let inspection = inspect("a.jpg", &jpeg(&card, &null_island));
    assert_eq!(codes(&inspection), vec![FindingCode::GpsMissing]);
    assert!(message(&inspection, FindingCode::GpsMissing).contains("0,0"));
}

#[test]
fn chat_app_names_and_reencoder_tables_mark_forwarded_copies() {
    let card = test_card(1600, 1200);
    let stripped = jpeg(&card, &[]);
    // image's JPEG encoder writes libjpeg's standard tables, as chat apps do.
    let inspection = inspect("mmexport1700000000000.jpg", &stripped);
    assert_eq!(codes(&inspection), vec![FindingCode::ExifMissing, FindingCode::ForwardedCopy]);
    assert!(message(&inspection, FindingCode::ForwardedCopy).contains("WeChat"));
    let inspection = inspect("IMG-20261120-WA0003.jpg", &stripped);
    assert!(message(&inspection, FindingCode::ForwardedCopy).contains("WhatsApp"));
    // Any other name: still the tables, with the quality they were made at.
    let inspection = inspect("IMG_0002.jpg", &stripped);
    assert!(message(&inspection, FindingCode::ForwardedCopy).contains("92"), "{:?}", inspection.findings);
    // A chat-app name on a PNG without EXIF is still a sign; with a camera's EXIF the tables
    // alone are not.
    assert_eq!(codes(&inspect("mmexport1700000000000.png", &png(&card))), vec![FindingCode::ForwardedCopy]);
    assert_eq!(codes(&inspect("IMG_0003.jpg", &jpeg(&card, &phone_exif()))), vec![]);
}

#[test]
fn small_dark_and_blurred_images() {
    let small = inspect("a.jpg", &jpeg(&test_card(1000, 750), &phone_exif()));
    assert_eq!(codes(&small), vec![FindingCode::LowResolution]);
    assert!(message(&small, FindingCode::LowResolution).contains("1000"));

    let mut dark = test_card(1600, 1200);
    for pixel in dark.pixels_mut() {
        pixel.0 = pixel.0.map(|value| value / 8);
    }
    let inspection = inspect("a.jpg", &jpeg(&dark, &phone_exif()));
    assert_eq!(codes(&inspection), vec![FindingCode::TooDark]);
    // Dark means little contrast, so sharpness is not judged (rather than called blurry).
    assert_eq!(
        inspection.skipped_checks.iter().map(|skipped| skipped.code).collect::<Vec<_>>(),
        vec![FindingCode::Blurry]
    );
    // The report keeps one decimal of the mean, the message none: either rounding may show.
    let mean = inspection.pixels.as_ref().unwrap().mean_luminance;
    let shown = [mean.floor(), mean.ceil()].map(|value| format!("{value:.0}/255"));
    let text = message(&inspection, FindingCode::TooDark);
    assert!(shown.iter().any(|value| text.contains(value.as_str())), "{text} does not show {mean}");

    let blurred = image::imageops::blur(&test_card(1600, 1200), 4.0);
    let inspection = inspect("a.jpg", &jpeg(&blurred, &phone_exif()));
    assert_eq!(codes(&inspection), vec![FindingCode::Blurry], "{:?}", inspection.pixels);
    let sharp = inspect("a.jpg", &jpeg(&test_card(1600, 1200), &phone_exif())).pixels.unwrap().laplacian_variance;
    let soft = inspection.pixels.unwrap().laplacian_variance;
    assert!(sharp > 10.0 * soft, "sharp {sharp}, blurred {soft}");
}

#[test]
fn thresholds_are_configurable() {
    let thresholds: Thresholds = serde_json::from_str(r#"{"min_long_side_px": 800, "min_mean_luminance": 0}"#).unwrap();
    let bytes = jpeg(&test_card(1000, 750), &phone_exif());
    let inspection = evidence::Inspector::new(&thresholds).at(now()).bytes("a.jpg", "a.jpg", &bytes);
    assert_eq!(codes(&inspection), vec![]);
}

#[test]
fn unreadable_files_say_why_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = evidence::Inspector::new(&Thresholds::default()).file(&dir.path().join("nope.jpg"));
    assert_eq!(codes(&missing), vec![FindingCode::Unreadable]);
    assert!(missing.error.as_deref().unwrap().contains("nope.jpg"), "{:?}", missing.error);
    assert_eq!(missing.sha256, None);

    let folder = evidence::Inspector::new(&Thresholds::default()).file(dir.path());
    assert_eq!(codes(&folder), vec![FindingCode::Unreadable]);

    let text = inspect("notes.jpg", b"just some text, not a photo");
    assert_eq!(codes(&text), vec![FindingCode::Unreadable]);
    assert!(text.sha256.is_some());

    let full = jpeg(&test_card(1600, 1200), &phone_exif());
    let truncated = inspect("cut.jpg", &full[..full.len() / 2]);
    assert_eq!(codes(&truncated)[0], FindingCode::Unreadable, "{:?}", truncated.findings);
    assert!(truncated.error.as_deref().unwrap().contains("incomplete"), "{:?}", truncated.error);
    assert!(truncated.exif.is_some(), "the metadata before the cut is still reported");

    let path = dir.path().join("big.jpg");
    std::fs::write(&path, &full).unwrap();
    let limits = Thresholds { max_file_bytes: 1000, ..Thresholds::default() };
    let too_big = evidence::Inspector::new(&limits).file(&path);
    assert_eq!(codes(&too_big), vec![FindingCode::Unreadable]);
    assert_eq!((too_big.sha256, too_big.bytes), (None, Some(full.len() as u64)));
    assert!(too_big.error.unwrap().contains("MiB"));
}

/// CRC-32 (IEEE) for hand-made PNG chunks.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    chunk
}

/// A PNG whose header claims `width` x `height` grey pixels, with a few bytes of data.
fn png_header_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut file = b"\x89PNG\r\n\x1a\n".to_vec();
    file.extend(png_chunk(b"IHDR", &ihdr));
    file.extend(png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    file.extend(png_chunk(b"IEND", &[]));
    file
}

/// The peak resident memory of this test process, where the platform tells it.
fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[test]
fn decompression_bombs_are_refused_as_unreadable() {
    // Headers that claim 10 billion pixels (PNG) and 4.3 billion (JPEG): refused from the
    // header, nothing allocated.
    let inspection = inspect("bomb.png", &png_header_bomb(100_000, 100_000));
    assert_eq!(codes(&inspection), vec![FindingCode::Unreadable]);
    assert!(inspection.error.as_deref().unwrap().contains("10000.0 million pixels"), "{:?}", inspection.error);

    let mut big_jpeg = jpeg(&test_card(64, 64), &[]);
    let sof = big_jpeg.windows(2).position(|window| window == [0xFF, 0xC0]).expect("baseline JPEG");
    big_jpeg[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xDC, 0xFF, 0xDC]); // 65500 x 65500
    let inspection = inspect("bomb.jpg", &big_jpeg);
    assert!(codes(&inspection).contains(&FindingCode::Unreadable), "{:?}", inspection.findings);

    // A real 9000x9000 grey PNG that compresses to almost nothing: within the pixel limit, so
    // decoded, under the decoder's allocation limit.
    let zeros = vec![0u8; 9000 * 9000];
    let mut compressed_bomb = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut compressed_bomb,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::NoFilter,
    )
    .write_image(&zeros, 9000, 9000, image::ExtendedColorType::L8)
    .unwrap();
    drop(zeros);
    assert!(compressed_bomb.len() < 2 * 1024 * 1024, "{} bytes", compressed_bomb.len());
    let inspection = inspect("flat.png", &compressed_bomb);
    assert!(inspection.error.is_none(), "{:?}", inspection.error);
    assert!(codes(&inspection).contains(&FindingCode::TooDark));

    // The same file with a decode limit below its 81 MB of pixels is refused.
    let tight = Thresholds { max_decode_bytes: 32 * 1024 * 1024, ..Thresholds::default() };
    let inspection = evidence::Inspector::new(&tight).at(now()).bytes("flat.png", "flat.png", &compressed_bomb);
    assert_eq!(codes(&inspection)[0], FindingCode::Unreadable);
    assert!(inspection.error.as_deref().unwrap().contains("32 MiB"), "{:?}", inspection.error);

    if let Some(peak) = peak_memory_bytes() {
        eprintln!("peak resident memory of the test process: {} MiB", peak / (1024 * 1024));
        assert!(peak < 1024 * 1024 * 1024, "peak {peak} bytes");
    }
}
