//! `intake add` reads the documents of 营业执照, 法人身份证 and GPS 定位截图 and `check` reports
//! what they say against the case; `--no-read` leaves them unread until `intake read --case`.
//! The documents are intake-ocr's synthetic fixtures (made-up values, truth.json); the OCR
//! models are needed (scripts/fetch-ocr-models.sh): without them these tests fail, never skip.

use std::path::PathBuf;

use crate::harness::Sandbox;

const LICENCE_USCC: &str = "91440106RFRYG5GG5Q";
const OTHER_USCC: &str = "91350100M000100Y43";

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../intake-ocr/tests/fixtures").join(name).display().to_string()
}

/// An enterprise case visited on `visit`, with the credit code `uscc` typed.
fn case_with(sandbox: &Sandbox, visit: &str, uscc: &str) -> String {
    let case_id = sandbox.new_case(&[
        "--merchant-name",
        "广州天和文化传媒商行",
        "--merchant-type",
        "enterprise",
        "--opens-payment",
        "--visit-date",
        visit,
    ]);
    let run = sandbox.run(["case", "set", &case_id, "--field", &format!("uscc={uscc}")]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    case_id
}

/// The codes of `check --json`'s findings on `material`, with their severities.
fn findings(sandbox: &Sandbox, case_id: &str, material: &str) -> Vec<(String, String)> {
    let run = sandbox.run(["check", "--case", case_id, "--json"]);
    let check = run.json();
    check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["material"] == material)
        .map(|finding| {
            (finding["code"].as_str().unwrap().to_string(), finding["severity"].as_str().unwrap().to_string())
        })
        .collect()
}

fn has(found: &[(String, String)], code: &str, severity: &str) -> bool {
    found.iter().any(|(c, s)| c == code && s == severity)
}

#[test]
fn a_licence_whose_credit_code_differs_from_the_case_is_an_error_and_a_matching_one_is_not() {
    let sandbox = Sandbox::new();
    let differs = case_with(&sandbox, "2026-11-20", OTHER_USCC);
    let licence = fixture("business_license-01-clean.jpg");
    let run = sandbox.run(["add", "--case", &differs, "--material", "business_license", &licence, "--json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let read = &run.json()["documents_read"];
    assert_eq!(read[0]["kinds"], serde_json::json!(["business_license"]), "{read}");
    assert!(read[0]["fields_read"].as_u64().unwrap() >= 5, "{read}");
    // What was read is not printed by `add` (personal data goes to `check` and the app).
    assert!(!run.stdout.contains("王桂"), "{}", run.stdout);

    let found = findings(&sandbox, &differs, "business_license");
    assert!(has(&found, "licence_uscc_mismatch", "error"), "{found:?}");
    let check = sandbox.run(["check", "--case", &differs]);
    assert_eq!(check.status, 1, "an error finding blocks: {}", check.stdout);
    assert!(check.stdout.contains("licence_uscc_mismatch") && check.stdout.contains(LICENCE_USCC), "{}", check.stdout);

    let matches = case_with(&sandbox, "2026-11-20", LICENCE_USCC);
    let run = sandbox.run(["add", "--case", &matches, "--material", "business_license", &licence]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("已读取 read"), "{}", run.stdout);
    let found = findings(&sandbox, &matches, "business_license");
    let document_codes = ["licence_uscc_mismatch", "licence_name_mismatch", "document_expired", "document_not_read"];
    assert!(found.iter().all(|(code, _)| !document_codes.contains(&code.as_str())), "{found:?}");
}

#[test]
fn an_expired_id_card_gives_the_error() {
    let sandbox = Sandbox::new();
    // The emblem side is valid until 2042-04-06.
    let case_id = case_with(&sandbox, "2043-01-01", LICENCE_USCC);
    let run = sandbox.run([
        "add",
        "--case",
        &case_id,
        "--material",
        "legal_rep_id",
        &fixture("id_front-01-clean.jpg"),
        &fixture("id_back-01-clean.jpg"),
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let found = findings(&sandbox, &case_id, "legal_rep_id");
    assert!(has(&found, "document_expired", "error"), "{found:?}");
    assert!(!found.iter().any(|(code, _)| code == "id_birth_date_mismatch"), "{found:?}");
}

#[test]
fn no_read_gives_no_reading_until_the_case_is_read() {
    let sandbox = Sandbox::new();
    let case_id = case_with(&sandbox, "2026-11-20", OTHER_USCC);
    let licence = fixture("business_license-01-clean.jpg");
    let run =
        sandbox.run(["add", "--case", &case_id, "--material", "business_license", &licence, "--no-read", "--json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.json().get("documents_read").is_none(), "{}", run.stdout);
    let found = findings(&sandbox, &case_id, "business_license");
    assert!(!found.iter().any(|(code, _)| code == "licence_uscc_mismatch"), "{found:?}");

    // Read later: the same file now gives the finding.
    let run = sandbox.run(["read", "--case", &case_id, "--json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.json()["documents_read"].as_array().unwrap().len(), 1, "{}", run.stdout);
    assert!(has(&findings(&sandbox, &case_id, "business_license"), "licence_uscc_mismatch", "error"));
    // Nothing left to read.
    let run = sandbox.run(["read", "--case", &case_id, "--json"]);
    assert_eq!(run.json()["documents_read"].as_array().unwrap().len(), 0, "{}", run.stdout);
}

#[test]
fn a_document_that_cannot_be_read_is_added_with_a_warning() {
    let sandbox = Sandbox::new();
    let case_id = case_with(&sandbox, "2026-11-20", OTHER_USCC);
    let scan = sandbox.file("执照.pdf", b"%PDF-1.7\n% not a picture\n");
    let run = sandbox.run(["add", "--case", &case_id, "--material", "business_license", scan.to_str().unwrap()]);
    assert_eq!(run.status, 0, "reading never fails an import: {}", run.stderr);
    assert!(run.stderr.contains("执照.pdf"), "{}", run.stderr);
    assert!(has(&findings(&sandbox, &case_id, "business_license"), "document_not_read", "warning"));
}
