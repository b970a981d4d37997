//! Issue 21 through the window: a business licence and an ID card imported into their slots are
//! read (off the UI thread), the empty fields are offered what was read (读取自营业执照, with the
//! confidence), and a credit code typed differently from the licence's, like a merchant name
//! that is not the licence's, is found on the licence. A passport chosen as the legal
//! representative's ID type turns the ID slot into the passport's one page. The documents are the OCR crate's
//! synthetic fixtures (made-up company and person; values in its tests/fixtures/truth.json).
//! Screenshots: `tests/e2e/screenshots/documents-*.png`.

use std::path::{Path, PathBuf};

use fantoccini::Locator;

use crate::harness::{AppSession, click, create_case_with_cli, dialog_answer_env, retype, scroll_to, wait_until};

/// What the fixtures say (truth.json).
const LICENCE_USCC: &str = "91440106RFRYG5GG5Q";
const CARD_NUMBER: &str = "420102200007022986";
/// A valid credit code that is not the licence's.
const OTHER_USCC: &str = "91350100M000100Y43";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/intake-ocr/tests/fixtures").join(name)
}

/// Adds `file` to the slot of `material` through the (answered) file dialog.
async fn add(session: &AppSession, answer_file: &Path, material: &str, file: &Path) {
    std::fs::write(answer_file, file.display().to_string()).unwrap();
    let slot = format!("[data-testid='slot-{material}']");
    click(session, &format!("{slot} [data-testid='add-files']"), "add a document").await;
    session.wait_for(&format!("{slot} [data-testid='import-result']"), "the import finishes").await;
}

#[tokio::test(flavor = "current_thread")]
async fn documents_imported_in_the_window_are_read_offered_and_checked_against_the_case() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    // Not the licence's name (广州天和文化传媒商行): a mismatch to be found.
    let case_id = create_case_with_cli(&home, "沪上小面馆");
    let answer_file = work.path().join("dialog-answer.txt");
    let env = dialog_answer_env(&answer_file);
    let session = AppSession::start_with_env("documents", &home, work.path(), &env).await;
    session.client.set_window_size(1366, 768).await.expect("the window can be resized");
    click(&session, &format!("tr[data-case-id='{case_id}'] [data-testid='open-case']"), "open the case").await;

    // The licence: read, and its credit code offered for the empty field.
    add(&session, &answer_file, "business_license", &fixture("business_license-01-clean.jpg")).await;
    let uscc = "[data-testid='field-uscc']";
    let offer = session
        .wait_for(&format!("{uscc} [data-testid='field-offer'][data-source='business_license']"), "the offered code")
        .await;
    let offered = session.wait_for(&format!("{uscc} [data-testid='field-offer-value']"), "the value").await;
    assert_eq!(offered.text().await.unwrap().trim(), LICENCE_USCC, "the code read off the licence");
    assert!(offer.text().await.unwrap().contains("营业执照"), "says where it was read");
    scroll_to(&session, uscc).await;
    session.save_screenshot("1-offered").await;

    // Taken, then corrected by hand to another (valid) code and saved: kept as typed, and the
    // difference is an error on the licence.
    click(&session, &format!("{uscc} [data-testid='field-offer-use']"), "填入此值").await;
    retype(&session, &format!("{uscc} [data-testid='field-input']"), OTHER_USCC).await;
    click(&session, &format!("{uscc} [data-testid='field-save']"), "save the code").await;
    let slot = "[data-testid='slot-business_license']";
    let mismatch = session
        .wait_for(&format!("{slot} [data-testid='finding'][data-code='licence_uscc_mismatch']"), "the code mismatch")
        .await;
    session
        .wait_for(&format!("{slot} [data-testid='finding'][data-code='licence_name_mismatch']"), "the name mismatch")
        .await;
    assert!(
        mismatch.attr("class").await.unwrap().unwrap_or_default().contains("finding--error"),
        "a code that differs is an error"
    );
    scroll_to(&session, slot).await;
    session.save_screenshot("2-mismatch-found").await;

    // The ID card's portrait side: its number offered for the empty field.
    add(&session, &answer_file, "legal_rep_id", &fixture("id_front-01-clean.jpg")).await;
    let number = "[data-testid='field-legal_rep_id_number']";
    session.wait_for(&format!("{number} [data-testid='field-offer']"), "the offered ID number").await;
    let offered = session.wait_for(&format!("{number} [data-testid='field-offer-value']"), "the number").await;
    assert_eq!(offered.text().await.unwrap().trim(), CARD_NUMBER, "the number read off the card");
    scroll_to(&session, number).await;
    session.save_screenshot("3-id-number-offered").await;

    // A copy of both sides on one page: ticked 正反面在同一文件, the one file counts for two.
    let id_slot = "[data-testid='slot-legal_rep_id']";
    scroll_to(&session, id_slot).await;
    click(&session, &format!("{id_slot} [data-testid='mark-both_sides']"), "正反面在同一文件").await;
    wait_until(
        &session,
        "const slot = document.querySelector(\"[data-testid='slot-legal_rep_id']\");
         return !!slot && slot.querySelector('.slot__count').textContent.trim() === '2/2';",
        "the copy of both sides counts for two files",
    )
    .await;
    session.save_screenshot("3a-both-sides-in-one-file").await;

    // A legal representative with a passport: once the type is chosen, the ID slot asks for
    // its one page (法人护照, 1 file) instead of two sides with a 国徽面, and the number read
    // off an ID card is no longer offered.
    let id_type = "[data-testid='field-legal_rep_id_type']";
    scroll_to(&session, id_type).await;
    let select = session.wait_for(&format!("{id_type} select"), "the ID type").await;
    select.select_by_value("passport").await.expect("护照 can be chosen");
    click(&session, &format!("{id_type} [data-testid='field-save']"), "save the ID type").await;
    wait_until(
        &session,
        "const slot = document.querySelector(\"[data-testid='slot-legal_rep_id']\");
         return !!slot && slot.querySelector('.slot__title').textContent.includes('法人护照')
           && slot.querySelector('.slot__count').textContent.trim() === '1/1';",
        "the ID slot asks for the passport's one page",
    )
    .await;
    session.wait_until_gone(&format!("{number} [data-testid='field-offer']"), "the ID card's number, offered").await;
    scroll_to(&session, "[data-testid='slot-legal_rep_id']").await;
    session.save_screenshot("3b-passport-slot").await;

    // The GPS 定位截图 of a case with no premises yet: its position is offered as the premises',
    // taken by the button (never silently), and then the screenshot is inside the premises.
    add(&session, &answer_file, "gps_screenshot", &fixture("gps_screenshot-01-clean.jpg")).await;
    let gps = "[data-testid='slot-gps_screenshot']";
    session
        .wait_for(&format!("{gps} [data-testid='finding'][data-code='screenshot_position_offered']"), "the offer")
        .await;
    scroll_to(&session, "[data-testid='site-offer']").await;
    session.save_screenshot("4-site-offered").await;
    click(&session, "[data-testid='site-offer-use']", "设为经营场所位置").await;
    session.wait_until_gone("[data-testid='site-offer']", "the offer, once taken").await;
    session
        .wait_until_gone(&format!("{gps} [data-testid='finding'][data-code='screenshot_position_offered']"), "taken")
        .await;
    let case = crate::harness::run_cli_json(&["--home", home.to_str().unwrap(), "case", "show", &case_id]);
    assert_eq!(case["site"]["datum"], "gcj02", "the premises as read, in the map's datum: {case}");
    assert!(
        session
            .client
            .find(Locator::Css(&format!("{gps} [data-testid='finding'][data-code='screenshot_outside_site_radius']")))
            .await
            .is_err(),
        "the screenshot is at the premises it gave"
    );
    session.close().await;
}
