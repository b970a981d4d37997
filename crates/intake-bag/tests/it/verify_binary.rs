//! `intake-verify` on a package the core exports: the same report as the library's `verify`,
//! the same exit statuses as `intake verify` (0 verified, 1 failed, 2 unreadable).

use std::path::{Path, PathBuf};
use std::process::Command;

use image::ImageEncoder;
use intake_core::DataFolder;
use intake_core::case::{CaseAttributes, NewCase};
use intake_core::package::ExportOptions;
use intake_core::package::trust::expected_key;
use intake_core::package::verify::{VerifyOptions, verify_package};
use intake_core::settings::SettingsChange;

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn intake_verify(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_intake-verify")).args(args).output().expect("intake-verify runs");
    Run {
        status: output.status.code().expect("exited"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A small PNG (a scan).
fn png() -> Vec<u8> {
    let pixels: Vec<u8> = (0..64u32 * 48 * 3).map(|index| (index as u8).wrapping_mul(7)).collect();
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(&pixels, 64, 48, image::ExtendedColorType::Rgb8).unwrap();
    out
}

/// Exports an incomplete case holding one scan; gives the package and its signer's fingerprint.
fn exported_package(dir: &Path) -> (PathBuf, String) {
    let mut folder = DataFolder::open(&dir.join("data")).unwrap();
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
            visit_date: None,
            site: None,
        })
        .unwrap();
    let scan = dir.join("营业执照.png");
    std::fs::write(&scan, png()).unwrap();
    folder.add_files(&case.id, "business_license", &[scan], |_| {}).unwrap();
    let package = dir.join("package.zip");
    let options = ExportOptions {
        allow_incomplete: true,
        incomplete_reason: Some("测试:资料不全也导出".into()),
        watermark: None,
    };
    folder.export_case(&case.id, &package, &options).unwrap();
    let fingerprint = folder.installation_key().unwrap().fingerprint().to_string();
    (package, fingerprint)
}

#[test]
fn a_package_the_core_exports_verifies_with_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let (package, fingerprint) = exported_package(dir.path());
    let path = package.to_str().unwrap();

    let text = intake_verify(&[path, "--expect-key", &fingerprint]);
    assert_eq!(text.status, 0, "{}{}", text.stdout, text.stderr);
    assert!(text.stdout.starts_with(&format!("资料包完好 Package verified: {path}\n")), "{}", text.stdout);
    assert!(text.stdout.contains(&format!("公钥指纹 key SHA-256 {fingerprint}")), "{}", text.stdout);

    // Since trust anchors (issue 15) a package is valid only when signed by a trusted key, for
    // the binary and the library alike: both are given the signer's fingerprint.
    let json = intake_verify(&["--json", path, "--expect-key", &fingerprint]);
    assert_eq!(json.status, 0, "{}", json.stderr);
    let printed: serde_json::Value = serde_json::from_str(&json.stdout).expect("one JSON document");
    let trusted = VerifyOptions::trusting(vec![expected_key(&fingerprint).unwrap()]);
    let library = verify_package(&package, &trusted).unwrap();
    assert_eq!(printed, serde_json::to_value(&library).unwrap());
    assert_eq!(printed["valid"], true);
    assert_eq!(printed["payload_files"].as_u64(), Some(3), "the scan, case.json and the report");
}

#[test]
fn a_damaged_or_foreign_package_fails_with_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let (package, _) = exported_package(dir.path());
    let path = package.to_str().unwrap();

    let other_key = "0".repeat(64);
    let foreign = intake_verify(&[path, "--expect-key", &other_key]);
    assert_eq!(foreign.status, 1, "{}{}", foreign.stdout, foreign.stderr);
    assert!(foreign.stdout.starts_with("资料包有问题 Package FAILED verification:"), "{}", foreign.stdout);
    // One problem (the key), counted in the singular.
    assert!(foreign.stderr.contains(": 1 problem found"), "{}", foreign.stderr);
    assert!(foreign.stdout.lines().next().unwrap().ends_with("(1 problem)"), "{}", foreign.stdout);

    // One byte of the scan's stored bytes changed: the zip's CRC and the manifest's hash differ.
    let mut bytes = std::fs::read(&package).unwrap();
    let name = b"business_license";
    let at = bytes.windows(name.len()).position(|window| window == name).expect("the scan's entry");
    let header_end = at + bytes[at..].iter().position(|&byte| byte == 0x89).expect("the PNG's first byte");
    bytes[header_end + 40] ^= 0x01;
    let damaged = dir.path().join("damaged.zip");
    std::fs::write(&damaged, &bytes).unwrap();
    let run = intake_verify(&["--json", damaged.to_str().unwrap()]);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert!(!report["problems"].as_array().unwrap().is_empty());
}

#[test]
fn a_missing_file_is_status_2_with_a_coded_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.zip");
    let run = intake_verify(&["--json", missing.to_str().unwrap()]);
    assert_eq!(run.status, 2, "{}{}", run.stdout, run.stderr);
    let body: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(body["error"]["code"], "file_missing");
    assert!(run.stderr.starts_with("intake-verify: ") && run.stderr.contains("nowhere.zip"), "{}", run.stderr);
    let usage = intake_verify(&[]);
    assert_eq!(usage.status, 2, "clap's usage error");
}
