//! Issue 19, item 1 through the window: a photo appears in its slot as soon as it is stored
//! and its metadata read, with 正在检查画面… for its pixel checks, then its thumbnail fills in.
//! Deterministic, not a race: the app's pixel checks are held by the `INTAKE_TEST_HOLD_PIXEL_CHECKS`
//! test seam (they wait while the file it names exists) until the test has seen and
//! photographed the first phase, then released by deleting that file.
//! Screenshots: `tests/e2e/screenshots/import-phases-*.png`.

use crate::harness::{AppSession, click, corpus_file, create_case_with_cli, dialog_answer_env, scroll_to};

#[tokio::test]
async fn a_photo_shows_in_its_slot_before_its_pixel_checks_and_its_thumbnail_fills_in_after() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let case_id = create_case_with_cli(&home, "两阶段导入小店");
    let answer_file = work.path().join("dialog-answer.txt");
    // Made (empty) by dialog_answer_env, so the answer is written after it.
    let mut env = dialog_answer_env(&answer_file).to_vec();
    std::fs::write(&answer_file, corpus_file("google-pixel-gps.jpg").display().to_string()).unwrap();
    let hold = work.path().join("hold-pixel-checks");
    std::fs::write(&hold, b"held until the test has seen the first phase").unwrap();
    env.push(("INTAKE_TEST_HOLD_PIXEL_CHECKS".to_string(), hold.display().to_string()));
    let session = AppSession::start_with_env("import-phases", &home, work.path(), &env).await;
    click(&session, &format!("tr[data-case-id='{case_id}'] [data-testid='open-case']"), "open the case").await;
    let storefront = "[data-testid='slot-storefront_photo']";
    click(&session, &format!("{storefront} [data-testid='add-files']"), "add a photo").await;

    // First phase: the card is there with its pending state, no thumbnail yet, and the import
    // is still running (it returns once both phases are done).
    let card = format!("{storefront} [data-testid='file'][data-file-name='google-pixel-gps.jpg']");
    let pending = session.wait_for(&format!("{card} [data-testid='pixel-checks-pending']"), "正在检查画面…").await;
    assert!(pending.text().await.unwrap().contains("正在检查画面"), "the pending state is worded for the manager");
    assert!(
        session
            .client
            .find(fantoccini::Locator::Css(&format!("{card} [data-testid='thumbnail-image']")))
            .await
            .is_err(),
        "no thumbnail before the pixel checks"
    );
    session.wait_for(&format!("{storefront} [data-testid='import-progress']"), "the import still running").await;
    assert!(hold.exists(), "the pixel checks were held throughout");
    scroll_to(&session, &card).await;
    session.save_screenshot("1-stored-pixels-pending").await;

    // Second phase, released: the thumbnail fills in, the pending state goes, the import ends.
    std::fs::remove_file(&hold).unwrap();
    session.wait_for(&format!("{card} [data-testid='thumbnail-image']"), "the thumbnail, after the pixel checks").await;
    session.wait_until_gone(&format!("{card} [data-testid='pixel-checks-pending']"), "正在检查画面… gone").await;
    session.wait_for(&format!("{storefront} [data-testid='import-result']"), "the import finishes").await;
    scroll_to(&session, &card).await;
    session.save_screenshot("2-pixels-checked").await;
    session.close().await;
}
