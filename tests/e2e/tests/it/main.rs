//! End-to-end tests: the built desktop app, driven over WebDriver through tauri-driver.
//!
//! They need what a plain `cargo test` does not have, so this crate is not a default
//! workspace member: Xvfb (each session starts a display of its own, at 1366x768, so that
//! tests running at once never cover each other's windows), ImageMagick's `import` (the
//! screenshots are read from the window), `tauri-driver` on the PATH, and the app and CLI
//! already built. `scripts/test-e2e.sh` sees to all of them. A missing piece fails the test
//! with a message saying what to do; it never passes silently.

mod adding_and_wizard;
mod app_figures;
mod case_list;
mod correct;
mod documents;
mod golive;
mod harness;
mod import_phases;
mod keyboard;
mod laptop_screen;
mod lock;
mod notes;
mod outbox;
mod responsiveness;
// The S3 servers of the CLI's upload tests, started the same way here.
#[allow(dead_code)]
#[path = "../../../../crates/intake-cli/tests/it/s3_server.rs"]
mod s3_server;
mod thresholds;
mod tray;
mod visit;
mod watermark;
mod where_and_when;
mod windowed_cards;
mod workspace;
mod wrong_type;
