//! 设置 › 检查阈值 through the window: a number and a word list changed in the form change the
//! findings of a photo already imported (judged again when the case opens, without re-import),
//! a malformed chat-app line is refused in place, and 恢复默认 takes the findings back.
//! Screenshots: `tests/e2e/screenshots/thresholds-*.png`.

use crate::harness::{
    AppSession, add_with_cli, click, corpus_file, create_case_with_cli, retype, run_cli_json, scroll_to,
};

/// 1012 x 759 px, so `low_resolution` by default (longer side under 1280), and Google's HDR+
/// pipeline in its Software tag, which the default editor list does not name. It also always
/// has `time_gps_mismatch`, so its findings list is there whatever the thresholds.
const PHOTO: &str = "google-pixel-gps.jpg";

/// The Enter key, as WebDriver sends it: a new line in a text area ("\n" is not typed).
const ENTER: char = '\u{E007}';

fn finding(code: &str) -> String {
    format!("[data-file-name='{PHOTO}'] [data-testid='finding'][data-code='{code}']")
}

async fn open_case(session: &AppSession, case_id: &str) {
    click(session, "[data-testid='nav-cases']", "the case list button").await;
    click(session, &format!("tr[data-case-id='{case_id}'] button"), "the case").await;
    session.wait_for(&format!("[data-file-name='{PHOTO}']"), "the imported photo").await;
}

/// Whether the photo shows the finding `code`, once the case view has loaded its findings.
async fn shows(session: &AppSession, code: &str) -> bool {
    // The case view renders once, with the check's answer.
    session.wait_for(&format!("[data-file-name='{PHOTO}'] [data-testid='finding']"), "the photo's findings").await;
    !session.client.find_all(fantoccini::Locator::Css(&finding(code))).await.unwrap().is_empty()
}

#[tokio::test(flavor = "current_thread")]
async fn thresholds_changed_in_settings_judge_the_imported_photos_again() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let home_arg = home.to_str().unwrap();
    let case_id = create_case_with_cli(&home, "沪上小面馆");
    let photo = corpus_file(PHOTO);
    add_with_cli(&home, &case_id, "interior_photo", &[&photo]);

    let session = AppSession::start("thresholds", &home, work.path()).await;
    open_case(&session, &case_id).await;
    assert!(!shows(&session, "edited_software").await, "HDR+ is no editor by default");
    assert!(shows(&session, "low_resolution").await, "1012 px is under the default 1280");

    // A longer side of 1000 px is enough, and HDR+ is added to the editors, one per line.
    click(&session, "[data-testid='nav-settings']", "the settings button").await;
    retype(&session, "[data-testid='threshold-min_long_side_px']", "1000").await;
    // The spread of a visit's site photos (apart_from_other_photos), in hours.
    retype(&session, "[data-testid='threshold-site_photo_spread_hours']", "3").await;
    let editors = session.wait_for("[data-testid='threshold-editing_software']", "the editor list").await;
    let listed = editors.prop("value").await.unwrap().unwrap_or_default();
    assert!(listed.lines().any(|line| line == "Photoshop"), "the stored list is shown one per line: {listed:?}");
    editors.send_keys(&format!("{ENTER}HDR+")).await.unwrap();
    // A chat-app line without "=" is refused where it is, and nothing is saved.
    let chat = session.wait_for("[data-testid='threshold-chat_app_file_names']", "the chat-app list").await;
    chat.send_keys(&format!("{ENTER}QQ only")).await.unwrap();
    click(&session, "[data-testid='thresholds-save']", "save the thresholds").await;
    let problem = "[data-testid='thresholds'] [role='alert']";
    let shown = session.wait_for(problem, "the malformed chat-app line, named").await;
    assert!(shown.text().await.unwrap().contains("QQ only"));
    scroll_to(&session, problem).await;
    session.save_screenshot("1-bad-line").await;
    let stored = run_cli_json(&["--home", home_arg, "settings"]);
    assert_eq!(stored["thresholds"]["min_long_side_px"], 1280, "nothing saved while a line is wrong: {stored}");
    retype(&session, "[data-testid='threshold-chat_app_file_names']", "微信 WeChat = ^mmexport\\d+\\.jpg$").await;
    click(&session, "[data-testid='thresholds-save']", "save the thresholds").await;
    session.wait_for("[data-testid='thresholds-saved']", "the thresholds are saved").await;
    session.save_screenshot("2-saved").await;
    let stored = run_cli_json(&["--home", home_arg, "settings"]);
    assert_eq!(stored["thresholds"]["site_photo_spread_hours"], 3.0, "{stored}");
    scroll_to(&session, "[data-testid='threshold-site_photo_spread_hours']").await;
    session.save_screenshot("2b-spread-hours").await;

    let stored = run_cli_json(&["--home", home_arg, "settings"]);
    let thresholds = &stored["thresholds"];
    assert_eq!(thresholds["min_long_side_px"], 1000, "{stored}");
    assert!(thresholds["editing_software"].as_array().unwrap().iter().any(|word| word == "HDR+"), "{stored}");
    assert_eq!(
        thresholds["chat_app_file_names"],
        serde_json::json!([{ "app": "微信 WeChat", "pattern": "^mmexport\\d+\\.jpg$" }]),
        "the chat-app lines as typed, split at the first '='"
    );

    // The photo is judged again by the new thresholds when its case opens.
    open_case(&session, &case_id).await;
    session.wait_for(&finding("edited_software"), "HDR+ now counts as an editor").await;
    assert!(!shows(&session, "low_resolution").await, "1012 px is enough now");
    scroll_to(&session, &format!("[data-file-name='{PHOTO}']")).await;
    session.save_screenshot("3-findings").await;

    // 恢复默认: the findings go again.
    click(&session, "[data-testid='nav-settings']", "the settings button").await;
    click(&session, "[data-testid='thresholds-reset']", "restore the defaults").await;
    session.wait_for("[data-testid='thresholds-saved']", "the defaults are restored").await;
    open_case(&session, &case_id).await;
    assert!(!shows(&session, "edited_software").await, "the default editors again");
    assert!(shows(&session, "low_resolution").await, "the default 1280 px again");
    session.close().await;
}
