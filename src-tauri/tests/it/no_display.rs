//! The app started where there is no display says so and exits, rather than panicking in the
//! window library.

use std::process::Command;

#[cfg(target_os = "linux")]
#[test]
fn without_a_display_the_app_says_so_and_exits_without_a_panic() {
    let output = Command::new(env!("CARGO_BIN_EXE_merchant-intake"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("INTAKE_HOME", tempfile::tempdir().unwrap().path().join("home"))
        .output()
        .expect("the app's binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "exit status; stderr: {stderr}");
    assert!(stderr.contains("no display"), "it names the problem: {stderr}");
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
}
