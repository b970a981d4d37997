//! Correcting a case through the window (issue 16): a photo dropped on the wrong material is
//! moved (移到…) and the checklist follows; a wrong visit date is corrected (编辑案件信息) and the
//! findings change; a photo's `outside_site_radius` (and the date finding of the same photo) is
//! accepted with a reason (接受…) and the case becomes exportable; a file withdrawn (撤回) is
//! absent from the package's payload but listed in its `case.json` and audit log, and
//! `intake verify` passes. Screenshots at 1366x768: `tests/e2e/screenshots/correct-*.png`.
//!
//! Everything but the corrections is prepared with the CLI: a case with every required
//! material and field, so that what blocks it is only what the test corrects in the window.

use std::io::Read;
use std::path::{Path, PathBuf};

use fantoccini::Locator;
use serde_json::Value;

use crate::harness::{
    AppSession, assert_package_verifies, click, corpus_file, dialog_answer_env, retype, run_cli_json,
    save_package_copy, scroll_to, wait_until,
};

/// Where and when the Google Pixel photo was taken (WGS-84; 2018-07-25, local time).
const PREMISES: (&str, &str) = ("50.2996027", "14.8202944");
const WRONG_VISIT_DATE: &str = "2018-07-24";
const VISIT_DATE: &str = "2018-07-25";

/// Materials photographed at the premises (`site_photo = true` in the rule file).
const SITE_PHOTOS: &[&str] = &[
    "storefront_photo",
    "interior_photo",
    "operator_holding_id",
    "operator_with_storefront",
    "manager_with_storefront",
    "manager_with_legal_rep",
    "inspection_video",
];

/// Scans and documents: distinct real files with no error finding of their own.
const DOCUMENTS: &[&str] = &[
    "canon-eos-40d.jpg",
    "pentax-k10d.jpg",
    "panasonic-dmc-fz30.jpg",
    "orientation-1.jpg",
    "orientation-2.jpg",
    "orientation-3.jpg",
    "orientation-4.jpg",
    "orientation-5.jpg",
    "orientation-6.jpg",
    "orientation-7.jpg",
    "orientation-8.jpg",
    "fujifilm-finepix-e500-mm.jpg",
    "konica-minolta-dimage-z3-mm.jpg",
    "sony-cybershot-orient6.jpg",
    "png-no-exif.png",
];

/// A copy of the Pixel photo with bytes appended after its end, so each slot holds other
/// bytes (the same bytes in two slots is `duplicate_in_case`, an error) of the same picture.
fn pixel_copy(work: &Path, name: &str, index: u32) -> PathBuf {
    let mut bytes = std::fs::read(corpus_file("google-pixel-gps.jpg")).unwrap();
    bytes.extend_from_slice(format!("copy {index}").as_bytes());
    let path = work.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn cli(home: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--home", home.to_str().unwrap()];
    all.extend_from_slice(args);
    run_cli_json(&all)
}

/// The case: every required material and field, attestations done. The storefront photo
/// sits in the interior slot by mistake; the manager-with-legal-rep photo was taken in Rome
/// years ago (outside the radius and the visit window); the risk rating form has a stray
/// file; and the visit date is a day off. Returns the case id.
fn prepare_case(home: &Path, work: &Path) -> String {
    let home_arg = home.to_str().unwrap();
    run_cli_json(&["--home", home_arg, "settings", "--branch", "布拉格分公司", "--manager", "张三"]);
    let case = cli(
        home,
        &[
            "case",
            "new",
            "--merchant-name",
            "布拉格小面馆",
            "--opens-payment",
            "--visit-date",
            WRONG_VISIT_DATE,
            "--site-lat",
            PREMISES.0,
            "--site-lon",
            PREMISES.1,
        ],
    );
    let case_id = case["id"].as_str().unwrap().to_string();
    let checklist = run_cli_json(&["checklist", "--opens-payment"]);
    let mut documents = DOCUMENTS.iter();
    let mut copies = 0;
    for item in checklist["items"].as_array().unwrap().iter().filter(|item| item["required"] == true) {
        let key = item["key"].as_str().unwrap();
        let count = item["min_files"].as_u64().unwrap().max(1);
        let files: Vec<PathBuf> = (0..count)
            .filter_map(|_| match key {
                "storefront_photo" => None,
                "manager_with_legal_rep" => Some(corpus_file("apple-iphone-4-gps.jpg")),
                _ if SITE_PHOTOS.contains(&key) => {
                    copies += 1;
                    Some(pixel_copy(work, &format!("{key}-{copies}.jpg"), copies))
                }
                _ => Some(corpus_file(documents.next().expect("enough distinct documents"))),
            })
            .collect();
        if files.is_empty() {
            continue;
        }
        let mut args = vec!["add", "--case", case_id.as_str(), "--material", key];
        args.extend(files.iter().map(|path| path.to_str().unwrap()));
        cli(home, &args);
        let marks: Vec<&str> =
            item["attestations"].as_array().unwrap().iter().map(|mark| mark.as_str().unwrap()).collect();
        if !marks.is_empty() {
            let name = files[0].file_name().unwrap().to_str().unwrap();
            let marks = marks.join(",");
            cli(home, &["attest", "--case", &case_id, "--file", name, "--material", key, "--marks", &marks]);
        }
    }
    // The storefront photo, dropped on the interior slot; a stray file on the risk form.
    let storefront = pixel_copy(work, "门头.jpg", 99);
    cli(home, &["add", "--case", &case_id, "--material", "interior_photo", storefront.to_str().unwrap()]);
    let stray = corpus_file(documents.next().unwrap());
    let stray_copy = work.join("别家店的风险评级表.jpg");
    std::fs::copy(&stray, &stray_copy).unwrap();
    cli(home, &["add", "--case", &case_id, "--material", "risk_rating_form", stray_copy.to_str().unwrap()]);
    cli(
        home,
        &[
            "case",
            "set",
            &case_id,
            "--field",
            "legal_rep_name=李四",
            "--field",
            "legal_rep_id_number=11010519491231002X",
            "--field",
            "legal_rep_mobile=13912345678",
            "--field",
            "uscc=91350100M000100Y43",
        ],
    );
    case_id
}

/// Sets the window to 1366x768, the managers' laptops.
async fn laptop_size(session: &AppSession) {
    session.client.set_window_size(1366, 768).await.expect("the window can be resized");
}

async fn count(session: &AppSession, css: &str) -> usize {
    session.client.find_all(Locator::Css(css)).await.unwrap().len()
}

fn read_zip(package: &Path, name: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(package).unwrap()).unwrap();
    let mut bytes = Vec::new();
    zip.by_name(name).unwrap_or_else(|err| panic!("{name} in the package: {err}")).read_to_end(&mut bytes).unwrap();
    bytes
}

#[tokio::test(flavor = "current_thread")]
async fn a_case_is_corrected_in_the_window_and_its_package_says_what_was_corrected() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    // Encrypted first (the app works on no other folder), then filled with the CLI.
    run_cli_json(&["--home", home.to_str().unwrap(), "passphrase", "set"]);
    let case_id = prepare_case(&home, work.path());

    let answer_file = work.path().join("dialog-answer.txt");
    let env = dialog_answer_env(&answer_file);
    let session = AppSession::start_with_env("correct", &home, work.path(), &env).await;
    laptop_size(&session).await;
    click(&session, &format!("tr[data-case-id='{case_id}'] button"), "the case").await;
    let storefront = "[data-testid='slot-storefront_photo']";
    let interior = "[data-testid='slot-interior_photo']";
    session.wait_for(&format!("{storefront}[data-status='missing']"), "the storefront slot, empty").await;
    let wrong = format!("{interior} [data-file-name='门头.jpg']");
    scroll_to(&session, &wrong).await;
    // Thumbnails are asked for as they come into view: the screenshot waits for this one.
    session.wait_for(&format!("{wrong} [data-testid='thumbnail-image']"), "the photo's thumbnail").await;
    session.save_screenshot("1-photo-in-the-wrong-slot").await;

    // 1. 移到…: the storefront photo goes to its slot, and the checklist follows.
    click(&session, &format!("{wrong} [data-testid='file-move']"), "移到… on the misplaced photo").await;
    session
        .wait_for(
            "[data-testid='move-target'] option[value='storefront_photo']",
            "the storefront slot among the targets",
        )
        .await
        .click()
        .await
        .unwrap();
    session.save_screenshot("2-move-dialog").await;
    click(&session, "[data-testid='move-confirm']", "move").await;
    session.wait_for(&format!("{storefront} [data-file-name='门头.jpg']"), "the photo in the storefront slot").await;
    session.wait_until_gone(&wrong, "the photo out of the interior slot").await;
    let status = session.wait_for(storefront, "the storefront slot").await.attr("data-status").await.unwrap();
    assert_ne!(status.as_deref(), Some("missing"), "the checklist follows the move");
    scroll_to(&session, storefront).await;
    session.save_screenshot("3-moved").await;

    // 2. 编辑案件信息: the visit date was a day off; every site photo was "not on the visit date".
    let date_finding = format!("{storefront} [data-file-name='门头.jpg'] [data-code='outside_visit_window']");
    session.wait_for(&date_finding, "the date finding under the wrong visit date").await;
    click(&session, "[data-testid='edit-case']", "编辑案件信息").await;
    retype(&session, "[data-testid='edit-visit-date']", VISIT_DATE).await;
    session.save_screenshot("4-edit-case").await;
    click(&session, "[data-testid='edit-save']", "save the case").await;
    session.wait_until_gone("[data-testid='edit-case-dialog']", "the edit dialog, once saved").await;
    session.wait_until_gone(&date_finding, "the date finding, gone with the right date").await;
    let view = session.wait_for("[data-testid='case-view']", "the case view").await;
    assert!(view.text().await.unwrap().contains(VISIT_DATE), "the new visit date is shown");

    // 3. 接受…: the Rome photo's findings, each with a reason; the dialog cannot be confirmed empty.
    let rome = "[data-testid='slot-manager_with_legal_rep'] [data-file-name='apple-iphone-4-gps.jpg']";
    for (code, reason) in [("outside_site_radius", "商场地下一层,定位漂移"), ("outside_visit_window", "相机时间未校准")]
    {
        let finding = format!("{rome} [data-testid='finding'][data-code='{code}']");
        scroll_to(&session, &finding).await;
        click(&session, &format!("{finding} [data-testid='finding-accept']"), "接受…").await;
        let confirm = session.wait_for("[data-testid='reason-confirm']", "the reason dialog").await;
        assert!(!confirm.is_enabled().await.unwrap(), "an empty reason cannot be confirmed");
        retype(&session, "[data-testid='reason-input']", "   ").await;
        assert!(!confirm.is_enabled().await.unwrap(), "nor one of spaces");
        retype(&session, "[data-testid='reason-input']", reason).await;
        if code == "outside_site_radius" {
            session.save_screenshot("5-accept-dialog").await;
        }
        click(&session, "[data-testid='reason-confirm']", "accept").await;
        let accepted =
            session.wait_for(&format!("{finding} [data-testid='finding-accepted']"), "the finding, accepted").await;
        assert!(accepted.text().await.unwrap().contains(reason));
    }
    scroll_to(&session, rome).await;
    session.save_screenshot("6-accepted").await;

    // 4. 撤回 the stray file: struck through under 已撤回, collapsed; restored and withdrawn again.
    let stray = "[data-testid='slot-risk_rating_form'] [data-file-name='别家店的风险评级表.jpg']";
    for round in 0..2 {
        click(&session, &format!("{stray} [data-testid='file-withdraw']"), "撤回").await;
        let confirm = session.wait_for("[data-testid='reason-confirm']", "the reason dialog").await;
        assert!(!confirm.is_enabled().await.unwrap(), "an empty reason cannot be confirmed");
        retype(&session, "[data-testid='reason-input']", "拍错商户").await;
        click(&session, "[data-testid='reason-confirm']", "withdraw").await;
        session.wait_until_gone(stray, "the stray file, out of its slot").await;
        assert_eq!(count(&session, "[data-testid='withdrawn-file']").await, 0, "已撤回 starts collapsed");
        click(&session, "[data-testid='withdrawn-toggle']", "已撤回").await;
        let listed = session.wait_for("[data-testid='withdrawn-file']", "the withdrawn file").await;
        assert!(listed.text().await.unwrap().contains("拍错商户"));
        assert_eq!(count(&session, "[data-testid='withdrawn-file'] s").await, 1, "struck through");
        if round == 0 {
            scroll_to(&session, "[data-testid='withdrawn-files']").await;
            session.save_screenshot("7-withdrawn").await;
            click(&session, "[data-testid='withdrawn-restore']", "恢复").await;
            session.wait_for(stray, "the stray file, back in its slot").await;
        }
    }

    // Nothing blocks any more: exported without 资料不全也导出.
    wait_until(
        &session,
        "return document.querySelector(\"[data-testid='export-incomplete-step']\") === null",
        "the case is complete, so the export needs no reason",
    )
    .await;
    click(&session, "[data-testid='export']", "export").await;
    let package = save_package_copy(&session, &answer_file, &work.path().join("corrected.zip")).await;
    scroll_to(&session, "[data-testid='export-result']").await;
    session.save_screenshot("8-exported").await;
    session.close().await;

    assert_package_verifies(&home, &package);
    let stray_sha = {
        use sha2::Digest;
        let bytes = std::fs::read(work.path().join("别家店的风险评级表.jpg")).unwrap();
        sha2::Sha256::digest(&bytes).iter().map(|byte| format!("{byte:02x}")).collect::<String>()
    };
    let manifest = String::from_utf8(read_zip(&package, "manifest-sha256.txt")).unwrap();
    assert!(!manifest.contains(&stray_sha), "the withdrawn file's bytes are not in the package");
    let document: Value = serde_json::from_slice(&read_zip(&package, "data/case.json")).unwrap();
    assert_eq!(document["package"]["complete"], true, "{}", document["package"]);
    let withdrawn = &document["withdrawn_files"][0];
    assert_eq!(withdrawn["sha256"], stray_sha.as_str());
    assert_eq!(withdrawn["material"], "risk_rating_form");
    assert_eq!(withdrawn["reason"], "拍错商户");
    let audit = String::from_utf8(read_zip(&package, "audit-log.jsonl")).unwrap();
    assert!(audit.lines().any(|line| line.contains("\"file_withdrawn\"") && line.contains(&stray_sha)));
    for action in ["file_moved", "case_updated", "finding_accepted", "file_restored"] {
        assert!(audit.contains(&format!("\"{action}\"")), "{action} in the package's audit log");
    }
}
