//! Where the window opens (`window_placement::choose_placement`): a 1366×768 laptop gets the
//! work area, a large screen the configured size, and a saved placement comes back only while
//! it is still on a screen.

use merchant_intake_app::window_placement::{Placement, ScreenArea, WindowPlacement, choose_placement};

/// 1366×768 less a 40 px task bar at the bottom.
const LAPTOP: ScreenArea = ScreenArea { x: 0, y: 0, width: 1366, height: 728 };
const LARGE: ScreenArea = ScreenArea { x: 0, y: 0, width: 1920, height: 1040 };
/// The configured 1200×800 window with a 2×1 px border and a 30 px title bar.
const OUTER: (u32, u32) = (1202, 831);
const FRAME: (u32, u32) = (2, 31);

#[test]
fn a_laptop_screen_lower_than_the_window_gets_the_work_area() {
    assert_eq!(choose_placement(None, OUTER, FRAME, LAPTOP, &[LAPTOP]), Placement::FillWorkArea(LAPTOP));
}

#[test]
fn a_screen_the_window_fits_keeps_the_configured_size() {
    assert_eq!(choose_placement(None, OUTER, FRAME, LARGE, &[LARGE]), Placement::Centre);
}

#[test]
fn a_saved_placement_comes_back_while_it_is_on_a_screen() {
    let saved = WindowPlacement { area: ScreenArea { x: 100, y: 50, width: 1000, height: 600 }, maximized: false };
    assert_eq!(choose_placement(Some(saved), OUTER, FRAME, LAPTOP, &[LAPTOP]), Placement::Restore(saved));
}

#[test]
fn a_saved_placement_off_every_screen_is_dropped() {
    // Left on a second monitor that is no longer connected, or saved on a larger screen.
    let elsewhere = WindowPlacement { area: ScreenArea { x: 1920, y: 0, width: 1200, height: 800 }, maximized: false };
    assert_eq!(choose_placement(Some(elsewhere), OUTER, FRAME, LAPTOP, &[LAPTOP]), Placement::FillWorkArea(LAPTOP));
    let too_tall = WindowPlacement { area: ScreenArea { x: 0, y: 0, width: 1200, height: 800 }, maximized: false };
    assert_eq!(choose_placement(Some(too_tall), OUTER, FRAME, LAPTOP, &[LAPTOP]), Placement::FillWorkArea(LAPTOP));
    let second = ScreenArea { x: 1366, y: 0, width: 1920, height: 1080 };
    assert_eq!(
        choose_placement(Some(elsewhere), OUTER, FRAME, LAPTOP, &[LAPTOP, second]),
        Placement::Restore(elsewhere),
        "on the second screen while it is there"
    );
}

#[test]
fn the_file_keeps_its_flat_fields() {
    // Placements written before the rectangle had a type of its own must still read.
    let text = r#"{"x":100,"y":50,"width":1000,"height":600,"maximized":true}"#;
    let placement: WindowPlacement = serde_json::from_str(text).unwrap();
    let area = ScreenArea { x: 100, y: 50, width: 1000, height: 600 };
    assert_eq!(placement, WindowPlacement { area, maximized: true });
    assert_eq!(serde_json::to_string(&placement).unwrap(), text);
}
