//! The visit workspace at 1366×768 (issue 18): the overview rail jumps to a card and to the
//! next one that needs work, a file opens full size and its stamp and signature are attested
//! in the viewer, and 设置 › 显示英文对照 puts the English beside the Chinese (Chinese alone
//! by default). Screenshots: `tests/e2e/screenshots/workspace-*.png`.

use serde_json::json;

use crate::harness::{
    AppSession, PASSPHRASE, add_with_cli, cli_binary, click, corpus_file, create_case_with_cli, scroll_to, wait_until,
};

/// True once the element's top edge is inside the scrolling main area's visible part.
fn in_view(css: &str) -> String {
    format!(
        "const el = document.querySelector(\"{css}\");
         const main = document.querySelector('.app-main').getBoundingClientRect();
         if (el === null) return false;
         const box = el.getBoundingClientRect();
         return box.top >= main.top - 1 && box.top < main.bottom - 40;"
    )
}

#[tokio::test]
async fn the_rail_jumps_the_viewer_attests_and_english_comes_on_request() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let home_arg = home.to_str().unwrap();
    let case_id = create_case_with_cli(&home, "工作台小店");
    let form_photo = corpus_file("canon-eos-40d.jpg");
    add_with_cli(&home, &case_id, "site_inspection_form", &[&form_photo]);
    let session = AppSession::start("workspace", &home, work.path()).await;
    click(&session, &format!("tr[data-case-id='{case_id}'] [data-testid='open-case']"), "open the case").await;
    session.wait_for("[data-testid='rail']", "the overview rail").await;
    session.save_screenshot("1-case-with-rail").await;

    // Chinese alone by default: no English anywhere in the case view.
    let english = session.client.find_all(fantoccini::Locator::Css("[data-testid='english']")).await.unwrap();
    assert!(english.is_empty(), "{} English texts shown by default", english.len());

    // The rail's entry for the site inspection form: waiting for its stamp and signature.
    let entry = "[data-testid='rail-entry-site_inspection_form']";
    let form = "[data-testid='slot-site_inspection_form']";
    let reasons = session.wait_for(entry, "the form in the rail").await.text().await.unwrap();
    assert!(reasons.contains("待确认"), "the rail says what the form lacks: {reasons:?}");
    assert!(!session.client.execute(&in_view(form), vec![]).await.unwrap().as_bool().unwrap(), "the form starts below");
    click(&session, entry, "the form's rail entry").await;
    wait_until(&session, &in_view(form), "the rail's click brings the form's card into view").await;
    wait_until(
        &session,
        &format!("return document.activeElement === document.querySelector(\"{form}\")"),
        "and puts the focus on it",
    )
    .await;
    session.save_screenshot("2-rail-jumped").await;

    // 下一个待补 goes on to the next entry that needs work, in the rail's order.
    let pending: Vec<(String, String)> = serde_json::from_value(
        session
            .client
            .execute(
                "return Array.from(document.querySelectorAll(\"[data-testid^='rail-entry-'][data-needs-work='true']\"))
                   .map((el) => [el.dataset.testid, el.dataset.anchor]);",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    let after_form = pending
        .iter()
        .position(|(testid, _)| testid == "rail-entry-site_inspection_form")
        .expect("the form needs work");
    let (next, anchor) = pending.get(after_form + 1).unwrap_or(&pending[0]).clone();
    click(&session, "[data-testid='rail-next']", "下一个待补").await;
    wait_until(&session, &in_view(&format!("[id='{anchor}']")), &format!("下一个待补 brings {next}'s card into view"))
        .await;
    let current =
        session.wait_for("[data-testid^='rail-entry-'][aria-current='location']", "the entry jumped to").await;
    assert_eq!(current.attr("data-testid").await.unwrap(), Some(next), "marked in the rail");

    // The form full size: the stamp and signature are attested in the viewer, beside the picture.
    click(&session, &format!("{form} [data-testid='open-viewer']"), "open the form's picture").await;
    let viewer = session.wait_for("[data-testid='viewer']", "the viewer").await;
    assert_eq!(viewer.attr("data-file-name").await.unwrap().as_deref(), Some("canon-eos-40d.jpg"));
    wait_until(
        &session,
        "const img = document.querySelector(\"[data-testid='viewer-image']\");
         return img !== null && img.complete && img.naturalWidth > 0;",
        "the file's own picture in the viewer",
    )
    .await;
    click(&session, "[data-testid='viewer-rotate']", "rotate the view").await;
    let image = session.wait_for("[data-testid='viewer-image'][data-turns='1']", "turned a quarter").await;
    assert!(image.attr("style").await.unwrap().unwrap_or_default().contains("rotate(90deg)"));
    let attested = |mark: &str| {
        format!(
            "const box = document.querySelector(\"[data-testid='viewer'] [data-testid='mark-{mark}']\");
             return box !== null && box.checked && !box.disabled;"
        )
    };
    click(&session, "[data-testid='viewer'] [data-testid='mark-manager_signature']", "attest the signature").await;
    wait_until(&session, &attested("manager_signature"), "the signature is attested in the viewer").await;
    click(&session, "[data-testid='viewer'] [data-testid='mark-branch_stamp']", "attest the stamp").await;
    wait_until(&session, &attested("branch_stamp"), "the stamp is attested in the viewer").await;
    session.save_screenshot("3-viewer-attested").await;
    click(&session, "[data-testid='viewer-close']", "close the viewer").await;
    session.wait_until_gone("[data-testid='viewer']", "the viewer closes").await;
    wait_until(
        &session,
        &format!("return document.querySelector(\"{form}\").dataset.status === 'ok'"),
        "attested in the viewer, the form is ok",
    )
    .await;
    // The core recorded both marks: `intake check` (exit 1, as other materials are missing).
    let output = std::process::Command::new(cli_binary())
        .args(["--home", home_arg, "check", "--case", &case_id, "--json"])
        .env("INTAKE_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).expect("`intake check --json` prints JSON");
    let form_item = shown["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["key"] == "site_inspection_form")
        .expect("the form in `intake check`")
        .clone();
    assert_eq!(form_item["status"], json!("ok"), "the core recorded both marks: {form_item}");

    // 设置 › 显示英文对照: the English beside the Chinese, kept after a restart of the screen.
    click(&session, "[data-testid='nav-settings']", "settings").await;
    click(&session, "[data-testid='show-english']", "show the English").await;
    click(&session, "[data-testid='nav-cases']", "the case list").await;
    let english =
        session.wait_for("[data-testid='nav-cases'] [data-testid='english']", "English beside 案件列表").await;
    assert_eq!(english.attr("lang").await.unwrap().as_deref(), Some("en"));
    let primary = session.wait_for("[data-testid='nav-cases'] .bilingual__primary", "the Chinese").await;
    assert_eq!(primary.attr("lang").await.unwrap().as_deref(), Some("zh-CN"), "the Chinese still leads");
    session.save_screenshot("4-english-alongside").await;
    click(&session, "[data-testid='nav-settings']", "settings").await;
    click(&session, "[data-testid='show-english']", "hide the English again").await;
    session.wait_until_gone("[data-testid='english']", "Chinese alone again").await;
    scroll_to(&session, "[data-testid='show-english']").await;
    session.close().await;
}
