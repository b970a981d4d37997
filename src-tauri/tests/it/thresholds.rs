//! 设置 › 检查阈值 through the shell: the thresholds are read, set (each checked by the core,
//! a refusal crossing as {code, message} naming the field) and reset, and the case's check
//! follows on the file already imported.

use intake_core::case::{CaseAttributes, NewCase};
use merchant_intake_app::PickedPaths;
use serde_json::{Value, json};
use tauri::Manager;

use crate::{app_over, corpus_file, invoke, invoke_with, unlocked};

fn low_resolution(check: &Value) -> Option<String> {
    check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["code"] == "low_resolution")
        .map(|finding| finding["message"].as_str().unwrap().to_string())
}

#[test]
fn thresholds_are_read_set_refused_and_reset_and_the_check_follows() {
    let home = tempfile::tempdir().unwrap();
    let (app, window) = app_over(home.path());
    let defaults = invoke(&window, "thresholds").unwrap();
    assert_eq!(defaults["min_long_side_px"], 1280);
    assert_eq!(defaults["site_radius_m"], 200.0);
    assert_eq!(defaults["near_duplicate_max_distance"], 10);

    let mut bad = defaults.clone();
    bad["site_radius_m"] = json!(0);
    let refusal = invoke_with(&window, "set_thresholds", json!({ "thresholds": bad })).unwrap_err();
    assert_eq!(refusal["code"], "invalid_input");
    assert!(refusal["message"].as_str().unwrap().contains("site_radius_m"), "{refusal}");
    assert_eq!(refusal.as_object().unwrap().len(), 2, "exactly {{code, message}}: {refusal}");

    let case_id = unlocked(home.path())
        .create_case(NewCase {
            merchant_name: "布拉格小面馆".into(),
            attributes: CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
            visit_date: None,
            site: None,
        })
        .unwrap()
        .id;
    let photo = corpus_file("google-pixel-gps.jpg"); // 1012x759
    app.state::<PickedPaths>().remember(std::slice::from_ref(&photo));
    invoke_with(
        &window,
        "add_files",
        json!({"case_id": case_id, "material": "storefront_photo", "paths": [photo.display().to_string()]}),
    )
    .unwrap();
    let check = || invoke_with(&window, "check_case", json!({ "case_id": case_id })).unwrap();
    assert!(low_resolution(&check()).expect("1012 px is under the default 1280").contains("1280"));

    let mut lower = defaults.clone();
    lower["min_long_side_px"] = json!(1000);
    let set = invoke_with(&window, "set_thresholds", json!({ "thresholds": lower })).unwrap();
    assert_eq!(set["min_long_side_px"], 1000);
    assert_eq!(low_resolution(&check()), None);
    assert_eq!(invoke(&window, "get_settings").unwrap()["thresholds"]["min_long_side_px"], 1000);
    lower["min_long_side_px"] = json!(1100);
    invoke_with(&window, "set_thresholds", json!({ "thresholds": lower })).unwrap();
    assert!(low_resolution(&check()).expect("1012 px is under 1100").contains("1100"));

    let reset = invoke(&window, "reset_thresholds").unwrap();
    assert_eq!(reset, defaults);
    assert!(low_resolution(&check()).expect("back to 1280").contains("1280"));
}
