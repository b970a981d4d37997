//! Integration tests of intake-ocr: the real models on the synthetic documents in
//! `tests/fixtures/` (made by `bench/make-ocr-documents.py --seed 21`, with their truth).
//!
//! The models are not in git: `scripts/fetch-ocr-models.sh` puts them in place (the test
//! command's install step runs it). Without them these tests fail, saying so; they never skip.

use std::path::{Path, PathBuf};

use intake_ocr::documents::text::normalize;
use intake_ocr::{DocumentKind, FieldValue, OcrEngine, OcrError, default_models_folder, read_document};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn engine() -> OcrEngine {
    OcrEngine::load_default().unwrap_or_else(|error| {
        panic!(
            "the OCR models are needed by these tests and could not be loaded from {}: {error}",
            default_models_folder().display()
        )
    })
}

/// Every fixture read with one engine; all differences reported together.
#[test]
fn synthetic_documents_read_to_their_known_fields() {
    let engine = engine();
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("truth.json")).unwrap()).unwrap();
    let mut wrong = Vec::new();
    let mut compared = 0;
    for document in truth.as_array().unwrap() {
        let file = document["file"].as_str().unwrap();
        let kind: DocumentKind = document["kind"].as_str().unwrap().parse().unwrap();
        let lines = engine.read_file(&fixtures().join(file)).unwrap();
        assert!(
            lines.iter().all(|l| l.bounds[0] < l.bounds[2] && l.bounds[1] < l.bounds[3]),
            "{file}: boxes {lines:?}"
        );
        let read = read_document(kind, &lines);
        for (key, expected) in document["fields"].as_object().unwrap() {
            compared += 1;
            let field = read.get(key);
            let same = match (field.map(|f| &f.value), expected) {
                (Some(FieldValue::Text(got)), serde_json::Value::String(want)) => normalize(got) == normalize(want),
                (Some(FieldValue::Number(got)), serde_json::Value::Number(want)) => Some(*got) == want.as_f64(),
                (Some(FieldValue::Null), serde_json::Value::Null) => true,
                _ => false,
            };
            if !same {
                wrong.push(format!("{file} {key}: expected {expected}, read {:?}", field.map(|f| &f.value)));
            }
            if let Some(field) = field {
                assert!((0.0..=1.0).contains(&field.confidence), "{file} {key}: confidence {}", field.confidence);
            }
        }
    }
    assert!(compared >= 25, "the truth file lists too few fields ({compared})");
    assert!(wrong.is_empty(), "fields read wrong:\n{}", wrong.join("\n"));
}

#[test]
fn missing_models_name_the_script_that_fetches_them() {
    let empty = std::env::temp_dir().join(format!("intake-ocr-no-models-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let error = OcrEngine::load(&empty).err().expect("an empty folder has no models");
    assert!(matches!(error, OcrError::ModelMissing { .. }), "{error:?}");
    assert!(error.to_string().contains("scripts/fetch-ocr-models.sh"), "{error}");
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn a_file_that_is_not_an_image_is_refused_with_its_name() {
    let engine = engine();
    let path = std::env::temp_dir().join(format!("intake-ocr-not-an-image-{}.jpg", std::process::id()));
    std::fs::write(&path, b"%PDF-1.7 not a picture").unwrap();
    let error = engine.read_file(&path).expect_err("text is not an image");
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(error, OcrError::ImageUnreadable { .. }), "{error:?}");
    assert!(error.to_string().contains("intake-ocr-not-an-image"), "{error}");
}
