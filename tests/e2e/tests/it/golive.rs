//! Go-live materials through the window: a case that opens an account owes its 上线申请表 and
//! 测试报告 at go-live, not at the visit. Their cards say 上线投产时提供, the overview rail does
//! not count them as work to do now and says how many are owed later, and the case can be
//! submitted without them. Screenshots: `tests/e2e/screenshots/golive-*.png`.

use crate::harness::{AppSession, PASSPHRASE, cli_binary, click, run_cli_json, scroll_to, wait_until};

#[tokio::test]
async fn go_live_materials_are_shown_as_owed_at_go_live_not_as_missing_work() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let home_arg = home.to_str().unwrap();
    let case = run_cli_json(&[
        "--home",
        home_arg,
        "case",
        "new",
        "--merchant-name",
        "开户小店",
        "--opens-payment",
        "--opens-account",
    ]);
    let case_id = case["id"].as_str().unwrap().to_string();
    let session = AppSession::start("golive", &home, work.path()).await;
    session.client.set_window_size(1366, 768).await.expect("the window can be resized");
    click(&session, &format!("tr[data-case-id='{case_id}'] [data-testid='open-case']"), "open the case").await;
    session.wait_for("[data-testid='rail']", "the overview rail").await;

    for key in ["golive_application", "test_report"] {
        let badge = session
            .wait_for(
                &format!("[data-testid='slot-{key}'] [data-testid='slot-to-follow'][data-due-at-golive='true']"),
                "the card's 上线投产时提供",
            )
            .await;
        assert!(badge.text().await.unwrap().contains("上线投产时提供"), "{key}");
        let entry = session.wait_for(&format!("[data-testid='rail-entry-{key}']"), "its rail entry").await;
        assert_eq!(entry.attr("data-needs-work").await.unwrap().as_deref(), Some("false"), "{key} is owed later");
        assert!(entry.text().await.unwrap().contains("上线投产时提供"), "{key}: the rail says when");
    }
    let due = session.wait_for("[data-testid='rail-due-at-golive']", "the count owed at go-live").await;
    assert!(due.text().await.unwrap().contains("另有 2 项上线投产时提供"), "{}", due.text().await.unwrap());
    // The progress counts what is owed now: every required material but the two.
    let checklist = run_cli_json(&["checklist", "--opens-payment", "--opens-account"]);
    let required = checklist["items"].as_array().unwrap().iter().filter(|item| item["required"] == true).count();
    wait_until(
        &session,
        &format!(
            "return document.querySelector(\"[data-testid='rail-progress']\").dataset.required === '{}';",
            required - 2
        ),
        "the progress is over the materials owed now",
    )
    .await;
    scroll_to(&session, "[data-testid='slot-golive_application']").await;
    session.save_screenshot("1-owed-at-go-live").await;

    // In the case list, the draft's 待补 N 项 leaves out the two owed at go-live. (`check` exits
    // 1 while the case blocks, so it is run here rather than through run_cli_json.)
    let check = std::process::Command::new(cli_binary())
        .args(["--home", home_arg, "--json", "check", "--case", &case_id])
        .env("INTAKE_PASSPHRASE", PASSPHRASE)
        .output()
        .expect("intake check runs");
    let check: serde_json::Value = serde_json::from_slice(&check.stdout).expect("check --json prints JSON");
    let count = |key: &str| check["summary"][key].as_u64().unwrap();
    assert_eq!(count("due_at_golive"), 2, "{check}");
    let to_do = count("required") - count("ok") - 2 + count("fields_missing") + count("fields_invalid");
    click(&session, "[data-testid='back']", "back to the list").await;
    let badge = session.wait_for(&format!("tr[data-case-id='{case_id}'] [data-testid='case-status']"), "badge").await;
    let text = badge.text().await.unwrap();
    assert!(text.contains(&format!("待补 {to_do} 项")), "{text:?}, expected 待补 {to_do} 项");
    session.close().await;
}
