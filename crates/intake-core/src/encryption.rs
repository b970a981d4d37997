//! Encryption at rest of a data folder: its state, unlocking it, turning encryption on (in
//! place, crash-safely, resumably) and changing the passphrase.
//!
//! The product rule: the desktop app never works on personal data in clear. A data folder is
//! unencrypted until its manager sets a passphrase; the app refuses every case command on an
//! unencrypted folder ([`require_encrypted`]: `passphrase_required`) and shows its 设置密码
//! screen first, which encrypts a folder that already holds data in place. Then the database
//! is SQLCipher, every vault file is encrypted (`keys` for the key hierarchy,
//! `encrypted_file` for the file format), `settings.json` (upload secret, manager) and the
//! installation's SM2 private key are sealed in the same format ([`read_sealed`],
//! [`write_sealed`]), and the folder opens only with the passphrase. The CLI still opens
//! unencrypted folders with [`DataFolder::open`], so older folders and scripts go on working;
//! it warns about them.
//!
//! Encrypting in place ([`DataFolder::encrypt`]) under the folder's exclusive lock:
//! 1. the new data key, wrapped under the passphrase, is written to
//!    `keys/data-key.pending.json`: from here on the folder is "unfinished" and refuses to
//!    open, and running `encrypt` again with the same passphrase resumes with the same key;
//! 2. each vault file not yet encrypted under that key is encrypted to a temp file, synced,
//!    and renamed over the plain one (one at a time, so each is plain or encrypted, whole);
//! 3. `settings.json`, if still in clear, is sealed (temp, fsync, rename over it); the SM2
//!    private key `keys/sm2-private-key.pem`, if there is one, is sealed into
//!    `keys/sm2-private-key.enc` (temp, fsync, rename) and only then removed;
//! 4. the database, if still unencrypted, is exported with `sqlcipher_export` into
//!    `intake.sqlite3.encrypting`, synced, and renamed over `intake.sqlite3`;
//! 5. the pending key file is renamed to `keys/data-key.json`: the folder is encrypted.
//!
//! Before step 1, a record of what is converted (`planted::ConversionRecord`: the SHA-256 of
//! the settings, the private key and the database as they are, the vault files in clear) is
//! written sealed under the new key; a resumed run converts only what it lists. A folder
//! with its key file never turns a file in clear into a sealed one: a settings file, private
//! key, database or vault file found in clear there is refused as `planted_plaintext`
//! (`planted`), never adopted. (Folders encrypted by a build of 2026-11-26, whose settings and
//! key stayed in clear, are refused too: their manager moves the two files out, sets the
//! settings again and makes a new key, or re-encrypts from an export.)
//!
//! Threat model, in short: this protects the data on a lost or stolen laptop that is switched
//! off or locked (the app dropped its key). It does not protect against malware or someone
//! using the laptop while the folder is unlocked, against a weak passphrase, or against the
//! plain bytes an unencrypted folder left in free disk blocks before it was encrypted
//! (encrypting in place does not scrub them; SSDs make that impossible anyway).

use std::borrow::Cow;
use std::fs::{self, OpenOptions};
use std::path::Path;

use zeroize::Zeroizing;

use crate::data_folder::{DATABASE_FILE, LOCK_FILE};
use crate::database;
use crate::durable::{self, Readers};
use crate::encrypted_file::{looks_sealed, seal, unseal};
use crate::error::{Error, ErrorKind, Result};
use crate::keys::{self, DataKey, FileKey, KeyFile, Passphrase};
use crate::planted::{ConversionRecord, is_in_clear, refuse_planted_files};
use crate::settings::settings_path;
use crate::signing::{private_key_path, sealed_private_key_path};
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
    /// True while the folder is open with its key (the app never opens an unencrypted one).
    pub unlocked: bool,
    /// Seconds without use after which an encrypted folder locks; 0 never. Read from the
    /// (sealed) settings while the folder is open; the default while it is locked.
    pub idle_lock_seconds: u32,
    /// True when the folder already holds something (cases, files, settings): the app then
    /// explains that setting a passphrase encrypts what is there, in place.
    pub holds_data: bool,
    /// The fewest characters a new passphrase may have (the core refuses shorter ones).
    pub min_passphrase_chars: u32,
}

/// How far [`DataFolder::encrypt_reporting`] is: files looked at (vault files, then the
/// database as one more) out of the total. The app shows it as a bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EncryptionProgress {
    /// Files done (encrypted or found already encrypted).
    pub done: u32,
    /// Files in all.
    pub total: u32,
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
/// right after the N-th vault file is encrypted in place, as a power cut would stop it. Only
/// in builds with the `test-seams` feature.
#[cfg(feature = "test-seams")]
pub const FAULT_ABORT_AFTER_ENCRYPTING: &str = "INTAKE_FAULT_ABORT_AFTER_ENCRYPTING";

/// The state of the data folder at `root` (a folder that does not exist is unencrypted). A
/// folder with its key file is encrypted whatever else is found in it: files in clear there
/// are refused when it is opened (`planted_plaintext`), not taken as an unfinished encryption.
pub fn state(root: &Path) -> EncryptionState {
    if keys::key_file_path(root).exists() {
        EncryptionState::Encrypted
    } else if keys::pending_key_file_path(root).exists() {
        EncryptionState::Unfinished
    } else {
        EncryptionState::Unencrypted
    }
}

/// True when the data folder at `root` already holds something (cases, files, settings, a
/// key): what the app says on its 设置密码 screen depends on it.
pub fn holds_data(root: &Path) -> bool {
    fs::read_dir(root).is_ok_and(|mut entries| entries.next().is_some())
}

/// `data_folder_unwritable` when something other than a folder is where the data folder
/// should be; `Ok` for a folder or nothing (it is made when needed).
pub fn check_location(root: &Path) -> Result<()> {
    if root.exists() && !root.is_dir() {
        return Err(Error::for_file(ErrorKind::DataFolderUnwritable, root, "the data folder is a file, not a folder"));
    }
    Ok(())
}

/// The rule of the desktop app: it works on personal data only in an encrypted folder. `Ok`
/// for an encrypted folder (which still needs its passphrase to open); an unencrypted one
/// (new, or made by the CLI or an older version) is `passphrase_required` until a passphrase
/// is set, which encrypts it in place; a half-encrypted one is `encryption_unfinished`; a file
/// where the folder should be is `data_folder_unwritable`.
pub fn require_encrypted(root: &Path) -> Result<()> {
    check_location(root)?;
    match state(root) {
        EncryptionState::Encrypted => Ok(()),
        EncryptionState::Unfinished => Err(unfinished(root)),
        EncryptionState::Unencrypted => Err(Error::for_file(
            ErrorKind::PassphraseRequired,
            root,
            "尚未设置密码:请先设置密码,数据文件夹将被加密 / no passphrase is set: set one first (设置密码); \
             the data folder is then encrypted, and only then are cases shown or changed",
        )),
    }
}

/// Reads a small file of the data folder (settings, the signing key): as it is in an
/// unencrypted folder (`key` `None`); in an encrypted one it must be sealed under `key` (a
/// file in clear there is `planted_plaintext`, one that fails authentication
/// `vault_corrupt`). `None` when there is no such file. The plaintext is wiped on drop.
pub(crate) fn read_sealed(path: &Path, key: Option<&FileKey>) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => Zeroizing::new(bytes),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(Error::reading(path, &err)),
    };
    match key {
        None if looks_sealed(&bytes) => Err(Error::for_file(
            ErrorKind::PassphraseRequired,
            path,
            "已加密,需要密码 / is encrypted: open the data folder with its passphrase to read it",
        )),
        None => Ok(Some(bytes)),
        Some(_) if !looks_sealed(&bytes) => {
            Err(crate::planted::planted(path, "is in clear, and this folder keeps it sealed"))
        }
        Some(key) => unseal(&bytes, key).map(Some).map_err(|err| Error::reading(path, &err)),
    }
}

/// Writes a small file of the data folder crash-safely (temp, fsync, rename), sealed under
/// `key` in an encrypted folder.
pub(crate) fn write_sealed(path: &Path, bytes: &[u8], key: Option<&FileKey>, readers: Readers) -> Result<()> {
    durable::write_replacing(path, &as_stored(path, bytes, key)?, readers)
}

/// Like [`write_sealed`], only when `path` does not exist yet (see `durable::write_new`).
pub(crate) fn write_sealed_new(path: &Path, bytes: &[u8], key: Option<&FileKey>, readers: Readers) -> Result<bool> {
    durable::write_new(path, &as_stored(path, bytes, key)?, readers)
}

/// The bytes as a small file at `path` holds them: sealed under `key`, or as they are.
fn as_stored<'a>(path: &Path, bytes: &'a [u8], key: Option<&FileKey>) -> Result<Cow<'a, [u8]>> {
    match key {
        None => Ok(Cow::Borrowed(bytes)),
        Some(key) => seal(bytes, key).map(Cow::Owned).map_err(|err| Error::writing(path, &err)),
    }
}

/// Step 3 of `encrypt`: seals `settings.json` and the SM2 private key if they are in clear
/// and are the very files the encryption recorded at its start (else `planted_plaintext`).
fn seal_small_files(root: &Path, key: &FileKey, record: &ConversionRecord) -> Result<()> {
    let settings = settings_path(root);
    if is_in_clear(&settings)
        && let Some(text) = read_sealed(&settings, None)?
    {
        ConversionRecord::check_small_file(&settings, &text, record.settings_sha256.as_deref())?;
        write_sealed(&settings, &text, Some(key), Readers::OwnerOnly)?;
    }
    let plain_key = private_key_path(root);
    if let Some(pem) = read_sealed(&plain_key, None)? {
        ConversionRecord::check_small_file(&plain_key, &pem, record.private_key_sha256.as_deref())?;
        // Sealed first, removed after: a crash in between leaves both, and the next run
        // seals the same key again.
        write_sealed(&sealed_private_key_path(root), &pem, Some(key), Readers::OwnerOnly)?;
        remove_if_present(&plain_key)?;
        let folder = plain_key.parent().expect("the key file is in a folder");
        durable::sync_folder(folder).map_err(|err| Error::writing(folder, &err))?;
    }
    Ok(())
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

/// The data key of the encrypted folder at `root`, unwrapped with its passphrase (the folder's
/// encryption finished and nothing planted in it). A wrong passphrase is `wrong_passphrase` and
/// reads nothing but the key file.
pub(crate) fn unlock_key(root: &Path, passphrase: &Passphrase) -> Result<DataKey> {
    require_finished_encryption(root)?;
    refuse_planted_files(root)?;
    KeyFile::read(&keys::key_file_path(root))?.unwrap(passphrase)
}

/// Encrypts the unencrypted data folder at `root` in place under `passphrase` (see the module
/// documentation), or finishes an interrupted encryption, calling `on_progress` after each vault
/// file and after the database. Needs the folder to itself: `data_folder_busy` while another
/// program has it open.
pub(crate) fn encrypt_in_place(
    root: &Path,
    passphrase: &Passphrase,
    mut on_progress: impl FnMut(EncryptionProgress),
) -> Result<EncryptionReport> {
    let resumed = match state(root) {
        EncryptionState::Encrypted => {
            // Files in clear in an encrypted folder are named as what they are: planted,
            // never "the rest of an encryption" to be sealed.
            refuse_planted_files(root)?;
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
    crate::data_folder::create_owner_only(root).map_err(|err| Error::writing(root, &err))?;
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
    remove_small_leftovers(root)?;
    let (key, record) = if resumed {
        let key = KeyFile::read(&pending)?.unwrap(passphrase).map_err(|err| match err.kind() {
            ErrorKind::WrongPassphrase => Error::new(
                ErrorKind::WrongPassphrase,
                "密码与中断的加密所用的不同 / wrong passphrase: the interrupted encryption was started with \
                 another one; give that one to finish it",
            ),
            _ => err,
        })?;
        let record = ConversionRecord::read(root, &key.sealed_file_key())?;
        (key, record)
    } else {
        let key = DataKey::generate();
        // What is converted is recorded (sealed) before the pending key exists: a pending
        // key always has its record, and the record is nobody else's to extend.
        let record = record_what_is_in_clear(root)?;
        record.write(root, &key.sealed_file_key())?;
        KeyFile::wrap(&key, passphrase)?.write(&pending)?;
        (key, record)
    };

    let vault = Vault::open_encrypted(&root.join("vault"), key.file_key())?;
    #[cfg(feature = "test-seams")]
    let abort_after = std::env::var(FAULT_ABORT_AFTER_ENCRYPTING).ok().and_then(|value| value.parse::<usize>().ok());
    #[cfg(not(feature = "test-seams"))]
    let abort_after: Option<usize> = None;
    let mut total = 0;
    let convertible = |relative: &str| record.vault_files.contains(relative);
    let files_encrypted = vault.encrypt_in_place(&convertible, |step| {
        if step.this_one_encrypted && abort_after == Some(step.encrypted) {
            std::process::abort();
        }
        total = step.total + 1;
        on_progress(EncryptionProgress { done: to_u32(step.seen), total: to_u32(total) });
    })?;
    seal_small_files(root, &key.sealed_file_key(), &record)?;

    let database_path = root.join(DATABASE_FILE);
    if database_path.exists() && database::is_unencrypted(&database_path) {
        let actual = crate::planted::sha256_of_file(&database_path)?;
        if record.database_sha256.as_deref() != Some(actual.as_str()) {
            return Err(crate::planted::planted(
                &database_path,
                "is a database in clear that is not the one the encryption started with",
            ));
        }
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
    let total = to_u32(total.max(1));
    on_progress(EncryptionProgress { done: total, total });

    if pending.exists() {
        durable::commit_replacing(&pending, &keys::key_file_path(root))?;
    }
    ConversionRecord::remove(root)?;
    drop(lock);
    Ok(EncryptionReport { files_encrypted, resumed })
}

/// Re-wraps the data key of the encrypted folder at `root` under `new`, once `old` unwraps it.
/// No other file changes: the data key stays the same.
pub(crate) fn change_passphrase(root: &Path, old: &Passphrase, new: &Passphrase) -> Result<()> {
    require_finished_encryption(root)?;
    new.check_strong_enough()?;
    let path = keys::key_file_path(root);
    KeyFile::read(&path)?.rewrapped(old, new)?.write(&path)
}

/// What unlocking and changing the passphrase need: an encrypted folder, its encryption
/// finished (an unfinished one is finished by `passphrase set` with the same passphrase).
fn require_finished_encryption(root: &Path) -> Result<()> {
    match state(root) {
        EncryptionState::Encrypted => Ok(()),
        EncryptionState::Unfinished => Err(unfinished(root)),
        EncryptionState::Unencrypted => Err(Error::for_file(
            ErrorKind::InvalidInput,
            root,
            "数据文件夹未加密 / the data folder is not encrypted: set a passphrase first (`intake passphrase set`)",
        )),
    }
}

/// What the first encryption of the folder at `root` is about to convert: the small files
/// and the database by SHA-256 (the database's WAL checkpointed into it first, so that its
/// bytes do not change when it is exported), the vault files in clear by name.
fn record_what_is_in_clear(root: &Path) -> Result<ConversionRecord> {
    let small = |path: &Path| -> Result<Option<String>> {
        if path.exists() { crate::planted::sha256_of_file(path).map(Some) } else { Ok(None) }
    };
    let database_path = root.join(DATABASE_FILE);
    let database_sha256 = if database_path.exists() && database::is_unencrypted(&database_path) {
        database::checkpoint_plain(&database_path)?;
        Some(crate::planted::sha256_of_file(&database_path)?)
    } else {
        None
    };
    let vault_files = Vault::open(&root.join("vault"))?.files_in_clear()?;
    Ok(ConversionRecord {
        settings_sha256: small(&settings_path(root))?,
        private_key_sha256: small(&private_key_path(root))?,
        database_sha256,
        vault_files,
    })
}

/// Temp files `durable` writes beside small files (`.settings.json.x.part`): a crash leaves
/// them half-written and nothing refers to them, so they are removed (under the exclusive lock).
pub(crate) fn remove_small_leftovers(root: &Path) -> Result<()> {
    for folder in [root.to_path_buf(), root.join("keys")] {
        let Ok(entries) = fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(".part") && entry.path().is_file() {
                remove_if_present(&entry.path())?;
            }
        }
    }
    Ok(())
}

fn to_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(Error::writing(path, &err)),
    }
}
