//! Watermarked ID copies through the window. The export panel's 导出时为身份证件加水印 box: with
//! the setting off it starts unticked; ticked for one export, the package carries watermarked
//! copies of the ID card images in their place, case.json keeps each original's SHA-256 beside
//! its copy's, and the package verifies. Then the default and the text set in 设置: the next
//! export starts ticked and draws that text.
//! Screenshots: `tests/e2e/screenshots/watermark-*.png`.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::harness::{
    AppSession, assert_package_verifies, click, corpus_file, create_case_with_cli, dialog_answer_env, retype,
    run_cli_json, save_package_copy, scroll_to, wait_until,
};

const BOX: &str = "[data-testid='watermark-id-copies']";

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Exports the open case (incomplete) with the box ticked and returns the path of its plain
/// copy (另存为…, beside the dialog answer file).
async fn export(session: &AppSession, answer_file: &Path, shot: &str) -> PathBuf {
    click(session, "[data-testid='export-incomplete-step']", "export an incomplete package anyway").await;
    retype(session, "[data-testid='incomplete-reason']", "其余材料明日补交").await;
    click(session, "[data-testid='export-incomplete-confirm']", "confirm the incomplete export").await;
    let package = save_package_copy(session, answer_file, &answer_file.with_file_name(format!("{shot}.zip"))).await;
    // Said in the window: two ID card images went in watermarked.
    session.wait_for("[data-testid='export-watermarked'][data-files='2']", "the watermarked copies, counted").await;
    scroll_to(session, "[data-testid='export-result']").await;
    session.save_screenshot(shot).await;
    package
}

/// Checks that `package` verifies (trusting the key of the data folder at `home`) and holds watermarked copies of the ID card images whose
/// originals hash to `originals`; returns the text drawn on them.
fn watermarked_copies(home: &Path, package: &Path, originals: &[String]) -> Vec<String> {
    assert_package_verifies(home, package);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(package).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut bytes = Vec::new();
        zip.by_name(name).unwrap_or_else(|err| panic!("{name} in the package: {err}")).read_to_end(&mut bytes).unwrap();
        bytes
    };
    let case: Value = serde_json::from_slice(&read("data/case.json")).unwrap();
    let id_files: Vec<&Value> =
        case["files"].as_array().unwrap().iter().filter(|file| file["material"] == "legal_rep_id").collect();
    assert_eq!(id_files.len(), originals.len(), "{case}");
    let mut texts = Vec::new();
    for (file, original) in id_files.iter().zip(originals) {
        assert_eq!(&file["sha256"], original, "case.json keeps the original's hash");
        let copy = &file["watermarked_copy"];
        assert!(copy.is_object(), "the ID card image went in as a watermarked copy: {file}");
        let in_package = read(file["path"].as_str().unwrap());
        assert_eq!(sha256_hex(&in_package), copy["sha256"].as_str().unwrap(), "the package holds the copy");
        assert_ne!(&sha256_hex(&in_package), original, "not the original");
        texts.push(copy["text"].as_str().unwrap().to_string());
    }
    texts
}

#[tokio::test(flavor = "current_thread")]
async fn watermarked_id_copies_are_chosen_per_export_and_by_default_in_settings() {
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

    // One export ticked by hand.
    let answer_file = work.path().join("dialog-answer.txt");
    let env = dialog_answer_env(&answer_file);
    let session = AppSession::start_with_env("watermark", &home, work.path(), &env).await;
    let case_row = format!("tr[data-case-id='{case_id}'] button");
    click(&session, &case_row, "the case").await;
    // The click helper waits for the box to be enabled, that is for the setting to arrive.
    let watermark = click(&session, BOX, "tick 身份证件加水印").await;
    assert_eq!(watermark.prop("checked").await.unwrap().as_deref(), Some("true"), "ticked for this export");
    let package = export(&session, &answer_file, "1-ticked-by-hand").await;
    let texts = watermarked_copies(&home, &package, &originals);
    assert!(
        texts.iter().all(|text| text.starts_with("仅供通联支付商户入网使用 ")),
        "the default text and date: {texts:?}"
    );

    // The default and a text of its own, set in 设置.
    click(&session, "[data-testid='nav-settings']", "the settings button").await;
    click(&session, "[data-testid='settings-watermark']", "watermark by default").await;
    retype(&session, "[data-testid='settings-watermark-text']", "仅供测试使用").await;
    click(&session, "[data-testid='settings-save']", "save the settings").await;
    session.wait_for("[data-testid='settings-saved']", "the settings are saved").await;
    scroll_to(&session, "[data-testid='settings-watermark']").await;
    session.save_screenshot("2-settings").await;
    let settings = run_cli_json(&["--home", home_arg, "settings"]);
    assert_eq!(settings["watermark_id_copies"], true, "{settings}");
    assert_eq!(settings["watermark_text"], "仅供测试使用", "{settings}");

    // The next export starts ticked, and draws that text.
    click(&session, "[data-testid='nav-cases']", "the case list button").await;
    click(&session, &case_row, "the case").await;
    wait_until(
        &session,
        &format!("const box = document.querySelector(\"{BOX}\"); return box !== null && !box.disabled && box.checked;"),
        "the box starts ticked from the setting",
    )
    .await;
    let package = export(&session, &answer_file, "3-ticked-by-default").await;
    session.close().await;
    let texts = watermarked_copies(&home, &package, &originals);
    assert!(texts.iter().all(|text| text.starts_with("仅供测试使用 ")), "the text from 设置: {texts:?}");
}
