//! 备注 in the window (issue 16, item 5): a note written on a file (法人不在场，以视频代替) shows
//! under its card, a note on the case in the case's 备注 section, and both are the core's (the
//! CLI's `intake case show --json` lists them; the package takes them from there). Screenshots at
//! 1366x768: `tests/e2e/screenshots/notes-*.png`.

use std::path::Path;

use serde_json::Value;

use crate::harness::{
    AppSession, click, corpus_file, create_case_with_cli, retype, run_cli_json, scroll_to, wait_until,
};

const FILE_NOTE: &str = "法人不在场，以视频代替";
const CASE_NOTE: &str = "商户下午营业，门头照片为下午两点拍摄";

fn cli(home: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--home", home.to_str().unwrap()];
    all.extend_from_slice(args);
    run_cli_json(&all)
}

#[tokio::test(flavor = "current_thread")]
async fn a_note_written_on_a_file_in_the_window_shows_under_it_and_is_recorded() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let case_id = create_case_with_cli(&home, "沪上小面馆");
    cli(&home, &["settings", "--branch", "上海分公司", "--manager", "张三"]);
    let photo = corpus_file("canon-eos-40d.jpg");
    cli(&home, &["add", "--case", &case_id, "--material", "storefront_photo", photo.to_str().unwrap()]);

    let session = AppSession::start("notes", &home, work.path()).await;
    session.client.set_window_size(1366, 768).await.expect("the window can be resized");
    click(&session, &format!("tr[data-case-id='{case_id}'] button"), "the case").await;
    let card = "[data-testid='slot-storefront_photo'] [data-testid='file']";
    scroll_to(&session, card).await;

    // 备注… on the file: the dialog cannot be confirmed empty.
    click(&session, &format!("{card} [data-testid='file-note']"), "备注… on the storefront photo").await;
    let confirm = session.wait_for("[data-testid='reason-confirm']", "the note dialog's button").await;
    assert!(!confirm.is_enabled().await.unwrap(), "an empty note cannot be added");
    retype(&session, "[data-testid='reason-input']", FILE_NOTE).await;
    session.save_screenshot("1-file-note-dialog").await;
    click(&session, "[data-testid='reason-confirm']", "add the note").await;
    session.wait_until_gone("[data-testid='reason-dialog']", "the note dialog, once the note is added").await;
    let shown = session
        .wait_for(&format!("{card} [data-testid='file-note-list'] [data-testid='note']"), "the note under the card")
        .await
        .text()
        .await
        .unwrap();
    assert!(shown.contains(FILE_NOTE) && shown.contains("张三"), "{shown:?}");
    scroll_to(&session, card).await;
    session.save_screenshot("2-file-note-shown").await;

    // A note on the case, in its own section; the file's note is not listed there.
    scroll_to(&session, "[data-testid='case-notes']").await;
    retype(&session, "[data-testid='case-note-input']", CASE_NOTE).await;
    click(&session, "[data-testid='case-note-add']", "add the case note").await;
    wait_until(
        &session,
        "return document.querySelectorAll(\"[data-testid='case-note-list'] [data-testid='note']\").length === 1",
        "one note on the case",
    )
    .await;
    let listed = session.wait_for("[data-testid='case-note-list']", "the case's notes").await.text().await.unwrap();
    assert!(listed.contains(CASE_NOTE) && !listed.contains(FILE_NOTE), "{listed:?}");
    let input = session.wait_for("[data-testid='case-note-input']", "the case note box").await;
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some(""), "the box is emptied once the note is added");
    scroll_to(&session, "[data-testid='case-notes']").await;
    session.save_screenshot("3-case-note").await;
    session.close().await;

    // The core has both, the file's with the file's name and SHA-256.
    let notes = cli(&home, &["case", "show", &case_id]);
    let notes = notes["notes"].as_array().cloned().unwrap_or_default();
    let file_note = notes.iter().find(|note| note["text"] == FILE_NOTE);
    let case_note = notes.iter().find(|note| note["text"] == CASE_NOTE);
    assert!(file_note.is_some_and(|note| note["file_name"] == "canon-eos-40d.jpg"), "{notes:?}");
    assert!(case_note.is_some_and(|note| note["evidence_id"].is_null()), "{notes:?}");
}
