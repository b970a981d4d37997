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
//!
//! **File access is least privilege.** The front-end cannot name a file to read: the file and
//! folder dialogs are opened from Rust ([`commands::pick_files`], [`commands::pick_folder`]) and
//! dropped files come from the window's own drop event; every path obtained so is remembered in
//! [`PickedPaths`], and [`commands::add_files`] refuses any other (`path_not_picked`).
//!
//! **App lock.** The app never works on personal data in clear: on an unencrypted folder (new,
//! or made by the CLI or an older version) every case command answers `passphrase_required`
//! ([`intake_core::encryption::require_encrypted`], in the one gate [`SharedDataFolder::with`])
//! until [`SharedDataFolder::set_passphrase`] has encrypted it in place; the front-end shows its
//! 设置密码 screen meanwhile. An encrypted data folder is opened only by
//! [`SharedDataFolder::unlock`] with the manager's passphrase; until then every command answers
//! `passphrase_required` and the front-end shows its unlock screen. [`SharedDataFolder::lock`]
//! (the 立即锁定 button, and the idle timer: [`spawn_idle_lock`], after the settings'
//! `idle_lock_seconds` without a command or user input reported by `note_activity`) drops the
//! open folder, and with it the data key; the handles of worker threads (imports, exports,
//! uploads) are told to stop at their next safe point and drop theirs.
#![deny(missing_docs)]

pub mod commands;
pub mod events;
pub mod window_placement;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use intake_core::encryption::{EncryptionProgress, LockStatus};
use intake_core::keys::{MIN_PASSPHRASE_CHARS, Passphrase};
use intake_core::{DataFolder, ErrorKind, ErrorReport};
use tauri::{DragDropEvent, Manager, WindowEvent};

/// The data folder, shared by every command of the window.
///
/// It is opened on the first command rather than at start-up, so a folder that cannot be
/// opened (read-only, damaged database, no per-user folder) is shown as an error in the
/// window instead of an app that never appears. Once open it stays open, holding the folder's
/// shared lock like any other client, until the app exits.
pub struct SharedDataFolder {
    location: Result<PathBuf, ErrorReport>,
    // A Mutex because the core's database handle is used by one caller at a time; commands
    // are short, so contention is not a concern. Long imports open a folder of their own.
    open: Mutex<Option<DataFolder>>,
    /// When the manager last used the app (a command, or input the front-end reported).
    last_activity: Mutex<Instant>,
    /// The idle lock time read from the settings, with the settings file's modification time
    /// it was read at. The idle-lock thread asks every second; reading, unsealing and checking
    /// settings.json each time (under the folder's lock, which commands wait for) is only
    /// needed when the file changed (the app's 设置, or `intake settings` beside it).
    idle_lock_read: Mutex<Option<(SystemTime, Option<Duration>)>>,
    /// Raised when the app locks: every handle given to a worker thread ([`Self::second_handle`])
    /// watches it, so an import, export or upload under way stops at its next safe point and
    /// drops its copy of the key. A fresh one is made for the handles given out after.
    workers_stop: Mutex<Arc<AtomicBool>>,
}

impl SharedDataFolder {
    /// A data folder at `location`, opened on first use; an error is reported by every command.
    pub fn new(location: intake_core::Result<PathBuf>) -> Self {
        SharedDataFolder {
            location: location.map_err(ErrorReport::from),
            open: Mutex::new(None),
            last_activity: Mutex::new(Instant::now()),
            idle_lock_read: Mutex::new(None),
            workers_stop: Mutex::new(Arc::new(AtomicBool::new(false))),
        }
    }

    /// Notes that the manager is using the app (postpones the idle lock).
    pub fn note_activity(&self) {
        *self.last_activity.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Instant::now();
    }

    fn open_folder(&self) -> std::sync::MutexGuard<'_, Option<DataFolder>> {
        // A panic while the lock was held leaves nothing half-done: every write of the core is
        // its own transaction. So a poisoned lock is still safe to use.
        self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Opens the encrypted folder with its passphrase (`wrong_passphrase` reads nothing).
    pub fn unlock(&self, passphrase: &Passphrase) -> Result<(), ErrorReport> {
        let root = self.location.as_ref().map_err(Clone::clone)?;
        let mut open = self.open_folder();
        *open = Some(DataFolder::unlock(root, passphrase)?);
        self.note_activity();
        Ok(())
    }

    /// Encrypts the folder under a new passphrase (`DataFolder::encrypt`, in place, resumable;
    /// or finishes an interrupted encryption with the same one) and keeps it open, reporting
    /// each file. The app's own handle is closed first: encrypting needs the folder to itself.
    pub fn set_passphrase(
        &self,
        passphrase: &Passphrase,
        on_progress: impl FnMut(EncryptionProgress),
    ) -> Result<(), ErrorReport> {
        let root = self.location.as_ref().map_err(Clone::clone)?;
        let mut open = self.open_folder();
        *open = None;
        DataFolder::encrypt_reporting(root, passphrase, on_progress)?;
        *open = Some(DataFolder::unlock(root, passphrase)?);
        self.note_activity();
        Ok(())
    }

    /// Closes an encrypted folder, dropping its key from memory. An unencrypted folder has
    /// nothing to lock and stays open. True when something was locked.
    /// The worker threads' handles are told to stop too ([`DataFolder::stop_when`]): each
    /// drops its key when its operation returns, at the latest after the file, the 1 MiB piece
    /// or the package it is at.
    pub fn lock(&self) -> bool {
        let mut open = self.open_folder();
        if open.as_ref().is_some_and(DataFolder::is_encrypted) {
            *open = None;
            let mut stop = self.workers_stop.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            stop.store(true, Ordering::SeqCst);
            *stop = Arc::new(AtomicBool::new(false));
            return true;
        }
        false
    }

    /// Locks when the folder is encrypted, open, and unused for `idle` or longer.
    pub fn lock_if_idle(&self, idle: Duration) -> bool {
        let unused = self.last_activity.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).elapsed();
        unused >= idle && self.lock()
    }

    /// Whether the folder is encrypted and unlocked, and the idle lock time.
    pub fn lock_status(&self) -> Result<LockStatus, ErrorReport> {
        let root = self.location.as_ref().map_err(Clone::clone)?;
        intake_core::encryption::check_location(root)?;
        let state = DataFolder::encryption_state(root);
        let unlocked = self.open_folder().as_ref().is_some_and(DataFolder::is_encrypted);
        let idle_lock_seconds = self.idle_lock().map_or(0, |idle| u32::try_from(idle.as_secs()).unwrap_or(u32::MAX));
        Ok(LockStatus {
            state,
            unlocked,
            idle_lock_seconds,
            holds_data: intake_core::encryption::holds_data(root),
            min_passphrase_chars: u32::try_from(MIN_PASSPHRASE_CHARS).unwrap_or(u32::MAX),
        })
    }

    /// After how long without use the open folder locks, from its settings (sealed: readable
    /// only while it is open); the default while it is locked or its settings cannot be read.
    pub fn idle_lock(&self) -> Option<Duration> {
        let modified = self
            .location()
            .and_then(|root| std::fs::metadata(intake_core::settings::settings_path(root)).ok())
            .and_then(|metadata| metadata.modified().ok());
        let mut read = self.idle_lock_read.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let (Some(modified), Some((read_at, idle))) = (modified, *read)
            && modified == read_at
        {
            return idle;
        }
        // Read while the folder is open only: a locked folder's settings cannot be unsealed, and
        // their defaults must not be remembered as what the file says.
        match self.open_folder().as_ref().map(DataFolder::settings) {
            Some(Ok(settings)) => {
                *read = modified.map(|modified| (modified, settings.idle_lock()));
                settings.idle_lock()
            }
            _ => intake_core::settings::Settings::default().idle_lock(),
        }
    }

    /// Where the folder is, when known.
    pub fn location(&self) -> Option<&Path> {
        self.location.as_deref().ok()
    }

    /// Runs one core call on the open folder, opening it first if needed.
    pub fn with<T>(&self, core_call: impl FnOnce(&mut DataFolder) -> intake_core::Result<T>) -> Result<T, ErrorReport> {
        let root = self.location.as_ref().map_err(Clone::clone)?;
        self.note_activity();
        let mut open = self.open_folder();
        // Not open: the app works on no folder in clear. An unencrypted one answers
        // `passphrase_required` until a passphrase is set (which encrypts it), an encrypted
        // one until it is unlocked.
        let Some(folder) = open.as_mut() else {
            intake_core::encryption::require_encrypted(root)?;
            return Err(ErrorReport::from(intake_core::Error::for_file(
                ErrorKind::PassphraseRequired,
                root,
                "数据文件夹已锁定,请输入密码 / the data folder is locked: unlock it with its passphrase",
            )));
        };
        Ok(core_call(folder)?)
    }

    /// The folder's path, or the reason it has none.
    pub fn root(&self) -> Result<PathBuf, ErrorReport> {
        self.location.clone()
    }

    /// A handle of its own on the folder (with the key it was unlocked with), for long core
    /// calls (imports, exports), so the shared one stays free for the window's other commands
    /// meanwhile; it takes the folder's lock shared, like the CLI beside the app, so it never
    /// cleans up under anyone. A lock while it works stops it at its next safe point (see
    /// [`Self::lock`]); the handle, and its key, are dropped when the worker returns.
    pub fn second_handle(&self) -> Result<DataFolder, ErrorReport> {
        let mut handle = self.with(|folder| folder.reopen())?;
        handle.stop_when(self.workers_stop.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone());
        Ok(handle)
    }
}

/// The paths the user gave the app, by a dialog or by dropping them on the window: the only
/// ones [`commands::add_files`] reads. Kept for the life of the window.
#[derive(Default)]
pub struct PickedPaths(Mutex<HashSet<PathBuf>>);

impl PickedPaths {
    /// Remembers paths the user picked.
    pub fn remember(&self, paths: &[PathBuf]) {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).extend(paths.iter().cloned());
    }

    /// `Ok` when every path was picked by the user; otherwise `path_not_picked` naming the first
    /// that was not, and nothing is read.
    pub fn require_all(&self, paths: &[PathBuf]) -> Result<(), ErrorReport> {
        let picked = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match paths.iter().find(|path| !picked.contains(*path)) {
            None => Ok(()),
            Some(path) => Err(ErrorReport::from(intake_core::Error::for_file(
                ErrorKind::PathNotPicked,
                path,
                "was not picked in a file dialog or dropped on the window; only those may be added",
            ))),
        }
    }
}

// The TypeScript bindings of this and `DroppedPaths` are written by the shell's `ipc_surface`
// test, not by `#[ts(export)]`, whose unit test would write them relative to wherever the test
// binary runs (scripts/test-e2e.sh runs it without cargo's TS_RS_EXPORT_DIR).
/// The payload of [`events::DRAG_OVER`].
#[derive(Debug, Clone, Copy, serde::Serialize, ts_rs::TS)]
#[allow(missing_docs)] // CSS pixels from the window's top left
pub struct DragPosition {
    pub x: f64,
    pub y: f64,
}

/// The payload of [`events::PATHS_DROPPED`].
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct DroppedPaths {
    /// The files, absolute.
    pub paths: Vec<String>,
    /// Where the drop happened, in CSS pixels from the window's top left.
    pub x: f64,
    #[allow(missing_docs)]
    pub y: f64,
    /// Set when a dropped folder could not be listed (the files found elsewhere still count).
    pub error: Option<ErrorReport>,
}

/// Expands dropped paths: files as they are, folders into their files.
pub fn expand_picked(paths: &[PathBuf]) -> (Vec<PathBuf>, Option<ErrorReport>) {
    let mut files = Vec::new();
    let mut error = None;
    for path in paths {
        if path.is_dir() {
            match intake_core::data_folder::files_in_folder(path) {
                Ok(found) => files.extend(found),
                Err(err) => error = Some(ErrorReport::from(err)),
            }
        } else {
            files.push(path.clone());
        }
    }
    (files, error)
}

/// Starts the thread that locks the data folder after the settings' idle time without use and
/// tells the window ([`events::LOCKED`]). The key is dropped here, in Rust, even if the window's
/// script is stuck.
pub fn spawn_idle_lock<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let shared = app.state::<SharedDataFolder>();
            if shared.location().is_none() {
                return;
            }
            if let Some(idle) = shared.idle_lock()
                && shared.lock_if_idle(idle)
            {
                events::LOCKED.send(&app, &());
            }
        }
    });
}

/// A drag over the window or a drop on it: tells the window where, and makes the dropped
/// paths addable (the only way, with the file dialogs, that a path may be added).
fn on_drag_drop<R: tauri::Runtime>(window: &tauri::Window<R>, event: &DragDropEvent) {
    let scale = window.scale_factor().unwrap_or(1.0);
    match event {
        DragDropEvent::Enter { position, .. } | DragDropEvent::Over { position } => {
            let at = DragPosition { x: position.x / scale, y: position.y / scale };
            events::DRAG_OVER.send_to_window(window, &at);
        }
        DragDropEvent::Leave => events::DRAG_LEFT.send_to_window(window, &()),
        DragDropEvent::Drop { paths, position } => {
            events::DRAG_LEFT.send_to_window(window, &());
            let (x, y) = (position.x / scale, position.y / scale);
            let window = window.clone();
            let paths = paths.clone();
            // Listing a dropped folder reads the disk: not on the UI thread.
            std::thread::spawn(move || {
                let (files, error) = expand_picked(&paths);
                window.state::<PickedPaths>().remember(&files);
                let paths = files.iter().map(|path| path.display().to_string()).collect();
                events::PATHS_DROPPED.send_to_window(&window, &DroppedPaths { paths, x, y, error });
            });
        }
        _ => {}
    }
}

/// The test seam for dropping files, which WebDriver cannot do (a drop comes from the
/// desktop, not from the page): while the app runs, a file named by this environment variable
/// is read when it appears, deleted, and played as the window's own drag events, through
/// [`on_drag_drop`] as a real drop is. Its lines: `over X Y` (a drag at CSS pixels X, Y) or
/// `drop X Y` followed by one path per line. Read by the Rust side only, from the environment
/// the app was started with. Only in builds with the `test-seams` feature.
#[cfg(feature = "test-seams")]
pub const TEST_DROP_VAR: &str = "INTAKE_TEST_DROP";

#[cfg(feature = "test-seams")]
fn play_test_drops<R: tauri::Runtime>(window: tauri::Window<R>) {
    let Some(drop_file) = std::env::var_os(TEST_DROP_VAR).map(std::path::PathBuf::from) else {
        return;
    };
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(100));
            // The test writes the file whole (temp and rename); an empty one is not played.
            let Ok(text) = std::fs::read_to_string(&drop_file) else { continue };
            if text.trim().is_empty() {
                continue;
            }
            let _ = std::fs::remove_file(&drop_file);
            let mut lines = text.lines();
            let Some(first) = lines.next() else { continue };
            let words: Vec<&str> = first.split_whitespace().collect();
            let scale = window.scale_factor().unwrap_or(1.0);
            let position = match (
                words.get(1).and_then(|x| x.parse::<f64>().ok()),
                words.get(2).and_then(|y| y.parse::<f64>().ok()),
            ) {
                (Some(x), Some(y)) => tauri::PhysicalPosition::new(x * scale, y * scale),
                _ => continue,
            };
            let event = match words.first() {
                Some(&"over") => DragDropEvent::Over { position },
                Some(&"drop") => DragDropEvent::Drop { paths: lines.map(std::path::PathBuf::from).collect(), position },
                _ => continue,
            };
            on_drag_drop(&window, &event);
        }
    });
}

/// Adds the shell's state, commands and drop handling to a Tauri builder. Shared by [`run`]
/// and the tests, which use Tauri's mock runtime.
pub fn with_commands<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    data_folder: SharedDataFolder,
) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .manage(data_folder)
        .manage(PickedPaths::default())
        .manage(window_placement::LastPlacement::default())
        .on_window_event(|window, event| {
            window_placement::on_window_event(window, event);
            if let WindowEvent::DragDrop(drag) = event {
                on_drag_drop(window, drag);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::vocabulary,
            commands::finding_advice,
            commands::list_cases,
            commands::case_list,
            commands::split_pasted_position,
            commands::question_position,
            commands::create_case,
            commands::get_case,
            commands::check_case,
            commands::thumbnail,
            commands::evidence_file,
            commands::pick_files,
            commands::pick_folder,
            commands::add_files,
            commands::read_case_documents,
            commands::document_offers,
            commands::attest_file,
            commands::validate_case_field,
            commands::set_case_field,
            commands::clear_case_field,
            commands::export_case,
            commands::save_package_copy,
            commands::get_settings,
            commands::change_settings,
            commands::public_key_info,
            commands::register_line,
            commands::lock_status,
            commands::unlock,
            commands::lock,
            commands::set_passphrase,
            commands::change_passphrase,
            commands::note_activity,
            commands::outbox,
            commands::outbox_overview,
            commands::upload_settings,
            commands::change_upload_settings,
            commands::upload_packages,
            commands::retry_package,
            commands::retry_due_packages,
            commands::visit_plot,
            commands::thresholds,
            commands::set_thresholds,
            commands::reset_thresholds,
            commands::withdraw_file,
            commands::restore_file,
            commands::move_file,
            commands::accept_finding,
            commands::add_note,
            commands::case_notes,
            commands::withdrawn_files,
            commands::update_case,
            commands::unsorted_tray,
            commands::assign_unsorted_files,
            commands::withdraw_unsorted_files,
        ])
}

/// Opens the window and runs until it is closed.
pub fn run(data_folder: SharedDataFolder) -> tauri::Result<()> {
    with_commands(tauri::Builder::default(), data_folder)
        .setup(|app| {
            // The window is created hidden (tauri.conf.json) and shown once it fits the screen,
            // so it never flashes at a size that falls off a small one.
            if let Some(window) = app.get_webview_window("main") {
                window_placement::place_at_start(&window);
                let _ = window.show();
                #[cfg(feature = "test-seams")]
                play_test_drops(window.as_ref().window());
            }
            spawn_idle_lock(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!())
}
