//! Agreement with ExifTool on the real-file corpus `../shared/corpus/exif-real` (80 files,
//! ExifTool 12.57's reading in `reference.json`), by the rules of the corpus README:
//! - `match`: the reader succeeds and agrees (position within 1e-6°, timestamps exactly,
//!   make/model/software, orientation, GPS altitude/HPE/date/time, image size); where
//!   ExifTool found no metadata, the reader reports none;
//! - `match_or_error`: agree, or a clean "damaged" result;
//! - `match_or_none`: agree, or no metadata (or damaged);
//! - `error_or_none`: damaged or no metadata;
//! - `no_crash`: anything but a panic or a hang.
//!
//! Every file also goes through the whole `inspect` (decode and findings included) in its own
//! thread with a 10 s limit. The corpus lives outside the repository; `INTAKE_CORPUS_DIR`
//! points elsewhere. A missing corpus fails the test: it must never pass by skipping.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use intake_core::evidence::metadata::{self, CaptureMetadata, MediaMetadata, MetadataOrigin, MetadataReading};
use intake_core::evidence::{self, FileInspection, Thresholds};
use serde_json::Value;

const PER_FILE_LIMIT: Duration = Duration::from_secs(10);
const DEGREES: f64 = 1e-6;

fn corpus_dir() -> PathBuf {
    match std::env::var_os("INTAKE_CORPUS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/exif-real"),
    }
}

struct Mismatch {
    file: String,
    field: &'static str,
    ours: String,
    exiftool: String,
}

#[derive(Default)]
struct Tally {
    found: usize,
    not_found: usize,
    damaged: usize,
    unreadable: usize,
}

#[test]
fn every_corpus_file_agrees_with_exiftool_or_fails_cleanly() {
    let dir = corpus_dir();
    let reference_path = dir.join("reference.json");
    let reference = std::fs::read_to_string(&reference_path).unwrap_or_else(|err| {
        panic!("the EXIF corpus is needed: {} ({err}); set INTAKE_CORPUS_DIR to its folder", reference_path.display())
    });
    let reference: Value = serde_json::from_str(&reference).expect("reference.json is JSON");
    let entries = reference["files"].as_array().expect("reference.json has files");
    assert_eq!(entries.len(), 80, "the corpus README describes 80 files");

    let mut mismatches = Vec::new();
    let mut tally = Tally::default();
    for entry in entries {
        let name = entry["file"].as_str().unwrap().to_string();
        let path = dir.join("files").join(&name);
        let (sender, receiver) = mpsc::channel();
        let thread_path = path.clone();
        std::thread::spawn(move || {
            let bytes = std::fs::read(&thread_path).expect("corpus files are readable");
            let metadata = metadata::read_metadata(&bytes);
            let inspection = evidence::Inspector::new(&Thresholds::default()).file(&thread_path);
            let _ = sender.send((metadata, inspection));
        });
        let (metadata, inspection) = match receiver.recv_timeout(PER_FILE_LIMIT) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                mismatches.push(mismatch(&name, "outcome", "no answer within 10 s (hang)", ""));
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                mismatches.push(mismatch(&name, "outcome", "panicked", ""));
                continue;
            }
        };
        match &metadata.reading {
            MetadataReading::Found(_) => tally.found += 1,
            MetadataReading::NotFound => tally.not_found += 1,
            MetadataReading::Damaged(_) => tally.damaged += 1,
        }
        if inspection.error.is_some() {
            tally.unreadable += 1;
        }
        check_inspection_is_consistent(&name, &metadata, &inspection, &mut mismatches);
        check_readable_images_are_not_called_unreadable(&name, entry, &inspection, &mut mismatches);
        check_entry(&name, entry, &metadata, &mut mismatches);
    }

    eprintln!(
        "exif-real: {} with metadata, {} without, {} damaged; {} unreadable by inspect",
        tally.found, tally.not_found, tally.damaged, tally.unreadable
    );
    if !mismatches.is_empty() {
        let mut table = String::from("| file | field | ours | ExifTool |\n|---|---|---|---|\n");
        for item in &mismatches {
            let _ = writeln!(table, "| {} | {} | {} | {} |", item.file, item.field, item.ours, item.exiftool);
        }
        panic!("{} disagreements with ExifTool:\n{table}", mismatches.len());
    }
}

fn mismatch(file: &str, field: &'static str, ours: impl Into<String>, exiftool: impl Into<String>) -> Mismatch {
    Mismatch { file: file.to_string(), field, ours: ours.into(), exiftool: exiftool.into() }
}

/// The inspection reports what the reader read.
fn check_inspection_is_consistent(
    name: &str,
    metadata: &MediaMetadata,
    inspection: &FileInspection,
    mismatches: &mut Vec<Mismatch>,
) {
    if inspection.exif.is_some() != metadata.reading.found().is_some() {
        mismatches.push(mismatch(name, "inspect.exif", format!("{:?}", inspection.exif.is_some()), "as read"));
    }
    let unreadable = inspection.findings.iter().any(|finding| finding.code == evidence::FindingCode::Unreadable);
    if unreadable != inspection.error.is_some() {
        mismatches.push(mismatch(name, "inspect.error", format!("{:?}", inspection.error), "iff unreadable"));
    }
}

/// Files whose pixels are damaged in a way ExifTool does not look at, so that it reports
/// their size while they are rightly `unreadable`.
const KNOWN_DAMAGED_PIXELS: &[(&str, &str)] = &[
    ("vivo-x90-png-exif-chunk.png", "the IHDR checksum is zero (a made-up test file)"),
    ("vivo-x90-png-legacy-raw-profile.png", "the IHDR checksum is zero (a made-up test file)"),
];

/// A file ExifTool reads as an image (it reports a size, and no error) is not `unreadable`,
/// unless it is one of [`KNOWN_DAMAGED_PIXELS`].
fn check_readable_images_are_not_called_unreadable(
    name: &str,
    entry: &Value,
    inspection: &FileInspection,
    mismatches: &mut Vec<Mismatch>,
) {
    let exiftool_reads_it = entry["image_width"].is_u64() && entry["exiftool_error"].is_null();
    let expected_readable = matches!(entry["expect"].as_str(), Some("match" | "match_or_error" | "match_or_none"));
    let known_damaged = KNOWN_DAMAGED_PIXELS.iter().any(|(file, _)| *file == name);
    if exiftool_reads_it && expected_readable && !known_damaged && inspection.error.is_some() {
        mismatches.push(mismatch(name, "inspect: unreadable", format!("{:?}", inspection.error), "a readable image"));
    }
    if known_damaged && inspection.error.is_none() {
        mismatches.push(mismatch(name, "inspect: unreadable", "readable", "damaged pixels"));
    }
}

fn check_entry(name: &str, entry: &Value, metadata: &MediaMetadata, mismatches: &mut Vec<Mismatch>) {
    let expect = entry["expect"].as_str().unwrap();
    let origin = entry["metadata_origin"].as_str();
    let reading = &metadata.reading;
    match expect {
        "no_crash" => {}
        "error_or_none" => {
            if let MetadataReading::Found(found) = reading {
                mismatches.push(mismatch(name, "outcome", format!("metadata found: {found:?}"), "error or none"));
            }
        }
        "match" | "match_or_error" | "match_or_none" => match (reading, origin) {
            (MetadataReading::Found(found), Some(_)) => compare_values(name, entry, metadata, found, mismatches),
            (MetadataReading::Found(found), None) => {
                mismatches.push(mismatch(name, "outcome", format!("metadata found: {found:?}"), "no metadata"))
            }
            (MetadataReading::NotFound, None) => compare_size(name, entry, metadata, mismatches),
            (MetadataReading::Damaged(_), _) if expect != "match" => {}
            (MetadataReading::NotFound, Some(_)) if expect == "match_or_none" => {}
            (other, _) => {
                mismatches.push(mismatch(name, "outcome", format!("{other:?}"), format!("{expect}, origin {origin:?}")))
            }
        },
        other => panic!("unknown expectation {other} for {name}"),
    }
}

fn compare_values(
    name: &str,
    entry: &Value,
    metadata: &MediaMetadata,
    found: &CaptureMetadata,
    mismatches: &mut Vec<Mismatch>,
) {
    let mut check = Checker { name, entry, mismatches };
    check.text("make", &found.make);
    check.text("model", &found.model);
    check.text("software", &found.software);
    check.number("gps_latitude", found.gps.latitude);
    check.number("gps_longitude", found.gps.longitude);

    match found.origin {
        MetadataOrigin::Exif => {
            check.text("datetime_original", &found.datetime_original);
            check.text("offset_time_original", &found.offset_time_original);
            check.text("offset_time", &found.offset_time);
            check.text("offset_time_digitized", &found.offset_time_digitized);
            check.text("create_date", &found.create_date);
            check.text("modify_date", &found.modify_date);
            check.text("gps_datestamp", &found.gps.datestamp);
            check.number("gps_altitude_raw", found.gps.altitude_raw);
            check.number("gps_altitude_ref", found.gps.altitude_ref.map(f64::from));
            check.number("gps_h_positioning_error", found.gps.h_positioning_error_m);
            check.number("orientation", found.orientation.map(f64::from));
            // ExifTool's signed altitude needs AltitudeRef; ours then treats the missing ref as
            // "above sea level" (the EXIF default), so it must equal the raw value.
            match entry["gps_altitude"].as_f64() {
                Some(_) => check.number("gps_altitude", found.gps.altitude_m()),
                None if found.gps.altitude_m() != found.gps.altitude_raw => {
                    check.report("gps_altitude (no ref)", format!("{:?}", found.gps.altitude_m()), "= raw".into())
                }
                None => {}
            }
            let theirs_time = entry["gps_timestamp"].as_str().map(parse_exiftool_time);
            let ours_time = found.gps.timestamp.map(|time| (time.hour, time.minute, time.second));
            let agree = match (ours_time, theirs_time) {
                (Some(ours), Some(Some(theirs))) => {
                    ours.0 == theirs.0 && ours.1 == theirs.1 && (ours.2 - theirs.2).abs() <= 1e-6
                }
                (None, None) => true,
                _ => false,
            };
            if !agree {
                check.report("gps_timestamp", format!("{ours_time:?}"), entry["gps_timestamp"].to_string());
            }
            if found.gps.present != entry["gps_ifd_present"].as_bool().unwrap_or(false) {
                check.report("gps_ifd_present", found.gps.present.to_string(), entry["gps_ifd_present"].to_string());
            }
        }
        MetadataOrigin::QuickTime => {
            // A movie's creation date: Keys:CreationDate with its offset, else the movie
            // header's time, which is UTC.
            let theirs = exiftool_text(&entry["quicktime_creation_date"])
                .or_else(|| exiftool_text(&entry["create_date"]).map(|utc| format!("{utc}+00:00")));
            let ours = found
                .datetime_original
                .as_ref()
                .map(|local| format!("{local}{}", found.offset_time_original.clone().unwrap_or_default()));
            if ours != theirs {
                check.report("quicktime creation date", format!("{ours:?}"), format!("{theirs:?}"));
            }
            check.number("gps_altitude", found.gps.altitude_m());
        }
    }
    compare_size(name, entry, metadata, mismatches);
}

/// Compares one reference entry field by field.
struct Checker<'a> {
    name: &'a str,
    entry: &'a Value,
    mismatches: &'a mut Vec<Mismatch>,
}

impl Checker<'_> {
    fn report(&mut self, field: &'static str, ours: String, exiftool: String) {
        self.mismatches.push(mismatch(self.name, field, ours, exiftool));
    }

    /// Strings compare exactly (the reader already cut at NUL and trimmed where ExifTool does).
    fn text(&mut self, field: &'static str, ours: &Option<String>) {
        let theirs = exiftool_text(&self.entry[field]);
        if *ours != theirs {
            self.report(field, format!("{ours:?}"), format!("{theirs:?}"));
        }
    }

    /// Numbers within 1e-6 (degrees, metres, or exact small integers).
    fn number(&mut self, field: &'static str, ours: Option<f64>) {
        let theirs = self.entry[field].as_f64();
        let agree = match (ours, theirs) {
            (Some(ours), Some(theirs)) => (ours - theirs).abs() <= DEGREES,
            (None, None) => true,
            _ => false,
        };
        if !agree {
            self.report(field, format!("{ours:?}"), format!("{theirs:?}"));
        }
    }
}

fn compare_size(name: &str, entry: &Value, metadata: &MediaMetadata, mismatches: &mut Vec<Mismatch>) {
    let theirs = (entry["image_width"].as_u64(), entry["image_height"].as_u64());
    let ours = (metadata.width.map(u64::from), metadata.height.map(u64::from));
    if ours != theirs {
        mismatches.push(mismatch(name, "image size", format!("{ours:?}"), format!("{theirs:?}")));
    }
}

/// ExifTool's JSON writes numeric-looking strings (Software `12.4`) as numbers.
fn exiftool_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// `HH:MM:SS[.frac]` as numbers.
fn parse_exiftool_time(text: &str) -> Option<(f64, f64, f64)> {
    let mut parts = text.split(':').map(|part| part.parse::<f64>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}
