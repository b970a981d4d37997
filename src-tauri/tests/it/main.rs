//! The shell's commands invoked through Tauri's IPC path, on the mock runtime: no display
//! needed. The app is built with its real `tauri.conf.json` and capabilities, so these tests
//! also show what the front-end is and is not allowed to call.

use std::path::Path;
use std::sync::{Arc, Mutex};

use intake_core::DataFolder;
use intake_core::case::{CaseAttributes, NewCase};
use intake_core::checklist::CaseOverview;
use merchant_intake_app::{PickedPaths, SharedDataFolder, with_commands};
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{Listener, Manager, WebviewWindow};

// The S3 servers of the CLI's upload tests, started the same way here.
mod bundle;
mod ipc_surface;
mod no_display;
#[allow(dead_code)]
#[path = "../../../crates/intake-cli/tests/it/s3_server.rs"]
mod s3_server;
mod thresholds;
mod upload;
mod visit_plot;
mod window_placement;

/// The app over the data folder at `home`, as the manager meets it after 设置密码: the folder
/// encrypted (in place, if it held anything) through the shell's `set_passphrase` and open.
fn app_over(home: &Path) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let (app, window) = plain_app_over(home);
    invoke_with(&window, "set_passphrase", json!({"passphrase": PASSPHRASE})).expect("the folder is encrypted");
    (app, window)
}

/// Another handle on the encrypted folder at `home`, beside the app's (as the CLI opens it).
fn unlocked(home: &Path) -> DataFolder {
    DataFolder::unlock(home, &intake_core::keys::Passphrase::new(PASSPHRASE.to_string()))
        .expect("the passphrase opens it")
}

/// The app over the data folder at `home` as it is on disk (nothing set, nothing unlocked).
fn plain_app_over(home: &Path) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
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
    invoke_with(window, command, json!({}))
}

/// Invokes `command` from the front-end's origin with `args` (snake_case names, as the UI
/// sends them).
fn invoke_with(window: &WebviewWindow<MockRuntime>, command: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: if cfg!(windows) { "http://tauri.localhost" } else { "tauri://localhost" }.parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().expect("a JSON response"))
}

/// Every command that reads or changes a case, the settings or the outbox, with arguments it
/// would accept on an open folder.
fn folder_commands() -> Vec<(&'static str, Value)> {
    vec![
        ("list_cases", json!({})),
        ("case_list", json!({"query": {"search": "", "state": null, "order": "last_change"}})),
        (
            "create_case",
            json!({"new_case": {"merchant_name": "沪上小面馆", "attributes": CaseAttributes::default(),
            "visit_date": null, "site": null}}),
        ),
        ("get_case", json!({"case_id": "20261126-AAAAAA"})),
        ("check_case", json!({"case_id": "20261126-AAAAAA"})),
        ("get_settings", json!({})),
        ("change_settings", json!({"change": {"branch": "上海分公司", "manager_name": "张三"}})),
        ("public_key_info", json!({})),
        ("outbox", json!({})),
        ("outbox_overview", json!({})),
        ("retry_package", json!({"sha256": "0".repeat(64)})),
        ("retry_due_packages", json!({})),
        ("upload_settings", json!({})),
        ("change_upload_settings", json!({"change": {"bucket": "b"}})),
        ("export_case", json!({"case_id": "20261126-AAAAAA", "options": {"allow_incomplete": true}})),
        ("visit_plot", json!({"case_id": "20261126-AAAAAA"})),
    ]
}

#[test]
fn the_app_refuses_every_folder_command_until_a_passphrase_is_set() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("home");
    let (_app, window) = plain_app_over(&home);
    let status = invoke(&window, "lock_status").unwrap();
    assert_eq!((status["state"].as_str(), status["unlocked"].as_bool()), (Some("unencrypted"), Some(false)));
    assert_eq!(status["holds_data"], false, "{status}");
    assert_eq!(status["min_passphrase_chars"], 8, "{status}");
    for (command, args) in folder_commands() {
        let refused = invoke_with(&window, command, args).expect_err(command);
        assert_eq!(refused["code"], "passphrase_required", "{command}: {refused}");
    }
    assert!(!home.exists(), "a refused command made the data folder");

    // Too short, or long but easy to guess: refused by the core with the reason, nothing made.
    let short = invoke_with(&window, "set_passphrase", json!({"passphrase": "1234567"})).unwrap_err();
    assert_eq!(short["code"], "weak_passphrase", "{short}");
    for weak in ["12345678", "password", "woaini1314"] {
        let refused = invoke_with(&window, "set_passphrase", json!({"passphrase": weak})).unwrap_err();
        assert_eq!(refused["code"], "weak_passphrase", "{weak}: {refused}");
        assert!(refused["message"].as_str().unwrap().contains("too easy to guess"), "{refused}");
    }
    assert_eq!(DataFolder::encryption_state(&home), intake_core::encryption::EncryptionState::Unencrypted);

    invoke_with(&window, "set_passphrase", json!({"passphrase": PASSPHRASE})).unwrap();
    for (command, args) in folder_commands() {
        if let Err(error) = invoke_with(&window, command, args) {
            assert_ne!(error["code"], "passphrase_required", "{command} still refused: {error}");
        }
    }
}

#[test]
fn an_unencrypted_folder_is_encrypted_in_place_before_its_cases_are_shown() {
    let home = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    // As the CLI (or an older version) left it: a case with files, settings, a signing key.
    let (case, fingerprint) = {
        let mut folder = DataFolder::open(home.path()).unwrap();
        let case = folder
            .create_case(NewCase {
                merchant_name: "测试商户".into(),
                attributes: CaseAttributes::default(),
                visit_date: None,
                site: None,
            })
            .unwrap();
        // Three different files (the same bytes would be stored once).
        let photos: Vec<_> = (0..3)
            .map(|n| {
                let path = outside.path().join(format!("door-{n}.jpg"));
                std::fs::write(&path, format!("\u{FF}\u{D8} not really a picture, number {n}")).unwrap();
                path
            })
            .collect();
        folder.add_files(&case.id, "storefront_photo", &photos, |_| {}).unwrap();
        let manager =
            intake_core::settings::SettingsChange { manager_name: Some("张三".into()), ..Default::default() };
        folder.change_settings(manager).unwrap();
        (case, folder.public_key_info().unwrap().fingerprint_sha256)
    };

    let (app, window) = plain_app_over(home.path());
    assert_eq!(invoke(&window, "list_cases").unwrap_err()["code"], "passphrase_required");
    let status = invoke(&window, "lock_status").unwrap();
    assert_eq!((status["state"].as_str(), status["holds_data"].as_bool()), (Some("unencrypted"), Some(true)));

    let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = progress.clone();
    app.listen(merchant_intake_app::events::ENCRYPTION_PROGRESS.name, move |event| {
        seen.lock().unwrap().push(serde_json::from_str::<Value>(event.payload()).unwrap());
    });
    invoke_with(&window, "set_passphrase", json!({"passphrase": PASSPHRASE})).unwrap();
    assert_eq!(DataFolder::encryption_state(home.path()), intake_core::encryption::EncryptionState::Encrypted);
    let progress = progress.lock().unwrap().clone();
    assert!(progress.len() >= 4, "three files and the database: {progress:?}");
    let last = progress.last().unwrap();
    assert_eq!(last["done"], last["total"], "{progress:?}");

    let listed: Vec<CaseOverview> = serde_json::from_value(invoke(&window, "list_cases").unwrap()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].case.id, case.id);
    assert_eq!(listed[0].case.merchant_name, "测试商户");
    // The settings and the signing key came through, sealed.
    assert_eq!(invoke(&window, "get_settings").unwrap()["manager_name"], "张三");
    assert_eq!(invoke(&window, "public_key_info").unwrap()["fingerprint_sha256"], fingerprint.as_str());
}

#[test]
fn an_error_crosses_as_code_and_message() {
    let work = tempfile::tempdir().unwrap();
    let home = work.path().join("a-file");
    std::fs::write(&home, b"not a folder").unwrap();

    let (_app, window) = plain_app_over(&home);
    let error = invoke(&window, "lock_status").unwrap_err();
    assert_eq!(error["code"], "data_folder_unwritable", "the window shows why before anything else");
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
    // The dialog plugin is registered (the shell opens dialogs from Rust) but the front-end is
    // granted none of its commands: it cannot open a dialog and learn paths by itself.
    for command in [
        "plugin:window|close",
        "plugin:event|emit",
        "plugin:path|resolve_directory",
        "plugin:dialog|open",
        "plugin:dialog|save",
        "plugin:fs|read_file",
    ] {
        let refusal = invoke(&window, command).expect_err(command);
        let text = refusal.to_string();
        assert!(text.contains("not allowed"), "{command} should be refused by the ACL, got {text}");
    }
}

/// A case made through the shell's `create_case`, as the wizard makes it.
fn case_through_wizard(window: &WebviewWindow<MockRuntime>) -> String {
    let created = invoke_with(
        window,
        "create_case",
        json!({"new_case": {
            "merchant_name": "沪上小面馆",
            "attributes": CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
            "visit_date": "2026-11-20",
            "site": {"lat": 31.2304, "lon": 121.4737, "datum": "gcj02", "radius_m": 200.0},
        }}),
    )
    .expect("create_case accepts what the wizard sends");
    created["id"].as_str().expect("the new case's id").to_string()
}

/// A small file outside the data folder, as a photo on the manager's disk.
fn a_photo(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, b"\xFF\xD8\xFF\xE0 not really a picture, but bytes to keep").unwrap();
    path
}

#[test]
fn add_files_refuses_a_path_the_user_did_not_pick_and_reads_nothing() {
    let home = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let (_app, window) = app_over(home.path());
    let case_id = case_through_wizard(&window);
    let photo = a_photo(outside.path(), "door.jpg");

    let refusal = invoke_with(
        &window,
        "add_files",
        json!({"case_id": case_id, "material": "storefront_photo", "paths": [photo.display().to_string()]}),
    )
    .expect_err("a path the front-end made up is refused");
    assert_eq!(refusal["code"], "path_not_picked", "{refusal}");
    assert!(refusal["message"].as_str().unwrap().contains("door.jpg"), "the message names the file: {refusal}");
    let files = unlocked(home.path()).case_evidence(&case_id).unwrap();
    assert!(files.is_empty(), "nothing was imported: {files:?}");
}

#[test]
fn add_files_imports_what_the_user_picked_and_check_case_sees_it() {
    let home = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let (app, window) = app_over(home.path());
    let case_id = case_through_wizard(&window);
    let photo = a_photo(outside.path(), "door.jpg");
    // What the file dialog or a drop on the window does (both run in Rust, not in the page).
    app.state::<PickedPaths>().remember(std::slice::from_ref(&photo));

    let outcomes = invoke_with(
        &window,
        "add_files",
        json!({"case_id": case_id, "material": "storefront_photo", "paths": [photo.display().to_string()]}),
    )
    .expect("a picked path is imported");
    assert_eq!(outcomes[0]["status"], "added", "{outcomes}");

    let check = invoke_with(&window, "check_case", json!({"case_id": case_id})).unwrap();
    let item = check["items"].as_array().unwrap().iter().find(|item| item["key"] == "storefront_photo").unwrap();
    assert_eq!(item["files"].as_array().unwrap().len(), 1, "{item}");
}

#[test]
fn a_picked_path_does_not_open_its_folder() {
    let home = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let (app, window) = app_over(home.path());
    let case_id = case_through_wizard(&window);
    let picked = a_photo(outside.path(), "door.jpg");
    let neighbour = a_photo(outside.path(), "id-card.jpg");
    app.state::<PickedPaths>().remember(&[picked]);

    let refusal = invoke_with(
        &window,
        "add_files",
        json!({"case_id": case_id, "material": "storefront_photo", "paths": [neighbour.display().to_string()]}),
    )
    .expect_err("only the picked file, not its neighbours");
    assert_eq!(refusal["code"], "path_not_picked");
}

#[test]
fn field_values_are_validated_by_the_core_before_they_are_recorded() {
    let home = tempfile::tempdir().unwrap();
    let (_app, window) = app_over(home.path());
    let case_id = case_through_wizard(&window);
    let check = invoke_with(&window, "check_case", json!({"case_id": case_id})).unwrap();
    let field = check["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|field| field["kind"] == "mobile" && field["applicable"] == true)
        .expect("a case that opens payment records a mobile number");
    let key = field["key"].as_str().unwrap();

    let bad =
        invoke_with(&window, "validate_case_field", json!({"case_id": case_id, "field_key": key, "value": "12345"}))
            .unwrap();
    assert_eq!(bad["problems"][0]["severity"], "error", "{bad}");
    assert!(bad["display_value"].is_null());
    let good = invoke_with(
        &window,
        "validate_case_field",
        json!({"case_id": case_id, "field_key": key, "value": "13800138000"}),
    )
    .unwrap();
    assert_eq!(good["problems"], json!([]), "{good}");
    // Validating records nothing.
    let fields = unlocked(home.path()).case_fields(&case_id).unwrap();
    assert!(fields.is_empty(), "{fields:?}");
}

#[test]
fn export_queues_the_package_sealed_in_the_outbox_with_progress_events() {
    let home = tempfile::tempdir().unwrap();
    let (app, window) = app_over(home.path());
    let case_id = case_through_wizard(&window);
    // A package names its sender: the settings screen sets them first.
    invoke_with(&window, "change_settings", json!({"change": {"branch": "上海分公司", "manager_name": "张三"}}))
        .unwrap();

    let refusal =
        invoke_with(&window, "export_case", json!({"case_id": case_id, "options": {"allow_incomplete": false}}))
            .expect_err("an empty case is incomplete");
    assert_eq!(refusal["code"], "case_incomplete");

    let events: Arc<Mutex<Vec<Value>>> = Arc::default();
    let seen = events.clone();
    app.listen_any(merchant_intake_app::events::EXPORT_PROGRESS.name, move |event| {
        seen.lock().unwrap().push(serde_json::from_str(event.payload()).unwrap());
    });
    let summary = invoke_with(
        &window,
        "export_case",
        json!({"case_id": case_id, "options": {"allow_incomplete": true, "incomplete_reason": "测试"}}),
    )
    .expect("exported anyway when asked");
    // Queued sealed in the vault, encrypted like the rest of the folder; no zip in clear.
    let sealed = std::path::PathBuf::from(summary["sealed_path"].as_str().unwrap());
    assert!(sealed.starts_with(home.path().join("vault").join("outbox")), "{}", sealed.display());
    assert_eq!(summary["sealed_encrypted"], true);
    assert_eq!(summary["unencrypted_copy"], Value::Null);
    assert!(std::fs::read(&sealed).unwrap().starts_with(intake_core::encrypted_file::MAGIC));
    assert!(!home.path().join("exports").exists(), "nothing is written under exports/ any more");
    // 另存为…: the plain copy the manager asks for is the queued package, byte for byte.
    // (Beside the data folder: a package is never written inside it.)
    let elsewhere = tempfile::tempdir().unwrap();
    let path = elsewhere.path().join("copy.zip");
    unlocked(home.path()).save_plain_copy(summary["sha256"].as_str().unwrap(), &path).unwrap();
    let fingerprint = summary["public_key_sha256"].as_str().unwrap();
    let trusting = intake_core::package::verify::VerifyOptions::trusting(vec![
        intake_core::package::trust::expected_key(fingerprint).unwrap(),
    ]);
    let report = intake_core::package::verify::verify_package(&path, &trusting).unwrap();
    assert!(report.valid, "{:?}", report.problems);

    // The export panel's bar: the phases in order (the refused export above got as far as
    // checking), and the last event is every file of the package written.
    let events = events.lock().unwrap().clone();
    let mut phases: Vec<&str> = events.iter().map(|event| event["phase"].as_str().unwrap()).collect();
    phases.dedup();
    assert_eq!(phases, ["checking", "signing", "writing", "finishing", "done"], "{events:?}");
    let files = summary["payload_files"].as_u64().unwrap() + intake_core::package::layout::TAG_FILES.len() as u64;
    let last = events.last().unwrap();
    assert_eq!((last["files_done"].as_u64(), last["files_total"].as_u64()), (Some(files), Some(files)), "{last}");
    assert!(events.iter().all(|event| event["case_id"] == case_id.as_str()), "{events:?}");
}

#[test]
fn settings_and_the_key_fingerprint_go_through_the_shell() {
    let home = tempfile::tempdir().unwrap();
    let (_app, window) = app_over(home.path());
    let saved =
        invoke_with(&window, "change_settings", json!({"change": {"branch": "上海分公司", "manager_name": "张三"}}))
            .unwrap();
    assert_eq!(saved["branch"], "上海分公司");
    assert_eq!(unlocked(home.path()).settings().unwrap().manager_name, "张三");
    let key = invoke(&window, "public_key_info").unwrap();
    assert_eq!(key["fingerprint_sha256"].as_str().unwrap().len(), 64, "{key}");
}

/// The real photos of `../shared/corpus/exif-real` (or `INTAKE_CORPUS_DIR`).
fn corpus_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::var_os("INTAKE_CORPUS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/exif-real"));
    let path = dir.join("files").join(name);
    assert!(path.is_file(), "{} is missing: set INTAKE_CORPUS_DIR to the exif-real corpus", path.display());
    path
}

#[test]
fn a_thumbnail_crosses_as_raw_jpeg_bytes() {
    let home = tempfile::tempdir().unwrap();
    let (app, window) = app_over(home.path());
    let case_id = case_through_wizard(&window);
    let photo = corpus_file("google-pixel-gps.jpg");
    app.state::<PickedPaths>().remember(std::slice::from_ref(&photo));
    let outcomes = invoke_with(
        &window,
        "add_files",
        json!({"case_id": case_id, "material": "storefront_photo", "paths": [photo.display().to_string()]}),
    )
    .unwrap();
    let sha256 = outcomes[0]["evidence"]["sha256"].as_str().unwrap().to_string();

    let request = InvokeRequest {
        cmd: "thumbnail".into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: if cfg!(windows) { "http://tauri.localhost" } else { "tauri://localhost" }.parse().unwrap(),
        body: InvokeBody::Json(json!({"sha256": sha256})),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    match get_ipc_response(&window, request).expect("the thumbnail command answers") {
        tauri::ipc::InvokeResponseBody::Raw(bytes) => assert!(bytes.starts_with(&[0xFF, 0xD8]), "a JPEG"),
        other => panic!("expected raw bytes, got {other:?}"),
    }
    let bad = invoke_with(&window, "thumbnail", json!({"sha256": "../../etc/passwd"})).unwrap_err();
    assert_eq!(bad["code"], "invalid_input");
}

const PASSPHRASE: &str = "门头照片 correct horse";

#[test]
fn the_app_encrypts_locks_and_unlocks_the_data_folder() {
    let home = tempfile::tempdir().unwrap();
    let (app, window) = plain_app_over(home.path());
    let status = invoke(&window, "lock_status").unwrap();
    assert_eq!(status["state"], "unencrypted");
    assert_eq!(status["idle_lock_seconds"], 300, "five minutes by default");

    invoke_with(&window, "set_passphrase", json!({"passphrase": PASSPHRASE})).unwrap();
    let case_id = case_through_wizard(&window);
    assert_eq!(DataFolder::encryption_state(home.path()), intake_core::encryption::EncryptionState::Encrypted);
    let status = invoke(&window, "lock_status").unwrap();
    assert_eq!((status["state"].as_str(), status["unlocked"].as_bool()), (Some("encrypted"), Some(true)));
    assert_eq!(invoke_with(&window, "get_case", json!({"case_id": case_id})).unwrap()["id"], case_id.as_str());

    // 立即锁定: the folder (and its key) is dropped; every command then asks for the passphrase.
    assert_eq!(invoke(&window, "lock").unwrap(), true);
    assert_eq!(invoke(&window, "lock_status").unwrap()["unlocked"], false);
    assert_eq!(invoke(&window, "list_cases").unwrap_err()["code"], "passphrase_required");
    assert!(app.state::<SharedDataFolder>().second_handle().is_err(), "a locked folder gives no handle");

    let wrong = invoke_with(&window, "unlock", json!({"passphrase": "门头照片 correct horsf"})).unwrap_err();
    assert_eq!(wrong["code"], "wrong_passphrase");
    assert_eq!(invoke(&window, "list_cases").unwrap_err()["code"], "passphrase_required");
    invoke_with(&window, "unlock", json!({"passphrase": PASSPHRASE})).unwrap();
    let listed: Vec<CaseOverview> = serde_json::from_value(invoke(&window, "list_cases").unwrap()).unwrap();
    assert_eq!(listed.len(), 1);

    // The idle lock: unused for the idle time, the folder locks; used, it stays open.
    let shared = app.state::<SharedDataFolder>();
    assert!(!shared.lock_if_idle(std::time::Duration::from_secs(60)), "locked though just used");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(shared.lock_if_idle(std::time::Duration::from_millis(200)), "not locked after the idle time");
    assert_eq!(invoke(&window, "list_cases").unwrap_err()["code"], "passphrase_required");

    // The idle time is a setting (0: never).
    invoke_with(&window, "unlock", json!({"passphrase": PASSPHRASE})).unwrap();
    invoke_with(
        &window,
        "change_settings",
        json!({"change": {"branch": null, "manager_name": null, "idle_lock_seconds": 0}}),
    )
    .unwrap();
    assert_eq!(invoke(&window, "lock_status").unwrap()["idle_lock_seconds"], 0);
    assert_eq!(shared.idle_lock(), None, "0: never");
    invoke_with(
        &window,
        "change_settings",
        json!({"change": {"branch": null, "manager_name": null, "idle_lock_seconds": 3}}),
    )
    .unwrap();
    assert_eq!(shared.idle_lock(), Some(std::time::Duration::from_secs(3)), "read from the sealed settings");
}

#[test]
fn changing_the_passphrase_in_the_app_needs_the_current_one() {
    let home = tempfile::tempdir().unwrap();
    let (_app, window) = app_over(home.path());
    let refused = invoke_with(
        &window,
        "change_passphrase",
        json!({"old_passphrase": "not the one", "new_passphrase": "经营内景照片 battery staple"}),
    )
    .unwrap_err();
    assert_eq!(refused["code"], "wrong_passphrase");
    invoke_with(
        &window,
        "change_passphrase",
        json!({"old_passphrase": PASSPHRASE, "new_passphrase": "经营内景照片 battery staple"}),
    )
    .unwrap();
    invoke(&window, "lock").unwrap();
    assert_eq!(
        invoke_with(&window, "unlock", json!({"passphrase": PASSPHRASE})).unwrap_err()["code"],
        "wrong_passphrase"
    );
    invoke_with(&window, "unlock", json!({"passphrase": "经营内景照片 battery staple"})).unwrap();
}

#[test]
fn locking_tells_the_worker_threads_handles_to_stop_and_drop_their_key() {
    let home = tempfile::tempdir().unwrap();
    let (app, window) = app_over(home.path());
    let shared = app.state::<SharedDataFolder>();
    // What an import, export or upload works with, on its own thread.
    let worker = shared.second_handle().unwrap();
    assert!(!worker.stop_requested());
    assert_eq!(invoke(&window, "lock").unwrap(), json!(true));
    assert!(worker.stop_requested(), "a lock reaches the handles given to worker threads");
    drop(worker);
    // Unlocked again, the handles given out from then on work.
    invoke_with(&window, "unlock", json!({"passphrase": PASSPHRASE})).unwrap();
    assert!(!shared.second_handle().unwrap().stop_requested());
}

/// The 案件列表's command: the core's states, filter and search, and the wizard's position
/// commands (split a pasted `lat,lon`; question swapped or far-off numbers).
#[test]
fn the_case_list_and_the_wizards_position_commands_go_through_the_shell() {
    let home = tempfile::tempdir().unwrap();
    let (_app, window) = app_over(home.path());
    let case_id = case_through_wizard(&window);
    let query = |search: &str, state: Value| {
        invoke_with(&window, "case_list", json!({"query": {"search": search, "state": state, "order": "visit_date"}}))
            .unwrap()
    };
    let listing = query("", Value::Null);
    assert_eq!(listing["total"], 1, "{listing}");
    assert_eq!(listing["cases"][0]["case"]["id"], case_id.as_str());
    assert_eq!(listing["cases"][0]["state"], "draft");
    assert_eq!(query("小面", json!("draft"))["cases"].as_array().unwrap().len(), 1);
    assert_eq!(query("", json!("uploaded"))["cases"], json!([]));
    assert_eq!(query("没有", Value::Null)["cases"], json!([]));

    let split = invoke_with(&window, "split_pasted_position", json!({"text": "31.2304，121.4737"})).unwrap();
    assert_eq!(split, json!({"lat": 31.2304, "lon": 121.4737}));
    assert_eq!(invoke_with(&window, "split_pasted_position", json!({"text": "上海"})).unwrap(), Value::Null);
    let question =
        |lat: f64, lon: f64| invoke_with(&window, "question_position", json!({"lat": lat, "lon": lon})).unwrap();
    assert_eq!(question(31.2304, 121.4737), Value::Null);
    assert_eq!(question(121.4737, 31.2304), json!("swapped"));
    assert_eq!(question(48.85, 2.35), json!("outside_china"));
}
