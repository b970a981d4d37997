//! The export panel's 身份证件加水印 box: with the setting off, the box starts unticked; ticked for
//! this export, the package carries watermarked copies of the ID card images in their place,
//! case.json keeps each original's SHA-256 beside its copy's, and the package verifies.
//! Screenshot: `tests/e2e/screenshots/watermark-exported.png`.

use std::io::Read;
use std::path::PathBuf;
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::harness::{AppSession, cli_binary, click, corpus_file, create_case_with_cli, run_cli_json, scroll_to};

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn the_export_box_puts_watermarked_id_copies_in_the_package() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let home_arg = home.to_str().unwrap();
    let case_id = create_case_with_cli(&home, "沪上小面馆");
    // The package names who submits it.
    run_cli_json(&["--home", home_arg, "settings", "--branch", "上海分公司", "--manager", "张三"]);
    // Two images in the legal representative's ID card slot (an identity document in the rules).
    let sides = [corpus_file("canon-eos-40d.jpg"), corpus_file("apple-iphone-4-gps.jpg")];
    let mut args = vec!["--home", home_arg, "add", "--case", &case_id, "--material", "legal_rep_id"];
    args.extend(sides.iter().map(|path| path.to_str().unwrap()));
    run_cli_json(&args);
    let originals: Vec<String> = sides.iter().map(|path| sha256_hex(&std::fs::read(path).unwrap())).collect();
    let settings = run_cli_json(&["--home", home_arg, "settings"]);
    assert_eq!(settings["watermark_id_copies"], false, "the setting is off by default: {settings}");

    let session = AppSession::start("watermark", &home, work.path()).await;
    click(&session, &format!("tr[data-case-id='{case_id}'] button"), "the case").await;
    let boxed = "[data-testid='watermark-id-copies']";
    // The click helper waits for the box to be enabled, that is for the setting to arrive.
    let watermark = click(&session, boxed, "tick 身份证件加水印").await;
    assert_eq!(watermark.prop("checked").await.unwrap().as_deref(), Some("true"), "ticked for this export");
    click(&session, "[data-testid='allow-incomplete']", "allow an incomplete export").await;
    click(&session, "[data-testid='export']", "export").await;
    let path = session.wait_for("[data-testid='export-path']", "the exported package's path").await.text().await.unwrap();
    scroll_to(&session, "[data-testid='export-result']").await;
    session.save_screenshot("exported").await;
    session.close().await;

    let package = PathBuf::from(path.trim());
    let verify = Command::new(cli_binary()).arg("verify").arg(&package).arg("--json").output().unwrap();
    assert!(verify.status.success(), "intake verify: {}", String::from_utf8_lossy(&verify.stdout));

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&package).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut bytes = Vec::new();
        zip.by_name(name).unwrap_or_else(|err| panic!("{name} in the package: {err}")).read_to_end(&mut bytes).unwrap();
        bytes
    };
    let case: serde_json::Value = serde_json::from_slice(&read("data/case.json")).unwrap();
    let id_files: Vec<&serde_json::Value> =
        case["files"].as_array().unwrap().iter().filter(|file| file["material"] == "legal_rep_id").collect();
    assert_eq!(id_files.len(), 2, "{case}");
    for (file, original) in id_files.iter().zip(&originals) {
        assert_eq!(&file["sha256"], original, "case.json keeps the original's hash");
        let copy = &file["watermarked_copy"];
        assert!(copy.is_object(), "the ID card image went in as a watermarked copy: {file}");
        let in_package = read(file["path"].as_str().unwrap());
        assert_eq!(sha256_hex(&in_package), copy["sha256"].as_str().unwrap(), "the package holds the copy");
        assert_ne!(&sha256_hex(&in_package), original, "not the original");
        assert!(copy["text"].as_str().unwrap().contains("仅供"), "the watermark text: {copy}");
    }
}
