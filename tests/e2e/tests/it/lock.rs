//! The app never works on personal data in clear: a new data folder starts on 设置密码, a folder
//! left unencrypted (by the CLI or an older version) is encrypted in place before its cases are
//! shown; an encrypted one shows nothing until the right passphrase is typed, locks itself
//! after the idle time, and its passphrase and idle time are changed in 设置. Screenshots:
//! `tests/e2e/screenshots/lock-*.png`.

use std::time::Duration;

use fantoccini::Locator;

use crate::harness::{AppSession, PASSPHRASE, click, create_case_with_cli, retype, run_cli_json, run_cli_json_with};

const MERCHANT: &str = "锁屏测试小面馆";

async fn count(session: &AppSession, css: &str) -> usize {
    session.client.find_all(Locator::Css(css)).await.map(|found| found.len()).unwrap_or(0)
}

async fn window_text(session: &AppSession) -> String {
    session.client.find(Locator::Css("body")).await.unwrap().text().await.unwrap_or_default()
}

async fn is_disabled(session: &AppSession, css: &str) -> bool {
    let element = session.wait_for(css, css).await;
    element.prop("disabled").await.unwrap().as_deref() == Some("true")
}

/// While the folder is not open, the window shows no case, no navigation, no merchant name.
async fn assert_shows_nothing(session: &AppSession, what: &str) {
    for css in [
        "[data-testid='nav-cases']",
        "[data-testid='nav-new-case']",
        "[data-testid='nav-settings']",
        "tr[data-case-id]",
    ] {
        assert_eq!(count(session, css).await, 0, "{what}: `{css}` is shown");
    }
    assert!(!window_text(session).await.contains(MERCHANT), "{what}: the merchant's name is shown");
}

#[tokio::test]
async fn a_fresh_folder_starts_on_set_passphrase_and_then_opens_only_with_it() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let home_arg = home.to_str().unwrap();

    let session = AppSession::start_as_is("lock-fresh", &home, work.path(), &[]).await;
    let explanation = session.wait_for("[data-testid='set-passphrase-explanation']", "设置密码 first").await;
    assert_eq!(explanation.attr("data-holds-data").await.unwrap().as_deref(), Some("false"));
    let rule = session.wait_for("[data-testid='passphrase-rule']", "the passphrase rule").await.text().await.unwrap();
    // Chinese only: the English is shown on request (设置 › 显示英文对照).
    assert!(rule.contains("至少 8 个字符"), "{rule}");
    assert_shows_nothing(&session, "before a passphrase is set").await;
    assert!(!home.exists(), "nothing was written before a passphrase was set");

    retype(&session, "[data-testid='new-passphrase']", "short").await;
    session.wait_for("[data-testid='passphrase-too-short']", "a short passphrase is named as such").await;
    assert!(is_disabled(&session, "[data-testid='set-passphrase-submit']").await, "a short passphrase can be set");
    retype(&session, "[data-testid='new-passphrase']", PASSPHRASE).await;
    retype(&session, "[data-testid='repeat-passphrase']", "测试密码 e2e passphrasf").await;
    session.wait_for("[data-testid='passphrase-differ']", "two different passphrases are named as such").await;
    assert!(is_disabled(&session, "[data-testid='set-passphrase-submit']").await);
    session.save_screenshot("1-set-passphrase").await;
    retype(&session, "[data-testid='repeat-passphrase']", PASSPHRASE).await;
    click(&session, "[data-testid='set-passphrase-submit']", "set the passphrase").await;

    // Encrypted and open: the first case, through the wizard.
    session.wait_for("[data-testid='empty-state']", "the empty case list, once the passphrase is set").await;
    click(&session, "[data-testid='nav-new-case']", "the new-case button").await;
    session.wait_for("[data-testid='wizard-merchant-name']", "name").await.send_keys(MERCHANT).await.unwrap();
    click(&session, "[data-testid='wizard-next']", "next").await;
    click(&session, "[data-testid='wizard-next']", "next").await;
    session.wait_for("[data-testid='wizard-lat']", "latitude").await.send_keys("31.2304").await.unwrap();
    session.wait_for("[data-testid='wizard-lon']", "longitude").await.send_keys("121.4737").await.unwrap();
    click(&session, "[data-testid='wizard-create']", "create the case").await;
    let view = session.wait_for("[data-testid='case-view']", "the new case").await;
    let case_id = view.attr("data-case-id").await.unwrap().expect("the case view names its case");
    session.save_screenshot("2-first-case").await;
    session.close().await;
    let status = run_cli_json_with(&["--home", home_arg, "passphrase", "status"], None);
    assert_eq!(status["state"], "encrypted", "{status}");

    // Started again: the lock screen, and nothing else.
    let session = AppSession::start_as_is("lock-restart", &home, work.path(), &[]).await;
    session.wait_for("[data-testid='lock-screen']", "the lock screen").await;
    assert_shows_nothing(&session, "locked").await;
    session.unlock_with("测试密码 e2e passphrasf").await;
    session
        .wait_for("[data-testid='lock-screen'] [data-error-code='wrong_passphrase']", "a wrong passphrase says so")
        .await;
    assert_shows_nothing(&session, "after a wrong passphrase").await;
    session.save_screenshot("3-wrong-passphrase").await;
    session.unlock_with(PASSPHRASE).await;
    let row = session.wait_for(&format!("tr[data-case-id='{case_id}']"), "the case, after the right passphrase").await;
    assert!(row.text().await.unwrap().contains(MERCHANT));
    session.save_screenshot("4-unlocked").await;
    session.close().await;
}

#[tokio::test]
async fn an_unencrypted_folder_is_encrypted_in_place_before_its_cases_are_shown() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let home_arg = home.to_str().unwrap();
    // As the CLI without a passphrase (or an older version) left it: a case in clear.
    let case = run_cli_json_with(&["--home", home_arg, "case", "new", "--merchant-name", MERCHANT], None);
    let case_id = case["id"].as_str().unwrap().to_string();
    assert_eq!(run_cli_json_with(&["--home", home_arg, "passphrase", "status"], None)["state"], "unencrypted");

    let session = AppSession::start_as_is("lock-existing", &home, work.path(), &[]).await;
    let explanation = session.wait_for("[data-testid='set-passphrase-explanation']", "设置密码 first").await;
    assert_eq!(explanation.attr("data-holds-data").await.unwrap().as_deref(), Some("true"));
    assert!(explanation.text().await.unwrap().contains("就地加密"), "it says the data is encrypted in place");
    assert_shows_nothing(&session, "an unencrypted folder").await;
    session.save_screenshot("existing-1-explained").await;
    retype(&session, "[data-testid='new-passphrase']", PASSPHRASE).await;
    retype(&session, "[data-testid='repeat-passphrase']", PASSPHRASE).await;
    click(&session, "[data-testid='set-passphrase-submit']", "encrypt").await;
    session.wait_for(&format!("tr[data-case-id='{case_id}']"), "the case, once the folder is encrypted").await;
    session.save_screenshot("existing-2-encrypted").await;
    session.close().await;
    assert_eq!(run_cli_json_with(&["--home", home_arg, "passphrase", "status"], None)["state"], "encrypted");
    let listed = run_cli_json(&["--home", home_arg, "case", "list"]);
    assert_eq!(listed["cases"].as_array().unwrap().len(), 1, "{listed}");
}

#[tokio::test]
async fn the_window_locks_itself_after_the_idle_time() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let case_id = create_case_with_cli(&home, MERCHANT);
    run_cli_json(&["--home", home.to_str().unwrap(), "settings", "--idle-lock-seconds", "4"]);

    // The harness unlocks it; then nobody touches the window.
    let session = AppSession::start("lock-idle", &home, work.path()).await;
    let started = std::time::Instant::now();
    session.wait_for("[data-testid='lock-screen']", "the lock screen, by itself after 4 s").await;
    assert!(started.elapsed() >= Duration::from_secs(2), "locked too early: {:?}", started.elapsed());
    assert_shows_nothing(&session, "after the idle lock").await;
    session.save_screenshot("idle-locked").await;
    // Unlocked, the case is shown again. The idle time is still 4 s: on a loaded machine the
    // list can take longer than that to appear and the window rightly locks again first, so
    // the unlock is repeated (at most three times) rather than raced.
    let row = format!("tr[data-case-id='{case_id}']");
    for attempt in 1..=3 {
        session.unlock_with(PASSPHRASE).await;
        match session.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(&row)).await {
            Ok(_) => break,
            Err(_) if attempt < 3 => {
                session.wait_for("[data-testid='lock-screen']", "locked again meanwhile").await;
            }
            Err(err) => panic!("the case, unlocked again, is not shown after three unlocks ({err})"),
        }
    }
    session.close().await;
}

#[tokio::test]
async fn the_passphrase_and_the_idle_time_are_changed_in_settings() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let home_arg = home.to_str().unwrap();
    let new_passphrase = "经营内景照片 new e2e passphrase";
    let session = AppSession::start("lock-settings", &home, work.path()).await;
    click(&session, "[data-testid='nav-settings']", "the settings button").await;
    session.wait_for("[data-testid='security-settings']", "the passphrase and lock settings").await;

    retype(&session, "[data-testid='current-passphrase']", "not the passphrase").await;
    retype(&session, "[data-testid='changed-passphrase']", new_passphrase).await;
    retype(&session, "[data-testid='changed-passphrase-repeat']", new_passphrase).await;
    click(&session, "[data-testid='change-passphrase']", "change the passphrase").await;
    session
        .wait_for(
            "[data-testid='change-passphrase-form'] [data-error-code='wrong_passphrase']",
            "wrong_passphrase, in place",
        )
        .await;
    session.save_screenshot("settings-1-wrong-current").await;
    retype(&session, "[data-testid='current-passphrase']", PASSPHRASE).await;
    click(&session, "[data-testid='change-passphrase']", "change the passphrase").await;
    session.wait_for("[data-testid='passphrase-changed']", "the passphrase is changed").await;

    let current = session.wait_for("[data-testid='idle-lock-current']", "the idle time").await.text().await.unwrap();
    assert!(current.contains("5 分钟"), "five minutes by default: {current}");
    retype(&session, "[data-testid='idle-lock-minutes']", "12").await;
    click(&session, "[data-testid='idle-lock-save']", "save the idle time").await;
    session.wait_for("[data-testid='idle-lock-saved']", "the idle time is saved").await;
    session.save_screenshot("settings-2-changed").await;
    let settings = run_cli_json_with(&["--home", home_arg, "settings"], Some(new_passphrase));
    assert_eq!(settings["idle_lock_seconds"], 720, "{settings}");

    // 立即锁定, then only the new passphrase opens it.
    click(&session, "[data-testid='lock-now']", "lock now").await;
    session.unlock_with(PASSPHRASE).await;
    session.wait_for("[data-error-code='wrong_passphrase']", "the old passphrase no longer opens it").await;
    session.unlock_with(new_passphrase).await;
    // Unlocked where it was locked: 设置, then the (empty) case list.
    session.wait_for("[data-testid='security-settings']", "open with the new passphrase").await;
    click(&session, "[data-testid='nav-cases']", "the cases button").await;
    session.wait_for("[data-testid='empty-state']", "the case list").await;
    session.close().await;
}
