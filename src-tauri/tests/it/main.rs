//! The shell's commands invoked through Tauri's IPC path, on the mock runtime: no display
//! needed. The app is built with its real `tauri.conf.json` and capabilities, so these tests
//! also show what the front-end is and is not allowed to call.

use std::path::Path;

use intake_core::DataFolder;
use intake_core::case::{CaseAttributes, CaseSummary, NewCase};
use merchant_intake_app::{SharedDataFolder, with_commands};
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

/// The app over the data folder at `home`, and its main window.
fn app_over(home: &Path) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = with_commands(mock_builder(), SharedDataFolder::new(Ok(home.to_path_buf())))
        .build(tauri::generate_context!())
        .expect("the app builds on the mock runtime");
    let window = match app.get_webview_window("main") {
        Some(window) => window,
        None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("a main window"),
    };
    (app, window)
}

/// Invokes `command` from the front-end's origin, with no arguments.
fn invoke(window: &WebviewWindow<MockRuntime>, command: &str) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: if cfg!(windows) { "http://tauri.localhost" } else { "tauri://localhost" }.parse().unwrap(),
        body: InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().expect("a JSON response"))
}

#[test]
fn list_cases_returns_the_cases_of_the_data_folder() {
    let home = tempfile::tempdir().unwrap();
    let case = DataFolder::open(home.path())
        .unwrap()
        .create_case(NewCase {
            merchant_name: "测试商户".into(),
            attributes: CaseAttributes::default(),
            visit_date: None,
            site: None,
        })
        .unwrap();

    let (_app, window) = app_over(home.path());
    let listed: Vec<CaseSummary> = serde_json::from_value(invoke(&window, "list_cases").unwrap()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, case.id);
    assert_eq!(listed[0].merchant_name, "测试商户");
}

#[test]
fn an_error_crosses_as_code_and_message() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("a-file");
    std::fs::write(&home, b"not a folder").unwrap();

    let (_app, window) = app_over(&home);
    let error = invoke(&window, "list_cases").unwrap_err();
    assert_eq!(error["code"], "data_folder_unwritable");
    let message = error["message"].as_str().expect("a message");
    assert!(message.contains("a-file"), "the message names the path: {message}");
    assert_eq!(error.as_object().unwrap().len(), 2, "exactly {{code, message}}: {error}");
}

#[test]
fn the_front_end_may_not_call_core_apis_it_does_not_use() {
    let home = tempfile::tempdir().unwrap();
    let (_app, window) = app_over(home.path());
    // Granted by core:default, which the capability deliberately leaves out.
    for command in ["plugin:window|close", "plugin:event|emit", "plugin:path|resolve_directory"] {
        let refusal = invoke(&window, command).expect_err(command);
        let text = refusal.to_string();
        assert!(text.contains("not allowed"), "{command} should be refused by the ACL, got {text}");
    }
}
