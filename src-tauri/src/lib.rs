//! The Merchant Intake desktop shell.
//!
//! One window (label `main`, title 商户入网资料采集) shows the front-end of `ui/` and answers
//! its commands. Every command in [`commands`] adapts exactly one call of `intake-core` and
//! returns the core's error in its wire form `{code, message}`: business rules live in the
//! core, never here. This is the only crate of the workspace that imports tauri.
//!
//! The shell opens the same data folder as the `intake` CLI (`--home DIR`, else
//! `INTAKE_HOME`, else the platform's per-user data folder), so a case made with one is seen
//! by the other.
#![deny(missing_docs)]

pub mod commands;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use intake_core::{DataFolder, ErrorReport};

/// The data folder, shared by every command of the window.
///
/// It is opened on the first command rather than at start-up, so a folder that cannot be
/// opened (read-only, damaged database, no per-user folder) is shown as an error in the
/// window instead of an app that never appears. Once open it stays open, holding the folder's
/// shared lock like any other client, until the app exits.
pub struct SharedDataFolder {
    location: Result<PathBuf, ErrorReport>,
    // A Mutex because the core's database handle is used by one caller at a time; commands
    // are short, so contention is not a concern.
    open: Mutex<Option<DataFolder>>,
}

impl SharedDataFolder {
    /// A data folder at `location`, opened on first use; an error is reported by every command.
    pub fn new(location: intake_core::Result<PathBuf>) -> Self {
        SharedDataFolder { location: location.map_err(ErrorReport::from), open: Mutex::new(None) }
    }

    /// Where the folder is, when known.
    pub fn location(&self) -> Option<&Path> {
        self.location.as_deref().ok()
    }

    /// Runs one core call on the open folder, opening it first if needed.
    pub fn with<T>(&self, core_call: impl FnOnce(&mut DataFolder) -> intake_core::Result<T>) -> Result<T, ErrorReport> {
        let root = self.location.as_ref().map_err(Clone::clone)?;
        // A panic while the lock was held leaves nothing half-done: every write of the core is
        // its own transaction. So a poisoned lock is still safe to use.
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let folder = match open.as_mut() {
            Some(folder) => folder,
            None => open.insert(DataFolder::open(root)?),
        };
        Ok(core_call(folder)?)
    }
}

/// Adds the shell's state and commands to a Tauri builder. Shared by [`run`] and the tests,
/// which use Tauri's mock runtime.
pub fn with_commands<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    data_folder: SharedDataFolder,
) -> tauri::Builder<R> {
    builder.manage(data_folder).invoke_handler(tauri::generate_handler![commands::list_cases])
}

/// Opens the window and runs until it is closed.
pub fn run(data_folder: SharedDataFolder) -> tauri::Result<()> {
    with_commands(tauri::Builder::default(), data_folder).run(tauri::generate_context!())
}
