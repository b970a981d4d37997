//! The commands the front-end may invoke: one per core call, each one line that calls the
//! core and hands back its result or its error as `{code, message}`.
//!
//! Adding a command takes four places: the function here, its name in `build.rs`, its
//! `allow-<name>` permission in `capabilities/default.json`, and `generate_handler!` in
//! `lib.rs`. The front-end calls it by name with types generated from the core.

use intake_core::ErrorReport;
use intake_core::case::CaseSummary;
use tauri::State;

use crate::SharedDataFolder;

/// Every case, most recently changed first (`intake case list`).
// Async so that the core's disk work runs off the main (UI) thread.
#[tauri::command]
pub async fn list_cases(data_folder: State<'_, SharedDataFolder>) -> Result<Vec<CaseSummary>, ErrorReport> {
    data_folder.with(|folder| folder.list_cases())
}
