//! The outbox, the upload settings and the 上传 button's command, through the shell's IPC on
//! the mock runtime, against the same real S3 server the CLI's upload tests start (s3s-fs, or
//! Garage with `INTAKE_TEST_S3_SERVER=garage`).

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tauri::Listener;

use crate::s3_server::{ACCESS_KEY, BUCKET, S3Server, SECRET_KEY, free_port};
use crate::{app_over, case_through_wizard, invoke, invoke_with};

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[test]
fn the_upload_button_sends_the_outbox_with_progress_events_and_the_secret_never_comes_back() {
    let server = S3Server::start();
    let home = tempfile::tempdir().unwrap();
    let (app, window) = app_over(home.path());
    let case_id = case_through_wizard(&window);
    invoke_with(&window, "change_settings", json!({"change": {"branch": "上海分公司", "manager_name": "张三"}}))
        .unwrap();
    let summary = invoke_with(
        &window,
        "export_case",
        json!({"case_id": case_id, "options": {"allow_incomplete": true, "incomplete_reason": "测试"}}),
    )
    .expect("exported");
    let sha256 = summary["sha256"].as_str().unwrap().to_string();

    let outbox = invoke(&window, "outbox").unwrap();
    assert_eq!(outbox[0]["state"], "waiting", "{outbox}");
    assert_eq!(outbox[0]["sha256"], sha256.as_str());

    // The 设置 screen's upload form: the secret goes in and never comes out again.
    let shown = invoke_with(
        &window,
        "change_upload_settings",
        json!({"change": {
            "endpoint": server.endpoint(), "bucket": BUCKET, "region": server.kind.region(), "prefix": "branch-sh",
            "part_size_mib": 5, "max_retries": 1, "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
        }}),
    )
    .expect("the upload settings are accepted");
    assert_eq!(shown["secret_access_key_set"], true, "{shown}");
    for answer in [shown, invoke(&window, "upload_settings").unwrap(), invoke(&window, "get_settings").unwrap()] {
        assert!(!answer.to_string().contains(SECRET_KEY), "the secret was sent to the UI: {answer}");
    }
    assert_eq!(invoke(&window, "upload_settings").unwrap()["settings"]["bucket"], BUCKET);

    let events: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen = events.clone();
    app.listen_any("upload-progress", move |event| {
        seen.lock().unwrap().push(serde_json::from_str(event.payload()).unwrap());
    });
    let outcomes = invoke_with(&window, "upload_packages", json!({"case_id": null})).expect("the upload runs");
    assert_eq!(outcomes[0]["state"], "done", "{outcomes}");
    let key = format!("branch-sh/{case_id}/{sha256}.zip");
    assert_eq!(outcomes[0]["remote_key"], key.as_str());

    let events = events.lock().unwrap().clone();
    let phases: Vec<&str> = events.iter().map(|event| event["phase"].as_str().unwrap()).collect();
    assert!(phases.contains(&"sending") && phases.last() == Some(&"done"), "{phases:?}");
    assert!(events.iter().all(|event| event["sha256"] == sha256.as_str()), "{events:?}");

    let done = invoke(&window, "outbox").unwrap();
    assert_eq!(done[0]["state"], "done", "{done}");
    assert_eq!(done[0]["remote_key"], key.as_str());
    assert!(done[0]["done_at"].is_string());
    if let Some(object) = server.object_file(&key) {
        assert_eq!(sha256_hex(&std::fs::read(object).unwrap()), sha256, "the stored object is the package");
    }
}

#[test]
fn upload_failures_cross_with_a_code_the_ui_can_branch_on_and_the_package_stays_queued() {
    let server = S3Server::start();
    let home = tempfile::tempdir().unwrap();
    let (_app, window) = app_over(home.path());
    let case_id = case_through_wizard(&window);
    invoke_with(&window, "change_settings", json!({"change": {"branch": "上海分公司", "manager_name": "张三"}}))
        .unwrap();
    invoke_with(
        &window,
        "export_case",
        json!({"case_id": case_id, "options": {"allow_incomplete": true, "incomplete_reason": "测试"}}),
    )
    .unwrap();
    let settings = |change: Value| invoke_with(&window, "change_upload_settings", json!({ "change": change })).unwrap();
    settings(json!({
        "endpoint": server.endpoint(), "bucket": BUCKET, "region": server.kind.region(), "max_retries": 0,
        "access_key_id": ACCESS_KEY, "secret_access_key": "0000000000000000000000000000000000000000",
    }));
    let upload = || invoke_with(&window, "upload_packages", json!({"case_id": case_id})).expect("the run itself works");

    let refused = upload();
    assert_eq!(refused[0]["error"]["code"], "upload_refused", "{refused}");
    settings(json!({"secret_access_key": SECRET_KEY, "bucket": "no-such-bucket"}));
    let no_bucket = upload();
    assert_eq!(no_bucket[0]["error"]["code"], "upload_bucket_missing", "{no_bucket}");
    settings(json!({"bucket": BUCKET, "endpoint": format!("http://127.0.0.1:{}", free_port())}));
    let unreachable = upload();
    assert_eq!(unreachable[0]["error"]["code"], "upload_unreachable", "{unreachable}");
    let error = unreachable[0]["error"].as_object().unwrap();
    assert_eq!(error.len(), 2, "exactly {{code, message}}: {error:?}");

    // Each press of the button tries at once, due or not; the package waits in the outbox.
    let queued = invoke(&window, "outbox").unwrap();
    assert_eq!(queued[0]["state"], "failed");
    assert_eq!(queued[0]["attempts"], 3);
    assert!(queued[0]["next_retry_at"].is_string());

    // Settings the core refuses come back as an error, not as a result.
    let bad = invoke_with(&window, "change_upload_settings", json!({"change": {"part_size_mib": 1}})).unwrap_err();
    assert_eq!(bad["code"], "invalid_input", "{bad}");

    settings(json!({"endpoint": server.endpoint()}));
    let fixed = upload();
    assert_eq!(fixed[0]["state"], "done", "{fixed}");
}

/// The 发件箱's own commands: the overview the window shows (merchant, 资料不全, the count and
/// the next automatic retry), a row's 重试 of one package, and the automatic retry, which
/// sends nothing before the failed package's time has come.
#[test]
fn the_outbox_overview_a_rows_retry_and_the_automatic_retry_go_through_the_shell() {
    let server = S3Server::start();
    let home = tempfile::tempdir().unwrap();
    let (_app, window) = app_over(home.path());
    let case_id = case_through_wizard(&window);
    invoke_with(&window, "change_settings", json!({"change": {"branch": "上海分公司", "manager_name": "张三"}}))
        .unwrap();
    let summary = invoke_with(
        &window,
        "export_case",
        json!({"case_id": case_id, "options": {"allow_incomplete": true, "incomplete_reason": "测试"}}),
    )
    .unwrap();
    let sha256 = summary["sha256"].as_str().unwrap().to_string();
    invoke_with(
        &window,
        "change_upload_settings",
        json!({"change": {
            "endpoint": server.endpoint(), "bucket": "no-such-bucket", "region": server.kind.region(),
            "max_retries": 0, "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY,
        }}),
    )
    .unwrap();

    let overview = invoke(&window, "outbox_overview").unwrap();
    assert_eq!(overview["not_done"], 1, "{overview}");
    assert_eq!(overview["next_retry_at"], Value::Null, "nothing failed yet");
    let entry = &overview["entries"][0];
    assert_eq!(entry["complete"], false, "{entry}");
    assert_eq!(entry["latest_of_case"], true);
    assert!(!entry["merchant_name"].as_str().unwrap().is_empty(), "{entry}");

    // A package never tried is not the automatic retry's: it waits for 上传.
    assert_eq!(invoke(&window, "retry_due_packages").unwrap(), json!([]));
    let tried = invoke_with(&window, "retry_package", json!({"sha256": sha256})).unwrap();
    assert_eq!(tried[0]["error"]["code"], "upload_bucket_missing", "{tried}");
    let overview = invoke(&window, "outbox_overview").unwrap();
    assert_eq!(overview["failed"], 1, "{overview}");
    assert!(overview["next_retry_at"].is_string(), "{overview}");
    // Not due yet (15-30 s after a first failure): the automatic retry sends nothing.
    assert_eq!(invoke(&window, "retry_due_packages").unwrap(), json!([]));
    assert_eq!(invoke(&window, "outbox").unwrap()[0]["attempts"], 1);

    let unknown = invoke_with(&window, "retry_package", json!({"sha256": "0".repeat(64)})).unwrap_err();
    assert_eq!(unknown["code"], "invalid_input", "{unknown}");
}
