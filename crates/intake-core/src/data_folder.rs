//! A data folder: one manager's cases and evidence on one machine.
//!
//! ```text
//! <data folder>/
//!   intake.sqlite3 (+ -wal, -shm)   the case store (module `database`)
//!   vault/                          evidence files under their SHA-256, and their
//!                                   thumbnails (module `vault`)
//!   intake.lock                     held shared by every open data folder
//!   keys/data-key.json              the data key wrapped under the passphrase, once the
//!                                   folder is encrypted (module `encryption`)
//!   settings.json                   the installation's settings (module `settings`), sealed
//!                                   under the data key once the folder is encrypted
//!   keys/sm2-private-key.pem|.enc   the signing key (module `signing`): in clear in an
//!                                   unencrypted folder, sealed (`.enc`) in an encrypted one
//! ```
//!
//! The CLI and the desktop app open the same folder, possibly at the same time. SQLite
//! serialises their writes. The lock file decides who may clean up after a crash: only a
//! process that gets the lock *exclusively* at open removes leftover temp files and
//! unreferenced objects, since then nobody can be half-way through writing one.

mod audit;
mod case_checks;
mod case_list;
mod checklist;
mod corrections;
mod documents;
mod encryption;
mod package;
mod pixel_phase;
mod sealed_outbox;
mod settings;
mod signing;
mod tray;
mod upload;
mod viewing;
mod visit_plot;

use std::fs::{self, File, OpenOptions};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;

use crate::case::{Case, CaseSummary, NewCase, validate_new_case};
use crate::checklist::Rules;
use crate::database::{Database, EvidenceFacts, EvidenceRecord, NewEvidence};
use crate::error::{Error, ErrorKind, ErrorReport, Result};
use crate::evidence::Thresholds;
use crate::evidence::case_checks::{ImportPhase, read_at_import, read_metadata_of_bytes};
use crate::in_order;
use crate::keys::DataKey;
use crate::vault::{StoredObject, Vault};
pub use audit::AuditReport;
pub use pixel_phase::PixelCheckProgress;
#[cfg(feature = "test-seams")]
pub use pixel_phase::{FAULT_ABORT_BEFORE_PIXEL_CHECKS, TEST_HOLD_PIXEL_CHECKS};

/// The largest evidence file accepted by default: a few minutes of inspection video fit.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

pub(crate) const DATABASE_FILE: &str = "intake.sqlite3";
pub(crate) const LOCK_FILE: &str = "intake.lock";

/// An open data folder.
pub struct DataFolder {
    root: PathBuf,
    database: Database,
    vault: Vault,
    max_file_bytes: u64,
    /// The checklist rules; the embedded ones unless [`DataFolder::set_rules`] chose others.
    rules: Option<Arc<Rules>>,
    /// The data key of an encrypted folder (`None`: unencrypted), kept to open it again
    /// ([`DataFolder::reopen`]); wiped when the folder is dropped.
    key: Option<DataKey>,
    /// Raised by whoever gave this handle out (the app, when it locks): the handle's long
    /// operations then stop at their next safe point ([`DataFolder::stop_when`]).
    stop: Option<Arc<AtomicBool>>,
    /// This handle had the folder to itself when it opened (it cleaned up): pixel checks still
    /// pending then were left by a crash, not by an import under way elsewhere.
    opened_alone: bool,
    // Held (shared) for as long as the folder is open; released on drop.
    _lock: File,
}

/// What a crash left behind and the last open removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)] // field names say it
pub struct CleanupReport {
    pub temp_files_removed: usize,
    pub unreferenced_objects_removed: usize,
    pub unreferenced_thumbnails_removed: usize,
    /// Sealed packages removed because their upload was verified longer ago than the settings
    /// keep them (module `sealed_outbox`).
    pub expired_packages_removed: usize,
    /// False when another process had the folder open, so nothing was looked at.
    pub ran: bool,
}

/// What happened to one file given to [`DataFolder::add_files`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
#[allow(missing_docs)] // field names say it
pub struct FileOutcome {
    /// The path as the user gave it.
    pub path: String,
    pub status: FileStatus,
    /// The stored record: the new one, or the existing one when already present.
    pub evidence: Option<EvidenceRecord>,
    pub error: Option<ErrorReport>,
}

/// Where an import stands after one more file: what a front-end shows while
/// [`DataFolder::add_files`] runs (the app sends one per file as an event).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ImportProgress {
    #[allow(missing_docs)]
    pub case_id: String,
    /// The material slot the files go to.
    pub material: String,
    /// Files done so far, this one included.
    pub done: u32,
    /// Files in this import.
    pub total: u32,
    /// What happened to this file.
    pub outcome: FileOutcome,
}

/// The outcome of adding one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FileStatus {
    /// Stored and recorded.
    Added,
    /// The same bytes were already in this material of this case: nothing changed.
    AlreadyPresent,
    /// Not added; `error` says why. Nothing already stored was touched.
    Failed,
}

impl DataFolder {
    /// The platform's per-user data folder for Merchant Intake: `%LOCALAPPDATA%` on Windows,
    /// `~/Library/Application Support` on macOS, `$XDG_DATA_HOME` or `~/.local/share` on Linux.
    pub fn default_path() -> Result<PathBuf> {
        dirs::data_local_dir().map(|base| base.join("merchant-intake")).ok_or_else(|| {
            Error::new(ErrorKind::DataFolderUnwritable, "this system has no per-user data folder; give --home")
        })
    }

    /// Opens the unencrypted data folder at `root`, creating it if needed, and cleans up after
    /// any crash. An encrypted folder is refused (`passphrase_required`): open it with
    /// [`DataFolder::unlock`].
    pub fn open(root: &Path) -> Result<DataFolder> {
        Self::open_reporting_cleanup(root).map(|(folder, _)| folder)
    }

    /// Like [`DataFolder::open`], also saying what was cleaned up.
    pub fn open_reporting_cleanup(root: &Path) -> Result<(DataFolder, CleanupReport)> {
        crate::encryption::refuse_unless_unencrypted(root)?;
        Self::open_keyed(root, None)
    }

    /// The same folder opened again (another handle, e.g. for a worker thread), with the key
    /// it was unlocked with.
    pub fn reopen(&self) -> Result<DataFolder> {
        Self::open_keyed(&self.root, self.key.clone()).map(|(folder, _)| folder)
    }

    /// Makes this handle's long operations stop at their next safe point once `signal` is
    /// raised: an import between two files (the others fail, nothing half-recorded), an export
    /// between two pieces of 1 MiB (nothing queued, no temp file left), an upload between two
    /// packages. Stopped, they answer `passphrase_required`. Why: a worker thread (the app's
    /// imports, exports and uploads) holds its own handle, with its own copy of the data key and
    /// an open SQLCipher connection; locking the app must end those too, not only the window's
    /// handle. The key is wiped when the handle is dropped.
    pub fn stop_when(&mut self, signal: Arc<AtomicBool>) {
        self.stop = Some(signal);
    }

    /// Whether this handle was told to stop ([`DataFolder::stop_when`]).
    pub fn stop_requested(&self) -> bool {
        self.stop.as_ref().is_some_and(|signal| signal.load(Ordering::SeqCst))
    }

    /// `passphrase_required` once this handle was told to stop; `Ok` otherwise.
    pub(crate) fn refuse_if_stopped(&self) -> Result<()> {
        if self.stop_requested() { Err(locked_meanwhile(&self.root)) } else { Ok(()) }
    }

    /// True when the folder's database and files are encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// The key of the folder's sealed small files (settings, signing key); `None` when the
    /// folder is unencrypted and they are kept in clear.
    pub(crate) fn sealed_file_key(&self) -> Option<crate::keys::FileKey> {
        self.key.as_ref().map(DataKey::sealed_file_key)
    }

    /// Opens the folder with its data key (`None`: unencrypted). The caller has checked the
    /// folder's state.
    pub(crate) fn open_keyed(root: &Path, key: Option<DataKey>) -> Result<(DataFolder, CleanupReport)> {
        if root.exists() && !root.is_dir() {
            return Err(Error::for_file(
                ErrorKind::DataFolderUnwritable,
                root,
                "the data folder is a file, not a folder",
            ));
        }
        create_owner_only(root).map_err(|err| data_folder_error(root, &err))?;
        let lock_path = root.join(LOCK_FILE);
        let lock = open_lock_file(root, &lock_path)?;
        let (database, vault) = match &key {
            None => (Database::open(&root.join(DATABASE_FILE))?, Vault::open(&root.join("vault"))?),
            Some(key) => (
                Database::open_encrypted(&root.join(DATABASE_FILE), key)?,
                Vault::open_encrypted(&root.join("vault"), key.file_key())?,
            ),
        };

        let mut report = CleanupReport::default();
        let mut lock = lock;
        if lock.try_lock().is_ok() {
            let referenced = database.referenced_hashes()?;
            crate::encryption::remove_small_leftovers(root)?;
            report = CleanupReport {
                temp_files_removed: vault.remove_leftovers()?,
                unreferenced_objects_removed: vault.remove_unreferenced(&referenced)?,
                unreferenced_thumbnails_removed: vault.remove_unreferenced_thumbnails(&referenced)?,
                expired_packages_removed: 0,
                ran: true,
            };
            // Released by closing the handle rather than `File::unlock`: on Windows std's unlock
            // unlocks twice (a handle may hold an exclusive and a shared lock) and accepts
            // ERROR_NOT_LOCKED from the second; Wine answers ERROR_LOCK_VIOLATION (os error 33)
            // there, and every open failed. Closing a handle releases its locks on Windows, Wine
            // and unix alike, and the blocking `lock_shared` below waits for that if needed.
            drop(lock);
            lock = open_lock_file(root, &lock_path)?;
        }
        // Another process may take the exclusive lock between the release and this line; it
        // then cleans up before we have written anything, which is safe.
        lock.lock_shared().map_err(|err| Error::writing(&lock_path, &err))?;

        let folder = DataFolder {
            root: root.to_path_buf(),
            database,
            vault,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            rules: None,
            key,
            stop: None,
            opened_alone: report.ran,
            _lock: lock,
        };
        if report.ran {
            // A package that cannot be removed now (settings unreadable, a file held open by
            // another program) is removed at a later open or upload; it is no reason to keep
            // the manager out of the folder.
            report.expired_packages_removed = folder.remove_expired_packages(Utc::now()).unwrap_or(0);
        }
        Ok((folder, report))
    }

    /// Finishes the pixel checks a crash left pending between the two phases of an import, when
    /// this handle opened the folder alone (nobody else can be importing them): what the CLI
    /// does at every open. Returns how many files were checked.
    pub fn resume_pixel_checks(&self, on_file_done: impl FnMut(&PixelCheckProgress)) -> Result<usize> {
        if !self.opened_alone {
            return Ok(0);
        }
        self.finish_pixel_checks(None, on_file_done)
    }

    /// The folder's path.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Refuses (`invalid_input`) a path to write a file the user named (a package, a plain
    /// copy) that lies inside this data folder: replacing the database, the signing key or a
    /// vault object with a zip would lose every case, or the branch's identity, at once. The
    /// path is resolved before comparing: `..` in it, and links and (on Windows) the letter
    /// case of the part of it that exists; the folders it names need not exist yet.
    pub(crate) fn refuse_write_inside(&self, out: &Path) -> Result<()> {
        let written = lexical_absolute(out);
        let candidates = [written.clone(), written.and_then(|path| resolved(&path))];
        let roots = [lexical_absolute(&self.root), fs::canonicalize(&self.root).ok()];
        let inside = candidates.iter().flatten().any(|path| roots.iter().flatten().any(|root| path.starts_with(root)));
        if inside {
            return Err(Error::for_file(
                ErrorKind::InvalidInput,
                out,
                format!(
                    "is inside the data folder {}; write the package somewhere else (数据文件夹内不能写入导出文件)",
                    self.root.display()
                ),
            ));
        }
        Ok(())
    }

    /// The case store.
    pub fn database(&self) -> &Database {
        &self.database
    }

    /// The evidence vault.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// Uses these checklist rules (e.g. a corrected rule file) instead of the embedded ones.
    pub fn set_rules(&mut self, rules: Arc<Rules>) {
        self.rules = Some(rules);
    }

    /// The checklist rules in use. The checklist's operations on cases are in
    /// `checklist::folder`.
    pub fn rules(&self) -> Result<Arc<Rules>> {
        match &self.rules {
            Some(rules) => Ok(rules.clone()),
            None => Rules::embedded(),
        }
    }

    /// The case store, for writing (the checklist's operations live in their own module).
    pub(crate) fn database_mut(&mut self) -> &mut Database {
        self.refresh_audit_manager();
        &mut self.database
    }

    /// Reads who the audit log should name for the next change: the settings' manager, read
    /// again each time because the app's settings screen or another process may change them.
    /// A settings file that cannot be read logs the change as by [`crate::audit::UNKNOWN_MANAGER`]
    /// rather than refusing it.
    pub(crate) fn refresh_audit_manager(&self) {
        let manager = self.settings().map(|settings| settings.manager_name).unwrap_or_default();
        self.database.set_audit_manager(&manager);
    }

    /// Sets the largest file [`DataFolder::add_files`] accepts.
    pub fn set_max_file_bytes(&mut self, max_file_bytes: u64) {
        self.max_file_bytes = max_file_bytes;
    }

    /// Opens a new case and returns it with its id.
    pub fn create_case(&mut self, new_case: NewCase) -> Result<Case> {
        let new_case = validate_new_case(new_case)?;
        let now = Utc::now();
        // A few retries cover the (astronomically rare) id collision.
        for _ in 0..5 {
            let id = new_case_id(now);
            if matches!(self.database.case(&id), Err(ref err) if err.kind() == ErrorKind::CaseNotFound) {
                return self.database_mut().insert_case(&id, &new_case, now);
            }
        }
        Err(Error::new(ErrorKind::Database, "could not find a free case id"))
    }

    /// The case with this id.
    pub fn case(&self, id: &str) -> Result<Case> {
        self.database.case(id)
    }

    /// Every case, most recently changed first.
    pub fn list_cases(&self) -> Result<Vec<CaseSummary>> {
        self.database.list_cases()
    }

    /// The evidence files of a case, in import order.
    pub fn case_evidence(&self, case_id: &str) -> Result<Vec<EvidenceRecord>> {
        self.database.case(case_id)?;
        self.database.case_evidence(case_id)
    }

    /// Imports files into a material slot of a case, in two phases, and returns once both are
    /// done ([`DataFolder::add_files_in_phases`] with nobody listening to the second).
    pub fn add_files(
        &mut self,
        case_id: &str,
        material_key: &str,
        paths: &[PathBuf],
        on_file_done: impl FnMut(&FileOutcome),
    ) -> Result<Vec<FileOutcome>> {
        self.add_files_in_phases(case_id, material_key, paths, on_file_done, |_| {})
    }

    /// Imports files into a material slot of a case. Each file is copied into the vault and
    /// then recorded, one transaction per file, so a failure or crash on one file keeps the
    /// ones before it. The originals are only read.
    ///
    /// First phase: the work on the files (hashing and copying, reading their headers and
    /// metadata) runs on two worker threads per core (they also wait for the disk), at most
    /// that many files in flight, so memory does not grow with the batch; the database is
    /// written on the calling thread only, in the order of `paths`, each file after its bytes
    /// are synced under their final name, with its metadata facts marked as waiting for their
    /// pixel checks. The outcomes come in the order of `paths`, and `on_file_done` is called on
    /// the calling thread after each file is recorded (or has failed), in that order: from
    /// then on the file is in its slot with its metadata findings.
    ///
    /// Second phase (module `pixel_phase`): the pixels of the pictures just recorded are
    /// decoded (thumbnail, perceptual hash, `too_dark`, `blurry`) and their facts completed;
    /// `on_pixels_checked` is called after each. A crash or a lock in between leaves them
    /// pending in the database, finished by [`DataFolder::finish_pixel_checks`] later.
    pub fn add_files_in_phases(
        &mut self,
        case_id: &str,
        material_key: &str,
        paths: &[PathBuf],
        mut on_file_done: impl FnMut(&FileOutcome),
        on_pixels_checked: impl FnMut(&PixelCheckProgress),
    ) -> Result<Vec<FileOutcome>> {
        self.database.case(case_id)?;
        // Only the materials of the checklist (or the 未分类 tray, module `tray`): a mistyped
        // key would hide a file where no check and no reviewer looks for it.
        let rules = self.rules()?;
        crate::tray::require_import_slot(&rules, material_key)?;
        let vault = self.vault.clone();
        let max_file_bytes = self.max_file_bytes;
        // The installation's thresholds; a settings file that is not valid refuses the import
        // (naming the file) rather than checking the files under thresholds nobody chose.
        let thresholds = self.thresholds()?;
        // Before any file is recorded: the case summaries' triggers compare pictures at this distance.
        self.database.keep_near_duplicate_distance(thresholds.near_duplicate_max_distance)?;
        let mut outcomes = Vec::with_capacity(paths.len());
        let stop = self.stop.clone();
        let root = self.root.clone();
        let stopped = move || stop.as_ref().is_some_and(|signal| signal.load(Ordering::SeqCst));
        let prepare = |path: &PathBuf| {
            if stopped() {
                return Err(locked_meanwhile(&root));
            }
            std::panic::catch_unwind(AssertUnwindSafe(|| prepare_file(&vault, path, max_file_bytes, &thresholds)))
                .unwrap_or_else(|_| {
                    Err(Error::for_file(ErrorKind::FileUnreadable, path, "could not be read (internal error)"))
                })
        };
        let threads = in_order::threads_per_core(paths.len(), IMPORT_THREADS_PER_CORE, MAX_IMPORT_THREADS);
        in_order::for_each_in_order(paths, threads, prepare, |index, prepared| {
            let path = &paths[index];
            // Locked meanwhile: what is prepared is not recorded (an unreferenced vault object,
            // collected at the next exclusive open).
            let prepared = prepared.and_then(|prepared| self.refuse_if_stopped().map(|()| prepared));
            let outcome = match prepared.and_then(|prepared| self.record_file(case_id, material_key, &prepared)) {
                Ok((status, evidence)) => {
                    FileOutcome { path: path.display().to_string(), status, evidence: Some(evidence), error: None }
                }
                Err(err) => FileOutcome {
                    path: path.display().to_string(),
                    status: FileStatus::Failed,
                    evidence: None,
                    error: Some(ErrorReport::from(err)),
                },
            };
            on_file_done(&outcome);
            outcomes.push(outcome);
        });

        pixel_phase::between_the_phases();
        let stored: std::collections::HashSet<&str> =
            outcomes.iter().filter_map(|outcome| outcome.evidence.as_ref().map(|e| e.sha256.as_str())).collect();
        // The files are recorded and reported whatever happens here: pixel checks that stop (a
        // lock) or fail stay pending and are finished at the next open or before an export.
        let _ = self.finish_pixel_checks_of(case_id, &stored, on_pixels_checked);
        Ok(outcomes)
    }

    /// Records a prepared file: one transaction for its row and its facts.
    fn record_file(
        &mut self,
        case_id: &str,
        material_key: &str,
        prepared: &PreparedFile,
    ) -> Result<(FileStatus, EvidenceRecord)> {
        let stored = &prepared.stored;
        let new_evidence = NewEvidence {
            case_id,
            material_key,
            sha256: &stored.sha256,
            original_name: &prepared.original_name,
            bytes: stored.bytes,
            media_type: &prepared.media_type,
        };
        match self.database_mut().insert_evidence_with_facts(&new_evidence, prepared.facts.as_ref(), Utc::now())? {
            Some(record) => Ok((FileStatus::Added, record)),
            None => {
                let same =
                    |record: &EvidenceRecord| record.material_key == material_key && record.sha256 == stored.sha256;
                // The same bytes withdrawn from this slot: adding them again would silently
                // leave them withdrawn, so say how to bring them back.
                if let Some(withdrawn) =
                    self.database.withdrawn_evidence(case_id)?.into_iter().find(|file| same(&file.evidence))
                {
                    return Err(Error::new(
                        ErrorKind::InvalidInput,
                        format!(
                            "{}: the same file was withdrawn from {material_key} ({}); restore it (恢复) instead of adding it again",
                            prepared.original_name, withdrawn.reason
                        ),
                    ));
                }
                // Including the tray's files, which `case_evidence` leaves out.
                let existing = self
                    .database
                    .case_evidence_including_withdrawn(case_id)?
                    .into_iter()
                    .find(same)
                    .ok_or_else(|| Error::new(ErrorKind::Database, "evidence vanished while being added"))?;
                Ok((FileStatus::AlreadyPresent, existing))
            }
        }
    }

    /// The thumbnail of a stored file (JPEG bytes, upright, at most
    /// [`THUMBNAIL_LONG_SIDE`](crate::evidence::thumbnail::THUMBNAIL_LONG_SIDE) px on its longer
    /// side), from the vault's cache; made and cached when missing (data folders from before
    /// thumbnails) or damaged. `Ok(None)` when the file is not a picture this program decodes
    /// (HEIC/AVIF, videos, documents, damaged images). Safe to call from any thread that owns
    /// the folder, while others import.
    pub fn thumbnail(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        if sha256.len() != 64 || !sha256.bytes().all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte)) {
            let message = format!("'{sha256}' is not a SHA-256 (64 lower-case hex digits)");
            return Err(Error::new(ErrorKind::InvalidInput, message));
        }
        if !self.vault.contains(sha256) {
            return Err(Error::new(
                ErrorKind::FileMissing,
                format!("no evidence file with SHA-256 {sha256} is stored"),
            ));
        }
        crate::evidence::thumbnail::cached_thumbnail(&self.vault, sha256)
    }
}

/// Import threads per core (first phase). Each file is synced before it is recorded; measured with strace on 100 12 MP photos, a worker spent a quarter of its time
/// waiting in fsync, and with one thread per core that time left the core idle.
const IMPORT_THREADS_PER_CORE: usize = 2;

/// The most threads an import uses: files in flight each hold their bytes and decoded pixels.
const MAX_IMPORT_THREADS: usize = 8;

/// A file copied into the vault with everything read from it: all of an import but the
/// database row, so that it can be done on any thread.
struct PreparedFile {
    stored: StoredObject,
    original_name: String,
    media_type: String,
    /// Its facts; `None` when they could not be read (they are read again at `check`).
    facts: Option<EvidenceFacts>,
}

/// Copies a file into the vault (synced under its final name before anything records it) and
/// reads its headers and metadata from the vault object (the first phase of an import).
fn prepare_file(vault: &Vault, path: &Path, max_file_bytes: u64, thresholds: &Thresholds) -> Result<PreparedFile> {
    // A named pipe would block the import, and its size says 0: it is no file to add.
    let metadata = crate::evidence::user_file::require_regular(path)?;
    if metadata.len() == 0 {
        return Err(Error::for_file(ErrorKind::FileEmpty, path, "is empty (0 bytes)"));
    }
    let (stored, kept) = vault.store_copy_keeping(path, max_file_bytes, thresholds.max_file_bytes)?;
    let original_name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let media_type = sniff_media_type(&stored.head, &original_name);
    let facts = match kept {
        // The bytes just hashed and written: no second read (and decryption) of the object.
        Some(bytes) => Some(read_metadata_of_bytes(&stored.sha256, &original_name, &bytes, thresholds)),
        None => read_at_import(vault, &stored.sha256, stored.bytes, &original_name, thresholds, ImportPhase::Metadata),
    };
    Ok(PreparedFile { stored, original_name, media_type, facts })
}

/// The files in a folder and its subfolders, as a phone's DCIM folder copied to the laptop
/// holds them: sorted by path, hidden files and folders (a leading `.`, e.g. `.thumbnails`,
/// `.DS_Store`) left out, symbolic links not followed. At most [`MAX_FOLDER_FILES`].
pub fn files_in_folder(folder: &Path) -> Result<Vec<PathBuf>> {
    let metadata = fs::metadata(folder).map_err(|err| Error::reading(folder, &err))?;
    if !metadata.is_dir() {
        return Err(Error::for_file(ErrorKind::InvalidInput, folder, "is a file, not a folder"));
    }
    let mut files = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).map_err(|err| Error::reading(&dir, &err))?;
        for entry in entries {
            let entry = entry.map_err(|err| Error::reading(&dir, &err))?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type().map_err(|err| Error::reading(&entry.path(), &err))?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else {
                // Not only regular files: a link, a named pipe or a dangling link goes to the
                // import too, which adds what a link points to and names what it cannot add
                // (not a file, no such file), instead of skipping it without a word. A link to
                // a folder is not followed (a loop would never end): it is refused as a folder.
                files.push(entry.path());
                if files.len() > MAX_FOLDER_FILES {
                    return Err(Error::for_file(
                        ErrorKind::InvalidInput,
                        folder,
                        format!("holds more than {MAX_FOLDER_FILES} files; pick a smaller folder"),
                    ));
                }
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The most files one folder may bring in at once: a phone's whole camera roll is a mistake.
pub const MAX_FOLDER_FILES: usize = 2000;

/// A material key is a `snake_case` word, or `<request>.<material>` for the materials of a
/// non-standard request.
pub fn validate_material_key(key: &str) -> Result<()> {
    let is_word = |part: &str| {
        !part.is_empty()
            && part.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
            && part.as_bytes()[0].is_ascii_lowercase()
    };
    let parts: Vec<&str> = key.split('.').collect();
    if parts.len() <= 2 && parts.iter().all(|part| is_word(part)) {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::InvalidInput, format!("'{key}' is not a material key (e.g. storefront_photo)")))
    }
}

/// The media type from the file's first bytes; the name's extension only where the bytes
/// say nothing (plain text, unknown formats) or cannot tell an OFD from any ZIP.
fn sniff_media_type(head: &[u8], name: &str) -> String {
    if let Some(kind) = infer::get(head) {
        return crate::evidence::file_type::with_ofd(kind.mime_type(), name).to_string();
    }
    let extension = Path::new(name).extension().and_then(|ext| ext.to_str()).unwrap_or_default().to_ascii_lowercase();
    match extension.as_str() {
        "txt" => "text/plain",
        "json" => "application/json",
        "html" | "htm" => "text/html",
        _ => "application/octet-stream",
    }
    .to_string()
}

/// `YYYYMMDD-XXXXXX`: the creation date, readable on the phone with the merchant, and six
/// characters of Crockford base32 (no I, L, O, U), about a billion ids a day.
fn new_case_id(now: chrono::DateTime<Utc>) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("the operating system's random generator is available");
    let suffix: String = bytes.iter().map(|byte| ALPHABET[(*byte & 31) as usize] as char).collect();
    format!("{}-{suffix}", now.format("%Y%m%d"))
}

/// Opens (creating it if needed) the lock file every open data folder holds.
fn open_lock_file(root: &Path, lock_path: &Path) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock_path)
        .map_err(|err| data_folder_error(root, &err))
}

/// Creates the data folder (and its parents) if needed, the folder itself readable by its owner
/// only: it holds the merchants' documents, and other users of the computer have no business
/// listing it. An existing folder is left as it is (the manager chose it).
pub(crate) fn create_owner_only(root: &Path) -> std::io::Result<()> {
    if root.is_dir() {
        return Ok(());
    }
    if let Some(parent) = root.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    #[cfg_attr(not(unix), allow(unused_mut))] // only Unix sets a mode
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(root) {
        // Windows has no mode: the folder gets an owner-only DACL instead (src/owner_only.rs).
        Ok(()) => crate::owner_only::restrict_to_current_user(root),
        // Made by another process in between: fine, as for create_dir_all.
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists && root.is_dir() => Ok(()),
        Err(err) => Err(err),
    }
}

/// What an operation stopped by a lock answers.
fn locked_meanwhile(root: &Path) -> Error {
    Error::for_file(
        ErrorKind::PassphraseRequired,
        root,
        "数据文件夹已锁定,操作已停止 / the data folder was locked meanwhile, so this stopped; unlock it and try again",
    )
}

fn data_folder_error(root: &Path, err: &std::io::Error) -> Error {
    Error::for_file(
        ErrorKind::DataFolderUnwritable,
        root,
        format!("the data folder cannot be created or written ({err})"),
    )
}

/// `path` made absolute (against the working folder) with `.` and `..` taken away by their
/// names alone; `None` when the working folder is unknown.
fn lexical_absolute(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let mut normal = PathBuf::new();
    for component in absolute.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    Some(normal)
}

/// An absolute `path` with its longest existing part resolved by the file system (links, and
/// the letter case on Windows) and the rest, which does not exist yet, kept as written.
fn resolved(path: &Path) -> Option<PathBuf> {
    path.ancestors().find_map(|existing| {
        let real = fs::canonicalize(existing).ok()?;
        Some(real.join(path.strip_prefix(existing).ok()?))
    })
}
