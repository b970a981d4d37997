//! Encryption at rest of a data folder: its state, unlocking it, turning encryption on (in
//! place, crash-safely, resumably) and changing the passphrase.
//!
//! The product rule: a data folder is unencrypted until its manager sets a passphrase (the
//! app asks for one on first start; the CLI has `intake passphrase set`). Then the database is
//! SQLCipher and every vault file is encrypted (`keys` for the key hierarchy,
//! `encrypted_file` for the file format), and the folder opens only with the passphrase.
//! Unencrypted folders keep opening with [`DataFolder::open`], so older folders and scripts
//! go on working; the CLI warns about them.
//!
//! Encrypting in place ([`DataFolder::encrypt`]) under the folder's exclusive lock:
//! 1. the new data key, wrapped under the passphrase, is written to
//!    `keys/data-key.pending.json`: from here on the folder is "unfinished" and refuses to
//!    open, and running `encrypt` again with the same passphrase resumes with the same key;
//! 2. each vault file not yet encrypted under that key is encrypted to a temp file, synced,
//!    and renamed over the plain one (one at a time, so each is plain or encrypted, whole);
//! 3. the database, if still unencrypted, is exported with `sqlcipher_export` into
//!    `intake.sqlite3.encrypting`, synced, and renamed over `intake.sqlite3`;
//! 4. the pending key file is renamed to `keys/data-key.json`: the folder is encrypted.
//!
//! Threat model, in short: this protects the data on a lost or stolen laptop that is switched
//! off or locked (the app dropped its key). It does not protect against malware or someone
//! using the laptop while the folder is unlocked, against a weak passphrase, or against the
//! plain bytes an unencrypted folder left in free disk blocks before it was encrypted
//! (encrypting in place does not scrub them; SSDs make that impossible anyway).

use std::fs::{self, OpenOptions};
use std::path::Path;

use crate::data_folder::{DATABASE_FILE, DataFolder, LOCK_FILE};
use crate::database;
use crate::durable;
use crate::error::{Error, ErrorKind, Result};
use crate::keys::{self, DataKey, KeyFile, Passphrase};
use crate::vault::Vault;

/// Whether a data folder is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum EncryptionState {
    /// No passphrase set (a new folder, or one from before encryption): opens without one.
    Unencrypted,
    /// Opens with its passphrase only.
    Encrypted,
    /// Encrypting it was interrupted: it opens after `encrypt` runs again with the same
    /// passphrase.
    Unfinished,
}

/// What a front-end shows about its data folder's lock: whether it is encrypted, whether it
/// is open (unlocked), and after how long without use the app locks it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct LockStatus {
    /// Unencrypted (the app asks for a passphrase to set), encrypted or unfinished.
    pub state: EncryptionState,
    /// True while the folder is open (an unencrypted one always is).
    pub unlocked: bool,
    /// Seconds without use after which an encrypted folder locks; 0 never.
    pub idle_lock_seconds: u32,
}

/// What [`DataFolder::encrypt`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EncryptionReport {
    /// Vault files (objects and thumbnails) encrypted by this run.
    pub files_encrypted: usize,
    /// True when this run found an interrupted encryption and finished it.
    pub resumed: bool,
}

/// The test hook of the crash test: `INTAKE_FAULT_ABORT_AFTER_ENCRYPTING=N` aborts the process
/// right after the N-th vault file is encrypted in place, as a power cut would stop it.
pub const FAULT_ABORT_AFTER_ENCRYPTING: &str = "INTAKE_FAULT_ABORT_AFTER_ENCRYPTING";

/// The state of the data folder at `root` (a folder that does not exist is unencrypted).
pub fn state(root: &Path) -> EncryptionState {
    if keys::pending_key_file_path(root).exists() {
        EncryptionState::Unfinished
    } else if keys::key_file_path(root).exists() {
        EncryptionState::Encrypted
    } else {
        EncryptionState::Unencrypted
    }
}

/// Refuses to open an encrypted or half-encrypted folder without its passphrase.
pub(crate) fn refuse_unless_unencrypted(root: &Path) -> Result<()> {
    match state(root) {
        EncryptionState::Unencrypted => Ok(()),
        EncryptionState::Encrypted => Err(Error::for_file(
            ErrorKind::PassphraseRequired,
            root,
            "数据文件夹已加密,需要密码 / the data folder is encrypted: its passphrase is needed \
             (INTAKE_PASSPHRASE or the prompt)",
        )),
        EncryptionState::Unfinished => Err(unfinished(root)),
    }
}

fn unfinished(root: &Path) -> Error {
    Error::for_file(
        ErrorKind::EncryptionUnfinished,
        root,
        "数据文件夹加密未完成 / encrypting the data folder was interrupted: run `intake passphrase set` \
         again with the same passphrase to finish it",
    )
}

impl DataFolder {
    /// The state of the data folder at `root`.
    pub fn encryption_state(root: &Path) -> EncryptionState {
        state(root)
    }

    /// Opens the encrypted data folder at `root` with its passphrase. A wrong passphrase is
    /// `wrong_passphrase` and reads nothing but the key file.
    pub fn unlock(root: &Path, passphrase: &Passphrase) -> Result<DataFolder> {
        match state(root) {
            EncryptionState::Encrypted => {}
            EncryptionState::Unfinished => return Err(unfinished(root)),
            EncryptionState::Unencrypted => {
                return Err(Error::for_file(
                    ErrorKind::InvalidInput,
                    root,
                    "数据文件夹未加密 / the data folder is not encrypted: set a passphrase first \
                     (`intake passphrase set`)",
                ));
            }
        }
        let key = KeyFile::read(&keys::key_file_path(root))?.unwrap(passphrase)?;
        DataFolder::open_keyed(root, Some(key)).map(|(folder, _)| folder)
    }

    /// Encrypts the unencrypted data folder at `root` in place under `passphrase` (see the
    /// module documentation), or finishes an interrupted encryption. Needs the folder to
    /// itself: `data_folder_busy` while another program has it open.
    pub fn encrypt(root: &Path, passphrase: &Passphrase) -> Result<EncryptionReport> {
        let resumed = match state(root) {
            EncryptionState::Encrypted => {
                return Err(Error::for_file(
                    ErrorKind::InvalidInput,
                    root,
                    "数据文件夹已加密 / the data folder is already encrypted: use `intake passphrase change`",
                ));
            }
            EncryptionState::Unfinished => true,
            EncryptionState::Unencrypted => {
                passphrase.check_strong_enough()?;
                false
            }
        };
        fs::create_dir_all(root).map_err(|err| Error::writing(root, &err))?;
        let lock_path = root.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|err| Error::writing(&lock_path, &err))?;
        if lock.try_lock().is_err() {
            return Err(Error::for_file(
                ErrorKind::DataFolderBusy,
                root,
                "数据文件夹正被其他程序使用 / another program (the app or another `intake`) has the data folder \
                 open: close it and try again",
            ));
        }

        let pending = keys::pending_key_file_path(root);
        let key = if resumed {
            KeyFile::read(&pending)?.unwrap(passphrase).map_err(|err| match err.kind() {
                ErrorKind::WrongPassphrase => Error::new(
                    ErrorKind::WrongPassphrase,
                    "密码与中断的加密所用的不同 / wrong passphrase: the interrupted encryption was started with \
                     another one; give that one to finish it",
                ),
                _ => err,
            })?
        } else {
            let key = DataKey::generate();
            KeyFile::wrap(&key, passphrase)?.write(&pending)?;
            key
        };

        let vault = Vault::open_encrypted(&root.join("vault"), key.file_key())?;
        let abort_after = std::env::var(FAULT_ABORT_AFTER_ENCRYPTING).ok().and_then(|value| value.parse::<usize>().ok());
        let files_encrypted = vault.encrypt_in_place(|done| {
            if abort_after == Some(done) {
                std::process::abort();
            }
        })?;

        let database_path = root.join(DATABASE_FILE);
        if database_path.exists() && database::is_unencrypted(&database_path) {
            let target = root.join(format!("{DATABASE_FILE}.encrypting"));
            for leftover in [target.clone(), root.join(format!("{DATABASE_FILE}.encrypting-journal"))] {
                remove_if_present(&leftover)?;
            }
            database::encrypt_database(&database_path, &target, &key)?;
            // The plain store's WAL was checkpointed into it; a WAL left beside the encrypted
            // store would be read as its own.
            for leftover in [root.join(format!("{DATABASE_FILE}-wal")), root.join(format!("{DATABASE_FILE}-shm"))] {
                remove_if_present(&leftover)?;
            }
            durable::commit_replacing(&target, &database_path)?;
        }
        // Opens (creating a new folder's) store with the key: proves the key opens it.
        database::Database::open_encrypted(&database_path, &key)?;

        durable::commit_replacing(&pending, &keys::key_file_path(root))?;
        drop(lock);
        Ok(EncryptionReport { files_encrypted, resumed })
    }

    /// Re-wraps the data key of the encrypted folder at `root` under `new`, once `old`
    /// unwraps it. No other file changes: the data key stays the same.
    pub fn change_passphrase(root: &Path, old: &Passphrase, new: &Passphrase) -> Result<()> {
        match state(root) {
            EncryptionState::Encrypted => {}
            EncryptionState::Unfinished => return Err(unfinished(root)),
            EncryptionState::Unencrypted => {
                return Err(Error::for_file(
                    ErrorKind::InvalidInput,
                    root,
                    "数据文件夹未加密 / the data folder is not encrypted: use `intake passphrase set`",
                ));
            }
        }
        new.check_strong_enough()?;
        let path = keys::key_file_path(root);
        KeyFile::read(&path)?.rewrapped(old, new)?.write(&path)
    }
}

fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(Error::writing(path, &err)),
    }
}
