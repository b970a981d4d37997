//! The submission package, end to end: packed twice it is the same bytes; tools we did not
//! write accept it (Library of Congress `bagit.py`, `bagit-profile`, OpenSSL, Python
//! `jsonschema`); `verify` accepts it and catches every one of many seeded random damages;
//! incomplete cases are refused unless allowed; the zip safety checks refuse hostile archives.
//!
//! The Python checkers live in the repository's `.venv` (made by `scripts/install-deps.sh`).
//! When a tool is missing these tests fail and say how to install it: a skipped check is a
//! check that cannot fail.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use exif::{Field, In, Rational, Tag, Value};
use image::{ImageEncoder, RgbImage};
use intake_core::case::{CaseAttributes, Datum, NewCase, Site};
use intake_core::package::trust;
use intake_core::package::verify::{self, VerifyOptions, VerifyReport};
use intake_core::package::{ExportOptions, ExportPhase, ExportProgress, layout};
use intake_core::settings::SettingsChange;
use intake_core::{DataFolder, ErrorKind};

// ── fixtures ──────────────────────────────────────────────────────────────────────────────

pub const SITE_LAT: f64 = 31.2304;
pub const SITE_LON: f64 = 121.4737;

/// Materials photographed on site (JPEG with EXIF position and time); the others are scans
/// and screenshots (PNG).
const SITE_PHOTOS: &[&str] = &[
    "storefront_photo",
    "interior_photo",
    "operator_holding_id",
    "operator_with_storefront",
    "manager_with_storefront",
    "manager_with_legal_rep",
];

pub(crate) struct Fixture {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) folder: DataFolder,
    pub(crate) case_id: String,
    seed: u32,
}

/// A sharp test card, different for every seed.
pub(crate) fn test_card(seed: u32, width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let cell = (x / 8) * 31 + (y / 8) * 17 + seed * 101;
        let level = 40 + (cell * 53 % 180) as u8;
        image::Rgb([level, level.wrapping_add(20), 255 - level])
    })
}

fn ascii(tag: Tag, text: &str) -> Field {
    Field { tag, ifd_num: In::PRIMARY, value: Value::Ascii(vec![text.as_bytes().to_vec()]) }
}

fn degrees(value: f64) -> Value {
    let value = value.abs();
    let whole = value.trunc();
    let minutes = ((value - whole) * 60.0).trunc();
    let seconds = ((value - whole) * 60.0 - minutes) * 60.0;
    Value::Rational(vec![
        Rational { num: whole as u32, denom: 1 },
        Rational { num: minutes as u32, denom: 1 },
        Rational { num: (seconds * 10_000.0).round() as u32, denom: 10_000 },
    ])
}

/// A phone photo taken `north_m`/`east_m` from the site at `time` (local, +08:00).
pub(crate) fn photo(seed: u32, north_m: f64, east_m: f64, time: &str) -> Vec<u8> {
    let lat = SITE_LAT + north_m / 110_574.0;
    let lon = SITE_LON + east_m / (111_320.0 * SITE_LAT.to_radians().cos());
    let fields = vec![
        ascii(Tag::Make, "Apple"),
        ascii(Tag::Model, "iPhone 13"),
        ascii(Tag::Software, "16.1"),
        ascii(Tag::DateTimeOriginal, time),
        ascii(Tag::OffsetTimeOriginal, "+08:00"),
        ascii(Tag::GPSLatitudeRef, "N"),
        Field { tag: Tag::GPSLatitude, ifd_num: In::PRIMARY, value: degrees(lat) },
        ascii(Tag::GPSLongitudeRef, "E"),
        Field { tag: Tag::GPSLongitude, ifd_num: In::PRIMARY, value: degrees(lon) },
    ];
    let card = test_card(seed, 640, 480);
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    let mut writer = exif::experimental::Writer::new();
    for field in &fields {
        writer.push_field(field);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).expect("EXIF encodes");
    encoder.set_exif_metadata(tiff.into_inner()).unwrap();
    encoder.write_image(card.as_raw(), card.width(), card.height(), image::ExtendedColorType::Rgb8).unwrap();
    out
}

/// A scan or screenshot.
pub(crate) fn scan(seed: u32) -> Vec<u8> {
    let card = test_card(seed, 320, 240);
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(card.as_raw(), card.width(), card.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

impl Fixture {
    /// Verifying as the installation that packed: trusting this data folder's own key.
    pub(crate) fn trusting_own_key(&self) -> VerifyOptions {
        let fingerprint = self.folder.signing_key_fingerprint().unwrap().expect("the folder has signed a package");
        VerifyOptions::trusting(vec![intake_core::package::trust::data_folder_key(self.folder.root(), &fingerprint)])
    }

    /// A case that opens payment products, with the branch and manager set, and nothing added.
    pub(crate) fn empty_case() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
        folder
            .change_settings(SettingsChange {
                branch: Some("上海分公司".into()),
                manager_name: Some("张三".into()),
                ..SettingsChange::default()
            })
            .unwrap();
        let case = folder
            .create_case(NewCase {
                merchant_name: "沪上小面馆".into(),
                attributes: CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
                visit_date: Some(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()),
                site: Some(Site { lat: SITE_LAT, lon: SITE_LON, datum: Datum::Wgs84, radius_m: Some(200.0) }),
            })
            .unwrap();
        Fixture { dir, folder, case_id: case.id, seed: 0 }
    }

    /// A case with every required material (files, attestations) and field.
    pub(crate) fn complete_case() -> Fixture {
        let mut fixture = Fixture::empty_case();
        let checklist = fixture.folder.case_checklist(&fixture.case_id).unwrap();
        for item in checklist.items.iter().filter(|item| item.required) {
            let mut first = None;
            for _ in 0..item.min_files.max(1) {
                let id = fixture.add_generated(&item.key);
                first.get_or_insert(id);
            }
            if !item.attestations.is_empty() {
                fixture.folder.attest_file(&fixture.case_id, first.unwrap(), &item.attestations).unwrap();
            }
        }
        for (key, value) in [
            ("legal_rep_name", "李四"),
            ("legal_rep_id_number", "11010519491231002X"),
            ("legal_rep_mobile", "13912345678"),
            ("uscc", "91350100M000100Y43"),
        ] {
            fixture.folder.set_case_field(&fixture.case_id, key, value, None).unwrap();
        }
        let check = fixture.folder.check_case(&fixture.case_id).unwrap();
        assert!(!check.blocking, "the fixture case should be complete: {:#?}", check.summary);
        fixture
    }

    /// Adds a generated file to a material (a site photo or a scan, by material).
    pub(crate) fn add_generated(&mut self, material: &str) -> i64 {
        self.seed += 1;
        let seed = self.seed;
        let (name, bytes) = if SITE_PHOTOS.contains(&material) {
            let north = (seed as f64 * 37.0) % 120.0 - 60.0;
            let east = (seed as f64 * 53.0) % 100.0 - 50.0;
            let time = format!("2026:11:20 10:{:02}:{:02}", 5 + seed * 3 % 50, seed * 7 % 60);
            (format!("门头-{seed:02} IMG_{seed:04}.jpg"), photo(seed, north, east, &time))
        } else {
            (format!("扫描件 {seed:02}.png"), scan(seed))
        };
        self.add_file(material, &name, &bytes)
    }

    pub(crate) fn add_file(&mut self, material: &str, name: &str, bytes: &[u8]) -> i64 {
        let folder = self.dir.path().join("input").join(format!("{}", self.seed));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join(name);
        std::fs::write(&path, bytes).unwrap();
        let outcomes = self.folder.add_files(&self.case_id, material, &[path], |_| {}).unwrap();
        assert!(outcomes[0].error.is_none(), "{:?}", outcomes[0].error);
        outcomes[0].evidence.as_ref().unwrap().id
    }

    pub(crate) fn export(&self, name: &str, allow_incomplete: bool) -> PathBuf {
        let out = self.dir.path().join(name);
        self.folder
            .export_case(
                &self.case_id,
                &out,
                &ExportOptions {
                    allow_incomplete,
                    incomplete_reason: allow_incomplete.then(|| "测试:资料不全也导出".to_string()),
                    ..ExportOptions::default()
                },
            )
            .unwrap();
        out
    }
}

// ── tools we did not write ────────────────────────────────────────────────────────────────

pub(crate) fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// A program of the repository's Python venv; fails the test when it is missing.
pub(crate) fn venv_tool(name: &str) -> PathBuf {
    let bin = if cfg!(windows) { "Scripts" } else { "bin" };
    let path = repository_root().join(".venv").join(bin).join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/install-deps.sh (it makes .venv with bagit and jsonschema)",
        path.display()
    );
    path
}

pub(crate) fn run(command: &mut Command) -> (bool, String) {
    let output = command.output().unwrap_or_else(|err| panic!("cannot run {command:?}: {err}"));
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// Unzips with Python's `zipfile` (not our reader) into a fresh folder.
fn unzip_independently(zip: &Path, into: &Path) {
    let (ok, text) = run(Command::new(venv_tool("python")).arg("-m").arg("zipfile").arg("-e").arg(zip).arg(into));
    assert!(ok, "python -m zipfile -e failed: {text}");
}

pub(crate) fn unzipped(fixture: &Fixture, zip: &Path) -> PathBuf {
    let folder = fixture.dir.path().join("unzipped");
    let _ = std::fs::remove_dir_all(&folder);
    unzip_independently(zip, &folder);
    folder
}

// ── the package itself ───────────────────────────────────────────────────────────────────

#[test]
fn the_same_case_packed_twice_is_the_same_bytes() {
    let fixture = Fixture::complete_case();
    let first = fixture.export("first.zip", false);
    let second = fixture.export("second.zip", false);
    // A fresh open of the folder (another process) packs the same bytes too.
    let reopened = DataFolder::open(fixture.folder.root()).unwrap();
    let third = fixture.dir.path().join("third.zip");
    reopened.export_case(&fixture.case_id, &third, &ExportOptions::default()).unwrap();
    // Each export appended its own entry to the case's audit chain; the package carries the
    // chain only up to the last change of the case, so those entries do not change it.
    let chain = fixture.folder.database().audit_chain(&fixture.case_id).unwrap();
    let exports = chain.iter().rev().take_while(|entry| entry.action == "exported").count();
    assert_eq!(exports, 3, "every export is logged");
    let bytes = std::fs::read(&first).unwrap();
    assert!(bytes == std::fs::read(&second).unwrap(), "two exports differ");
    assert!(bytes == std::fs::read(&third).unwrap(), "an export from a reopened folder differs");
    // No temp file is left beside the package.
    let leftovers: Vec<_> = std::fs::read_dir(fixture.dir.path())
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn export_progress_comes_in_order_ends_at_every_file_and_does_not_change_the_bytes() {
    let fixture = Fixture::complete_case();
    let plain = fixture.export("plain.zip", false);
    let watched = fixture.dir.path().join("watched.zip");
    let mut events: Vec<ExportProgress> = Vec::new();
    fixture
        .folder
        .export_case_with_progress(&fixture.case_id, &watched, &ExportOptions::default(), &mut |progress| {
            events.push(progress.clone())
        })
        .unwrap();
    let bytes = std::fs::read(&watched).unwrap();
    assert!(bytes == std::fs::read(&plain).unwrap(), "a progress listener changed the package");

    // What the zip really holds: the counts the last report must reach.
    let entries = entries_of(&bytes);
    let content_bytes: u64 = entries.iter().map(|(_, content, _)| content.len() as u64).sum();
    let last = events.last().expect("at least one report");
    assert_eq!(last.phase, ExportPhase::Done);
    assert_eq!((last.files_done, last.files_total), (entries.len() as u32, entries.len() as u32));
    assert_eq!((last.bytes_done, last.bytes_total), (content_bytes, content_bytes));

    let phases: Vec<ExportPhase> = events.iter().map(|event| event.phase).fold(Vec::new(), |mut seen, phase| {
        if seen.last() != Some(&phase) {
            seen.push(phase);
        }
        seen
    });
    use ExportPhase::*;
    assert_eq!(phases, [Checking, Signing, Writing, Finishing, Done], "phases out of order: {events:#?}");
    for pair in events.windows(2) {
        assert!(pair[0].files_done <= pair[1].files_done && pair[0].bytes_done <= pair[1].bytes_done, "{pair:#?}");
        assert!(pair[1].files_done <= pair[1].files_total && pair[1].bytes_done <= pair[1].bytes_total, "{pair:#?}");
    }
    assert!(events.iter().all(|event| event.case_id == fixture.case_id));
    // One report per file written, so a bar moves through every count from 0 to N.
    let written: Vec<u32> =
        events.iter().filter(|event| event.phase == Writing).map(|event| event.files_done).collect();
    let mut counts = written.clone();
    counts.dedup();
    assert_eq!(counts, (0..=entries.len() as u32).collect::<Vec<_>>(), "{written:?}");
}

#[test]
fn entries_are_sorted_dated_by_the_case_and_media_is_stored() {
    let fixture = Fixture::complete_case();
    let zip = fixture.export("case.zip", false);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let names: Vec<String> = archive.file_names().map(|name| name.unwrap().to_string()).collect();
    let mut in_file_order = Vec::new();
    let mut times = Vec::new();
    for index in 0..archive.len() {
        let entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let stored = entry.compression() == zip::CompressionMethod::Stored;
        let media = name.ends_with(".jpg") || name.ends_with(".png");
        assert_eq!(stored, media, "{name}: media stored, text deflated");
        in_file_order.push(name);
        times.push(entry.last_modified().unwrap());
    }
    assert!(
        times.windows(2).all(|pair| pair[0] == pair[1]),
        "every entry carries the same time: the case's last change"
    );
    let mut sorted = in_file_order.clone();
    sorted.sort();
    assert_eq!(in_file_order, sorted, "entries are in byte order of their names");
    assert!(names.iter().any(|name| name.starts_with("data/payment/storefront_photo/01-门头-")), "{names:?}");
    assert!(names.iter().any(|name| name.starts_with("data/onboarding/legal_rep_id/02-")), "{names:?}");
    for required in [
        layout::BAGIT_TXT,
        layout::BAG_INFO_TXT,
        layout::MANIFEST,
        layout::TAG_MANIFEST,
        layout::PUBLIC_KEY,
        layout::SIGNATURE,
        layout::CASE_JSON,
        layout::REPORT_HTML,
    ] {
        assert!(names.iter().any(|name| name == required), "{required} missing from {names:?}");
    }
}

#[test]
fn bagit_py_validates_the_unzipped_package() {
    let fixture = Fixture::complete_case();
    let zip = fixture.export("case.zip", false);
    let folder = unzipped(&fixture, &zip);
    let (ok, text) = run(Command::new(venv_tool("python")).arg(venv_tool("bagit.py")).arg("--validate").arg(&folder));
    assert!(ok && text.contains("is valid"), "bagit.py --validate refused the package:\n{text}");
    let bag_info = std::fs::read_to_string(folder.join("bag-info.txt")).unwrap();
    for line in [
        "Source-Organization: 上海分公司",
        "Contact-Name: 张三",
        "Intake-Allow-Incomplete: false",
        "Intake-Complete: true",
    ] {
        assert!(bag_info.contains(line), "{line} not in bag-info.txt:\n{bag_info}");
    }
    assert!(bag_info.contains(&format!("External-Identifier: {}", fixture.case_id)));
    assert!(bag_info.contains("BagIt-Profile-Identifier: urn:x-merchant-intake:bagit-profile:v1"));

    // And bagit.py notices damage, so the check above can fail.
    let victim =
        walk(&folder.join("data")).into_iter().find(|path| path.extension().is_some_and(|ext| ext == "jpg")).unwrap();
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[1000] ^= 0x40;
    std::fs::write(&victim, bytes).unwrap();
    let (ok, text) = run(Command::new(venv_tool("python")).arg(venv_tool("bagit.py")).arg("--validate").arg(&folder));
    assert!(!ok, "bagit.py accepted a damaged bag:\n{text}");
}

fn walk(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { found.extend(walk(&path)) } else { found.push(path) }
    }
    found.sort();
    found
}

#[test]
fn openssl_verifies_the_sm2_signature() {
    let fixture = Fixture::complete_case();
    let zip = fixture.export("case.zip", false);
    let folder = unzipped(&fixture, &zip);
    let verify = |tag_manifest: &Path| {
        run(Command::new("openssl")
            .args(["dgst", "-sm3", "-verify"])
            .arg(folder.join(layout::PUBLIC_KEY))
            .args(["-sigopt", "distid:1234567812345678", "-signature"])
            .arg(folder.join(layout::SIGNATURE))
            .arg(tag_manifest))
    };
    let (ok, text) = verify(&folder.join(layout::TAG_MANIFEST));
    assert!(ok && text.contains("Verified OK"), "openssl refused the signature (is OpenSSL 3 installed?):\n{text}");
    // The same check fails on other bytes, so it can fail.
    let changed = folder.join("changed.txt");
    let mut bytes = std::fs::read(folder.join(layout::TAG_MANIFEST)).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&changed, bytes).unwrap();
    let (ok, text) = verify(&changed);
    assert!(!ok, "openssl accepted a changed tag manifest: {text}");
    // The public key's fingerprint is SHA-256 of its DER form, as OpenSSL computes it.
    let (ok, der) = {
        let output = Command::new("openssl")
            .args(["pkey", "-pubin", "-outform", "DER", "-in"])
            .arg(folder.join(layout::PUBLIC_KEY))
            .output()
            .unwrap();
        (output.status.success(), output.stdout)
    };
    assert!(ok);
    use sha2::Digest;
    let fingerprint: String = sha2::Sha256::digest(&der).iter().map(|byte| format!("{byte:02x}")).collect();
    assert_eq!(fingerprint, fixture.folder.installation_key().unwrap().fingerprint());
}

#[test]
fn python_jsonschema_accepts_case_json_and_the_schema() {
    let fixture = Fixture::complete_case();
    let zip = fixture.export("case.zip", false);
    let folder = unzipped(&fixture, &zip);
    let schema = repository_root().join("assets/schemas/case.v5.schema.json");
    let script = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
document = json.load(open(sys.argv[2], encoding="utf-8"))
errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
for error in errors:
    print("/".join(map(str, error.absolute_path)), error.message)
document["files"][0]["sha256"] = "not a hash"
document["checklist"]["items"][0]["status"] = "fine"
broken = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
print("errors", len(errors), "broken", len(broken))
sys.exit(1 if errors or len(broken) < 2 else 0)
"#;
    let (ok, text) =
        run(Command::new(venv_tool("python")).arg("-c").arg(script).arg(&schema).arg(folder.join("data/case.json")));
    assert!(ok, "jsonschema refused case.json (or accepted a broken one):\n{text}");

    // What case.json says about the case.
    let document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("data/case.json")).unwrap()).unwrap();
    assert_eq!(document["schema"], "urn:x-merchant-intake:schema:case:v5");
    assert_eq!(document["case"]["id"], fixture.case_id.as_str());
    assert_eq!(document["package"]["complete"], true);
    let items = document["checklist"]["items"].as_array().unwrap();
    let form = items.iter().find(|item| item["key"] == "site_inspection_form").unwrap();
    assert_eq!(form["status"], "ok");
    assert_eq!(form["attestations_required"], serde_json::json!(["manager_signature", "branch_stamp"]));
    let files = document["files"].as_array().unwrap();
    let storefront = files.iter().find(|file| file["material"] == "storefront_photo").unwrap();
    assert!(storefront["facts"]["exif"]["gps"]["lat"].as_f64().is_some());
    assert!(storefront["facts"]["distance_to_site_m"].as_f64().unwrap() < 200.0);
    let attested = files.iter().find(|file| file["material"] == "site_inspection_form").unwrap();
    assert_eq!(attested["attestation"]["marks"], serde_json::json!(["manager_signature", "branch_stamp"]));
}

#[test]
fn verify_accepts_a_fresh_package_and_the_rust_schema_check_agrees() {
    let fixture = Fixture::complete_case();
    let zip = fixture.export("case.zip", false);
    let untrusted = verify::verify_package(&zip, &VerifyOptions::default()).unwrap();
    assert!(!untrusted.valid && untrusted.signature_valid, "no trusted key given: a good signature is not enough");
    assert_eq!(codes(&untrusted), vec!["signer_untrusted"]);
    let report = verify::verify_package(&zip, &fixture.trusting_own_key()).unwrap();
    assert!(report.valid, "{:#?}", report.problems);
    assert!(report.signature_valid);
    assert_eq!(report.case_id.as_deref(), Some(fixture.case_id.as_str()));
    assert_eq!(report.complete, Some(true));
    let fingerprint = fixture.folder.installation_key().unwrap().fingerprint().to_string();
    assert_eq!(report.public_key_sha256.as_deref(), Some(fingerprint.as_str()));
    let expected = VerifyOptions::trusting(vec![trust::expected_key(&fingerprint.to_uppercase()).unwrap()]);
    assert!(verify::verify_package(&zip, &expected).unwrap().valid);
    let other = VerifyOptions::trusting(vec![trust::expected_key(&"00".repeat(32)).unwrap()]);
    assert_eq!(codes(&verify::verify_package(&zip, &other).unwrap()), vec!["signer_untrusted"]);
}

/// Lower-case hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

pub(crate) fn codes(report: &VerifyReport) -> Vec<&str> {
    report.problems.iter().map(|problem| problem.code.as_str()).collect()
}

// ── incomplete cases ─────────────────────────────────────────────────────────────────────

#[test]
fn an_incomplete_case_is_refused_unless_allowed_and_then_says_so() {
    let mut fixture = Fixture::empty_case();
    fixture.add_generated("storefront_photo");
    let out = fixture.dir.path().join("refused.zip");
    let err = fixture.folder.export_case(&fixture.case_id, &out, &ExportOptions::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CaseIncomplete);
    assert!(
        err.message().contains("interior_photo") && err.message().contains("--allow-incomplete"),
        "{}",
        err.message()
    );
    assert!(!out.exists(), "nothing is written when refused");

    let zip = fixture.export("allowed.zip", true);
    let report = verify::verify_package(&zip, &fixture.trusting_own_key()).unwrap();
    assert!(report.valid, "{:#?}", report.problems);
    assert_eq!((report.complete, report.allow_incomplete), (Some(false), Some(true)));
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let read = |archive: &mut zip::ZipArchive<std::fs::File>, name: &str| {
        let mut text = String::new();
        archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
        text
    };
    assert!(read(&mut archive, layout::BAG_INFO_TXT).contains("Intake-Allow-Incomplete: true"));
    let report_html = read(&mut archive, layout::REPORT_HTML);
    assert!(report_html.contains("资料不完整") && report_html.contains("--allow-incomplete"));
    let document: serde_json::Value = serde_json::from_str(&read(&mut archive, layout::CASE_JSON)).unwrap();
    assert_eq!(document["package"]["complete"], false);
    assert!(
        document["package"]["incomplete_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|reason| reason.as_str().unwrap().contains("interior_photo"))
    );
}

#[test]
fn an_error_finding_blocks_export_like_a_missing_material() {
    let mut fixture = Fixture::complete_case();
    // A storefront photo taken a kilometre away: `outside_site_radius`, an error.
    let far = photo(999, 1000.0, 0.0, "2026:11:20 11:00:00");
    fixture.add_file("storefront_photo", "far away.jpg", &far);
    let err = fixture
        .folder
        .export_case(&fixture.case_id, &fixture.dir.path().join("x.zip"), &ExportOptions::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CaseIncomplete);
    assert!(err.message().contains("error finding"), "{}", err.message());
}

#[test]
fn export_needs_the_branch_and_the_manager() {
    let dir = tempfile::tempdir().unwrap();
    let mut folder = DataFolder::open(&dir.path().join("home")).unwrap();
    let case = folder
        .create_case(NewCase {
            merchant_name: "x".into(),
            attributes: CaseAttributes::default(),
            visit_date: None,
            site: None,
        })
        .unwrap();
    let err = folder
        .export_case(
            &case.id,
            &dir.path().join("x.zip"),
            &ExportOptions {
                allow_incomplete: true,
                incomplete_reason: Some("测试".into()),
                ..ExportOptions::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("intake settings"), "{}", err.message());
}

#[test]
fn a_package_is_never_written_inside_the_data_folder() {
    let fixture = Fixture::complete_case();
    let root = fixture.folder.root().to_path_buf();
    let database = root.join("intake.sqlite3");
    let database_before = std::fs::read(&database).unwrap();
    let options = ExportOptions::default();
    // The database itself, a name in the folder, and a path into it by way of `..`.
    for out in [database.clone(), root.join("case.zip"), root.join("vault").join("..").join("keys").join("x.zip")] {
        let err = fixture.folder.export_case(&fixture.case_id, &out, &options).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{}", err.message());
        assert!(err.message().contains("inside the data folder"), "{}", err.message());
    }
    assert_eq!(std::fs::read(&database).unwrap(), database_before, "the database is untouched");
    assert!(!root.join("case.zip").exists());
    assert_eq!(fixture.folder.list_cases().unwrap().len(), 1, "the case is still there");

    // The plain copy of a queued package (the app's 另存为…) is refused the same way.
    let queued = fixture.folder.export_to_outbox(&fixture.case_id, &options).unwrap();
    let err = fixture.folder.save_plain_copy(&queued.sha256, &root.join("copy.zip")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{}", err.message());
    // Beside the folder is fine: only inside it is refused.
    let beside = fixture.dir.path().join("home-copy.zip");
    fixture.folder.save_plain_copy(&queued.sha256, &beside).unwrap();
    fixture.folder.export_case(&fixture.case_id, &fixture.dir.path().join("home.zip"), &options).unwrap();
}

#[test]
fn a_vault_object_that_changed_stops_the_export_and_leaves_nothing() {
    let mut fixture = Fixture::complete_case();
    let id = fixture.add_generated("supporting_evidence");
    let record =
        fixture.folder.case_evidence(&fixture.case_id).unwrap().into_iter().find(|record| record.id == id).unwrap();
    let object = fixture.folder.vault().object_path(&record.sha256);
    let mut bytes = std::fs::read(&object).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xFF;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&object, std::fs::Permissions::from_mode(0o644));
    }
    std::fs::write(&object, bytes).unwrap();
    let out = fixture.dir.path().join("x.zip");
    let err = fixture
        .folder
        .export_case(
            &fixture.case_id,
            &out,
            &ExportOptions {
                allow_incomplete: true,
                incomplete_reason: Some("测试".into()),
                ..ExportOptions::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::VaultCorrupt, "{}", err.message());
    assert!(!out.exists());
    assert!(
        std::fs::read_dir(fixture.dir.path()).unwrap().all(|entry| !entry
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".part"))
    );
}

// ── damage ───────────────────────────────────────────────────────────────────────────────

/// A small deterministic generator (xorshift64*), so that every run makes the same damages.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// The entries of a package: name → (bytes, stored?), in file order.
pub(crate) fn entries_of(zip: &[u8]) -> Vec<(String, Vec<u8>, bool)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index(index).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().unwrap().to_string(), bytes, entry.compression() == zip::CompressionMethod::Stored)
        })
        .collect()
}

/// Writes entries as the packer does (same options), so a re-packed package is well formed
/// and only its content is damaged.
pub(crate) fn repack(entries: &[(String, Vec<u8>, bool)], time: zip::DateTime) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes, stored) in entries {
        let options = zip::write::SimpleFileOptions::default()
            .last_modified_time(time)
            .unix_permissions(0o644)
            .system(zip::System::Unix);
        let options = if *stored {
            options.compression_method(zip::CompressionMethod::Stored)
        } else {
            options.compression_method(zip::CompressionMethod::Deflated).compression_level(Some(6))
        };
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

pub(crate) fn zip_time_of(zip: &[u8]) -> zip::DateTime {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    archive.by_index(0).unwrap().last_modified().unwrap()
}

/// The damages, by kind. Each returns the damaged package and a description.
fn damage(
    original: &[u8],
    random: &mut Random,
    other_key: &intake_core::signing::InstallationKey,
) -> (Vec<u8>, String) {
    let entries = entries_of(original);
    let time = zip_time_of(original);
    let pick = |random: &mut Random| random.below(entries.len());
    match random.below(11) {
        0 | 1 => {
            // Flip bits of a byte anywhere in the file.
            let mut bytes = original.to_vec();
            let at = random.below(bytes.len());
            bytes[at] ^= (1 + random.below(255)) as u8;
            (bytes, format!("flipped byte {at}"))
        }
        2 => {
            // Flip bits in the last 2 KiB: headers, central directory, end record.
            let mut bytes = original.to_vec();
            let at = bytes.len() - 1 - random.below(2048.min(bytes.len()));
            bytes[at] ^= (1 + random.below(255)) as u8;
            (bytes, format!("flipped structure byte {at}"))
        }
        3 => {
            // Rename an entry (a well-formed zip otherwise).
            let mut changed = entries.clone();
            let index = pick(random);
            let name = &mut changed[index].0;
            let renamed = match random.below(3) {
                0 => format!("{name}.bak"),
                1 => name.replacen("data/", "data/x", 1),
                _ => name.replace(|c: char| c.is_ascii_digit(), "9"),
            };
            let description = format!("renamed {name} to {renamed}");
            if renamed == *name {
                changed[index].0 = format!("{renamed}~");
            } else {
                *name = renamed;
            }
            (repack(&changed, time), description)
        }
        4 => {
            // Add a file.
            let mut changed = entries.clone();
            let name = match random.below(3) {
                0 => "data/payment/storefront_photo/99-extra.jpg".to_string(),
                1 => "notes.txt".to_string(),
                _ => format!("{}-copy", entries[pick(random)].0),
            };
            changed.push((name.clone(), b"added later".to_vec(), false));
            changed.sort_by(|a, b| a.0.cmp(&b.0));
            (repack(&changed, time), format!("added {name}"))
        }
        5 => {
            // Remove a file.
            let mut changed = entries.clone();
            let removed = changed.remove(pick(random)).0;
            (repack(&changed, time), format!("removed {removed}"))
        }
        6 => {
            // Edit case.json (a value, or a character of the text).
            let mut changed = entries.clone();
            let index = changed.iter().position(|entry| entry.0 == layout::CASE_JSON).unwrap();
            let text = String::from_utf8(changed[index].1.clone()).unwrap();
            let edited = match random.below(4) {
                0 => text.replacen("\"complete\": true", "\"complete\": false", 1),
                1 => text.replacen("沪上小面馆", "沪上大面馆", 1),
                2 => text.replacen("\"status\": \"missing\"", "\"status\": \"ok\"", 1).replacen(
                    "\"status\": \"not_applicable\"",
                    "\"status\": \"ok\"",
                    1,
                ),
                _ => {
                    let mut bytes = text.into_bytes();
                    let at = random.below(bytes.len());
                    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
                    String::from_utf8_lossy(&bytes).into_owned()
                }
            };
            changed[index].1 = edited.into_bytes();
            (repack(&changed, time), "edited case.json".into())
        }
        7 => {
            // Edit case.json and bring the manifests up to date, without the key.
            let mut changed = entries.clone();
            let index = changed.iter().position(|entry| entry.0 == layout::CASE_JSON).unwrap();
            let text = String::from_utf8(changed[index].1.clone()).unwrap().replacen("沪上小面馆", "别家小面馆", 1);
            changed[index].1 = text.into_bytes();
            rehash_manifests(&mut changed);
            (repack(&changed, time), "edited case.json and re-hashed the manifests".into())
        }
        8 => {
            // Swap the public key for another installation's.
            let mut changed = entries.clone();
            let index = changed.iter().position(|entry| entry.0 == layout::PUBLIC_KEY).unwrap();
            changed[index].1 = other_key.public_key_pem().as_bytes().to_vec();
            if random.below(2) == 0 {
                rehash_manifests(&mut changed);
            }
            (repack(&changed, time), "swapped the public key".into())
        }
        9 => {
            // Swap the signature: another key's over the same bytes, or a signature of other bytes.
            let mut changed = entries.clone();
            let tag_manifest = changed.iter().find(|entry| entry.0 == layout::TAG_MANIFEST).unwrap().1.clone();
            let index = changed.iter().position(|entry| entry.0 == layout::SIGNATURE).unwrap();
            changed[index].1 =
                if random.below(2) == 0 { other_key.sign(&tag_manifest) } else { other_key.sign(b"something else") };
            (repack(&changed, time), "swapped the signature".into())
        }
        _ => {
            // Cut the file short, or add bytes at its end.
            let mut bytes = original.to_vec();
            if random.below(2) == 0 {
                let keep = random.below(bytes.len());
                bytes.truncate(keep);
                (bytes, format!("truncated to {keep} bytes"))
            } else {
                bytes.extend_from_slice(b"PK\x05\x06 trailing");
                (bytes, "appended bytes".into())
            }
        }
    }
}

/// Recomputes manifest-sha256.txt and tagmanifest-sha256.txt (the signature is left alone).
pub(crate) fn rehash_manifests(entries: &mut [(String, Vec<u8>, bool)]) {
    use sha2::Digest;
    let hex = |bytes: &[u8]| sha2::Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect::<String>();
    let manifest: String = entries
        .iter()
        .filter(|entry| entry.0.starts_with("data/"))
        .map(|entry| format!("{}  {}\n", hex(&entry.1), entry.0))
        .collect();
    let index = entries.iter().position(|entry| entry.0 == layout::MANIFEST).unwrap();
    entries[index].1 = manifest.into_bytes();
    let tags: BTreeMap<String, String> = entries
        .iter()
        .filter(|entry| {
            !entry.0.starts_with("data/") && entry.0 != layout::TAG_MANIFEST && entry.0 != layout::SIGNATURE
        })
        .map(|entry| (entry.0.clone(), hex(&entry.1)))
        .collect();
    let tag_manifest: String = tags.iter().map(|(name, hash)| format!("{hash}  {name}\n")).collect();
    let index = entries.iter().position(|entry| entry.0 == layout::TAG_MANIFEST).unwrap();
    entries[index].1 = tag_manifest.into_bytes();
}

#[test]
fn every_one_of_many_random_damages_is_caught() {
    let fixture = Fixture::complete_case();
    let zip = fixture.export("case.zip", false);
    let original = std::fs::read(&zip).unwrap();
    let trusting = fixture.trusting_own_key();
    assert!(verify::verify_package(&zip, &trusting).unwrap().valid, "the undamaged package passes");
    let other_home = fixture.dir.path().join("other-installation");
    let (other_key, _) = intake_core::signing::InstallationKey::load_or_create(&other_home).unwrap();

    // Re-packing without a change keeps a valid package: the damages below are the only
    // reason verify refuses them.
    let repacked = repack(&entries_of(&original), zip_time_of(&original));
    assert!(repacked == original, "re-packing the entries as the packer does gives the same bytes");

    let damaged_path = fixture.dir.path().join("damaged.zip");
    let mut random = Random(0x5EED_1234_ABCD_0001);
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut missed = Vec::new();
    let rounds = 240;
    for round in 0..rounds {
        let (bytes, description) = damage(&original, &mut random, &other_key);
        if bytes == original {
            continue;
        }
        *kinds.entry(description.split_whitespace().next().unwrap().to_string()).or_default() += 1;
        std::fs::write(&damaged_path, &bytes).unwrap();
        let report = verify::verify_package(&damaged_path, &trusting).unwrap();
        if report.valid {
            missed.push(format!("round {round}: {description}"));
        }
    }
    let tried: usize = kinds.values().sum();
    assert!(tried >= 200, "only {tried} damages were tried: {kinds:?}");
    assert!(missed.is_empty(), "verify missed {} of {tried} damages: {missed:#?}", missed.len());
    eprintln!("caught all {tried} damages: {kinds:?}");
}

// ── zip safety ───────────────────────────────────────────────────────────────────────────

fn hostile_zip(build: impl FnOnce(&mut zip::ZipWriter<Cursor<Vec<u8>>>)) -> tempfile::NamedTempFile {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    build(&mut writer);
    let bytes = writer.finish().unwrap().into_inner();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(&bytes).unwrap();
    file
}

fn problems_of(file: &tempfile::NamedTempFile) -> Vec<String> {
    let report = verify::verify_package(file.path(), &VerifyOptions::default()).unwrap();
    assert!(!report.valid);
    report.problems.iter().map(|problem| problem.code.to_string()).collect()
}

#[test]
fn hostile_archives_are_refused_before_anything_is_read() {
    let options = || zip::write::SimpleFileOptions::default().unix_permissions(0o644).system(zip::System::Unix);
    for (name, code) in [
        ("/etc/passwd", "unsafe_path"),
        ("data/../../evil", "unsafe_path"),
        ("data/./x", "unsafe_path"),
        ("C:/Windows/x", "unsafe_path"),
        ("data\\x", "unsafe_path"),
        ("data//x", "unsafe_path"),
        // Names that display as something else, or that Windows cannot hold (issue 15).
        ("data/legal_rep_id/01-身份证\u{202E}gpj.exe", "unsafe_path"),
        ("data/legal_rep_id/01-a\u{200B}.jpg", "unsafe_path"),
        ("data/x/CON", "unsafe_path"),
        ("data/x/nul.txt", "unsafe_path"),
        ("data/x/a.jpg.", "unsafe_path"),
        ("data/x/a:b.jpg", "unsafe_path"),
        ("data/x/a|b.jpg", "unsafe_path"),
    ] {
        let file = hostile_zip(|writer| {
            writer.start_file(name, options()).unwrap();
            writer.write_all(b"x").unwrap();
        });
        let codes = problems_of(&file);
        assert!(codes.iter().any(|found| found == code), "{name}: {codes:?}");
    }

    let link = hostile_zip(|writer| {
        writer.add_symlink("data/link", "/etc/passwd", options()).unwrap();
    });
    assert!(problems_of(&link).contains(&"symlink".to_string()));

    // 64 MiB of zeros deflate to about 64 KiB: a ratio of about 1000.
    let bomb = hostile_zip(|writer| {
        writer.start_file("data/zeros.bin", options().compression_method(zip::CompressionMethod::Deflated)).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            writer.write_all(&zeros).unwrap();
        }
    });
    assert!(problems_of(&bomb).contains(&"compression_ratio".to_string()));

    // Every deflated entry's ratio counts, not only those over 1 MiB: 512 KiB of zeros in a
    // few hundred bytes (a thousand such entries would inflate half a gigabyte).
    let small_bomb = hostile_zip(|writer| {
        writer.start_file("data/zeros.bin", options().compression_method(zip::CompressionMethod::Deflated)).unwrap();
        writer.write_all(&vec![0u8; 512 << 10]).unwrap();
    });
    assert!(problems_of(&small_bomb).contains(&"compression_ratio".to_string()));
    // A short text of one repeated character is no bomb.
    let text = hostile_zip(|writer| {
        writer.start_file("data/case.json", options().compression_method(zip::CompressionMethod::Deflated)).unwrap();
        writer.write_all(&vec![b' '; 32 << 10]).unwrap();
    });
    assert!(!problems_of(&text).contains(&"compression_ratio".to_string()));

    // Entries outside data/ that are not the profile's tag files are named, not kept.
    let junk = hostile_zip(|writer| {
        for index in 0..3 {
            writer
                .start_file(format!("junk/{index}.bin"), options().compression_method(zip::CompressionMethod::Stored))
                .unwrap();
            writer.write_all(&vec![7u8; 1 << 20]).unwrap();
        }
    });
    assert_eq!(problems_of(&junk).iter().filter(|code| *code == "unexpected_tag_file").count(), 3);

    let twice = hostile_zip(|writer| {
        writer.start_file("data/a", options()).unwrap();
        writer.write_all(b"1").unwrap();
        writer.start_file("data/A", options()).unwrap();
        writer.write_all(b"2").unwrap();
    });
    assert!(problems_of(&twice).contains(&"name_collision".to_string()));

    let mut not_a_zip = tempfile::NamedTempFile::new().unwrap();
    not_a_zip.write_all(b"this is not a zip file at all, just some text").unwrap();
    assert_eq!(problems_of(&not_a_zip), vec!["not_a_zip"]);

    let missing = verify::verify_package(Path::new("/nonexistent/package.zip"), &VerifyOptions::default()).unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::FileMissing);
}

// ── the report ───────────────────────────────────────────────────────────────────────────

#[test]
fn the_report_is_self_contained_and_draws_positions_and_times() {
    let fixture = Fixture::complete_case();
    let zip = fixture.export("case.zip", false);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut html = String::new();
    archive.by_name(layout::REPORT_HTML).unwrap().read_to_string(&mut html).unwrap();
    for needed in [
        "商户现场考察表",
        "资料清单",
        "拍摄位置图",
        "拍摄时间线",
        "上海分公司",
        "张三",
        "沪上小面馆",
        "半径 200 米",
        "✓ 客户经理签字",
    ] {
        assert!(html.contains(needed), "the report lacks {needed}");
    }
    let images = html.matches("<img src=\"data:image/jpeg;base64,").count();
    let files = fixture.folder.case_evidence(&fixture.case_id).unwrap().len();
    assert_eq!(images, files, "every generated file is an image with a thumbnail");
    assert_eq!(html.matches("<svg").count(), 2, "the position drawing and the timeline");
    // Nothing is fetched from elsewhere: the only URL is the SVG namespace.
    let without_namespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !without_namespace.contains("http://")
            && !without_namespace.contains("https://")
            && !without_namespace.contains("<script")
    );
}

#[test]
fn the_report_lists_far_photos_and_other_days_instead_of_pinning_them_to_the_edge() {
    let mut fixture = Fixture::complete_case();
    // 5 km east of the premises (far beyond four radii of 200 m), and taken a week before the
    // visit: the drawing would squeeze the visit day into a sliver and put the photo on its rim.
    let far = photo(901, 0.0, 5000.0, "2026:11:13 09:30:00");
    fixture.add_file("interior_photo", "far-away.jpg", &far);
    let zip = fixture.export("far.zip", true);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    let mut html = String::new();
    archive.by_name(layout::REPORT_HTML).unwrap().read_to_string(&mut html).unwrap();
    let positions = &html[html.find("拍摄位置图").unwrap()..html.find("拍摄时间线").unwrap()];
    // Listed beside the drawing with its direction and distance, not drawn in it.
    let listed = positions.find(" 位于经营场所东方 5.0 公里").unwrap_or_else(|| panic!("not listed: {positions}"));
    let number: u32 = positions[..listed].rsplit("<b>#").next().unwrap().trim_end_matches("</b>").parse().unwrap();
    assert!(
        positions[listed..].starts_with(" 位于经营场所东方 5.0 公里 <span class=\"en\">5.0 km E</span>"),
        "{positions}"
    );
    let drawing = &positions[positions.find("<svg").unwrap()..positions.find("</svg>").unwrap()];
    assert!(!drawing.contains(&format!(">{number}</text>")), "the far photo is drawn in the position plot");
    assert!(!drawing.contains("stroke-dasharray=\"3 2\""), "no marker pinned to the edge");
    // The timeline shows the visit day only; the other day's photo is listed with its date.
    let timeline = &html[html.find("拍摄时间线").unwrap()..];
    assert!(timeline.contains("时间轴仅显示考察日当天"), "{timeline}");
    assert!(timeline.contains(&format!("<b>#{number}</b> 2026-11-13 09:30")), "{timeline}");
    let axis = &timeline[timeline.find("<svg").unwrap()..timeline.find("</svg>").unwrap()];
    assert!(!axis.contains(&format!(">{number}</text>")), "the other day's photo is drawn on the visit day's axis");
    assert!(axis.contains(">10:"), "the axis is in hours of the visit day: {axis}");
}

// ── settings and keys ────────────────────────────────────────────────────────────────────

#[test]
fn settings_keep_what_this_version_does_not_know_and_refuse_bad_names() {
    let dir = tempfile::tempdir().unwrap();
    let folder = DataFolder::open(dir.path()).unwrap();
    assert_eq!(folder.settings().unwrap().branch, "");
    std::fs::write(dir.path().join("settings.json"), r#"{"branch": "北京分公司", "upload": {"bucket": "b"}}"#).unwrap();
    let changed = folder
        .change_settings(SettingsChange { manager_name: Some("  王五 ".into()), ..SettingsChange::default() })
        .unwrap();
    assert_eq!((changed.branch.as_str(), changed.manager_name.as_str()), ("北京分公司", "王五"));
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("settings.json")).unwrap()).unwrap();
    assert_eq!(stored["upload"]["bucket"], "b", "unknown settings survive a rewrite");
    let err = folder
        .change_settings(SettingsChange { branch: Some("a\nb".into()), ..SettingsChange::default() })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    std::fs::write(dir.path().join("settings.json"), "{ not json").unwrap();
    assert!(folder.settings().unwrap_err().message().contains("settings.json"));
}

#[test]
fn the_key_pair_is_made_once_owner_only_and_openssl_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = DataFolder::open(dir.path()).unwrap();
    let first = folder.public_key_info().unwrap();
    assert!(first.created);
    let second = folder.public_key_info().unwrap();
    assert!(!second.created);
    assert_eq!(first.fingerprint_sha256, second.fingerprint_sha256);
    let private_key = dir.path().join(intake_core::signing::PRIVATE_KEY_FILE);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private_key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the private key is readable by its owner only");
    }
    let (ok, text) = run(Command::new("openssl").args(["pkey", "-noout", "-text", "-in"]).arg(&private_key));
    assert!(ok && text.contains("SM2"), "openssl cannot read the private key as SM2:\n{text}");
    // Signing is deterministic: the same bytes, the same signature.
    let key = folder.installation_key().unwrap();
    assert_eq!(key.sign(b"abc"), key.sign(b"abc"));
}

// ── thumbnails ───────────────────────────────────────────────────────────────────────────

#[test]
fn the_report_shows_the_thumbnails_cached_at_import() {
    let fixture = Fixture::complete_case();
    let evidence = fixture.folder.case_evidence(&fixture.case_id).unwrap();
    // A marked thumbnail put in the cache must be the one the report shows: the export reuses
    // the cache instead of decoding the photos again.
    let marked = image::RgbImage::from_pixel(40, 30, image::Rgb([10, 200, 30]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).encode_image(&marked).unwrap();
    let sealed = fixture.folder.vault().store_thumbnail(&evidence[0].sha256, &jpeg).unwrap();
    let zip = fixture.export("case.zip", false);
    let folder = unzipped(&fixture, &zip);
    let html = std::fs::read_to_string(folder.join("data/report.html")).unwrap();
    for record in &evidence {
        let thumbnail = fixture.folder.thumbnail(&record.sha256).unwrap().expect("generated files are pictures");
        assert!(html.contains(&intake_core::package::report::jpeg_data_uri(&thumbnail)), "{}", record.original_name);
    }
    assert!(html.contains(&intake_core::package::report::jpeg_data_uri(&sealed)));
}

#[test]
fn the_bag_follows_its_bagit_profile_by_the_bagit_profile_validator() {
    let fixture = Fixture::complete_case();
    let zip = fixture.export("case.zip", false);
    let folder = unzipped(&fixture, &zip);
    let profile = repository_root().join("assets/bagit-profile/merchant-intake-v1.json");
    // PyPI `bagit-profile` (the BagIt Profiles validator), with the profile from the file.
    let script = r#"
import json, sys, bagit, bagit_profile
profile = json.load(open(sys.argv[1], encoding="utf-8"))
checker = bagit_profile.Profile(profile["BagIt-Profile-Info"]["BagIt-Profile-Identifier"], profile=profile)
serialized = checker.validate_serialization(sys.argv[3])
valid = checker.validate(bagit.Bag(sys.argv[2]))
print("serialization", serialized, "valid", valid, [str(error) for error in checker.report.errors])
sys.exit(0 if serialized and valid else 1)
"#;
    let check = |folder: &Path| {
        run(Command::new(venv_tool("python")).arg("-c").arg(script).arg(&profile).arg(folder).arg(&zip))
    };
    let (ok, text) = check(&folder);
    assert!(ok, "bagit-profile refused the package:\n{text}");
    // It can fail: a package without its signature does not follow the profile.
    std::fs::remove_file(folder.join(layout::SIGNATURE)).unwrap();
    let (ok, text) = check(&folder);
    assert!(!ok, "bagit-profile accepted a bag without its signature:\n{text}");
}
