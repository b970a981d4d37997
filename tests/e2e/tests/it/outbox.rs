//! The 发件箱 Outbox through the window, against the same real S3 server the CLI's upload tests
//! start (s3s-fs by default): the count on its button, the merchant and 资料不全 on the row, the
//! upload settings typed into 设置 (the secret never shown again), the row's own button sending
//! it and failing with a code and what to do about it, then, once the settings are right, the
//! package retried by the app itself when its retry time comes (no click), with its remote
//! key. Screenshots: `tests/e2e/screenshots/outbox-*.png`.

use fantoccini::Locator;

use crate::harness::{AppSession, click, create_case_with_cli, retype, run_cli_json, wait_until};
use crate::s3_server::{ACCESS_KEY, BUCKET, S3Server, SECRET_KEY};

async fn save_upload_settings(session: &AppSession, bucket: &str, server: &S3Server) {
    click(session, "[data-testid='nav-settings']", "the settings button").await;
    retype(session, "[data-testid='upload-endpoint']", &server.endpoint()).await;
    retype(session, "[data-testid='upload-bucket']", bucket).await;
    retype(session, "[data-testid='upload-region']", server.kind.region()).await;
    retype(session, "[data-testid='upload-prefix']", "branch-sh").await;
    retype(session, "[data-testid='upload-access_key_id']", ACCESS_KEY).await;
    retype(session, "[data-testid='upload-part_size_mib']", "5").await;
    click(session, "[data-testid='upload-settings-save']", "save the upload settings").await;
    session.wait_for("[data-testid='upload-settings-saved']", "the upload settings are saved").await;
}

#[tokio::test(flavor = "current_thread")]
async fn outbox() {
    let server = S3Server::start();
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let home_arg = home.to_str().unwrap();
    let case_id = create_case_with_cli(&home, "沪上小面馆");
    run_cli_json(&["--home", home_arg, "settings", "--branch", "上海分公司", "--manager", "张三"]);
    let package = work.path().join("package.zip");
    let export = run_cli_json(&[
        "--home",
        home_arg,
        "export",
        "--case",
        &case_id,
        "--out",
        package.to_str().unwrap(),
        "--allow-incomplete",
        "--reason",
        "测试",
    ]);
    let sha256 = export["sha256"].as_str().unwrap().to_string();

    let session = AppSession::start("outbox", &home, work.path()).await;

    // The package waits; nothing is set up yet, so the button says where to go.
    click(&session, "[data-testid='nav-outbox']", "the outbox button").await;
    let row = format!("[data-testid='outbox-entry'][data-sha256='{sha256}']");
    session.wait_for(&format!("{row}[data-state='waiting']"), "the exported package, waiting").await;
    let count = session.wait_for("[data-testid='nav-outbox-count']", "the count on the 发件箱 button").await;
    assert_eq!(count.text().await.unwrap(), "1");
    let merchant = session.wait_for(&format!("{row} [data-testid='outbox-merchant']"), "the merchant").await;
    assert_eq!(merchant.text().await.unwrap(), "沪上小面馆");
    session.wait_for(&format!("{row} [data-testid='outbox-complete'][data-complete='false']"), "资料不全").await;
    session.save_screenshot("1-waiting").await;
    click(&session, "[data-testid='upload']", "the upload button").await;
    session.wait_for("[data-testid='upload-advice']", "advice: no upload server set").await;

    // Settings with a bucket that does not exist: the failure is named by its code.
    save_upload_settings(&session, "no-such-bucket", &server).await;
    let secret = session.wait_for("[data-testid='upload-secret']", "the secret field").await;
    secret.send_keys(SECRET_KEY).await.unwrap();
    click(&session, "[data-testid='upload-settings-save']", "save the secret").await;
    wait_until(
        &session,
        "const el = document.querySelector(\"[data-testid='upload-secret']\");
         return el !== null && el.value === '' && el.placeholder.includes('已设置');",
        "the secret field is emptied and says a secret is stored",
    )
    .await;
    let page = session.client.source().await.unwrap();
    assert!(!page.contains(SECRET_KEY), "the secret came back to the window");
    session.save_screenshot("2-upload-settings").await;

    click(&session, "[data-testid='nav-outbox']", "the outbox button").await;
    click(&session, &format!("{row} [data-testid='outbox-retry']"), "the row's own upload button").await;
    session
        .wait_for(&format!("{row}[data-state='failed'] [data-error-code='upload_bucket_missing']"), "a missing bucket")
        .await;
    session.wait_for("[data-testid='upload-advice'][data-error-code='upload_bucket_missing']", "what to do").await;
    let retry = session.wait_for(&format!("{row} [data-testid='next-retry']"), "the next retry time").await;
    assert_ne!(retry.text().await.unwrap(), "—");
    session.save_screenshot("3-failed").await;

    // The right bucket, and no click: when the failed package's retry time comes (15-30 s
    // after a first failure), the open app sends it by itself.
    save_upload_settings(&session, BUCKET, &server).await;
    click(&session, "[data-testid='nav-outbox']", "the outbox button").await;
    let waited = std::time::Instant::now();
    let done = format!("{row}[data-state='done']");
    while session.client.find(Locator::Css(&done)).await.is_err() {
        assert!(
            // 15-30 s after the first failure; 100 s leaves room for a second failure (30-60 s
            // more) should the retry come before the settings were saved on a slow machine.
            waited.elapsed() < std::time::Duration::from_secs(100),
            "the failed package was not retried by itself within 100 s; screenshot {}",
            session.save_screenshot("failure").await
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    eprintln!("outbox: retried by itself after {:.1} s", waited.elapsed().as_secs_f64());
    let key = format!("branch-sh/{case_id}/{sha256}.zip");
    let shown = session.wait_for(&format!("{row} [data-testid='remote-key']"), "the remote key").await;
    assert_eq!(shown.text().await.unwrap(), key);
    session.wait_until_gone("[data-testid='nav-outbox-count']", "the count, once nothing waits").await;
    session.save_screenshot("4-done").await;
    if let Some(object) = server.object_file(&key) {
        assert_eq!(
            std::fs::read(object).unwrap(),
            std::fs::read(&package).unwrap(),
            "the stored object is the package"
        );
    }
    let listed = session.client.find_all(Locator::Css("[data-testid='outbox-entry']")).await.unwrap();
    assert_eq!(listed.len(), 1);
    session.close().await;
}
