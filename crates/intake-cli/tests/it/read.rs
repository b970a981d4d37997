//! `intake read FILE --as KIND`: fields read off synthetic documents (the fixtures of
//! intake-ocr, made by bench/make-ocr-documents.py), masking in text, and the errors.
//! Needs the OCR models (scripts/fetch-ocr-models.sh): fails, never skips, without them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::harness::OutputOnceStarted;
use crate::harness::Sandbox;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../intake-ocr/tests/fixtures").join(name)
}

/// `read FILE --as KIND [--json]`.
fn args(file: &Path, kind: &str, json: bool) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["read".into(), file.into(), "--as".into(), kind.into()];
    if json {
        args.push("--json".into());
    }
    args
}

fn truth(file: &str) -> serde_json::Value {
    let all: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("truth.json")).unwrap()).unwrap();
    all.as_array().unwrap().iter().find(|d| d["file"] == file).unwrap()["fields"].clone()
}

#[test]
fn json_gives_the_fields_with_confidences_and_the_lines_with_boxes() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(args(&fixture("id_front-01-clean.jpg"), "id_front", true));
    assert_eq!(run.status, 0, "{}", run.stderr);
    let read = run.json();
    let expected = truth("id_front-01-clean.jpg");
    assert_eq!(read["kind"], "id_front");
    for key in ["id_number", "birth_date", "sex"] {
        assert_eq!(read["fields"][key]["value"], expected[key], "{key}: {read}");
        let confidence = read["fields"][key]["confidence"].as_f64().unwrap();
        assert!(confidence > 0.5 && confidence <= 1.0, "{key}: {confidence}");
    }
    let lines = read["lines"].as_array().unwrap();
    assert!(lines.len() >= 8, "{read}");
    for line in lines {
        let b: Vec<u64> = line["box"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        assert!(b.len() == 4 && b[0] < b[2] && b[1] < b[3], "{line}");
        assert!(line["text"].is_string() && line["confidence"].is_f64(), "{line}");
    }
}

#[test]
fn text_output_masks_the_id_number_and_the_name() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(args(&fixture("id_front-01-clean.jpg"), "id_front", false));
    assert_eq!(run.status, 0, "{}", run.stderr);
    let expected = truth("id_front-01-clean.jpg");
    let number = expected["id_number"].as_str().unwrap();
    let name = expected["name"].as_str().unwrap();
    assert!(!run.stdout.contains(number) && !run.stdout.contains(name), "personal values in clear:\n{}", run.stdout);
    let masked = format!("{}********{}", &number[..6], &number[14..]);
    assert!(run.stdout.contains(&masked), "{masked} not in:\n{}", run.stdout);
    assert!(run.stdout.contains("公民身份号码 id_number"), "{}", run.stdout);
}

#[test]
fn a_licence_with_no_end_date_reads_null() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(args(&fixture("business_license-01-clean.jpg"), "business_license", true));
    assert_eq!(run.status, 0, "{}", run.stderr);
    let read = run.json();
    let expected = truth("business_license-01-clean.jpg");
    assert_eq!(read["fields"]["uscc"]["value"], expected["uscc"]);
    assert!(expected["valid_until"].is_null(), "the fixture is meant to be 长期");
    assert!(
        read["fields"]["valid_until"]["value"].is_null() && read["fields"]["valid_until"]["confidence"].is_f64(),
        "{read}"
    );
}

#[test]
fn missing_models_stop_with_file_missing_naming_the_script() {
    let sandbox = Sandbox::new();
    let empty = sandbox.dir.path().join("no-models");
    std::fs::create_dir_all(&empty).unwrap();
    let run: crate::harness::Run = sandbox
        .command(args(&fixture("id_back-01-clean.jpg"), "id_back", true))
        .env("INTAKE_OCR_MODELS", &empty)
        .output_once_started()
        .unwrap()
        .into();
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert_eq!(run.json()["error"]["code"], "file_missing");
    assert!(run.stderr.contains("scripts/fetch-ocr-models.sh"), "{}", run.stderr);
}

#[test]
fn bad_input_is_refused_with_status_2() {
    let sandbox = Sandbox::new();
    let missing = sandbox.dir.path().join("nope.jpg");
    let run = sandbox.run(args(&missing, "id_front", false));
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("nope.jpg"), "{}", run.stderr);

    let text = sandbox.file("notes.jpg", b"not a picture at all");
    let run = sandbox.run(args(&text, "id_front", false));
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("notes.jpg"), "{}", run.stderr);

    let run = sandbox.run(args(&text, "passport", false));
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("business_license"), "{}", run.stderr);
}
