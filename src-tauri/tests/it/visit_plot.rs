//! The case view's drawing of photo positions and capture times, through the shell: the
//! numbers come from the core (the same the package's report draws).

use intake_core::case::{CaseAttributes, Datum, NewCase, Site};
use merchant_intake_app::PickedPaths;
use serde_json::json;
use tauri::Manager;

use crate::{app_over, corpus_file, invoke_with, unlocked};

#[test]
fn a_photo_near_the_premises_is_inside_one_far_off_is_outside_and_both_are_on_the_timeline() {
    let home = tempfile::tempdir().unwrap();
    let (app, window) = app_over(home.path());
    // The Google Pixel photo was taken at 50.2996027 N, 14.8202944 E on 2018-07-25.
    let near = |lat: f64, visit: &str| {
        unlocked(home.path())
            .create_case(NewCase {
                merchant_name: "布拉格小面馆".into(),
                attributes: CaseAttributes { opens_payment: true, ..CaseAttributes::default() },
                visit_date: Some(visit.parse().unwrap()),
                site: Some(Site { lat, lon: 14.8202944, datum: Datum::Wgs84, radius_m: Some(200.0) }),
            })
            .unwrap()
            .id
    };
    let photo = corpus_file("google-pixel-gps.jpg");
    app.state::<PickedPaths>().remember(std::slice::from_ref(&photo));
    let add = |case_id: &str| {
        invoke_with(
            &window,
            "add_files",
            json!({"case_id": case_id, "material": "storefront_photo", "paths": [photo.display().to_string()]}),
        )
        .unwrap();
    };
    // Same place, same day; then 0.01 degree (about 1.1 km) south, another day.
    let here = near(50.2996027, "2018-07-25");
    let there = near(50.2896027, "2018-07-26");
    add(&here);
    add(&there);

    let plot = invoke_with(&window, "visit_plot", json!({"case_id": here})).unwrap();
    let dot = &plot["positions"]["photos"][0];
    assert_eq!(dot["inside"], true, "{plot}");
    assert!(dot["distance_m"].as_f64().unwrap() < 5.0, "{dot}");
    assert_eq!(plot["timeline"]["captures"][0]["on_visit_day"], true, "{plot}");
    assert_eq!(plot["files"][0]["name"], "google-pixel-gps.jpg");

    let plot = invoke_with(&window, "visit_plot", json!({"case_id": there})).unwrap();
    let dot = &plot["positions"]["photos"][0];
    assert_eq!(dot["inside"], false, "{plot}");
    let distance = dot["distance_m"].as_f64().unwrap();
    assert!((1000.0..1200.0).contains(&distance), "{dot}");
    assert!(dot["north_m"].as_f64().unwrap() > 1000.0, "the photo is north of the premises: {dot}");
    assert_eq!(plot["positions"]["extent_m"], 800.0, "at most four radii: {plot}");
    assert_eq!(dot["beyond_extent"], true);
    assert_eq!(plot["timeline"]["captures"][0]["on_visit_day"], false, "{plot}");
    let window_start = plot["timeline"]["visit_window"]["start"].as_str().unwrap();
    assert_eq!(window_start, "2018-07-25T16:00:00Z", "the visit day starts at 00:00 UTC+8");

    let missing = invoke_with(&window, "visit_plot", json!({"case_id": "no-such-case"})).unwrap_err();
    assert_eq!(missing["code"], "case_not_found", "{missing}");
}
