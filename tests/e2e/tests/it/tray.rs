//! Issue 18, item 6's 未分类 tray through the window, at 1366×768: a whole phone folder taken in
//! at once (the folder "dialog" is the test seam, as WebDriver cannot drive a native dialog or
//! a native drag), each file shown with its thumbnail, what the core takes it for and the
//! material it suggests; files assigned one by one and as a multi-selection, one withdrawn
//! with a reason; the tray's files block 提交前检查 until then; afterwards each file is in its
//! slot with its findings. Then files dragged and dropped on the window (through the drop
//! seam, as WebDriver cannot drag from the desktop): the tray or a card lights up under them,
//! and they land where they are dropped. Screenshots: `tests/e2e/screenshots/tray-*.png`,
//! `drop-*.png`.

use crate::harness::{
    AppSession, assert_window_fits_the_screen, click, corpus_file, create_case_at_site_with_cli, dialog_answer_env,
    scroll_to, wait_until,
};

/// A phone folder as copied to the laptop: three camera photos, a screenshot and a PDF.
fn phone_folder(root: &std::path::Path) -> std::path::PathBuf {
    let folder = root.join("DCIM");
    std::fs::create_dir_all(&folder).unwrap();
    for name in ["google-pixel-gps.jpg", "samsung-sm-g930f-gps.jpg", "nikon-coolpix-p6000-gps.jpg"] {
        std::fs::copy(corpus_file(name), folder.join(name)).unwrap();
    }
    std::fs::copy(corpus_file("png-no-exif.png"), folder.join("Screenshot_20261206-101500.png")).unwrap();
    std::fs::write(folder.join("租赁合同.pdf"), b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n").unwrap();
    folder
}

fn tray_file(name: &str) -> String {
    format!("[data-testid='tray-file'][data-name='{name}']")
}

#[tokio::test]
async fn a_phone_folder_goes_into_the_tray_and_each_file_is_assigned_to_its_slot_with_its_findings() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    // Premises in Shanghai, visit in 2026: the corpus photos (taken elsewhere, years ago) get
    // the position and date findings once they are in a site-photo slot.
    let case_id = create_case_at_site_with_cli(&home, "未分类小店", "2026-12-06", ("31.2304", "121.4737"));
    let folder = phone_folder(work.path());
    let answer_file = work.path().join("dialog-answer.txt");
    // The "folder dialog" answers with the phone folder (dialog_answer_env empties the file first).
    let env = dialog_answer_env(&answer_file);
    std::fs::write(&answer_file, folder.display().to_string()).unwrap();
    let session = AppSession::start_with_env("tray", &home, work.path(), &env).await;
    assert_window_fits_the_screen(&session).await;
    click(&session, &format!("tr[data-case-id='{case_id}'] [data-testid='open-case']"), "open the case").await;

    // The whole folder at once.
    click(&session, "[data-testid='tray-import-folder']", "导入整个文件夹到未分类").await;
    let result =
        session.wait_for("[data-testid='unsorted-tray'] [data-testid='import-result']", "the import's result").await;
    let said = result.text().await.unwrap();
    assert!(said.contains('5'), "five files imported: {said:?}");
    wait_until(
        &session,
        "return document.querySelectorAll(\"[data-testid='tray-file']\").length === 5;",
        "the five files in the tray",
    )
    .await;
    // Thumbnails of the pictures, and the core's suggestion preselected, never applied.
    wait_until(
        &session,
        "return document.querySelectorAll(\"[data-testid='tray-file'] [data-testid='thumbnail-image']\").length >= 3;",
        "thumbnails of the photos",
    )
    .await;
    let suggested = |name: &str| {
        format!(
            "const card = document.querySelector(\"{}\");
             return [card.dataset.kind, card.dataset.suggested,
                     card.querySelector(\"[data-testid='tray-assign-select']\").value];",
            tray_file(name)
        )
    };
    for (name, kind, material) in [
        ("google-pixel-gps.jpg", "camera_photo", "storefront_photo"),
        ("nikon-coolpix-p6000-gps.jpg", "camera_photo", "interior_photo"),
        ("Screenshot_20261206-101500.png", "screenshot", "gps_screenshot"),
    ] {
        let shown = session.client.execute(&suggested(name), vec![]).await.unwrap();
        assert_eq!(shown, serde_json::json!([kind, material, material]), "{name}");
    }
    let pdf = session.client.execute(&suggested("租赁合同.pdf"), vec![]).await.unwrap();
    assert_eq!(pdf[0], "document", "the PDF is taken for a document: {pdf}");
    // Nothing assigned yet: every slot is empty, and the tray blocks the export.
    let in_slots = session.client.find_all(fantoccini::Locator::Css("[data-testid='file']")).await.unwrap();
    assert!(in_slots.is_empty(), "a suggestion is never applied by itself");
    let problems = session.wait_for("[data-testid='blocking-problems']", "提交前检查").await.text().await.unwrap();
    assert!(problems.contains("未分类:5 个文件尚未分配或撤回"), "{problems}");
    scroll_to(&session, "[data-testid='unsorted-tray']").await;
    session.save_screenshot("1-folder-in-tray").await;

    // One file with its suggestion (the default choice), one with another choice.
    click(&session, &format!("{} [data-testid='tray-assign']", tray_file("google-pixel-gps.jpg")), "分配").await;
    session.wait_until_gone(&tray_file("google-pixel-gps.jpg"), "the assigned photo leaves the tray").await;
    click(&session, &format!("{} [data-testid='tray-assign']", tray_file("Screenshot_20261206-101500.png")), "分配")
        .await;
    session.wait_until_gone(&tray_file("Screenshot_20261206-101500.png"), "the screenshot leaves the tray").await;

    // A multi-selection to one material.
    for name in ["samsung-sm-g930f-gps.jpg", "nikon-coolpix-p6000-gps.jpg"] {
        click(&session, &format!("{} [data-testid='tray-select']", tray_file(name)), "select").await;
    }
    let bulk = session.wait_for("[data-testid='tray-bulk-select']", "分配到").await;
    bulk.select_by_value("interior_photo").await.unwrap();
    scroll_to(&session, "[data-testid='unsorted-tray']").await;
    session.save_screenshot("2-multi-selection").await;
    click(&session, "[data-testid='tray-bulk-assign']", "分配所选").await;
    session.wait_until_gone(&tray_file("samsung-sm-g930f-gps.jpg"), "the selection leaves the tray").await;

    // The PDF does not belong here: withdrawn with a reason.
    click(&session, &format!("{} [data-testid='tray-select']", tray_file("租赁合同.pdf")), "select the PDF").await;
    click(&session, "[data-testid='tray-withdraw']", "撤回选中的文件…").await;
    let reason = session.wait_for("[data-testid='reason-input']", "the reason").await;
    reason.send_keys("与本案无关").await.unwrap();
    click(&session, "[data-testid='reason-confirm']", "撤回").await;
    wait_until(
        &session,
        "return document.querySelector(\"[data-testid='unsorted-tray']\").dataset.count === '0';",
        "the tray is empty",
    )
    .await;

    // Each file in its slot, with the findings a direct import gives.
    let storefront = "[data-testid='slot-storefront_photo']";
    let pixel = format!("{storefront} [data-testid='file'][data-file-name='google-pixel-gps.jpg']");
    session.wait_for(&format!("{pixel} [data-testid='finding'][data-code='outside_site_radius']"), "far away").await;
    session
        .wait_for(&format!("{pixel} [data-testid='finding'][data-code='outside_visit_window']"), "another day")
        .await;
    session
        .wait_for(
            "[data-testid='slot-gps_screenshot'] [data-testid='file'][data-file-name='Screenshot_20261206-101500.png']",
            "the screenshot in the GPS screenshot's slot",
        )
        .await;
    wait_until(
        &session,
        "return document.querySelectorAll(\"[data-testid='slot-interior_photo'] [data-testid='file']\").length === 2;",
        "both photos of the selection in the interior's slot",
    )
    .await;
    let interior = session.wait_for("[data-testid='slot-interior_photo']", "interior").await.text().await.unwrap();
    assert!(interior.contains("距离经营场所过远"), "the interior photos' findings: {interior}");
    let problems = session.wait_for("[data-testid='blocking-problems']", "提交前检查").await.text().await.unwrap();
    assert!(!problems.contains("未分类"), "nothing waits in the tray any more: {problems}");
    scroll_to(&session, storefront).await;
    session.save_screenshot("3-assigned-in-slots").await;

    // The withdrawn PDF is listed with its reason (and restorable), like any withdrawn file.
    click(&session, "[data-testid='withdrawn-toggle']", "已撤回").await;
    let withdrawn = session.wait_for("[data-testid='withdrawn-file']", "the PDF, withdrawn").await;
    let text = withdrawn.text().await.unwrap();
    assert!(text.contains("租赁合同.pdf") && text.contains("与本案无关"), "listed as {text:?}");
    session.close().await;
}

/// The middle of an element's top part, in CSS pixels of the window, once scrolled into view.
async fn drop_point(session: &AppSession, css: &str) -> (f64, f64) {
    scroll_to(session, css).await;
    let script = format!(
        "const box = document.querySelector(\"{css}\").getBoundingClientRect();
         return [box.left + box.width / 2, box.top + Math.min(box.height / 2, 40)];"
    );
    let at = session.client.execute(&script, vec![]).await.unwrap();
    (at[0].as_f64().unwrap(), at[1].as_f64().unwrap())
}

/// Plays a drag or a drop through the app's test seam (`INTAKE_TEST_DROP`): WebDriver cannot
/// drag files from the desktop. Written whole (temp file, rename), as the seam expects.
fn play_drop(drop_file: &std::path::Path, lines: &str) {
    let temp = drop_file.with_extension("tmp");
    std::fs::write(&temp, lines).unwrap();
    std::fs::rename(&temp, drop_file).unwrap();
}

#[tokio::test]
async fn files_dragged_over_the_window_light_up_the_tray_or_a_card_and_land_where_they_are_dropped() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let case_id = create_case_at_site_with_cli(&home, "拖放小店", "2026-12-06", ("31.2304", "121.4737"));
    let folder = phone_folder(work.path());
    let drop_file = work.path().join("drop.txt");
    let env = [("INTAKE_TEST_DROP".to_string(), drop_file.display().to_string())];
    let session = AppSession::start_with_env("drop", &home, work.path(), &env).await;
    click(&session, &format!("tr[data-case-id='{case_id}'] [data-testid='open-case']"), "open the case").await;
    session.wait_for("[data-testid='unsorted-tray']", "the tray").await;

    // Dragging over the tray lights it up and says where the files will go.
    let (x, y) = drop_point(&session, "[data-testid='unsorted-tray']").await;
    play_drop(&drop_file, &format!("over {x} {y}\n"));
    let banner = session.wait_for("[data-testid='unsorted-tray'] [data-testid='drop-banner']", "松开添加到").await;
    let said = banner.text().await.unwrap();
    assert!(said.contains("松开添加到") && said.contains("未分类"), "{said:?}");
    session.save_screenshot("1-dragging-over-the-tray").await;

    // The whole phone folder dropped there: its five files wait in the tray, the light goes out.
    play_drop(&drop_file, &format!("drop {x} {y}\n{}\n", folder.display()));
    wait_until(
        &session,
        "return document.querySelectorAll(\"[data-testid='tray-file']\").length === 5;",
        "the folder's five files in the tray",
    )
    .await;
    session.wait_until_gone("[data-testid='drop-banner']", "no slot lit up after the drop").await;

    // A photo dropped on the storefront card goes straight into that slot, not the tray.
    let storefront = "[data-testid='slot-storefront_photo']";
    let (x, y) = drop_point(&session, storefront).await;
    play_drop(&drop_file, &format!("over {x} {y}\n"));
    session.wait_for(&format!("{storefront} [data-testid='drop-banner']"), "the storefront card lit up").await;
    let photo = corpus_file("canon-eos-40d.jpg");
    play_drop(&drop_file, &format!("drop {x} {y}\n{}\n", photo.display()));
    session
        .wait_for(
            &format!("{storefront} [data-testid='file'][data-file-name='canon-eos-40d.jpg']"),
            "the dropped photo in 门头照片",
        )
        .await;
    let in_tray = session
        .client
        .execute("return document.querySelectorAll(\"[data-testid='tray-file']\").length;", vec![])
        .await
        .unwrap();
    assert_eq!(in_tray, 5, "the card's drop did not go to the tray");
}
